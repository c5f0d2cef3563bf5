/**
 * The Meta Graph API face: bearer tokens, `/{version}/…` paths, signed webhooks. See `index.ts`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
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
}

export interface MetaSimulatorOptions extends CloudSimulatorOptions {
  accounts: MetaAccount[];
  /**
   * Refuse calls without `appsecret_proof` (the app's "Require App Secret" setting). A proof that is
   * present is always checked: HMAC-SHA256(app secret, access token), hex. @default false
   */
  requireAppSecretProof?: boolean;
}

export interface MetaSimulator extends CloudApiSimulator {
  /** Points a number's webhooks somewhere else (or nowhere). */
  setWebhookUrl(phoneNumberId: string, url: string | undefined): void;
  /** Whether the app is subscribed to the WABA. */
  isSubscribed(wabaId: string): boolean;
}

/** The Graph API version the simulator advertises; any `vNN.N` path is served. */
export const META_SIMULATOR_DEFAULT_VERSION = 'v23.0';

const VERSION = '(v[0-9]{1,3}\\.[0-9]{1,2})';
const MESSAGES_PATH = new RegExp(`^/${VERSION}/([^/]+)/messages/?$`);
const SUBSCRIBED_APPS_PATH = new RegExp(`^/${VERSION}/([^/]+)/subscribed_apps/?$`);
const TEMPLATES_PATH = new RegExp(`^/${VERSION}/([^/]+)/message_templates/?$`);
const NODE_PATH = new RegExp(`^/${VERSION}/([^/]+)/?$`);
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

  constructor(private readonly metaOptions: MetaSimulatorOptions) {
    super(metaOptions);
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
      this.acceptSend(this.ownNumber(numbers, match[2]!, method), context);
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
      platform_type: 'CLOUD_API',
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
