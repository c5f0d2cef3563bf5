import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { backoffDelayMs, visibilitySecondsFor } from '../../domain/outbound/backoff';
import { sendOutbound, type PartOutcome, type SendOutboundDeps, type SendOutboundResult } from '../../domain/outbound/send-outbound';
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
  };
}

/** Reported to the batch processor so the record stays on the queue; its visibility is already set. */
export class SendRetryLaterError extends Error {}
/** Retries are exhausted and the message is marked failed: SQS moves the record to the DLQ. */
export class SendDeadLetterError extends Error {}
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
 * The send Lambda: consumes the outbound FIFO queue (one group per conversation) and hands each
 * record to `sendOutbound`, in order. Per record:
 * - `ack` → deleted (sent, failed for good, or left to the outcome watchdog);
 * - `retry` → made visible again after a backoff with full jitter (`ChangeMessageVisibility`) and
 *   reported as a batch item failure: the rest of its conversation waits behind it (FIFO), other
 *   conversations in the batch go on (`skipGroupOnError`);
 * - `dead-letter` → visible again at once and reported: its next receive moves it to the DLQ;
 * - an unexpected error (a store down) → backoff like `retry`.
 * Records skipped because an earlier record of their conversation failed are made visible at once:
 * FIFO keeps them behind the failed one, and they need not wait for the queue's full visibility
 * timeout once it succeeds.
 * @example export const handler = createSendHandler(createSendDeps(loadSendEnv()));
 */
export function createSendHandler(deps: SendHandlerDeps) {
  const { logger, metrics } = deps;

  async function handleRecord(record: SQSRecord, context: Context | undefined, started: Set<string>): Promise<void> {
    started.add(record.messageId);
    const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
    logger.appendKeys({ sqsMessageId: record.messageId, receiveCount });
    try {
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
          error: describeError(error),
          retryInSeconds: visibilitySecondsFor(delayMs),
          lastAttempt: receiveCount >= deps.send.config.maxReceiveCount,
        });
        await deps.visibility.delay(record.receiptHandle, visibilitySecondsFor(delayMs)).catch(() => undefined);
        throw error;
      }
      report(result, receiveCount);
      if (result.action === 'retry') {
        const seconds = visibilitySecondsFor(result.delayMs);
        await deps.visibility.delay(record.receiptHandle, seconds);
        throw new SendRetryLaterError(`retry in ${seconds} s`);
      }
      if (result.action === 'dead-letter') {
        metrics.addMetric(METRIC.sendDeadLettered, MetricUnit.Count, 1);
        await deps.visibility.delay(record.receiptHandle, 0);
        throw new SendDeadLetterError('retries exhausted');
      }
    } finally {
      logger.removeKeys(['sqsMessageId', 'receiveCount']);
    }
  }

  function report(result: SendOutboundResult, receiveCount: number): void {
    if (result.action === 'ack' && result.rejected) {
      metrics.addMetric(result.rejected.reason === 'invalid-message' ? METRIC.sendInvalid : METRIC.sendFailed, MetricUnit.Count, 1);
      // Problems name fields and limits, never their values.
      logger.warn('outbound message rejected', { reason: result.rejected.reason, problems: result.rejected.problems.slice(0, 10) });
      return;
    }
    for (const part of result.parts) {
      const metric = METRIC_BY_RESULT[part.result];
      if (metric) metrics.addMetric(metric, MetricUnit.Count, 1);
      if (part.fallback && part.result === 'accepted') metrics.addMetric(METRIC.sendFallback, MetricUnit.Count, 1);
      const level = part.result === 'failed' || part.result === 'outcome-unknown' ? 'warn' : 'info';
      logger[level]('outbound message', {
        conversationId: part.conversationId,
        messageId: part.messageId,
        result: part.result,
        reason: part.reason,
        errorCode: part.errorCode,
        fallback: part.fallback,
        action: result.action,
        receiveCount,
        ...(result.action === 'retry' && { retryInSeconds: visibilitySecondsFor(result.delayMs) }),
      });
    }
  }

  return async function sendHandler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
    if (context) logger.addContext(context);
    const started = new Set<string>();
    const processor = new SqsFifoPartialProcessorAsync();
    try {
      const response = await processPartialResponse(event, (record: SQSRecord) => handleRecord(record, context, started), processor, {
        ...(context && { context }),
        skipGroupOnError: true,
        throwOnFullBatchFailure: false,
      });
      const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
      const skipped = event.Records.filter((record) => failed.has(record.messageId) && !started.has(record.messageId));
      if (skipped.length > 0) {
        metrics.addMetric(METRIC.sendSkippedBehindFailure, MetricUnit.Count, skipped.length);
        await deps.visibility.delayMany(skipped.map((record) => record.receiptHandle), 0).catch((error: unknown) => {
          logger.warn('could not release skipped records early; they return after the visibility timeout', { error: describeError(error) });
        });
      }
      return response;
    } finally {
      logger.resetKeys();
      metrics.publishStoredMetrics();
    }
  };
}

