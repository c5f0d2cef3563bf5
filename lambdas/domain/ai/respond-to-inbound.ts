import type { InboundQueueMessage } from '../inbound-queue-message';
import {
  OUTBOUND_CONTRACT_VERSION,
  outboundMessageSchema,
  type OutboundContent,
  type OutboundMessage,
} from '../outbound/contract';
import { resolveNumberedOption, type PendingOptions } from './numbered-options';
import {
  ResponderPermanentError,
  type HistoryEntry,
  type Responder,
  type ResponderInput,
} from './responder';

/** At most this many replies to one inbound message; more is a responder bug, not a conversation. */
export const MAX_REPLIES_PER_MESSAGE = 10;

/** What the AI hand-off needs of the conversation item. */
export interface ConversationSnapshot {
  conversationId: string;
  /** Set when the last rich message was downgraded to numbered plain text. */
  pendingOptions?: PendingOptions;
  /** Hand-off: the owner took over; the AI does not answer until then (ISO). See `lambdas/domain/handoff.ts`. */
  aiPausedUntil?: string;
}

/** Reads a conversation and its messages; clears answered numbered options. */
export interface ConversationReader {
  get(conversationId: string): Promise<ConversationSnapshot | undefined>;
  /** The latest `limit` messages with an id before `beforeMessageId`, oldest first. */
  historyBefore(conversationId: string, beforeMessageId: string, limit: number): Promise<HistoryEntry[]>;
  /**
   * Removes `pendingOptions` if they are still the ones offered by `optionsMessageId` (a newer set
   * stays). Resolves `false` when they were already gone or replaced.
   */
  clearPendingOptions(conversationId: string, optionsMessageId: string): Promise<boolean>;
}

/** The outbound FIFO queue, as producers see it (`SqsOutboundQueue`). */
export interface ReplyQueue {
  enqueue(message: OutboundMessage, groupId: string): Promise<void>;
}

export interface RespondDeps {
  responder: Responder;
  conversations: ConversationReader;
  queue: ReplyQueue;
  historyLimit: number;
  /** The invocation's deadline, passed on to the responder. */
  deadline?: Date;
  /** The conversation as the caller already read it (the hand-off check): not read a second time. */
  conversation?: { snapshot: ConversationSnapshot | undefined };
}

export type RespondResult = {
  replies: number;
  /** The option number the customer's text was understood as, if any. */
  resolvedOption?: number;
};

/**
 * The idempotency key of the `index`-th reply to an inbound message. Derived, never random: a
 * retried invocation enqueues the same keys, and the queue (FIFO deduplication) and the send Lambda
 * (its dedupe item) send each key at most once.
 * @example replyIdempotencyKey('01JD8X…', 0) // '01JD8X…:r0'
 */
export function replyIdempotencyKey(inboundMessageId: string, index: number): string {
  return `${inboundMessageId}:r${index}`;
}

/**
 * The outbound messages for a responder's replies, in order, each validated against the contract.
 * Throws `ResponderPermanentError` when a reply is not a valid outbound message.
 */
export function replyMessages(message: InboundQueueMessage, replies: OutboundContent[]): OutboundMessage[] {
  if (replies.length > MAX_REPLIES_PER_MESSAGE) {
    throw new ResponderPermanentError(`responder returned ${replies.length} replies; at most ${MAX_REPLIES_PER_MESSAGE} are sent`);
  }
  return replies.map((content, index) => {
    const parsed = outboundMessageSchema.safeParse({
      version: OUTBOUND_CONTRACT_VERSION,
      businessId: message.businessId,
      connectionId: message.connectionId,
      conversationId: message.conversationId,
      idempotencyKey: replyIdempotencyKey(message.messageId, index),
      content,
      metadata: { inReplyTo: message.messageId },
    });
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
      throw new ResponderPermanentError(`reply ${index} is not a valid outbound message: ${problems}`);
    }
    return parsed.data;
  });
}

/**
 * Answers one inbound message: loads the conversation and the messages before this one, turns a
 * bare option number into the option it stands for, asks the responder, and enqueues its replies
 * in order on the conversation's message group.
 *
 * Retries: anything thrown is retried by the queue, so every step is safe to repeat. Reading is
 * free of side effects; reply keys are derived from the inbound message id; and the numbered
 * options are cleared only after the replies are enqueued, so a retry understands the number the
 * same way the first attempt did.
 * @example
 * const { replies } = await respondToInbound(message, { responder, conversations, queue, historyLimit: 20 });
 */
export async function respondToInbound(message: InboundQueueMessage, deps: RespondDeps): Promise<RespondResult> {
  // `none` answers nothing whatever it is told: skip the reads.
  if (deps.responder.name === 'none') return { replies: 0 };

  const [conversation, history] = await Promise.all([
    deps.conversation ? deps.conversation.snapshot : deps.conversations.get(message.conversationId),
    deps.conversations.historyBefore(message.conversationId, message.messageId, deps.historyLimit),
  ]);

  const resolution = resolveNumberedOption(message.content, conversation?.pendingOptions, message.messageId);
  const input: ResponderInput = {
    businessId: message.businessId,
    connectionId: message.connectionId,
    conversationId: message.conversationId,
    message: { ...message, content: resolution.content },
    history,
  };

  const replies = await deps.responder.reply(input, deps.deadline ? { deadline: deps.deadline } : {});
  const outbound = replyMessages(message, replies);
  // One at a time: the FIFO group keeps the order in which they were enqueued.
  for (const reply of outbound) await deps.queue.enqueue(reply, message.conversationId);

  if (resolution.resolved) await deps.conversations.clearPendingOptions(message.conversationId, resolution.optionsMessageId);
  return { replies: outbound.length, ...(resolution.resolved && { resolvedOption: resolution.n }) };
}
