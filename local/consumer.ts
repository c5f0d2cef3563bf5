/**
 * A queue consumer as Lambda runs it behind an SQS event source mapping, for the local pollers:
 * the function's timeout fails the whole batch, and `batchItemFailures` count only when the mapping
 * reports them (`FunctionResponseTypes: [ReportBatchItemFailures]`); without that setting Lambda
 * ignores the returned value and a batch that returns succeeded for every record.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';

export interface EventSourceConsumerOptions {
  /** Short name for the log line (`send`). */
  name: string;
  /** The function's timeout. */
  timeoutSeconds: number;
  /** The mapping's `ReportBatchItemFailures`. */
  reportBatchItemFailures: boolean;
  /** One line per batch that returned (a batch that throws is logged by the poller). */
  log?: (line: string) => void;
}

/** Raised when a batch outlives the function's timeout; the message is Lambda's own. */
export class ConsumerTimeoutError extends Error {}

/**
 * @example
 * const handler = asEventSourceConsumer(sendHandler, { name: 'send', timeoutSeconds: 30, reportBatchItemFailures: true, log });
 * await handler({ Records }, context); // logs 'send: batch of 3 → 2 done, 1 left on the queue (84 ms)'
 */
export function asEventSourceConsumer(
  handler: (event: SQSEvent, context: Context) => Promise<unknown>,
  options: EventSourceConsumerOptions,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void> {
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.timeoutSeconds * 1000;
  return async (event, context) => {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    // Lambda cannot stop a timed-out handler either: here it runs on while its batch counts as failed.
    const response = (await Promise.race([
      handler(event, context),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new ConsumerTimeoutError(`Task timed out after ${options.timeoutSeconds.toFixed(2)} seconds`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer))) as SQSBatchResponse | undefined;
    const failed = options.reportBatchItemFailures ? (response?.batchItemFailures?.length ?? 0) : 0;
    const total = event.Records.length;
    log(`${options.name}: batch of ${total} → ${total - failed} done${failed ? `, ${failed} left on the queue` : ''} (${Date.now() - started} ms)`);
    return options.reportBatchItemFailures ? response : undefined;
  };
}
