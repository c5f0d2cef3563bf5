import type { MediaDownload, MediaFetcher, ProviderCredentials } from '../provider';
import { capped, downloadFailure, MediaRefusedError, MediaTooLargeError, onOrigin } from '../media-download';
import { parseTwilioCredentials } from './credentials';
import { basicAuth } from './send/http';

export interface TwilioMediaFetcherDeps {
  fetch: typeof fetch;
  timeoutMs: number;
  /** Where Twilio serves `MediaUrl{N}`: `https://api.twilio.com`, or the simulator locally. */
  apiBaseUrl: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Downloads an inbound Twilio media file (TWILIO.md, Media): `MediaUrl{N}` on api.twilio.com needs
 * HTTP Basic auth with the account's SID and token, and redirects to a short-lived signed CDN URL.
 * The credentials go only to the API host, and only for this account's own media path (a forged
 * webhook could name any URL); the one redirect hop is followed without them, over https only. A
 * 404 right after the webhook can be transient, so it is a retry, not a refusal. The size cap holds
 * from the declared length and again while streaming.
 *
 * @example
 * const fetcher = new TwilioMediaFetcher({ fetch, timeoutMs: 10_000, apiBaseUrl: 'https://api.twilio.com' });
 * const download = await fetcher.fetch(credentials, { url: mediaUrl }, 5 * 1024 * 1024);
 */
export class TwilioMediaFetcher implements MediaFetcher {
  constructor(private readonly deps: TwilioMediaFetcherDeps) {}

  async fetch(credentials: ProviderCredentials, reference: { url?: string; id?: string }, maxBytes: number): Promise<MediaDownload> {
    const twilio = parseTwilioCredentials(credentials);
    const url = reference.url ? onOrigin(reference.url, [new URL(this.deps.apiBaseUrl).origin]) : undefined;
    if (!url || !new URL(url).pathname.startsWith(`/2010-04-01/Accounts/${twilio.accountSid}/`)) {
      throw new MediaRefusedError("the media URL is not this account's on Twilio's API host");
    }
    let response = await this.get(url, { Authorization: basicAuth(twilio) });
    if (REDIRECTS.has(response.status)) {
      const location = response.headers.get('location');
      await response.body?.cancel();
      const next = location ? new URL(location, url) : undefined;
      // https, or the API's own origin (the local simulator serves its signed hop there over http).
      const plain = next && (next.protocol === 'https:' || next.origin === new URL(this.deps.apiBaseUrl).origin);
      if (!next || !plain || next.username || next.password) throw new MediaRefusedError('the media redirect is not a plain https URL');
      response = await this.get(next.toString(), {});
    }
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel();
      throw downloadFailure(response.status, true);
    }
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      await response.body.cancel();
      throw new MediaTooLargeError(`the file is ${declared} bytes, over the ${maxBytes}-byte cap`);
    }
    return { contentType: response.headers.get('content-type') ?? 'application/octet-stream', body: capped(response.body, maxBytes) };
  }

  private get(url: string, headers: Record<string, string>): Promise<Response> {
    return this.deps.fetch(url, { method: 'GET', headers, redirect: 'manual', signal: AbortSignal.timeout(this.deps.timeoutMs) });
  }
}
