import { CloudApiMediaFetcher, META_MEDIA_ORIGIN, onOrigin, type CloudApiMediaSource } from '../cloud-api/media';
import { joinUrl, type CloudApiHttpDeps } from '../cloud-api/http';
import { DIALOG360_BASE_URL, dialog360Authorization } from './api';

/**
 * 360dialog's media (CLOUD_API.md §7): `GET {base}/{media-id}` with `D360-API-KEY` answers Meta's
 * lookaside URL, which 360dialog serves on its own base: the lookaside origin is swapped for the
 * base, path and query kept, and the key goes nowhere else.
 * @example dialog360MediaSource().downloadUrl('https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1')
 * // 'https://waba-v2.360dialog.io/whatsapp_business/attachments/?mid=1'
 */
export function dialog360MediaSource(baseUrl: string = DIALOG360_BASE_URL): CloudApiMediaSource {
  const base = new URL(baseUrl);
  return {
    mediaUrl: (id) => joinUrl(baseUrl, `/${encodeURIComponent(id)}`),
    authorize: dialog360Authorization,
    downloadUrl: (answered) => {
      const swapped = answered.startsWith(`${META_MEDIA_ORIGIN}/`) ? `${base.origin}${answered.slice(META_MEDIA_ORIGIN.length)}` : answered;
      return onOrigin(swapped, [base.origin]);
    },
  };
}

/**
 * A media fetcher for 360dialog connections.
 * @example await dialog360MediaFetcher({ fetch, timeoutMs: 10_000 }).fetch(credentials, { id }, 5_000_000);
 */
export function dialog360MediaFetcher(http: CloudApiHttpDeps, baseUrl?: string): CloudApiMediaFetcher {
  return new CloudApiMediaFetcher(http, dialog360MediaSource(baseUrl));
}
