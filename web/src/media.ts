/**
 * A received photo, voice note, video or document in the thread, from the admin API's `media` of a
 * message: our copy through its short-lived presigned link (an inline `<img>`, an `<audio>` or
 * `<video>` player, a named download link), or a placeholder in the reader's language while Echo is
 * still fetching the file or when it could not keep it. Decided here (pure, no DOM: unit-tested in
 * Node); `media-view.ts` builds the elements.
 *
 * The links come from the media bucket's host, which the page's Content-Security-Policy admits for
 * `img-src` and `media-src` only (lib/constructs/web-hosting.ts).
 */
import type { MediaAccess } from '../../lambdas/domain/media/access';
import type { Locale, MessageKey, Translate } from './i18n';

/** What one media item shows. */
export type MediaPresentation =
  | { show: 'image'; url: string; alt: string }
  | { show: 'audio' | 'video'; url: string; label: string }
  | { show: 'document'; url: string; name: string; text: string }
  | { show: 'placeholder'; status: MediaAccess['status']; text: string; reason?: string };

/**
 * How an item shows: a stored one with a link by its kind, anything else as a placeholder saying
 * why (the technical `reason` kept for a tooltip).
 * @example mediaPresentation(t, 'en', { index: 0, kind: 'voice', contentType: 'audio/ogg', status: 'stored', url: 'https://…' })
 * // { show: 'audio', url: 'https://…', label: 'Voice note from the customer' }
 */
export function mediaPresentation(t: Translate, locale: Locale, item: MediaAccess, caption?: string): MediaPresentation {
  if (item.status !== 'stored' || !item.url) {
    return { show: 'placeholder', status: item.status, text: t(placeholderKey(item), limitOf(item, locale)), ...(item.reason && { reason: item.reason }) };
  }
  const url = item.url;
  const type = item.contentType.toLowerCase();
  switch (item.kind) {
    case 'image':
      return { show: 'image', url, alt: caption ? t('media.imageAltCaption', { caption }) : t('media.imageAlt') };
    case 'sticker':
      return { show: 'image', url, alt: t('media.stickerAlt') };
    case 'voice':
      return { show: 'audio', url, label: t('media.voicePlayer') };
    case 'audio':
      return { show: 'audio', url, label: t('media.audioPlayer') };
    case 'video':
      return { show: 'video', url, label: t('media.videoPlayer') };
    default: {
      // A document (or a kind this page does not know) is never rendered on the page: a download.
      if (item.kind !== 'document' && type.startsWith('image/')) return { show: 'image', url, alt: t('media.imageAlt') };
      const name = item.filename ?? t('media.unnamedDocument');
      const text = item.size !== undefined ? t('media.downloadSized', { name, size: formatBytes(item.size, locale) }) : t('media.download', { name });
      return { show: 'document', url, name, text };
    }
  }
}

function placeholderKey(item: MediaAccess): MessageKey {
  switch (item.status) {
    case 'pending':
      return 'media.pending';
    case 'too-large':
      return limitOf(item) ? 'media.tooLargeLimit' : 'media.tooLarge';
    case 'refused':
      if (item.reason?.startsWith('content-type-mismatch')) return 'media.refusedType';
      if (item.reason === 'sha256-mismatch') return 'media.refusedChecksum';
      return 'media.refused';
    case 'failed':
      return 'media.failed';
    default:
      // Stored without a link (the deployment has no media bucket configured for the admin API).
      return 'media.unavailable';
  }
}

/** `{ limit: '5 MB' }` from the media step's `over-<bytes>-bytes` reason, when it is one. */
function limitOf(item: MediaAccess, locale: Locale = 'en'): { limit: string } | undefined {
  const match = item.status === 'too-large' ? /^over-(\d+)-bytes$/.exec(item.reason ?? '') : null;
  return match ? { limit: formatBytes(Number(match[1]), locale) } : undefined;
}

/**
 * Bytes for people, in binary units as WhatsApp states its limits (5 MB = 5 × 1024 × 1024).
 * @example formatBytes(34_000, 'en') // '33 KB'
 */
export function formatBytes(bytes: number, locale: Locale): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit > 0 && value < 10 && !Number.isInteger(value) ? 1 : 0;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}
