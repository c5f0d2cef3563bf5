import * as z from 'zod';

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
  provider: z.literal('twilio'),
  externalId: z.string().min(1),
  receivedAt: z.string().datetime(),
  customer: z.object({
    id: z.string().min(1),
    isPhoneNumber: z.boolean(),
    waId: z.string().optional(),
    profileName: z.string().optional(),
  }),
  content: z.record(z.string(), z.unknown()).and(z.object({ type: z.string() })),
  replyToExternalId: z.string().optional(),
});

export type InboundQueueMessage = z.infer<typeof inboundQueueMessageSchema>;
