import type { MediaKind } from '../../../domain/message';

/** What Twilio reports when it gives no content type; treated as an opaque document. */
export const UNKNOWN_CONTENT_TYPE = 'application/octet-stream';

/**
 * The WhatsApp kind of an attachment, from the MIME type Twilio reported.
 *
 * WhatsApp sends stickers as WebP and voice notes as Ogg/Opus, so those two are told apart from
 * ordinary images and audio files by their type alone; anything unrecognised is a document, which
 * is what WhatsApp itself does with unknown files.
 *
 * @example
 * mediaKindOf('audio/ogg; codecs=opus'); // 'voice'
 * mediaKindOf('image/webp');             // 'sticker'
 * mediaKindOf('application/pdf');        // 'document'
 */
export function mediaKindOf(contentType: string): MediaKind {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (type === 'image/webp') return 'sticker';
  if (type === 'audio/ogg') return 'voice';
  if (type === 'text/vcard' || type === 'text/x-vcard') return 'contacts';
  if (type.startsWith('audio/')) return 'audio';
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('video/')) return 'video';
  return 'document';
}
