/**
 * The provider-neutral shape of WhatsApp messages. Nothing here knows a BSP's field names:
 * providers translate their payloads into these types (see `lambdas/providers/whatsapp`).
 */

/** Which BSP a connection uses. Only Twilio is built so far. */
export type ProviderName = 'twilio';

/** One attachment of an inbound message, as the BSP describes it (not downloaded). */
export interface MediaRef {
  /** Where the BSP serves the file. For Twilio it needs the account's credentials to fetch. */
  url: string;
  /** MIME type the BSP reported, e.g. `image/jpeg`, `audio/ogg`, `text/vcard`. */
  contentType: string;
  /** What WhatsApp kind this attachment is, derived from its content type. */
  kind: MediaKind;
}

export type MediaKind = 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker' | 'contacts';

/** What a customer sent. `unsupported` keeps the raw fields so nothing is ever dropped. */
export type InboundContent =
  | { type: 'text'; text: string }
  | { type: MediaKind; media: MediaRef[]; caption?: string }
  | { type: 'location'; latitude: number; longitude: number; address?: string; label?: string }
  | { type: 'button_reply'; id: string; title: string }
  | { type: 'list_reply'; id: string; title: string; description?: string }
  | { type: 'reaction'; emoji: string; targetExternalId?: string }
  | { type: 'unsupported'; reason: string; raw: Record<string, string> };

export type InboundContentType = InboundContent['type'];

/**
 * Who wrote. `id` is what identifies the customer to the BSP: an E.164 number (`+5215512345678`)
 * or, for WhatsApp username users without a visible number, a business-scoped user id.
 */
export interface Customer {
  id: string;
  /** True when `id` is an E.164 phone number. */
  isPhoneNumber: boolean;
  /** WhatsApp id (digits, no `+`) when the BSP gives one. */
  waId?: string;
  profileName?: string;
}

/** An inbound message as every provider reports it. */
export interface InboundMessage {
  provider: ProviderName;
  /** The BSP's id for this message (Twilio `MessageSid`): the idempotency key of ingestion. */
  externalId: string;
  /** The BSP account that sent the webhook (Twilio `AccountSid`). */
  accountId: string;
  /** The business number the customer wrote to, E.164. */
  to: string;
  customer: Customer;
  content: InboundContent;
  /** The BSP id of the message this one replies to, if any. */
  replyToExternalId?: string;
  forwarded?: boolean;
  /** Click-to-WhatsApp ad referral fields, if any, as the BSP gave them. */
  referral?: Record<string, string>;
}

/** Delivery states of an outbound message, in the order they may move. */
export type DeliveryStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered';

/** A delivery-status callback, normalised. */
export interface StatusUpdate {
  provider: ProviderName;
  externalId: string;
  accountId: string;
  status: DeliveryStatus;
  /** The BSP's own status word, kept for audit (`sending`, `accepted`, …). */
  providerStatus: string;
  errorCode?: string;
  errorMessage?: string;
}
