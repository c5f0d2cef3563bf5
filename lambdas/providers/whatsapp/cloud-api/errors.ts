import type { ContentClass, SendableContent, SendFailureKind } from '../provider';
import { SendFailedError } from '../../../shared/errors';
import { contentClassOf, definiteKind, FALLBACK_TO_TEXT, kindForCell, kindForContent, markdownCell, type ErrorTableRow } from '../error-table';
import { formatBackoff, headerValue, parseRetryAfter, transportFailureOf, type HeadersLike, type TransportFailure } from '../http-failure';

export { contentClassOf } from '../error-table';

/**
 * How the send Lambda must treat every failure of a Cloud API call (Meta directly, or 360dialog,
 * which forwards Meta's answers and adds a few of its own), as two tables.
 *
 * Sources: Meta's error-code page (developers.facebook.com/documentation/business-messaging/
 * whatsapp/support/error-codes, "META-ERRORS" in `shared/CLOUD_API.md` §5), its throughput page
 * (§5), courier's classification (nyaruka/courier `handlers/meta/whatsapp/api.go`: throttling codes
 * 4, 80007, 130429, 131048, 131056 and retryable 131053; everything else permanent) and 360dialog's
 * error list (docs.360dialog.com/docs/support/api-error-message-list, §7). A row marked "(docs)"
 * says what the provider documents; anything else is our reading, with the reason given.
 *
 * Decisions are made on Meta's numeric `code` (plus `error_data.details` for people), never on
 * titles: Meta says titles "will eventually be deprecated" (§4). As for Twilio, the one rule above
 * all others: retry only when the message was certainly not accepted. A Cloud API 200 means
 * "accepted"; a 5xx without a code, a timeout or a reset may come after Meta created the message,
 * so they are `outcome-unknown` and the status webhook (which echoes our key) settles them.
 */

/** Which Cloud API provider answered; 360dialog adds rows of its own on top of Meta's. */
export type CloudApiProvider = 'meta' | '360dialog';

export type CloudApiErrorMatch =
  /** Meta's error code: `error.code` in a REST answer, `errors[].code` on a failed status. */
  | { code: number }
  /** A block of codes Meta documents together (templates: 132000–132999). */
  | { codeRange: { from: number; to: number } }
  /** An HTTP status, when the body carries no code with a row of its own. */
  | { httpStatus: number }
  | { httpStatusRange: '4xx' | '5xx' }
  /** No usable HTTP answer (see `http-failure.ts`). */
  | { transport: TransportFailure }
  /**
   * 360dialog's own refusals, which carry no Meta code: the HTTP status and, where 360dialog
   * uses one status for several causes, a pattern of its message. `code` is the code we report.
   */
  | { dialog360: { httpStatus: number; message?: RegExp; code: string } };

export interface CloudApiErrorRow extends ErrorTableRow<CloudApiErrorMatch> {
  /**
   * The kind when the HTTP status proves the request was not processed (any 4xx, or 503): Meta's
   * generic codes say nothing about whether the message was created, the status line does.
   */
  kindIfNotProcessed?: SendFailureKind;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;


/**
 * Meta's rows. Order matters only within one match type (first match wins); code rows are
 * consulted before status rows, status rows before range rows.
 */
export const META_ERROR_TABLE: readonly CloudApiErrorRow[] = [
  // ── The 24-hour window.
  {
    match: { code: 131047 },
    kind: 'window-closed',
    reason: "The customer's 24-hour window is closed; only an approved template can be sent.",
    note: '(docs) Re-engagement message: "More than 24 hours have passed since the recipient last replied." Send a template.',
  },

  // ── Throttling: Meta refused the message before accepting it. Retried with pacing.
  {
    match: { code: 130429 },
    kind: 'retryable',
    retryAfterMs: 2 * SECOND,
    reason: "The number's sending throughput was exceeded; the message will be retried.",
    note: '(docs) "Cloud API message throughput has been reached": 80 msg/s per number (20 in coexistence). courier: throttled.',
  },
  {
    match: { code: 131056 },
    kind: 'retryable',
    retryAfterMs: 10 * SECOND,
    reason: 'Too many messages were sent to this customer in a short time; the message will be retried.',
    note: '(docs) Pair rate limit, about 1 message per 6 s to one user [UNCONFIRMED figure]. courier: throttled.',
  },
  {
    match: { code: 80007 },
    kind: 'retryable',
    retryAfterMs: MINUTE,
    reason: 'The WhatsApp Business Account reached its rate limit; the message will be retried.',
    note: '(docs) "The WhatsApp Business Account has reached its rate limit." courier: throttled.',
  },
  {
    match: { code: 4 },
    kind: 'retryable',
    retryAfterMs: 5 * MINUTE,
    reason: "The Meta app's API call limit was reached; the message will be retried.",
    note: '(docs) "API Too Many Calls": app-level limit over a rolling hour, so the backoff starts at minutes. courier: throttled.',
  },
  {
    match: { code: 131048 },
    kind: 'retryable',
    retryAfterMs: 60 * MINUTE,
    reason: 'WhatsApp is limiting this number because many of its messages were blocked or reported; the message will be retried much later.',
    note: '(docs) Spam rate limit: "retry later (hours)", reduce volume, check the quality rating. courier: throttled. Long backoff.',
  },
  {
    match: { code: 131057 },
    kind: 'retryable',
    retryAfterMs: MINUTE,
    reason: 'The business number is in maintenance (a throughput upgrade); the message will be retried.',
    note: '(docs) "Account in maintenance mode": the automatic throughput upgrade makes the number unusable for up to a minute.',
  },
  {
    match: { code: 131053 },
    kind: 'retryable',
    retryAfterMs: 30 * SECOND,
    reason: 'WhatsApp could not fetch the media file; the message will be retried.',
    note:
      '(docs) Media upload error, usually Meta failing to download our `link`. courier retries it. Kept retryable for every ' +
      'content class: a media host that is briefly down recovers, and the retry budget on our record bounds the attempts.',
  },

  // ── Meta's generic errors: the status line says whether anything was processed.
  ...[131000, 1, 2, 131016].map(
    (code): CloudApiErrorRow => ({
      match: { code },
      kind: 'outcome-unknown',
      kindIfNotProcessed: 'retryable',
      retryAfterMs: 30 * SECOND,
      reason: 'WhatsApp reported a temporary error; the message may or may not have been sent.',
      note:
        `(docs) ${code === 131016 ? '"Service unavailable"' : code === 131000 ? '"Something went wrong"' : code === 1 ? '"API Unknown"' : '"API Service" (temporary downtime)'}. ` +
        'Retryable when the HTTP status proves the request was refused (4xx, 503); after a 500/502/504 the message may exist.',
    }),
  ),

  // ── Content rejected: rich content or media refused; plain text may still go.
  {
    match: { code: 131009 },
    kind: 'permanent',
    kindFor: FALLBACK_TO_TEXT,
    reason: 'WhatsApp rejected a value in the message as invalid.',
    note: '(docs) "Parameter value is not valid". For buttons, lists and images a plain-text retry drops the value WhatsApp refused.',
  },
  {
    match: { code: 131008 },
    kind: 'permanent',
    kindFor: FALLBACK_TO_TEXT,
    reason: 'The message lacks a value WhatsApp requires.',
    note: '(docs) "Required parameter is missing". Same reading as 131009.',
  },
  {
    match: { code: 100 },
    kind: 'permanent',
    kindFor: FALLBACK_TO_TEXT,
    reason: 'WhatsApp rejected the message as malformed.',
    note: '(docs) Graph "Invalid parameter". A rich message may be rebuilt as text; a plain text refused this way is our bug.',
  },
  {
    match: { code: 131051 },
    kind: 'permanent',
    kindFor: FALLBACK_TO_TEXT,
    reason: 'This kind of message is not supported by WhatsApp.',
    note: '(docs) "Unsupported message type". Mostly seen on inbound webhooks; on a send, text still goes.',
  },
  {
    match: { code: 131052 },
    kind: 'permanent',
    kindFor: { media: 'content-rejected' },
    reason: 'WhatsApp could not download the media file.',
    note: '(docs) "Media download error". Only media content can fall back (to its caption or the fallback text).',
  },

  // ── Templates (132000–132999): the template itself must be fixed.
  {
    match: { codeRange: { from: 132000, to: 132999 } },
    kind: 'permanent',
    reason: 'WhatsApp refused the template (missing, paused, disabled, or its parameters do not match).',
    note: '(docs) 132000 parameter count, 132001 does not exist, 132005 too long, 132007 policy, 132012 format, 132015 paused, 132016 disabled.',
  },

  // ── Permanent: the recipient.
  {
    match: { code: 131026 },
    kind: 'permanent',
    reason: 'The message could not be delivered: the customer may not use WhatsApp, or has an old app or has not accepted its terms.',
    note: '(docs) "Message undeliverable". No retry; Meta does not say which cause.',
  },
  {
    match: { code: 131050 },
    kind: 'permanent',
    reason: 'The customer has stopped marketing messages from this business.',
    note: '(docs) User opted out of marketing messages: respect it, never retry.',
  },
  {
    match: { code: 131049 },
    kind: 'permanent',
    reason: 'WhatsApp chose not to deliver this marketing message to keep engagement healthy.',
    note: '(docs) Per-user marketing limit. Meta suggests waiting hours or days [UNCONFIRMED], longer than our retry budget.',
  },
  {
    match: { code: 130472 },
    kind: 'permanent',
    reason: "WhatsApp does not deliver this message to this customer right now (Meta experiment).",
    note: "(docs) The user's number is part of an experiment.",
  },
  {
    match: { code: 131021 },
    kind: 'permanent',
    reason: 'The customer number is the business number itself.',
    note: '(docs) "Recipient cannot be sender".',
  },

  // ── Permanent: the business's account, number or credentials.
  {
    match: { code: 368 },
    kind: 'permanent',
    reason: "The business is temporarily blocked by WhatsApp for policy violations.",
    note: '(docs) "Temporarily blocked for policies violations" (HTTP 403). No retry; the owner must act in WhatsApp Manager.',
  },
  {
    match: { code: 131031 },
    kind: 'permanent',
    reason: 'The WhatsApp Business Account is locked.',
    note: '(docs) "Account has been locked". No retry; alert the owner.',
  },
  {
    match: { code: 130497 },
    kind: 'permanent',
    reason: "The business may not message customers in this customer's country.",
    note: '(docs) "Business account is restricted from messaging users in this country".',
  },
  {
    match: { code: 131042 },
    kind: 'permanent',
    reason: 'The WhatsApp Business Account has a payment problem.',
    note: '(docs) "Business eligibility payment issue": fix the payment method in Meta Business Manager.',
  },
  {
    match: { code: 133010 },
    kind: 'permanent',
    reason: 'The business number is not registered with the Cloud API.',
    note: '(docs) "Phone number not registered". Register the number (POST /{phone-number-id}/register).',
  },
  {
    match: { code: 190 },
    kind: 'permanent',
    credentialsRejected: true,
    reason: "Meta rejected the connection's access token (expired or revoked).",
    note: '(docs) OAuth "Access token has expired" / invalid (HTTP 401). No retry helps: replace the token.',
  },
  {
    match: { code: 10 },
    kind: 'permanent',
    credentialsRejected: true,
    reason: "The connection's access token lacks the permission to send WhatsApp messages.",
    note: '(docs) "Permission denied": the token needs whatsapp_business_messaging on this WABA. A new token fixes it.',
  },

  // ── HTTP statuses, when the code has no row of its own.
  {
    match: { httpStatus: 429 },
    kind: 'retryable',
    retryAfterMs: SECOND,
    reason: 'The API is rate limiting our requests; the message will be retried.',
    note: 'A 429 is refused before processing (courier: throttled). Retry-After is honoured when present.',
  },
  {
    match: { httpStatus: 401 },
    kind: 'permanent',
    credentialsRejected: true,
    reason: "The API rejected the connection's credentials.",
    note: 'Authentication failed without a code of its own.',
  },
  {
    match: { httpStatusRange: '5xx' },
    kind: 'outcome-unknown',
    reason: 'The API answered with a server error; the message may or may not have been sent.',
    note: 'A 5xx without a Meta code: the POST reached the API and may have created the message. Wait for its status.',
  },
  {
    match: { httpStatusRange: '4xx' },
    kind: 'permanent',
    reason: 'WhatsApp refused the message.',
    note: 'Any other 4xx: the same request fails the same way again.',
  },

  // ── No usable HTTP answer.
  {
    match: { transport: 'not-sent' },
    kind: 'retryable',
    retryAfterMs: SECOND,
    reason: 'The API could not be reached; the message was not sent and will be retried.',
    note: 'Connection refused, DNS failure, connect timeout, TLS failure: the request never left.',
  },
  {
    match: { transport: 'maybe-sent' },
    kind: 'outcome-unknown',
    reason: 'The call timed out or was cut off; the message may or may not have been sent.',
    note: 'Timeout, connection reset or socket hang-up after the request may have left: never resend.',
  },
  {
    match: { transport: 'unreadable-success' },
    kind: 'outcome-unknown',
    reason: 'The API accepted the request but its answer could not be read; the message may have been sent.',
    note: 'A 2xx without a readable message id: wait for the status webhook, which carries our key.',
  },
];

/**
 * 360dialog's own refusals (§7), consulted before Meta's status rows when 360dialog answered and
 * the body carries no Meta code. Everything else 360dialog forwards from Meta uses Meta's table.
 */
export const DIALOG360_ERROR_TABLE: readonly CloudApiErrorRow[] = [
  {
    match: { dialog360: { httpStatus: 401, code: 'D360_INVALID_API_KEY' } },
    kind: 'permanent',
    credentialsRejected: true,
    reason: '360dialog rejected the API key (revoked, or replaced by a newer key).',
    note: '(docs) 401 "Invalid api_key". Generating a new key revokes the old one: paste the new key.',
  },
  {
    match: { dialog360: { httpStatus: 403, message: /block/i, code: 'D360_ENDPOINT_BLOCKED' } },
    kind: 'permanent',
    reason: '360dialog has blocked this endpoint for the number.',
    note: '(docs) 403 "endpoint is blocked". Contact 360dialog; retrying does not lift it.',
  },
  {
    match: { dialog360: { httpStatus: 400, message: /rate.?limit/i, code: 'D360_ENDPOINT_RATE_LIMIT' } },
    kind: 'retryable',
    retryAfterMs: 30 * SECOND,
    reason: "360dialog's rate limit for this endpoint was reached; the message will be retried.",
    note: '(docs) 400 "endpoint rate limit": refused before processing, so retried with backoff.',
  },
  {
    match: { dialog360: { httpStatus: 400, message: /payment/i, code: 'D360_LACK_OF_PAYMENT' } },
    kind: 'permanent',
    reason: 'The 360dialog account has a payment problem.',
    note: '(docs) 400 "lack of payment": settle the 360dialog invoice; no retry helps.',
  },
];

export interface CloudApiClassifyContext {
  /** @default 'meta' */
  provider?: CloudApiProvider;
  /** What was being sent; decides between `content-rejected` and `permanent` for some codes. */
  content?: ContentClass;
  /** Clock for HTTP-date `Retry-After` values. @default new Date() */
  now?: Date;
}

/** A Cloud API call that did not give us a message id. */
export type CloudApiFailure =
  /** A non-2xx answer; `body` is the parsed JSON (or anything: unreadable bodies classify by status). */
  | { type: 'http'; status: number; body: unknown; headers?: HeadersLike; cause?: unknown }
  /** `fetch` threw. */
  | { type: 'transport'; error: unknown }
  /** A 2xx whose body did not carry what the API documents. */
  | { type: 'unreadable-success'; status: number; cause?: unknown };

/**
 * Meta's error `code` from a Graph error body (`{ error: { message, type, code, error_data, fbtrace_id } }`),
 * as a string of digits.
 * @example metaErrorCode({ error: { code: 131047 } }) // '131047'
 */
export function metaErrorCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number' && Number.isInteger(code)) return String(code);
  if (typeof code === 'string' && /^\d+$/.test(code.trim())) return code.trim();
  return undefined;
}

/** Every message-like string of a 360dialog error body, whatever its shape (`meta.developer_message`, `error`, `message`). */
function dialog360Messages(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const record = body as Record<string, unknown>;
  const pick = (value: unknown, key: string) =>
    typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[key] === 'string'
      ? ((value as Record<string, unknown>)[key] as string)
      : undefined;
  const errors = Array.isArray(record.errors) ? record.errors : [];
  return [
    pick(record.meta, 'developer_message'),
    typeof record.error === 'string' ? record.error : pick(record.error, 'message'),
    typeof record.message === 'string' ? record.message : undefined,
    typeof record.detail === 'string' ? record.detail : undefined,
    ...errors.flatMap((item) => [pick(item, 'title'), pick(item, 'details'), pick(item, 'message')]),
  ]
    .filter((text): text is string => text !== undefined)
    .join(' | ');
}

function codeMatches(match: CloudApiErrorMatch, code: number): boolean {
  if ('code' in match) return match.code === code;
  if ('codeRange' in match) return code >= match.codeRange.from && code <= match.codeRange.to;
  return false;
}

function codeRow(code: string): CloudApiErrorRow | undefined {
  if (!/^\d+$/.test(code)) return undefined;
  const numeric = Number(code);
  return META_ERROR_TABLE.find((row) => codeMatches(row.match, numeric));
}

function dialog360Row(status: number, body: unknown): CloudApiErrorRow | undefined {
  const messages = dialog360Messages(body);
  return DIALOG360_ERROR_TABLE.find((row) => {
    if (!('dialog360' in row.match)) return false;
    const { httpStatus, message } = row.match.dialog360;
    return httpStatus === status && (message === undefined || message.test(messages));
  });
}

function findMetaRow(predicate: (match: CloudApiErrorMatch) => boolean): CloudApiErrorRow | undefined {
  return META_ERROR_TABLE.find((row) => predicate(row.match));
}

/** The HTTP status proves the request was refused before anything was created. */
function notProcessed(status: number | undefined): boolean {
  return status !== undefined && ((status >= 400 && status < 500) || status === 503);
}

function kindOf(row: CloudApiErrorRow, content: ContentClass | undefined, httpStatus?: number): SendFailureKind {
  if (row.kindIfNotProcessed && notProcessed(httpStatus)) return row.kindIfNotProcessed;
  return kindForContent(row, content);
}

/**
 * A code reported on a `failed` status is a definite outcome: the message is dead, so even a code
 * that is `outcome-unknown` as a REST answer (131000) can safely be retried.
 */
function definiteKindOf(row: CloudApiErrorRow, content: ContentClass | undefined): SendFailureKind {
  return definiteKind(kindOf(row, content));
}

function build(
  row: CloudApiErrorRow,
  code: string,
  reason: string,
  context: CloudApiClassifyContext,
  extra: { retryAfterMs?: number; httpStatus?: number; cause?: unknown },
): SendFailedError {
  const kind = kindOf(row, context.content, extra.httpStatus);
  const floor = row.retryAfterMs;
  const retryAfterMs =
    kind !== 'retryable' ? undefined : extra.retryAfterMs === undefined ? floor : Math.max(extra.retryAfterMs, floor ?? 0);
  return new SendFailedError(kind, code, reason, {
    ...(row.credentialsRejected && { credentialsRejected: true }),
    ...(retryAfterMs !== undefined && { retryAfterMs }),
    ...(extra.httpStatus !== undefined && { httpStatus: extra.httpStatus }),
    ...(extra.cause !== undefined && { cause: extra.cause }),
  });
}

/**
 * Classifies a Cloud API call that did not give us a message id, as the send Lambda must act on
 * it. For an HTTP answer the body's Meta `code` decides when the table knows it; then 360dialog's
 * own rows (when 360dialog answered); then the HTTP status. `Retry-After` (seconds or HTTP-date)
 * raises `retryAfterMs` of a retryable answer above the row's own minimum.
 *
 * @example
 * classifyCloudApiFailure({ type: 'http', status: 400, body: { error: { code: 131047 } } });
 * // SendFailedError { kind: 'window-closed', code: '131047' }
 * classifyCloudApiFailure({ type: 'http', status: 400, body: { error: { code: 131009 } } }, { content: 'interactive' });
 * // SendFailedError { kind: 'content-rejected', code: '131009' }
 * classifyCloudApiFailure({ type: 'transport', error: new DOMException('t', 'TimeoutError') });
 * // SendFailedError { kind: 'outcome-unknown', code: 'TIMEOUT' }
 */
export function classifyCloudApiFailure(failure: CloudApiFailure, context: CloudApiClassifyContext = {}): SendFailedError {
  if (failure.type === 'transport') {
    const { transport, code } = transportFailureOf(failure.error);
    const row = findMetaRow((match) => 'transport' in match && match.transport === transport)!;
    return build(row, code, row.reason, context, { cause: failure.error });
  }
  if (failure.type === 'unreadable-success') {
    const row = findMetaRow((match) => 'transport' in match && match.transport === 'unreadable-success')!;
    return build(row, 'UNREADABLE_RESPONSE', row.reason, context, { httpStatus: failure.status, cause: failure.cause });
  }

  const { status, body } = failure;
  const retryAfterMs = parseRetryAfter(headerValue(failure.headers, 'retry-after'), context.now);
  const extra = { retryAfterMs, httpStatus: status, cause: failure.cause };
  const code = metaErrorCode(body);
  const byCode = code === undefined ? undefined : codeRow(code);
  if (byCode) return build(byCode, code!, byCode.reason, context, extra);

  if (context.provider === '360dialog' && code === undefined) {
    const own = dialog360Row(status, body);
    if (own && 'dialog360' in own.match) return build(own, own.match.dialog360.code, own.reason, context, extra);
  }

  const range = status >= 500 ? '5xx' : '4xx';
  // Every answer lands on a row: a 1xx/3xx falls to the 4xx row through `range`.
  const row =
    findMetaRow((match) => 'httpStatus' in match && match.httpStatus === status) ??
    findMetaRow((match) => 'httpStatusRange' in match && match.httpStatusRange === range)!;
  // An unknown Meta code keeps its number in the reason, so the business can look it up.
  const reason = code === undefined ? row.reason : `${row.reason.replace(/\.$/, '')} (Meta error ${code}).`;
  return build(row, code ?? `HTTP_${status}`, reason, context, extra);
}

/**
 * How a Meta error code that arrived on a `failed` status must be acted on; implements
 * `WhatsAppSender.failureKindOf` for Meta and 360dialog. Unknown codes are permanent: the message
 * is already lost and we know no reason to try again. Never `outcome-unknown`: a status is final.
 *
 * @example
 * cloudApiFailureKind('131047', 'text');     // 'window-closed'
 * cloudApiFailureKind('131009', 'buttons');  // 'content-rejected'
 * cloudApiFailureKind('131000', 'text');     // 'retryable'
 */
export function cloudApiFailureKind(code: string, sentContentType: SendableContent['type']): SendFailureKind {
  const row = codeRow(code.trim());
  return row ? definiteKindOf(row, contentClassOf(sentContentType)) : 'permanent';
}

/**
 * Kind, reason and backoff for a Meta error code on a `failed` status (the status path needs the
 * readable reason as well as the kind). Unknown codes are permanent with a generic reason.
 * @example cloudApiErrorFor('131050').reason // 'The customer has stopped marketing messages from this business.'
 */
export function cloudApiErrorFor(code: string, content?: ContentClass): { kind: SendFailureKind; reason: string; retryAfterMs?: number } {
  const row = codeRow(code.trim());
  if (!row) return { kind: 'permanent', reason: `WhatsApp delivery failed (Meta error ${code.trim()}).` };
  const kind = definiteKindOf(row, content);
  return kind === 'retryable' ? { kind, reason: row.reason, retryAfterMs: row.retryAfterMs ?? 30 * SECOND } : { kind, reason: row.reason };
}

/** The code the senders report when a connection's secret lacks a field (nothing was sent). */
export const CREDENTIALS_INVALID = 'CREDENTIALS_INVALID';

/**
 * The codes whose rows say the credentials were refused (`190`, `10`, `HTTP_401`,
 * `D360_INVALID_API_KEY`), and a secret we could not even read.
 */
const CREDENTIAL_CODES: ReadonlySet<string> = new Set([
  CREDENTIALS_INVALID,
  ...[...META_ERROR_TABLE, ...DIALOG360_ERROR_TABLE]
    .filter((row) => row.credentialsRejected)
    .map((row) => {
      const match = row.match;
      if ('code' in match) return String(match.code);
      if ('httpStatus' in match) return `HTTP_${match.httpStatus}`;
      if ('dialog360' in match) return match.dialog360.code;
      return '';
    })
    .filter((code) => code !== ''),
]);

/**
 * True when the failure means the connection's credentials were refused, so that the caller can
 * flag the connection instead of failing message after message.
 * @example credentialsRejected(new SendFailedError('permanent', '190', 'x')) // true
 */
export function credentialsRejected(error: SendFailedError | string): boolean {
  return CREDENTIAL_CODES.has(typeof error === 'string' ? error : error.code);
}

/** The row's match as a short label: `131047`, `132000–132999`, `HTTP 429`, `network: not sent`. */
function matchLabel(match: CloudApiErrorMatch): string {
  if ('code' in match) return String(match.code);
  if ('codeRange' in match) return `${match.codeRange.from}–${match.codeRange.to}`;
  if ('httpStatus' in match) return `HTTP ${match.httpStatus}`;
  if ('httpStatusRange' in match) return `HTTP ${match.httpStatusRange}`;
  if ('dialog360' in match) {
    const { httpStatus, message, code } = match.dialog360;
    return `HTTP ${httpStatus}${message ? ` ~ /${message.source}/` : ''} → ${code}`;
  }
  return { 'not-sent': 'network: not sent', 'maybe-sent': 'timeout / reset', 'unreadable-success': 'unreadable 2xx' }[match.transport];
}

function renderRows(rows: readonly CloudApiErrorRow[], firstColumn: string): string {
  const cell = markdownCell;
  const lines = [
    `| ${firstColumn} | Kind | Kind by content | Min. backoff | Credentials | Reason | Source / why |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    const byContent = [
      ...(row.kindIfNotProcessed ? [`4xx/503: ${row.kindIfNotProcessed}`] : []),
      ...(row.kindFor ? [kindForCell(row)] : []),
    ].join(', ');
    lines.push(
      `| ${cell(matchLabel(row.match))} | ${row.kind} | ${cell(byContent)} | ${formatBackoff(row.retryAfterMs)} | ` +
        `${row.credentialsRejected ? 'rejected' : ''} | ${cell(row.reason)} | ${cell(row.note)} |`,
    );
  }
  return lines.join('\n');
}

/**
 * `META_ERROR_TABLE` as a Markdown table, for the README.
 * @example console.log(renderMetaErrorTable());
 */
export function renderMetaErrorTable(): string {
  return renderRows(META_ERROR_TABLE, 'Meta code / answer');
}

/**
 * `DIALOG360_ERROR_TABLE` as a Markdown table, for the README; 360dialog's answers that carry a
 * Meta code use the Meta table.
 * @example console.log(renderDialog360ErrorTable());
 */
export function renderDialog360ErrorTable(): string {
  return renderRows(DIALOG360_ERROR_TABLE, '360dialog answer');
}
