import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { backoffDelayMs, visibilitySecondsFor } from '../../domain/outbound/backoff';
import { sendOutbound, type PartOutcome, type SendOutboundDeps, type SendOutboundResult } from '../../domain/outbound/send-outbound';
import { forEachLimited } from '../../shared/concurrency';
import { describeError } from '../../shared/describe-error';
import { METRIC, type MetricName } from '../../shared/telemetry';

/** Moves a failed record's next delivery; see `SqsVisibility`. */
export interface VisibilityControl {
  delay(receiptHandle: string, seconds: number): Promise<void>;
  delayMany(receiptHandles: string[], seconds: number): Promise<number>;
}

export interface SendHandlerDeps {
  send: SendOutboundDeps;
  visibility: VisibilityControl;
  logger: Logger;
  metrics: Metrics;
  config: {
    /** Budget of one BSP call; a record is not started when less than ~2 of them remain. */
    sendTimeoutMs: number;
    /**
     * Conversations of one batch handled at the same time (each in its own order). Per-number
     * pacing, not this, keeps a number within its BSP's rate.
     * @default 10
     */
    conversationConcurrency?: number;
  };
}

/** Thrown for a record that stays on the queue; its visibility is already set. */
export class SendRetryLaterError extends Error {}
/** Not enough time left in this invocation to call the BSP safely. */
export class SendDeadlineError extends Error {}

const METRIC_BY_RESULT: Record<PartOutcome['result'], MetricName | undefined> = {
  accepted: METRIC.sendAccepted,
  failed: METRIC.sendFailed,
  'already-settled': METRIC.sendDuplicate,
  'in-flight': METRIC.sendInFlight,
  'outcome-unknown': METRIC.sendOutcomeUnknown,
  retry: METRIC.sendRetried,
  waiting: undefined,
};

/**
 * The send Lambda: consumes the outbound FIFO queue (one group per conversation). The records of a
 * batch are split by conversation; conversations run side by side (up to
 * `conversationConcurrency`), each in its own order, and per-number pacing in `sendOutbound` keeps
 * every number within its BSP's rate. Per record:
 * - `ack` → deleted (sent, or failed for good and announced);
 * - `retry` → made visible again after its delay (`ChangeMessageVisibility`: a backoff with full
 *   jitter, a `Retry-After`, or the next check of an unsettled send) and reported as a batch item
 *   failure, with every later record of its conversation: they wait behind it (FIFO) and lose no
 *   attempt, because the retry budget is on the message record;
 * - an unexpected error (a store down) → backoff by receive count, like `retry`. Only such records
 *   can reach `maxReceiveCount` and the DLQ.
 * Records skipped behind a failed one are made visible at once: FIFO keeps them behind it, and they
 * need not wait for the queue's full visibility timeout once it succeeds.
 * @example export const handler = createSendHandler(createSendDeps(loadSendEnv()));
 */
export function createSendHandler(deps: SendHandlerDeps) {
  const { logger, metrics } = deps;

  async function handleRecord(record: SQSRecord, context: Context | undefined): Promise<void> {
    const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
    // Starting a BSP call that the Lambda timeout would cut short makes its outcome unknown.
    if (context && context.getRemainingTimeInMillis() < 2 * deps.config.sendTimeoutMs + 1_000) {
      await deps.visibility.delay(record.receiptHandle, 0).catch(() => undefined);
      throw new SendDeadlineError('not enough time left in this invocation');
    }
    let result: SendOutboundResult;
    try {
      result = await sendOutbound({ body: record.body, receiveCount }, deps.send);
    } catch (error) {
      const delayMs = backoffDelayMs(receiveCount, undefined, deps.send.config.backoff, deps.send.random);
      metrics.addMetric(METRIC.sendErrored, MetricUnit.Count, 1);
      logger.error('send failed unexpectedly; the record will be retried', {
        sqsMessageId: record.messageId,
        receiveCount,
        error: describeError(error),
        retryInSeconds: visibilitySecondsFor(delayMs),
        lastReceive: receiveCount >= deps.send.config.maxReceiveCount,
      });
      await deps.visibility.delay(record.receiptHandle, visibilitySecondsFor(delayMs)).catch(() => undefined);
      throw error;
    }
    report(result, record, receiveCount);
    if (result.action === 'retry') {
      const seconds = visibilitySecondsFor(result.delayMs);
      await deps.visibility.delay(record.receiptHandle, seconds);
      throw new SendRetryLaterError(`retry in ${seconds} s`);
    }
  }

  function report(result: SendOutboundResult, record: SQSRecord, receiveCount: number): void {
    if (result.action === 'ack' && result.rejected) {
      metrics.addMetric(result.rejected.reason === 'invalid-message' ? METRIC.sendInvalid : METRIC.sendFailed, MetricUnit.Count, 1);
      // Problems name fields and limits, never their values.
      logger.warn('outbound message rejected', {
        sqsMessageId: record.messageId,
        reason: result.rejected.reason,
        problems: result.rejected.problems.slice(0, 10),
      });
      return;
    }
    for (const part of result.parts) {
      const metric = METRIC_BY_RESULT[part.result];
      if (metric) metrics.addMetric(metric, MetricUnit.Count, 1);
      if (part.fallback && part.result === 'accepted') metrics.addMetric(METRIC.sendFallback, MetricUnit.Count, 1);
      if (part.resolvedBy) metrics.addMetric(METRIC.sendOutcomeResolved, MetricUnit.Count, 1);
      if (part.resent) metrics.addMetric(METRIC.sendResentAfterLookup, MetricUnit.Count, 1);
      const level = part.result === 'failed' || part.result === 'outcome-unknown' ? 'warn' : 'info';
      logger[level]('outbound message', {
        sqsMessageId: record.messageId,
        conversationId: part.conversationId,
        messageId: part.messageId,
        result: part.result,
        reason: part.reason,
        errorCode: part.errorCode,
        fallback: part.fallback,
        resolvedBy: part.resolvedBy,
        resent: part.resent,
        action: result.action,
        receiveCount,
        ...(result.action === 'retry' && { retryInSeconds: visibilitySecondsFor(result.delayMs) }),
      });
    }
  }

  /** One conversation's records, in order; stops at the first that stays on the queue. */
  async function handleConversation(records: SQSRecord[], context: Context | undefined, failed: string[], skipped: SQSRecord[]): Promise<void> {
    for (let index = 0; index < records.length; index++) {
      try {
        await handleRecord(records[index], context);
      } catch {
        failed.push(...records.slice(index).map((record) => record.messageId));
        skipped.push(...records.slice(index + 1));
        return;
      }
    }
  }

  return async function sendHandler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
    if (context) logger.addContext(context);
    const failed: string[] = [];
    const skipped: SQSRecord[] = [];
    try {
      const conversations = groupByMessageGroup(event.Records);
      await forEachLimited(conversations, deps.config.conversationConcurrency ?? 10, (records) =>
        handleConversation(records, context, failed, skipped),
      );
      if (skipped.length > 0) {
        metrics.addMetric(METRIC.sendSkippedBehindFailure, MetricUnit.Count, skipped.length);
        await deps.visibility.delayMany(skipped.map((record) => record.receiptHandle), 0).catch((error: unknown) => {
          logger.warn('could not release skipped records early; they return after the visibility timeout', { error: describeError(error) });
        });
      }
      return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
    } finally {
      logger.resetKeys();
      metrics.publishStoredMetrics();
    }
  };
}

/** The batch's records by FIFO group (conversation), each group in the queue's order. */
export function groupByMessageGroup(records: SQSRecord[]): SQSRecord[][] {
  const groups = new Map<string, SQSRecord[]>();
  for (const record of records) {
    const groupId = record.attributes.MessageGroupId ?? record.messageId;
    const group = groups.get(groupId);
    if (group) group.push(record);
    else groups.set(groupId, [record]);
  }
  return [...groups.values()];
}
