import type { MediaKind } from '../message';

const KB = 1024;
const MB = 1024 * KB;

/**
 * The largest file we mirror per WhatsApp kind: WhatsApp's own limits (Cloud API media reference;
 * Twilio: images 5 MB, other media 16 MB), so a file over them was not sent by WhatsApp. Stickers:
 * 500 KB (animated; static ones are at most 100 KB). A Twilio vCard arrives as a file of kind
 * `contacts`: a few KB. The cap is enforced while streaming (`capped`), never after the fact.
 */
export const MEDIA_SIZE_CAPS: Readonly<Record<MediaKind, number>> = {
  image: 5 * MB,
  video: 16 * MB,
  audio: 16 * MB,
  voice: 16 * MB,
  document: 100 * MB,
  sticker: 500 * KB,
  contacts: 1 * MB,
};

/**
 * The cap for a kind.
 * @example mediaSizeCap('image') // 5242880
 */
export function mediaSizeCap(kind: MediaKind): number {
  return MEDIA_SIZE_CAPS[kind];
}
