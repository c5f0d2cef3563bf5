import * as z from 'zod';

/**
 * The outbound message contract: what Echo services (and the AI Lambda, and the admin API) put on
 * the outbound FIFO queue. Versioned: a consumer accepts every version it knows; a field changes
 * meaning only with a new version. Published as JSON Schema in `schemas/outbound-message.v1.json`.
 *
 * WhatsApp's limits are enforced here, at the edge, so a producer learns at once what WhatsApp
 * would reject later.
 */

/** WhatsApp limits on interactive messages (Twilio Content API and Meta agree on these). */
export const WHATSAPP_LIMITS = {
  buttons: { max: 3, titleMax: 20, idMax: 200, bodyMax: 1024 },
  list: { rowsMax: 10, rowTitleMax: 24, rowDescriptionMax: 72, rowIdMax: 200, buttonMax: 20, bodyMax: 1024 },
  captionMax: 1024,
  /** What we accept in one outbound text; the send Lambda splits it into provider-sized parts. */
  textMax: 16_384,
} as const;

const nonEmpty = (max: number) => z.string().trim().min(1).max(max);

export const templateRefSchema = z.object({
  /** Name in the business's template registry (e.g. `reengagement`). */
  name: nonEmpty(128),
  /** BCP 47 / WhatsApp language code, e.g. `es_MX`, `pt_BR`, `en`. */
  language: nonEmpty(16),
  /** Values for the template's numbered variables: `{ "1": "Ana" }`. */
  variables: z.record(z.string().regex(/^[0-9]{1,2}$/), z.string().max(1024)).optional(),
});

export const outboundContentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: nonEmpty(WHATSAPP_LIMITS.textMax) }),
  z.object({
    type: z.literal('image'),
    /** Public HTTPS URL the BSP fetches (use presigned URLs valid for several minutes). */
    url: z.url({ protocol: /^https$/ }),
    caption: z.string().max(WHATSAPP_LIMITS.captionMax).optional(),
  }),
  z.object({
    type: z.literal('buttons'),
    body: nonEmpty(WHATSAPP_LIMITS.buttons.bodyMax),
    buttons: z
      .array(z.object({ id: nonEmpty(WHATSAPP_LIMITS.buttons.idMax), title: nonEmpty(WHATSAPP_LIMITS.buttons.titleMax) }))
      .min(1)
      .max(WHATSAPP_LIMITS.buttons.max),
  }),
  z.object({
    type: z.literal('list'),
    body: nonEmpty(WHATSAPP_LIMITS.list.bodyMax),
    /** The label of the button that opens the list. */
    button: nonEmpty(WHATSAPP_LIMITS.list.buttonMax),
    rows: z
      .array(
        z.object({
          id: nonEmpty(WHATSAPP_LIMITS.list.rowIdMax),
          title: nonEmpty(WHATSAPP_LIMITS.list.rowTitleMax),
          description: z.string().max(WHATSAPP_LIMITS.list.rowDescriptionMax).optional(),
        }),
      )
      .min(1)
      .max(WHATSAPP_LIMITS.list.rowsMax),
  }),
  z.object({ type: z.literal('template'), template: templateRefSchema }),
]);

export const outboundMessageSchema = z
  .object({
    version: z.literal(1),
    businessId: nonEmpty(128),
    /** Which of the business's connections sends; defaults to its active one. */
    connectionId: nonEmpty(128).optional(),
    /** An existing conversation, or… */
    conversationId: z.string().regex(/^cv_[0-9A-Z]{26}$/).optional(),
    /** …the customer: E.164 number or business-scoped WhatsApp user id (with `connectionId` or the default connection). */
    to: nonEmpty(64).optional(),
    /** Unique per logical message for the producer: the same key is never sent twice. */
    idempotencyKey: z.string().min(1).max(128).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
    content: outboundContentSchema,
    /** Plain text to send instead when the rich content is rejected by the BSP. */
    fallbackText: z.string().max(WHATSAPP_LIMITS.textMax).optional(),
    /** Approved template to send instead when the 24-hour window is closed. */
    fallbackTemplate: templateRefSchema.optional(),
    /** Opaque to us; returned on events about this message. */
    metadata: z.record(z.string(), z.string().max(256)).optional(),
  })
  .refine((m) => (m.conversationId === undefined) !== (m.to === undefined), {
    message: 'give exactly one of conversationId or to',
    path: ['conversationId'],
  });

export type OutboundMessage = z.infer<typeof outboundMessageSchema>;
export type OutboundContent = z.infer<typeof outboundContentSchema>;
export type TemplateRef = z.infer<typeof templateRefSchema>;
