import { exchange, parseJsonObject } from '../http-failure';
import { classifyCloudApiFailure, type CloudApiClassifyContext } from './errors';

/** What every Cloud API call needs; injected so tests pass a fake `fetch` and a clock. */
export interface CloudApiHttpDeps {
  fetch: typeof fetch;
  /** Whole-call budget (connect, send, answer). */
  timeoutMs: number;
  now?: () => Date;
}

export interface CloudApiCall {
  method: 'GET' | 'POST';
  url: string;
  /** The provider's auth header(s): `Authorization: Bearer …` (Meta) or `D360-API-KEY` (360dialog). */
  headers: Record<string, string>;
  /** JSON body. */
  json?: unknown;
  context: CloudApiClassifyContext;
  /** A 2xx with an empty or non-JSON body counts as success (`{}`): for calls whose answer we do not read. */
  emptySuccess?: boolean;
}

export interface CloudApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * The answer behind a classified HTTP failure, kept as the `SendFailedError`'s `cause` for callers
 * that need Meta's own words (the connection test tells a wrong app secret from a wrong number id,
 * both code 100). Its message is only the status: the body stays a property, out of log lines.
 */
export class CloudApiErrorAnswer extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown> | undefined,
  ) {
    super(`HTTP ${status}`);
    this.name = 'CloudApiErrorAnswer';
  }

  /** Meta's `error.message` and `error.error_subcode`, when the body has them. */
  get metaError(): { message?: string; subcode?: number } {
    const error = this.body?.error;
    if (typeof error !== 'object' || error === null) return {};
    const { message, error_subcode: subcode } = error as { message?: unknown; error_subcode?: unknown };
    return { ...(typeof message === 'string' && { message }), ...(typeof subcode === 'number' && { subcode }) };
  }
}

/**
 * One Cloud API call (Meta Graph or 360dialog). Resolves with the parsed JSON object of a 2xx
 * answer; throws a classified `SendFailedError` for everything else (see `errors.ts`). Credentials
 * go only into the headers of a request to the URL given, and never into an error.
 *
 * @example
 * const { body } = await callCloudApi({ fetch, timeoutMs: 10_000 }, {
 *   method: 'POST', url: 'https://graph.facebook.com/v23.0/1065/messages',
 *   headers: { Authorization: `Bearer ${token}` }, json: payload, context: { content: 'text' },
 * });
 */
export async function callCloudApi(deps: CloudApiHttpDeps, call: CloudApiCall): Promise<CloudApiAnswer> {
  const headers: Record<string, string> = { ...call.headers, Accept: 'application/json' };
  let body: string | undefined;
  if (call.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(call.json);
  }
  const context: CloudApiClassifyContext = { ...call.context, now: deps.now?.() ?? new Date() };

  const exchanged = await exchange(deps.fetch, call.url, { method: call.method, headers, ...(body !== undefined && { body }) }, deps.timeoutMs);
  if ('transportError' in exchanged) throw classifyCloudApiFailure({ type: 'transport', error: exchanged.transportError }, context);
  const { response, text, readError } = exchanged;

  if (response.status >= 200 && response.status < 300) {
    const parsed = parseJsonObject(text) ?? (call.emptySuccess ? {} : undefined);
    if (!parsed) throw classifyCloudApiFailure({ type: 'unreadable-success', status: response.status, cause: readError }, context);
    return { status: response.status, body: parsed };
  }
  const errorBody = parseJsonObject(text);
  throw classifyCloudApiFailure(
    { type: 'http', status: response.status, body: errorBody, headers: response.headers, cause: new CloudApiErrorAnswer(response.status, errorBody) },
    context,
  );
}

/**
 * A URL with query parameters added (values encoded).
 * @example withQuery('https://x/y?a=1', { b: '2 3' }) // 'https://x/y?a=1&b=2+3'
 */
export function withQuery(url: string, query: Record<string, string> | undefined): string {
  if (!query || Object.keys(query).length === 0) return url;
  const parsed = new URL(url);
  for (const [name, value] of Object.entries(query)) parsed.searchParams.set(name, value);
  return parsed.toString();
}

/**
 * `next` when it is on the same origin as `base`, else undefined: credentials go only to the
 * configured host, so a paging link elsewhere is never followed.
 * @example sameOrigin('https://graph.facebook.com/v23.0/1/x?after=A', 'https://graph.facebook.com') // the link
 */
export function sameOrigin(next: string | undefined, base: string): string | undefined {
  if (!next) return undefined;
  try {
    return new URL(next).origin === new URL(base).origin ? next : undefined;
  } catch {
    return undefined;
  }
}

export { joinUrl } from '../http-failure';
