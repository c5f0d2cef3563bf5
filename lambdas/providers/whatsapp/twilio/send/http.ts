import type { TwilioCredentials } from '../credentials';
import { exchange, parseJsonObject } from '../../http-failure';
import {
  classifyTwilioHttpError,
  classifyTwilioTransportError,
  unreadableSuccessError,
  type ClassifyContext,
} from './errors';

/** What every Twilio REST call needs; injected so tests pass a fake `fetch` and a clock. */
export interface TwilioHttpDeps {
  fetch: typeof fetch;
  /** Whole-call budget (connect, send, answer). */
  timeoutMs: number;
  now?: () => Date;
}

export interface TwilioCall {
  method: 'GET' | 'POST';
  url: string;
  credentials: TwilioCredentials;
  /** Form fields (Messages API). */
  form?: URLSearchParams;
  /** JSON body (Content API). */
  json?: unknown;
  context: ClassifyContext;
}

export interface TwilioAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** HTTP Basic with the Account SID and Auth Token, as Twilio's REST APIs take them. */
export function basicAuth(credentials: TwilioCredentials): string {
  return `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`, 'utf8').toString('base64')}`;
}

/**
 * One Twilio REST call. Resolves with the parsed JSON object of a 2xx answer; throws a classified
 * `SendFailedError` for everything else (see `errors.ts`). The Auth Token goes only into the
 * Authorization header of a request to the configured base URL, and never into an error.
 */
export async function callTwilio(deps: TwilioHttpDeps, call: TwilioCall): Promise<TwilioAnswer> {
  const headers: Record<string, string> = { Authorization: basicAuth(call.credentials), Accept: 'application/json' };
  let body: string | undefined;
  if (call.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = call.form.toString();
  } else if (call.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(call.json);
  }
  const context: ClassifyContext = { ...call.context, now: deps.now?.() ?? new Date() };

  const exchanged = await exchange(deps.fetch, call.url, { method: call.method, headers, ...(body !== undefined && { body }) }, deps.timeoutMs);
  if ('transportError' in exchanged) throw classifyTwilioTransportError(exchanged.transportError, context);
  const { response, text, readError } = exchanged;

  if (response.status >= 200 && response.status < 300) {
    const parsed = parseJsonObject(text);
    if (!parsed) throw unreadableSuccessError(response.status, context, readError);
    return { status: response.status, body: parsed };
  }
  const parsedError = parseJsonObject(text);
  throw classifyTwilioHttpError(response.status, parsedError, response.headers, context);
}

export { joinUrl } from '../../http-failure';
