import type { Connection } from '../../../lambdas/domain/connection';
import type { DomainEvent } from '../../../lambdas/domain/events';
import { DELIVERY_STATUS_RANK } from '../../../lambdas/domain/delivery-status';
import type {
  FallbackKind,
  MessageKey,
  NewConversation,
  OutboundConversation,
  OutboundFailure,
  OutboundMessageItem,
  OutboundStore,
  OutcomeWatchdogStore,
  PendingOptions,
  RecordOutboundInput,
  RecordOutboundResult,
  SendConnections,
  SendState,
} from '../../../lambdas/domain/outbound/ports';
import type { SendOutboundDeps } from '../../../lambdas/domain/outbound/send-outbound';
import type { TemplateDefinition } from '../../../lambdas/domain/templates';
import type {
  SendableContent,
  SendFailureKind,
  SendRequest,
  SendResult,
  SentLookup,
  SentLookupResult,
  WhatsAppSender,
} from '../../../lambdas/providers/whatsapp/provider';
import { contentClassOf, twilioFailureKind } from '../../../lambdas/providers/whatsapp/twilio/send/errors';
import { SendFailedError } from '../../../lambdas/shared/errors';
import { RecordingEvents } from '../../support/fakes';

type StoredMessage = OutboundMessageItem & { outcomePending?: string; outcomeDeadline?: string; [extra: string]: unknown };

/**
 * The DynamoDB store's conditions, in memory. Events a write carries (the outbox) reach `relay`
 * exactly when the write applies, as the event relay would publish them from the stream.
 */
export class InMemoryOutboundStore implements OutboundStore, OutcomeWatchdogStore {
  constructor(private readonly relay?: RecordingEvents) {}

  readonly conversations = new Map<string, OutboundConversation & { pendingOptions?: PendingOptions; [extra: string]: unknown }>();
  readonly messages = new Map<string, StoredMessage>();
  readonly dedupe = new Map<string, { conversationId: string; messageIds: string[] }>();
  /** BSP id → our key: what `markAccepted` maps (the DynamoDB store's `out#` items). */
  readonly externalIds = new Map<string, MessageKey>();
  readonly createdConversations: NewConversation[] = [];
  /** Every state change, in order: `claim m1`, `accept m1`, … */
  readonly log: string[] = [];
  failNext?: { method: keyof OutboundStore; error: Error };

  private id(key: MessageKey): string {
    return `${key.conversationId}|${key.messageId}`;
  }

  private maybeFail(method: keyof OutboundStore): void {
    if (this.failNext?.method === method) {
      const { error } = this.failNext;
      this.failNext = undefined;
      throw error;
    }
  }

  message(key: MessageKey | string): StoredMessage | undefined {
    if (typeof key === 'string') return [...this.messages.values()].find((m) => m.messageId === key);
    return this.messages.get(this.id(key));
  }

  all(): StoredMessage[] {
    return [...this.messages.values()];
  }

  async getConversation(conversationId: string): Promise<OutboundConversation | undefined> {
    this.maybeFail('getConversation');
    return this.conversations.get(conversationId);
  }

  async record(input: RecordOutboundInput): Promise<RecordOutboundResult> {
    this.maybeFail('record');
    const existing = this.dedupe.get(input.dedupeKey);
    if (existing) return { outcome: 'duplicate', ...existing };
    this.dedupe.set(input.dedupeKey, { conversationId: input.messages[0].conversationId, messageIds: input.messages.map((m) => m.messageId) });
    for (const message of input.messages) this.messages.set(this.id(message), structuredClone(message) as StoredMessage);
    if (input.conversation) this.createdConversations.push(input.conversation);
    this.log.push(`record ${input.messages.map((m) => m.messageId).join(',')}`);
    for (const message of input.messages) {
      const event = input.events?.[message.messageId];
      if (event) this.relay?.published.push(event);
    }
    if (input.claimFirst) {
      const first = this.messages.get(this.id(input.messages[0]))!;
      Object.assign(first, {
        sendState: 'sending',
        attempts: first.attempts + 1,
        outcomePending: 'pending',
        outcomeDeadline: input.claimFirst.outcomeDeadline.toISOString(),
        lastAttemptAt: input.claimFirst.at.toISOString(),
        ...(input.claimFirst.fallback && { fallback: input.claimFirst.fallback }),
      });
      this.log.push(`claim ${first.messageId}`);
    }
    return { outcome: 'recorded' };
  }

  async getMessages(conversationId: string, messageIds: string[]): Promise<OutboundMessageItem[]> {
    return messageIds.flatMap((messageId) => {
      const found = this.messages.get(this.id({ conversationId, messageId }));
      return found ? [structuredClone(found)] : [];
    });
  }

  async getMessage(key: MessageKey): Promise<OutboundMessageItem | undefined> {
    const found = this.messages.get(this.id(key));
    return found ? structuredClone(found) : undefined;
  }

  async claim(key: MessageKey, at: Date, outcomeDeadline: Date, fallback?: FallbackKind): Promise<boolean> {
    this.maybeFail('claim');
    const message = this.messages.get(this.id(key));
    if (!message || message.sendState !== 'pending') return false;
    Object.assign(message, {
      sendState: 'sending',
      attempts: message.attempts + 1,
      outcomePending: 'pending',
      outcomeDeadline: outcomeDeadline.toISOString(),
      lastAttemptAt: at.toISOString(),
      updatedAt: at.toISOString(),
      ...(fallback && { fallback }),
    });
    this.log.push(`claim ${key.messageId}`);
    return true;
  }

  async markAccepted(key: MessageKey, externalId: string): Promise<void> {
    this.maybeFail('markAccepted');
    const message = this.messages.get(this.id(key));
    if (!message || message.sendState !== 'sending') return;
    if (message.externalId !== undefined && message.externalId !== externalId) return;
    Object.assign(message, { sendState: 'accepted', externalId });
    this.externalIds.set(externalId, { conversationId: key.conversationId, messageId: key.messageId });
    delete message.outcomePending;
    delete message.outcomeDeadline;
    this.log.push(`accept ${key.messageId}`);
  }

  async release(key: MessageKey, _at: Date, change: { errorCode?: string; errorReason?: string; fallback?: FallbackKind } = {}): Promise<boolean> {
    const message = this.messages.get(this.id(key));
    if (!message || message.sendState !== 'sending') return false;
    Object.assign(message, {
      sendState: 'pending',
      ...(change.errorCode && { lastErrorCode: change.errorCode }),
      ...(change.errorReason && { lastErrorReason: change.errorReason }),
      ...(change.fallback && { fallback: change.fallback }),
    });
    delete message.outcomePending;
    delete message.outcomeDeadline;
    this.log.push(`release ${key.messageId}${change.fallback ? ` → ${change.fallback}` : ''}`);
    return true;
  }

  async markFailed(key: MessageKey, failure: OutboundFailure, _at: Date, from: SendState[], event?: DomainEvent): Promise<boolean> {
    const message = this.messages.get(this.id(key));
    if (!message || !from.includes(message.sendState) || message.deliveryStatusRank > DELIVERY_STATUS_RANK.queued) return false;
    Object.assign(message, {
      sendState: 'failed',
      deliveryStatus: 'failed',
      deliveryStatusRank: DELIVERY_STATUS_RANK.failed,
      failureReason: failure.reason,
      errorReason: failure.errorReason,
      ...(failure.errorCode !== undefined && { errorCode: failure.errorCode }),
    });
    delete message.outcomePending;
    delete message.outcomeDeadline;
    this.log.push(`fail ${key.messageId} ${failure.reason}`);
    if (event) this.relay?.published.push(event);
    return true;
  }

  async findKeyByExternalId(_provider: string, externalId: string): Promise<MessageKey | undefined> {
    return this.externalIds.get(externalId);
  }

  /** What the webhook's status update does to a message: records the BSP's id and status, settles the outcome watch. */
  applyStatusCallback(key: MessageKey, externalId: string, status: 'sent' | 'delivered' | 'failed' = 'sent'): void {
    const message = this.messages.get(this.id(key));
    if (!message) throw new Error('no such message');
    Object.assign(message, {
      externalId,
      providerStatus: status,
      deliveryStatus: status,
      deliveryStatusRank: DELIVERY_STATUS_RANK[status],
    });
    delete message.outcomePending;
    delete message.outcomeDeadline;
  }

  async setPendingOptions(conversationId: string, pending: PendingOptions): Promise<void> {
    const conversation = this.conversations.get(conversationId);
    if (conversation) conversation.pendingOptions = pending;
    this.log.push(`options ${pending.messageId}`);
  }

  async overdue(now: Date, limit: number): Promise<MessageKey[]> {
    return this.all()
      .filter((m) => m.outcomePending === 'pending' && m.outcomeDeadline !== undefined && m.outcomeDeadline <= now.toISOString())
      .sort((a, b) => a.outcomeDeadline!.localeCompare(b.outcomeDeadline!))
      .slice(0, limit)
      .map((m) => ({ conversationId: m.conversationId, messageId: m.messageId }));
  }

  async expire(key: MessageKey, _at?: Date, eventFor?: (item: OutboundMessageItem) => DomainEvent): Promise<OutboundMessageItem | undefined> {
    const message = this.messages.get(this.id(key));
    if (!message || message.outcomePending !== 'pending' || message.sendState !== 'sending' || message.deliveryStatusRank > DELIVERY_STATUS_RANK.queued) {
      return undefined;
    }
    Object.assign(message, { sendState: 'failed', deliveryStatus: 'failed', deliveryStatusRank: 90, failureReason: 'outcome-unknown' });
    // The event the real store writes with this update (the outbox).
    if (eventFor) message.outbox = eventFor(structuredClone(message));
    delete message.outcomePending;
    delete message.outcomeDeadline;
    return structuredClone(message);
  }
}

type Script = SendResult | SendFailedError | Error;

/** A sender that answers from a script (then accepts), and records every request. */
export class ScriptedSender implements WhatsAppSender {
  readonly maxTextLength: number;
  readonly requests: SendRequest[] = [];
  private readonly script: Script[] = [];
  private counter = 0;
  constructor(maxTextLength = 1600) {
    this.maxTextLength = maxTextLength;
  }
  then(...answers: Script[]): this {
    this.script.push(...answers);
    return this;
  }
  failureKindOf(code: string, sentContentType: SendableContent['type']): SendFailureKind {
    return twilioFailureKind(code, contentClassOf(sentContentType));
  }
  async send(request: SendRequest): Promise<SendResult> {
    this.requests.push(structuredClone(request));
    const next = this.script.shift();
    if (next instanceof Error) throw next;
    return next ?? { externalId: `SM${String(++this.counter).padStart(32, '0')}`, providerStatus: 'queued' };
  }
}

/**
 * A sender whose BSP keeps a message list, like Twilio: `loseAnswer` accepts a send (it is listed)
 * and then throws `outcome-unknown`, as a 500 after acceptance or a cut connection would.
 */
export class ListingSender extends ScriptedSender {
  readonly listed: Array<{ sid: string; to: string; text?: string }> = [];
  readonly lookups: SentLookup[] = [];
  private losing = 0;
  private listCounter = 0;
  /** The next `count` sends are accepted and their answers lost. */
  loseAnswer(count = 1): this {
    this.losing += count;
    return this;
  }
  override async send(request: SendRequest): Promise<SendResult> {
    if (this.losing > 0) {
      this.losing -= 1;
      this.requests.push(structuredClone(request));
      this.listed.push({ sid: `SMlost${++this.listCounter}`, to: request.to, ...(request.content.type === 'text' && { text: request.content.text }) });
      throw new SendFailedError('outcome-unknown', '20500', 'Twilio answered 500 after the request left.', { httpStatus: 500 });
    }
    const result = await super.send(request);
    this.listed.push({ sid: result.externalId, to: request.to, ...(request.content.type === 'text' && { text: request.content.text }) });
    return result;
  }
  async findSent(lookup: SentLookup): Promise<SentLookupResult> {
    this.lookups.push(lookup);
    for (const entry of this.listed) {
      if (entry.to !== lookup.to) continue;
      if (lookup.content?.type === 'text' && entry.text !== lookup.content.text) continue;
      if (await lookup.isKnown(entry.sid)) continue;
      return { outcome: 'found', sent: { externalId: entry.sid, providerStatus: 'sent' } };
    }
    return { outcome: 'not-sent' };
  }
}

export const BUSINESS = 'acme';
export const CUSTOMER = '+5215512345678';

export const connection: Connection = {
  connectionId: 'conn1',
  businessId: BUSINESS,
  provider: 'twilio',
  status: 'active',
  displayNumber: '+14155238886',
  secretArn: 'arn:secret:conn1',
};

export class FixedConnections implements SendConnections {
  constructor(readonly connections: Connection[] = [connection]) {}
  async get(connectionId: string): Promise<Connection | undefined> {
    return this.connections.find((c) => c.connectionId === connectionId);
  }
  async listByBusiness(businessId: string): Promise<Connection[]> {
    return this.connections.filter((c) => c.businessId === businessId);
  }
}

export function template(overrides: Partial<TemplateDefinition> = {}): TemplateDefinition {
  return {
    businessId: BUSINESS,
    name: 'reengagement',
    language: 'es_MX',
    providerTemplateId: 'HX' + 'a'.repeat(32),
    category: 'UTILITY',
    approvalStatus: 'approved',
    variables: { '1': 'Ana' },
    connectionId: connection.connectionId,
    updatedAt: '2026-11-01T00:00:00Z',
    ...overrides,
  };
}

export interface SendHarness {
  deps: SendOutboundDeps;
  store: InMemoryOutboundStore;
  sender: ScriptedSender;
  events: RecordingEvents;
  templates: TemplateDefinition[];
  connections: FixedConnections;
  now: { value: Date };
}

export function sendHarness(
  options: { maxReceiveCount?: number; maxAttempts?: number; maxTextLength?: number; connections?: Connection[]; sender?: ScriptedSender } = {},
): SendHarness {
  const events = new RecordingEvents();
  const store = new InMemoryOutboundStore(events);
  const sender = options.sender ?? new ScriptedSender(options.maxTextLength);
  const templates: TemplateDefinition[] = [];
  const connections = new FixedConnections(options.connections);
  const now = { value: new Date('2026-11-26T12:00:00Z') };
  const deps: SendOutboundDeps = {
    store,
    connections,
    credentials: { get: async () => ({ accountSid: 'AC' + '1'.repeat(32), authToken: 'token' }) },
    senders: { twilio: sender },
    templates: {
      get: async (businessId, name, language) =>
        templates.find((t) => t.businessId === businessId && t.name === name && t.language === language),
    },
    events,
    clock: { now: () => now.value },
    config: {
      webhookBaseUrl: 'https://hooks.example.com',
      maxReceiveCount: options.maxReceiveCount ?? 5,
      dedupeTtlMs: 86_400_000,
      outcomeTimeoutMs: 600_000,
      backoff: { baseMs: 2_000, capMs: 900_000 },
      maxAttempts: options.maxAttempts ?? 8,
      retryBudgetMs: 3_600_000,
      lookupAfterMs: 5_000,
      resolveDelayMs: 5_000,
    },
    random: () => 0.5,
  };
  return { deps, store, sender, events, templates, connections, now };
}
