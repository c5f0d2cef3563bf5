import * as z from 'zod';
import { forbiddenHostReason } from '../../shared/forbidden-address';

/**
 * The outbound message contract: what Echo services (and the AI Lambda, and the admin API) put on
 * the outbound FIFO queue. Versioned: a consumer accepts every version it knows; a field changes
 * meaning only with a new version. Published as JSON Schema in `schemas/outbound-message.v1.json`
 * (`npm run schemas` regenerates it; a unit test fails when the committed file drifts).
 *
 * WhatsApp's limits are enforced here, at the edge, so a producer learns at once what WhatsApp
 * would reject later. Lengths count characters as a person (and WhatsApp) does: one per Unicode
 * code point, so an emoji counts once, not as its two UTF-16 units. JSON Schema's `maxLength`
 * counts code points too, so the published schema and this validation agree.
 */

/** WhatsApp limits on interactive messages (Twilio Content API and Meta agree on these). */
export const WHATSAPP_LIMITS = {
  buttons: { max: 3, titleMax: 20, idMax: 200, bodyMax: 1024 },
  list: { rowsMax: 10, rowTitleMax: 24, rowDescriptionMax: 72, rowIdMax: 200, buttonMax: 20, bodyMax: 1024 },
  captionMax: 1024,
  /** What we accept in one outbound text; the send Lambda splits it into provider-sized parts. */
  textMax: 16_384,
} as const;

/**
 * The shape of the ids `newMessageId` makes (ULID layout, Crockford base32): what the optional
 * `messageId` field must look like, so a producer cannot smuggle keys or URLs into it.
 */
export const MESSAGE_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Why an https URL may not be handed to a BSP, judged without DNS (the BSP resolves it, not us):
 * userinfo, or a host that is an IP literal outside the public internet (decimal, hex and octal
 * IPv4 spellings included: WHATWG URL normalises them) or a name that can only be local.
 * @example publicUrlProblem('https://169.254.169.254/latest/meta-data/') // 'metadata'
 */
export function publicUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not-a-url';
  }
  if (parsed.username || parsed.password) return 'userinfo';
  return forbiddenHostReason(parsed.hostname);
}

/** The contract's current version; `version` on every message. */
export const OUTBOUND_CONTRACT_VERSION = 1;

/**
 * Length as WhatsApp counts it: Unicode code points (an emoji outside the BMP counts once).
 * @example whatsappLength('Sí 👍') // 4
 */
export function whatsappLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/**
 * A string a customer reads: at most `max` characters counted by code point, optionally trimmed
 * and required non-empty. Published with `maxLength` (code points in JSON Schema as well).
 */
function visibleText(max: number, options: { required?: boolean; description?: string } = {}) {
  const base = options.required ? z.string().trim().min(1) : z.string();
  return base
    .check((ctx) => {
      const length = whatsappLength(ctx.value);
      if (length > max) {
        ctx.issues.push({
          code: 'too_big',
          origin: 'string',
          maximum: max,
          inclusive: true,
          input: ctx.value,
          message: `Too long: at most ${max} characters, got ${length}`,
        });
      }
    })
    .meta({ maxLength: max, ...(options.description !== undefined && { description: options.description }) });
}

/** An identifier-like string (ids, names): counted in UTF-16 units, never shown to the customer. */
const identifier = (max: number, description?: string) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .meta(description !== undefined ? { description } : {});

export const templateRefSchema = z
  .object({
    name: identifier(128, "Name in the business's template registry, e.g. `reengagement`."),
    language: identifier(16, 'WhatsApp language code, e.g. `es_MX`, `pt_BR`, `en`.'),
    variables: z
      .record(z.string().regex(/^[0-9]{1,2}$/), visibleText(1024))
      .optional()
      .meta({ description: 'Values of the template\'s numbered variables: `{ "1": "Ana" }`.' }),
  })
  .meta({ description: 'An approved WhatsApp template from the business\'s registry.' });

export const outboundContentSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('text'),
      text: visibleText(WHATSAPP_LIMITS.textMax, {
        required: true,
        description: 'Plain text. Longer than the BSP allows in one message (Twilio: 1600) it is sent as ordered parts.',
      }),
    })
    .meta({ title: 'Text' }),
  z
    .object({
      type: z.literal('image'),
      url: z
        .url({ protocol: /^https$/ })
        .check((ctx) => {
          // The BSP fetches the URL from its own network, but a URL naming our own or a private
          // network (metadata service, loopback) is never a customer's image: refused at the edge.
          const reason = publicUrlProblem(ctx.value);
          if (reason) ctx.issues.push({ code: 'custom', input: ctx.value, message: `The image URL must name a public host (${reason})` });
        })
        .meta({
          pattern: '^https://',
          description:
            'Public HTTPS URL the BSP fetches (use presigned URLs valid for several minutes; images ≤ 5 MB). ' +
            'No userinfo, and no loopback, private, link-local or metadata host.',
        }),
      caption: visibleText(WHATSAPP_LIMITS.captionMax).optional(),
    })
    .meta({ title: 'Image' }),
  z
    .object({
      type: z.literal('buttons'),
      body: visibleText(WHATSAPP_LIMITS.buttons.bodyMax, { required: true }),
      buttons: z
        .array(
          z.object({
            id: identifier(WHATSAPP_LIMITS.buttons.idMax, 'Returned to us when the customer taps the button.'),
            title: visibleText(WHATSAPP_LIMITS.buttons.titleMax, { required: true }),
          }),
        )
        .min(1)
        .max(WHATSAPP_LIMITS.buttons.max),
    })
    .meta({ title: 'Reply buttons' }),
  z
    .object({
      type: z.literal('list'),
      body: visibleText(WHATSAPP_LIMITS.list.bodyMax, { required: true }),
      button: visibleText(WHATSAPP_LIMITS.list.buttonMax, { required: true, description: 'The label of the button that opens the list.' }),
      rows: z
        .array(
          z.object({
            id: identifier(WHATSAPP_LIMITS.list.rowIdMax, 'Returned to us when the customer picks the row.'),
            title: visibleText(WHATSAPP_LIMITS.list.rowTitleMax, { required: true }),
            description: visibleText(WHATSAPP_LIMITS.list.rowDescriptionMax).optional(),
          }),
        )
        .min(1)
        .max(WHATSAPP_LIMITS.list.rowsMax),
    })
    .meta({ title: 'List' }),
  z.object({ type: z.literal('template'), template: templateRefSchema }).meta({ title: 'Template' }),
]);

export const outboundMessageSchema = z
  .object({
    version: z.literal(OUTBOUND_CONTRACT_VERSION),
    businessId: identifier(128),
    connectionId: identifier(128, "Which of the business's connections sends; defaults to its only active one.").optional(),
    conversationId: z
      .string()
      .regex(/^cv_[0-9A-Z]{26}$/)
      .optional()
      .meta({ description: 'An existing conversation (give this or `to`).' }),
    to: identifier(64, 'The customer: E.164 number or business-scoped WhatsApp user id (give this or `conversationId`).').optional(),
    idempotencyKey: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
      .meta({ description: 'Unique per logical message for the producer: the same key is never sent twice.' }),
    messageId: z
      .string()
      .regex(MESSAGE_ID_PATTERN)
      .optional()
      .meta({
        description:
          'Our message id for the recorded message (the first part when a long text is split), when the producer needs to know it before the send Lambda records the message (the admin API). A time-ordered id (26 Crockford base32 characters); omitted, the send Lambda assigns one.',
      }),
    content: outboundContentSchema,
    fallbackText: visibleText(WHATSAPP_LIMITS.textMax, {
      description: 'Plain text to send instead when the BSP rejects the rich content.',
    }).optional(),
    fallbackTemplate: templateRefSchema
      .optional()
      .meta({ description: 'Approved template to send instead when the 24-hour window is closed.' }),
    metadata: z
      .record(z.string(), z.string().max(256))
      .optional()
      .meta({ description: 'Opaque to us; returned on events about this message.' }),
  })
  .refine((m) => (m.conversationId === undefined) !== (m.to === undefined), {
    message: 'give exactly one of conversationId or to',
    path: ['conversationId'],
  })
  // The refinement above is invisible to JSON Schema; say the same thing there.
  .meta({
    title: 'Echo WhatsApp outbound message v1',
    oneOf: [{ required: ['conversationId'] }, { required: ['to'] }],
  });

export type OutboundMessage = z.infer<typeof outboundMessageSchema>;
export type OutboundContent = z.infer<typeof outboundContentSchema>;
export type TemplateRef = z.infer<typeof templateRefSchema>;

/** Why a queue record is not a valid outbound message: one line per problem, with its path. */
export type OutboundParseResult =
  | { success: true; message: OutboundMessage }
  | { success: false; problems: string[]; businessId?: string; idempotencyKey?: string };

/**
 * Parses a queue record body (JSON text) against the contract. On failure, returns readable
 * problems and whatever identifying fields could be read, so a `send.failed` event can name the
 * message.
 * @example parseOutboundMessage('{"version":1,…}') // { success: true, message }
 */
export function parseOutboundMessage(body: string): OutboundParseResult {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { success: false, problems: ['body is not JSON'] };
  }
  const parsed = outboundMessageSchema.safeParse(json);
  if (parsed.success) return { success: true, message: parsed.data };
  const raw = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  return {
    success: false,
    problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`),
    ...(typeof raw.businessId === 'string' && { businessId: raw.businessId }),
    ...(typeof raw.idempotencyKey === 'string' && { idempotencyKey: raw.idempotencyKey }),
  };
}
