import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { LastTest } from '../../../lambdas/domain/admin/contract';
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
} from '../../../lambdas/domain/admin/ports';
import type { OutboundMessage } from '../../../lambdas/domain/outbound/contract';
import type { OutboundQueue } from '../../../lambdas/domain/outbound/ports';
import { templateFileSchema, type TemplateFile } from '../../../lambdas/domain/template-creation';
import type { AdminDeps } from '../../../lambdas/handlers/admin/handler';
import type { ConnectionCheck, ConnectionTester, ProviderCredentials } from '../../../lambdas/providers/whatsapp/provider';
import reengagementJson from '../../../templates/reengagement.json';
import { RecordingEvents, silentPowertools } from '../../support/fakes';
import { FakeContentApi, MemoryRegistry } from '../templates/support';

/** The DynamoDB store's conditions (pointer per business, transactions), in memory. */
export class InMemoryAdminConnectionStore implements AdminConnectionStore {
  readonly items = new Map<string, StoredConnection>();
  readonly pointers = new Map<string, string>();
  /** Every write, in order. */
  readonly writes: string[] = [];
  /** Runs before `save` writes (to simulate a concurrent DELETE). */
  beforeSave?: () => void;

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
  async save(fields: ConnectionFields, at: Date) {
    this.beforeSave?.();
    if (this.pointers.get(fields.businessId) !== fields.connectionId) return undefined;
    const previous = this.items.get(fields.connectionId);
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
    return structuredClone(item);
  }
  async disable(businessId: string, connectionId: string, at: Date) {
    if (this.pointers.get(businessId) !== connectionId) return false;
    const item = this.items.get(connectionId);
    if (!item) return false;
    this.pointers.delete(businessId);
    Object.assign(item, { status: 'disabled', verified: false, updatedAt: at.toISOString() });
    this.writes.push(`disable ${connectionId}`);
    return true;
  }
  async recordTest(connectionId: string, credentialsUpdatedAt: string, result: { verified: boolean; lastTest: LastTest }, at: Date) {
    const item = this.items.get(connectionId);
    if (!item || item.status !== 'active' || item.credentialsUpdatedAt !== credentialsUpdatedAt) return false;
    Object.assign(item, { verified: result.verified, lastTest: result.lastTest, updatedAt: at.toISOString() });
    this.writes.push(`test ${connectionId}`);
    return true;
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

/** A tester whose verdicts the test sets; records what it was asked. */
export class FakeTester implements ConnectionTester {
  credentials: ConnectionCheck | Error = { ok: true, detail: 'ok' };
  sender: ConnectionCheck | Error = { ok: true, detail: 'ok' };
  message: ConnectionCheck | Error = { ok: true, detail: 'accepted' };
  readonly calls: string[] = [];
  private answer(value: ConnectionCheck | Error): Promise<ConnectionCheck> {
    return value instanceof Error ? Promise.reject(value) : Promise.resolve(value);
  }
  checkCredentials(credentials: ProviderCredentials) {
    this.calls.push(`credentials ${credentials.accountSid}`);
    return this.answer(this.credentials);
  }
  checkSender(_credentials: ProviderCredentials, number: string) {
    this.calls.push(`sender ${number}`);
    return this.answer(this.sender);
  }
  sendTestMessage(_credentials: ProviderCredentials, from: string, to: string) {
    this.calls.push(`message ${from} ${to}`);
    return this.answer(this.message);
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

export interface AdminHarness {
  deps: AdminDeps;
  store: InMemoryAdminConnectionStore;
  secrets: FakeSecretWriter;
  tester: FakeTester;
  data: MemoryConversations;
  queue: RecordingOutboundQueue;
  sendClaims: InMemorySendClaimStore;
  registry: MemoryRegistry;
  contentApi: FakeContentApi;
  events: RecordingEvents;
  audit: MemoryAuditLog;
  now: { value: Date };
}

export function adminHarness(): AdminHarness {
  const store = new InMemoryAdminConnectionStore();
  const secrets = new FakeSecretWriter();
  const tester = new FakeTester();
  const data = new MemoryConversations();
  const queue = new RecordingOutboundQueue();
  const sendClaims = new InMemorySendClaimStore();
  const registry = new MemoryRegistry();
  const contentApi = new FakeContentApi();
  const events = new RecordingEvents();
  const audit = new MemoryAuditLog();
  const now = { value: new Date('2026-11-27T10:00:00.000Z') };
  let ids = 0;
  const deps: AdminDeps = {
    connections: store,
    secrets,
    credentials: { get: async (secretId) => secrets.read(secretId) },
    testers: { twilio: tester },
    conversations: data,
    messages: data,
    queue,
    sendClaims,
    templates: registry,
    contentApi,
    reengagement,
    events,
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
  return { deps, store, secrets, tester, data, queue, sendClaims, registry, contentApi, events, audit, now };
}

export const putBody = (overrides: Record<string, unknown> = {}) => ({
  provider: 'twilio',
  twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, whatsappNumber: NUMBER, ...overrides },
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
