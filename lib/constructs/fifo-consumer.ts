import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT } from '../config';
import type { EchoFunction } from './echo-function';
import { kmsViaService } from './policy';

export interface FifoConsumerOptions {
  /** The key the queue is encrypted with (receiving needs Decrypt through SQS). */
  readonly encryptionKey: kms.IKey;
  /**
   * Messages per invocation. On a FIFO queue a batch holds messages of several groups (conversations),
   * in order within each; no batching window exists for FIFO.
   * @default 10 (the FIFO maximum)
   */
  readonly batchSize?: number;
  /**
   * Extra actions on the queue beyond receiving and deleting, e.g. `sqs:ChangeMessageVisibility`
   * for a consumer that backs off failed messages.
   * @default - none
   */
  readonly extraQueueActions?: string[];
  /**
   * Concurrent invocations the mapping may run at most (2–1000): protects what the consumer calls
   * (a BSP's rate limit, the AI endpoint). Without it a FIFO mapping scales with the number of
   * active message groups.
   * @default - no limit beyond the function's and the account's concurrency
   */
  readonly maxConcurrency?: number;
}

/**
 * Makes `fn` the consumer of a FIFO queue with partial batch responses
 * (`ReportBatchItemFailures`): the handler returns the ids of failed messages, only those return
 * to the queue, and in a FIFO queue they hold back only their own message group.
 *
 * The mapping is built directly (not with `SqsEventSource`) so that the role gets exactly the
 * actions the Lambda poller and the handler use, and the key only through SQS (`kms:ViaService`);
 * `SqsEventSource` would grant `kms:Decrypt` on the key without that condition.
 *
 * Throws at synthesis if the queue's visibility timeout is shorter than
 * {@link VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT} × the function's timeout.
 */
export function consumeFifoQueue(
  fn: EchoFunction,
  queue: sqs.Queue,
  options: FifoConsumerOptions,
): lambda.EventSourceMapping {
  if (!queue.fifo) throw new Error(`${queue.node.path} is not a FIFO queue`);
  assertVisibilityCovers(queue, fn);

  // Receiving, deleting and reading attributes is what Lambda's poller does with the role; the
  // handler's own calls (backoff, fallbacks) are listed by the caller.
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', ...(options.extraQueueActions ?? [])],
      resources: [queue.queueArn],
    }),
  );
  fn.addToRolePolicy(kmsViaService(options.encryptionKey, Stack.of(fn), 'sqs', ['kms:Decrypt']));

  return new lambda.EventSourceMapping(fn, 'QueueEventSource', {
    target: fn.function,
    eventSourceArn: queue.queueArn,
    batchSize: options.batchSize ?? 10,
    reportBatchItemFailures: true,
    ...(options.maxConcurrency !== undefined && { maxConcurrency: options.maxConcurrency }),
  });
}

/** The visibility timeout must outlast the consumer several times over (see lib/config.ts). */
function assertVisibilityCovers(queue: sqs.Queue, fn: EchoFunction): void {
  const visibility = (queue.node.defaultChild as sqs.CfnQueue).visibilityTimeout;
  const timeout = fn.function.timeout?.toSeconds() ?? 3;
  const required = timeout * VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT;
  if (typeof visibility !== 'number' || visibility < required) {
    throw new Error(
      `${queue.node.path}: visibility timeout ${String(visibility)} s is shorter than ` +
        `${VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT} × the ${timeout} s timeout of ${fn.node.path} (${required} s)`,
    );
  }
}
