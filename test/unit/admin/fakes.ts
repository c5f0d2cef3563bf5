import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { SetupResult } from '../../../lambdas/domain/admin/contract';
import { NumberInUseError } from '../../../lambdas/domain/admin/errors';
import type {
  AdminConnectionStore,
  AuditLog,
  AuditRecord,
  ConnectionFields,
  ConversationLister,
  ConversationRecord,
  KeyPage,
  MessageLister,
  SecretWriter,
  SendClaim,
  SendClaimStore,
  StoredConnection,
  TestRecord,
} from '../../../lambdas/domain/admin/ports';
import type { ConnectionCheck, ConnectionTester, ProviderCredentials, TestTarget } from '../../../lambdas/domain/bsp';
import type { ConnectionAttention, ConnectionAttentionStore, MarkCondition } from '../../../lambdas/domain/connection-attention';
import type { DomainEvent } from '../../../lambdas/domain/events';
import type { ProviderName } from '../../../lambdas/domain/providers';
import type { OutboundMessage } from '../../../lambdas/domain/outbound/contract';
import type { OutboundQueue } from '../../../lambdas/domain/outbound/ports';
import { templateFileSchema, type TemplateFile } from '../../../lambdas/domain/template-creation';
import type { AdminDeps } from '../../../lambdas/handlers/admin/handler';
import reengagementJson from '../../../templates/reengagement.json';
import { RecordingEvents, silentPowertools } from '../../support/fakes';
import { TwilioTemplateBsp } from '../../../lambdas/providers/whatsapp/twilio/templates';
import { FakeCloudTemplates, FakeContentApi, MemoryRegistry, fakeCloudBsp } from '../templates/support';

/** The DynamoDB store's conditions (pointer per business, number claims, transactions), in memory. */
export class InMemoryAdminConnectionStore implements AdminConnectionStore, ConnectionAttentionStore {
  readonly items = new Map<string, StoredConnection>();
  readonly pointers = new Map<string, string>();
  /** `provider#providerNumberId` → the claim. */
  readonly claims = new Map<string, { businessId: string; connectionId: string }>();
  /** Every write, in order. */
  readonly writes: string[] = [];
  /** Runs before `save` writes (to simulate a concurrent DELETE or a rival's claim). */
  beforeSave?: () => void;
  /** Each connection's outbox entry: the event its last announcing write carried. */
  readonly outbox = new Map<string, DomainEvent>();
  /**
   * Where written entries go, as the event relay publishes them from the stream (the harness's
   * recording bus): only writes that applied ever reach it.
   */
  relay?: { published: DomainEvent[] };

  private announce(connectionId: string, event: DomainEvent | undefined): void {
    if (!event) return;
    this.outbox.set(connectionId, event);
    this.relay?.published.push(event);
  }

  async current(businessId: string) {
    const id = this.pointers.get(businessId);
    const item = id ? this.items.get(id) : undefined;
    return item && item.businessId === businessId ? structuredClone(item) : undefined;
  }
  async claim(businessId: string, candidateId: string) {
    const existing = this.pointers.get(businessId);
    if (existing) return { connectionId: existing, created: false };
    this.pointers.set(businessId, candidateId);
    this.writes.push(`claim ${businessId} ${candidateId}`);
    return { connectionId: candidateId, created: true };
  }
  async abandon(businessId: string, connectionId: string) {
    if (this.pointers.get(businessId) !== connectionId || this.items.has(connectionId)) return;
    this.pointers.delete(businessId);
    this.writes.push(`abandon ${businessId} ${connectionId}`);
  }
  async save(fields: ConnectionFields, at: Date, event?: DomainEvent) {
    this.beforeSave?.();
    if (this.pointers.get(fields.businessId) !== fields.connectionId) return undefined;
    const key = `${fields.provider}#${fields.providerNumberId}`;
    const holder = this.claims.get(key);
    if (holder && holder.businessId !== fields.businessId) throw new NumberInUseError('taken');
    const previous = this.items.get(fields.connectionId);
    if (previous) {
      const previousKey = `${previous.provider}#${previous.providerNumberId}`;
      if (previousKey !== key && this.claims.get(previousKey)?.connectionId === fields.connectionId) this.claims.delete(previousKey);
    }
    this.claims.set(key, { businessId: fields.businessId, connectionId: fields.connectionId });
    const now = at.toISOString();
    const item: StoredConnection = {
      ...fields,
      status: 'active',
      verified: false,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
      ...(previous?.lastInboundAt && { lastInboundAt: previous.lastInboundAt }),
    };
    this.items.set(fields.connectionId, item);
    this.writes.push(`save ${fields.connectionId}`);
    this.announce(fields.connectionId, event);
    return structuredClone(item);
  }
  async disable(businessId: string, connectionId: string, at: Date, event?: DomainEvent) {
    if (this.pointers.get(businessId) !== connectionId) return false;
    const item = this.items.get(connectionId);
    if (!item) return false;
    this.pointers.delete(businessId);
    const key = `${item.provider}#${item.providerNumberId}`;
    if (this.claims.get(key)?.connectionId === connectionId) this.claims.delete(key);
    Object.assign(item, { status: 'disabled', verified: false, updatedAt: at.toISOString() });
    this.writes.push(`disable ${connectionId}`);
    this.announce(connectionId, event);
    return true;
  }
  async recordTest(connectionId: string, credentialsUpdatedAt: string, result: TestRecord, at: Date, event?: DomainEvent) {
    const item = this.items.get(connectionId);
    if (!item || item.status !== 'active' || item.credentialsUpdatedAt !== credentialsUpdatedAt) return false;
    Object.assign(item, {
      verified: result.verified,
      lastTest: result.lastTest,
      updatedAt: at.toISOString(),
      ...(result.facts && { facts: result.facts }),
      ...(result.displayNumber && !item.displayNumber && { displayNumber: result.displayNumber }),
    });
    if (result.clearAttention) delete item.attention;
    this.writes.push(`test ${connectionId}`);
    this.announce(connectionId, event);
    return true;
  }
  /** `DynamoDbConnectionAttention`'s conditional write: active, not marked, and (asked) the same credentials. */
  async markNeedsAttention(connectionId: string, attention: ConnectionAttention, only?: MarkCondition, eventFor?: (verified: boolean) => DomainEvent) {
    const item = this.items.get(connectionId);
    if (!item || item.status !== 'active' || item.attention) return undefined;
    if (only && item.credentialsUpdatedAt !== only.credentialsUpdatedAt) return undefined;
    item.attention = attention;
    this.writes.push(`attention ${connectionId}`);
    this.announce(connectionId, eventFor?.(item.verified));
    return { verified: item.verified };
  }
  async recordSetup(connectionId: string, credentialsUpdatedAt: string, setup: SetupResult, at: Date) {
    const item = this.items.get(connectionId);
    if (!item || item.status !== 'active' || item.credentialsUpdatedAt !== credentialsUpdatedAt) return false;
    Object.assign(item, { setup, updatedAt: at.toISOString() });
    this.writes.push(`setup ${connectionId}`);
    return true;
  }
  async findByProviderNumber(provider: ProviderName, providerNumberId: string) {
    const holder = this.claims.get(`${provider}#${providerNumberId}`);
    const item = holder ? this.items.get(holder.connectionId) : undefined;
    return item?.status === 'active' ? structuredClone(item) : undefined;
  }
  async setHandoffPauseHours(businessId: string, pauseHours: number, at: Date) {
    const id = this.pointers.get(businessId);
    const item = id ? this.items.get(id) : undefined;
    if (!item || item.businessId !== businessId) return undefined;
    this.items.set(item.connectionId, { ...item, handoffPauseHours: pauseHours, updatedAt: at.toISOString() });
    return structuredClone(this.items.get(item.connectionId));
  }
}

export class FakeSecretWriter implements SecretWriter {
  readonly secrets = new Map<string, { versions: string[]; deletion?: number }>();
  readonly writes: string[] = [];
  async put(name: string, secretString: string) {
    const secret = this.secrets.get(name) ?? { versions: [] };
    secret.versions.push(secretString);
    delete secret.deletion;
    this.secrets.set(name, secret);
    this.writes.push(`put ${name}`);
    return { arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf` };
  }
  async scheduleDeletion(secretId: string, days: number) {
    const name = secretId.replace(/^arn:aws:secretsmanager:[^:]+:\d+:secret:/, '').replace(/-[A-Za-z]{6}$/, '');
    const secret = this.secrets.get(name);
    if (secret) secret.deletion = days;
    this.writes.push(`delete ${name} ${days}`);
  }
  /** The credentials currently stored for a secret ARN. */
  read(secretId: string): ProviderCredentials {
    const name = secretId.replace(/^arn:aws:secretsmanager:[^:]+:\d+:secret:/, '').replace(/-[A-Za-z]{6}$/, '');
    const versions = this.secrets.get(name)?.versions ?? [];
    return JSON.parse(versions[versions.length - 1]) as ProviderCredentials;
  }
}

/** A tester whose verdicts the test sets; records what it was asked (and with which target). */
export class FakeTester implements ConnectionTester {
  credentials: ConnectionCheck | Error = { ok: true, detail: 'ok' };
  sender: ConnectionCheck | Error = { ok: true, detail: 'ok' };
  message: ConnectionCheck | Error = { ok: true, detail: 'accepted' };
  readonly calls: string[] = [];
  readonly targets: TestTarget[] = [];
  protected answer(value: ConnectionCheck | Error): Promise<ConnectionCheck> {
    return value instanceof Error ? Promise.reject(value) : Promise.resolve(structuredClone(value));
  }
  checkCredentials(credentials: ProviderCredentials, target: TestTarget) {
    this.calls.push(`credentials ${String(credentials.accountSid ?? credentials.accessToken ?? credentials.apiKey)}`);
    this.targets.push(target);
    return this.answer(this.credentials);
  }
  checkSender(_credentials: ProviderCredentials, target: TestTarget) {
    this.calls.push(`sender ${target.number.displayNumber}`);
    this.targets.push(target);
    return this.answer(this.sender);
  }
  sendTestMessage(_credentials: ProviderCredentials, target: TestTarget, to: string) {
    this.calls.push(`message ${target.number.displayNumber} ${to}`);
    this.targets.push(target);
    return this.answer(this.message);
  }
}

/** A 360dialog-like tester: also registers the webhook on every save. */
export class FakeSetupTester extends FakeTester {
  saved: ConnectionCheck | Error = { ok: true, detail: 'registered' };
  readonly setups: Array<{ credentials: ProviderCredentials; target: TestTarget }> = [];
  onSaved(credentials: ProviderCredentials, target: TestTarget) {
    this.setups.push({ credentials, target });
    return this.answer(this.saved);
  }
}

export class MemoryConversations implements ConversationLister, MessageLister {
  readonly conversations = new Map<string, ConversationRecord>();
  readonly messages = new Map<string, Record<string, unknown>[]>();

  async listByBusiness(businessId: string, limit: number, startKey?: Record<string, string>): Promise<KeyPage<ConversationRecord>> {
    const all = [...this.conversations.values()]
      .filter((c) => c.businessId === businessId && c.lastMessageAt)
      .sort((a, b) => (b.lastMessageAt! < a.lastMessageAt! ? -1 : 1));
    const from = startKey ? all.findIndex((c) => c.conversationId === startKey.conversationId) + 1 : 0;
    const page = all.slice(from, from + limit);
    const more = from + limit < all.length;
    const last = page[page.length - 1];
    return {
      items: page,
      ...(more && last && { lastKey: { conversationId: last.conversationId, businessId, lastMessageAt: last.lastMessageAt! } }),
    };
  }
  async get(conversationId: string) {
    return this.conversations.get(conversationId);
  }
  async list(conversationId: string, limit: number, startKey?: Record<string, string>) {
    const all = [...(this.messages.get(conversationId) ?? [])].sort((a, b) => (String(b.messageId) < String(a.messageId) ? -1 : 1));
    const from = startKey ? all.findIndex((m) => m.messageId === startKey.messageId) + 1 : 0;
    const page = all.slice(from, from + limit);
    const last = page[page.length - 1];
    return { items: page, ...(from + limit < all.length && last && { lastKey: { conversationId, messageId: String(last.messageId) } }) };
  }
}

export class RecordingOutboundQueue implements OutboundQueue {
  readonly sent: Array<{ message: OutboundMessage; groupId: string }> = [];
  async enqueue(message: OutboundMessage, groupId: string) {
    this.sent.push({ message, groupId });
  }
}

/** The dedupe table's conditional Put, in memory: the first claim of a key wins. */
export class InMemorySendClaimStore implements SendClaimStore {
  readonly items = new Map<string, SendClaim & { expiresAt: number }>();
  async claim(dedupeKey: string, claim: SendClaim, expiresAt: Date) {
    const existing = this.items.get(dedupeKey);
    if (existing) return { claim: { messageId: existing.messageId, conversationId: existing.conversationId }, created: false };
    this.items.set(dedupeKey, { ...claim, expiresAt: Math.floor(expiresAt.getTime() / 1000) });
    return { claim: { ...claim }, created: true };
  }
}

export class MemoryAuditLog implements AuditLog {
  readonly records: AuditRecord[] = [];
  fail?: Error;
  async write(record: AuditRecord) {
    if (this.fail) throw this.fail;
    this.records.push(record);
  }
}

export const reengagement: TemplateFile = templateFileSchema.parse(reengagementJson);

export const BUSINESS = 'acme';
export const OTHER_BUSINESS = 'globex';
export const ACCOUNT_SID = `AC${'a'.repeat(32)}`;
export const AUTH_TOKEN = '0123456789abcdef0123456789ab7f3e';
export const NUMBER = '+5215512345678';
export const META = {
  phoneNumberId: '106540352242922',
  wabaId: '102290129340398',
  accessToken: `EAAG${'x'.repeat(150)}Zk9Q`,
  appSecret: '0123456789abcdef0123456789abc4d2',
};
export const DIALOG360_KEY = 'AbCdEfGhIjKlMnOpQrStUvWx_AK7q';

export interface AdminHarness {
  deps: AdminDeps;
  store: InMemoryAdminConnectionStore;
  secrets: FakeSecretWriter;
  /** Twilio's. */
  tester: FakeTester;
  metaTester: FakeTester;
  dialogTester: FakeSetupTester;
  /** Meta's verify tokens and 360dialog's webhook secrets handed out, in order. */
  tokens: string[];
  data: MemoryConversations;
  queue: RecordingOutboundQueue;
  sendClaims: InMemorySendClaimStore;
  registry: MemoryRegistry;
  /** Twilio's Content API behind the Twilio template port. */
  contentApi: FakeContentApi;
  /** The Meta and 360dialog accounts' templates behind the real Cloud API template port. */
  metaTemplates: FakeCloudTemplates;
  dialogTemplates: FakeCloudTemplates;
  /** The events the connection store's applied writes carried, as the event relay publishes them. */
  events: RecordingEvents;
  audit: MemoryAuditLog;
  now: { value: Date };
}

export function adminHarness(): AdminHarness {
  const store = new InMemoryAdminConnectionStore();
  const secrets = new FakeSecretWriter();
  const tester = new FakeTester();
  const metaTester = new FakeTester();
  const dialogTester = new FakeSetupTester();
  const tokens: string[] = [];
  const data = new MemoryConversations();
  const queue = new RecordingOutboundQueue();
  const sendClaims = new InMemorySendClaimStore();
  const registry = new MemoryRegistry();
  const contentApi = new FakeContentApi();
  const meta = fakeCloudBsp('meta');
  const dialog360 = fakeCloudBsp('360dialog');
  // The connection writes' outbox entries, as the event relay publishes them.
  const events = new RecordingEvents();
  store.relay = events;
  const audit = new MemoryAuditLog();
  const now = { value: new Date('2026-11-27T10:00:00.000Z') };
  let ids = 0;
  const deps: AdminDeps = {
    connections: store,
    attention: store,
    secrets,
    credentials: { get: async (secretId) => secrets.read(secretId) },
    testers: { twilio: tester, meta: metaTester, '360dialog': dialogTester },
    newSecretToken: () => {
      tokens.push(`tok${String(tokens.length + 1).padStart(29, '0')}`);
      return tokens[tokens.length - 1];
    },
    conversations: data,
    messages: data,
    queue,
    sendClaims,
    templates: registry,
    templateBsps: { twilio: new TwilioTemplateBsp(contentApi), meta: meta.bsp, '360dialog': dialog360.bsp },
    reengagement,
    audit,
    clock: { now: () => new Date(now.value) },
    newConnectionId: () => `cn_TEST${String(++ids).padStart(22, '0')}`,
    ...silentPowertools(),
    config: {
      webhookBaseUrl: 'https://hooks.example.com',
      secretNamePrefix: 'echo-whatsapp',
      secretRecoveryWindowDays: 7,
      businessClaim: 'custom:business_id',
      auditRetentionDays: 400,
      dedupeTtlDays: 14,
      maxBodyBytes: 64 * 1024,
    },
  };
  return { deps, store, secrets, tester, metaTester, dialogTester, tokens, data, queue, sendClaims, registry, contentApi, metaTemplates: meta.client, dialogTemplates: dialog360.client, events, audit, now };
}

export const putBody = (overrides: Record<string, unknown> = {}) => ({
  provider: 'twilio',
  twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, whatsappNumber: NUMBER, ...overrides },
});

export const metaBody = (overrides: Record<string, unknown> = {}) => ({ provider: 'meta', meta: { ...META, ...overrides } });

export const dialog360Body = (overrides: Record<string, unknown> = {}) => ({
  provider: '360dialog',
  dialog360: { apiKey: DIALOG360_KEY, whatsappNumber: NUMBER, ...overrides },
});

/** An API Gateway HTTP API (payload 2.0) event as the JWT authorizer passes it on. */
export function apiEvent(input: {
  routeKey: string;
  path: string;
  pathParameters?: Record<string, string>;
  claims?: Record<string, unknown> | null;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  query?: Record<string, string>;
}): APIGatewayProxyEventV2 {
  const body = input.rawBody ?? (input.body === undefined ? undefined : JSON.stringify(input.body));
  const [method] = input.routeKey.split(' ');
  return {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath: input.path,
    rawQueryString: input.query ? new URLSearchParams(input.query).toString() : '',
    headers: {
      host: 'api.example.com',
      ...(body !== undefined && { 'content-type': input.contentType ?? 'application/json' }),
    },
    ...(input.query && { queryStringParameters: input.query }),
    ...(input.pathParameters && { pathParameters: input.pathParameters }),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path: input.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey: input.routeKey,
      stage: '$default',
      time: '27/Nov/2026:10:00:00 +0000',
      timeEpoch: 0,
      ...(input.claims !== null && {
        authorizer: { jwt: { claims: input.claims ?? { sub: 'user-1', 'custom:business_id': BUSINESS }, scopes: null } },
      }),
    },
    ...(body !== undefined && { body }),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}
