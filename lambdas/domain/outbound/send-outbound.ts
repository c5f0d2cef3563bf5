import type { Connection } from '../connection';
import { DELIVERY_STATUS_RANK } from '../delivery-status';
import type { DomainEvent } from '../events';
import { conversationIdFor, messageIdTime, newMessageId } from '../ids';
import type { Clock, EventPublisher } from '../ports';
import type { TemplateRegistry } from '../templates';
import { CUSTOMER_SERVICE_WINDOW_MS } from '../window';
import { encodeMessageKey, type ProviderCredentials, type SendableContent, type WhatsAppSender } from '../bsp';
import type { ProviderName } from '../message';
import { webhookPath } from '../providers';
import { SendFailedError } from '../../shared/errors';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { parseOutboundMessage, type OutboundContent, type OutboundMessage, type TemplateRef } from './contract';
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
  /** The queue's `maxReceiveCount`: the receive that reaches it is the last attempt. */
  maxReceiveCount: number;
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
    /** `sending`: an earlier attempt's outcome is unknown; the callback or the watchdog settles it. */
    | 'in-flight'
    /** The BSP call's outcome is unknown (timeout after the request left): not sent again. */
    | 'outcome-unknown'
    /** The BSP certainly did not take it; the next delivery tries again. */
    | 'retry'
    /** Not attempted in this delivery because an earlier part must go first. */
    | 'waiting';
  fallback?: FallbackKind;
  reason?: FailureReason;
  errorCode?: string;
}

/**
 * What the queue consumer must do with the record:
 * - `ack`: done (sent, failed for good, or left to the watchdog): delete it;
 * - `retry`: make it visible again after `delayMs` and report it as failed;
 * - `dead-letter`: retries are exhausted and the message is marked failed: report it as failed with
 *   no delay, so SQS moves it to the DLQ on its next receive.
 */
export type SendOutboundResult =
  | { action: 'ack'; parts: PartOutcome[]; rejected?: { reason: FailureReason; problems: string[] } }
  | { action: 'retry'; delayMs: number; parts: PartOutcome[] }
  | { action: 'dead-letter'; parts: PartOutcome[] };

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
 * 3. Record every part (status `queued`, sendState `pending`) with the dedupe item in ONE
 *    transaction. A replay finds the dedupe item and continues each part from its sendState:
 *    `accepted`/`failed` → nothing; `sending` → nothing (the outcome of that call is unknown: the
 *    status callback or the watchdog settles it; sending again could double it); `pending` → send.
 * 4. Per part, in order: decide the content (window, template, fallback), claim the send
 *    (`pending` → `sending`, with an outcome deadline), call the BSP, record the outcome.
 *
 * A crash anywhere leaves a state that the next delivery completes without sending twice: before
 * the claim nothing was sent; after it, never again.
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

  const items = await recordOrLoad(message, target, sender, deps, events);
  const context: SendContext = { message, target, sender, deps, events, credentials: undefined };

  const parts: PartOutcome[] = [];
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    const outcome = await advance(item, context);
    parts.push(outcome);
    const rest = items.slice(index + 1);

    if (outcome.result === 'retry') {
      if (delivery.receiveCount >= deps.config.maxReceiveCount) {
        // The last receive: SQS moves the record to the DLQ after this failure. Say so now, while
        // we still can, and fail the rest of the message with it.
        const exhausted: Failure = { reason: 'retryable-exhausted', errorReason: READABLE['retryable-exhausted'], ...codeOf(outcome) };
        await failItem(item, exhausted, ['pending'], context);
        outcome.result = 'failed';
        outcome.reason = 'retryable-exhausted';
        parts.push(...(await failRest(rest, context)));
        return { action: 'dead-letter', parts };
      }
      parts.push(...rest.map((later) => waiting(later)));
      const delayMs = backoffDelayMs(delivery.receiveCount, context.retryAfterMs, deps.config.backoff, deps.random);
      return { action: 'retry', delayMs, parts };
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
  /** The floor the BSP set for the next attempt (`Retry-After`). */
  retryAfterMs?: number;
}

// ---------------------------------------------------------------------------------------------
// 2. Where the message goes
// ---------------------------------------------------------------------------------------------

const E164 = /^\+[1-9][0-9]{6,14}$/;

async function resolveTarget(message: OutboundMessage, deps: SendOutboundDeps): Promise<Target | Failure> {
  const fail = (reason: FailureReason): Failure => ({ reason, errorReason: READABLE[reason as keyof typeof READABLE] });
  const usable = (connection: Connection | undefined): connection is Connection =>
    connection !== undefined && connection.businessId === message.businessId && connection.status === 'active';

  if (message.conversationId !== undefined) {
    const conversation = await deps.store.getConversation(message.conversationId);
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
  const conversation = await deps.store.getConversation(conversationId);
  return { connection, conversationId, ...(conversation && { conversation }), customerId: conversation?.customerId ?? to };
}

// ---------------------------------------------------------------------------------------------
// 3. Record (or find what an earlier delivery recorded)
// ---------------------------------------------------------------------------------------------

async function recordOrLoad(
  message: OutboundMessage,
  target: Target,
  sender: WhatsAppSender,
  deps: SendOutboundDeps,
  events: DomainEvent[],
): Promise<OutboundMessageItem[]> {
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
  const recorded = await deps.store.record({
    dedupeKey: outboundDedupeKey(message.businessId, message.idempotencyKey),
    dedupeExpiresAt: new Date(now.getTime() + deps.config.dedupeTtlMs),
    messages: items,
    ...(conversation && { conversation }),
  });
  if (recorded.outcome === 'duplicate') {
    return deps.store.getMessages(recorded.conversationId, recorded.messageIds);
  }
  // A message refused at planning time (window closed, no fallback) is recorded failed: announce it.
  for (const item of items) {
    if (item.sendState === 'failed') {
      events.push(failedEvent(deps, { item, failure: { reason: 'window-closed', errorReason: READABLE['window-closed'] } }));
    }
  }
  return items;
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
      return { ...key, result: 'in-flight' };
    case 'pending':
      return attempt(item, context);
  }
}

type Decision =
  | { send: SendableContent; fallback?: FallbackKind; pendingOptions?: PendingOptions['options'] }
  | { fail: Failure };

async function attempt(initial: OutboundMessageItem, context: SendContext): Promise<PartOutcome> {
  const { deps, target, sender } = context;
  let item = initial;
  const key = keyOf(item);
  // At most: the original content, then one fallback (template or plain text).
  for (let round = 0; round < 3; round++) {
    const now = deps.clock.now();
    const decision = await decide(item, context, now);
    if ('fail' in decision) {
      await failItem(item, decision.fail, ['pending'], context);
      return { ...key, result: 'failed', reason: decision.fail.reason, ...codeOf(decision.fail) };
    }
    const fallback = decision.fallback;
    if (decision.pendingOptions) {
      // Before the claim: if this write fails, nothing has been sent and the next delivery retries.
      await deps.store.setPendingOptions(target.conversationId, { messageId: item.messageId, options: decision.pendingOptions }, now);
    }
    context.credentials ??= await deps.credentials.get(target.connection.secretArn);

    const claimed = await deps.store.claim(key, now, new Date(now.getTime() + deps.config.outcomeTimeoutMs), fallback);
    if (!claimed) return { ...key, result: 'in-flight' };

    let externalId: string;
    let providerStatus: string;
    try {
      ({ externalId, providerStatus } = await sender.send({
        credentials: context.credentials,
        from: {
          displayNumber: target.connection.displayNumber,
          ...(target.connection.providerNumberId !== undefined && { providerNumberId: target.connection.providerNumberId }),
        },
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
          // Stays `sending` with its outcome deadline: a status callback or the watchdog settles it.
          return { ...key, result: 'outcome-unknown', errorCode: failure.code, ...(fallback && { fallback }) };
        case 'retryable':
          await deps.store.release(key, at, { errorCode: failure.code, errorReason: failure.reason });
          context.retryAfterMs = failure.options.retryAfterMs;
          return { ...key, result: 'retry', errorCode: failure.code };
        case 'window-closed':
          if (fallback !== 'template' && templateFallbackAllowed(item, context.message)) {
            await deps.store.release(key, at, { errorCode: failure.code, errorReason: failure.reason, fallback: 'template' });
            item = { ...item, sendState: 'pending', fallback: 'template' };
            continue;
          }
          await failItem(item, { reason: 'window-closed', errorCode: failure.code, errorReason: failure.reason }, ['sending'], context);
          return { ...key, result: 'failed', reason: 'window-closed', errorCode: failure.code };
        case 'content-rejected':
          if (fallback === undefined && canFallBackToText(item.content, fallbackTextOf(item, context.message))) {
            await deps.store.release(key, at, { errorCode: failure.code, errorReason: failure.reason, fallback: 'plain-text' });
            item = { ...item, sendState: 'pending', fallback: 'plain-text' };
            continue;
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
  throw new Error('fallback loop did not settle');
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
  const changed = await context.deps.store.markFailed(keyOf(item), failure, context.deps.clock.now(), from);
  if (changed) context.events.push(failedEvent(context.deps, { item, failure }));
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
    const changed = await context.deps.store.markFailed(keyOf(item), failure, context.deps.clock.now(), ['pending']);
    if (changed && announce) context.events.push(failedEvent(context.deps, { item, failure }));
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
