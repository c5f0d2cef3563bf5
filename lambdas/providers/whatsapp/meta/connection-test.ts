import * as z from 'zod';
import { BspUnavailableError, SendFailedError } from '../../../shared/errors';
import type { ConnectionCheck, ConnectionTester, ProviderCredentials, TestTarget } from '../provider';
import { credentialsRejected } from '../cloud-api/errors';
import { CloudApiErrorAnswer, callCloudApi, withQuery, type CloudApiHttpDeps } from '../cloud-api/http';
import { metaAuthorization, metaCredentialsSchema } from './credentials';
import { META_GRAPH_BASE_URL, graphUrl } from './graph';
import { MetaSender } from './sender';
import { sendTestMessage } from '../cloud-api/test-message';

/**
 * The connection test against Meta's Graph API (version `META_GRAPH_VERSION`), every call with the
 * bearer token and `appsecret_proof`:
 *
 * 1. Credentials: `GET /{phone_number_id}?fields=display_phone_number,verified_name,quality_rating`.
 *    Passing proves the token is valid, may read the number, and that the app secret belongs to
 *    the token's app (Graph refuses a wrong `appsecret_proof`); the answer's facts are shown on
 *    the settings page. A display number that differs from the connection's fails the check.
 * 2. Sender: `GET /{waba_id}/subscribed_apps` lists the apps that receive the account's webhooks
 *    (`data[].whatsapp_business_api_data.id`). Without one, no message would ever reach us. With
 *    `appId` configured, that app must be among them.
 * 3. Test message (only when asked): a text through the sender, without our message key.
 *
 * 429, 5xx and network failures mean Meta gave no verdict: `BspUnavailableError` (the admin API
 * answers 502). A refusal (190, 100, 10…) is a failed check with a sentence saying what to fix.
 */
export interface MetaConnectionTesterDeps {
  fetch: typeof fetch;
  timeoutMs: number;
  now?: () => Date;
  /** @default META_GRAPH_BASE_URL */
  graphBaseUrl?: string;
  /** Our Meta app's id, when one app serves every business: then it must be the subscribed one. */
  appId?: string;
}

const phoneNumberSchema = z.object({
  display_phone_number: z.string().optional(),
  verified_name: z.string().optional(),
  quality_rating: z.string().optional(),
});

const subscribedAppsSchema = z.object({
  data: z
    .array(
      z.object({
        whatsapp_business_api_data: z.object({ id: z.union([z.string(), z.number()]).transform(String).optional() }).optional(),
        id: z.union([z.string(), z.number()]).transform(String).optional(),
      }),
    )
    .default([]),
});

const digitsOf = (value: string) => value.replace(/\D/g, '');

/**
 * @example
 * const tester = new MetaConnectionTester({ fetch, timeoutMs: 10_000 });
 * await tester.checkCredentials(credentials, target);
 * // { ok: true, detail: '…', facts: { displayNumber: '+15550783881', verifiedName: 'Acme', qualityRating: 'GREEN' } }
 */
export class MetaConnectionTester implements ConnectionTester {
  private readonly http: CloudApiHttpDeps;
  private readonly graphBaseUrl: string;
  private readonly sender: MetaSender;

  constructor(private readonly deps: MetaConnectionTesterDeps) {
    this.http = { fetch: deps.fetch, timeoutMs: deps.timeoutMs, now: deps.now };
    this.graphBaseUrl = deps.graphBaseUrl ?? META_GRAPH_BASE_URL;
    this.sender = new MetaSender({ fetch: deps.fetch, timeoutMs: deps.timeoutMs, now: deps.now, graphBaseUrl: this.graphBaseUrl });
  }

  async checkCredentials(credentials: ProviderCredentials, target: TestTarget): Promise<ConnectionCheck> {
    const unusable = unusableCredentials(credentials);
    if (unusable) return unusable;
    const phoneNumberId = target.number.providerNumberId;
    if (!phoneNumberId) {
      return { ok: false, code: 'PHONE_NUMBER_ID_MISSING', detail: 'The connection has no phone number ID: enter the one Meta shows under WhatsApp → API Setup.' };
    }
    let body: Record<string, unknown>;
    try {
      body = await this.get(credentials, `/${encodeURIComponent(phoneNumberId)}`, { fields: 'display_phone_number,verified_name,quality_rating' });
    } catch (error) {
      return failedCheck(error, 'credentials');
    }
    const parsed = phoneNumberSchema.safeParse(body);
    if (!parsed.success) throw new BspUnavailableError('Meta answered the phone number read with an unreadable body');
    const { display_phone_number: display, verified_name: verifiedName, quality_rating: qualityRating } = parsed.data;
    const facts: NonNullable<ConnectionCheck['facts']> = {
      ...(display && digitsOf(display) && { displayNumber: `+${digitsOf(display)}` }),
      ...(verifiedName && { verifiedName }),
      ...(qualityRating && { qualityRating }),
    };
    const expected = target.number.displayNumber ? digitsOf(target.number.displayNumber) : '';
    if (expected && facts.displayNumber && digitsOf(facts.displayNumber) !== expected) {
      return {
        ok: false,
        code: 'DISPLAY_NUMBER_MISMATCH',
        detail: `This phone number ID belongs to ${facts.displayNumber}, not to the connection's number: check the phone number ID.`,
        facts,
      };
    }
    return {
      ok: true,
      detail: `Meta accepted the access token and app secret, and the token can use the number${facts.displayNumber ? ` ${facts.displayNumber}` : ''}.`,
      facts,
    };
  }

  async checkSender(credentials: ProviderCredentials, target: TestTarget): Promise<ConnectionCheck> {
    const unusable = unusableCredentials(credentials);
    if (unusable) return unusable;
    const wabaId = target.providerAccountId;
    if (!wabaId) {
      return { ok: false, code: 'WABA_ID_MISSING', detail: 'The connection has no WhatsApp Business Account ID: enter the one Meta shows under WhatsApp → API Setup.' };
    }
    let body: Record<string, unknown>;
    try {
      body = await this.get(credentials, `/${encodeURIComponent(wabaId)}/subscribed_apps`);
    } catch (error) {
      return failedCheck(error, 'sender');
    }
    const parsed = subscribedAppsSchema.safeParse(body);
    if (!parsed.success) throw new BspUnavailableError('Meta answered the subscribed apps read with an unreadable body');
    const apps = parsed.data.data.map((app) => app.whatsapp_business_api_data?.id ?? app.id).filter((id): id is string => Boolean(id));
    const subscribed = this.deps.appId ? apps.includes(this.deps.appId) : parsed.data.data.length > 0;
    if (subscribed) return { ok: true, detail: "An app is subscribed to the WhatsApp Business Account's webhooks: messages will reach us." };
    return {
      ok: false,
      code: 'WEBHOOK_NOT_SUBSCRIBED',
      detail:
        `No${this.deps.appId ? ' matching' : ''} app is subscribed to this WhatsApp Business Account's webhooks, so customers' messages would not reach us. ` +
        `In your Meta app open WhatsApp → Configuration, set the callback URL to ${target.webhookUrl} with the verify token shown here, ` +
        'subscribe to the "messages" field, then subscribe the app to the account (POST /{WABA-ID}/subscribed_apps with the access token).',
    };
  }

  /** See {@link sendTestMessage}. */
  async sendTestMessage(credentials: ProviderCredentials, target: TestTarget, to: string, text: string): Promise<ConnectionCheck> {
    return sendTestMessage(this.sender, 'Meta', credentials, target, to, text);
  }


  private async get(credentials: ProviderCredentials, path: string, query: Record<string, string> = {}): Promise<Record<string, unknown>> {
    const auth = metaAuthorization(credentials);
    const { body } = await callCloudApi(this.http, {
      method: 'GET',
      url: withQuery(graphUrl(this.graphBaseUrl, path), { ...query, ...auth.query }),
      headers: auth.headers,
      context: { provider: 'meta' },
    });
    return body;
  }
}

/** A secret without a token or app secret fails every check before any call. */
function unusableCredentials(credentials: ProviderCredentials): ConnectionCheck | undefined {
  const parsed = metaCredentialsSchema.safeParse(credentials);
  if (parsed.success) return undefined;
  return { ok: false, code: 'CREDENTIALS_INVALID', detail: 'The saved credentials are incomplete: enter the access token and app secret again.' };
}

/** A failed read is a failed check when Meta gave a verdict, and `BspUnavailableError` when it did not. */
function failedCheck(error: unknown, step: 'credentials' | 'sender'): ConnectionCheck {
  if (!(error instanceof SendFailedError)) throw error;
  if (error.retryable || error.kind === 'outcome-unknown') {
    throw new BspUnavailableError(`Meta could not be asked (${error.code})`, { cause: error });
  }
  const answer = error.options.cause instanceof CloudApiErrorAnswer ? error.options.cause : undefined;
  const meta = answer?.metaError ?? {};
  if (error.code === '190' || credentialsRejected(error)) {
    if (error.code === '10') {
      return { ok: false, code: error.code, detail: 'The access token lacks permission for this WhatsApp account: give its system user the account and the whatsapp_business_messaging permission.' };
    }
    return {
      ok: false,
      code: error.code,
      credentialsRejected: true,
      detail: 'Meta rejected the access token (expired or revoked): create a permanent system-user token in Meta Business Settings and paste it again.',
    };
  }
  if (error.code === '100' && /appsecret_proof/i.test(meta.message ?? '')) {
    return {
      ok: false,
      code: 'APP_SECRET_MISMATCH',
      detail: "The app secret does not belong to the access token's app: copy the App secret from that app's App settings → Basic.",
    };
  }
  // Code 100 subcode 33 ("object does not exist or you lack permission") or a 404: a wrong id.
  if (answer?.status === 404 || error.code === '803' || (error.code === '100' && meta.subcode === 33)) {
    return {
      ok: false,
      code: error.code,
      detail:
        step === 'credentials'
          ? 'The token cannot read this phone number ID: check the ID under WhatsApp → API Setup, and that the token’s system user has the WhatsApp account.'
          : 'The token cannot read this WhatsApp Business Account ID: check the ID under WhatsApp → API Setup.',
    };
  }
  return { ok: false, code: error.code, detail: `Meta refused the ${step === 'credentials' ? 'phone number' : 'webhook subscription'} check (${error.code}).` };
}
