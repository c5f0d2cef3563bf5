/**
 * Media as the simulators serve it (CLOUD_API.md §4 "Media download", §7 "Media", §11).
 *
 * - `GET /{media-id}` (Meta: `/{version}/{media-id}` with the bearer token; 360dialog with its key)
 *   answers `{ messaging_product, url, mime_type, sha256, file_size, id }`.
 * - The `url` is a lookaside-style link, `/whatsapp_business/attachments/?mid=<id>&ext=<expiry
 *   seconds>&hash=<hmac>`, valid for 5 minutes (`urlTtlMs`), and needs the same credentials: Meta's
 *   points at the simulator itself (standing in for `lookaside.fbsbx.com`); 360dialog's keeps the
 *   real `https://lookaside.fbsbx.com` origin, which a client must swap for the 360dialog base
 *   before fetching it with `D360-API-KEY`, as 360dialog documents.
 * - Media belongs to a WABA: other accounts' credentials get "not found".
 *
 * The media issue will extend this (upload, inbound media in webhooks); for now media are added
 * through `addMedia` or `POST /_simulator/media`.
 */
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';

export interface StoredMedia {
  id: string;
  wabaId: string;
  mimeType: string;
  bytes: Buffer;
  /** Hex SHA-256 of the bytes, as Cloud API reports it. */
  sha256: string;
}

/** What `GET /{media-id}` and `addMedia` describe (without the bytes). */
export interface MediaView {
  id: string;
  mimeType: string;
  sha256: string;
  fileSize: number;
}

/** Where a download URL points and for how long it is valid. */
export interface MediaUrlOptions {
  /** The origin of the URL: the simulator's own, or `https://lookaside.fbsbx.com` for 360dialog. */
  origin: string;
  now: number;
  ttlMs: number;
}

export const LOOKASIDE_ORIGIN = 'https://lookaside.fbsbx.com';
export const ATTACHMENTS_PATH = '/whatsapp_business/attachments/';
const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'audio/ogg': 'ogg', 'video/mp4': 'mp4', 'application/pdf': 'pdf' };

/** Media files of one simulator, with signed, expiring download links. */
export class MediaStore {
  private readonly items = new Map<string, StoredMedia>();
  /** Signs download links; a fresh key per simulator, so links of another run never verify. */
  private readonly key = randomBytes(32);

  add(wabaId: string, media: { mimeType: string; bytes: Buffer; id?: string }): MediaView {
    if (!/^[a-z]+\/[A-Za-z0-9.+-]+/.test(media.mimeType)) throw new Error('mimeType must be a MIME type such as image/jpeg');
    // Numeric ids, as Meta's media ids are (16 digits).
    const id = media.id ?? `${randomInt(1, 10)}${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
    const stored: StoredMedia = { id, wabaId, mimeType: media.mimeType, bytes: media.bytes, sha256: createHash('sha256').update(media.bytes).digest('hex') };
    this.items.set(id, stored);
    return viewOf(stored);
  }

  get(id: string, wabaId: string): StoredMedia | undefined {
    const media = this.items.get(id);
    return media && media.wabaId === wabaId ? media : undefined;
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  /** The Graph-shaped description of a media, with a fresh download URL. */
  describe(media: StoredMedia, options: MediaUrlOptions): Record<string, unknown> {
    const expires = Math.floor((options.now + options.ttlMs) / 1000);
    const ext = EXTENSIONS[media.mimeType.split(';')[0]!.trim()] ?? 'bin';
    const query = new URLSearchParams({ mid: media.id, ext: String(expires), hash: this.sign(media.id, expires), type: ext });
    return {
      messaging_product: 'whatsapp',
      url: `${options.origin}${ATTACHMENTS_PATH}?${query.toString()}`,
      mime_type: media.mimeType,
      sha256: media.sha256,
      file_size: media.bytes.length,
      id: media.id,
    };
  }

  /**
   * The media a download URL's query names, if its signature is valid, it has not expired and the
   * media belongs to `wabaId`; otherwise undefined (answered 404, as an expired lookaside link is).
   */
  resolveDownload(query: URLSearchParams, wabaId: string, now: number): StoredMedia | undefined {
    const id = query.get('mid');
    const expires = Number(query.get('ext'));
    const hash = query.get('hash');
    if (!id || !Number.isInteger(expires) || !hash) return undefined;
    if (hash !== this.sign(id, expires) || now > expires * 1000) return undefined;
    return this.get(id, wabaId);
  }

  clear(): void {
    this.items.clear();
  }

  private sign(id: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${id}:${expires}`).digest('base64url').slice(0, 32);
  }
}

export function viewOf(media: StoredMedia): MediaView {
  return { id: media.id, mimeType: media.mimeType, sha256: media.sha256, fileSize: media.bytes.length };
}
