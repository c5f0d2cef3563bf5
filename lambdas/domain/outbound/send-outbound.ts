import type { Connection } from '../connection';
import { DELIVERY_STATUS_RANK } from '../delivery-status';
import type { DomainEvent } from '../events';
import { conversationIdFor, messageIdTime, newMessageId } from '../ids';
import type { Clock, EventPublisher } from '../ports';
import type { TemplateRegistry } from '../templates';
import { CUSTOMER_SERVICE_WINDOW_MS } from '../window';
import { encodeMessageKey, type ProviderCredentials, type SendableContent, type SentLookupResult, type WhatsAppSender } from '../bsp';
import type { ProviderName } from '../message';
import { webhookPath } from '../providers';
import { SendFailedError } from '../../shared/errors';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { parseOutboundMessage, type OutboundContent, type OutboundMessage, type TemplateRef } from './contract';
import type { SendPacer } from './pacing';
import { canFallBackToText, numberedText } from './numbered-options';
import type {
  FallbackKind,
  MessageKey,
  NewConversation,
  OutboundConversation,
  OutboundFailure,
  OutboundMessageItem,
  OutboundStore,
  PendingOptions,
  SendConnections,
} from './ports';
import { splitText } from './split-text';

/**
 * Machine-readable reasons a message ends `failed` (the `reason` of `send.failed` and the message's
 * `failureReason`); `errorReason` carries the sentence a business reads.
 */
export type FailureReason =
  | 'invalid-message'
  | 'conversation-not-found'
  | 'no-connection'
  | 'connection-unavailable'
  | 'window-closed'
  | 'template-not-approved'
  | 'permanent'
  | 'content-rejected'
  | 'retryable-exhausted'
  | 'outcome-unknown'
  | 'earlier-part-failed';

export interface SendOutboundConfig {
  /** Public base URL of the webhook, no trailing slash: status callbacks go to `…/status?c=…&m=…`. */
  webhookBaseUrl: string;
  /**
   * The queue's `maxReceiveCount`: only a safety net for poison records. A message that reaches it
   * is failed visibly before SQS dead-letters the record.
   */
  maxReceiveCount: number;
  /** BSP calls one message may take before it fails `retryable-exhausted` (counted on the record). */
  maxAttempts: number;
  /** How long after it was recorded a message may still be retried. */
  retryBudgetMs: number;
  /**
   * How long after an attempt whose answer was lost before the BSP's message list is asked: the
   * status callback usually settles it first, and a list read too soon may not show it yet.
   */
  lookupAfterMs: number;
  /** How long a record waits between two checks of an unsettled send. */
  resolveDelayMs: number;
  /** How long the outbound dedupe item lives (the same idempotency key is refused while it does). */
  dedupeTtlMs: number;
  /** How long an uncertain BSP call waits for a status callback before the watchdog fails it. */
  outcomeTimeoutMs: number;
  backoff: BackoffPolicy;
}

export const DEFAULT_SEND_CONFIG: Omit<SendOutboundConfig, 'webhookBaseUrl' | 'maxReceiveCount'> = {
  dedupeTtlMs: 14 * 24 * 60 * 60 * 1000,
  outcomeTimeoutMs: 10 * 60 * 1000,
  backoff: DEFAULT_BACKOFF,
  maxAttempts: 8,
  retryBudgetMs: 60 * 60 * 1000,
  lookupAfterMs: 5_000,
  resolveDelayMs: 5_000,
};

export interface SendOutboundDeps {
  store: OutboundStore;
  connections: SendConnections;
  credentials: { get(secretId: string): Promise<ProviderCredentials> };
  senders: Partial<Record<ProviderName, WhatsAppSender>>;
  templates: Pick<TemplateRegistry, 'get'>;
  events: EventPublisher;
  clock: Clock;
  config: SendOutboundConfig;
  /** For the backoff jitter. @default Math.random */
  random?: () => number;
  /**
   * Where conversations are read (e.g. `OpenWindowConversationCache`, which saves a read per reply
   * while the window is open). @default the store
   */
  conversations?: { get(conversationId: string): Promise<OutboundConversation | undefined> };
  /** Per-number pacing; without it, sends go as fast as they come. */
  pacer?: SendPacer;
  /** Waits a pacing delay in place. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Called when publishing events failed; the messages' states are already durable. */
  onEventPublishFailed?: (error: unknown) => void;
  /**
   * The BSP refused the connection's credentials (a permanent failure flagged `credentialsRejected`):
   * flags the connection for its owner (see `credentialsRejectedReporter`). Never throws.
   */
  onCredentialsRejected?: (connection: Connection, code: string) => Promise<void>;
}

/** One queue record, as far as the use case cares. */
export interface OutboundDelivery {
  body: string;
  /** SQS `ApproximateReceiveCount`: 1 on the first delivery. */
  receiveCount: number;
}

/** What happened to one recorded message (one part of a split text, or the whole message). */
export interface PartOutcome {
  conversationId: string;
  messageId: string;
  result:
    | 'accepted'
    | 'failed'
    /** Already `accepted` or `failed` by an earlier delivery: never sent twice. */
    | 'already-settled'
    /** Claimed by another attempt a moment ago: this delivery leaves it alone and comes back. */
    | 'in-flight'
    /**
     * The BSP call's outcome is unknown (an answer lost after the request left) and not settled yet:
     * the record waits, holding its conversation, until a status, the BSP's list or the deadline
     * settles it. Never sent again unless proven unsent.
     */
    | 'outcome-unknown'
    /** The BSP certainly did not take it; the next delivery tries again. */
    | 'retry'
    /** Not attempted in this delivery because an earlier part must go first. */
    | 'waiting';
  fallback?: FallbackKind;
  reason?: FailureReason;
  errorCode?: string;
  /** How an unknown outcome was settled: a status that carried our key, or the BSP's message list. */
  resolvedBy?: 'status-callback' | 'bsp-lookup';
  /** An uncertain send the BSP's list proved unsent, sent again in this delivery. */
  resent?: boolean;
}

/**
 * What the queue consumer must do with the record:
 * - `ack`: done (sent, or failed for good and announced): delete it;
 * - `retry`: make it visible again after `delayMs` and report it as failed. The rest of its
 *   conversation waits behind it; the attempts it used are on the message record, so the records
 *   waiting behind it lose nothing.
 */
export type SendOutboundResult =
  | { action: 'ack'; parts: PartOutcome[]; rejected?: { reason: FailureReason; problems: string[] } }
  | { action: 'retry'; delayMs: number; parts: PartOutcome[] };

/** The dedupe item of a logical outbound message (all its parts). */
export function outboundDedupeKey(businessId: string, idempotencyKey: string): string {
  return `outbound#${businessId}#${idempotencyKey}`;
}

/**
 * Where the BSP posts a sent message's delivery statuses. Our message key rides in the query string
 * (plain alphanumerics: Twilio signs the URL as it calls it).
 * @example statusCallbackUrl('https://x.example', 'twilio', 'conn1', { conversationId: 'cv_A', messageId: '01J' })
 * // 'https://x.example/webhook/whatsapp/twilio/conn1/status?c=cv_A&m=01J'
 */
export function statusCallbackUrl(baseUrl: string, provider: ProviderName, connectionId: string, key: MessageKey): string {
  const base = baseUrl.replace(/\/+$/, '');
  return `${base}${webhookPath(provider, connectionId, 'status')}?c=${encodeURIComponent(key.conversationId)}&m=${encodeURIComponent(key.messageId)}`;
}

/** Inside the 24-hour customer service window at `now`? */
export function isWindowOpen(conversation: Pick<OutboundConversation, 'lastCustomerMessageAt'> | undefined, now: Date): boolean {
  const last = conversation?.lastCustomerMessageAt ? Date.parse(conversation.lastCustomerMessageAt) : Number.NaN;
  return Number.isFinite(last) && last + CUSTOMER_SERVICE_WINDOW_MS > now.getTime();
}

const READABLE: Record<Exclude<FailureReason, 'permanent' | 'content-rejected'>, string> = {
  'invalid-message': 'The message does not follow the outbound message contract.',
  'conversation-not-found': 'The conversation does not exist for this business.',
  'no-connection': 'The business has no single active WhatsApp connection to send from; name one with connectionId.',
  'connection-unavailable': 'The WhatsApp connection does not exist for this business or is disabled.',
  'window-closed': "The customer's 24-hour window is closed and no approved fallback template was given.",
  'template-not-approved': 'The template is not in the registry or not approved by WhatsApp.',
  'retryable-exhausted': 'The BSP kept refusing the message temporarily; retries are exhausted.',
  'outcome-unknown': 'The BSP did not confirm whether it accepted the message, and no status arrived.',
  'earlier-part-failed': 'An earlier part of this long message failed, so the rest was not sent.',
};

interface Failure extends OutboundFailure {
  reason: FailureReason;
}

interface Target {
  connection: Connection;
  conversationId: string;
  conversation?: OutboundConversation;
  customerId: string;
}

/**
 * Handles one outbound queue record: validate, record under our own key, then send each part
 * once. Read top to bottom:
 *
 * 1. Parse with the contract. Invalid → `send.failed` (`invalid-message`), acknowledged: a retry
 *    cannot fix it, and nothing is written.
 * 2. Resolve the connection (given, the conversation's, or the business's only active one) and the
 *    conversation (given, or derived from connection + customer).
 * 3. Decide the first part's content, then record every part with the dedupe item in ONE
 *    transaction, the first part already claimed (`sending`): the claim costs no call of its own.
 *    A replay finds the dedupe item and continues each part from its sendState.
 * 4. Per part, in order: `accepted`/`failed` → nothing; `pending` → decide the content (window,
 *    template, fallback), claim, call the BSP, record the outcome; `sending` → an earlier call's
 *    outcome is unknown: settle it (below) before anything after it may go.
 *
 * The retry budget (attempts and a deadline) lives on the message record, so a record waiting
 * behind its conversation's retried head loses nothing, and `maxReceiveCount` is only a safety net.
 *
 * An unknown outcome (timeout, reset, 5xx after the request left, a crash after the call) is
 * settled, never guessed: a status that carried our key (the webhook records its BSP id), or the
 * BSP's message list (Twilio) finding it → accepted; the list proving it unsent → sent again; still
 * unknown at its outcome deadline → failed `outcome-unknown`. Until then the record is retried and
 * its conversation waits, so the customer never sees part 2 without part 1.
 * @example
 * const result = await sendOutbound({ body: record.body, receiveCount: 1 }, deps);
 * if (result.action === 'retry') await backOff(record, result.delayMs);
 */
export async function sendOutbound(delivery: OutboundDelivery, deps: SendOutboundDeps): Promise<SendOutboundResult> {
  const events: DomainEvent[] = [];
  try {
    return await processDelivery(delivery, deps, events);
  } finally {
    if (events.length > 0) await publishAll(events, deps);
  }
}

async function processDelivery(delivery: OutboundDelivery, deps: SendOutboundDeps, events: DomainEvent[]): Promise<SendOutboundResult> {
  const parsed = parseOutboundMessage(delivery.body);
  if (!parsed.success) {
    events.push(
      failedEvent(deps, {
        businessId: parsed.businessId ?? 'unknown',
        idempotencyKey: parsed.idempotencyKey ?? 'unknown',
        failure: { reason: 'invalid-message', errorReason: `${READABLE['invalid-message']} ${parsed.problems.join('; ')}`.slice(0, 1000) },
      }),
    );
    return { action: 'ack', parts: [], rejected: { reason: 'invalid-message', problems: parsed.problems } };
  }
  const message = parsed.message;

  const target = await resolveTarget(message, deps);
  if ('reason' in target) {
    events.push(failedEvent(deps, { businessId: message.businessId, idempotencyKey: message.idempotencyKey, metadata: message.metadata, failure: target }));
    return { action: 'ack', parts: [], rejected: { reason: target.reason, problems: [target.errorReason] } };
  }
  const sender = deps.senders[target.connection.provider];
  if (!sender) throw new Error(`no sender for provider ${target.connection.provider}`);

  const context: SendContext = { message, target, sender, deps, events, credentials: undefined, receiveCount: delivery.receiveCount };
  const { items, claimed } = await recordOrLoad(context);

  const parts: PartOutcome[] = [];
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    const outcome = index === 0 && claimed ? await callBsp(item, claimed, context) : await advance(item, context);
    parts.push(outcome);
    const rest = items.slice(index + 1);

    if (outcome.result === 'retry' || outcome.result === 'outcome-unknown' || outcome.result === 'in-flight') {
      parts.push(...rest.map((later) => waiting(later)));
      return { action: 'retry', delayMs: context.retryDelayMs ?? deps.config.resolveDelayMs, parts };
    }
    if (outcome.result === 'failed' && rest.length > 0) {
      parts.push(...(await failRest(rest, context)));
      break;
    }
    if (outcome.fallback === 'template' && rest.length > 0) {
      // The template replaced the whole message: its other parts must not follow as freeform.
      parts.push(...(await failRest(rest, context, { reason: 'window-closed', errorReason: 'Replaced by the fallback template.' }, false)));
      break;
    }
  }
  return { action: 'ack', parts };
}

interface SendContext {
  message: OutboundMessage;
  target: Target;
  sender: WhatsAppSender;
  deps: SendOutboundDeps;
  events: DomainEvent[];
  credentials: ProviderCredentials | undefined;
  /** SQS's receive count of this record: only the safety net reads it. */
  receiveCount: number;
  /** When the record must come back (backoff, `Retry-After`, or the next check of an unsettled send). */
  retryDelayMs?: number;
}

// ---------------------------------------------------------------------------------------------
// 2. Where the message goes
// ---------------------------------------------------------------------------------------------

const E164 = /^\+[1-9][0-9]{6,14}$/;

function conversationOf(deps: SendOutboundDeps, conversationId: string): Promise<OutboundConversation | undefined> {
  return deps.conversations ? deps.conversations.get(conversationId) : deps.store.getConversation(conversationId);
}

async function resolveTarget(message: OutboundMessage, deps: SendOutboundDeps): Promise<Target | Failure> {
  const fail = (reason: FailureReason): Failure => ({ reason, errorReason: READABLE[reason as keyof typeof READABLE] });
  const usable = (connection: Connection | undefined): connection is Connection =>
    connection !== undefined && connection.businessId === message.businessId && connection.status === 'active';

  if (message.conversationId !== undefined) {
    const conversation = await conversationOf(deps, message.conversationId);
    // Another business's conversation reads exactly like a missing one.
    if (!conversation || conversation.businessId !== message.businessId) return fail('conversation-not-found');
    if (message.connectionId !== undefined && message.connectionId !== conversation.connectionId) return fail('connection-unavailable');
    const connection = await deps.connections.get(conversation.connectionId);
    if (!usable(connection)) return fail('connection-unavailable');
    return { connection, conversationId: conversation.conversationId, conversation, customerId: conversation.customerId };
  }

  const to = message.to!;
  let connection: Connection | undefined;
  if (message.connectionId !== undefined) {
    connection = await deps.connections.get(message.connectionId);
    if (!usable(connection)) return fail('connection-unavailable');
  } else {
    const active = (await deps.connections.listByBusiness(message.businessId)).filter(usable);
    if (active.length !== 1) return fail('no-connection');
    connection = active[0];
  }
  const conversationId = conversationIdFor(connection.connectionId, to);
  const conversation = await conversationOf(deps, conversationId);
  return { connection, conversationId, ...(conversation && { conversation }), customerId: conversation?.customerId ?? to };
}

// ---------------------------------------------------------------------------------------------
// 3. Record (or find what an earlier delivery recorded)
// ---------------------------------------------------------------------------------------------

/** A decision to send, as the claim made for it. */
interface SendDecision {
  send: SendableContent;
  fallback?: FallbackKind;
}

/**
 * Records the message, or finds what an earlier delivery recorded. A new message's first part is
 * recorded claimed when its content is decided and its credentials are at hand: everything that
 * could fail before the BSP call has then happened before the write, so a claimed part is one whose
 * call follows at once.
 */
async function recordOrLoad(context: SendContext): Promise<{ items: OutboundMessageItem[]; claimed?: SendDecision }> {
  const { message, target, sender, deps } = context;
  const now = deps.clock.now();
  const items = plan(message, target, sender, now);
  const conversation: NewConversation | undefined = target.conversation
    ? undefined
    : {
        conversationId: target.conversationId,
        businessId: message.businessId,
        connectionId: target.connection.connectionId,
        provider: target.connection.provider,
        customerId: target.customerId,
        customerIsPhoneNumber: E164.test(target.customerId),
      };

  let claimed: SendDecision | undefined;
  const first = items[0];
  if (first.sendState === 'pending') {
    const decision = await decide(first, context, now);
    if ('send' in decision && !decision.pendingOptions) {
      context.credentials ??= await deps.credentials.get(target.connection.secretArn);
      // A number paused by a rate limit: record the message unclaimed; the loop hands it back.
      if ((await pace(context)) === undefined) claimed = { send: decision.send, ...(decision.fallback && { fallback: decision.fallback }) };
    }
  }
  const outcomeDeadline = new Date(now.getTime() + deps.config.outcomeTimeoutMs);
  // A part refused at planning time (window closed, no fallback) is recorded failed, its
  // `send.failed` written with it (the outbox): published because the record committed.
  const refused = Object.fromEntries(
    items
      .filter((item) => item.sendState === 'failed')
      .map((item) => [item.messageId, failedEvent(deps, { item, failure: { reason: 'window-closed', errorReason: READABLE['window-closed'] } })]),
  );
  const recorded = await deps.store.record({
    dedupeKey: outboundDedupeKey(message.businessId, message.idempotencyKey),
    dedupeExpiresAt: new Date(now.getTime() + deps.config.dedupeTtlMs),
    messages: items,
    ...(conversation && { conversation }),
    ...(claimed && { claimFirst: { at: now, outcomeDeadline, ...(claimed.fallback && { fallback: claimed.fallback }) } }),
    ...(Object.keys(refused).length > 0 && { events: refused }),
  });
  if (recorded.outcome === 'duplicate') {
    return { items: await deps.store.getMessages(recorded.conversationId, recorded.messageIds) };
  }
  if (claimed) {
    items[0] = {
      ...first,
      sendState: 'sending',
      attempts: 1,
      lastAttemptAt: now.toISOString(),
      outcomeDeadline: outcomeDeadline.toISOString(),
      ...(claimed.fallback && { fallback: claimed.fallback }),
    };
  }
  return { items, ...(claimed && { claimed }) };
}

/**
 * The parts to record. Freeform content outside the 24-hour window becomes the fallback template,
 * or one message recorded `failed` (`window-closed`); a long text inside it becomes ordered parts.
 */
function plan(message: OutboundMessage, target: Target, sender: WhatsAppSender, now: Date): OutboundMessageItem[] {
  const at = now.toISOString();
  const base = {
    conversationId: target.conversationId,
    direction: 'outbound' as const,
    businessId: message.businessId,
    connectionId: target.connection.connectionId,
    provider: target.connection.provider,
    customerId: target.customerId,
    idempotencyKey: message.idempotencyKey,
    deliveryStatus: 'queued' as const,
    deliveryStatusRank: DELIVERY_STATUS_RANK.queued,
    sendState: 'pending' as const,
    attempts: 0,
    createdAt: at,
    updatedAt: at,
    ...(message.fallbackTemplate && { fallbackTemplate: message.fallbackTemplate }),
    ...(message.fallbackText !== undefined && { fallbackText: message.fallbackText }),
    ...(message.metadata && { metadata: message.metadata }),
  };
  // A producer that had to know the id in advance (the admin API answers with it) gave one.
  const firstId = message.messageId ?? newMessageId(now);
  const whole = (extra: Partial<OutboundMessageItem> = {}): OutboundMessageItem => ({
    ...base,
    messageId: firstId,
    content: message.content,
    type: message.content.type,
    ...extra,
  });

  const freeform = message.content.type !== 'template';
  if (freeform && !isWindowOpen(target.conversation, now)) {
    if (message.fallbackTemplate) return [whole({ fallback: 'template' })];
    return [
      whole({
        sendState: 'failed',
        deliveryStatus: 'failed',
        deliveryStatusRank: DELIVERY_STATUS_RANK.failed,
        failureReason: 'window-closed',
        errorReason: READABLE['window-closed'],
      }),
    ];
  }
  if (message.content.type !== 'text') return [whole()];
  const texts = splitText(message.content.text, sender.maxTextLength);
  if (texts.length <= 1) return [whole()];
  // Ids generated in one go at the same instant still sort in part order: the random tail could
  // break the tie either way, so the parts get consecutive random tails.
  // With a given first id, the later parts are made after its instant (at least 1 ms later), so they
  // still sort after it whatever its random tail.
  const givenAt = message.messageId !== undefined ? messageIdTime(message.messageId) : undefined;
  const partsAt = givenAt && givenAt.getTime() >= now.getTime() ? new Date(givenAt.getTime() + 1) : now;
  return texts.map((text, index) => ({
    ...base,
    messageId: index === 0 && message.messageId !== undefined ? message.messageId : partMessageId(partsAt, index),
    content: { type: 'text', text },
    type: 'text',
    partIndex: index + 1,
    partCount: texts.length,
  }));
}

/** Ids of parts: same millisecond, increasing tails, so they sort in part order in the conversation. */
function partMessageId(now: Date, index: number): string {
  const id = newMessageId(now);
  return id.slice(0, 10) + 'P' + String(index).padStart(2, '0') + id.slice(13);
}

// ---------------------------------------------------------------------------------------------
// 4. Send one part
// ---------------------------------------------------------------------------------------------

async function advance(item: OutboundMessageItem, context: SendContext): Promise<PartOutcome> {
  const key = keyOf(item);
  switch (item.sendState) {
    case 'accepted':
    case 'failed':
      return { ...key, result: 'already-settled' };
    case 'sending':
      return settle(item, context);
    case 'pending':
      return attempt(item, context);
  }
}

type Decision =
  | { send: SendableContent; fallback?: FallbackKind; pendingOptions?: PendingOptions['options'] }
  | { fail: Failure };

/** Decide, claim and call the BSP for a `pending` part. */
async function attempt(item: OutboundMessageItem, context: SendContext): Promise<PartOutcome> {
  const { deps, target } = context;
  const key = keyOf(item);
  const now = deps.clock.now();
  // A part that was tried before and has no budget left (the receive count's safety net, or a
  // crash between a refusal and its record) fails here instead of trying once more.
  if (item.attempts > 0 && !retryBudgetLeft(item, context, now)) {
    const exhausted: Failure = { reason: 'retryable-exhausted', errorReason: READABLE['retryable-exhausted'], ...lastCodeOf(item) };
    await failItem(item, exhausted, ['pending'], context);
    return { ...key, result: 'failed', reason: 'retryable-exhausted', ...codeOf(exhausted) };
  }
  const decision = await decide(item, context, now);
  if ('fail' in decision) {
    await failItem(item, decision.fail, ['pending'], context);
    return { ...key, result: 'failed', reason: decision.fail.reason, ...codeOf(decision.fail) };
  }
  if (decision.pendingOptions) {
    // Before the claim: if this write fails, nothing has been sent and the next delivery retries.
    await deps.store.setPendingOptions(target.conversationId, { messageId: item.messageId, options: decision.pendingOptions }, now);
  }
  context.credentials ??= await deps.credentials.get(target.connection.secretArn);
  const deferMs = await pace(context);
  if (deferMs !== undefined) {
    // Not tried: the number is over its rate. No attempt is used.
    context.retryDelayMs = deferMs;
    return { ...key, result: 'retry', errorCode: 'PACED' };
  }

  const outcomeDeadline = new Date(now.getTime() + deps.config.outcomeTimeoutMs);
  const claimed = await deps.store.claim(key, now, outcomeDeadline, decision.fallback);
  if (!claimed) {
    context.retryDelayMs = deps.config.resolveDelayMs;
    return { ...key, result: 'in-flight' };
  }
  const sending: OutboundMessageItem = {
    ...item,
    sendState: 'sending',
    attempts: item.attempts + 1,
    lastAttemptAt: now.toISOString(),
    outcomeDeadline: outcomeDeadline.toISOString(),
    ...(decision.fallback && { fallback: decision.fallback }),
  };
  return callBsp(sending, { send: decision.send, ...(decision.fallback && { fallback: decision.fallback }) }, context);
}

/** Calls the BSP for a claimed part and records what its answer proves. */
async function callBsp(item: OutboundMessageItem, decision: SendDecision, context: SendContext): Promise<PartOutcome> {
  const { deps, target, sender } = context;
  const key = keyOf(item);
  const fallback = decision.fallback;
  let externalId: string;
  let providerStatus: string;
  try {
    ({ externalId, providerStatus } = await sender.send({
      credentials: context.credentials!,
      from: senderNumberOf(target),
      to: item.customerId,
      content: decision.send,
      statusCallbackUrl: statusCallbackUrl(deps.config.webhookBaseUrl, target.connection.provider, target.connection.connectionId, key),
      callbackData: encodeMessageKey(key),
      messageId: item.messageId,
    }));
  } catch (error) {
    // Anything that is not a classified BSP error might have happened after the request left.
    const failure =
      error instanceof SendFailedError
        ? error
        : new SendFailedError('outcome-unknown', 'UNCLASSIFIED', 'The send failed in an unexpected way.', { cause: error });
    const at = deps.clock.now();
    switch (failure.kind) {
      case 'outcome-unknown':
        // Stays `sending` with its outcome deadline; the next delivery settles it (see `settle`).
        context.retryDelayMs = sender.findSent ? deps.config.lookupAfterMs : deps.config.resolveDelayMs;
        return { ...key, result: 'outcome-unknown', errorCode: failure.code, ...(fallback && { fallback }) };
      case 'retryable': {
        if (!retryBudgetLeft(item, context, at)) {
          const exhausted: Failure = { reason: 'retryable-exhausted', errorCode: failure.code, errorReason: READABLE['retryable-exhausted'] };
          await failItem(item, exhausted, ['sending'], context);
          return { ...key, result: 'failed', reason: 'retryable-exhausted', errorCode: failure.code };
        }
        await deps.store.release(key, at, { errorCode: failure.code, errorReason: failure.reason });
        if (failure.options.httpStatus === 429 || NUMBER_RATE_LIMIT_CODES.has(failure.code)) {
          deps.pacer?.pause(target.connection, failure.options.retryAfterMs);
        }
        context.retryDelayMs = backoffDelayMs(item.attempts, failure.options.retryAfterMs, deps.config.backoff, deps.random);
        return { ...key, result: 'retry', errorCode: failure.code };
      }
      case 'window-closed':
        if (fallback !== 'template' && templateFallbackAllowed(item, context.message)) {
          await deps.store.release(key, at, { errorCode: failure.code, errorReason: failure.reason, fallback: 'template' });
          return attempt({ ...item, sendState: 'pending', fallback: 'template' }, context);
        }
        await failItem(item, { reason: 'window-closed', errorCode: failure.code, errorReason: failure.reason }, ['sending'], context);
        return { ...key, result: 'failed', reason: 'window-closed', errorCode: failure.code };
      case 'content-rejected':
        if (fallback === undefined && canFallBackToText(item.content, fallbackTextOf(item, context.message))) {
          await deps.store.release(key, at, { errorCode: failure.code, errorReason: failure.reason, fallback: 'plain-text' });
          return attempt({ ...item, sendState: 'pending', fallback: 'plain-text' }, context);
        }
        await failItem(item, { reason: 'content-rejected', errorCode: failure.code, errorReason: failure.reason }, ['sending'], context);
        return { ...key, result: 'failed', reason: 'content-rejected', errorCode: failure.code };
      case 'permanent':
        if (failure.options.credentialsRejected) await deps.onCredentialsRejected?.(target.connection, failure.code);
        await failItem(item, { reason: 'permanent', errorCode: failure.code, errorReason: failure.reason }, ['sending'], context);
        return { ...key, result: 'failed', reason: 'permanent', errorCode: failure.code };
    }
  }
  // The BSP took it. deliveryStatus stays `queued` until its callbacks move it.
  await deps.store.markAccepted(key, externalId, providerStatus, deps.clock.now(), target.connection.provider);
  return { ...key, result: 'accepted', ...(fallback && { fallback }) };
}

/**
 * Settles a part whose BSP call has no known outcome (its answer was lost, or the function died
 * after the call):
 * 1. a status callback that carried our key already recorded the BSP's id → accepted;
 * 2. the BSP's message list (Twilio) finds it → accepted with that id; proves it unsent → released
 *    and sent again in this delivery; cannot tell → as 3;
 * 3. before its outcome deadline → wait (the record comes back, its conversation held); at the
 *    deadline → failed `outcome-unknown`, visibly.
 */
async function settle(item: OutboundMessageItem, context: SendContext): Promise<PartOutcome> {
  const { deps, target, sender } = context;
  const key = keyOf(item);
  const now = deps.clock.now();
  if (item.externalId !== undefined) {
    await deps.store.markAccepted(key, item.externalId, item.providerStatus ?? 'status-callback', now, target.connection.provider);
    return { ...key, result: 'accepted', resolvedBy: 'status-callback', ...(item.fallback && { fallback: item.fallback }) };
  }
  const attemptAt = Date.parse(item.lastAttemptAt ?? item.updatedAt);
  const deadline = item.outcomeDeadline !== undefined ? Date.parse(item.outcomeDeadline) : attemptAt + deps.config.outcomeTimeoutMs;

  if (sender.findSent) {
    const tooSoon = attemptAt + deps.config.lookupAfterMs - now.getTime();
    if (tooSoon > 0) return waitToSettle(item, context, tooSoon);
    const found = await lookUp(item, context, new Date(attemptAt));
    if (found.outcome === 'found') {
      await deps.store.markAccepted(key, found.sent.externalId, found.sent.providerStatus, now, target.connection.provider);
      return { ...key, result: 'accepted', resolvedBy: 'bsp-lookup', ...(item.fallback && { fallback: item.fallback }) };
    }
    if (found.outcome === 'not-sent') {
      const released = await deps.store.release(key, now, { errorCode: 'NOT_SENT', errorReason: 'The answer was lost and the BSP has no such message.' });
      // Not `sending` any more: a status or the watchdog settled it meanwhile; read it again next time.
      if (!released) return waitToSettle(item, context, deps.config.resolveDelayMs);
      const outcome = await attempt({ ...item, sendState: 'pending' }, context);
      return { ...outcome, resent: true };
    }
  }
  if (now.getTime() >= deadline) {
    const unknown: Failure = { reason: 'outcome-unknown', errorReason: READABLE['outcome-unknown'], ...lastCodeOf(item) };
    await deps.store.markFailed(key, unknown, now, ['sending'], failedEvent(deps, { item, failure: unknown }));
    return { ...key, result: 'failed', reason: 'outcome-unknown' };
  }
  return waitToSettle(item, context, deadline - now.getTime());
}

/**
 * Asks the BSP's list. A list that cannot be read now proves nothing: `unknown`, and the record
 * waits like any other unsettled send.
 */
async function lookUp(item: OutboundMessageItem, context: SendContext, since: Date): Promise<SentLookupResult> {
  const { deps, target, sender } = context;
  const key = keyOf(item);
  try {
    context.credentials ??= await deps.credentials.get(target.connection.secretArn);
    const decision = await decide(item, context, deps.clock.now());
    return await sender.findSent!({
      credentials: context.credentials,
      from: senderNumberOf(target),
      to: item.customerId,
      ...('send' in decision && { content: decision.send }),
      since,
      isKnown: async (externalId) => {
        const owner = await deps.store.findKeyByExternalId(target.connection.provider, externalId);
        return owner !== undefined && !(owner.conversationId === key.conversationId && owner.messageId === key.messageId);
      },
    });
  } catch {
    return { outcome: 'unknown' };
  }
}

/**
 * Brings the record back to settle the part later: soon at first, then less often, so a long wait
 * costs a few receives (the queue's `maxReceiveCount` is only a safety net), never past `maxMs`.
 */
function waitToSettle(item: OutboundMessageItem, context: SendContext, maxMs: number): PartOutcome {
  const { config } = context.deps;
  const since = Date.parse(item.lastAttemptAt ?? item.updatedAt);
  const elapsed = Math.max(0, context.deps.clock.now().getTime() - since);
  context.retryDelayMs = Math.max(1_000, Math.min(maxMs, Math.max(config.resolveDelayMs, Math.floor(elapsed / 3))));
  return { ...keyOf(item), result: 'outcome-unknown', ...lastCodeOf(item) };
}

/** Whether a part may be tried again: attempts and age on its record, and the receive count's safety net. */
function retryBudgetLeft(item: OutboundMessageItem, context: SendContext, now: Date): boolean {
  const { config } = context.deps;
  if (context.receiveCount >= config.maxReceiveCount) return false;
  if (item.attempts >= config.maxAttempts) return false;
  return now.getTime() - Date.parse(item.createdAt) < config.retryBudgetMs;
}

/** A pacing wait up to this long is waited in place; a longer one hands the record back. */
const MAX_INLINE_PACING_WAIT_MS = 2_000;

/** BSP codes that mean the NUMBER is over its rate (not one recipient, not the whole account's quota). */
const NUMBER_RATE_LIMIT_CODES: ReadonlySet<string> = new Set(['20429', '130429', '80007', '4']);

/**
 * Takes a send from the number's allowance: waits a short delay in place and answers undefined, or
 * answers how long to hand the record back for (the number is paused by a rate limit).
 */
async function pace(context: SendContext): Promise<number | undefined> {
  const { pacer, sleep } = context.deps;
  if (!pacer) return undefined;
  const connection = context.target.connection;
  const paused = pacer.pausedFor(connection);
  if (paused > MAX_INLINE_PACING_WAIT_MS) return paused;
  const waitMs = pacer.reserve(connection);
  if (waitMs > MAX_INLINE_PACING_WAIT_MS) return waitMs;
  if (waitMs > 0) await (sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))))(waitMs);
  return undefined;
}

function senderNumberOf(target: Target): { displayNumber: string; providerNumberId?: string } {
  return {
    displayNumber: target.connection.displayNumber,
    ...(target.connection.providerNumberId !== undefined && { providerNumberId: target.connection.providerNumberId }),
  };
}

function lastCodeOf(item: OutboundMessageItem): { errorCode?: string } {
  return item.lastErrorCode !== undefined ? { errorCode: item.lastErrorCode } : {};
}

/** What to send for this part now, or why it cannot be sent. */
async function decide(item: OutboundMessageItem, context: SendContext, now: Date): Promise<Decision> {
  const { message, target, sender } = context;
  if (item.fallback === 'template') return templateDecision(fallbackTemplateOf(item, message), context, 'template');
  if (item.fallback === 'plain-text') return plainTextDecision(item, message, sender.maxTextLength);

  const content = item.content;
  if (content.type === 'template') return templateDecision(content.template, context);
  // The window may have closed since the message was recorded (a retry hours later).
  if (!isWindowOpen(target.conversation, now)) {
    if (templateFallbackAllowed(item, message)) return templateDecision(fallbackTemplateOf(item, message), context, 'template');
    return { fail: { reason: 'window-closed', errorReason: READABLE['window-closed'] } };
  }
  return { send: sendableOf(content) };
}

async function templateDecision(ref: TemplateRef | undefined, context: SendContext, fallback?: FallbackKind): Promise<Decision> {
  if (!ref) return { fail: { reason: 'window-closed', errorReason: READABLE['window-closed'] } };
  const definition = await context.deps.templates.get(context.message.businessId, ref.name, ref.language);
  if (!definition || definition.approvalStatus !== 'approved') {
    return { fail: { reason: 'template-not-approved', errorReason: READABLE['template-not-approved'] } };
  }
  return {
    send: {
      type: 'template',
      providerTemplateId: definition.providerTemplateId,
      language: definition.language,
      ...(ref.variables && Object.keys(ref.variables).length > 0 && { variables: ref.variables }),
    },
    ...(fallback && { fallback }),
  };
}

function plainTextDecision(item: OutboundMessageItem, message: OutboundMessage, maxTextLength: number): Decision {
  const content = item.content;
  const fallbackText = fallbackTextOf(item, message);
  const fit = (text: string) => splitText(text, maxTextLength)[0] ?? '';
  if (content.type === 'buttons' || content.type === 'list') {
    const numbered = numberedText(content, fallbackText);
    return { send: { type: 'text', text: fit(numbered.text) }, fallback: 'plain-text', pendingOptions: numbered.options };
  }
  const text = fallbackText?.trim() || (content.type === 'image' ? content.caption?.trim() : undefined);
  if (!text) return { fail: { reason: 'content-rejected', errorReason: 'The BSP rejected the content and there is no plain text to send instead.' } };
  return { send: { type: 'text', text: fit(text) }, fallback: 'plain-text' };
}

function sendableOf(content: Exclude<OutboundContent, { type: 'template' }>): SendableContent {
  switch (content.type) {
    case 'text':
      return { type: 'text', text: content.text };
    case 'image':
      return { type: 'image', url: content.url, ...(content.caption !== undefined && content.caption !== '' && { caption: content.caption }) };
    case 'buttons':
      return { type: 'buttons', body: content.body, buttons: content.buttons.map(({ id, title }) => ({ id, title })) };
    case 'list':
      return {
        type: 'list',
        body: content.body,
        button: content.button,
        rows: content.rows.map(({ id, title, description }) => ({ id, title, ...(description !== undefined && { description }) })),
      };
  }
}

/** Only the first part of a split text (or an unsplit message) may become the template. */
function templateFallbackAllowed(item: OutboundMessageItem, message: OutboundMessage): boolean {
  return fallbackTemplateOf(item, message) !== undefined && (item.partIndex ?? 1) === 1;
}

function fallbackTemplateOf(item: OutboundMessageItem, message: OutboundMessage): TemplateRef | undefined {
  return message.fallbackTemplate ?? item.fallbackTemplate;
}

function fallbackTextOf(item: OutboundMessageItem, message: OutboundMessage): string | undefined {
  return message.fallbackText ?? item.fallbackText;
}

// ---------------------------------------------------------------------------------------------
// Failures and events
// ---------------------------------------------------------------------------------------------

async function failItem(item: OutboundMessageItem, failure: Failure, from: Array<OutboundMessageItem['sendState']>, context: SendContext): Promise<void> {
  // The event is written with the change (the outbox): it exists exactly when the change applied.
  await context.deps.store.markFailed(keyOf(item), failure, context.deps.clock.now(), from, failedEvent(context.deps, { item, failure }));
}

/** Fails the parts after one that could not go (or that a template replaced). */
async function failRest(
  rest: OutboundMessageItem[],
  context: SendContext,
  failure: Failure = { reason: 'earlier-part-failed', errorReason: READABLE['earlier-part-failed'] },
  announce = true,
): Promise<PartOutcome[]> {
  const outcomes: PartOutcome[] = [];
  for (const item of rest) {
    if (item.sendState !== 'pending') {
      outcomes.push({ ...keyOf(item), result: item.sendState === 'sending' ? 'in-flight' : 'already-settled' });
      continue;
    }
    await context.deps.store.markFailed(keyOf(item), failure, context.deps.clock.now(), ['pending'], announce ? failedEvent(context.deps, { item, failure }) : undefined);
    outcomes.push({ ...keyOf(item), result: 'failed', reason: failure.reason });
  }
  return outcomes;
}

function failedEvent(
  deps: SendOutboundDeps,
  input:
    | { item: OutboundMessageItem; failure: Failure }
    | { businessId: string; idempotencyKey: string; metadata?: Record<string, string>; failure: Failure },
): DomainEvent {
  const { failure } = input;
  const about =
    'item' in input
      ? {
          businessId: input.item.businessId,
          connectionId: input.item.connectionId,
          conversationId: input.item.conversationId,
          messageId: input.item.messageId,
          idempotencyKey: input.item.idempotencyKey,
          ...(input.item.metadata && { metadata: input.item.metadata }),
        }
      : {
          businessId: input.businessId,
          idempotencyKey: input.idempotencyKey,
          ...(input.metadata && { metadata: input.metadata }),
        };
  return {
    detailType: 'send.failed',
    detail: {
      version: 1,
      ...about,
      reason: failure.reason,
      ...(failure.errorCode !== undefined && { errorCode: failure.errorCode }),
      errorMessage: failure.errorReason,
      at: deps.clock.now().toISOString(),
    },
  };
}

/** PutEvents takes at most 10 entries per call. A failure is reported, never thrown: states are durable. */
async function publishAll(events: DomainEvent[], deps: SendOutboundDeps): Promise<void> {
  for (let i = 0; i < events.length; i += 10) {
    try {
      await deps.events.publish(events.slice(i, i + 10));
    } catch (error) {
      deps.onEventPublishFailed?.(error);
    }
  }
}

function keyOf(item: Pick<OutboundMessageItem, 'conversationId' | 'messageId'>): MessageKey {
  return { conversationId: item.conversationId, messageId: item.messageId };
}

function waiting(item: OutboundMessageItem): PartOutcome {
  return { ...keyOf(item), result: 'waiting' };
}

function codeOf(source: { errorCode?: string }): { errorCode?: string } {
  return source.errorCode !== undefined ? { errorCode: source.errorCode } : {};
}
