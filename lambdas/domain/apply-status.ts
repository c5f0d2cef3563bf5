import type { MessageKey } from './bsp';
import type { Connection } from './connection';
import { isFailure } from './delivery-status';
import type { DomainEvent } from './events';
import { SAFE_ID } from './ids';
import type { StatusUpdate } from './message';
import type { OutboundContent, OutboundMessage } from './outbound/contract';
import { canFallBackToText, numberedText } from './outbound/numbered-options';
import type { OutboundMessageItem, OutboundQueue, PendingOptions } from './outbound/ports';
import type { Clock, EventPublisher, MessageStore, StatusChangeResult } from './ports';

/**
 * How a BSP error code on a failure callback must be acted on (Twilio: `twilioFailureKind`). Only
 * `window-closed` and `content-rejected` lead to a fallback; the rest stay failed.
 */
export type FailureKindOf = (
  code: string,
  sentContentType: OutboundContent['type'],
  provider: StatusUpdate['provider'],
) => 'retryable' | 'permanent' | 'window-closed' | 'content-rejected' | 'outcome-unknown';

/** What the status path needs to send a fallback when the BSP refuses a message after accepting it. */
export interface StatusFallbackDeps {
  failureKindOf: FailureKindOf;
  messages: { getMessage(key: MessageKey): Promise<OutboundMessageItem | undefined> };
  queue: OutboundQueue;
  conversations: { setPendingOptions(conversationId: string, pending: PendingOptions, at: Date): Promise<void> };
}

export interface ApplyStatusDeps {
  store: MessageStore;
  /**
   * Finds our key by the BSP's message id, for statuses that do not echo it (the mapping item the
   * send path writes when the BSP accepts a message). Without it such statuses stay unaddressed.
   */
  keys?: { findOutboundKey(provider: StatusUpdate['provider'], externalId: string): Promise<MessageKey | undefined> };
  /**
   * Publishes only `send.failed` for a refusal that has no fallback (an event that follows a read,
   * not a write of its own); `message.status` goes out through the outbox.
   */
  events: EventPublisher;
  clock: Clock;
  onEventPublishFailed?: (error: unknown) => void;
  /** Without it, refusals (63016, rejected rich content) only mark the message failed. */
  fallback?: StatusFallbackDeps;
}

/** Idempotency-key suffix of a fallback enqueued by the status path; a fallback never falls back again. */
export const FALLBACK_KEY_SUFFIX = ':fallback';

/** What the status path did about a failure callback. */
export type StatusFallbackOutcome = 'template-enqueued' | 'plain-text-enqueued' | 'no-fallback';

export type { MessageKey } from './bsp';

export type ApplyStatusResult = (StatusChangeResult | { outcome: 'unaddressed' }) & { fallback?: StatusFallbackOutcome };

/**
 * Reads our message key from the callback's query parameters (`c` = conversation, `m` = message).
 * Returns undefined when either is missing or not a plain id: such a callback cannot be ours.
 */
export function messageKeyFromQuery(query: Record<string, string | undefined>): MessageKey | undefined {
  const conversationId = query.c;
  const messageId = query.m;
  if (!conversationId || !messageId || !SAFE_ID.test(conversationId) || !SAFE_ID.test(messageId)) return undefined;
  return { conversationId, messageId };
}

/**
 * Applies a delivery-status callback with one conditional update by primary key: the key the BSP
 * echoed (Twilio's callback URL, Cloud API's `biz_opaque_callback_data`), else the one found by the
 * BSP's message id. Out-of-order,
 * repeated and unknown callbacks are all answered as handled: the BSP must never be made to
 * retry something that retrying cannot change.
 * @example
 * await applyStatus(connection, { conversationId, messageId }, update, deps) // { outcome: 'applied' }
 */
export async function applyStatus(
  connection: Connection,
  key: MessageKey | undefined,
  update: StatusUpdate,
  deps: ApplyStatusDeps,
): Promise<ApplyStatusResult> {
  const resolved = key ?? (await deps.keys?.findOutboundKey(update.provider, update.externalId));
  if (!resolved) return { outcome: 'unaddressed' };
  return applyAddressedStatus(connection, resolved, update, deps);
}

async function applyAddressedStatus(
  connection: Connection,
  key: MessageKey,
  update: StatusUpdate,
  deps: ApplyStatusDeps,
): Promise<ApplyStatusResult> {
  const at = deps.clock.now();
  // The event rides on the status update itself (the outbox): it exists exactly when the update
  // committed, and the event relay publishes it from the table's stream.
  const event: DomainEvent = {
    detailType: 'message.status',
    detail: {
      version: 1,
      businessId: connection.businessId,
      connectionId: connection.connectionId,
      ...key,
      provider: update.provider,
      externalId: update.externalId,
      status: update.status,
      ...(update.errorCode !== undefined && { errorCode: update.errorCode }),
      at: at.toISOString(),
    },
  };
  const result = await deps.store.applyStatus({
    ...key,
    connectionId: connection.connectionId,
    provider: update.provider,
    externalId: update.externalId,
    status: update.status,
    providerStatus: update.providerStatus,
    ...(update.errorCode !== undefined && { errorCode: update.errorCode }),
    ...(update.errorMessage !== undefined && { errorMessage: update.errorMessage }),
    ...(update.pricingCategory !== undefined && { pricingCategory: update.pricingCategory }),
    at,
    event,
  });
  // A replayed failure callback (stale at the same status) runs the fallback again: the first run
  // may have failed after the status was stored, and the fallback is idempotent by its key.
  const replayedFailure = result.outcome === 'stale' && result.currentStatus === update.status;
  if (
    deps.fallback &&
    isFailure(update.status) &&
    update.errorCode !== undefined &&
    (result.outcome === 'applied' || replayedFailure)
  ) {
    const fallback = await fallBackAfterRefusal(connection, key, update, deps, deps.fallback);
    if (fallback) return { ...result, fallback };
  }
  return result;
}

/**
 * The BSP accepted a message and then refused it: outside the 24-hour window (Twilio 63016), or
 * rich content WhatsApp would not take. Puts the fallback on the outbound queue under the key
 * `${idempotencyKey}:fallback` (so a replayed callback never sends it twice): the approved
 * `fallbackTemplate`, or the rich message as plain text with numbered options (which are saved on
 * the conversation so that a reply "2" can be understood). Without a fallback the message stays
 * failed and `send.failed` is published.
 * @returns undefined when the refusal is of another kind (the message simply stays failed).
 */
async function fallBackAfterRefusal(
  connection: Connection,
  key: MessageKey,
  update: StatusUpdate,
  deps: ApplyStatusDeps,
  fallback: StatusFallbackDeps,
): Promise<StatusFallbackOutcome | undefined> {
  const message = await fallback.messages.getMessage(key);
  if (!message || message.direction !== 'outbound' || message.connectionId !== connection.connectionId) return undefined;
  const sentType: OutboundContent['type'] =
    message.fallback === 'template' ? 'template' : message.fallback === 'plain-text' ? 'text' : message.content.type;
  const kind = fallback.failureKindOf(update.errorCode!, sentType, update.provider);
  if (kind !== 'window-closed' && kind !== 'content-rejected') return undefined;

  const isFallbackAlready = message.fallback !== undefined || message.idempotencyKey.endsWith(FALLBACK_KEY_SUFFIX);
  const firstPart = (message.partIndex ?? 1) === 1;
  const base = {
    version: 1 as const,
    businessId: message.businessId,
    connectionId: message.connectionId,
    conversationId: message.conversationId,
    idempotencyKey: `${message.idempotencyKey}${FALLBACK_KEY_SUFFIX}`,
    ...(message.metadata && { metadata: message.metadata }),
  };

  if (!isFallbackAlready && firstPart && kind === 'window-closed' && message.fallbackTemplate) {
    const next: OutboundMessage = { ...base, content: { type: 'template', template: message.fallbackTemplate } };
    await fallback.queue.enqueue(next, message.conversationId);
    return 'template-enqueued';
  }
  if (!isFallbackAlready && kind === 'content-rejected' && canFallBackToText(message.content, message.fallbackText)) {
    const content = message.content;
    let text: string;
    if (content.type === 'buttons' || content.type === 'list') {
      const numbered = numberedText(content, message.fallbackText);
      // Saved before the text goes out, so that the customer's "2" always finds its options.
      await fallback.conversations.setPendingOptions(message.conversationId, { messageId: message.messageId, options: numbered.options }, deps.clock.now());
      text = numbered.text;
    } else {
      text = (message.fallbackText?.trim() || (content.type === 'image' ? content.caption?.trim() : '')) ?? '';
    }
    await fallback.queue.enqueue({ ...base, content: { type: 'text', text } }, message.conversationId);
    return 'plain-text-enqueued';
  }

  const event: DomainEvent = {
    detailType: 'send.failed',
    detail: {
      version: 1,
      businessId: message.businessId,
      connectionId: message.connectionId,
      conversationId: message.conversationId,
      messageId: message.messageId,
      idempotencyKey: message.idempotencyKey,
      reason: kind,
      errorCode: update.errorCode,
      ...(update.errorMessage !== undefined && { errorMessage: update.errorMessage }),
      ...(message.metadata && { metadata: message.metadata }),
      at: deps.clock.now().toISOString(),
    },
  };
  await deps.events.publish([event]).catch((error: unknown) => deps.onEventPublishFailed?.(error));
  return 'no-fallback';
}
