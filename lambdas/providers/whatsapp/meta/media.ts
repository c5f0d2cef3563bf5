import { CloudApiMediaFetcher, META_MEDIA_ORIGIN, onOrigin, type CloudApiMediaSource } from '../cloud-api/media';
import type { CloudApiHttpDeps } from '../cloud-api/http';
import { metaAuthorization } from './credentials';
import { graphUrl, META_GRAPH_BASE_URL } from './graph';

/**
 * Meta's media: `GET /{version}/{media-id}` with the bearer token, then the bytes from
 * lookaside.fbsbx.com with the same token (the Graph host itself is allowed too: the local
 * simulator serves its files there).
 * @example metaMediaSource('https://graph.facebook.com').mediaUrl('1234') // 'https://graph.facebook.com/v23.0/1234'
 */
export function metaMediaSource(graphBaseUrl: string = META_GRAPH_BASE_URL): CloudApiMediaSource {
  const origins = [META_MEDIA_ORIGIN, new URL(graphBaseUrl).origin];
  return {
    mediaUrl: (id) => graphUrl(graphBaseUrl, `/${encodeURIComponent(id)}`),
    authorize: metaAuthorization,
    downloadUrl: (answered) => onOrigin(answered, origins),
  };
}

/**
 * A media fetcher for Meta connections.
 * @example await metaMediaFetcher({ fetch, timeoutMs: 10_000 }).fetch(credentials, { id }, 5_000_000);
 */
export function metaMediaFetcher(http: CloudApiHttpDeps, graphBaseUrl?: string): CloudApiMediaFetcher {
  return new CloudApiMediaFetcher(http, metaMediaSource(graphBaseUrl));
}
