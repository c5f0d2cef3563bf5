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
  content: z.record(z.string(), z.unknown()).and(z.object({ type: z.string() })),
  replyToExternalId: z.string().optional(),
});

export type InboundQueueMessage = z.infer<typeof inboundQueueMessageSchema>;
