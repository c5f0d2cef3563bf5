/**
 * The event relay's rules: from a batch of stream records (item changes, in stream order) to the
 * events to publish, and where the stream must resume when some could not be published.
 */
import { outboxChange, type OutboxEntry } from './outbox';

/** One item change, as the stream delivers it (images unmarshalled; only `outbox` is read). */
export interface OutboxRecord {
  /** The record's sequence number: what Lambda resumes from (`batchItemFailures[].itemIdentifier`). */
  position: string;
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
}

/** Publishes entries as events on the bus, at most {@link EVENTS_PER_PUT} per call. */
export interface OutboxPublisher {
  /** The indexes (into `entries`) of the entries the bus did not accept; throws when the call failed. */
  publish(entries: OutboxEntry[]): Promise<{ failed: number[] }>;
}

/** EventBridge takes at most 10 entries per PutEvents. */
export const EVENTS_PER_PUT = 10;

export interface RelayOutboxDeps {
  publisher: OutboxPublisher;
  /** PutEvents calls in flight at once. @default 4 */
  concurrency?: number;
  /** Told about each call that failed as a whole (its entries are retried with the batch). */
  onPublishError?: (error: unknown, entries: number) => void;
}

export interface RelayOutboxResult {
  /** Events the bus accepted. */
  published: number;
  /** Records with no new entry (a write that did not touch `outbox`). */
  skipped: number;
  /** Entries the bus refused or that a failed call carried. */
  failed: number;
  /**
   * The position of the first record whose event did not go out: the stream resumes there (that
   * record and every later one are delivered again, so some events go out twice, never none).
   */
  retryFrom?: string;
}

/**
 * Publishes the new outbox entries of a batch of stream records, 10 per PutEvents, several calls at
 * once. A record publishes only when its new image carries an entry that its old image did not
 * (see `outboxChange`). Partial failures are reported, never thrown, as the first record to retry.
 * @example
 * const result = await relayOutbox(records, { publisher });
 * return { batchItemFailures: result.retryFrom ? [{ itemIdentifier: result.retryFrom }] : [] };
 */
export async function relayOutbox(records: OutboxRecord[], deps: RelayOutboxDeps): Promise<RelayOutboxResult> {
  const pending: Array<{ recordIndex: number; entry: OutboxEntry }> = [];
  records.forEach((record, recordIndex) => {
    const entry = outboxChange(record.newImage, record.oldImage);
    if (entry) pending.push({ recordIndex, entry });
  });
  const chunks: Array<typeof pending> = [];
  for (let start = 0; start < pending.length; start += EVENTS_PER_PUT) chunks.push(pending.slice(start, start + EVENTS_PER_PUT));

  const failedRecords: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      let failed: number[];
      try {
        failed = (await deps.publisher.publish(chunk.map(({ entry }) => entry))).failed;
      } catch (error) {
        deps.onPublishError?.(error, chunk.length);
        failed = chunk.map((_, index) => index);
      }
      for (const index of failed) if (chunk[index]) failedRecords.push(chunk[index].recordIndex);
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? 4, chunks.length) }, worker));

  const first = failedRecords.length > 0 ? Math.min(...failedRecords) : undefined;
  return {
    published: pending.length - failedRecords.length,
    skipped: records.length - pending.length,
    failed: failedRecords.length,
    ...(first !== undefined && { retryFrom: records[first]!.position }),
  };
}
