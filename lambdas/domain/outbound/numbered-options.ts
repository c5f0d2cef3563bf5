import type { OutboundContent } from './contract';
import type { PendingOptions } from './ports';

/**
 * A rich message (reply buttons or list) as plain text with numbered options, for when the BSP
 * refuses the rich form. The customer answers with a number; `pendingOptions` on the conversation
 * maps it back to the option's id.
 * @example
 * numberedText({ type: 'buttons', body: '¿Confirmas?', buttons: [{ id: 'y', title: 'Sí' }, { id: 'n', title: 'No' }] })
 * // { text: '¿Confirmas?\n\n1. Sí\n2. No', options: [{ n: 1, id: 'y', title: 'Sí' }, { n: 2, id: 'n', title: 'No' }] }
 */
export function numberedText(
  content: Extract<OutboundContent, { type: 'buttons' | 'list' }>,
  introText?: string,
): { text: string; options: PendingOptions['options'] } {
  const choices =
    content.type === 'buttons'
      ? content.buttons.map((button) => ({ id: button.id, title: button.title, line: button.title }))
      : content.rows.map((row) => ({
          id: row.id,
          title: row.title,
          line: row.description ? `${row.title}: ${row.description}` : row.title,
        }));
  const options = choices.map((choice, index) => ({ n: index + 1, id: choice.id, title: choice.title }));
  const lines = choices.map((choice, index) => `${index + 1}. ${choice.line}`);
  const intro = introText?.trim() || content.body;
  return { text: `${intro}\n\n${lines.join('\n')}`, options };
}

/** True when plain text can stand in for this content. */
export function canFallBackToText(content: OutboundContent, fallbackText: string | undefined): boolean {
  if (content.type === 'buttons' || content.type === 'list') return true;
  if (content.type === 'image') return Boolean(fallbackText?.trim() || content.caption?.trim());
  return false;
}
