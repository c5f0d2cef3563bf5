import type { InboundMessage, ProviderName, StatusUpdate } from '../../domain/message';

/**
 * A webhook request exactly as it reached us, with the pieces a BSP signature is computed over.
 * Handlers build it from the API Gateway event; providers never see the event itself.
 */
export interface WebhookRequest {
  /** The public URL the BSP called, byte for byte as it called it (scheme, host, path, raw query). */
  url: string;
  /** Header names lower-cased. */
  headers: Record<string, string | undefined>;
  /** The raw body, decoded from base64 if API Gateway encoded it. */
  rawBody: string;
}

/** The secret part of a connection, as stored in Secrets Manager. */
export interface ProviderCredentials {
  /** Twilio Account SID (`AC…`). */
  accountSid: string;
  /** Twilio Auth Token: signs webhooks and authenticates REST calls. Never logged. */
  authToken: string;
}

/**
 * One BSP. Implementations live in one folder each; nothing outside them knows a BSP's field names.
 * Parsing methods throw `MalformedRequestError` for bodies they cannot read.
 */
export interface WhatsAppProvider {
  readonly name: ProviderName;
  /** Parse the webhook body into fields. Throws `MalformedRequestError` if it is not a valid form/JSON body. */
  parseFields(request: WebhookRequest): Record<string, string>;
  /** True when the request carries a valid signature made with these credentials. */
  verifySignature(request: WebhookRequest, fields: Record<string, string>, credentials: ProviderCredentials): boolean;
  /** Normalise an incoming-message webhook. */
  parseInbound(fields: Record<string, string>): InboundMessage;
  /** Normalise a delivery-status callback. */
  parseStatus(fields: Record<string, string>): StatusUpdate;
}

/**
 * Content ready for the BSP: the outbound contract's content with templates resolved to the
 * BSP's own template id (Twilio: the `HX…` Content SID) and long texts already split.
 */
export type SendableContent =
  | { type: 'text'; text: string }
  | { type: 'image'; url: string; caption?: string }
  | { type: 'buttons'; body: string; buttons: Array<{ id: string; title: string }> }
  | { type: 'list'; body: string; button: string; rows: Array<{ id: string; title: string; description?: string }> }
  | { type: 'template'; providerTemplateId: string; variables?: Record<string, string> };

export interface SendRequest {
  credentials: ProviderCredentials;
  /** The connection (business) number, E.164. */
  from: string;
  /** The customer: E.164 number or business-scoped user id. */
  to: string;
  content: SendableContent;
  /** Where the BSP posts delivery statuses; carries our message key (`?c=…&m=…`). */
  statusCallbackUrl: string;
  /** Our message id, for the BSP's idempotency where it has one. */
  messageId: string;
}

export interface SendResult {
  /** The BSP's id for the message (Twilio `SM…`). */
  externalId: string;
  /** The BSP's status word at acceptance (`queued`, `accepted`, …). */
  providerStatus: string;
}

/**
 * Why a send failed, as the send Lambda must act on it:
 * - `retryable`: the BSP certainly did not accept the message; try again after `retryAfterMs`.
 * - `permanent`: it will fail again; mark the message failed with `code` and `reason`.
 * - `window-closed`: outside the 24-hour window (Twilio 63016): only a template may go.
 * - `content-rejected`: the rich content itself was refused; plain text may still go.
 * - `outcome-unknown`: the request may have reached the BSP (timeout after sending): never resend.
 */
export type SendFailureKind = 'retryable' | 'permanent' | 'window-closed' | 'content-rejected' | 'outcome-unknown';

export interface WhatsAppSender {
  /** The longest text one message may carry on this BSP (Twilio: 1600). */
  readonly maxTextLength: number;
  /** Sends one message. Throws `SendFailedError` (classified) on failure. */
  send(request: SendRequest): Promise<SendResult>;
}

/** One check of a connection test: passed or not, with the BSP's (or our) code and a sentence. */
export interface ConnectionCheck {
  ok: boolean;
  /** The BSP's error code (`20003`) or ours (`SENDER_NOT_FOUND`); absent on success. */
  code?: string;
  /** A sentence the business reads; never a secret, never a full customer number. */
  detail: string;
}

/**
 * Checks a business's BSP credentials before the connection is marked verified. Each method
 * resolves with the check's verdict; it throws `BspUnavailableError` only when the BSP could not
 * give one (unreachable, 5xx, rate limited), so that "wrong credentials" and "try again later" stay
 * apart.
 */
export interface ConnectionTester {
  /** The account exists, the credentials authenticate, and the account is active. */
  checkCredentials(credentials: ProviderCredentials): Promise<ConnectionCheck>;
  /** `number` (E.164) is a WhatsApp sender of this account and able to send. */
  checkSender(credentials: ProviderCredentials, number: string): Promise<ConnectionCheck>;
  /** Sends a short text from `from` to `to`; ok when the BSP accepted it. */
  sendTestMessage(credentials: ProviderCredentials, from: string, to: string, text: string): Promise<ConnectionCheck>;
}
