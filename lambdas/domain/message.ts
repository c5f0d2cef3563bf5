/**
 * The provider-neutral shape of WhatsApp messages. Nothing here knows a BSP's field names:
 * providers translate their payloads into these types (see `lambdas/providers/whatsapp`).
 */

import type { ProviderName } from './providers';

export type { ProviderName } from './providers';

/** One attachment of an inbound message, as the BSP describes it (not downloaded). */
export interface MediaRef {
  /**
   * Where the BSP serves the file: Twilio's `MediaUrl{N}` (needs the account's credentials), or the
   * Cloud API's short-lived `url` when the webhook carries one. Absent when only `id` is given.
   */
  url?: string;
  /** The Cloud API's media id (`GET /{media-id}` resolves it to a download URL; expires after 7 days). */
  id?: string;
  /** MIME type the BSP reported, e.g. `image/jpeg`, `audio/ogg`, `text/vcard`. */
  contentType: string;
  /** What WhatsApp kind this attachment is, derived from its content type. */
  kind: MediaKind;
  /** The BSP's sha256 of the file (Cloud API), to verify a download against. */
  sha256?: string;
  /** A document's file name, as the customer sent it. */
  filename?: string;
  /**
   * Our copy of the file in the media bucket, written by the media step after the message is
   * stored (absent until it first ran). See `lambdas/domain/media/mirror.ts`.
   */
  mirror?: MediaMirror;
}

/**
 * Where a media item's copy stands: `pending` (not fetched yet, or a retry is due: `reason` says
 * why), `stored` (in our bucket under `key`), `too-large` (over the kind's cap), `refused` (a URL
 * or host we do not fetch from, a type that does not match the bytes, a checksum that does not
 * match) or `failed` (the BSP could not serve it; retries exhausted). Only `pending` ever changes.
 */
export type MediaMirrorStatus = 'pending' | 'stored' | 'too-large' | 'refused' | 'failed';

export interface MediaMirror {
  status: MediaMirrorStatus;
  /** S3 key: `<businessId>/<connectionId>/<conversationId>/<messageId>/<index>`. */
  key?: string;
  /** The type the file was stored with (the declared one, checked against its bytes). */
  contentType?: string;
  /** Bytes. */
  size?: number;
  /** Hex SHA-256 of the bytes we stored. */
  sha256?: string;
  /** Why it is not `stored` (`circuit-open`, `content-type-mismatch:png`, `over-5242880-bytes`, …). */
  reason?: string;
  /** Attempts made so far. */
  attempts?: number;
  /** When the status was written, ISO 8601. */
  at: string;
}

/** A contact card a customer shared (Cloud API `contacts` messages). */
export interface ContactCard {
  name: string;
  phones: Array<{ phone: string; waId?: string; type?: string }>;
  emails?: string[];
  organization?: string;
}

export type MediaKind = 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker' | 'contacts';

/** What a customer sent. `unsupported` keeps the raw fields so nothing is ever dropped. */
export type InboundContent =
  | { type: 'text'; text: string }
  /** `cards` on `contacts`: the shared cards, when the BSP parses them (Cloud API); Twilio sends a vCard file. */
  | { type: MediaKind; media: MediaRef[]; caption?: string; cards?: ContactCard[] }
  | { type: 'location'; latitude: number; longitude: number; address?: string; label?: string; url?: string }
  /** A tap on a reply button, a template quick-reply button (`source: 'template'`), or a list row. */
  | { type: 'button_reply'; id: string; title: string; source?: 'interactive' | 'template' }
  | { type: 'list_reply'; id: string; title: string; description?: string }
  /** `emoji` is empty and `removed` true when the customer took a reaction back. */
  | { type: 'reaction'; emoji: string; targetExternalId?: string; removed?: boolean }
  /** A WhatsApp Flow's answer: `responseJson` as the BSP gave it (a JSON string). */
  | { type: 'flow_reply'; name?: string; body?: string; responseJson: string }
  | {
      type: 'order';
      catalogId: string;
      text?: string;
      items: Array<{ productRetailerId: string; quantity: number; itemPrice: number; currency: string }>;
    }
  /** WhatsApp's own notices, e.g. the customer changed their number (`newWaId`). */
  | { type: 'system'; systemType: string; body: string; newWaId?: string }
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
  /** WhatsApp's business-scoped user id (BSUID, `US.1349…`) when the BSP gives one; kept beside `waId`. */
  userId?: string;
  /** The customer's WhatsApp username, when they chose one. */
  username?: string;
  profileName?: string;
}

/** An inbound message as every provider reports it. */
export interface InboundMessage {
  provider: ProviderName;
  /** The BSP's id for this message (Twilio `MessageSid`): the idempotency key of ingestion. */
  externalId: string;
  /** The BSP account that sent the webhook (Twilio `AccountSid`; Cloud API: the WABA id). */
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
  /** When the customer sent it, by the BSP's clock (Cloud API `timestamp`), ISO 8601. */
  sentAt?: string;
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
  /** When the BSP saw the status (Cloud API `timestamp`), ISO 8601. */
  at?: string;
  /** The pricing category the BSP reported (Cloud API `pricing.category`: `utility`, `service`, …). */
  pricingCategory?: string;
  /** The business-scoped id of the recipient, when the BSP gives one. */
  recipientUserId?: string;
}
