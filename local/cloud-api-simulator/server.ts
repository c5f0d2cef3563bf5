/**
 * What the Meta and 360dialog simulators share: the HTTP plumbing, the send path (faults,
 * validation, acceptance, lost answers), status webhooks with retries, inbound webhooks, templates,
 * media and the `/_simulator/*` control endpoints. Each face (`meta.ts`, `dialog360.ts`) adds its
 * authentication, its paths and how its webhooks are addressed and signed. See `index.ts`.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { maskIdentifier } from '../../lambdas/domain/redact';
import { WebhookPoster, type AttemptResult } from './delivery';
import { CLOUD_CODES, CloudApiError } from './errors';
import { chooseAsyncFailure, chooseLostAnswer, chooseSyncFault, parseCloudFaults, serverError, type CloudFaults, type LostAnswer } from './faults';
import { inboundPayload, textBatch, type CloudInboundMessage, type WebhookHttpRequest } from './inbound';
import { coexistencePayload, type CoexistenceInput } from './coexistence';
import { validateCloudRequest, waIdOf, type CloudMessageType, type CloudSend } from './messages';
import { MediaStore, type MediaView, type StoredMedia } from './media';
import { newWamid, statusPayload, type CloudStatus, type CloudWebhookPayload, type WebhookNumber } from './payloads';
import {
  duplicateTemplate,
  templateId,
  templateStatusAt,
  validateTemplateCreate,
  type SimulatedTemplate,
  type TemplateCategory,
  type TemplateStatus,
} from './templates';

export type SimulatedCloudStatus = 'accepted' | CloudStatus;

/** An accepted send, as `messages()` and `GET /_simulator/messages` show it. */
export interface CloudSimulatedMessage {
  /** The wamid answered. */
  id: string;
  phoneNumberId: string;
  /** `to` or `recipient`, as sent. */
  to: string;
  recipientKind: CloudSend['recipientKind'];
  type: CloudMessageType;
  /** Text body, caption or interactive body. */
  preview: string;
  /** `biz_opaque_callback_data`, echoed on every status. */
  callbackData?: string;
  template?: { name: string; language: string };
  replyTo?: string;
  /** The request body as parsed. */
  body: Record<string, unknown>;
  status: SimulatedCloudStatus;
  statusHistory: SimulatedCloudStatus[];
  errorCode?: number;
  /** Epoch ms (the simulator's clock). */
  acceptedAt: number;
  /** Set when the lost-answer fault hit this send: accepted, but the client saw a 500 or a dead socket. */
  lostAnswer?: LostAnswer;
  /** A business-scoped user id in `to`: accepted and silently dropped (no status ever comes). */
  dropped?: boolean;
}

/** A mark-read (`status: 'read'`) request. */
export interface CloudMarkRead {
  phoneNumberId: string;
  messageId: string;
  /** With `typing_indicator`. */
  typing: boolean;
  at: number;
}

/** One webhook the simulator posted (or could not): statuses and inbound messages. */
export interface WebhookDelivery {
  kind: 'status' | 'inbound';
  phoneNumberId: string;
  /** The status posted, for `kind: 'status'`. */
  status?: CloudStatus;
  /** The wamids the webhook is about. */
  messageIds: string[];
  url?: string;
  /** `pending` while attempts remain; `undeliverable` when no webhook is configured (or subscribed). */
  outcome: 'pending' | 'delivered' | 'failed' | 'undeliverable';
  attempts: AttemptResult[];
}

export interface CloudSimulatorStats {
  /** API requests (control endpoints excluded). */
  requests: number;
  accepted: number;
  /** Refused API requests by error code (`'130429'`, `'100'`, …). */
  rejected: Record<string, number>;
  reads: number;
  lostAnswers: number;
  webhooksDelivered: number;
  /** Given up after every retry. */
  webhooksFailed: number;
  webhookRetries: number;
  webhooksUndeliverable: number;
  /** Status chains and deliveries still running. */
  pending: number;
}

/** What `postInbound` (and `POST /_simulator/inbound`) answers, once the first attempt is known. */
export interface InboundResult {
  messageIds: string[];
  url?: string;
  /** The webhook's answer to the first attempt; absent when the webhook is not configured. */
  firstAttempt?: AttemptResult;
  outcome: WebhookDelivery['outcome'];
  /** True when the first attempt failed and the simulator keeps retrying in the background. */
  retrying: boolean;
}

/** What `POST /_simulator/inbound` takes: explicit messages, or the `textBatch` shorthand. */
export interface InboundInput {
  /** The number: phone number id or E.164 display number. @default the only account */
  account?: string;
  messages?: CloudInboundMessage[];
  from?: string;
  text?: string;
  name?: string;
  /** Messages in the batch (one POST). @default 1 */
  count?: number;
  /** Customers the batch comes from (≤ count). @default 1 */
  customers?: number;
}

export interface CloudSimulatorOptions {
  /** 0 = a free port. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Delays after acceptance of the `sent`, `delivered` and `read` status webhooks. @default { sent: 200, delivered: 500, read: 900 } */
  callbackDelaysMs?: { sent: number; delivered: number; read: number };
  faults?: CloudFaults;
  /** @default Math.random */
  random?: () => number;
  /** The clock of timestamps, template approval and media link expiry. @default Date.now */
  now?: () => number;
  log?: (line: string) => void;
  /** Waits before each retry of a failed webhook POST; their count bounds the retries. @default [1000, 5000, 15000] */
  webhookRetryDelaysMs?: number[];
  /** Per attempt. @default 15000 */
  webhookTimeoutMs?: number;
  /** How long a created template stays `PENDING`. 0 = approved on the first read. @default 0 */
  templateApprovalDelayMs?: number;
  /** How long a media download URL is valid (Cloud API: 5 minutes). @default 300000 */
  mediaUrlTtlMs?: number;
  /**
   * Templates that exist from the start (and again after `reset()`), approved unless `status` says
   * otherwise: in the given WABA, or in every WABA of the simulator without `wabaId`.
   */
  templates?: Array<SeedTemplate & { wabaId?: string }>;
}

export interface SeedTemplate {
  name: string;
  language: string;
  category: TemplateCategory;
  components?: unknown[];
  status?: 'PENDING' | 'APPROVED' | 'REJECTED';
}

/** The public face of both simulators. */
export interface CloudApiSimulator {
  /** `http://host:port`: `META_GRAPH_BASE_URL` / `DIALOG360_BASE_URL`. */
  url: string;
  port: number;
  messages(): CloudSimulatedMessage[];
  reads(): CloudMarkRead[];
  templates(): SimulatedTemplate[];
  /** The last 1,000 webhook deliveries, oldest first. */
  deliveries(): WebhookDelivery[];
  setFaults(faults: CloudFaults): void;
  stats(): CloudSimulatorStats;
  /**
   * Forgets sends, reads, deliveries, media, created templates and stats, cancels pending webhooks and
   * puts webhook registrations and subscriptions back as the options gave them; faults stay as set.
   */
  reset(): void;
  /** Resolves once no status chain or webhook delivery (retries included) is running. */
  idle(): Promise<void>;
  /** Adds a media file to the number's WABA (what an inbound image would reference). Throws `Error`. */
  addMedia(account: string | undefined, media: { mimeType: string; bytes: Buffer }): MediaView;
  /** Adds a template directly, approved unless `status` says otherwise. Throws `CloudApiError` / `Error`. */
  seedTemplate(account: string | undefined, template: SeedTemplate): SimulatedTemplate;
  /** Decides a template's review (the control call `POST /_simulator/templates/review`). Throws `Error`. */
  reviewTemplate(account: string | undefined, review: { name: string; language?: string; status: 'APPROVED' | 'REJECTED'; reason?: string }): SimulatedTemplate;
  /** A number's ids as its webhooks carry them (phone number id or E.164; the only one by default): for tests that build their own payloads. */
  numberOf(account?: string): WebhookNumber;
  /** Posts an inbound webhook for the number, as the BSP would; resolves after the first attempt. Throws `Error` on bad input. */
  postInbound(input: InboundInput): Promise<InboundResult>;
  /** Stops the server, cancels pending webhooks and aborts those in flight. */
  stop(): Promise<void>;
}

/** A number of a simulator, as the shared code knows it. */
export interface SimulatedNumber extends WebhookNumber {
  verifiedName: string;
  qualityRating: string;
}

/** One API request, as a face's router sees it. */
export interface RequestContext {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  request: IncomingMessage;
  response: ServerResponse;
}

interface Step {
  status: CloudStatus;
  atMs: number;
  errorCode?: number;
}

const BODY_LIMIT_BYTES = 4 * 1024 * 1024;
const DELIVERIES_KEPT = 1000;
const DEFAULT_DELAYS = { sent: 200, delivered: 500, read: 900 };
const DEFAULT_RETRY_DELAYS = [1000, 5000, 15000];

/** The shared engine; a face extends it with authentication and routes. */
export abstract class CloudSimulatorCore implements CloudApiSimulator {
  url = '';
  port = 0;

  protected readonly now: () => number;
  protected readonly log?: (line: string) => void;
  protected readonly media = new MediaStore();
  protected readonly mediaUrlTtlMs: number;

  private readonly server: Server;
  private readonly poster: WebhookPoster;
  private readonly random: () => number;
  private readonly delays: { sent: number; delivered: number; read: number };
  private readonly retryDelays: number[];
  private readonly approvalDelayMs: number;
  private faults: CloudFaults;
  private messageList: CloudSimulatedMessage[] = [];
  private readList: CloudMarkRead[] = [];
  private deliveryList: WebhookDelivery[] = [];
  private templateIndex = new Map<string, SimulatedTemplate>();
  private readonly seededTemplates: Array<SeedTemplate & { wabaId?: string }>;
  private counters = this.zeroCounters();
  private rejectedByCode: Record<string, number> = {};
  /** Chains and deliveries running; `idle()` waits for them. */
  private readonly work = new Set<Promise<void>>();
  /** Pending waits, resolved `false` by `reset()`/`stop()`. */
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; resolve: (done: boolean) => void }>();
  /** Bumped by `reset()`: work of an older generation stops at its next step. */
  private generation = 0;
  private stopped = false;

  /** e.g. `meta simulator`, for log lines. */
  protected abstract readonly label: string;

  constructor(private readonly options: CloudSimulatorOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log;
    this.random = options.random ?? Math.random;
    this.delays = options.callbackDelaysMs ?? DEFAULT_DELAYS;
    this.retryDelays = options.webhookRetryDelaysMs ?? DEFAULT_RETRY_DELAYS;
    this.approvalDelayMs = options.templateApprovalDelayMs ?? 0;
    this.mediaUrlTtlMs = options.mediaUrlTtlMs ?? 5 * 60 * 1000;
    this.faults = parseCloudFaults(options.faults ?? {});
    this.poster = new WebhookPoster(options.webhookTimeoutMs ?? 15_000);
    this.seededTemplates = options.templates ?? [];
    this.server = createServer((request, response) => this.handle(request, response));
  }

  // -------------------------------------------------------------------------------------------
  // What a face provides
  // -------------------------------------------------------------------------------------------

  /** Every number of the simulator. */
  protected abstract numbers(): SimulatedNumber[];
  /** Routes one API request (after the control endpoints). Throws `CloudApiError` for error answers. */
  protected abstract routeApi(context: RequestContext): void;
  /** Where and how a webhook for this number is posted, or undefined when none is configured. */
  protected abstract webhookRequest(number: SimulatedNumber, payload: CloudWebhookPayload): { url: string; request: WebhookHttpRequest } | undefined;
  /** The error body in the face's shape. */
  protected abstract errorBody(error: CloudApiError): unknown;
  /** Puts what the API changed (webhook registrations, subscriptions) back as the options gave it. */
  protected abstract resetConfiguration(): void;

  /**
   * Serves a page a browser opens on the BSP's side (Meta: the Embedded Signup SDK and dialog):
   * true when it answered. Not counted as an API request. @default serves nothing
   */
  protected routePage(_method: string, _url: URL, _body: string, _response: ServerResponse): boolean {
    return false;
  }

  async listen(): Promise<void> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
    this.insertSeededTemplates();
    this.log?.(`${this.label} listening on ${this.url} (${this.numbers().length} number(s))`);
  }

  // -------------------------------------------------------------------------------------------
  // Public API
  // -------------------------------------------------------------------------------------------

  messages(): CloudSimulatedMessage[] {
    return this.messageList.map((message) => ({ ...message, statusHistory: [...message.statusHistory] }));
  }

  reads(): CloudMarkRead[] {
    return this.readList.map((read) => ({ ...read }));
  }

  templates(): SimulatedTemplate[] {
    return [...this.templateIndex.values()].map((template) => this.templateView(template));
  }

  deliveries(): WebhookDelivery[] {
    return this.deliveryList.map((delivery) => ({ ...delivery, messageIds: [...delivery.messageIds], attempts: [...delivery.attempts] }));
  }

  setFaults(faults: CloudFaults): void {
    this.faults = parseCloudFaults(faults);
    this.log?.(`${this.label} faults: ${JSON.stringify(this.faults)}`);
  }

  stats(): CloudSimulatorStats {
    return { ...this.counters, rejected: { ...this.rejectedByCode }, pending: this.work.size };
  }

  reset(): void {
    this.generation++;
    this.cancelSleeps();
    this.messageList = [];
    this.readList = [];
    this.deliveryList = [];
    this.templateIndex = new Map();
    this.insertSeededTemplates();
    this.media.clear();
    this.counters = this.zeroCounters();
    this.rejectedByCode = {};
    this.resetConfiguration();
  }

  async idle(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  addMedia(account: string | undefined, media: { mimeType: string; bytes: Buffer }): MediaView {
    const number = this.numberFor(account);
    return this.media.add(number.wabaId, media);
  }

  seedTemplate(account: string | undefined, template: SeedTemplate): SimulatedTemplate {
    const number = this.numberFor(account);
    const created = validateTemplateCreate({ ...template, components: template.components ?? [{ type: 'BODY', text: template.name }] });
    return this.templateView(this.insertTemplate(number.wabaId, created, template.status ?? 'APPROVED'));
  }

  reviewTemplate(account: string | undefined, review: { name: string; language?: string; status: 'APPROVED' | 'REJECTED'; reason?: string }): SimulatedTemplate {
    const number = this.numberFor(account);
    if (review.status !== 'APPROVED' && review.status !== 'REJECTED') throw new Error('status must be APPROVED or REJECTED');
    const template = [...this.templateIndex.values()].find(
      (candidate) => candidate.wabaId === number.wabaId && candidate.name === review.name && (review.language === undefined || candidate.language === review.language),
    );
    if (!template) throw new Error(`no template ${review.name}${review.language ? ` (${review.language})` : ''}`);
    template.verdict = { status: review.status, ...(review.reason !== undefined && { reason: review.reason }) };
    this.log?.(`${this.label}: template ${template.name} (${template.language}) ${review.status}`);
    return this.templateView(template);
  }

  numberOf(account?: string): WebhookNumber {
    const { wabaId, phoneNumberId, displayNumber } = this.numberFor(account);
    return { wabaId, phoneNumberId, displayNumber };
  }

  async postInbound(input: InboundInput): Promise<InboundResult> {
    if (!input || typeof input !== 'object') throw new Error('an inbound request needs messages, or from and text');
    const number = this.numberFor(input.account);
    const messages =
      input.messages ??
      textBatch({
        from: input.from ?? '',
        text: input.text ?? '',
        count: input.count ?? 1,
        ...(input.customers !== undefined && { customers: input.customers }),
        ...(input.name !== undefined && { name: input.name }),
      });
    const { payload, messageIds } = inboundPayload(number, messages, this.now());
    const delivery: WebhookDelivery = { kind: 'inbound', phoneNumberId: number.phoneNumberId, messageIds, outcome: 'pending', attempts: [] };
    const target = this.webhookRequest(number, payload);
    this.log?.(
      `${this.label}: inbound webhook with ${messageIds.length} message(s) from ${new Set(messages.map((m) => m.from)).size} customer(s) ` +
        `(first ${maskIdentifier(messages[0]!.from)}) for ${maskIdentifier(number.displayNumber)}`,
    );
    if (!target) {
      this.recordDelivery(delivery);
      this.markUndeliverable(delivery);
      return { messageIds, outcome: 'undeliverable', retrying: false };
    }
    delivery.url = target.url;
    this.recordDelivery(delivery);
    const first = await new Promise<AttemptResult>((resolve) => {
      this.track(this.deliver(delivery, target, resolve));
    });
    return { messageIds, url: target.url, firstAttempt: first, outcome: delivery.outcome, retrying: delivery.outcome === 'pending' };
  }

  /**
   * Posts one of Meta's coexistence webhooks (the owner's message from the app, history, contacts,
   * PARTNER_REMOVED; see coexistence.ts) to the number's webhook — the app-level one for a number
   * onboarded through Embedded Signup — signed and retried like every other webhook.
   */
  async postCoexistence(input: CoexistenceInput): Promise<InboundResult> {
    if (!input || typeof input !== 'object' || typeof input.kind !== 'string') throw new Error('a coexistence request needs a kind');
    const number = this.numberFor(input.account);
    const { payload, messageIds } = coexistencePayload(number, input, this.now());
    const delivery: WebhookDelivery = { kind: 'inbound', phoneNumberId: number.phoneNumberId, messageIds, outcome: 'pending', attempts: [] };
    const target = this.webhookRequest(number, payload);
    this.log?.(`${this.label}: ${input.kind} webhook for ${maskIdentifier(number.displayNumber)}`);
    if (!target) {
      this.recordDelivery(delivery);
      this.markUndeliverable(delivery);
      return { messageIds, outcome: 'undeliverable', retrying: false };
    }
    delivery.url = target.url;
    this.recordDelivery(delivery);
    const first = await new Promise<AttemptResult>((resolve) => {
      this.track(this.deliver(delivery, target, resolve));
    });
    return { messageIds, url: target.url, firstAttempt: first, outcome: delivery.outcome, retrying: delivery.outcome === 'pending' };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.generation++;
    this.cancelSleeps();
    this.poster.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // -------------------------------------------------------------------------------------------
  // For the faces
  // -------------------------------------------------------------------------------------------

  /** The number a control call or a public method names (phone number id or E.164), or the only one. */
  protected numberFor(account: string | undefined): SimulatedNumber {
    const numbers = this.numbers();
    if (account === undefined || account === '') {
      if (numbers.length === 1) return numbers[0]!;
      throw new Error('name the account (phone number id or number): this simulator has several');
    }
    const number = numbers.find((candidate) => candidate.phoneNumberId === account || candidate.displayNumber === account || candidate.displayNumber === `+${account}`);
    if (!number) throw new Error(`unknown account ${maskIdentifier(account)}`);
    return number;
  }

  protected sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
    response.end(text);
  }

  protected parseJson(body: string): unknown {
    try {
      return JSON.parse(body);
    } catch {
      throw new CloudApiError(CLOUD_CODES.invalidParameter, '(#100) Invalid parameter', { details: 'the request body is not valid JSON' });
    }
  }

  /**
   * The send path, `POST …/messages`: sync faults first (a refused request is never processed),
   * then validation, then the template check, then acceptance, status webhooks and the answer.
   */
  protected acceptSend(number: SimulatedNumber, context: RequestContext): void {
    const fault = chooseSyncFault(this.faults, this.random);
    if (fault) throw fault;
    const request = validateCloudRequest(this.parseJson(context.body));
    if (request.kind === 'read') {
      this.readList.push({ phoneNumberId: number.phoneNumberId, messageId: request.messageId, typing: request.typing, at: this.now() });
      this.counters.reads++;
      this.sendJson(context.response, 200, { success: true });
      return;
    }
    let template: SimulatedTemplate | undefined;
    if (request.template) {
      const { name, language } = request.template;
      template = this.findTemplate(number.wabaId, name, language);
      if (!template || this.statusOf(template) !== 'APPROVED') {
        throw new CloudApiError(CLOUD_CODES.templateNotFound, '(#132001) Template name does not exist in the translation', {
          details: `template name (${name}) does not exist in ${language}`,
        });
      }
    }
    const lost = chooseLostAnswer(this.faults, this.random);
    const failure = request.recipientKind === 'user_id_in_to' ? undefined : chooseAsyncFailure({ recipient: request.recipient, isTemplate: template !== undefined }, this.faults, this.random);

    const message: CloudSimulatedMessage = {
      id: newWamid(),
      phoneNumberId: number.phoneNumberId,
      to: request.recipient,
      recipientKind: request.recipientKind,
      type: request.type,
      preview: request.preview,
      body: request.body,
      status: 'accepted',
      statusHistory: ['accepted'],
      acceptedAt: this.now(),
      ...(request.callbackData !== undefined && { callbackData: request.callbackData }),
      ...(request.template && { template: request.template }),
      ...(request.replyTo !== undefined && { replyTo: request.replyTo }),
      ...(lost && { lostAnswer: lost }),
      // WhatsApp answers 200 for a BSUID in `to` and delivers nothing (CLOUD_API.md §2.2, chatwoot).
      ...(request.recipientKind === 'user_id_in_to' && { dropped: true }),
    };
    this.messageList.push(message);
    this.counters.accepted++;
    const steps: Step[] = message.dropped
      ? []
      : failure !== undefined
        ? [{ status: 'failed', atMs: this.delays.sent, errorCode: failure }]
        : [
            { status: 'sent', atMs: this.delays.sent },
            { status: 'delivered', atMs: this.delays.delivered },
            { status: 'read', atMs: this.delays.read },
          ];
    const pricing = template
      ? { category: template.category.toLowerCase(), type: 'regular' }
      : { category: 'service', type: 'free_customer_service' };
    if (steps.length > 0) this.track(this.runChain(number, message, steps, pricing));
    this.log?.(
      `${this.label}: accepted ${message.id.slice(0, 16)}… ${message.type}${template ? ` ${template.name}` : ''} to ${maskIdentifier(message.to)}` +
        `${failure !== undefined ? ` (will fail ${failure})` : ''}${lost ? ` (answer lost: ${lost})` : ''}${message.dropped ? ' (user id in `to`: dropped)' : ''}`,
    );

    if (lost === 'socket-destroyed') {
      this.counters.lostAnswers++;
      context.request.socket.destroy();
      return;
    }
    if (lost === 'status-500') {
      this.counters.lostAnswers++;
      const error = serverError();
      this.sendJson(context.response, error.status, this.errorBody(error));
      return;
    }
    const contact = request.recipientKind === 'phone' ? { input: request.recipient, wa_id: waIdOf(request.recipient) } : { input: request.recipient, user_id: request.recipient };
    this.sendJson(context.response, 200, { messaging_product: 'whatsapp', contacts: [contact], messages: [{ id: message.id }] });
  }

  /** The number's WABA's templates, as they are now. */
  protected templatesOf(wabaId: string): SimulatedTemplate[] {
    return this.templates().filter((template) => template.wabaId === wabaId);
  }

  /** `POST` of a template create body for a WABA (both faces). Throws `CloudApiError`. */
  protected createTemplate(wabaId: string, body: unknown): SimulatedTemplate {
    const created = validateTemplateCreate(body);
    if (this.findTemplate(wabaId, created.name, created.language)) throw duplicateTemplate(created.name, created.language);
    const template = this.insertTemplate(wabaId, created, undefined);
    this.log?.(`${this.label}: template ${template.name} (${template.language}, ${template.category}) submitted`);
    return this.templateView(template);
  }

  /** The media of a WABA, or undefined. */
  protected mediaOf(id: string, wabaId: string): StoredMedia | undefined {
    return this.media.get(id, wabaId);
  }

  /** Serves a media file's bytes. */
  protected sendMedia(response: ServerResponse, media: StoredMedia): void {
    response.writeHead(200, { 'content-type': media.mimeType, 'content-length': media.bytes.length });
    response.end(media.bytes);
  }

  // -------------------------------------------------------------------------------------------
  // HTTP
  // -------------------------------------------------------------------------------------------

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => {
      try {
        if (tooLarge) {
          this.sendJson(response, 413, this.errorBody(new CloudApiError(CLOUD_CODES.invalidParameter, 'Request entity too large', { status: 413 })));
          return;
        }
        this.route(request, response, Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        // Never let one request take the simulator down.
        this.log?.(`${this.label}: unexpected error: ${(error as Error).message}`);
        if (!response.headersSent) this.sendJson(response, 500, this.errorBody(serverError()));
      }
    });
    request.on('error', () => response.destroy());
  }

  private route(request: IncomingMessage, response: ServerResponse, body: string): void {
    const url = new URL(request.url ?? '/', 'http://simulator');
    const method = request.method ?? 'GET';
    if (this.routePage(method, url, body, response)) return;
    if (url.pathname.startsWith('/_simulator/')) {
      this.control(method, url.pathname, body, response);
      return;
    }
    this.counters.requests++;
    try {
      this.routeApi({ method, path: url.pathname, query: url.searchParams, headers: request.headers, body, request, response });
    } catch (error) {
      if (!(error instanceof CloudApiError)) throw error;
      this.rejectedByCode[String(error.code)] = (this.rejectedByCode[String(error.code)] ?? 0) + 1;
      this.sendJson(response, error.status, this.errorBody(error), error.headers);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Status webhooks and deliveries
  // -------------------------------------------------------------------------------------------

  private async runChain(number: SimulatedNumber, message: CloudSimulatedMessage, steps: Step[], pricing: { category: string; type: string }): Promise<void> {
    const generation = this.generation;
    // Real elapsed time schedules the statuses; the simulator's clock only stamps them.
    const startedAt = Date.now();
    for (const step of steps) {
      if (!(await this.sleep(Math.max(0, startedAt + step.atMs - Date.now())))) return;
      if (generation !== this.generation) return;
      const at = this.now();
      message.status = step.status;
      message.statusHistory.push(step.status);
      if (step.errorCode !== undefined) message.errorCode = step.errorCode;
      const payload = statusPayload(number, {
        id: message.id,
        status: step.status,
        at,
        recipient: message.recipientKind === 'phone' ? waIdOf(message.to) : message.to,
        recipientIsUserId: message.recipientKind !== 'phone',
        ...(message.callbackData !== undefined && { callbackData: message.callbackData }),
        pricing,
        ...(step.errorCode !== undefined && { errorCode: step.errorCode }),
      });
      const delivery: WebhookDelivery = { kind: 'status', phoneNumberId: number.phoneNumberId, status: step.status, messageIds: [message.id], outcome: 'pending', attempts: [] };
      this.recordDelivery(delivery);
      const target = this.webhookRequest(number, payload);
      if (!target) {
        this.markUndeliverable(delivery);
        continue;
      }
      delivery.url = target.url;
      // In order: the next status waits until this one is delivered or given up (Meta may reorder; we do not).
      await this.deliver(delivery, target);
    }
  }

  /** Posts with retries; `onFirstAttempt` hears the first answer. Never rejects. */
  private async deliver(delivery: WebhookDelivery, target: { url: string; request: WebhookHttpRequest }, onFirstAttempt?: (result: AttemptResult) => void): Promise<void> {
    const generation = this.generation;
    for (let attempt = 0; ; attempt++) {
      const result = await this.poster.post(target.url, target.request.headers, target.request.body);
      if (attempt === 0) onFirstAttempt?.(result);
      // Reset or stopped meanwhile: nothing more is posted, and nothing is counted.
      if (generation !== this.generation) return;
      delivery.attempts.push(result);
      if (result.ok) {
        delivery.outcome = 'delivered';
        this.counters.webhooksDelivered++;
        return;
      }
      const answer = result.status !== undefined ? `HTTP ${result.status}` : (result.error ?? 'no answer');
      if (attempt >= this.retryDelays.length) {
        delivery.outcome = 'failed';
        this.counters.webhooksFailed++;
        this.log?.(`${this.label}: ${delivery.kind} webhook${delivery.status ? ` ${delivery.status}` : ''} failed ${attempt + 1} time(s) (${answer}); given up`);
        return;
      }
      this.counters.webhookRetries++;
      this.log?.(`${this.label}: ${delivery.kind} webhook${delivery.status ? ` ${delivery.status}` : ''} answered ${answer}; retry in ${this.retryDelays[attempt]} ms`);
      if (!(await this.sleep(this.retryDelays[attempt]!))) return;
    }
  }

  private markUndeliverable(delivery: WebhookDelivery): void {
    delivery.outcome = 'undeliverable';
    this.counters.webhooksUndeliverable++;
  }

  private recordDelivery(delivery: WebhookDelivery): void {
    this.deliveryList.push(delivery);
    if (this.deliveryList.length > DELIVERIES_KEPT) this.deliveryList.splice(0, this.deliveryList.length - DELIVERIES_KEPT);
  }

  /** Resolves `true` after `ms`, or `false` at once when the simulator is reset or stopped. */
  private sleep(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleeps.delete(entry);
          resolve(true);
        }, ms),
        resolve,
      };
      this.sleeps.add(entry);
    });
  }

  private cancelSleeps(): void {
    for (const entry of this.sleeps) {
      clearTimeout(entry.timer);
      entry.resolve(false);
    }
    this.sleeps.clear();
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.log?.(`${this.label}: webhook work failed: ${(error as Error).message}`)).finally(() => this.work.delete(tracked));
    this.work.add(tracked);
  }

  // -------------------------------------------------------------------------------------------
  // Templates
  // -------------------------------------------------------------------------------------------

  private insertSeededTemplates(): void {
    const wabaIds = [...new Set(this.numbers().map((number) => number.wabaId))];
    for (const template of this.seededTemplates) {
      const created = validateTemplateCreate({ ...template, components: template.components ?? [{ type: 'BODY', text: template.name }] });
      for (const wabaId of template.wabaId !== undefined ? [template.wabaId] : wabaIds) this.insertTemplate(wabaId, created, template.status ?? 'APPROVED');
    }
  }

  private findTemplate(wabaId: string, name: string, language: string): SimulatedTemplate | undefined {
    return this.templateIndex.get(`${wabaId}:${name}:${language}`);
  }

  private insertTemplate(wabaId: string, template: { name: string; language: string; category: TemplateCategory; components?: unknown[] }, status: TemplateStatus | undefined): SimulatedTemplate {
    const stored: SimulatedTemplate = {
      id: templateId(wabaId, template.name, template.language),
      wabaId,
      name: template.name,
      language: template.language,
      category: template.category,
      components: template.components ?? [{ type: 'BODY', text: template.name }],
      createdAt: this.now(),
      status: 'PENDING',
      // A seeded PENDING template waits for a review call; a created one for the approval delay.
      ...(status === 'PENDING' && { manualReview: true as const }),
      ...(status !== undefined && status !== 'PENDING' && { verdict: { status } }),
    };
    this.templateIndex.set(`${wabaId}:${template.name}:${template.language}`, stored);
    return stored;
  }

  private statusOf(template: SimulatedTemplate): TemplateStatus {
    return templateStatusAt(template, this.now(), this.approvalDelayMs);
  }

  private templateView(template: SimulatedTemplate): SimulatedTemplate {
    return { ...template, components: [...template.components], status: this.statusOf(template), ...(template.verdict && { verdict: { ...template.verdict } }) };
  }

  // -------------------------------------------------------------------------------------------
  // Control endpoints (no auth; for humans, tests and `npm run simulate`)
  // -------------------------------------------------------------------------------------------

  private control(method: string, path: string, body: string, response: ServerResponse): void {
    const route = `${method} ${path}`;
    const bad = (error: unknown) => this.sendJson(response, 400, { error: (error as Error).message });
    const input = (): Record<string, unknown> => {
      const parsed: unknown = JSON.parse(body || '{}');
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the body must be a JSON object');
      return parsed as Record<string, unknown>;
    };
    try {
      switch (route) {
        case 'GET /_simulator/messages':
          return this.sendJson(response, 200, this.messages());
        case 'GET /_simulator/reads':
          return this.sendJson(response, 200, this.reads());
        case 'GET /_simulator/templates':
          return this.sendJson(response, 200, this.templates());
        case 'GET /_simulator/deliveries':
          return this.sendJson(response, 200, this.deliveries());
        case 'GET /_simulator/stats':
          return this.sendJson(response, 200, this.stats());
        case 'GET /_simulator/faults':
          return this.sendJson(response, 200, this.faults);
        case 'PUT /_simulator/faults':
          this.setFaults(input());
          return this.sendJson(response, 200, this.faults);
        case 'POST /_simulator/inbound': {
          const request = input() as InboundInput;
          void this.postInbound(request).then(
            (result) => this.sendJson(response, 200, result),
            (error: unknown) => bad(error),
          );
          return;
        }
        case 'POST /_simulator/coexistence': {
          void this.postCoexistence(input() as CoexistenceInput).then(
            (result) => this.sendJson(response, 200, result),
            (error: unknown) => bad(error),
          );
          return;
        }
        case 'POST /_simulator/templates/review': {
          const review = input() as { account?: string; name: string; language?: string; status: 'APPROVED' | 'REJECTED'; reason?: string };
          return this.sendJson(response, 200, this.reviewTemplate(review.account, review));
        }
        case 'POST /_simulator/media': {
          const media = input() as { account?: string; mimeType?: string; base64?: string };
          const bytes = media.base64 !== undefined ? Buffer.from(media.base64, 'base64') : Buffer.from('simulated media bytes');
          return this.sendJson(response, 201, this.addMedia(media.account, { mimeType: media.mimeType ?? 'image/jpeg', bytes }));
        }
        case 'POST /_simulator/reset':
          this.reset();
          response.writeHead(204);
          response.end();
          return;
        default:
          return this.sendJson(response, 404, { error: `no control endpoint ${route}` });
      }
    } catch (error) {
      bad(error);
    }
  }

  private zeroCounters() {
    return { requests: 0, accepted: 0, reads: 0, lostAnswers: 0, webhooksDelivered: 0, webhooksFailed: 0, webhookRetries: 0, webhooksUndeliverable: 0 };
  }
}
