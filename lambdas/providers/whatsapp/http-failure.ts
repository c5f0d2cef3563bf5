/**
 * What every provider's error table needs to know about an HTTP call that failed, independent of
 * the BSP: how long `Retry-After` asks us to wait, and whether a `fetch` that threw could have
 * reached the BSP. Pure functions; each provider's table decides what the answer means for it.
 *
 * The one rule the transport classes encode: a send may be retried only when the BSP certainly did
 * not receive it. A refused connection, a DNS failure or a failed TLS handshake prove that the
 * request never left (`not-sent`); a timeout or a reset may come after the BSP read the request and
 * created the message (`maybe-sent`); a 2xx whose body we cannot read means the BSP accepted
 * something whose id we do not know (`unreadable-success`).
 */

/** A failure without a usable HTTP answer. */
export type TransportFailure = 'not-sent' | 'maybe-sent' | 'unreadable-success';

/** Headers as `fetch` gives them, or a plain record (tests, API Gateway events). */
export type HeadersLike = Headers | Record<string, string | undefined>;

const SECOND = 1000;

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * `undefined` when absent or unreadable; never negative.
 * @example parseRetryAfter('120') // 120000
 * @example parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', new Date('2015-10-21T07:27:00Z')) // 60000
 */
export function parseRetryAfter(value: string | null | undefined, now: Date = new Date()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * SECOND;
  // Only a real date: Date.parse would accept "1.5" or "-3" as years.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/**
 * A header's value by case-insensitive name, from `Headers` or a plain record.
 * @example headerValue({ 'Retry-After': '3' }, 'retry-after') // '3'
 */
export function headerValue(headers: HeadersLike | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | undefined>;
  const wanted = name.toLowerCase();
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === wanted);
  return key === undefined ? undefined : record[key];
}

/** Socket error codes (Node/undici `cause.code`) of a connection that never carried the request. */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The code that proves the request never left, if any: undici wraps the socket error as `cause` of a
 * `TypeError('fetch failed')`; with several addresses (happy eyeballs) the cause is an
 * `AggregateError`, which only counts as "not sent" when every attempt was refused.
 */
function notSentCode(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  for (const candidate of [cause, error]) {
    if (candidate instanceof AggregateError && candidate.errors.length > 0) {
      const codes = candidate.errors.map(errorCodeOf);
      if (codes.every((code) => code !== undefined && NOT_SENT_CODES.has(code))) return codes[0];
      return undefined;
    }
    const code = errorCodeOf(candidate);
    if (code !== undefined) return NOT_SENT_CODES.has(code) ? code : undefined;
  }
  return undefined;
}

/** True for the errors `AbortSignal.timeout` (and an abort) make `fetch` reject with. */
export function isTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown } | undefined)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/**
 * Which transport class a `fetch` that threw belongs to, and a short code for it (the socket error
 * code, `TIMEOUT`, or `NETWORK`). Only errors that prove the request never left are `not-sent`.
 *
 * @example
 * transportFailureOf(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }));
 * // { transport: 'not-sent', code: 'ECONNREFUSED' }
 * transportFailureOf(new DOMException('timed out', 'TimeoutError'));
 * // { transport: 'maybe-sent', code: 'TIMEOUT' }
 */
export function transportFailureOf(error: unknown): { transport: 'not-sent' | 'maybe-sent'; code: string } {
  const refused = notSentCode(error);
  if (refused !== undefined) return { transport: 'not-sent', code: refused };
  const code = isTimeout(error) ? 'TIMEOUT' : (errorCodeOf((error as { cause?: unknown } | undefined)?.cause) ?? errorCodeOf(error) ?? 'NETWORK');
  return { transport: 'maybe-sent', code };
}

/**
 * A JSON object from a response text, or undefined when the text is not one (HTML error pages,
 * truncated bodies, arrays).
 * @example parseJsonObject('{"a":1}') // { a: 1 }
 * @example parseJsonObject('<html>') // undefined
 */
export function parseJsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A backoff as the error tables print it: `30 s`, `60 min`, or '' when there is none.
 * @example formatBackoff(90_000) // '1.5 min'
 */
export function formatBackoff(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms >= 60 * SECOND ? `${ms / (60 * SECOND)} min` : `${ms / SECOND} s`;
}

/**
 * One BSP HTTP call with the budget every provider gives it: either the answer (status, headers,
 * the body text, and why it could not be read when the budget ran out mid-body: the status line
 * already told the outcome) or the error `fetch` threw, for the provider's table to classify.
 * @example
 * const exchanged = await exchange(fetch, url, { method: 'GET', headers }, 10_000);
 * if ('transportError' in exchanged) throw classify(exchanged.transportError);
 */
export async function exchange(
  fetchImpl: typeof fetch,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
  timeoutMs: number,
): Promise<{ transportError: unknown } | { response: Response; text: string | undefined; readError?: unknown }> {
  let response: Response;
  try {
    response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return { transportError: error };
  }
  try {
    return { response, text: await response.text() };
  } catch (error) {
    return { response, text: undefined, readError: error };
  }
}

/**
 * Joins a base URL (with or without a trailing slash) and a path.
 * @example joinUrl('https://waba-v2.360dialog.io/', '/messages') // 'https://waba-v2.360dialog.io/messages'
 */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}
