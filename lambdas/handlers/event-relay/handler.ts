import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { OUTBOX_ATTRIBUTE } from '../../domain/outbox';
import { relayOutbox, type OutboxPublisher, type OutboxRecord } from '../../domain/outbox-relay';
import { describeError } from '../../shared/describe-error';

export interface EventRelayDeps {
  publisher: OutboxPublisher;
  logger: Logger;
  metrics: Metrics;
}

/** Metrics of the relay (service `whatsapp-event-relay`). */
export const EVENT_RELAY_METRIC = {
  /** Events the bus accepted. */
  relayed: 'EventsRelayed',
  /** Events that did not go out in this invocation (retried from the stream). */
  failed: 'EventRelayFailed',
} as const;

/**
 * The event relay: a DynamoDB stream consumer (messages, conversations and connections tables,
 * filtered to records whose new image has an `outbox`) that publishes each new outbox entry on the
 * bus. With `ReportBatchItemFailures`, a partial failure answers the sequence number of the first
 * record whose event did not go out: Lambda resumes the shard there, so nothing after it is
 * skipped. A record without a sequence number (never in a real stream) fails the whole batch.
 * @example export const handler = createEventRelayHandler(createEventRelayDeps(loadEventRelayEnv()));
 */
export function createEventRelayHandler(deps: EventRelayDeps) {
  return async function eventRelayHandler(event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> {
    if (context) deps.logger.addContext(context);
    try {
      const records = event.Records.map(outboxRecordOf);
      const result = await relayOutbox(records, {
        publisher: deps.publisher,
        onPublishError: (error, entries) =>
          deps.logger.error('PutEvents failed; the batch is retried from its first unpublished record', { entries, error: describeError(error) }),
      });
      deps.metrics.addMetric(EVENT_RELAY_METRIC.relayed, MetricUnit.Count, result.published);
      if (result.failed > 0) deps.metrics.addMetric(EVENT_RELAY_METRIC.failed, MetricUnit.Count, result.failed);
      deps.logger.info('outbox relayed', { records: records.length, ...result });
      return { batchItemFailures: result.retryFrom ? [{ itemIdentifier: result.retryFrom }] : [] };
    } finally {
      deps.logger.resetKeys();
      deps.metrics.publishStoredMetrics();
    }
  };
}

/** Only the `outbox` attribute is unmarshalled: the rest of the item is not the relay's business. */
function outboxRecordOf(record: DynamoDBRecord): OutboxRecord {
  const position = record.dynamodb?.SequenceNumber;
  if (!position) throw new Error('a stream record without a sequence number');
  return {
    position,
    newImage: outboxOnly(record.dynamodb?.NewImage),
    oldImage: outboxOnly(record.dynamodb?.OldImage),
  };
}

function outboxOnly(image: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const value = image?.[OUTBOX_ATTRIBUTE];
  if (value === undefined) return undefined;
  return unmarshall({ [OUTBOX_ATTRIBUTE]: value as AttributeValue });
}
