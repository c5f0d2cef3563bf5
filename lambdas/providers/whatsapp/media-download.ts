/**
 * What every provider's media download shares: the two refusals, the size cap enforced while the
 * bytes stream in, and the rule for where credentials may go.
 */
import { MediaRefusedError, MediaTooLargeError, MediaUnavailableError } from '../../domain/media/errors';

// The domain owns the outcomes (the mirror step tells them apart); every fetcher raises these.
export { MediaRefusedError, MediaTooLargeError, MediaUnavailableError };

/**
 * Why a download answered something other than the file: a refusal, or a pause worth a retry.
 * @example downloadFailure(503) // MediaUnavailableError
 */
export function downloadFailure(status: number, transientNotFound = false): MediaRefusedError | MediaUnavailableError {
  if (status === 429 || status >= 500 || (transientNotFound && status === 404)) return new MediaUnavailableError(`the media download answered ${status}`);
  return new MediaRefusedError(`the media download answered ${status}`);
}

/** The body's chunks, failing as soon as they add up to more than `maxBytes`. */
export async function* capped(body: ReadableStream<Uint8Array>, maxBytes: number): AsyncIterable<Uint8Array> {
  const reader = body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      total += value.byteLength;
      if (total > maxBytes) throw new MediaTooLargeError(`the file is over the ${maxBytes}-byte cap`);
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/**
 * `url` when it is on one of `origins`, else undefined.
 * @example onOrigin('https://lookaside.fbsbx.com/x', ['https://lookaside.fbsbx.com']) // the URL
 */
export function onOrigin(url: string, origins: readonly string[]): string | undefined {
  try {
    const parsed = new URL(url);
    // userinfo in a URL would be sent as credentials of its own: never follow one.
    if (parsed.username || parsed.password) return undefined;
    return origins.includes(parsed.origin) ? url : undefined;
  } catch {
    return undefined;
  }
}
