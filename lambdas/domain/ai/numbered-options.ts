import * as z from 'zod';

/**
 * Numbered options: when the BSP rejects a rich message (reply buttons or a list), the send Lambda
 * sends it again as plain text with numbered options ("1. Sí", "2. No") and records them on the
 * conversation as `pendingOptions`. A customer who then answers with just a number means that
 * option, so the AI hand-off turns the text into the `button_reply` / `list_reply` the rich message
 * would have produced.
 */
export const pendingOptionsSchema = z.object({
  /** The outbound message that offered the options (a time-ordered id, see `newMessageId`). */
  messageId: z.string().min(1),
  /** What the options replaced: reply buttons (default) or list rows. */
  kind: z.enum(['buttons', 'list']).optional(),
  options: z
    .array(
      z.object({
        n: z.number().int().min(1),
        id: z.string().min(1),
        title: z.string(),
        description: z.string().optional(),
      }),
    )
    .min(1),
});

export type PendingOptions = z.infer<typeof pendingOptionsSchema>;

/** `2`, ` 2. `, `2)`, `#2`, `2️⃣`: a message that is only an option number. At most two digits. */
const OPTION_NUMBER = /^#?\s*(\d{1,2})\s*(?:\uFE0F?\u20E3)?\s*[.)]?$/u;

/**
 * The option number a customer's text stands for, or `undefined` when the text is anything else.
 * @example parseOptionNumber(' 2. ') // 2
 * @example parseOptionNumber('2 por favor') // undefined
 */
export function parseOptionNumber(text: string): number | undefined {
  const match = OPTION_NUMBER.exec(text.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  return n >= 1 ? n : undefined;
}

export type InboundContentRecord = Record<string, unknown> & { type: string };

export type OptionResolution =
  | { resolved: false; content: InboundContentRecord }
  | { resolved: true; content: InboundContentRecord; n: number; optionsMessageId: string };

/**
 * Turns a text that is only an option number into the reply it stands for. Only options offered
 * before the customer's message count: ids are time-ordered, so an inbound message id that sorts
 * before the options' message id was written before the customer could see them.
 * @example
 * resolveNumberedOption({ type: 'text', text: '2' }, pending, inboundMessageId)
 * // { resolved: true, content: { type: 'button_reply', id: 'no', title: 'No' }, n: 2, optionsMessageId }
 */
export function resolveNumberedOption(
  content: InboundContentRecord,
  pending: PendingOptions | undefined,
  inboundMessageId: string,
): OptionResolution {
  if (!pending || content.type !== 'text' || typeof content.text !== 'string') return { resolved: false, content };
  if (inboundMessageId <= pending.messageId) return { resolved: false, content };
  const n = parseOptionNumber(content.text);
  const option = n === undefined ? undefined : pending.options.find((candidate) => candidate.n === n);
  if (!option || n === undefined) return { resolved: false, content };
  const resolved: InboundContentRecord =
    pending.kind === 'list'
      ? {
          type: 'list_reply',
          id: option.id,
          title: option.title,
          ...(option.description !== undefined && { description: option.description }),
        }
      : { type: 'button_reply', id: option.id, title: option.title };
  return { resolved: true, content: resolved, n, optionsMessageId: pending.messageId };
}
