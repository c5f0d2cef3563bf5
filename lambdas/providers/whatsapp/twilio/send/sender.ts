import * as z from 'zod';
import type { SendableContent, SendFailureKind, SendRequest, SendResult, SentLookup, SentLookupResult, WhatsAppSender } from '../../provider';
import { parseTwilioCredentials, type TwilioCredentials } from '../credentials';
import { SendFailedError } from '../../../../shared/errors';
import { TwilioContentApi } from './content-api';
import type { ContentCache } from './content-cache';
import { interactiveContentDefinition } from './content';
import { contentClassOf, twilioErrorFor, twilioFailureKind } from './errors';
import { callTwilio, joinUrl, type TwilioHttpDeps } from './http';

export interface TwilioSenderDeps {
  fetch: typeof fetch;
  contentCache: ContentCache;
  /** `https://api.twilio.com` in production; the simulator's URL locally. */
  apiBaseUrl: string;
  /** `https://content.twilio.com` in production. */
  contentBaseUrl: string;
  /** Budget for each Twilio call; a timeout after the request left is `outcome-unknown`. */
  timeoutMs: number;
  now?: () => Date;
  /** Told about content-cache failures, which never fail a send. @default ignored */
  onCacheError?: (operation: 'get' | 'put', error: unknown) => void;
}

/** What a 201 from `Messages.json` must carry for us to know the message. */
const createdMessageSchema = z.object({
  sid: z.string().regex(/^(SM|MM)[0-9a-zA-Z]+$/),
  status: z.string().min(1),
  error_code: z.union([z.number(), z.string()]).nullish(),
});

/** Statuses that mean Twilio created the message already dead; no callback follows the initial status. */
const FAILED_AT_CREATION: ReadonlySet<string> = new Set(['failed', 'undelivered', 'canceled']);

const listedMessageSchema = z.object({
  sid: z.string().min(1),
  status: z.string().min(1),
  direction: z.string().nullish(),
  body: z.string().nullish(),
  date_created: z.string().nullish(),
});
const messageListSchema = z.object({ messages: z.array(z.unknown()) });

/**
 * Twilio's `date_created` has whole seconds, and its clock is not ours: a message created just
 * after our attempt may read up to this much earlier.
 */
const LOOKUP_CLOCK_SKEW_MS = 60_000;
/** One page is enough: a conversation sends one message at a time, so few can follow the attempt. */
const LOOKUP_PAGE_SIZE = 50;

/** Twilio's channel address for WhatsApp: `whatsapp:+E164` or `whatsapp:<business-scoped user id>`. */
function whatsappAddress(value: string): string {
  return value.startsWith('whatsapp:') ? value : `whatsapp:${value}`;
}

/**
 * Sends WhatsApp messages through Twilio's Messages API.
 *
 * - text: `Body`; image: `MediaUrl` (+ `Body` as caption);
 * - buttons and lists: a Content resource (`twilio/quick-reply`, `twilio/list-picker`) created once
 *   per distinct content and account, cached by its hash, then sent by `ContentSid`;
 * - templates: `ContentSid` (+ `ContentVariables`, a JSON string), never `Body`/`MediaUrl`.
 *
 * Every failure is a classified `SendFailedError` (see `TWILIO_ERROR_TABLE`).
 *
 * @example
 * const sender = new TwilioSender({ fetch, contentCache, apiBaseUrl: 'https://api.twilio.com',
 *   contentBaseUrl: 'https://content.twilio.com', timeoutMs: 10_000 });
 * const { externalId } = await sender.send({ credentials, from: '+14155238886', to: '+5215512345678',
 *   content: { type: 'text', text: 'Hola' }, statusCallbackUrl, messageId });
 */
type TwilioSendRequest = Omit<SendRequest, 'credentials'> & { credentials: TwilioCredentials };

/** A secret that is not Twilio's can never send: a permanent failure of this message, not a crash of the batch. */
function credentialsForSend(request: SendRequest): TwilioCredentials {
  try {
    return parseTwilioCredentials(request.credentials);
  } catch (error) {
    throw new SendFailedError('permanent', 'INVALID_CREDENTIALS', "The connection's stored Twilio credentials are unreadable; save the connection again.", { cause: error });
  }
}

export class TwilioSender implements WhatsAppSender {
  readonly maxTextLength = 1600;
  private readonly http: TwilioHttpDeps;
  private readonly contentApi: TwilioContentApi;

  constructor(private readonly deps: TwilioSenderDeps) {
    this.http = { fetch: deps.fetch, timeoutMs: deps.timeoutMs, now: deps.now };
    this.contentApi = new TwilioContentApi({ ...this.http, contentBaseUrl: deps.contentBaseUrl });
  }

  async send(sendRequest: SendRequest): Promise<SendResult> {
    const request = { ...sendRequest, credentials: credentialsForSend(sendRequest) };
    const { content, credentials } = request;
    if (content.type !== 'buttons' && content.type !== 'list') {
      return this.createMessage(request, contentFields(content));
    }

    const definition = interactiveContentDefinition(content);
    const cached = await this.cachedSid(credentials.accountSid, definition.hash);
    const contentSid = cached ?? (await this.createContent(credentials, definition));
    try {
      return await this.createMessage(request, [['ContentSid', contentSid]]);
    } catch (error) {
      // A cached Content SID whose content was deleted in Twilio (21655): Twilio refused the
      // message, so nothing went out; create the content afresh and send once more.
      if (!(cached && error instanceof SendFailedError && error.code === '21655')) throw error;
      const fresh = await this.createContent(credentials, definition);
      return this.createMessage(request, [['ContentSid', fresh]]);
    }
  }

  /** A cache failure is a miss: creating the content again is harmless, failing the send is not. */
  private async cachedSid(accountSid: string, hash: string): Promise<string | undefined> {
    try {
      return await this.deps.contentCache.get(accountSid, hash);
    } catch (error) {
      this.deps.onCacheError?.('get', error);
      return undefined;
    }
  }

  private async createContent(
    credentials: TwilioCredentials,
    definition: ReturnType<typeof interactiveContentDefinition>,
  ): Promise<string> {
    const { sid } = await this.contentApi.createContent(credentials, {
      friendlyName: definition.friendlyName,
      language: definition.language,
      variables: {},
      types: definition.types,
    });
    try {
      await this.deps.contentCache.put(credentials.accountSid, definition.hash, sid);
    } catch (error) {
      this.deps.onCacheError?.('put', error);
    }
    return sid;
  }

  /**
   * Finds a send whose answer was lost in Twilio's message list: the messages from our number to
   * the customer, newest first. Ours is the oldest one created since the attempt (less the clock
   * skew) whose SID is not already one of our messages, with the same body when we sent plain text
   * (Twilio renders Content templates, so their body is not ours to compare). Twilio creates the
   * Message resource before it answers the POST, so a message that is not listed was not created.
   * @example
   * await sender.findSent({ credentials, from, to: '+5215512345678', content: { type: 'text', text: 'Hola' }, since, isKnown })
   * // { outcome: 'found', sent: { externalId: 'SM…', providerStatus: 'sent' } }
   */
  async findSent(lookup: SentLookup): Promise<SentLookupResult> {
    const credentials = parseTwilioCredentials(lookup.credentials);
    const query = new URLSearchParams([
      ['From', whatsappAddress(lookup.from.displayNumber)],
      ['To', whatsappAddress(lookup.to)],
      ['PageSize', String(LOOKUP_PAGE_SIZE)],
    ]);
    const answer = await callTwilio(this.http, {
      method: 'GET',
      url: joinUrl(this.deps.apiBaseUrl, `/2010-04-01/Accounts/${encodeURIComponent(credentials.accountSid)}/Messages.json?${query.toString()}`),
      credentials,
      context: { operation: 'content' },
    });
    const page = messageListSchema.safeParse(answer.body);
    if (!page.success) return { outcome: 'unknown' };
    const after = lookup.since.getTime() - LOOKUP_CLOCK_SKEW_MS;
    const expectedBody = lookup.content?.type === 'text' ? lookup.content.text : undefined;
    let reachedOlder = false;
    const candidates: Array<{ sid: string; status: string; createdAt: number }> = [];
    for (const raw of page.data.messages) {
      const listed = listedMessageSchema.safeParse(raw);
      if (!listed.success) continue;
      const createdAt = Date.parse(listed.data.date_created ?? '');
      if (Number.isNaN(createdAt)) continue;
      if (createdAt < after) {
        reachedOlder = true;
        continue;
      }
      if (!(listed.data.direction ?? '').startsWith('outbound')) continue;
      if (expectedBody !== undefined && listed.data.body !== expectedBody) continue;
      candidates.push({ sid: listed.data.sid, status: listed.data.status, createdAt });
    }
    candidates.sort((a, b) => a.createdAt - b.createdAt);
    for (const candidate of candidates) {
      if (await lookup.isKnown(candidate.sid)) continue;
      return { outcome: 'found', sent: { externalId: candidate.sid, providerStatus: candidate.status } };
    }
    const complete = reachedOlder || page.data.messages.length < LOOKUP_PAGE_SIZE;
    return complete ? { outcome: 'not-sent' } : { outcome: 'unknown' };
  }

  /** See {@link twilioFailureKind}: the same table classifies failures that arrive later on a status callback. */
  failureKindOf(code: string, sentContentType: SendableContent['type']): SendFailureKind {
    return twilioFailureKind(code, contentClassOf(sentContentType));
  }

  private async createMessage(request: TwilioSendRequest, fields: Array<[string, string]>): Promise<SendResult> {
    const form = new URLSearchParams([
      ['To', whatsappAddress(request.to)],
      ['From', whatsappAddress(request.from.displayNumber)],
      ...fields,
      ['StatusCallback', request.statusCallbackUrl],
    ]);
    const content = contentClassOf(request.content);
    const answer = await callTwilio(this.http, {
      method: 'POST',
      url: joinUrl(this.deps.apiBaseUrl, `/2010-04-01/Accounts/${encodeURIComponent(request.credentials.accountSid)}/Messages.json`),
      credentials: request.credentials,
      form,
      context: { operation: 'message', content },
    });

    const parsed = createdMessageSchema.safeParse(answer.body);
    if (!parsed.success) {
      throw new SendFailedError(
        'outcome-unknown',
        'UNREADABLE_RESPONSE',
        'Twilio accepted the request but its answer carried no message SID; the message may have been sent.',
        { httpStatus: answer.status, cause: parsed.error },
      );
    }
    const { sid, status, error_code: errorCode } = parsed.data;
    if (FAILED_AT_CREATION.has(status.toLowerCase())) {
      // Twilio sends no callback for the initial status: report the failure now or it is never seen.
      const code = errorCode === null || errorCode === undefined ? `STATUS_${status.toUpperCase()}` : String(errorCode);
      const known = twilioErrorFor(code, content);
      throw new SendFailedError(known.kind, code, known.reason, {
        httpStatus: answer.status,
        ...(known.retryAfterMs !== undefined && { retryAfterMs: known.retryAfterMs }),
      });
    }
    return { externalId: sid, providerStatus: status };
  }
}

/** The form fields of non-interactive content (Messages API parameters, twilio-node 6). */
function contentFields(content: Exclude<SendableContent, { type: 'buttons' | 'list' }>): Array<[string, string]> {
  switch (content.type) {
    case 'text':
      return [['Body', content.text]];
    case 'image':
      return content.caption ? [['MediaUrl', content.url], ['Body', content.caption]] : [['MediaUrl', content.url]];
    case 'template': {
      const fields: Array<[string, string]> = [['ContentSid', content.providerTemplateId]];
      // A JSON *string*; left out without variables (the template's defaults apply).
      if (content.variables && Object.keys(content.variables).length > 0) {
        fields.push(['ContentVariables', JSON.stringify(content.variables)]);
      }
      return fields;
    }
  }
}
