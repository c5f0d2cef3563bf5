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
