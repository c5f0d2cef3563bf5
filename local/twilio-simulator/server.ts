/**
 * The simulator's HTTP server and state. See `index.ts` for what it models and what it does not.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { maskIdentifier } from '../../lambdas/domain/redact';
import { CallbackPoster, statusCallbackFields, type CallbackStatus } from './callbacks';
import {
  approvalStatusAt,
  primaryContentType,
  quickReplyActionCount,
  renderContentBody,
  unapprovableReason,
  validateApprovalCreate,
  validateContentCreate,
  type SimulatedContent,
} from './content';
import { accountResource, sendersPage, type AccountStatus } from './accounts';
import { ASYNC_ERROR_MESSAGES, errorBody, TWILIO_CODES, TwilioApiError } from './errors';
import { chooseAsyncFailure, chooseLostAnswer, chooseSyncFault, parseFaults, type SimulatorFaults } from './faults';
import { MEDIA_FILE_PATH, TwilioMediaLinks } from './media';
import { validateSendForm, type SendRequest } from './messages';
import {
  inboundResource,
  listMessagesPage,
  mediaListPage,
  normaliseInbound,
  type InboundInput,
  type ListableMessage,
  type StoredInbound,
} from './inbound';

export type SimulatedMessageStatus = 'accepted' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered';

/** An accepted message, as `messages()` returns it. */
export interface SimulatedMessage {
  sid: string;
  accountSid: string;
  to: string;
  /** Absent only when the send used `MessagingServiceSid` without `From`. */
  from?: string;
  messagingServiceSid?: string;
  body?: string;
  mediaUrls: string[];
  contentSid?: string;
  /** `ContentVariables`, parsed. */
  contentVariables?: Record<string, string>;
  statusCallback?: string;
  validityPeriod?: number;
  /** Current status (moves on as callbacks are scheduled). */
  status: SimulatedMessageStatus;
  errorCode?: number;
  /** Acceptance time, epoch ms. */
  acceptedAt: number;
  /** Every status the message has had, in order, starting with the initial one. */
  statusHistory: SimulatedMessageStatus[];
}

export interface SimulatorStats {
  /** Twilio API requests (control endpoints excluded). */
  requests: number;
  accepted: number;
  /** Accepted sends whose answer was lost on purpose (`rateLostAnswer`): they exist and get callbacks. */
  lostAnswers: number;
  /** Refused API requests by Twilio error code (`'20429'`, `'21211'`, …). */
  rejected: Record<string, number>;
  callbacksPosted: number;
  callbacksFailed: number;
  /** Status callbacks still scheduled or in flight. */
  callbacksPending: number;
}

export interface TwilioSimulatorOptions {
  /** 0 = a free port. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** accountSid → authToken: HTTP Basic credentials, and the key that signs that account's callbacks. */
  accounts: Record<string, string>;
  /** Delays after acceptance. @default { sent: 200, delivered: 500, read: 900 } */
  callbackDelaysMs?: { sent: number; delivered: number; read: number };
  faults?: SimulatorFaults;
  /** @default Math.random */
  random?: () => number;
  log?: (line: string) => void;
  /** How long after submission a WhatsApp approval stays `pending`. 0 = approved on the first read. @default 0 */
  approvalDelayMs?: number;
  /** Status callback timeout (Twilio's is 15 s). @default 15000 */
  callbackTimeoutMs?: number;
  /**
   * The WhatsApp senders (E.164 numbers) the Senders API lists: one list for every account, or one
   * per account SID (accounts not named own none). @default [the dev number, +14155238886] for every account
   */
  whatsappSenders?: readonly string[] | Record<string, readonly string[]>;
  /** Account statuses the Account resource reports. @default 'active' for every account */
  accountStatuses?: Record<string, AccountStatus>;
}

/** The local runtime's default WhatsApp number (`DEV_WHATSAPP_NUMBER`). */
export const DEFAULT_SIMULATED_SENDER = '+14155238886';

export interface TwilioSimulator {
  /** `http://host:port`; use it as both TWILIO_API_BASE_URL and TWILIO_CONTENT_BASE_URL. */
  url: string;
  port: number;
  messages(): SimulatedMessage[];
  contents(): SimulatedContent[];
  setFaults(faults: SimulatorFaults): void;
  stats(): SimulatorStats;
  /** Forgets messages, contents and stats and cancels pending callbacks; faults stay as set. */
  reset(): void;
  /** Resolves once no status callback is scheduled or in flight. */
  idle(): Promise<void>;
  /**
   * Adds a content directly (as `POST /v1/Content` would), optionally already approved for WhatsApp:
   * for tests that need a template without going through the approval flow. Throws `TwilioApiError`.
   */
  seedContent(accountSid: string, body: unknown, approval?: { name?: string; category?: string }): SimulatedContent;
  /**
   * Records a message Twilio "received" from a customer without posting it to any webhook (the
   * case the reconciler closes): it is then listed by `GET …/Messages.json` (and its media by
   * `GET …/Messages/{Sid}/Media.json`). Returns its Message resource. Throws `Error` on bad input.
   */
  recordInbound(input: InboundInput): Record<string, unknown>;
  /** Stops the server and cancels pending callbacks. */
  stop(): Promise<void>;
}

interface Step {
  status: CallbackStatus;
  atMs: number;
  errorCode?: number;
}

interface Chain {
  message: SimulatedMessage;
  steps: Step[];
  index: number;
  timer?: NodeJS.Timeout;
  cancelled: boolean;
}

interface StoredMessage extends SimulatedMessage {
  renderedBody: string;
  dateUpdated: number;
  dateSent?: number;
}

const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\.json$/;
const SENDERS_PATH = /^\/v2\/Channels\/Senders\/?$/;
const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const MESSAGE_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\.json$/;
const MEDIA_LIST_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\/Media\.json$/;
const CONTENTS_PATH = /^\/v1\/Content\/?$/;
const CONTENT_PATH = /^\/v1\/Content\/([^/]+)$/;
const APPROVALS_PATH = /^\/v1\/Content\/([^/]+)\/ApprovalRequests$/;
const WHATSAPP_APPROVAL_PATH = /^\/v1\/Content\/([^/]+)\/ApprovalRequests\/whatsapp$/;
const BODY_LIMIT_BYTES = 1024 * 1024;

/** RFC 2822 in GMT, as Twilio's 2010-04-01 API writes dates: `Thu, 30 Jul 2015 20:12:31 +0000`. */
export function rfc2822(epochMs: number): string {
  return new Date(epochMs).toUTCString().replace('GMT', '+0000');
}

/** ISO 8601 without milliseconds, as the Content API writes dates. */
function iso(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.[0-9]{3}Z$/, 'Z');
}

/** 32 random hex characters, from a pooled buffer so the accept path does not call the RNG each time. */
class SidFactory {
  private pool = Buffer.alloc(0);
  private offset = 0;

  next(prefix: string): string {
    if (this.offset + 16 > this.pool.length) {
      this.pool = randomBytes(16 * 512);
      this.offset = 0;
    }
    const hex = this.pool.toString('hex', this.offset, this.offset + 16);
    this.offset += 16;
    return prefix + hex;
  }
}

class SimulatorServer implements TwilioSimulator {
  url = '';
  port = 0;

  private readonly server: Server;
  private readonly accounts: Map<string, string>;
  /** `Basic …` header → accountSid, for the fast path. */
  private readonly authHeaders = new Map<string, string>();
  private readonly delays: { sent: number; delivered: number; read: number };
  private readonly random: () => number;
  private readonly log?: (line: string) => void;
  private readonly approvalDelayMs: number;
  private readonly poster: CallbackPoster;
  private readonly sids = new SidFactory();
  /** Signed hops of inbound media downloads (`media.ts`). */
  private readonly mediaLinks = new TwilioMediaLinks();

  private faults: SimulatorFaults;
  private messageList: StoredMessage[] = [];
  private messageIndex = new Map<string, StoredMessage>();
  private inboundIndex = new Map<string, StoredInbound>();
  private contentIndex = new Map<string, SimulatedContent>();
  private chains = new Set<Chain>();
  private idleWaiters: Array<() => void> = [];
  private counters = { requests: 0, accepted: 0, lostAnswers: 0, callbacksPosted: 0, callbacksFailed: 0 };
  private rejectedByCode: Record<string, number> = {};
  private stopped = false;
  private readonly startedAt = Date.now();

  constructor(private readonly options: TwilioSimulatorOptions) {
    this.accounts = new Map(Object.entries(options.accounts));
    for (const [sid, token] of this.accounts) {
      this.authHeaders.set(`Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`, sid);
    }
    this.delays = options.callbackDelaysMs ?? { sent: 200, delivered: 500, read: 900 };
    this.random = options.random ?? Math.random;
    this.log = options.log;
    this.approvalDelayMs = options.approvalDelayMs ?? 0;
    this.faults = parseFaults(options.faults ?? {});
    this.poster = new CallbackPoster({ timeoutMs: options.callbackTimeoutMs });
    this.server = createServer((request, response) => this.handle(request, response));
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
    const urlHost = host.includes(':') ? `[${host}]` : host;
    this.url = `http://${urlHost}:${this.port}`;
    this.log?.(`twilio simulator listening on ${this.url} (${this.accounts.size} account(s))`);
  }

  // -------------------------------------------------------------------------------------------
  // Public API
  // -------------------------------------------------------------------------------------------

  messages(): SimulatedMessage[] {
    return this.messageList.map((message) => this.view(message));
  }

  contents(): SimulatedContent[] {
    const now = Date.now();
    return [...this.contentIndex.values()].map((content) => ({
      ...content,
      approval: content.approval && { ...content.approval },
      approvalStatus: approvalStatusAt(content.approval, now, this.approvalDelayMs),
    }));
  }

  setFaults(faults: SimulatorFaults): void {
    this.faults = parseFaults(faults);
    this.log?.(`twilio simulator faults: ${JSON.stringify(this.faults)}`);
  }

  stats(): SimulatorStats {
    return { ...this.counters, rejected: { ...this.rejectedByCode }, callbacksPending: this.chains.size };
  }

  reset(): void {
    this.cancelChains();
    this.messageList = [];
    this.messageIndex = new Map();
    this.inboundIndex = new Map();
    this.contentIndex = new Map();
    this.counters = { requests: 0, accepted: 0, lostAnswers: 0, callbacksPosted: 0, callbacksFailed: 0 };
    this.rejectedByCode = {};
  }

  idle(): Promise<void> {
    if (this.chains.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  seedContent(accountSid: string, body: unknown, approval?: { name?: string; category?: string }): SimulatedContent {
    if (!this.accounts.has(accountSid)) throw new Error(`unknown account ${accountSid}`);
    const content = this.createContent(accountSid, body);
    if (approval) {
      const reason = unapprovableReason(content.contentTypes);
      content.approval = {
        name: approval.name ?? (content.friendlyName || content.sid.toLowerCase()),
        category: approval.category ?? 'UTILITY',
        submittedAt: content.createdAt,
        verdict: reason ? 'rejected' : 'approved',
        ...(reason && { rejectionReason: reason }),
      };
    }
    return this.contents().find((candidate) => candidate.sid === content.sid)!;
  }

  recordInbound(input: InboundInput): Record<string, unknown> {
    if (!input || !this.accounts.has(input.accountSid)) throw new Error(`unknown account ${input?.accountSid}`);
    const message = normaliseInbound(input, this.sids, Date.now());
    this.inboundIndex.set(message.sid, message);
    this.log?.(`twilio simulator: recorded inbound ${message.sid} from ${maskIdentifier(message.from)} (no webhook posted)`);
    return inboundResource(message, rfc2822);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelChains();
    this.poster.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
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
          this.sendJson(response, 413, errorBody(413, 'Request entity too large', 413));
          return;
        }
        const body = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
        this.route(request, response, body);
      } catch (error) {
        // Never let one request take the simulator down.
        this.log?.(`twilio simulator: unexpected error: ${(error as Error).message}`);
        if (!response.headersSent) this.sendJson(response, 500, errorBody(TWILIO_CODES.internalServerError, 'Internal Server Error', 500));
      }
    });
    request.on('error', () => response.destroy());
  }

  private route(request: IncomingMessage, response: ServerResponse, body: string): void {
    const rawUrl = request.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const method = request.method ?? 'GET';

    if (path.startsWith('/_simulator/')) {
      this.control(method, path, body, response);
      return;
    }
    if (path.startsWith('/_media/')) {
      // The signed hop, as Twilio's CDN serves it: no credentials, only a valid unexpired link.
      const target = this.mediaLinks.resolve(path, Date.now());
      const file = target && this.inboundIndex.get(target.messageSid)?.media.find((item) => item.sid === target.mediaSid);
      if (!file?.bytes) {
        this.sendJson(response, 404, errorBody(TWILIO_CODES.notFound, 'Not found', 404));
        return;
      }
      response.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.bytes.length) });
      response.end(file.bytes);
      return;
    }

    this.counters.requests++;
    let match: RegExpExecArray | null;
    try {
      if ((match = ACCOUNT_PATH.exec(path))) {
        this.requireMethod(method, 'GET');
        const accountSid = this.authenticate(request, match[1]);
        this.sendJson(response, 200, accountResource(accountSid, this.options.accountStatuses?.[accountSid] ?? 'active', this.startedAt));
      } else if (SENDERS_PATH.test(path)) {
        this.requireMethod(method, 'GET');
        const accountSid = this.authenticate(request);
        const query = new URLSearchParams(queryAt === -1 ? '' : rawUrl.slice(queryAt + 1));
        this.sendJson(response, 200, sendersPage(this.url, accountSid, this.sendersOf(accountSid), query));
      } else if ((match = MESSAGES_PATH.exec(path)) && method === 'GET') {
        const accountSid = this.authenticate(request, match[1]);
        const query = new URLSearchParams(queryAt === -1 ? '' : rawUrl.slice(queryAt + 1));
        this.sendJson(response, 200, listMessagesPage(this.listable(), accountSid, query));
      } else if ((match = MESSAGES_PATH.exec(path))) {
        this.requireMethod(method, 'POST');
        this.acceptMessage(this.authenticate(request, match[1]), body, response);
      } else if ((match = MEDIA_LIST_PATH.exec(path))) {
        this.requireMethod(method, 'GET');
        const accountSid = this.authenticate(request, match[1]);
        const inbound = this.inboundIndex.get(match[2]);
        if (!inbound || inbound.accountSid !== accountSid) {
          throw new TwilioApiError(TWILIO_CODES.notFound, `The requested resource ${path} was not found`, 404);
        }
        this.sendJson(response, 200, mediaListPage(inbound, rfc2822));
      } else if ((match = MEDIA_FILE_PATH.exec(path))) {
        // A media file: Basic auth of the path's account, then a redirect to a short-lived signed link.
        this.requireMethod(method, 'GET');
        const accountSid = this.authenticate(request, match[1]);
        const inbound = this.inboundIndex.get(match[2]!);
        const file = inbound?.accountSid === accountSid ? inbound.media.find((item) => item.sid === match![3]) : undefined;
        if (!file?.bytes) throw new TwilioApiError(TWILIO_CODES.notFound, `The requested resource ${path} was not found`, 404);
        response.writeHead(307, { location: `${this.url}${this.mediaLinks.signedPath(match[2]!, match[3]!, Date.now())}`, 'content-length': '0' });
        response.end();
      } else if ((match = MESSAGE_PATH.exec(path))) {
        this.requireMethod(method, 'GET');
        this.fetchMessage(this.authenticate(request, match[1]), match[2], response);
      } else if (CONTENTS_PATH.test(path)) {
        this.requireMethod(method, 'POST');
        this.createContentRequest(this.authenticate(request), body, response);
      } else if ((match = CONTENT_PATH.exec(path))) {
        this.requireMethod(method, 'GET');
        this.fetchContent(this.authenticate(request), match[1], response);
      } else if ((match = APPROVALS_PATH.exec(path))) {
        this.requireMethod(method, 'GET');
        this.fetchApproval(this.authenticate(request), match[1], response);
      } else if ((match = WHATSAPP_APPROVAL_PATH.exec(path))) {
        this.requireMethod(method, 'POST');
        this.submitApproval(this.authenticate(request), match[1], body, response);
      } else {
        throw new TwilioApiError(TWILIO_CODES.notFound, `The requested resource ${path} was not found`, 404);
      }
    } catch (error) {
      if (!(error instanceof TwilioApiError)) throw error;
      this.rejectedByCode[error.code] = (this.rejectedByCode[error.code] ?? 0) + 1;
      // Error messages may quote the `To` number: never log it in full.
      this.log?.(`twilio simulator: ${method} ${path} → ${error.status} ${error.code} ${error.message.replace(/\+[0-9]{6,15}/g, (number) => maskIdentifier(number) ?? '***')}`);
      this.sendJson(response, error.status, error.toBody(), error.headers);
    }
  }

  private sendersOf(accountSid: string): readonly string[] {
    const senders = this.options.whatsappSenders;
    if (senders === undefined) return [DEFAULT_SIMULATED_SENDER];
    return Array.isArray(senders) ? senders : ((senders as Record<string, readonly string[]>)[accountSid] ?? []);
  }

  private requireMethod(method: string, expected: string): void {
    if (method !== expected) throw new TwilioApiError(TWILIO_CODES.methodNotAllowed, 'Method not allowed', 405);
  }

  /** HTTP Basic with an account SID and its auth token; for `/2010-04-01` the path's account must match. */
  private authenticate(request: IncomingMessage, pathAccountSid?: string): string {
    const header = request.headers.authorization ?? '';
    let accountSid = this.authHeaders.get(header);
    if (accountSid === undefined && /^basic /i.test(header)) {
      const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const sid = decoded.slice(0, colon);
      if (colon > 0 && this.accounts.get(sid) === decoded.slice(colon + 1)) accountSid = sid;
    }
    if (accountSid === undefined || (pathAccountSid !== undefined && pathAccountSid !== accountSid)) {
      throw new TwilioApiError(TWILIO_CODES.authenticate, 'Authenticate', 401, { 'WWW-Authenticate': 'Basic realm="Twilio API"' });
    }
    return accountSid;
  }

  private sendJson(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
    const json = JSON.stringify(value);
    response.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
    response.end(json);
  }

  // -------------------------------------------------------------------------------------------
  // Messages
  // -------------------------------------------------------------------------------------------

  private acceptMessage(accountSid: string, body: string, response: ServerResponse): void {
    // Rate limiting and server errors come before validation: a 429 request is never processed.
    const fault = chooseSyncFault(this.faults, this.random);
    if (fault) throw fault;

    const send = validateSendForm(new URLSearchParams(body), accountSid, (sid) => this.contentIndex.get(sid));
    const now = Date.now();
    const content = send.contentSid !== undefined ? this.contentIndex.get(send.contentSid) : undefined;
    const isTemplate = content !== undefined && approvalStatusAt(content.approval, now, this.approvalDelayMs) === 'approved';
    const lost = chooseLostAnswer(this.faults, this.random);
    const failure = chooseAsyncFailure(
      {
        to: send.to,
        isTemplate,
        contentTypes: content?.contentTypes ?? [],
        quickReplyActions: content ? quickReplyActionCount(content.types) : 0,
      },
      this.faults,
      this.random,
    );

    const message = this.store(accountSid, send, content, now);
    this.counters.accepted++;
    if (lost === 'socket-destroyed') {
      this.counters.lostAnswers++;
      response.socket?.destroy();
    } else if (lost === 'status-500') {
      this.counters.lostAnswers++;
      this.sendJson(response, 500, errorBody(TWILIO_CODES.internalServerError, 'Internal Server Error', 500));
    } else {
      this.sendJson(response, 201, this.messageResource(message));
    }

    const steps: Step[] = failure
      ? [{ status: failure.status, atMs: this.delays.sent, errorCode: failure.errorCode }]
      : [
          { status: 'sent', atMs: this.delays.sent },
          { status: 'delivered', atMs: this.delays.delivered },
          { status: 'read', atMs: this.delays.read },
        ];
    const chain: Chain = { message, steps, index: 0, cancelled: false };
    this.chains.add(chain);
    this.schedule(chain);
    if (this.log) {
      const kind = content ? `${primaryContentType(content.contentTypes)}${isTemplate ? ' template' : ''}` : send.mediaUrls.length > 0 ? 'media' : 'text';
      this.log(`twilio simulator: accepted ${message.sid} ${kind} to ${maskIdentifier(send.to)}${failure ? ` (will fail ${failure.errorCode})` : ''}${lost ? ` (answer lost: ${lost})` : ''}`);
    }
  }

  private store(accountSid: string, send: SendRequest, content: SimulatedContent | undefined, now: number): StoredMessage {
    const initial: SimulatedMessageStatus = send.messagingServiceSid !== undefined ? 'accepted' : 'queued';
    const message: StoredMessage = {
      sid: this.sids.next('SM'),
      accountSid,
      to: send.to,
      mediaUrls: send.mediaUrls,
      status: initial,
      acceptedAt: now,
      statusHistory: [initial],
      renderedBody: content ? renderContentBody(content.types, content.variables, send.contentVariables) : (send.body ?? ''),
      dateUpdated: now,
    };
    if (send.from !== undefined) message.from = send.from;
    if (send.messagingServiceSid !== undefined) message.messagingServiceSid = send.messagingServiceSid;
    if (send.body !== undefined) message.body = send.body;
    if (send.contentSid !== undefined) message.contentSid = send.contentSid;
    if (send.contentVariables !== undefined) message.contentVariables = send.contentVariables;
    if (send.statusCallback !== undefined) message.statusCallback = send.statusCallback;
    if (send.validityPeriod !== undefined) message.validityPeriod = send.validityPeriod;
    this.messageList.push(message);
    this.messageIndex.set(message.sid, message);
    return message;
  }

  /** Every message the list resource can show: accepted sends and recorded inbound messages. */
  private listable(): ListableMessage[] {
    const sent = this.messageList.map((message) => ({
      accountSid: message.accountSid,
      to: message.to,
      from: message.from ?? null,
      at: message.dateSent ?? message.acceptedAt,
      resource: this.messageResource(message),
    }));
    const received = [...this.inboundIndex.values()].map((message) => ({
      accountSid: message.accountSid,
      to: message.to,
      from: message.from,
      at: message.receivedAt,
      resource: inboundResource(message, rfc2822),
    }));
    return [...sent, ...received];
  }

  private fetchMessage(accountSid: string, sid: string, response: ServerResponse): void {
    const inbound = this.inboundIndex.get(sid);
    if (inbound && inbound.accountSid === accountSid) {
      this.sendJson(response, 200, inboundResource(inbound, rfc2822));
      return;
    }
    const message = this.messageIndex.get(sid);
    if (!message || message.accountSid !== accountSid) {
      throw new TwilioApiError(TWILIO_CODES.notFound, `The requested resource /2010-04-01/Accounts/${accountSid}/Messages/${sid}.json was not found`, 404);
    }
    this.sendJson(response, 200, this.messageResource(message));
  }

  private messageResource(message: StoredMessage): Record<string, unknown> {
    const base = `/2010-04-01/Accounts/${message.accountSid}/Messages/${message.sid}`;
    return {
      account_sid: message.accountSid,
      api_version: '2010-04-01',
      body: message.renderedBody,
      date_created: rfc2822(message.acceptedAt),
      date_sent: message.dateSent === undefined ? null : rfc2822(message.dateSent),
      date_updated: rfc2822(message.dateUpdated),
      direction: 'outbound-api',
      error_code: message.errorCode ?? null,
      error_message: message.errorCode === undefined ? null : (ASYNC_ERROR_MESSAGES[message.errorCode] ?? null),
      from: message.from ?? null,
      messaging_service_sid: message.messagingServiceSid ?? null,
      num_media: String(message.mediaUrls.length),
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      sid: message.sid,
      status: message.status,
      subresource_uris: { media: `${base}/Media.json` },
      to: message.to,
      uri: `${base}.json`,
    };
  }

  private view(message: StoredMessage): SimulatedMessage {
    const { renderedBody: _rendered, dateUpdated: _updated, dateSent: _sent, ...view } = message;
    return { ...view, mediaUrls: [...view.mediaUrls], statusHistory: [...view.statusHistory] };
  }

  // -------------------------------------------------------------------------------------------
  // Status callbacks
  // -------------------------------------------------------------------------------------------

  private schedule(chain: Chain): void {
    if (chain.cancelled) return;
    if (chain.index >= chain.steps.length) {
      this.finish(chain);
      return;
    }
    const step = chain.steps[chain.index];
    const delay = Math.max(0, chain.message.acceptedAt + step.atMs - Date.now());
    chain.timer = setTimeout(() => this.fire(chain), delay);
  }

  private fire(chain: Chain): void {
    chain.timer = undefined;
    if (chain.cancelled) return;
    const step = chain.steps[chain.index];
    const message = chain.message as StoredMessage;
    const now = Date.now();
    message.status = step.status;
    message.statusHistory.push(step.status);
    message.dateUpdated = now;
    if (step.status === 'sent') message.dateSent = now;
    if (step.errorCode !== undefined) message.errorCode = step.errorCode;

    const next = (): void => {
      chain.index++;
      this.schedule(chain);
    };
    const callbackUrl = message.statusCallback;
    const authToken = this.accounts.get(message.accountSid);
    if (callbackUrl === undefined || authToken === undefined) {
      next();
      return;
    }
    let fields: Record<string, string>;
    try {
      fields = statusCallbackFields(message, step.status, step.errorCode);
    } catch (error) {
      this.log?.(`twilio simulator: could not build callback for ${message.sid}: ${(error as Error).message}`);
      this.counters.callbacksFailed++;
      next();
      return;
    }
    void this.poster.post(callbackUrl, fields, authToken).then((ok) => {
      if (chain.cancelled) return;
      if (ok) this.counters.callbacksPosted++;
      else {
        this.counters.callbacksFailed++;
        this.log?.(`twilio simulator: status callback ${step.status} for ${message.sid} failed (Twilio would log 11200)`);
      }
      next();
    });
  }

  private finish(chain: Chain): void {
    this.chains.delete(chain);
    if (this.chains.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private cancelChains(): void {
    for (const chain of this.chains) {
      chain.cancelled = true;
      if (chain.timer) clearTimeout(chain.timer);
    }
    this.chains.clear();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  // -------------------------------------------------------------------------------------------
  // Content API
  // -------------------------------------------------------------------------------------------

  private parseJson(body: string): unknown {
    try {
      return JSON.parse(body);
    } catch {
      throw new TwilioApiError(TWILIO_CODES.contentBadRequest, 'Invalid JSON request body', 400);
    }
  }

  private createContent(accountSid: string, body: unknown): SimulatedContent {
    const request = validateContentCreate(body);
    if (request.ignoredKeys.length > 0) {
      this.log?.(`twilio simulator: Content API ignored unknown (camelCase) keys: ${request.ignoredKeys.join(', ')}`);
    }
    const now = Date.now();
    const content: SimulatedContent = {
      sid: this.sids.next('HX'),
      accountSid,
      friendlyName: request.friendlyName,
      language: request.language,
      variables: request.variables,
      types: request.types,
      contentTypes: Object.keys(request.types),
      createdAt: now,
      approvalStatus: 'unsubmitted',
    };
    this.contentIndex.set(content.sid, content);
    return content;
  }

  private createContentRequest(accountSid: string, body: string, response: ServerResponse): void {
    const content = this.createContent(accountSid, this.parseJson(body));
    this.log?.(`twilio simulator: created content ${content.sid} (${content.contentTypes.join(', ')})`);
    this.sendJson(response, 201, this.contentResource(content));
  }

  private contentFor(accountSid: string, sid: string): SimulatedContent {
    const content = this.contentIndex.get(sid);
    if (!content || content.accountSid !== accountSid) {
      throw new TwilioApiError(TWILIO_CODES.notFound, `The requested resource /Content/${sid} was not found`, 404);
    }
    return content;
  }

  private fetchContent(accountSid: string, sid: string, response: ServerResponse): void {
    this.sendJson(response, 200, this.contentResource(this.contentFor(accountSid, sid)));
  }

  private contentResource(content: SimulatedContent): Record<string, unknown> {
    const url = `${this.url}/v1/Content/${content.sid}`;
    return {
      account_sid: content.accountSid,
      date_created: iso(content.createdAt),
      date_updated: iso(content.createdAt),
      friendly_name: content.friendlyName,
      language: content.language,
      links: { approval_create: `${url}/ApprovalRequests/whatsapp`, approval_fetch: `${url}/ApprovalRequests` },
      sid: content.sid,
      types: content.types,
      url,
      variables: content.variables,
    };
  }

  private approvalFields(content: SimulatedContent, status: string): Record<string, unknown> {
    return {
      allow_category_change: true,
      category: content.approval?.category ?? '',
      content_type: primaryContentType(content.contentTypes),
      name: content.approval?.name ?? '',
      rejection_reason: status === 'rejected' ? (content.approval?.rejectionReason ?? '') : '',
      status,
    };
  }

  private submitApproval(accountSid: string, sid: string, body: string, response: ServerResponse): void {
    const content = this.contentFor(accountSid, sid);
    const request = validateApprovalCreate(this.parseJson(body));
    const current = approvalStatusAt(content.approval, Date.now(), this.approvalDelayMs);
    if (current !== 'unsubmitted' && current !== 'rejected') {
      throw new TwilioApiError(TWILIO_CODES.contentBadRequest, `Content ${sid} has already been submitted for WhatsApp approval`, 400);
    }
    const reason = unapprovableReason(content.contentTypes);
    content.approval = {
      name: request.name,
      category: request.category,
      submittedAt: Date.now(),
      ...(reason && { verdict: 'rejected' as const, rejectionReason: reason }),
    };
    this.log?.(`twilio simulator: approval requested for ${sid} as ${request.name} (${request.category})`);
    this.sendJson(response, 201, this.approvalFields(content, 'received'));
  }

  private fetchApproval(accountSid: string, sid: string, response: ServerResponse): void {
    const content = this.contentFor(accountSid, sid);
    const status = approvalStatusAt(content.approval, Date.now(), this.approvalDelayMs);
    this.sendJson(response, 200, {
      account_sid: content.accountSid,
      sid: content.sid,
      url: `${this.url}/v1/Content/${content.sid}/ApprovalRequests`,
      whatsapp: { type: 'whatsapp', ...this.approvalFields(content, status), flows: null },
    });
  }

  // -------------------------------------------------------------------------------------------
  // Control endpoints (no auth; for humans and tests)
  // -------------------------------------------------------------------------------------------

  private control(method: string, path: string, body: string, response: ServerResponse): void {
    const route = `${method} ${path}`;
    switch (route) {
      case 'GET /_simulator/messages':
        this.sendJson(response, 200, this.messages());
        return;
      case 'GET /_simulator/contents':
        this.sendJson(response, 200, this.contents());
        return;
      case 'GET /_simulator/stats':
        this.sendJson(response, 200, this.stats());
        return;
      case 'GET /_simulator/faults':
        this.sendJson(response, 200, this.faults);
        return;
      case 'PUT /_simulator/faults': {
        try {
          this.setFaults(parseFaults(JSON.parse(body || '{}')));
        } catch (error) {
          this.sendJson(response, 400, { error: (error as Error).message });
          return;
        }
        this.sendJson(response, 200, this.faults);
        return;
      }
      case 'POST /_simulator/inbound': {
        let resource: Record<string, unknown>;
        try {
          resource = this.recordInbound(JSON.parse(body || '{}') as InboundInput);
        } catch (error) {
          this.sendJson(response, 400, { error: (error as Error).message });
          return;
        }
        this.sendJson(response, 201, resource);
        return;
      }
      case 'POST /_simulator/reset':
        this.reset();
        response.writeHead(204);
        response.end();
        return;
      default:
        this.sendJson(response, 404, { error: `no control endpoint ${route}` });
    }
  }
}

/** Starts the simulator. See `index.ts`. */
export async function startTwilioSimulator(options: TwilioSimulatorOptions): Promise<TwilioSimulator> {
  const simulator = new SimulatorServer(options);
  await simulator.listen();
  return simulator;
}
