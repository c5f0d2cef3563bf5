import { SqsFifoPartialProcessorAsync, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { withMediaLinks, type MediaLinkDeps } from '../../domain/ai/media-links';
import { markInboundRead, type ReadReceiptDeps } from '../../domain/ai/read-receipt';
import { respondToInbound, type ConversationReader, type ConversationSnapshot, type ReplyQueue } from '../../domain/ai/respond-to-inbound';
import { isAiPaused } from '../../domain/handoff';
import type { Clock } from '../../domain/ports';
import type { Responder } from '../../domain/ai/responder';
import { inboundQueueMessageSchema, type InboundQueueMessage } from '../../domain/inbound-queue-message';
import { EchoError, RetryableError } from '../../shared/errors';
import { describeError } from '../../shared/describe-error';
import { METRIC } from '../../shared/telemetry';

export interface AiDeps {
  responder: Responder;
  conversations: ConversationReader;
  queue: ReplyQueue;
  /** Read receipts and "typing…" on the BSPs that have them; without it none are sent. */
  readReceipts?: ReadReceiptDeps;
  /**
   * Presigned links to the message's mirrored media, waiting a bounded time for media still being
   * mirrored (`visibility` puts such a record back for a few seconds); without it media goes as received.
   */
  media?: MediaLinkDeps & { visibility?: { delay(receiptHandle: string, seconds: number): Promise<void> } };
  /** For the hand-off check. @default the system clock */
  clock?: Clock;
  logger: Logger;
  metrics: Metrics;
  config: {
    /** Earlier messages sent to the responder (`AI_HISTORY_LIMIT`). */
    historyLimit: number;
  };
}

/** Kept back from the invocation's deadline: enough to enqueue replies and report the batch. */
const DEADLINE_MARGIN_MS = 3_000;

/** Thrown for a record the invocation has no time left for; it goes back to the queue untouched. */
export class InvocationDeadlineError extends RetryableError {}

/** The message's media is still being mirrored: it returns to the queue for a few seconds (its group waits). */
export class MediaPendingError extends RetryableError {}

/**
 * The AI hand-off: consumes the inbound FIFO queue (group = conversation) and, per record:
 * 1. validates it against the inbound queue contract (invalid → logged, counted and acknowledged:
 *    no retry can fix it, and nothing is written);
 * 2. answers it (`respondToInbound`): history, numbered options, responder, replies enqueued on the
 *    outbound queue with keys derived from the inbound message id;
 * 3. on a retryable failure (responder or AWS unavailable), throws: the record is reported as a
 *    batch item failure and SQS redelivers it after its visibility timeout, up to
 *    `maxReceiveCount`, then the DLQ. The rest of its conversation waits behind it
 *    (`skipGroupOnError`); other conversations in the batch go on;
 * 4. on a permanent responder failure, logs, counts and acknowledges: the customer gets no reply
 *    from this message, and the conversation is not blocked.
 * @example
 * export const handler = createAiHandler(createAiDeps(loadAiEnv()));
 */
export function createAiHandler(deps: AiDeps) {
  const processor = new SqsFifoPartialProcessorAsync();

  async function handleRecord(record: SQSRecord, context: Context | undefined): Promise<void> {
    const message = parse(record);
    if (!message) return;
    const remainingMs = context?.getRemainingTimeInMillis();
    const deadline = remainingMs === undefined ? undefined : new Date(Date.now() + remainingMs - DEADLINE_MARGIN_MS);
    if (deadline && deadline.getTime() - Date.now() < 1_000) {
      throw new InvocationDeadlineError('too little time left in this invocation; the message returns to the queue');
    }

    const ids = { conversationId: message.conversationId, messageId: message.messageId, responder: deps.responder.name };
    // Hand-off: the owner took this conversation over (or an admin paused it). The message is
    // stored and published already (the webhook did both before queueing it); the AI only stays
    // silent: no read receipt, no "typing…", no reply. Acknowledged, so the conversation moves on.
    let conversation: { snapshot: ConversationSnapshot | undefined } | undefined;
    if (deps.responder.name !== 'none') {
      conversation = { snapshot: await deps.conversations.get(message.conversationId) };
      if (isAiPaused(conversation.snapshot, deps.clock?.now() ?? new Date())) {
        deps.metrics.addMetric(METRIC.aiSkippedPaused, MetricUnit.Count, 1);
        deps.logger.info('conversation paused for the owner; not answered', { ...ids, aiPausedUntil: conversation.snapshot?.aiPausedUntil });
        return;
      }
    }
    let answering = message;
    if (deps.media && deps.responder.name !== 'none') {
      const linked = await withMediaLinks(message, Number(record.attributes?.ApproximateReceiveCount) || 1, deps.media);
      if (linked.outcome === 'wait') {
        // Before the read receipt: the customer sees "read" when we answer, not while we wait.
        await deps.media.visibility?.delay(record.receiptHandle, Math.ceil(linked.retryInMs / 1000)).catch(() => undefined);
        deps.logger.info('media still being mirrored; the message waits', { ...ids, retryInMs: linked.retryInMs });
        throw new MediaPendingError('media still being mirrored');
      }
      if (linked.pending > 0) {
        deps.metrics.addMetric(METRIC.aiMediaPending, MetricUnit.Count, 1);
        deps.logger.warn('answering without links to media still pending', { ...ids, pending: linked.pending });
      }
      answering = linked.message;
    }
    if (deps.readReceipts && deps.responder.name !== 'none') await sendReadReceipt(message, deps.readReceipts, ids);
    try {
      const result = await respondToInbound(answering, {
        responder: deps.responder,
        conversations: deps.conversations,
        queue: deps.queue,
        historyLimit: deps.config.historyLimit,
        ...(deadline && { deadline }),
        ...(conversation && { conversation }),
      });
      deps.metrics.addMetric(METRIC.aiRepliesEnqueued, MetricUnit.Count, result.replies);
      if (result.resolvedOption !== undefined) deps.metrics.addMetric(METRIC.aiNumberedOptionResolved, MetricUnit.Count, 1);
      deps.logger.info('inbound message answered', {
        ...ids,
        replies: result.replies,
        type: message.content.type,
        ...(result.resolvedOption !== undefined && { resolvedOption: result.resolvedOption }),
      });
    } catch (error) {
      if (error instanceof EchoError && !error.retryable) {
        deps.metrics.addMetric(METRIC.aiReplyAbandoned, MetricUnit.Count, 1);
        deps.logger.error('responder failed permanently; message acknowledged without a reply', { ...ids, error: describeError(error) });
        return;
      }
      deps.metrics.addMetric(METRIC.aiRetry, MetricUnit.Count, 1);
      deps.logger.warn('answering failed; the message will be redelivered', {
        ...ids,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        error: describeError(error),
      });
      throw error;
    }
  }

  /** Only when this Lambda answers (`none` leaves the reply to another service, which may be slow). */
  async function sendReadReceipt(message: InboundQueueMessage, readReceipts: ReadReceiptDeps, ids: Record<string, string>): Promise<void> {
    try {
      const outcome = await markInboundRead(message, readReceipts);
      if (outcome === 'marked') deps.metrics.addMetric(METRIC.aiReadReceiptSent, MetricUnit.Count, 1);
    } catch (error) {
      deps.metrics.addMetric(METRIC.aiReadReceiptFailed, MetricUnit.Count, 1);
      deps.logger.warn('read receipt failed; answering anyway', { ...ids, error: describeError(error) });
    }
  }

  function parse(record: SQSRecord): InboundQueueMessage | undefined {
    let json: unknown;
    try {
      json = JSON.parse(record.body);
    } catch {
      json = undefined;
    }
    const parsed = inboundQueueMessageSchema.safeParse(json);
    if (parsed.success) return parsed.data;
    deps.metrics.addMetric(METRIC.aiInvalidMessage, MetricUnit.Count, 1);
    deps.logger.error('invalid inbound queue message; acknowledged without retry', {
      sqsMessageId: record.messageId,
      problems: parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`),
    });
    return undefined;
  }

  return async function aiHandler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
    if (context) deps.logger.addContext(context);
    try {
      return await processPartialResponse(event, (record: SQSRecord) => handleRecord(record, context), processor, {
        ...(context && { context }),
        skipGroupOnError: true,
        // A batch whose every record waits (media still being mirrored, a responder retry) is not an
        // invocation error: its records are reported and already delayed, and the errors alarm stays
        // for real failures.
        throwOnFullBatchFailure: false,
      });
    } finally {
      deps.logger.resetKeys();
      deps.metrics.publishStoredMetrics();
    }
  };
}

