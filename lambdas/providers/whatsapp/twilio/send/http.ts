import type { TwilioCredentials } from '../credentials';
import { parseJsonObject } from '../../http-failure';
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

  let response: Response;
  try {
    response = await deps.fetch(call.url, { method: call.method, headers, body, signal: AbortSignal.timeout(deps.timeoutMs) });
  } catch (error) {
    throw classifyTwilioTransportError(error, context);
  }

  let text: string | undefined;
  let readError: unknown;
  try {
    text = await response.text();
  } catch (error) {
    // The timeout may fire while the body streams in: the status line already told us the outcome.
    readError = error;
  }

  if (response.status >= 200 && response.status < 300) {
    const parsed = text === undefined ? undefined : parseJsonObject(text);
    if (!parsed) throw unreadableSuccessError(response.status, context, readError);
    return { status: response.status, body: parsed };
  }
  const parsedError = text === undefined ? undefined : parseJsonObject(text);
  throw classifyTwilioHttpError(response.status, parsedError, response.headers, context);
}

/** Joins a base URL (with or without a trailing slash) and a path. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}
