import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { mirrorMedia, type MediaJob, type MirrorDeps, type MirrorResult } from '../../domain/media/mirror';
import { providerNameSchema } from '../../domain/providers';
import { backoffDelayMs, visibilitySecondsFor } from '../../domain/outbound/backoff';
import { RetryableError } from '../../shared/errors';
import { describeError } from '../../shared/describe-error';
import { addProviderDimension } from '../../shared/powertools';
import { METRIC } from '../../shared/telemetry';

export interface MediaHandlerDeps {
  mirror: MirrorDeps;
  /** Sets a failed job's visibility (its backoff) before it is reported as a batch item failure. */
  visibility: { delay(receiptHandle: string, seconds: number): Promise<void> };
  logger: Logger;
  metrics: Metrics;
  config: {
    /** Attempts per job (`MEDIA_MAX_ATTEMPTS`). */
    maxAttempts: number;
    random?: () => number;
  };
}

/** Backoff of a retried download: 30 s doubling to 15 minutes, with full jitter. */
const RETRY_BACKOFF = { baseMs: 30_000, capMs: 15 * 60_000 };
/** 360dialog blocks media GETs for 30 minutes: come back after that. */
const CIRCUIT_OPEN_DELAY_MS = 30 * 60_000;

/** The job must be tried again later; its visibility already carries the backoff. */
export class MediaRetryError extends RetryableError {}

const mediaRefSchema = z.object({
  url: z.string().optional(),
  id: z.string().optional(),
  contentType: z.string().min(1),
  kind: z.enum(['image', 'video', 'audio', 'voice', 'document', 'sticker', 'contacts']),
  sha256: z.string().optional(),
  filename: z.string().optional(),
});

/** The EventBridge envelope of `message.received`, as the rule delivers it to the queue. */
const mediaJobSchema = z.object({
  'detail-type': z.literal('message.received'),
  detail: z.object({
    businessId: z.string().min(1),
    connectionId: z.string().min(1),
    conversationId: z.string().min(1),
    messageId: z.string().min(1),
    provider: providerNameSchema,
    content: z.object({ media: z.array(mediaRefSchema).min(1).max(10) }).loose(),
  }),
});

/**
 * Parses a media queue record: the `message.received` event the rule delivered, with its media.
 * @example parseMediaJob(record.body) // { businessId, connectionId, conversationId, messageId, provider, media: [...] } | undefined
 */
export function parseMediaJob(body: string): MediaJob | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = mediaJobSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const { businessId, connectionId, conversationId, messageId, provider, content } = parsed.data.detail;
  return {
    businessId,
    connectionId,
    conversationId,
    messageId,
    provider,
    media: content.media.map((ref) => ({
      contentType: ref.contentType,
      kind: ref.kind,
      ...(ref.url !== undefined && { url: ref.url }),
      ...(ref.id !== undefined && { id: ref.id }),
      ...(ref.sha256 !== undefined && { sha256: ref.sha256 }),
      ...(ref.filename !== undefined && { filename: ref.filename }),
    })),
  };
}

/**
 * The media step: one record is one inbound message's media (the `message.received` event that the
 * bus rule put on the media queue). Per record:
 * 1. parse the event (unreadable → counted, logged, acknowledged: no retry can fix it);
 * 2. mirror every item not final yet (`mirrorMedia`: download through the provider's fetcher,
 *    check type and checksum, stream into the bucket, record on the message, announce
 *    `message.media.stored` once all are final);
 * 3. when items must wait (the BSP busy, the connection's breaker open), set the record's
 *    visibility to the backoff and report it as a batch item failure; the attempt number is SQS's
 *    receive count, and the `MEDIA_MAX_ATTEMPTS`-th attempt records what still fails as `failed`.
 * Anything else (our bucket or table unavailable) is thrown as is: the record returns after the
 * queue's visibility timeout, then goes to the DLQ.
 * @example export const handler = createMediaHandler(createMediaDeps(loadMediaEnv()));
 */
export function createMediaHandler(deps: MediaHandlerDeps) {
  const processor = new BatchProcessor(EventType.SQS);

  async function handleRecord(record: SQSRecord): Promise<void> {
    const job = parseMediaJob(record.body);
    if (!job) {
      deps.metrics.addMetric(METRIC.mediaInvalidJob, MetricUnit.Count, 1);
      deps.logger.error('unreadable media job; acknowledged without retry', { sqsMessageId: record.messageId });
      return;
    }
    const attempt = Math.max(1, Number(record.attributes?.ApproximateReceiveCount) || 1);
    const ids = { conversationId: job.conversationId, messageId: job.messageId, connectionId: job.connectionId, attempt };
    addProviderDimension(deps.metrics, job.provider);
    let result: MirrorResult;
    try {
      result = await mirrorMedia(job, { attempt, final: attempt >= deps.config.maxAttempts }, deps.mirror);
    } catch (error) {
      deps.logger.error('media step failed; the job returns to the queue', { ...ids, error: describeError(error) });
      throw error;
    }
    if (result.outcome === 'skipped') {
      deps.logger.warn('media job skipped', { ...ids, reason: result.reason });
      return;
    }
    if (result.outcome === 'settled') {
      for (const item of result.media) {
        const metric = { stored: METRIC.mediaStored, 'too-large': METRIC.mediaTooLarge, refused: METRIC.mediaRefused, failed: METRIC.mediaFailed, pending: undefined }[item.status];
        if (metric) deps.metrics.addMetric(metric, MetricUnit.Count, 1);
        if (item.status === 'stored' && item.size !== undefined) deps.metrics.addMetric(METRIC.mediaBytes, MetricUnit.Bytes, item.size);
      }
      deps.logger.info('media mirrored', {
        ...ids,
        items: result.media.map(({ index, status, size, reason, contentType }) => ({ index, status, size, reason, contentType })),
      });
      return;
    }
    const delayMs = result.breakerOpen
      ? CIRCUIT_OPEN_DELAY_MS
      : backoffDelayMs(attempt, undefined, RETRY_BACKOFF, deps.config.random ?? Math.random);
    const seconds = Math.max(1, visibilitySecondsFor(delayMs));
    deps.metrics.addMetric(result.breakerOpen ? METRIC.mediaCircuitOpen : METRIC.mediaRetry, MetricUnit.Count, 1);
    deps.logger.warn('media not fetched yet; retrying later', { ...ids, reason: result.reason, retryInSeconds: seconds });
    await deps.visibility.delay(record.receiptHandle, seconds).catch((error: unknown) => {
      // The queue's own visibility timeout then paces the retry instead.
      deps.logger.warn('could not set the backoff', { ...ids, error: describeError(error) });
    });
    throw new MediaRetryError(`media retry: ${result.reason}`);
  }

  return async function mediaHandler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
    if (context) deps.logger.addContext(context);
    try {
      // A retry is an answer, not an error: with one job per batch every retry is a "full batch
      // failure", which must not fail the invocation (the errors alarm is for real failures).
      return await processPartialResponse(event, handleRecord, processor, { ...(context && { context }), throwOnFullBatchFailure: false });
    } finally {
      deps.logger.resetKeys();
      deps.metrics.publishStoredMetrics();
    }
  };
}
