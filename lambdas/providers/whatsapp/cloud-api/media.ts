import * as z from 'zod';
import { capped, downloadFailure, MediaRefusedError, MediaTooLargeError } from '../media-download';
import type { MediaDownload, MediaFetcher, ProviderCredentials } from '../provider';
import type { CloudApiAuthorization } from './sender';
import { callCloudApi, withQuery, type CloudApiHttpDeps } from './http';

/** Meta's media CDN: the host its `GET /{media-id}` answers download URLs on (CLOUD_API.md §4, §8). */
export const META_MEDIA_ORIGIN = 'https://lookaside.fbsbx.com';

/**
 * How one Cloud API BSP serves inbound media: where a media id resolves, how the download URL it
 * answers is turned into the URL we fetch, and which origins may receive the credentials.
 */
export interface CloudApiMediaSource {
  /** `GET` here answers `{ url, mime_type, sha256, file_size }`. */
  mediaUrl(id: string): string;
  authorize(credentials: ProviderCredentials): CloudApiAuthorization;
  /** The URL to download from, given the `url` the BSP answered; undefined refuses it. */
  downloadUrl(answered: string): string | undefined;
}

const mediaAnswerSchema = z.object({
  url: z.string().url(),
  mime_type: z.string().min(1).optional(),
  sha256: z.string().optional(),
  file_size: z.coerce.number().int().nonnegative().optional(),
});

/**
 * Downloads an inbound media file from a Cloud API BSP: resolve the media id (the download URL
 * lives 5 minutes, so it is never stored), check the answer's size against the cap, then fetch the
 * bytes with the same credentials from the BSP's own media origin only (Meta: lookaside.fbsbx.com;
 * 360dialog: its own base, the lookaside origin swapped for it). Redirects are not followed: a
 * hop elsewhere would carry the credentials. The cap is enforced while streaming.
 *
 * @example
 * const fetcher = new CloudApiMediaFetcher({ fetch, timeoutMs: 10_000 }, metaMediaSource('https://graph.facebook.com'));
 * const download = await fetcher.fetch(credentials, { id: '1234' }, 5 * 1024 * 1024);
 */
export class CloudApiMediaFetcher implements MediaFetcher {
  constructor(
    private readonly http: CloudApiHttpDeps,
    private readonly source: CloudApiMediaSource,
  ) {}

  async fetch(credentials: ProviderCredentials, reference: { url?: string; id?: string }, maxBytes: number): Promise<MediaDownload> {
    if (!reference.id) throw new MediaRefusedError('a Cloud API media reference needs its id');
    const auth = this.source.authorize(credentials);
    const { body } = await callCloudApi(this.http, {
      method: 'GET',
      url: withQuery(this.source.mediaUrl(reference.id), auth.query),
      headers: auth.headers,
      context: {},
    });
    const answer = mediaAnswerSchema.safeParse(body);
    if (!answer.success) throw new MediaRefusedError('the media answer carries no download URL');
    if (answer.data.file_size !== undefined && answer.data.file_size > maxBytes) {
      throw new MediaTooLargeError(`the file is ${answer.data.file_size} bytes, over the ${maxBytes}-byte cap`);
    }
    const downloadUrl = this.source.downloadUrl(answer.data.url);
    if (!downloadUrl) throw new MediaRefusedError("the download URL is not on the BSP's media host");

    const response = await this.http.fetch(downloadUrl, {
      method: 'GET',
      headers: auth.headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(this.http.timeoutMs),
    });
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel();
      throw downloadFailure(response.status);
    }
    return {
      contentType: answer.data.mime_type ?? response.headers.get('content-type') ?? 'application/octet-stream',
      body: capped(response.body, maxBytes),
      ...(answer.data.sha256 && { sha256: answer.data.sha256 }),
    };
  }
}

export { MediaRefusedError, MediaTooLargeError, MediaUnavailableError, onOrigin } from '../media-download';
