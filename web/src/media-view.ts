/**
 * The elements of a message's media in the thread (`media.ts` decides what each item shows).
 */
import type { MediaAccess } from '../../lambdas/domain/media/access';
import { h } from './dom';
import type { Locale, Translate } from './i18n';
import { mediaPresentation } from './media';

/**
 * The media of a message, or null when it has none. `onLinkExpired` is called when a player or
 * image fails after its link expired (a voice note played long after the page loaded it), so the
 * thread can draw it again with the fresh link of its next poll.
 * @example bubble.append(renderMedia(t, 'es', message.media, { caption, onLinkExpired }))
 */
export function renderMedia(
  t: Translate,
  locale: Locale,
  media: readonly MediaAccess[] | undefined,
  options: { caption?: string; onLinkExpired?: () => void } = {},
): HTMLElement | null {
  if (!media || media.length === 0) return null;
  return h(
    'div',
    { class: 'bubble__media', 'data-testid': 'message-media' },
    ...media.map((item) => {
      const shown = mediaPresentation(t, locale, item, options.caption);
      const onerror = () => {
        if (item.urlExpiresAt && Date.now() >= Date.parse(item.urlExpiresAt)) options.onLinkExpired?.();
      };
      switch (shown.show) {
        case 'image':
          return h('img', { class: 'media media--image', src: shown.url, alt: shown.alt, loading: 'lazy', decoding: 'async', 'data-testid': 'media-image', onerror });
        case 'audio':
          return h('audio', { class: 'media media--audio', src: shown.url, controls: true, preload: 'metadata', 'aria-label': shown.label, title: shown.label, 'data-testid': 'media-audio', onerror });
        case 'video':
          return h('video', { class: 'media media--video', src: shown.url, controls: true, preload: 'metadata', 'aria-label': shown.label, title: shown.label, 'data-testid': 'media-video', onerror });
        case 'document':
          // The link is signed with `Content-Disposition: attachment` under the file name: the browser
          // downloads it (a cross-origin `download` attribute alone would be ignored).
          return h('a', { class: 'media media--document', href: shown.url, download: shown.name, rel: 'noopener', 'data-testid': 'media-document' }, `📄 ${shown.text}`);
        default:
          return h(
            'p',
            {
              class: `media media--placeholder media--${shown.status}`,
              'data-testid': 'media-placeholder',
              'data-status': shown.status,
              title: shown.reason,
              role: shown.status === 'pending' ? 'status' : undefined,
            },
            shown.text,
          );
      }
    }),
  );
}
