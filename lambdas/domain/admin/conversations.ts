import { randomUUID } from 'node:crypto';
import { handoffPauseHoursOf, isAiPaused, ownerReplyPause, pausedEvent, type ConversationHandoffStore } from '../handoff';
import { newMessageId } from '../ids';
import { mediaAccessOf } from '../media/access';
import type { MediaUrlSigner } from '../media/ports';
import { outboundMessageSchema, type OutboundMessage } from '../outbound/contract';
import type { OutboundQueue } from '../outbound/ports';
import type { Clock } from '../ports';
import type {
  ConversationView,
  ConversationsPage,
  ListConversationsQuery,
  ListMessagesQuery,
  MessageDeliveryStatus,
  MessageSender,
  MessageView,
  MessagesPage,
  PostMessageBody,
  SendAccepted,
  WindowView,
} from './contract';
import { decodeCursor, encodeCursor } from './cursor';
import { AdminConflictError, AdminNotFoundError } from './errors';
import type { AdminConnectionStore, ConversationLister, ConversationRecord, MessageLister, SendClaimStore } from './ports';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The outbound metadata `source` of a message the owner sent from the settings page. */
export const ADMIN_SEND_SOURCE = 'admin-api';

/** The window shows `expiring` in its last hour, as the settings page warns. */
export const WINDOW_EXPIRING_LEAD_MS = 60 * 60 * 1000;

const CONVERSATION_KEY = ['conversationId', 'businessId', 'lastMessageAt'] as const;
const MESSAGE_KEY = ['conversationId', 'messageId'] as const;
const STATUSES: readonly MessageDeliveryStatus[] = ['queued', 'sent', 'delivered', 'read', 'failed', 'undelivered'];

export interface ConversationAdminDeps {
  conversations: ConversationLister;
  messages: MessageLister;
  clock: Clock;
  /** Signs read links to inbound media (the media bucket); absent: messages carry no `media`. */
  mediaSigner?: MediaUrlSigner;
}

/**
 * The window as a business sees it now: `closed` once it expired (or the customer never wrote),
 * `expiring` in its last hour, `open` before.
 * @example windowViewOf({ windowExpiresAt: '2026-11-27T12:00:00Z' }, new Date('2026-11-27T11:30:00Z')) // { state: 'expiring', expiresAt: … }
 */
export function windowViewOf(conversation: Pick<ConversationRecord, 'windowExpiresAt'>, now: Date): WindowView {
  const expiresAt = conversation.windowExpiresAt;
  const at = expiresAt ? Date.parse(expiresAt) : Number.NaN;
  if (!Number.isFinite(at)) return { state: 'closed' };
  if (at <= now.getTime()) return { state: 'closed', expiresAt: expiresAt! };
  return { state: at - now.getTime() <= WINDOW_EXPIRING_LEAD_MS ? 'expiring' : 'open', expiresAt: expiresAt! };
}

export function conversationViewOf(conversation: ConversationRecord, now: Date): ConversationView {
  // The owner's own name for the customer (address book) reads better to him than the profile name.
  const name = conversation.contactName ?? conversation.customerName;
  const paused = isAiPaused(conversation, now);
  return {
    conversationId: conversation.conversationId,
    customer: { id: conversation.customerId, ...(name && { name }) },
    lastMessageAt: conversation.lastMessageAt ?? '',
    ...(conversation.lastCustomerMessageAt && { lastCustomerMessageAt: conversation.lastCustomerMessageAt }),
    window: windowViewOf(conversation, now),
    aiPaused: paused,
    ...(paused && { aiPausedUntil: conversation.aiPausedUntil! }),
    ...(paused && conversation.pausedBy && { pausedBy: conversation.pausedBy }),
    ...(conversation.contactName && { contactName: conversation.contactName }),
  };
}

/** `GET conversations`: newest first, `limit` per page. */
export async function listConversations(businessId: string, query: ListConversationsQuery, deps: ConversationAdminDeps): Promise<ConversationsPage> {
  const startKey = query.cursor ? decodeCursor(query.cursor, businessId, CONVERSATION_KEY, { businessId }) : undefined;
  const page = await deps.conversations.listByBusiness(businessId, query.limit, startKey);
  const now = deps.clock.now();
  return {
    items: page.items.filter((c) => c.businessId === businessId).map((c) => conversationViewOf(c, now)),
    ...(page.lastKey && { nextCursor: encodeCursor(businessId, page.lastKey) }),
  };
}

/** The business's conversation, or 404 (missing and foreign read the same). */
export async function conversationOf(businessId: string, conversationId: string, deps: { conversations: Pick<ConversationLister, 'get'> }): Promise<ConversationRecord> {
  const conversation = await deps.conversations.get(conversationId);
  if (!conversation || conversation.businessId !== businessId) throw new AdminNotFoundError('No such conversation.');
  return conversation;
}

/** `GET conversations/{id}/messages`: newest first. */
export async function listMessages(
  businessId: string,
  conversationId: string,
  query: ListMessagesQuery,
  deps: ConversationAdminDeps,
): Promise<MessagesPage> {
  await conversationOf(businessId, conversationId, deps);
  const startKey = query.cursor ? decodeCursor(query.cursor, conversationId, MESSAGE_KEY, { conversationId }) : undefined;
  const page = await deps.messages.list(conversationId, query.limit, startKey);
  const views = await Promise.all(
    page.items.map(async (item) => {
      const view = messageViewOf(item);
      if (!view) return [];
      // Only inbound media is mirrored: an outbound item's media stays the URL the business gave.
      if (view.direction === 'inbound' && deps.mediaSigner) {
        const media = await mediaAccessOf(item.content, deps.mediaSigner);
        if (media.length > 0) view.media = media;
      }
      return [view];
    }),
  );
  return {
    items: views.flat(),
    ...(page.lastKey && { nextCursor: encodeCursor(conversationId, page.lastKey) }),
  };
}

/** A stored message item (inbound or outbound) as the API shows it; undefined for items that are not messages. */
export function messageViewOf(item: Record<string, unknown>): MessageView | undefined {
  const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const messageId = str(item.messageId);
  const direction = item.direction;
  if (!messageId || (direction !== 'inbound' && direction !== 'outbound')) return undefined;
  const content = item.content ?? {};
  const type = str(item.type) ?? str((content as Record<string, unknown>).type) ?? 'unknown';
  const createdAt = str(item.createdAt) ?? str(item.receivedAt) ?? '';
  const text = summaryOf(content);
  const view: MessageView = { messageId, direction, type, ...(text !== undefined && { text }), content, createdAt };
  if (direction === 'outbound') {
    const status = str(item.deliveryStatus);
    if (status && (STATUSES as readonly string[]).includes(status)) view.status = status as MessageDeliveryStatus;
    const times: Partial<Record<MessageDeliveryStatus, string>> = {};
    if (createdAt) times.queued = createdAt;
    for (const name of STATUSES.slice(1)) {
      const at = str(item[`${name}At`]);
      if (at) times[name] = at;
    }
    view.statusTimes = times;
    const errorCode = str(item.errorCode) ?? (item.sendState === 'failed' ? str(item.lastErrorCode) : undefined);
    if (errorCode) view.errorCode = errorCode;
    const errorReason = str(item.errorReason);
    if (errorReason) view.errorReason = errorReason;
    const failureReason = str(item.failureReason);
    if (failureReason) view.failureReason = failureReason;
    const key = str(item.idempotencyKey);
    if (key) view.idempotencyKey = key;
    view.sentBy = sentByOf(item);
  }
  if (item.imported === true) view.imported = true;
  return view;
}

/**
 * Who wrote an outbound message: stored on the item by the webhook for the owner's own messages
 * (`owner-app`), else read from the outbound contract's metadata: the admin API's send marks
 * `source: admin-api` (the owner on the settings page), the AI Lambda `inReplyTo`.
 * @example sentByOf({ metadata: { source: 'admin-api' } }) // 'owner-page'
 */
export function sentByOf(item: Record<string, unknown>): MessageSender {
  if (item.sentBy === 'owner-app' || item.sentBy === 'owner-page' || item.sentBy === 'ai' || item.sentBy === 'echo-service') return item.sentBy;
  const metadata = (typeof item.metadata === 'object' && item.metadata !== null ? item.metadata : {}) as Record<string, unknown>;
  if (metadata.source === ADMIN_SEND_SOURCE) return 'owner-page';
  if (typeof metadata.inReplyTo === 'string') return 'ai';
  return 'echo-service';
}

/** One line a person reads in a list: the text, caption, title, template name… at most 200 characters. */
export function summaryOf(content: unknown): string | undefined {
  if (typeof content !== 'object' || content === null) return undefined;
  const c = content as Record<string, unknown>;
  const pick = (...values: unknown[]) => values.find((value): value is string => typeof value === 'string' && value.trim() !== '');
  let text: string | undefined;
  switch (c.type) {
    case 'text':
      text = pick(c.text);
      break;
    case 'buttons':
    case 'list':
      text = pick(c.body);
      break;
    case 'template':
      text = pick((c.template as Record<string, unknown> | undefined)?.name);
      text = text && `Template: ${text}`;
      break;
    case 'button_reply':
    case 'list_reply':
      text = pick(c.title);
      break;
    case 'location':
      text = pick(c.label, c.address) ?? 'Location';
      break;
    case 'reaction':
      text = pick(c.emoji);
      break;
    case 'unsupported':
      text = undefined;
      break;
    default:
      text = pick(c.caption) ?? (typeof c.type === 'string' ? `[${c.type}]` : undefined);
  }
  if (text === undefined) return undefined;
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

export interface SendAdminDeps {
  conversations: Pick<ConversationLister, 'get'>;
  connections: Pick<AdminConnectionStore, 'current'>;
  queue: OutboundQueue;
  /** Idempotency keys claimed by earlier sends, with the message id each answered. */
  sendClaims: SendClaimStore;
  /** The owner replied himself: the AI steps back from the conversation (hand-off). Absent: no pause. */
  handoff?: ConversationHandoffStore;
  clock: Clock;
  config: {
    /** How long a claim is kept: the send Lambda's outbound dedupe retention (`DEDUPE_TTL_DAYS`). */
    dedupeTtlDays: number;
  };
}

/**
 * The dedupe item of an admin send: `admin#<businessId>#<idempotencyKey>`, next to the send
 * Lambda's `outbound#…` items in the dedupe table.
 * @example adminSendClaimKey('acme', 'reply-1') // 'admin#acme#reply-1'
 */
export function adminSendClaimKey(businessId: string, idempotencyKey: string): string {
  return `admin#${businessId}#${idempotencyKey}`;
}

/**
 * `POST conversations/{id}/messages`: an outbound contract v1 message on the outbound queue (group
 * = conversation, FIFO deduplication derived from business + idempotency key), with the message id
 * assigned here so the 202 can name it; the send Lambda records the message under that id.
 * Only through the business's current, active connection: a conversation of a deleted connection
 * answers 409 rather than queueing a message the send Lambda would refuse.
 *
 * Idempotent per (business, idempotency key): the first call claims the key with its message id;
 * a retry finds the claim and answers the same id (the one the send Lambda records, since it keeps
 * the first message of a key). A retry still enqueues (the same FIFO deduplication id, and the send
 * Lambda dedupes), so a first call that claimed but failed to enqueue is completed by its retry.
 * The key used for another conversation → 409.
 */
export async function sendMessage(
  businessId: string,
  conversationId: string,
  body: PostMessageBody,
  deps: SendAdminDeps,
): Promise<SendAccepted> {
  const conversation = await conversationOf(businessId, conversationId, deps);
  const connection = await deps.connections.current(businessId);
  if (!connection || connection.status !== 'active' || connection.connectionId !== conversation.connectionId) {
    throw new AdminConflictError("The conversation's WhatsApp connection is no longer active.");
  }
  const now = deps.clock.now();
  const idempotencyKey = body.idempotencyKey ?? `admin:${randomUUID()}`;
  const { claim } = await deps.sendClaims.claim(
    adminSendClaimKey(businessId, idempotencyKey),
    { messageId: newMessageId(now), conversationId },
    new Date(now.getTime() + deps.config.dedupeTtlDays * DAY_MS),
  );
  if (claim.conversationId !== conversationId) {
    throw new AdminConflictError('The idempotency key was already used for a message to another conversation.');
  }
  const messageId = claim.messageId;
  const message: OutboundMessage = outboundMessageSchema.parse({
    version: 1,
    businessId,
    conversationId,
    idempotencyKey,
    messageId,
    content: body.content,
    ...(body.fallbackText !== undefined && { fallbackText: body.fallbackText }),
    metadata: { source: ADMIN_SEND_SOURCE },
  });
  await deps.queue.enqueue(message, conversationId);
  // After the enqueue: the owner's message is what starts the hand-off. If this write fails the
  // request answers 5xx, and its retry (same key: same message, FIFO-deduplicated) pauses again.
  if (deps.handoff) {
    const plan = ownerReplyPause({ repliedAt: now, pauseHours: handoffPauseHoursOf(connection), by: 'owner-page', now });
    const subject = { businessId, connectionId: conversation.connectionId, conversationId };
    if (plan) await deps.handoff.pause(conversationId, plan, pausedEvent(subject, plan));
  }
  return { messageId, conversationId, idempotencyKey, status: 'accepted' };
}
