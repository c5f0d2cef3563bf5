import type { InboundQueueMessage } from '../inbound-queue-message';
import type { OutboundContent } from '../outbound/contract';
import { PermanentError, RetryableError } from '../../shared/errors';

/** Which responder answers inbound messages (`RESPONDER`). */
export type ResponderName = 'http' | 'none' | 'demo';

/**
 * One earlier message of the conversation, as the responder sees it. `content` is what we stored:
 * the inbound content (`text`, `image`, `button_reply`, …) or the outbound contract content.
 */
export interface HistoryEntry {
  messageId: string;
  direction: 'inbound' | 'outbound';
  type: string;
  content: Record<string, unknown>;
  /** ISO-8601: when we received (inbound) or recorded (outbound) it. */
  at: string;
}

/** What a responder is asked: the message to answer and what came before it, oldest first. */
export interface ResponderInput {
  businessId: string;
  connectionId: string;
  conversationId: string;
  /**
   * The inbound queue message. When the customer answered numbered options with a number, its
   * `content` is already the `button_reply`/`list_reply` that number stands for.
   */
  message: InboundQueueMessage;
  history: HistoryEntry[];
}

export interface ReplyOptions {
  /** Give up (retryably) rather than run past this instant: the invocation's own deadline. */
  deadline?: Date;
}

/**
 * Answers one inbound message with zero or more outbound contents, in the order they must reach the
 * customer. Throws `ResponderRetryableError` when asking again later may work (endpoint down,
 * timeout) and `ResponderPermanentError` when it never will (a malformed answer, a 4xx).
 * @example
 * const replies = await responder.reply({ businessId, connectionId, conversationId, message, history });
 */
export interface Responder {
  readonly name: ResponderName;
  reply(input: ResponderInput, options?: ReplyOptions): Promise<OutboundContent[]>;
}

/** The responder could not answer now; the inbound message is retried by the queue. */
export class ResponderRetryableError extends RetryableError {}

/** The responder will never answer this message; it is acknowledged without a reply. */
export class ResponderPermanentError extends PermanentError {}

/**
 * The `none` responder: never answers. Another Echo service replies through the outbound queue
 * after the `message.received` event the webhook already published.
 */
export class NoneResponder implements Responder {
  readonly name = 'none' as const;
  async reply(): Promise<OutboundContent[]> {
    return [];
  }
}
