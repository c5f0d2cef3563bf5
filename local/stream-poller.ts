/**
 * A local stand-in for Lambda's DynamoDB stream event source mapping: reads a table's stream from
 * moto (DescribeStream, GetShardIterator, GetRecords), keeps the records the mapping's filter
 * criteria let through, and hands them to the handler as a `DynamoDBStreamEvent`, in stream order.
 * The local runtime runs one per stream mapping of the template (the event relay's); tests step it
 * with `pollOnce()`.
 *
 * What it mirrors from AWS: filter patterns (`exists`, `prefix`, `anything-but`, plain values, on
 * the record as Lambda sees it), partial batch responses (the first `itemIdentifier` is where the
 * stream resumes: that record and every later one are delivered again), a thrown error retries the
 * whole batch, and a batch that failed `maximumRetryAttempts` times is given up (AWS would send its
 * position to the on-failure destination). What it does not: shards splitting, parallelization (one
 * poller per stream keeps every item's records in order anyway).
 *
 * It starts at the stream's end (LATEST), not its beginning: moto keeps a stream's records for as
 * long as it runs, and a runtime restarted against the same moto must not publish old events again.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaContext } from './gateway';

export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;

export interface StreamPollerOptions {
  /** moto's endpoint (the DynamoDB Streams API is served there too). */
  endpoint: string;
  region: string;
  streamArn: string;
  handler: StreamHandler;
  /** Records per invocation. @default 100 */
  batchSize?: number;
  /** The mapping's filter patterns (JSON); none delivers every record. */
  filterPatterns?: string[];
  /** Attempts of a failing batch before it is given up; -1 retries until stopped. @default -1 */
  maximumRetryAttempts?: number;
  /** Pause of the `start()` loop when the stream had nothing new. @default 100 */
  idleMs?: number;
  functionName?: string;
  timeoutSeconds?: number;
  log?: (line: string) => void;
}

export interface StreamPollResult {
  /** New records read from the stream (before filtering). */
  read: number;
  /** Records handed to the handler (retries included). */
  delivered: number;
  /** Records left to deliver again (a failure), or given up. */
  failed: number;
}

export interface StreamPoller {
  /** Positions the poller at the stream's end now: every record written from here on is delivered. */
  open(): Promise<void>;
  pollOnce(): Promise<StreamPollResult>;
  start(): void;
  stop(): Promise<void>;
}

/** Raised when the stream cannot be read. */
export class StreamPollerError extends Error {}

type Json = Record<string, unknown>;

/**
 * Whether `value` matches one Lambda/EventBridge filter `pattern`: every key of the pattern must
 * match; a list matches when any of its entries does.
 * @example matchesFilter({ dynamodb: { NewImage: { outbox: [{ exists: true }] } } }, record) // true when NewImage.outbox is set
 */
export function matchesFilter(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some((entry) => matchesLeaf(entry, value));
  if (typeof pattern === 'object' && pattern !== null) {
    return Object.entries(pattern as Json).every(([key, sub]) =>
      matchesFilter(sub, typeof value === 'object' && value !== null ? (value as Json)[key] : undefined),
    );
  }
  return pattern === value;
}

function matchesLeaf(entry: unknown, value: unknown): boolean {
  if (typeof entry === 'object' && entry !== null) {
    const rule = entry as Json;
    if ('exists' in rule) return rule.exists === (value !== undefined);
    if (value === undefined) return false;
    if ('prefix' in rule) return typeof value === 'string' && value.startsWith(String(rule.prefix));
    if ('anything-but' in rule) {
      const excluded = Array.isArray(rule['anything-but']) ? rule['anything-but'] : [rule['anything-but']];
      return !excluded.includes(value);
    }
    return false;
  }
  return Array.isArray(value) ? value.includes(entry) : value === entry;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * @example
 * const poller = createStreamPoller({ endpoint, region, streamArn, handler: relayHandler, filterPatterns });
 * await poller.pollOnce(); // { read: 3, delivered: 2, failed: 0 }
 */
export function createStreamPoller(options: StreamPollerOptions): StreamPoller {
  const batchSize = Math.max(1, options.batchSize ?? 100);
  const patterns = (options.filterPatterns ?? []).map((pattern) => JSON.parse(pattern) as unknown);
  const maxAttempts = options.maximumRetryAttempts ?? -1;
  const log = options.log ?? (() => undefined);
  const functionName = options.functionName ?? 'local-stream-consumer';
  /** Shard id → the iterator of its next unread record. */
  let iterators: Map<string, string> | undefined;
  /** Records read and let through, not yet delivered successfully, in stream order. */
  let pending: DynamoDBRecord[] = [];
  /** Failed deliveries of the batch at the head of `pending`. */
  let headAttempts = 0;
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  async function call<T>(action: string, body: Json): Promise<T> {
    const response = await fetch(options.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDBStreams_20120810.${action}`,
        // moto routes by the signing service; the signature itself is not checked.
        authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${options.region}/dynamodb/aws4_request, SignedHeaders=host, Signature=local`,
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new StreamPollerError(`${action} on ${options.streamArn} answered ${response.status}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  }

  /** The shards, each from its end: what is written from now on is what gets delivered. */
  async function openShards(): Promise<Map<string, string>> {
    const { StreamDescription } = await call<{ StreamDescription: { Shards?: Array<{ ShardId: string }> } }>('DescribeStream', {
      StreamArn: options.streamArn,
    });
    const opened = new Map<string, string>();
    for (const { ShardId } of StreamDescription.Shards ?? []) {
      const { ShardIterator } = await call<{ ShardIterator: string }>('GetShardIterator', {
        StreamArn: options.streamArn,
        ShardId,
        ShardIteratorType: 'LATEST',
      });
      opened.set(ShardId, ShardIterator);
    }
    return opened;
  }

  async function readNew(): Promise<number> {
    iterators ??= await openShards();
    let read = 0;
    for (const [shardId, iterator] of iterators) {
      const result = await call<{ Records?: DynamoDBRecord[]; NextShardIterator?: string }>('GetRecords', { ShardIterator: iterator, Limit: 1000 });
      if (result.NextShardIterator) iterators.set(shardId, result.NextShardIterator);
      for (const record of result.Records ?? []) {
        read++;
        const asDelivered: DynamoDBRecord = { ...record, eventSourceARN: options.streamArn };
        if (patterns.length === 0 || patterns.some((pattern) => matchesFilter(pattern, asDelivered))) pending.push(asDelivered);
      }
    }
    return read;
  }

  /** Delivers `pending` batch by batch, stopping at the first failure (it is retried next poll). */
  async function deliver(): Promise<{ delivered: number; failed: number }> {
    let delivered = 0;
    while (pending.length > 0) {
      const batch = pending.slice(0, batchSize);
      delivered += batch.length;
      let resumeAt: number | undefined;
      try {
        const response = await options.handler({ Records: batch }, lambdaContext({ functionName, region: options.region, accountId: '123456789012', memorySize: 512, deadline: Date.now() + (options.timeoutSeconds ?? 30) * 1000 }));
        const first = response?.batchItemFailures?.[0]?.itemIdentifier;
        if (first !== undefined) {
          const index = batch.findIndex((record) => record.dynamodb?.SequenceNumber === first);
          resumeAt = index >= 0 ? index : 0;
        }
      } catch (error) {
        log(`${functionName} failed for a batch of ${batch.length} stream records: ${describe(error)}`);
        resumeAt = 0;
      }
      if (resumeAt === undefined) {
        pending = pending.slice(batch.length);
        headAttempts = 0;
        continue;
      }
      pending = pending.slice(resumeAt);
      headAttempts++;
      if (maxAttempts >= 0 && headAttempts > maxAttempts) {
        const dropped = pending.slice(0, batchSize - resumeAt);
        log(`${functionName}: gave up ${dropped.length} stream records after ${headAttempts} attempts (in AWS: to the on-failure destination)`);
        pending = pending.slice(dropped.length);
        headAttempts = 0;
      }
      return { delivered, failed: pending.length };
    }
    return { delivered, failed: 0 };
  }

  async function pollOnce(): Promise<StreamPollResult> {
    let read: number;
    try {
      read = await readNew();
    } catch (error) {
      // An expired iterator (or moto restarted): open the shards again on the next poll.
      iterators = undefined;
      throw error instanceof StreamPollerError ? error : new StreamPollerError(`reading ${options.streamArn} failed: ${describe(error)}`, { cause: error });
    }
    const { delivered, failed } = await deliver();
    return { read, delivered, failed };
  }

  function pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });
  }

  async function run(): Promise<void> {
    while (running) {
      try {
        const { read, failed } = await pollOnce();
        await pause(read === 0 || failed > 0 ? (options.idleMs ?? 100) : 0);
      } catch (error) {
        log(describe(error));
        if (running) await pause(1_000);
      }
    }
  }

  return {
    async open() {
      iterators ??= await openShards();
    },
    pollOnce,
    start() {
      if (running) return;
      running = true;
      // Open the shards now, so that what is written from this moment on is delivered.
      loop = readNew()
        .catch((error: unknown) => log(describe(error)))
        .then(run);
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      loop = undefined;
    },
  };
}
