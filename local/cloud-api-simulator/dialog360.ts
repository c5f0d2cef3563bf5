/**
 * The 360dialog face: `D360-API-KEY` on every call, no phone number id in paths, webhooks to the
 * URL registered with `POST /v1/configs/webhook` with the registered headers. See `index.ts`.
 */
import { createHash } from 'node:crypto';
import { CloudApiError, invalidApiKey } from './errors';
import { dialog360WebhookRequest, type WebhookHttpRequest } from './inbound';
import { ATTACHMENTS_PATH, LOOKASIDE_ORIGIN } from './media';
import { digitsOf, type CloudWebhookPayload } from './payloads';
import { CloudSimulatorCore, type CloudApiSimulator, type CloudSimulatorOptions, type RequestContext, type SimulatedNumber } from './server';
import { dialog360Item, dialog360TemplatesList } from './templates';

/** A registered webhook: where 360dialog posts, and the headers it sends along. */
export interface Dialog360Webhook {
  url: string;
  headers: Record<string, string>;
}

/** One number (one API key) of the simulated 360dialog account. */
export interface Dialog360Account {
  /** The number's API key (`D360-API-KEY`). */
  apiKey: string;
  /** E.164. */
  displayNumber: string;
  /** Meta's phone number id, as the relayed webhooks carry it. @default derived from the number */
  phoneNumberId?: string;
  /** @default derived from the number */
  wabaId?: string;
  /** Registered from the start (as if set earlier); otherwise statuses are undeliverable until registered. */
  webhook?: { url: string; headers?: Record<string, string> };
  /** @default 'Echo Demo' */
  verifiedName?: string;
}

export interface Dialog360SimulatorOptions extends CloudSimulatorOptions {
  accounts: Dialog360Account[];
  /**
   * Refuse webhook URLs the way the real 360dialog does: https only, no port, no `_` in the host
   * (CLOUD_API.md §7). Off by default, since the local runtime's webhook is `http://127.0.0.1:<port>`.
   * @default false
   */
  strictWebhookUrls?: boolean;
}

export interface Dialog360Simulator extends CloudApiSimulator {
  /** The webhook registered for a number (phone number id or E.164), if any. */
  webhookOf(account?: string): Dialog360Webhook | undefined;
}

interface Dialog360Number extends SimulatedNumber {
  apiKey: string;
}

/** A stable 15-digit id from a seed, for the ids 360dialog's relayed payloads carry. */
function derivedId(prefix: string, seed: string): string {
  const hex = createHash('sha256').update(`${prefix}:${seed}`).digest('hex').slice(0, 12);
  return `${prefix === 'waba' ? '3' : '4'}${String(BigInt(`0x${hex}`)).padStart(14, '0').slice(0, 14)}`;
}

const MEDIA_ID = /^\/([0-9]{5,30})\/?$/;

class Dialog360SimulatorServer extends CloudSimulatorCore implements Dialog360Simulator {
  protected readonly label = '360dialog simulator';
  private readonly byKey = new Map<string, Dialog360Number>();
  private readonly webhooks = new Map<string, Dialog360Webhook>();

  constructor(private readonly dialogOptions: Dialog360SimulatorOptions) {
    super(dialogOptions);
    for (const account of dialogOptions.accounts) {
      if (this.byKey.has(account.apiKey)) throw new Error('an API key is listed twice');
      const number: Dialog360Number = {
        apiKey: account.apiKey,
        displayNumber: account.displayNumber,
        phoneNumberId: account.phoneNumberId ?? derivedId('phone', account.displayNumber),
        wabaId: account.wabaId ?? derivedId('waba', account.displayNumber),
        verifiedName: account.verifiedName ?? 'Echo Demo',
        qualityRating: 'GREEN',
      };
      this.byKey.set(account.apiKey, number);
    }
    this.resetConfiguration();
  }

  protected resetConfiguration(): void {
    this.webhooks.clear();
    for (const account of this.dialogOptions.accounts) {
      if (account.webhook) this.webhooks.set(account.apiKey, { url: account.webhook.url, headers: { ...account.webhook.headers } });
    }
  }

  webhookOf(account?: string): Dialog360Webhook | undefined {
    const number = this.numberFor(account) as Dialog360Number;
    const webhook = this.webhooks.get(number.apiKey);
    return webhook && { url: webhook.url, headers: { ...webhook.headers } };
  }

  protected numbers(): SimulatedNumber[] {
    return [...this.byKey.values()];
  }

  protected errorBody(error: CloudApiError): unknown {
    // 360dialog answers its own errors in its shape and relays Meta's (validation, throughput).
    return error.dialog360 ? error.toDialog360Body() : error.toGraphBody();
  }

  protected webhookRequest(number: SimulatedNumber, payload: CloudWebhookPayload): { url: string; request: WebhookHttpRequest } | undefined {
    const webhook = this.webhooks.get((number as Dialog360Number).apiKey);
    if (!webhook) return undefined;
    return { url: webhook.url, request: dialog360WebhookRequest(payload, webhook.headers) };
  }

  protected routeApi(context: RequestContext): void {
    const { method, path } = context;
    const number = this.authenticate(context);
    let match: RegExpExecArray | null;
    if (path === '/messages' || path === '/messages/') {
      this.requireMethod(method, ['POST']);
      this.acceptSend(number, context);
    } else if (path === '/v1/configs/webhook') {
      this.requireMethod(method, ['GET', 'POST']);
      if (method === 'POST') this.register(number, context);
      const webhook = this.webhooks.get(number.apiKey);
      // 360dialog's reference shows `{ url, headers }` for the POST; GET answers the same config.
      this.sendJson(context.response, 200, webhook ? { url: webhook.url, headers: webhook.headers } : { url: null, headers: {} });
    } else if (path === '/v1/configs/templates') {
      this.requireMethod(method, ['GET', 'POST']);
      if (method === 'GET') {
        this.sendJson(context.response, 200, dialog360TemplatesList(this.templatesOf(number.wabaId), context.query));
      } else {
        // Just submitted, whatever the approval delay: the review comes later.
        this.sendJson(context.response, 201, { ...dialog360Item(this.createTemplate(number.wabaId, this.parseJson(context.body))), status: 'submitted' });
      }
    } else if (path === ATTACHMENTS_PATH || path === ATTACHMENTS_PATH.slice(0, -1)) {
      this.requireMethod(method, ['GET']);
      const media = this.media.resolveDownload(context.query, number.wabaId, this.now());
      if (!media) throw new CloudApiError(404, 'Media not found or link expired', { status: 404, dialog360: true });
      this.sendMedia(context.response, media);
    } else if ((match = MEDIA_ID.exec(path))) {
      this.requireMethod(method, ['GET']);
      const media = this.mediaOf(match[1]!, number.wabaId);
      if (!media) throw new CloudApiError(100, `(#100) Invalid parameter`, { details: `media ${match[1]} does not exist` });
      // The link keeps Meta's lookaside origin: clients swap it for the 360dialog base (CLOUD_API.md §7).
      this.sendJson(context.response, 200, this.media.describe(media, { origin: LOOKASIDE_ORIGIN, now: this.now(), ttlMs: this.mediaUrlTtlMs }));
    } else {
      throw new CloudApiError(404, `Not found: ${path}`, { status: 404, dialog360: true });
    }
  }

  private authenticate(context: RequestContext): Dialog360Number {
    const key = context.headers['d360-api-key'];
    const number = typeof key === 'string' ? this.byKey.get(key) : undefined;
    if (!number) throw invalidApiKey();
    return number;
  }

  private requireMethod(method: string, allowed: string[]): void {
    if (!allowed.includes(method)) throw new CloudApiError(405, `Method ${method} not allowed`, { status: 405, dialog360: true });
  }

  private register(number: Dialog360Number, context: RequestContext): void {
    let body: unknown;
    try {
      body = JSON.parse(context.body);
    } catch {
      throw this.badRequest('the body must be JSON');
    }
    const input = (typeof body === 'object' && body !== null ? body : {}) as { url?: unknown; headers?: unknown };
    if (typeof input.url !== 'string' || !this.validWebhookUrl(input.url)) {
      throw this.badRequest(this.dialogOptions.strictWebhookUrls ? 'url must be an https URL without a port or "_" in the host' : 'url must be an http(s) URL');
    }
    const headers = input.headers ?? {};
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers) || !Object.values(headers).every((value) => typeof value === 'string')) {
      throw this.badRequest('headers must be an object of strings');
    }
    this.webhooks.set(number.apiKey, { url: input.url, headers: { ...(headers as Record<string, string>) } });
    this.log?.(`360dialog simulator: webhook registered for ***${digitsOf(number.displayNumber).slice(-4)} (headers: ${Object.keys(headers).join(', ') || 'none'})`);
  }

  private validWebhookUrl(value: string): boolean {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return false;
    }
    if (this.dialogOptions.strictWebhookUrls) return url.protocol === 'https:' && url.port === '' && !url.hostname.includes('_');
    return url.protocol === 'https:' || url.protocol === 'http:';
  }

  private badRequest(details: string): CloudApiError {
    return new CloudApiError(400, 'Bad Request', { status: 400, details, dialog360: true });
  }
}

/**
 * Starts the 360dialog simulator. See `index.ts`.
 * @example
 * const d360 = await startDialog360Simulator({ accounts: [{ apiKey, displayNumber: '+15550100002' }] });
 * process.env.DIALOG360_BASE_URL = d360.url;
 */
export async function startDialog360Simulator(options: Dialog360SimulatorOptions): Promise<Dialog360Simulator> {
  const simulator = new Dialog360SimulatorServer(options);
  await simulator.listen();
  return simulator;
}
