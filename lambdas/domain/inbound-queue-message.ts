import * as z from 'zod';
import { providerNameSchema } from './providers';

/**
 * What the webhook puts on the inbound FIFO queue for the AI Lambda. Versioned: consumers must
 * accept every version they know and send the rest to the DLQ.
 */
export const inboundQueueMessageSchema = z.object({
  version: z.literal(1),
  kind: z.literal('inbound.message'),
  businessId: z.string().min(1),
  connectionId: z.string().min(1),
  conversationId: z.string().min(1),
  messageId: z.string().min(1),
  provider: providerNameSchema,
  externalId: z.string().min(1),
  receivedAt: z.string().datetime(),
  customer: z.object({
    id: z.string().min(1),
    isPhoneNumber: z.boolean(),
    waId: z.string().optional(),
    /** WhatsApp's business-scoped user id (BSUID), when the BSP gives one: additive, still version 1. */
    userId: z.string().optional(),
    profileName: z.string().optional(),
  }),
  /**
   * The inbound content. Media types carry `media: [{ kind, contentType, url?, id?, sha256?,
   * filename? }]` as the BSP described them. What the AI Lambda hands the responder adds, per media
   * item (additive, still version 1): `mirrorStatus` (`pending`, `stored`, `too-large`, `refused`,
   * `failed`), and once stored `url` (a presigned link to our copy, replacing the BSP's link, which
   * needs our credentials), `urlExpiresAt`, `size` and `sha256`; `mirrorReason` says why it is not stored.
   */
  content: z.record(z.string(), z.unknown()).and(z.object({ type: z.string() })),
  replyToExternalId: z.string().optional(),
});

export type InboundQueueMessage = z.infer<typeof inboundQueueMessageSchema>;
