/**
 * The AI gets media it can open: the media step mirrors files asynchronously, so when the AI Lambda
 * takes a message with media it looks up each item's mirror, waits a bounded time for those still
 * pending, and hands the responder presigned links (the BSP's own links need our credentials).
 */
import type { InboundQueueMessage } from '../inbound-queue-message';
import { mediaAccessOf, type MediaAccess } from '../media/access';
import type { MediaRecordStore, MediaUrlSigner } from '../media/ports';

export interface MediaLinkDeps {
  records: Pick<MediaRecordStore, 'current'>;
  signer: MediaUrlSigner;
  now: () => Date;
  /** How long after `receivedAt` the AI waits for pending media before answering without links. @default 60000 */
  maxWaitMs?: number;
  /**
   * Receives of the record after which it stops waiting: the inbound queue's receive budget (5) is
   * shared with the responder's retries, so waiting may spend 3 of them at most. @default 4
   */
  maxWaitReceives?: number;
}

export type MediaLinkOutcome =
  /** Nothing to wait for (or no more waiting): `message` carries the links, `pending` the items without one. */
  | { outcome: 'ready'; message: InboundQueueMessage; pending: number }
  /** Media still being mirrored: put the record back for `retryInMs` (the FIFO group waits, order kept). */
  | { outcome: 'wait'; retryInMs: number };

/** How long a record waits for its media after its 1st, 2nd and 3rd receive. */
const WAIT_STEPS_MS = [2_000, 15_000, 30_000];

/** A media item as the responder sees it (inbound queue message contract, `content.media[]`). */
function itemFor(ref: Record<string, unknown>, access: MediaAccess): Record<string, unknown> {
  // `url` becomes our presigned link; the BSP's (which needs our credentials) is not passed on.
  const { url: _bspUrl, mirror: _mirror, ...rest } = ref;
  return {
    ...rest,
    mirrorStatus: access.status,
    ...(access.url !== undefined && { url: access.url, urlExpiresAt: access.urlExpiresAt }),
    ...(access.size !== undefined && { size: access.size }),
    ...(access.sha256 !== undefined && { sha256: access.sha256 }),
    ...(access.reason !== undefined && { mirrorReason: access.reason }),
  };
}

/**
 * The message with presigned links on its media, or `wait` while media is still pending and the
 * message is younger than `maxWaitMs` (and the record has been received fewer than
 * `maxWaitReceives` times). Messages without media come back unchanged, without a read.
 * @example
 * const linked = await withMediaLinks(message, receiveCount, { records, signer, now: () => new Date() });
 * if (linked.outcome === 'wait') throw new MediaPendingError(linked.retryInMs);
 */
export async function withMediaLinks(message: InboundQueueMessage, receiveCount: number, deps: MediaLinkDeps): Promise<MediaLinkOutcome> {
  const refs = Array.isArray(message.content.media) ? (message.content.media as Array<Record<string, unknown>>) : undefined;
  if (!refs || refs.length === 0) return { outcome: 'ready', message, pending: 0 };
  const mirrors = (await deps.records.current(message.conversationId, message.messageId)) ?? [];
  const access = await mediaAccessOf({ media: refs.map((ref, index) => ({ ...ref, ...(mirrors[index] && { mirror: mirrors[index] }) })) }, deps.signer);
  const pending = access.filter((item) => item.status === 'pending').length;
  const ageMs = deps.now().getTime() - Date.parse(message.receivedAt);
  const maxWaitMs = deps.maxWaitMs ?? 60_000;
  if (pending > 0 && ageMs < maxWaitMs && receiveCount < (deps.maxWaitReceives ?? 4)) {
    // Most copies take a second or two: look again soon, then less often (2 s, 15 s, 30 s).
    const delay = WAIT_STEPS_MS[Math.min(receiveCount, WAIT_STEPS_MS.length) - 1]!;
    return { outcome: 'wait', retryInMs: Math.max(1_000, Math.min(delay, maxWaitMs - ageMs)) };
  }
  const media = refs.map((ref, index) => itemFor(ref, access[index]!));
  return { outcome: 'ready', message: { ...message, content: { ...message.content, media } }, pending };
}
