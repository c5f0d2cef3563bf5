import type { ContentClass, SendFailureKind } from '../../provider';
import { SendFailedError } from '../../../../shared/errors';
import { definiteKind, FALLBACK_TO_TEXT, kindForCell, kindForContent, markdownCell, type ErrorTableRow } from '../../error-table';
import { formatBackoff, headerValue, parseRetryAfter, transportFailureOf, type HeadersLike } from '../../http-failure';

export { contentClassOf } from '../../error-table';

export { parseRetryAfter } from '../../http-failure';

/**
 * How the send Lambda must treat every failure of a Twilio call, as one table.
 *
 * Sources: Twilio's error dictionary (twilio.com/docs/api/errors/<code>), its Twilio↔WhatsApp
 * error mapping (twilio.com/docs/whatsapp/api/error-code-mapping) and `shared/TWILIO.md`. A row
 * marked "(docs)" says what Twilio documents; anything else is our reading, with the reason given.
 *
 * The one rule above all others (issue 3): retry only when Twilio certainly did not accept the
 * message. Twilio documents that a 500 on a non-idempotent POST such as sending a message may
 * still have created it ("retrying may send it twice"), so 500/502/504 are `outcome-unknown`,
 * never `retryable`; only 429 and 503 ("temporarily unavailable") promise nothing was processed.
 * Creating Content is different: a duplicate Content resource is harmless, so every uncertain
 * outcome of the Content API is simply retried.
 */

export type { ContentClass } from '../../provider';

/** Which Twilio API the failed call went to. */
export type TwilioOperation = 'message' | 'content';

export type TwilioErrorMatch =
  /** Twilio's own error code: `code` in a REST error body, `ErrorCode` in a status callback. */
  | { code: string }
  /** An HTTP status, when the body carries no code with a row of its own. */
  | { httpStatus: number }
  | { httpStatusRange: '4xx' | '5xx' }
  /**
   * No usable HTTP answer: `not-sent` (connection refused, DNS failure: the request never left),
   * `maybe-sent` (timeout or reset after it may have left), `unreadable-success` (a 2xx whose
   * body we could not read: Twilio accepted something and we do not know its id).
   */
  | { transport: 'not-sent' | 'maybe-sent' | 'unreadable-success' };

export interface TwilioErrorRow extends ErrorTableRow<TwilioErrorMatch> {
  /** Only for calls to this API; both when absent. */
  operation?: TwilioOperation;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;


/**
 * Every row the README prints. Order matters only within one match type (first match wins); code
 * rows are consulted before status rows, and status rows before range rows.
 */
export const TWILIO_ERROR_TABLE: readonly TwilioErrorRow[] = [
  // ── Retryable: Twilio certainly did not accept the message (or it failed before delivery).
  {
    match: { code: '20429' },
    kind: 'retryable',
    retryAfterMs: SECOND,
    reason: 'Twilio is rate limiting our API requests; the message will be retried.',
    note: '(docs) "An API request that receives a 429 is never processed and is always safe to retry."',
  },
  {
    match: { code: '20503' },
    kind: 'retryable',
    retryAfterMs: 5 * SECOND,
    reason: 'Twilio was temporarily unavailable; the message will be retried.',
    note: '(docs) "Service unavailable … try again a few times with exponential back-off."',
  },
  {
    match: { code: '63017' },
    kind: 'retryable',
    retryAfterMs: 5 * SECOND,
    operation: 'message',
    reason: "The Twilio account's overall sending rate limit was exceeded; the message will be retried.",
    note: '(docs) The account and its subaccounts send above 2,000 messages/s combined: a short burst limit.',
  },
  {
    match: { code: '63018' },
    kind: 'retryable',
    retryAfterMs: MINUTE,
    operation: 'message',
    reason: "The WhatsApp sender's rate or messaging limit was exceeded; the message will be retried later.",
    note:
      "(docs) Channel rate limit, including WhatsApp's messaging-tier limit (WhatsApp 429/471/1015). The tier " +
      'limit resets over 24 h, so the backoff starts long.',
  },
  {
    match: { code: '63119' },
    kind: 'retryable',
    retryAfterMs: 30 * SECOND,
    operation: 'message',
    reason: "Meta's rate limit for this WhatsApp Business Account was exceeded; the message will be retried.",
    note: '(docs) "Meta rate limit exceeded, please try again later."',
  },
  {
    match: { code: '63038' },
    kind: 'retryable',
    retryAfterMs: 60 * MINUTE,
    operation: 'message',
    reason: "The Twilio account's daily message limit was reached; the message will be retried later.",
    note: '(docs) Rolling 24 h limit per account; retried with a long backoff until maxReceiveCount, then the DLQ.',
  },
  {
    match: { code: '63012' },
    kind: 'retryable',
    retryAfterMs: 30 * SECOND,
    operation: 'message',
    reason: 'WhatsApp reported an internal error; the message will be retried.',
    note: '(docs) Maps WhatsApp 500/1011/1014/1023/1025. Arrives as a failed status: nothing was delivered.',
  },
  {
    match: { code: '30500' },
    kind: 'retryable',
    retryAfterMs: 30 * SECOND,
    operation: 'message',
    reason: 'Twilio had an internal error while processing the message; it will be retried.',
    note: '(docs) "Try sending the message again." Arrives as a failed status: nothing was delivered.',
  },

  // ── Outcome unknown: the request may have created the message. Never resend.
  {
    match: { code: '20500' },
    kind: 'outcome-unknown',
    operation: 'message',
    reason: 'Twilio answered with an internal error; the message may or may not have been sent.',
    note:
      '(docs) "If you get a 500 Server Error on [sending] and you retry, it is possible for a customer to ' +
      'receive multiple messages." We wait for a status callback instead.',
  },

  // ── The 24-hour window.
  {
    match: { code: '63016' },
    kind: 'window-closed',
    operation: 'message',
    reason: "The customer's 24-hour window is closed; only an approved template can be sent.",
    note: '(docs) Outside the customer service window (WhatsApp 470). Also a template sent as Body.',
  },

  // ── Content rejected: rich content or media refused; plain text may still go.
  {
    match: { code: '63021' },
    kind: 'permanent',
    kindFor: FALLBACK_TO_TEXT,
    operation: 'message',
    reason: 'WhatsApp rejected the message content as invalid or unsupported.',
    note: '(docs) Invalid content (WhatsApp 1001/408/410): unsupported media, components or lengths.',
  },
  {
    match: { code: '63005' },
    kind: 'permanent',
    kindFor: FALLBACK_TO_TEXT,
    operation: 'message',
    reason: 'WhatsApp did not accept the message content.',
    note:
      '(docs) Rich content outside session rules, a bad media file, or a recipient who is not a WhatsApp ' +
      'user (WhatsApp 1000). For rich content a plain-text retry tells these apart: a bad recipient fails again.',
  },
  {
    match: { code: '63006' },
    kind: 'permanent',
    kindFor: FALLBACK_TO_TEXT,
    operation: 'message',
    reason: 'Twilio could not format the content for WhatsApp.',
    note: '(docs) "Could not format given content for the channel."',
  },
  {
    match: { code: '63013' },
    kind: 'permanent',
    kindFor: FALLBACK_TO_TEXT,
    operation: 'message',
    reason: "The message violates WhatsApp's content policy.",
    note: '(docs) Policy violation (WhatsApp 1008/1009): emojis or variables where unsupported, media type.',
  },
  {
    match: { code: '63030' },
    kind: 'permanent',
    kindFor: FALLBACK_TO_TEXT,
    operation: 'message',
    reason: 'The message uses a parameter WhatsApp does not support for this kind of message.',
    note: '(docs) Maps WhatsApp 1010.',
  },
  {
    match: { code: '216602' },
    kind: 'permanent',
    kindFor: FALLBACK_TO_TEXT,
    operation: 'message',
    reason: 'This kind of rich content is not supported on WhatsApp.',
    note: '(docs) "The content types in the template cannot be used on the channel specified."',
  },
  {
    match: { code: '21656' },
    kind: 'permanent',
    kindFor: { interactive: 'content-rejected' },
    operation: 'message',
    reason: 'Twilio rejected the content variables.',
    note:
      '(docs) ContentVariables invalid. Our own rich content carries no variables, so this means its text ' +
      'looked like a placeholder ({{…}}): plain text avoids it. For a template the variables themselves are wrong.',
  },
  {
    match: { code: '21655' },
    kind: 'permanent',
    kindFor: { interactive: 'content-rejected' },
    operation: 'message',
    reason: 'The Content SID is invalid, deleted or belongs to another account.',
    note:
      '(docs) For a cached button/list Content SID the sender first re-creates the content once; a ' +
      'template pointing at a deleted Content SID must be re-registered.',
  },
  {
    match: { code: '21620' },
    kind: 'permanent',
    kindFor: { media: 'content-rejected' },
    operation: 'message',
    reason: 'The media URL is invalid.',
    note: 'Twilio "Invalid media URL(s)". The caption or fallback text can still go.',
  },
  {
    match: { code: '63019' },
    kind: 'permanent',
    kindFor: { media: 'content-rejected' },
    operation: 'message',
    reason: 'WhatsApp could not download the media.',
    note: '(docs) Maps WhatsApp 400 (media download failed).',
  },
  {
    match: { code: '21617' },
    kind: 'permanent',
    operation: 'message',
    reason: 'The message body is longer than 1,600 characters.',
    note: 'Twilio body limit; the send Lambda splits long texts before sending, so this is a bug if seen.',
  },

  // ── Templates.
  {
    match: { code: '63027' },
    kind: 'permanent',
    kindFor: { interactive: 'content-rejected' },
    operation: 'message',
    reason: 'The template does not exist or is not approved for this language.',
    note: '(docs) Template does not exist for a language and locale (WhatsApp 2001/2003).',
  },
  {
    match: { code: '63028' },
    kind: 'permanent',
    operation: 'message',
    reason: "The template's variables do not match what the template expects.",
    note: '(docs) Number of parameters does not match (WhatsApp 2000).',
  },

  // ── Permanent: the recipient.
  {
    match: { code: '21211' },
    kind: 'permanent',
    operation: 'message',
    reason: "The customer's number is not valid.",
    note: "(docs) Invalid 'To' phone number.",
  },
  {
    match: { code: '21614' },
    kind: 'permanent',
    operation: 'message',
    reason: "The customer's number cannot receive messages.",
    note: "'To' is not a valid mobile number.",
  },
  {
    match: { code: '63003' },
    kind: 'permanent',
    operation: 'message',
    reason: 'The customer is not reachable on WhatsApp at this address.',
    note: '(docs) Channel could not find To address (WhatsApp 1006/1013/1021).',
  },
  {
    match: { code: '63024' },
    kind: 'permanent',
    operation: 'message',
    reason: 'The recipient is not a valid WhatsApp user.',
    note: '(docs) Invalid message recipient (WhatsApp 1002/1026).',
  },
  {
    match: { code: '63032' },
    kind: 'permanent',
    operation: 'message',
    reason: 'WhatsApp does not deliver this message to this user right now (Meta experiment).',
    note: "(docs) Maps WhatsApp 472: the user's number is part of an experiment.",
  },
  {
    match: { code: '63014' },
    kind: 'permanent',
    operation: 'message',
    reason: 'The customer has blocked this business on WhatsApp.',
    note: '(docs) Channel message blocked by user action.',
  },
  {
    match: { code: '63015' },
    kind: 'permanent',
    operation: 'message',
    reason: 'The customer has not joined the Twilio WhatsApp sandbox.',
    note: '(docs) Sandbox recipients must send "join <keyword>" first.',
  },
  {
    match: { code: '21610' },
    kind: 'permanent',
    operation: 'message',
    reason: 'The customer has unsubscribed from this sender.',
    note: 'Twilio "Attempt to send to unsubscribed recipient".',
  },
  {
    match: { code: '21408' },
    kind: 'permanent',
    operation: 'message',
    reason: "Sending to the customer's region is not enabled for this Twilio account.",
    note: 'Twilio geo permissions.',
  },

  // ── Permanent: our side (sender, account, credentials).
  {
    match: { code: '20003' },
    kind: 'permanent',
    credentialsRejected: true,
    reason: "Twilio rejected the connection's credentials.",
    note: '(docs) Authentication failed (HTTP 401): rotate the credentials; no retry helps.',
  },
  {
    match: { code: '63007' },
    kind: 'permanent',
    operation: 'message',
    reason: 'The business number is not a WhatsApp sender on this Twilio account.',
    note: "(docs) No channel with the specified 'From' address, or it is pending approval.",
  },
  {
    match: { code: '63002' },
    kind: 'permanent',
    operation: 'message',
    reason: 'WhatsApp could not find the business number.',
    note: '(docs) Channel could not find the From address.',
  },
  {
    match: { code: '21606' },
    kind: 'permanent',
    operation: 'message',
    reason: 'The business number is not a valid sender for this Twilio account.',
    note: "Twilio \"'From' phone number not a valid … number for your account\".",
  },
  {
    match: { code: '21212' },
    kind: 'permanent',
    operation: 'message',
    reason: 'The business number is not valid.',
    note: "Twilio \"Invalid 'From' number\".",
  },
  {
    match: { code: '63001' },
    kind: 'permanent',
    operation: 'message',
    reason: 'Twilio could not authenticate with WhatsApp for this sender.',
    note: '(docs) Channel authentication failed (WhatsApp 1005).',
  },
  {
    match: { code: '63020' },
    kind: 'permanent',
    operation: 'message',
    reason: "The business has not accepted Twilio's invitation in Meta Business Manager.",
    note: '(docs) Maps WhatsApp 402.',
  },

  // ── HTTP statuses, when the code has no row of its own.
  {
    match: { httpStatus: 429 },
    kind: 'retryable',
    retryAfterMs: SECOND,
    reason: 'Twilio is rate limiting our API requests; the message will be retried.',
    note: '(docs) A 429 is never processed. Retry-After is honoured when present.',
  },
  {
    match: { httpStatus: 503 },
    kind: 'retryable',
    retryAfterMs: 5 * SECOND,
    reason: 'Twilio was temporarily unavailable; the message will be retried.',
    note: 'Service unavailable: the request was refused before processing.',
  },
  {
    match: { httpStatus: 401 },
    kind: 'permanent',
    credentialsRejected: true,
    reason: "Twilio rejected the connection's credentials.",
    note: 'Authentication failed.',
  },
  {
    match: { httpStatusRange: '5xx' },
    kind: 'outcome-unknown',
    operation: 'message',
    reason: 'Twilio answered with a server error; the message may or may not have been sent.',
    note: '500/502/504…: the request reached Twilio and may have been processed (see 20500).',
  },
  {
    match: { httpStatusRange: '5xx' },
    kind: 'retryable',
    retryAfterMs: 5 * SECOND,
    operation: 'content',
    reason: "Twilio's Content API answered with a server error; it will be retried.",
    note: 'Creating Content twice is harmless: at worst an unused Content resource.',
  },
  {
    match: { httpStatusRange: '4xx' },
    kind: 'permanent',
    operation: 'message',
    reason: 'Twilio refused the message.',
    note: 'Any other 4xx: the same request fails the same way again.',
  },
  {
    match: { httpStatusRange: '4xx' },
    kind: 'content-rejected',
    operation: 'content',
    reason: 'Twilio refused to create the rich content.',
    note: 'The Content API validated the buttons or list and refused them; plain text may still go.',
  },

  // ── No usable HTTP answer.
  {
    match: { transport: 'not-sent' },
    kind: 'retryable',
    retryAfterMs: SECOND,
    reason: 'Twilio could not be reached; the message was not sent and will be retried.',
    note: 'Connection refused, DNS failure, connect timeout, TLS failure: the request never left.',
  },
  {
    match: { transport: 'maybe-sent' },
    kind: 'outcome-unknown',
    operation: 'message',
    reason: 'The call to Twilio timed out or was cut off; the message may or may not have been sent.',
    note: 'Timeout, connection reset or socket hang-up after the request may have left: never resend.',
  },
  {
    match: { transport: 'maybe-sent' },
    kind: 'retryable',
    retryAfterMs: SECOND,
    operation: 'content',
    reason: "The call to Twilio's Content API timed out or was cut off; it will be retried.",
    note: 'Creating Content twice is harmless.',
  },
  {
    match: { transport: 'unreadable-success' },
    kind: 'outcome-unknown',
    operation: 'message',
    reason: 'Twilio accepted the request but its answer could not be read; the message may have been sent.',
    note: 'A 2xx without a readable message SID: wait for the status callback.',
  },
  {
    match: { transport: 'unreadable-success' },
    kind: 'retryable',
    retryAfterMs: SECOND,
    operation: 'content',
    reason: "Twilio's Content API answer could not be read; it will be retried.",
    note: 'An unreadable 2xx from the Content API: create the content again.',
  },
];

export interface ClassifyContext {
  /** @default 'message' */
  operation?: TwilioOperation;
  /** What was being sent; decides between `content-rejected` and `permanent` for some codes. */
  content?: ContentClass;
  /** Clock for HTTP-date `Retry-After` values. @default new Date() */
  now?: Date;
}


function appliesTo(row: TwilioErrorRow, operation: TwilioOperation): boolean {
  return row.operation === undefined || row.operation === operation;
}

function findRow(predicate: (match: TwilioErrorMatch) => boolean, operation: TwilioOperation): TwilioErrorRow | undefined {
  return TWILIO_ERROR_TABLE.find((row) => appliesTo(row, operation) && predicate(row.match));
}

function codeRow(code: string, operation: TwilioOperation): TwilioErrorRow | undefined {
  return findRow((match) => 'code' in match && match.code === code, operation);
}

function kindOf(row: TwilioErrorRow, content: ContentClass | undefined): SendFailureKind {
  return kindForContent(row, content);
}

/**
 * A code reported with a `failed`/`undelivered` status is a definite outcome: the message is dead,
 * so even a code that is `outcome-unknown` as a REST answer (20500) can safely be retried.
 */
function definiteKindOf(row: TwilioErrorRow, content: ContentClass | undefined): SendFailureKind {
  return definiteKind(kindOf(row, content));
}

/**
 * The kind of an asynchronous failure (a `failed`/`undelivered` status callback's `ErrorCode`).
 * Unknown codes are permanent: the message is already lost and we know no reason to try again.
 * Never `outcome-unknown`: a callback is a definite outcome.
 *
 * @example
 * twilioFailureKind('63016');                 // 'window-closed'
 * twilioFailureKind('63021', 'interactive');  // 'content-rejected'
 * twilioFailureKind('63021');                 // 'permanent'
 */
export function twilioFailureKind(code: string, content?: ContentClass): SendFailureKind {
  const row = codeRow(code.trim(), 'message');
  return row ? definiteKindOf(row, content) : 'permanent';
}

/**
 * Kind, reason and backoff for a Twilio error code, for the status-callback path (which needs the
 * readable reason as well as the kind). Unknown codes are permanent with a generic reason.
 * @example twilioErrorFor('63014').reason // 'The customer has blocked this business on WhatsApp.'
 */
export function twilioErrorFor(
  code: string,
  content?: ContentClass,
): { kind: SendFailureKind; reason: string; retryAfterMs?: number } {
  const row = codeRow(code.trim(), 'message');
  if (!row) return { kind: 'permanent', reason: `WhatsApp delivery failed (Twilio error ${code.trim()}).` };
  const kind = definiteKindOf(row, content);
  return kind === 'retryable' ? { kind, reason: row.reason, retryAfterMs: row.retryAfterMs ?? 30 * SECOND } : { kind, reason: row.reason };
}

/** Twilio's error `code` from a REST error body (`{code, message, more_info, status}`), as a string. */
export function twilioErrorCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const code = (body as { code?: unknown }).code;
  if (typeof code === 'number' && Number.isFinite(code)) return String(code);
  if (typeof code === 'string' && /^\d+$/.test(code.trim())) return code.trim();
  return undefined;
}

function build(
  row: TwilioErrorRow,
  code: string,
  context: ClassifyContext,
  extra: { retryAfterMs?: number; httpStatus?: number; cause?: unknown },
): SendFailedError {
  const kind = kindOf(row, context.content);
  const floor = row.retryAfterMs;
  const retryAfterMs =
    kind !== 'retryable'
      ? undefined
      : extra.retryAfterMs === undefined
        ? floor
        : Math.max(extra.retryAfterMs, floor ?? 0);
  return new SendFailedError(kind, code, row.reason, {
    ...(row.credentialsRejected && { credentialsRejected: true }),
    ...(retryAfterMs !== undefined && { retryAfterMs }),
    ...(extra.httpStatus !== undefined && { httpStatus: extra.httpStatus }),
    ...(extra.cause !== undefined && { cause: extra.cause }),
  });
}

/**
 * Classifies a non-2xx answer from Twilio. The body's Twilio `code` decides when the table knows
 * it; otherwise the HTTP status. `Retry-After` (seconds or HTTP-date) raises `retryAfterMs` of a
 * retryable answer above the row's own minimum.
 *
 * @param body the parsed JSON body (or anything: unreadable bodies classify by status alone).
 * @example
 * classifyTwilioHttpError(429, { code: 20429 }, new Headers({ 'retry-after': '7' }));
 * // SendFailedError { kind: 'retryable', code: '20429', options: { retryAfterMs: 7000, httpStatus: 429 } }
 * classifyTwilioHttpError(400, { code: 63016 }, {});
 * // SendFailedError { kind: 'window-closed', code: '63016' }
 */
export function classifyTwilioHttpError(
  status: number,
  body: unknown,
  headers?: HeadersLike,
  context: ClassifyContext = {},
): SendFailedError {
  const operation = context.operation ?? 'message';
  const code = twilioErrorCode(body);
  const range = status >= 500 ? '5xx' : '4xx';
  const row =
    (code !== undefined ? codeRow(code, operation) : undefined) ??
    findRow((match) => 'httpStatus' in match && match.httpStatus === status, operation) ??
    findRow((match) => 'httpStatusRange' in match && match.httpStatusRange === range, operation);
  // Every operation has a 4xx and a 5xx row; a 1xx/3xx lands on the 4xx row through `range`.
  const retryAfterMs = parseRetryAfter(headerValue(headers, 'retry-after'), context.now);
  return build(row!, code ?? `HTTP_${status}`, context, { retryAfterMs, httpStatus: status });
}

/**
 * Classifies a `fetch` that threw instead of answering. Only errors that prove the request never
 * left (refused, DNS, connect timeout, TLS) are retryable; a timeout or reset may have come after
 * Twilio received it, so for a message it is `outcome-unknown`.
 *
 * @example
 * classifyTwilioTransportError(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }));
 * // kind 'retryable', code 'ECONNREFUSED'
 * classifyTwilioTransportError(new DOMException('timed out', 'TimeoutError'));
 * // kind 'outcome-unknown', code 'TIMEOUT'
 */
export function classifyTwilioTransportError(error: unknown, context: ClassifyContext = {}): SendFailedError {
  const operation = context.operation ?? 'message';
  const { transport, code } = transportFailureOf(error);
  const row = findRow((match) => 'transport' in match && match.transport === transport, operation)!;
  return build(row, code, context, { cause: error });
}

/** A 2xx whose body is not what Twilio documents: it accepted something we cannot identify. */
export function unreadableSuccessError(status: number, context: ClassifyContext = {}, cause?: unknown): SendFailedError {
  const operation = context.operation ?? 'message';
  const row = findRow((match) => 'transport' in match && match.transport === 'unreadable-success', operation)!;
  return build(row, 'UNREADABLE_RESPONSE', context, { httpStatus: status, cause });
}

/** The row's match as a short label: `63016`, `HTTP 429`, `HTTP 5xx`, `network: not sent`. */
function matchLabel(match: TwilioErrorMatch): string {
  if ('code' in match) return match.code;
  if ('httpStatus' in match) return `HTTP ${match.httpStatus}`;
  if ('httpStatusRange' in match) return `HTTP ${match.httpStatusRange}`;
  return { 'not-sent': 'network: not sent', 'maybe-sent': 'timeout / reset', 'unreadable-success': 'unreadable 2xx' }[match.transport];
}

/**
 * `TWILIO_ERROR_TABLE` as a Markdown table, for the README and the closing note.
 * @example console.log(renderTwilioErrorTable());
 */
export function renderTwilioErrorTable(): string {
  const cell = markdownCell;
  const lines = [
    '| Twilio code / answer | API | Kind | Kind by content | Min. backoff | Reason |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of TWILIO_ERROR_TABLE) {
    const byContent = kindForCell(row);
    const backoff = formatBackoff(row.retryAfterMs);
    lines.push(
      `| ${cell(matchLabel(row.match))} | ${row.operation ?? 'both'} | ${row.kind} | ${cell(byContent)} | ${backoff} | ${cell(row.reason)} |`,
    );
  }
  return lines.join('\n');
}
