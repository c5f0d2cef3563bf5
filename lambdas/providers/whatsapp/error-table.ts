/**
 * What every provider's error table shares: the shape of a row, the content classes a row may treat
 * differently, and how a row's kind is read for the content that was sent. Each table (Twilio's in
 * `twilio/send/errors.ts`, Meta's and 360dialog's in `cloud-api/errors.ts`) adds only what its BSP
 * needs (Twilio's API per row, Meta's "not processed" kind, credentials rejected).
 */
import type { ContentClass, SendableContent, SendFailureKind } from './provider';

export interface ErrorTableRow<Match> {
  match: Match;
  /** What the send Lambda does. */
  kind: SendFailureKind;
  /** A different kind for some content (rich content may fall back to plain text). */
  kindFor?: Partial<Record<ContentClass, SendFailureKind>>;
  /** Minimum wait before the next attempt; a larger `Retry-After` wins. */
  retryAfterMs?: number;
  /** A sentence a business can read (stored as the message's errorReason). */
  reason: string;
  /** The connection's credentials were refused: no send will pass until they are replaced (the connection is flagged). */
  credentialsRejected?: true;
  /** Where the classification comes from, and why this kind. */
  note: string;
}

/** Rich content that the BSP or WhatsApp refuses may still go as plain text; plain text itself cannot. */
export const FALLBACK_TO_TEXT: Partial<Record<ContentClass, SendFailureKind>> = {
  interactive: 'content-rejected',
  media: 'content-rejected',
};

/**
 * The class of a `SendableContent` for classification.
 * @example contentClassOf({ type: 'buttons', body: 'x', buttons: [] }) // 'interactive'
 */
export function contentClassOf(content: SendableContent | SendableContent['type']): ContentClass {
  const type = typeof content === 'string' ? content : content.type;
  switch (type) {
    case 'text':
      return 'text';
    case 'image':
      return 'media';
    case 'buttons':
    case 'list':
      return 'interactive';
    case 'template':
      return 'template';
  }
}

/**
 * The row's kind for the content that was sent.
 * @example kindForContent({ kind: 'permanent', kindFor: FALLBACK_TO_TEXT, … }, 'interactive') // 'content-rejected'
 */
export function kindForContent(row: Pick<ErrorTableRow<unknown>, 'kind' | 'kindFor'>, content: ContentClass | undefined): SendFailureKind {
  return (content && row.kindFor?.[content]) ?? row.kind;
}

/**
 * A code reported on a failed status is a definite outcome: the message is dead, so even a code
 * that is `outcome-unknown` as a REST answer can safely be retried.
 * @example definiteKind('outcome-unknown') // 'retryable'
 */
export function definiteKind(kind: SendFailureKind): SendFailureKind {
  return kind === 'outcome-unknown' ? 'retryable' : kind;
}

/** The "Kind by content" cell of a rendered table: `interactive: content-rejected, media: …`. */
export function kindForCell(row: Pick<ErrorTableRow<unknown>, 'kindFor'>): string {
  return Object.entries(row.kindFor ?? {})
    .map(([content, kind]) => `${content}: ${kind}`)
    .join(', ');
}

/** A Markdown table cell: pipes escaped. */
export function markdownCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
