/**
 * The Meta Graph API face: bearer tokens, `/{version}/…` paths, signed webhooks. See `index.ts`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { EmbeddedSignupFlow, SIGNUP_PATHS, type CompletedSignup, type EmbeddedSignupApp, type SignupInput } from './embedded-signup';
import { maskIdentifier } from '../../lambdas/domain/redact';
import { CLOUD_CODES, CloudApiError, invalidAccessToken, invalidAppSecretProof, invalidParameter, missingAppSecretProof, unknownObject } from './errors';
import { metaWebhookRequest, type WebhookHttpRequest } from './inbound';
import { ATTACHMENTS_PATH } from './media';
import type { CloudWebhookPayload } from './payloads';
import { CloudSimulatorCore, type CloudApiSimulator, type CloudSimulatorOptions, type RequestContext, type SimulatedNumber } from './server';
import { metaTemplatesPage } from './templates';

export type QualityRating = 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';

/** One phone number of the simulated Meta account. */
export interface MetaAccount {
  /** The `phone_number_id` (numeric string). */
  phoneNumberId: string;
  /** The WhatsApp Business Account id (numeric string). Numbers of one WABA share templates, media and the app subscription. */
  wabaId: string;
  /** E.164. */
  displayNumber: string;
  /** The bearer token that may use this number and its WABA. */
  accessToken: string;
  /** Signs this number's webhooks (`X-Hub-Signature-256`). */
  appSecret: string;
  /** Where this number's webhooks go (the app's callback URL for it). Without one, webhooks are undeliverable. */
  webhookUrl?: string;
  /** @default 'Echo Demo' */
  verifiedName?: string;
  /** @default 'GREEN' */
  qualityRating?: QualityRating;
  /** Whether the app is subscribed to the WABA (`subscribed_apps`); webhooks only flow when it is. @default true */
  subscribed?: boolean;
  /** The app's id and name, as `subscribed_apps` lists them. @default a fixed id, 'Echo' */
  appId?: string;
  appName?: string;
  /**
   * Whether the number is registered for Cloud API use (`POST /{phone-number-id}/register`); an
   * unregistered number cannot send (133010). @default true
   */
  registered?: boolean;
  /** A WhatsApp Business app number onboarded in coexistence (it is registered by the app). @default false */
  coexistence?: boolean;
}

/** A number onboarded through Embedded Signup, and what the onboarding calls did to it. */
export interface OnboardedNumber {
  phoneNumberId: string;
  wabaId: string;
  displayNumber: string;
  coexistence: boolean;
  /** The business token the code was exchanged for (the number's bearer token). */
  accessToken: string;
  registered: boolean;
  /** The 6-digit PIN the registration set (two-step verification). */
  pin?: string;
  subscribed: boolean;
  /** `smb_app_data` sync types started, in order (`smb_app_state_sync`, `history`). */
  syncs: string[];
}

export interface MetaSimulatorOptions extends CloudSimulatorOptions {
  accounts: MetaAccount[];
  /**
   * Refuse calls without `appsecret_proof` (the app's "Require App Secret" setting). A proof that is
   * present is always checked: HMAC-SHA256(app secret, access token), hex. @default false
   */
  requireAppSecretProof?: boolean;
  /**
   * Echo's Meta app, for Embedded Signup (`FB.login` stand-in at `/_simulator/embedded-signup/sdk.js`,
   * the dialog, `GET /{version}/oauth/access_token`). Without it those are not served. See `embedded-signup.ts`.
   */
  app?: EmbeddedSignupApp;
  /** How long a signup code may be exchanged. @default 600000 (the simulator's choice; Meta's is short) */
  signupCodeTtlMs?: number;
}

export interface MetaSimulator extends CloudApiSimulator {
  /** Points a number's webhooks somewhere else (or nowhere). */
  setWebhookUrl(phoneNumberId: string, url: string | undefined): void;
  /** Whether the app is subscribed to the WABA. */
  isSubscribed(wabaId: string): boolean;
  /** Finishes an Embedded Signup as the dialog would (no browser): the ids and the code. Needs `app`. Throws `Error`. */
  completeSignup(input: SignupInput): CompletedSignup;
  /** Numbers onboarded through Embedded Signup whose code was exchanged, and their onboarding state. */
  onboarded(): OnboardedNumber[];
}

/** The Graph API version the simulator advertises; any `vNN.N` path is served. */
export const META_SIMULATOR_DEFAULT_VERSION = 'v23.0';

const VERSION = '(v[0-9]{1,3}\\.[0-9]{1,2})';
const MESSAGES_PATH = new RegExp(`^/${VERSION}/([^/]+)/messages/?$`);
const SUBSCRIBED_APPS_PATH = new RegExp(`^/${VERSION}/([^/]+)/subscribed_apps/?$`);
const TEMPLATES_PATH = new RegExp(`^/${VERSION}/([^/]+)/message_templates/?$`);
const NODE_PATH = new RegExp(`^/${VERSION}/([^/]+)/?$`);
const OAUTH_TOKEN_PATH = new RegExp(`^/${VERSION}/oauth/access_token/?$`);
const REGISTER_PATH = new RegExp(`^/${VERSION}/([^/]+)/register/?$`);
const SMB_APP_DATA_PATH = new RegExp(`^/${VERSION}/([^/]+)/smb_app_data/?$`);
const PHONE_NUMBERS_PATH = new RegExp(`^/${VERSION}/([^/]+)/phone_numbers/?$`);
/** The one-time syncs of a WhatsApp Business app number (`smb_app_data`). */
const SYNC_TYPES = ['smb_app_state_sync', 'history'];
/** The fields of a phone number node that the simulator knows. */
const PHONE_FIELDS = ['verified_name', 'code_verification_status', 'display_phone_number', 'quality_rating', 'platform_type', 'throughput', 'webhook_configuration', 'name_status', 'id'];

/** `+14155238886` → `+1 415-523-8886`, the way Graph writes North American numbers; others stay `+<digits>`. */
export function graphDisplayNumber(e164: string): string {
  const match = /^\+1([2-9][0-9]{2})([0-9]{3})([0-9]{4})$/.exec(e164);
  return match ? `+1 ${match[1]}-${match[2]}-${match[3]}` : e164;
}

interface MetaNumber extends SimulatedNumber {
  account: MetaAccount;
}

class MetaSimulatorServer extends CloudSimulatorCore implements MetaSimulator {
  protected readonly label = 'meta simulator';
  private readonly byPhoneNumberId = new Map<string, MetaNumber>();
  private readonly webhookUrls = new Map<string, string | undefined>();
  private readonly subscriptions = new Map<string, boolean>();
  private readonly signup?: EmbeddedSignupFlow;
  /** Numbers added by an exchanged signup code (forgotten by `reset()`), with their onboarding state. */
  private readonly signedUp = new Map<string, { pin?: string; syncs: string[] }>();

  constructor(private readonly metaOptions: MetaSimulatorOptions) {
    super(metaOptions);
    if (metaOptions.app) {
      this.signup = new EmbeddedSignupFlow(metaOptions.app, {
        now: this.now,
        ...(metaOptions.signupCodeTtlMs !== undefined && { codeTtlMs: metaOptions.signupCodeTtlMs }),
        existingIds: (displayNumber) => {
          const number = [...this.byPhoneNumberId.values()].find((candidate) => candidate.displayNumber === displayNumber);
          if (!number) return undefined;
          if (!this.signedUp.has(number.phoneNumberId)) return 'taken';
          return { phoneNumberId: number.phoneNumberId, wabaId: number.wabaId, businessId: `${number.wabaId}0` };
        },
      });
    }
    for (const account of metaOptions.accounts) {
      if (this.byPhoneNumberId.has(account.phoneNumberId)) throw new Error(`phone number id ${account.phoneNumberId} is listed twice`);
      this.byPhoneNumberId.set(account.phoneNumberId, {
        phoneNumberId: account.phoneNumberId,
        wabaId: account.wabaId,
        displayNumber: account.displayNumber,
        verifiedName: account.verifiedName ?? 'Echo Demo',
        qualityRating: account.qualityRating ?? 'GREEN',
        account,
      });
    }
    this.resetConfiguration();
  }

  protected resetConfiguration(): void {
    for (const phoneNumberId of this.signedUp.keys()) {
      this.byPhoneNumberId.delete(phoneNumberId);
      this.webhookUrls.delete(phoneNumberId);
    }
    this.signedUp.clear();
    this.signup?.reset();
    this.subscriptions.clear();
    for (const account of this.metaOptions.accounts) {
      this.webhookUrls.set(account.phoneNumberId, account.webhookUrl);
      if (!this.subscriptions.has(account.wabaId) || account.subscribed === false) this.subscriptions.set(account.wabaId, account.subscribed ?? true);
    }
  }

  setWebhookUrl(phoneNumberId: string, url: string | undefined): void {
    if (!this.byPhoneNumberId.has(phoneNumberId)) throw new Error('unknown phone number id');
    this.webhookUrls.set(phoneNumberId, url);
  }

  isSubscribed(wabaId: string): boolean {
    return this.subscriptions.get(wabaId) ?? false;
  }

  completeSignup(input: SignupInput): CompletedSignup {
    if (!this.signup) throw new Error('the Meta simulator has no app: start it with `app` for Embedded Signup');
    return this.signup.complete(input);
  }

  onboarded(): OnboardedNumber[] {
    return [...this.signedUp.entries()].map(([phoneNumberId, state]) => {
      const { account } = this.byPhoneNumberId.get(phoneNumberId)!;
      return {
        phoneNumberId,
        wabaId: account.wabaId,
        displayNumber: account.displayNumber,
        coexistence: account.coexistence ?? false,
        accessToken: account.accessToken,
        registered: account.registered ?? true,
        ...(state.pin !== undefined && { pin: state.pin }),
        subscribed: this.isSubscribed(account.wabaId),
        syncs: [...state.syncs],
      };
    });
  }

  protected routePage(method: string, url: URL, body: string, response: ServerResponse): boolean {
    if (!this.signup) return false;
    const html = (page: { status: number; html: string }) => {
      response.writeHead(page.status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(page.html);
    };
    if (method === 'GET' && url.pathname === SIGNUP_PATHS.sdk) {
      const script = this.signup.sdkScript(this.url);
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      response.end(script);
      return true;
    }
    if (method === 'GET' && url.pathname === SIGNUP_PATHS.dialog) {
      html(this.signup.dialogPage(url.searchParams));
      return true;
    }
    if (method === 'POST' && url.pathname === SIGNUP_PATHS.complete) {
      const page = this.signup.completePage(body);
      if (page.signup) this.log?.(`meta simulator: Embedded Signup finished for ${maskIdentifier(page.signup.displayNumber)}${page.signup.coexistence ? ' (WhatsApp Business app)' : ''}`);
      html(page);
      return true;
    }
    return false;
  }

  /** `GET /oauth/access_token`: the code becomes a business token, and the number one of the simulator's. */
  private exchangeCode(context: RequestContext): void {
    if (!this.signup) throw new CloudApiError(2500, `Unknown path components: ${context.path}`);
    const { signup, token } = this.signup.exchange({
      clientId: context.query.get('client_id'),
      clientSecret: context.query.get('client_secret'),
      code: context.query.get('code'),
    });
    const app = this.signup.app;
    const existing = this.byPhoneNumberId.get(signup.phoneNumberId);
    const account: MetaAccount = existing
      ? { ...existing.account, accessToken: token }
      : {
          phoneNumberId: signup.phoneNumberId,
          wabaId: signup.wabaId,
          displayNumber: signup.displayNumber,
          accessToken: token,
          appSecret: app.appSecret,
          ...(app.webhookUrl !== undefined && { webhookUrl: app.webhookUrl }),
          verifiedName: signup.verifiedName,
          appId: app.appId,
          appName: app.appName ?? 'Echo',
          // The app is subscribed by the onboarding; a new number is registered by it too.
          subscribed: false,
          registered: signup.coexistence,
          coexistence: signup.coexistence,
        };
    this.byPhoneNumberId.set(signup.phoneNumberId, {
      phoneNumberId: account.phoneNumberId,
      wabaId: account.wabaId,
      displayNumber: account.displayNumber,
      verifiedName: account.verifiedName ?? 'Echo Signup Business',
      qualityRating: account.qualityRating ?? 'GREEN',
      account,
    });
    if (!existing) {
      this.webhookUrls.set(signup.phoneNumberId, app.webhookUrl);
      this.subscriptions.set(signup.wabaId, false);
      this.signedUp.set(signup.phoneNumberId, { syncs: [] });
    }
    this.log?.(`meta simulator: signup code exchanged for a business token (number ${maskIdentifier(signup.displayNumber)})`);
    this.sendJson(context.response, 200, { access_token: token, token_type: 'bearer' });
  }

  /** `POST /{phone-number-id}/register` `{ messaging_product, pin }`. */
  private register(number: MetaNumber, context: RequestContext): void {
    const body = this.parseJson(context.body) as { messaging_product?: unknown; pin?: unknown } | null;
    if (body?.messaging_product !== 'whatsapp') throw invalidParameter('messaging_product must be "whatsapp"', '(#100) The parameter messaging_product is required.');
    if (typeof body.pin !== 'string' || !/^\d{6}$/.test(body.pin)) throw invalidParameter('pin must be 6 digits', '(#100) The parameter pin is required.');
    if (number.account.coexistence) {
      // The simulator's choice (Meta's answer is not documented): the app registered the number.
      throw invalidParameter('This number is registered by the WhatsApp Business app (coexistence): it must not be registered again.', '(#100) Invalid parameter');
    }
    const state = this.signedUp.get(number.phoneNumberId);
    if (state?.pin !== undefined && state.pin !== body.pin) {
      throw new CloudApiError(133005, '(#133005) Two step verification PIN Mismatch', { details: 'The PIN does not match the one set for two-step verification.' });
    }
    number.account.registered = true;
    if (state) state.pin = body.pin;
    this.log?.(`meta simulator: number ${maskIdentifier(number.displayNumber)} registered`);
    this.sendJson(context.response, 200, { success: true });
  }

  /** `POST /{phone-number-id}/smb_app_data` `{ messaging_product, sync_type }`: once per type, coexistence numbers only. */
  private smbAppData(number: MetaNumber, context: RequestContext): void {
    const body = this.parseJson(context.body) as { messaging_product?: unknown; sync_type?: unknown } | null;
    if (body?.messaging_product !== 'whatsapp') throw invalidParameter('messaging_product must be "whatsapp"');
    if (typeof body.sync_type !== 'string' || !SYNC_TYPES.includes(body.sync_type)) throw invalidParameter(`sync_type must be one of ${SYNC_TYPES.join(', ')}`);
    if (!number.account.coexistence) throw invalidParameter('Only WhatsApp Business app numbers (coexistence) can be synchronized.');
    const state = this.signedUp.get(number.phoneNumberId) ?? { syncs: [] };
    if (state.syncs.includes(body.sync_type)) throw invalidParameter(`The ${body.sync_type} synchronization was already started for this number; it can be started once.`);
    state.syncs.push(body.sync_type);
    this.signedUp.set(number.phoneNumberId, state);
    this.log?.(`meta simulator: ${body.sync_type} synchronization started for ${maskIdentifier(number.displayNumber)}`);
    this.sendJson(context.response, 200, { success: true });
  }

  protected numbers(): SimulatedNumber[] {
    return [...this.byPhoneNumberId.values()];
  }

  protected errorBody(error: CloudApiError): unknown {
    return error.toGraphBody();
  }

  protected webhookRequest(number: SimulatedNumber, payload: CloudWebhookPayload): { url: string; request: WebhookHttpRequest } | undefined {
    const url = this.webhookUrls.get(number.phoneNumberId);
    // Meta only posts a WABA's events to apps subscribed to it.
    if (!url || !this.isSubscribed(number.wabaId)) return undefined;
    return { url, request: metaWebhookRequest(payload, (number as MetaNumber).account.appSecret) };
  }

  protected routeApi(context: RequestContext): void {
    const { method, path, query } = context;
    if (OAUTH_TOKEN_PATH.test(path)) {
      // The app's own credentials authenticate the exchange, not a bearer token.
      this.requireMethod(method, 'GET', 'oauth');
      this.exchangeCode(context);
      return;
    }
    // Graph checks the token before it looks at the path.
    const token = this.tokenOf(context);
    const numbers = this.numbersOfToken(token);
    this.checkAppSecretProof(token as string, numbers, context.query.get('appsecret_proof'));
    let match: RegExpExecArray | null;
    if (path === ATTACHMENTS_PATH || path === ATTACHMENTS_PATH.slice(0, -1)) {
      this.requireMethod(method, 'GET', path);
      this.download(numbers, context);
    } else if ((match = MESSAGES_PATH.exec(path))) {
      this.requireMethod(method, 'POST', match[2]!);
      const number = this.ownNumber(numbers, match[2]!, method);
      if (number.account.registered === false) {
        throw new CloudApiError(133010, '(#133010) Account not registered', { details: 'The phone number is not registered on the WhatsApp Business Platform.' });
      }
      this.acceptSend(number, context);
    } else if ((match = REGISTER_PATH.exec(path))) {
      this.requireMethod(method, 'POST', match[2]!);
      this.register(this.ownNumber(numbers, match[2]!, method), context);
    } else if ((match = SMB_APP_DATA_PATH.exec(path))) {
      this.requireMethod(method, 'POST', match[2]!);
      this.smbAppData(this.ownNumber(numbers, match[2]!, method), context);
    } else if ((match = PHONE_NUMBERS_PATH.exec(path))) {
      this.requireMethod(method, 'GET', match[2]!);
      const wabaId = this.ownWaba(numbers, match[2]!, method);
      const data = numbers.filter((number) => number.wabaId === wabaId).map((number) => this.phoneNumberNode(number, context.query.get('fields')));
      this.sendJson(context.response, 200, { data });
    } else if ((match = SUBSCRIBED_APPS_PATH.exec(path))) {
      this.subscribedApps(numbers, match[2]!, context);
    } else if ((match = TEMPLATES_PATH.exec(path))) {
      const wabaId = this.ownWaba(numbers, match[2]!, method);
      if (method === 'GET') {
        const base = `${this.url}${path}`;
        this.sendJson(context.response, 200, metaTemplatesPage(this.templatesOf(wabaId), query, (after) => {
          const next = new URLSearchParams(query);
          next.delete('access_token');
          next.set('after', after);
          return `${base}?${next.toString()}`;
        }));
      } else if (method === 'POST') {
        const template = this.createTemplate(wabaId, this.parseJson(context.body));
        this.sendJson(context.response, 200, { id: template.id, status: 'PENDING', category: template.category });
      } else {
        throw unknownObject(method, match[2]!);
      }
    } else if ((match = NODE_PATH.exec(path))) {
      this.requireMethod(method, 'GET', match[2]!);
      this.node(numbers, match[2]!, context);
    } else {
      throw new CloudApiError(2500, `Unknown path components: ${path}`);
    }
  }

  private tokenOf(context: RequestContext): string | undefined {
    const header = context.headers.authorization;
    if (typeof header === 'string') {
      const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
      return match?.[1];
    }
    return context.query.get('access_token') ?? undefined;
  }

  private numbersOfToken(token: string | undefined): MetaNumber[] {
    const numbers = token ? [...this.byPhoneNumberId.values()].filter((number) => number.account.accessToken === token) : [];
    if (numbers.length === 0) throw invalidAccessToken();
    return numbers;
  }

  /** Graph refuses a wrong proof, which is how a client learns its app secret is not the token's app's. */
  private checkAppSecretProof(token: string, numbers: MetaNumber[], proof: string | null): void {
    if (proof === null) {
      if (this.metaOptions.requireAppSecretProof) throw missingAppSecretProof();
      return;
    }
    const given = Buffer.from(proof, 'utf8');
    const valid = numbers.some((number) => {
      const expected = Buffer.from(createHmac('sha256', number.account.appSecret).update(token, 'utf8').digest('hex'), 'utf8');
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
    if (!valid) throw invalidAppSecretProof();
  }

  private requireMethod(method: string, allowed: string, id: string): void {
    if (method !== allowed) throw unknownObject(method, id);
  }

  private ownNumber(numbers: MetaNumber[], phoneNumberId: string, method: string): MetaNumber {
    const number = numbers.find((candidate) => candidate.phoneNumberId === phoneNumberId);
    if (!number) throw unknownObject(method, phoneNumberId);
    return number;
  }

  private ownWaba(numbers: MetaNumber[], wabaId: string, method: string): string {
    if (!numbers.some((number) => number.wabaId === wabaId)) throw unknownObject(method, wabaId);
    return wabaId;
  }

  /** `GET /{version}/{id}`: a phone number, a media, or a WABA of the token. */
  private node(numbers: MetaNumber[], id: string, context: RequestContext): void {
    const number = numbers.find((candidate) => candidate.phoneNumberId === id);
    if (number) {
      this.sendJson(context.response, 200, this.phoneNumberNode(number, context.query.get('fields')));
      return;
    }
    for (const wabaId of new Set(numbers.map((candidate) => candidate.wabaId))) {
      const media = this.mediaOf(id, wabaId);
      if (media) {
        this.sendJson(context.response, 200, this.media.describe(media, { origin: this.url, now: this.now(), ttlMs: this.mediaUrlTtlMs }));
        return;
      }
    }
    const waba = numbers.find((candidate) => candidate.wabaId === id);
    if (waba) {
      this.sendJson(context.response, 200, { id, name: `${waba.verifiedName} WABA`, currency: 'USD', timezone_id: '1', message_template_namespace: `echo_sim_${id}` });
      return;
    }
    throw unknownObject('GET', id);
  }

  private phoneNumberNode(number: MetaNumber, fields: string | null): Record<string, unknown> {
    const all: Record<string, unknown> = {
      verified_name: number.verifiedName,
      code_verification_status: 'VERIFIED',
      display_phone_number: graphDisplayNumber(number.displayNumber),
      quality_rating: number.qualityRating,
      platform_type: number.account.registered === false ? 'NOT_APPLICABLE' : 'CLOUD_API',
      throughput: { level: 'STANDARD' },
      webhook_configuration: { application: this.webhookUrls.get(number.phoneNumberId) ?? '' },
      name_status: 'APPROVED',
      id: number.phoneNumberId,
    };
    if (fields === null) {
      const { name_status: _omitted, ...defaults } = all;
      return defaults;
    }
    const wanted = fields.split(',').map((field) => field.trim()).filter(Boolean);
    const unknown = wanted.find((field) => !PHONE_FIELDS.includes(field));
    if (unknown) throw invalidParameter(`unknown field ${unknown}`, `(#100) Tried accessing nonexisting field (${unknown}) on node type (WhatsAppBusinessPhoneNumber)`);
    return Object.fromEntries(Object.entries(all).filter(([key]) => key === 'id' || wanted.includes(key)));
  }

  private subscribedApps(numbers: MetaNumber[], wabaId: string, context: RequestContext): void {
    const owned = numbers.find((number) => number.wabaId === wabaId);
    if (!owned) throw unknownObject(context.method, wabaId);
    const { appId, appName } = owned.account;
    if (context.method === 'GET') {
      const app = { link: `https://www.facebook.com/games/?app_id=${appId ?? '1000000000000001'}`, name: appName ?? 'Echo', id: appId ?? '1000000000000001' };
      this.sendJson(context.response, 200, { data: this.isSubscribed(wabaId) ? [{ whatsapp_business_api_data: app }] : [] });
    } else if (context.method === 'POST' || context.method === 'DELETE') {
      this.subscriptions.set(wabaId, context.method === 'POST');
      this.log?.(`meta simulator: app ${context.method === 'POST' ? 'subscribed to' : 'unsubscribed from'} WABA ${wabaId}`);
      this.sendJson(context.response, 200, { success: true });
    } else {
      throw unknownObject(context.method, wabaId);
    }
  }

  /** The lookaside download: the token must reach the media's WABA and the link must be valid. */
  private download(numbers: MetaNumber[], context: RequestContext): void {
    for (const wabaId of new Set(numbers.map((number) => number.wabaId))) {
      const media = this.media.resolveDownload(context.query, wabaId, this.now());
      if (media) {
        this.sendMedia(context.response, media);
        return;
      }
    }
    throw new CloudApiError(CLOUD_CODES.invalidParameter, 'URL signature mismatch or expired', { status: 404 });
  }
}

/**
 * Starts the Meta Graph API simulator. See `index.ts`.
 * @example
 * const meta = await startMetaSimulator({ accounts: [{ phoneNumberId: '100000000000001', wabaId: '200000000000001',
 *   displayNumber: '+15550100001', accessToken, appSecret, webhookUrl: `${base}/webhook/whatsapp/meta/demo-meta` }] });
 * process.env.META_GRAPH_BASE_URL = meta.url;
 */
export async function startMetaSimulator(options: MetaSimulatorOptions): Promise<MetaSimulator> {
  const simulator = new MetaSimulatorServer(options);
  await simulator.listen();
  return simulator;
}
