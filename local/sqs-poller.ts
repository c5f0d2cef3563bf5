/**
 * A local stand-in for Lambda's SQS event source mapping: receives from a queue, hands the batch to
 * a Lambda handler as a faithful `SQSEvent`, and deletes what the handler did not report as failed.
 * The local runtime uses it for the inbound and outbound queues; integration tests drive it with
 * `pollOnce()` to step a consumer deterministically.
 *
 * What it mirrors from AWS (and what consumers may rely on):
 * - records carry the system attributes Lambda passes (`ApproximateReceiveCount`, `SentTimestamp`,
 *   `MessageGroupId`, `MessageDeduplicationId`, `SequenceNumber`, …), `md5OfBody`, `eventSource`
 *   `aws:sqs`, the queue ARN and region;
 * - partial batch responses: records listed in `batchItemFailures` stay on the queue; all others
 *   are deleted. A handler that returns nothing succeeded for every record; a handler that throws
 *   failed for every record (nothing is deleted);
 * - a failed record becomes visible again when its visibility timeout ends: the queue's, or the one
 *   the handler set with `ChangeMessageVisibility` (that is how consumers back off). The queue's
 *   redrive policy (moto implements it) moves it to the DLQ after `maxReceiveCount` receives.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './gateway';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface SqsPollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  handler: SqsHandler;
  /** Records per invocation (SQS allows at most 10 per receive). @default 10 */
  batchSize?: number;
  /** Long-poll wait of each receive. @default 1 */
  waitTimeSeconds?: number;
  /** Visibility timeout of received messages. @default the queue's own */
  visibilityTimeoutSeconds?: number;
  /** Name the handler sees in its context. @default 'local-sqs-consumer' */
  functionName?: string;
  /** The handler's timeout, for `context.getRemainingTimeInMillis()`. @default 30 */
  timeoutSeconds?: number;
  /** One line per batch and per failure. @default no output */
  log?: (line: string) => void;
  /** Pause of the `start()` loop after a receive or delete error. @default 1000 */
  errorPauseMs?: number;
}

export interface PollResult {
  /** Records handed to the handler. */
  received: number;
  /** Records left on the queue (reported as failures, or all of them when the handler threw). */
  failed: number;
}

export interface SqsPoller {
  /** One receive → invoke → delete cycle. Resolves `{ received: 0, failed: 0 }` on an empty queue. */
  pollOnce(): Promise<PollResult>;
  /** Polls in a loop until `stop()`; receive errors are logged and retried after a short pause. */
  start(): void;
  /** Stops the loop and waits for the batch in flight to finish. */
  stop(): Promise<void>;
}

/** Raised by `pollOnce` when the queue cannot be read or its messages cannot be deleted. */
export class SqsPollerError extends Error {}

const MAX_BATCH = 10;
const ERROR_PAUSE_MS = 1_000;
const IDLE_PAUSE_MS = 200;

function toRecordAttributes(message: Message): SQSRecord['attributes'] {
  const attributes = message.Attributes ?? {};
  const record: SQSRecord['attributes'] = {
    ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
    SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
    SenderId: attributes.SenderId ?? 'LOCAL',
    ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
  };
  if (attributes.SequenceNumber !== undefined) record.SequenceNumber = attributes.SequenceNumber;
  if (attributes.MessageGroupId !== undefined) record.MessageGroupId = attributes.MessageGroupId;
  if (attributes.MessageDeduplicationId !== undefined) record.MessageDeduplicationId = attributes.MessageDeduplicationId;
  if (attributes.AWSTraceHeader !== undefined) record.AWSTraceHeader = attributes.AWSTraceHeader;
  if (attributes.DeadLetterQueueSourceArn !== undefined) record.DeadLetterQueueSourceArn = attributes.DeadLetterQueueSourceArn;
  return record;
}

function toMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    out[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
      // Lambda delivers binary attributes base64-encoded.
      ...(value.BinaryValue !== undefined && { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((bytes) => Buffer.from(bytes).toString('base64')),
    };
  }
  return out;
}

/** Builds the `SQSRecord` Lambda would deliver for a received message. */
export function toSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  return {
    messageId: message.MessageId ?? randomUUID(),
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: toRecordAttributes(message),
    messageAttributes: toMessageAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes !== undefined && { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * @example
 * const poller = createSqsPoller({ sqs, queueUrl, handler: sendHandler, visibilityTimeoutSeconds: 5 });
 * await poller.pollOnce(); // { received: 3, failed: 1 }
 * poller.start(); … await poller.stop();
 */
export function createSqsPoller(options: SqsPollerOptions): SqsPoller {
  const batchSize = Math.min(Math.max(options.batchSize ?? MAX_BATCH, 1), MAX_BATCH);
  const waitTimeSeconds = options.waitTimeSeconds ?? 1;
  const log = options.log ?? (() => undefined);
  const functionName = options.functionName ?? 'local-sqs-consumer';
  let source: Promise<{ arn: string; region: string; accountId: string }> | undefined;
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  /** The queue's ARN and region, read once (the records carry them). */
  function queueSource() {
    source ??= (async () => {
      const region = await options.sqs.config.region();
      const attributes = await options.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: options.queueUrl, AttributeNames: ['QueueArn'] }),
      );
      const arn = attributes.Attributes?.QueueArn ?? `arn:aws:sqs:${region}:000000000000:${options.queueUrl.split('/').pop()}`;
      return { arn, region, accountId: arn.split(':')[4] ?? '000000000000' };
    })().catch((error: unknown) => {
      source = undefined;
      throw error;
    });
    return source;
  }

  async function deleteAll(records: SQSRecord[]): Promise<number> {
    let notDeleted = 0;
    for (let i = 0; i < records.length; i += MAX_BATCH) {
      const chunk = records.slice(i, i + MAX_BATCH);
      const result = await options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: chunk.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
        }),
      );
      // A delete that fails leaves the message to be received again: count it as not done.
      notDeleted += result.Failed?.length ?? 0;
      for (const failure of result.Failed ?? []) log(`delete failed for one record: ${failure.Code ?? 'unknown'}`);
    }
    return notDeleted;
  }

  async function pollOnce(): Promise<PollResult> {
    let queue: { arn: string; region: string; accountId: string };
    let messages: Message[];
    try {
      queue = await queueSource();
      const received = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: batchSize,
          WaitTimeSeconds: waitTimeSeconds,
          ...(options.visibilityTimeoutSeconds !== undefined && { VisibilityTimeout: options.visibilityTimeoutSeconds }),
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      messages = received.Messages ?? [];
    } catch (error) {
      throw new SqsPollerError(`receive from ${options.queueUrl} failed: ${describe(error)}`, { cause: error });
    }
    if (messages.length === 0) return { received: 0, failed: 0 };

    const records = messages.map((message) => toSqsRecord(message, queue.arn, queue.region));
    const context = lambdaContext({ functionName, region: queue.region, accountId: queue.accountId, memorySize: 1024, deadline: Date.now() + (options.timeoutSeconds ?? 30) * 1000 });
    let response: SQSBatchResponse | void;
    try {
      response = await options.handler({ Records: records }, context);
    } catch (error) {
      // Lambda treats a thrown error as the failure of the whole batch: nothing is deleted.
      log(`${functionName} failed for the whole batch of ${records.length}: ${describe(error)}`);
      return { received: records.length, failed: records.length };
    }
    const failedIds = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    const succeeded = records.filter((record) => !failedIds.has(record.messageId));
    const failedCount = records.length - succeeded.length;
    try {
      await deleteAll(succeeded);
    } catch (error) {
      throw new SqsPollerError(`delete from ${options.queueUrl} failed: ${describe(error)}`, { cause: error });
    }
    if (failedCount > 0) log(`${functionName}: ${failedCount} of ${records.length} records left on the queue`);
    return { received: records.length, failed: failedCount };
  }

  /** Sleeps, but wakes at once on `stop()`. */
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
        const { received } = await pollOnce();
        // A long poll paces an empty queue by itself; without one, do not spin.
        if (received === 0 && waitTimeSeconds === 0) await pause(IDLE_PAUSE_MS);
        // Always yield to timers and I/O between batches.
        else await new Promise((resolve) => setImmediate(resolve));
      } catch (error) {
        log(describe(error));
        if (running) await pause(options.errorPauseMs ?? ERROR_PAUSE_MS);
      }
    }
  }

  return {
    pollOnce,
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      loop = undefined;
    },
  };
}
