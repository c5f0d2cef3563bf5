/**
 * The ports between the pipeline and a BSP. The domain owns them; each provider folder under
 * `lambdas/providers/whatsapp/<bsp>/` implements them, and nothing outside a provider's folder knows
 * its field names, its payload shapes or what its credentials hold.
 */
import type { CoexistenceEvent } from './coexistence';
import type { Connection } from './connection';
import { SAFE_ID } from './ids';
import type { InboundMessage, StatusUpdate } from './message';
import type { ProviderName } from './providers';

/**
 * A connection's BSP credentials as stored in its secret. Opaque to the domain: only the provider
 * that owns the connection parses them (each with its own zod schema) and knows what they hold.
 */
export type ProviderCredentials = Readonly<Record<string, unknown>>;

/** Which webhook path a request came in on. */
export type WebhookRoute = 'inbound' | 'status' | 'fallback';

/**
 * A webhook request exactly as it reached us, with the pieces a BSP signature is computed over.
 * Handlers build it from the API Gateway event; providers never see the event itself.
 */
export interface WebhookRequest {
  /** `GET` (a verification handshake) or `POST`. */
  method: string;
  route: WebhookRoute;
  /** The public URL the BSP called, byte for byte as it called it (scheme, host, path, raw query). */
  url: string;
  /** Decoded query parameters (`hub.challenge`, Twilio's `c`/`m`). */
  query: Record<string, string | undefined>;
  /** Header names lower-cased. */
  headers: Record<string, string | undefined>;
  /** The raw body, decoded from base64 if API Gateway encoded it: signatures are over these bytes. */
  rawBody: string;
}

/** Our key for an outbound message: what a status finds its message by. */
export interface MessageKey {
  conversationId: string;
  messageId: string;
}

/**
 * Our message key as the opaque string a BSP echoes on every status (Cloud API
 * `biz_opaque_callback_data`, ≤ 512 characters): `<conversationId>.<messageId>`.
 * @example encodeMessageKey({ conversationId: 'cv_01J', messageId: '01J' }) // 'cv_01J.01J'
 */
export function encodeMessageKey(key: MessageKey): string {
  return `${key.conversationId}.${key.messageId}`;
}

/** The key {@link encodeMessageKey} wrote, or undefined for anything else (never trust an echo blindly). */
export function decodeMessageKey(data: string | undefined): MessageKey | undefined {
  if (!data) return undefined;
  const [conversationId, messageId, ...rest] = data.split('.');
  if (rest.length > 0 || !conversationId || !messageId || !SAFE_ID.test(conversationId) || !SAFE_ID.test(messageId)) return undefined;
  return { conversationId, messageId };
}

/** What a webhook request carried, one event per update. */
export type WebhookEvent =
  | { kind: 'inbound'; message: InboundMessage }
  /**
   * A delivery status. `key` is our message key when the BSP echoed it (Twilio's callback URL,
   * Cloud API's `biz_opaque_callback_data`); without it the status is matched by the BSP's id.
   */
  | { kind: 'status'; update: StatusUpdate; key?: MessageKey }
  /**
   * Anything else the BSP told us (errors about the number, account updates, unknown fields):
   * counted and logged, never dropped silently and never a reason to make the BSP retry.
   */
  | { kind: 'other'; type: string; detail?: Record<string, string | number | boolean> }
  /** Meta's coexistence fields (owner's messages from the app, history, contacts, partner removed): see `coexistence.ts`. */
  | { kind: 'coexistence'; event: CoexistenceEvent };

/** The HTTP answer a BSP expects. */
export interface WebhookAck {
  statusCode: number;
  contentType: string;
  body: string;
}

/**
 * One BSP's webhook: an optional handshake, authentication of the raw request, and a parse into a
 * list of events. The handler calls, in this order: `readBody` (400 when unreadable), the
 * connection lookup, `authenticate` (403), `parse` (events, or 403 when they are addressed to
 * another number or account), then stores every event and answers `acknowledge()`.
 */
export interface WebhookCodec<Body = unknown> {
  readonly provider: ProviderName;
  /** Larger bodies are refused with 413 before anything is parsed. */
  readonly maxBodyBytes: number;
  /**
   * Answers a `GET` verification handshake (Meta's `hub.challenge`) with these credentials, or
   * returns undefined when the request is not a valid handshake (answered 403, nothing written).
   * Absent on BSPs without one.
   */
  handshake?(request: WebhookRequest, credentials: ProviderCredentials): WebhookAck | undefined;
  /** Reads the body into the codec's own shape. Throws `MalformedRequestError` for bodies it cannot read. */
  readBody(request: WebhookRequest): Body;
  /** True when the raw request was made by the BSP for a connection with these credentials. */
  authenticate(request: WebhookRequest, body: Body, credentials: ProviderCredentials): boolean;
  /**
   * The events the request carries, in the order the BSP listed them. Throws `ForbiddenError` when
   * the payload is addressed to another number or account than the connection's, and
   * `MalformedRequestError` when it is not a payload of this BSP.
   */
  parse(request: WebhookRequest, body: Body, connection: Connection, credentials: ProviderCredentials): WebhookEvent[];
  /** The answer once every event is stored (TwiML for Twilio, an empty 200 for Cloud API shapes). */
  acknowledge(): WebhookAck;
}

/**
 * Content ready for the BSP: the outbound contract's content with templates resolved to the
 * BSP's own template id and long texts already split.
 */
export type SendableContent =
  | { type: 'text'; text: string }
  | { type: 'image'; url: string; caption?: string }
  | { type: 'buttons'; body: string; buttons: Array<{ id: string; title: string }> }
  | { type: 'list'; body: string; button: string; rows: Array<{ id: string; title: string; description?: string }> }
  /**
   * `providerTemplateId`: Twilio's Content SID `HX…`; the template's name on Cloud API shapes.
   * `language`: the WhatsApp language code the template was approved in (`es_MX`).
   * `variables`: numbered (`{ "1": "Ana" }`) body variables.
   */
  | { type: 'template'; providerTemplateId: string; language?: string; variables?: Record<string, string> };

/** The number a message is sent from, as each BSP addresses it. */
export interface SenderNumber {
  /** E.164 business number. */
  displayNumber: string;
  /** What the BSP identifies the number by (Meta's `phone_number_id`); absent where the number itself is used. */
  providerNumberId?: string;
}

export interface SendRequest {
  credentials: ProviderCredentials;
  /** The connection (business) number. */
  from: SenderNumber;
  /** The customer: E.164 number or business-scoped user id. */
  to: string;
  content: SendableContent;
  /** Where the BSP posts delivery statuses, when the BSP takes a per-message URL (Twilio); carries our message key. */
  statusCallbackUrl: string;
  /**
   * Our message key as an opaque string, for BSPs that echo one on every status
   * (Cloud API `biz_opaque_callback_data`). See `encodeMessageKey`.
   */
  callbackData: string;
  /** Our message id, for the BSP's idempotency where it has one. */
  messageId: string;
}

export interface SendResult {
  /** The BSP's id for the message (Twilio `SM…`, Cloud API `wamid.…`). */
  externalId: string;
  /** The BSP's status word at acceptance (`queued`, `accepted`, …). */
  providerStatus: string;
}

/**
 * Why a send failed, as the send Lambda must act on it:
 * - `retryable`: the BSP certainly did not accept the message; try again after `retryAfterMs`.
 * - `permanent`: it will fail again; mark the message failed with `code` and `reason`.
 * - `window-closed`: outside the 24-hour window (Twilio 63016, Meta 131047): only a template may go.
 * - `content-rejected`: the rich content itself was refused; plain text may still go.
 * - `outcome-unknown`: the request may have reached the BSP (timeout after sending): never resend.
 */
export type SendFailureKind = 'retryable' | 'permanent' | 'window-closed' | 'content-rejected' | 'outcome-unknown';

/** The content classes a BSP's error table may treat differently. */
export type ContentClass = 'text' | 'media' | 'interactive' | 'template';

export interface WhatsAppSender {
  /** The longest text one message may carry on this BSP (Twilio: 1600; Cloud API: 4096). */
  readonly maxTextLength: number;
  /** Sends one message. Throws `SendFailedError` (classified) on failure. */
  send(request: SendRequest): Promise<SendResult>;
  /**
   * Marks a customer's message read and shows "typing…" (Cloud API). Best effort: the caller
   * ignores its failures. Absent on BSPs without it.
   */
  markRead?(credentials: ProviderCredentials, from: SenderNumber, externalId: string): Promise<void>;
  /**
   * How a failure code that arrives later, on a status, must be acted on (the same table as
   * `send`'s failures): only `window-closed` and `content-rejected` lead to a fallback.
   */
  failureKindOf(code: string, sentContentType: SendableContent['type']): SendFailureKind;
  /**
   * Asks the BSP whether a send whose answer was lost went out (Twilio: its message list). Absent
   * on BSPs without such a lookup (Cloud API): their status webhook, which carries our key, is the
   * only proof. Throws when the BSP cannot be asked now.
   */
  findSent?(lookup: SentLookup): Promise<SentLookupResult>;
}

/** A send whose outcome is unknown, as the BSP's message list can recognise it. */
export interface SentLookup {
  credentials: ProviderCredentials;
  from: SenderNumber;
  to: string;
  /** What was sent, when it can still be told (a list may compare its text). */
  content?: SendableContent;
  /** When the uncertain attempt started: the message, if it exists, was created after this. */
  since: Date;
  /**
   * Whether a BSP id already belongs to one of our messages (accepted earlier): such a message is
   * never taken for this one, even when it looks the same.
   */
  isKnown(externalId: string): Promise<boolean>;
}

/**
 * - `found`: the BSP has the message (its id and status now);
 * - `not-sent`: the list covers the whole time since the attempt and holds no such message;
 * - `unknown`: the list could not prove either (too many messages to read).
 */
export type SentLookupResult = { outcome: 'found'; sent: SendResult } | { outcome: 'not-sent' } | { outcome: 'unknown' };

/** One check of a connection test: passed or not, with the BSP's (or our) code and a sentence. */
export interface ConnectionCheck {
  ok: boolean;
  /** The BSP's error code (`20003`, `190`) or ours (`SENDER_NOT_FOUND`); absent on success. */
  code?: string;
  /** A sentence the business reads; never a secret, never a full customer number. */
  detail: string;
  /** The BSP refused the credentials themselves (Twilio 20003, Meta 190, 360dialog 401): the connection needs attention. */
  credentialsRejected?: boolean;
  /**
   * What the check learnt about the number, shown on the settings page (Meta: the display number,
   * verified name and quality rating read with the token).
   */
  facts?: { displayNumber?: string; verifiedName?: string; qualityRating?: string };
}

/** The connection being tested, as the tester needs to know it. */
export interface TestTarget {
  connectionId: string;
  number: SenderNumber;
  /** The BSP's account id when it has one the number must belong to (Meta's WABA id). */
  providerAccountId?: string;
  /** The webhook URL the BSP must call for this connection (360dialog registers it; Meta must be subscribed). */
  webhookUrl: string;
}

/**
 * Checks a business's BSP credentials before the connection is marked verified. Each method
 * resolves with the check's verdict; it throws `BspUnavailableError` only when the BSP could not
 * give one (unreachable, 5xx, rate limited), so that "wrong credentials" and "try again later" stay
 * apart.
 */
export interface ConnectionTester {
  /** The credentials authenticate and can reach the number (Meta: the token can read the phone number). */
  checkCredentials(credentials: ProviderCredentials, target: TestTarget): Promise<ConnectionCheck>;
  /**
   * The number can send and its webhook reaches us (Twilio: a WhatsApp sender of the account;
   * Meta: our app is subscribed to the WABA; 360dialog: the webhook is registered to our URL with
   * our header, registering it when it is not).
   */
  checkSender(credentials: ProviderCredentials, target: TestTarget): Promise<ConnectionCheck>;
  /** Sends a short text to `to`; ok when the BSP accepted it. */
  sendTestMessage(credentials: ProviderCredentials, target: TestTarget, to: string, text: string): Promise<ConnectionCheck>;
  /**
   * Run when a connection is saved, before it is used: 360dialog registers our webhook URL and
   * secret header (a new API key invalidates the old registration). Absent elsewhere.
   */
  onSaved?(credentials: ProviderCredentials, target: TestTarget): Promise<ConnectionCheck>;
}

/** A media file of an inbound message, as a provider downloads it (the media issue builds on this). */
export interface MediaDownload {
  contentType: string;
  /** The bytes, streamed; the fetcher enforces the size cap while reading. */
  body: AsyncIterable<Uint8Array>;
  /** The provider's sha256 of the file, hex, where it gives one. */
  sha256?: string;
}

/** Downloads inbound media with the provider's own authentication, only from its own media hosts. */
export interface MediaFetcher {
  fetch(credentials: ProviderCredentials, reference: { url?: string; id?: string }, maxBytes: number): Promise<MediaDownload>;
}
