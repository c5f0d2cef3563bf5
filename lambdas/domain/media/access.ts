/**
 * Stored media as its readers get it: the AI (through the inbound message handed to the responder)
 * and the settings page (through the admin API) receive short-lived presigned links, never the
 * bucket's keys or the BSP's links (which need our credentials).
 */
import type { MediaKind, MediaMirror, MediaMirrorStatus } from '../message';
import type { MediaUrlSigner } from './ports';

/** One media item as a reader sees it. */
export interface MediaAccess {
  index: number;
  kind: MediaKind | string;
  /** The declared type (checked against the bytes when stored). */
  contentType: string;
  filename?: string;
  /** `pending` until the media step wrote a final state. */
  status: MediaMirrorStatus;
  /** Presigned GET of our copy, when `stored`. */
  url?: string;
  /** When `url` stops working, ISO 8601. */
  urlExpiresAt?: string;
  size?: number;
  sha256?: string;
  /** Why it is not `stored`. */
  reason?: string;
}

/** The media items of a stored message's `content`, if it has any. */
export function mediaItemsOf(content: unknown): Array<Record<string, unknown>> {
  if (typeof content !== 'object' || content === null) return [];
  const media = (content as { media?: unknown }).media;
  return Array.isArray(media) ? media.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null) : [];
}

function mirrorOf(item: Record<string, unknown>): Partial<MediaMirror> {
  const mirror = item.mirror;
  return typeof mirror === 'object' && mirror !== null ? (mirror as Partial<MediaMirror>) : {};
}

const STATUSES: readonly MediaMirrorStatus[] = ['pending', 'stored', 'too-large', 'refused', 'failed'];

/**
 * Each media item of `content` with its state and, when stored, a presigned link (documents are
 * signed to download under their file name). Signing is local (no AWS call).
 * @example
 * await mediaAccessOf({ type: 'image', media: [{ kind: 'image', contentType: 'image/jpeg', mirror: { status: 'stored', key: 'a/b/c/d/0', size: 34_000 } }] }, signer)
 * // [{ index: 0, kind: 'image', contentType: 'image/jpeg', status: 'stored', url: 'https://…', urlExpiresAt: '…', size: 34000 }]
 */
export async function mediaAccessOf(content: unknown, signer: MediaUrlSigner): Promise<MediaAccess[]> {
  return Promise.all(
    mediaItemsOf(content).map(async (item, index) => {
      const mirror = mirrorOf(item);
      const status = STATUSES.includes(mirror.status as MediaMirrorStatus) ? (mirror.status as MediaMirrorStatus) : 'pending';
      const kind = typeof item.kind === 'string' ? item.kind : 'document';
      const filename = typeof item.filename === 'string' && item.filename !== '' ? item.filename : undefined;
      const access: MediaAccess = {
        index,
        kind,
        contentType: typeof mirror.contentType === 'string' ? mirror.contentType : typeof item.contentType === 'string' ? item.contentType : 'application/octet-stream',
        status,
        ...(filename !== undefined && { filename }),
        ...(typeof mirror.size === 'number' && { size: mirror.size }),
        ...(typeof mirror.sha256 === 'string' && { sha256: mirror.sha256 }),
        ...(typeof mirror.reason === 'string' && { reason: mirror.reason }),
      };
      if (status === 'stored' && typeof mirror.key === 'string') {
        const attachmentName = kind === 'document' ? (filename ?? `document-${index + 1}`) : undefined;
        const signed = await signer.sign(mirror.key, attachmentName ? { attachmentName } : {});
        access.url = signed.url;
        access.urlExpiresAt = signed.expiresAt;
      }
      return access;
    }),
  );
}

/** True while any media item of `content` still waits for the media step. */
export function hasPendingMedia(content: unknown): boolean {
  return mediaItemsOf(content).some((item) => (mirrorOf(item).status ?? 'pending') === 'pending');
}
