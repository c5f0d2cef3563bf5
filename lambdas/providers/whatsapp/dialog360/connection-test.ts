import * as z from 'zod';
import { BspUnavailableError, SendFailedError } from '../../../shared/errors';
import type { ConnectionCheck, ConnectionTester, ProviderCredentials, TestTarget } from '../provider';
import { secretsEqual } from '../cloud-api/constant-time';
import { credentialsRejected } from '../cloud-api/errors';
import { callCloudApi, joinUrl, type CloudApiHttpDeps } from '../cloud-api/http';
import { DIALOG360_BASE_URL, DIALOG360_WEBHOOK_TOKEN_HEADER, dialog360Authorization } from './api';
import { dialog360CredentialsSchema, type Dialog360Credentials } from './credentials';
import { Dialog360Sender } from './sender';
import { sendTestMessage } from '../cloud-api/test-message';

/**
 * The connection test against 360dialog (CLOUD_API.md §7):
 *
 * 1. Credentials: `GET {base}/v1/configs/webhook` with `D360-API-KEY`. 401 = the key is invalid
 *    (or was replaced: a new key revokes the old one).
 * 2. Sender: the number's webhook must point to our URL and carry our secret header. 360dialog's
 *    GET returns the URL but is not documented to return the headers, so "registered with our
 *    header" can only be proven when the GET happens to echo them with our value. Otherwise the
 *    webhook is registered again (`POST {base}/v1/configs/webhook {url, headers}`): the POST
 *    replaces the configuration and is idempotent, so re-registering a correct webhook costs one
 *    call and fixes a wrong one. The check passes when the registration is in place, saying
 *    whether it was (re-)registered.
 * 3. On save: the webhook is registered (a new key invalidates the previous registration).
 * 4. Test message (only when asked): a text through the sender.
 *
 * 429, 5xx and network failures mean 360dialog gave no verdict: `BspUnavailableError`.
 */
export interface Dialog360ConnectionTesterDeps {
  fetch: typeof fetch;
  timeoutMs: number;
  now?: () => Date;
  /** @default DIALOG360_BASE_URL */
  baseUrl?: string;
}

const webhookConfigSchema = z.object({
  url: z.string().nullish(),
  headers: z.record(z.string(), z.unknown()).nullish(),
});

/** What the GET told us about the current registration. */
type Registration = { url?: string; ourHeader: boolean };

/**
 * @example
 * const tester = new Dialog360ConnectionTester({ fetch, timeoutMs: 10_000 });
 * await tester.onSaved(credentials, target); // registers our webhook URL and secret header
 */
export class Dialog360ConnectionTester implements ConnectionTester {
  private readonly http: CloudApiHttpDeps;
  private readonly baseUrl: string;
  private readonly sender: Dialog360Sender;

  constructor(deps: Dialog360ConnectionTesterDeps) {
    this.http = { fetch: deps.fetch, timeoutMs: deps.timeoutMs, now: deps.now };
    this.baseUrl = deps.baseUrl ?? DIALOG360_BASE_URL;
    this.sender = new Dialog360Sender({ fetch: deps.fetch, timeoutMs: deps.timeoutMs, now: deps.now, baseUrl: this.baseUrl });
  }

  async checkCredentials(credentials: ProviderCredentials): Promise<ConnectionCheck> {
    const parsed = dialog360CredentialsSchema.safeParse(credentials);
    if (!parsed.success) return INCOMPLETE;
    try {
      await this.readRegistration(parsed.data);
    } catch (error) {
      return failedCheck(error, 'credentials');
    }
    return { ok: true, detail: '360dialog accepted the API key.' };
  }

  async checkSender(credentials: ProviderCredentials, target: TestTarget): Promise<ConnectionCheck> {
    const parsed = dialog360CredentialsSchema.safeParse(credentials);
    if (!parsed.success) return INCOMPLETE;
    let current: Registration;
    try {
      current = await this.readRegistration(parsed.data);
    } catch (error) {
      return failedCheck(error, 'sender');
    }
    if (current.url === target.webhookUrl && current.ourHeader) {
      return { ok: true, detail: "The number's webhook is registered to our URL with our secret header." };
    }
    const registered = await this.register(parsed.data, target);
    if (!registered.ok) return registered;
    return {
      ok: true,
      detail:
        current.url === target.webhookUrl
          ? "The number's webhook pointed to our URL; it was registered again with our secret header (360dialog does not show registered headers)."
          : current.url
            ? "The number's webhook pointed to another URL; it was registered to our URL with our secret header."
            : "The number had no webhook; it was registered to our URL with our secret header.",
    };
  }

  async onSaved(credentials: ProviderCredentials, target: TestTarget): Promise<ConnectionCheck> {
    const parsed = dialog360CredentialsSchema.safeParse(credentials);
    if (!parsed.success) return INCOMPLETE;
    return this.register(parsed.data, target);
  }

  /** See {@link sendTestMessage}. */
  async sendTestMessage(credentials: ProviderCredentials, target: TestTarget, to: string, text: string): Promise<ConnectionCheck> {
    return sendTestMessage(this.sender, '360dialog', credentials, target, to, text);
  }


  private async readRegistration(credentials: Dialog360Credentials): Promise<Registration> {
    const { body } = await callCloudApi(this.http, {
      method: 'GET',
      url: joinUrl(this.baseUrl, '/v1/configs/webhook'),
      headers: dialog360Authorization(credentials).headers,
      context: { provider: '360dialog' },
    });
    const parsed = webhookConfigSchema.safeParse(body);
    if (!parsed.success) throw new BspUnavailableError('360dialog answered the webhook configuration read with an unreadable body');
    const headers = parsed.data.headers ?? {};
    const name = Object.keys(headers).find((key) => key.toLowerCase() === DIALOG360_WEBHOOK_TOKEN_HEADER.toLowerCase());
    const value = name === undefined ? undefined : headers[name];
    return {
      ...(parsed.data.url ? { url: parsed.data.url } : {}),
      ourHeader: typeof value === 'string' && secretsEqual(value, credentials.webhookSecret),
    };
  }

  /** Registers our URL and secret header; the same verdict rules as a check. */
  private async register(credentials: Dialog360Credentials, target: TestTarget): Promise<ConnectionCheck> {
    try {
      await callCloudApi(this.http, {
        method: 'POST',
        url: joinUrl(this.baseUrl, '/v1/configs/webhook'),
        headers: dialog360Authorization(credentials).headers,
        json: { url: target.webhookUrl, headers: { [DIALOG360_WEBHOOK_TOKEN_HEADER]: credentials.webhookSecret } },
        context: { provider: '360dialog' },
        emptySuccess: true,
      });
    } catch (error) {
      return failedCheck(error, 'register');
    }
    return { ok: true, detail: "The number's webhook was registered to our URL with our secret header." };
  }
}

const INCOMPLETE: ConnectionCheck = {
  ok: false,
  code: 'CREDENTIALS_INVALID',
  detail: 'The saved credentials are incomplete: enter the 360dialog API key again.',
};

/** A failed call is a failed check when 360dialog gave a verdict, and `BspUnavailableError` when it did not. */
function failedCheck(error: unknown, step: 'credentials' | 'sender' | 'register'): ConnectionCheck {
  if (!(error instanceof SendFailedError)) throw error;
  if (error.retryable || error.kind === 'outcome-unknown') {
    throw new BspUnavailableError(`360dialog could not be asked (${error.code})`, { cause: error });
  }
  if (credentialsRejected(error)) {
    return {
      ok: false,
      code: error.code,
      credentialsRejected: true,
      detail: '360dialog rejected the API key: generating a new key revokes the previous one, so paste the newest key from the 360dialog Hub.',
    };
  }
  if (step === 'register') {
    return {
      ok: false,
      code: error.code,
      detail: `360dialog refused to register our webhook URL (${error.code}); it accepts no underscore and no port in the webhook's host name.`,
    };
  }
  return { ok: false, code: error.code, detail: `360dialog refused the ${step === 'credentials' ? 'API key' : 'webhook'} check (${error.code}).` };
}
