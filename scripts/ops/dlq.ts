/**
 * `npm run ops -- dlq list | show <queue> | redrive <queue>`: the dead-letter queues of the inbound
 * and outbound FIFO queues.
 *
 * `redrive` moves messages back by hand (receive, send to the source queue, delete), in the DLQ's
 * order, each with its message group id, so a conversation's messages keep their order. The
 * deduplication id is derived from the original one and the DLQ message id: new to the source queue
 * (the original id may still be inside SQS's 5-minute window, and the message would be dropped
 * silently), yet the same if a redrive is repeated after a failed delete (no double). Our consumers
 * are idempotent, so a message that was half processed before it died is safe to see again.
 * (moto 5.2.1 does not implement StartMessageMoveTask; this path is the same locally and in AWS.)
 */
import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { scrubSensitive } from '../../lambdas/shared/describe-error';
import type { DeadLetterQueue } from './target';

/** How long `show` holds the messages it reads before making them visible again. */
const PEEK_VISIBILITY_SECONDS = 30;

export async function queueDepth(sqs: SQSClient, url: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return { visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0), inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) };
}

/** One line per dead-letter queue: its depth. */
export async function listDeadLetterQueues(sqs: SQSClient, queues: DeadLetterQueue[], print: (line: string) => void): Promise<number> {
  let total = 0;
  for (const queue of queues) {
    const depth = await queueDepth(sqs, queue.url);
    total += depth.visible + depth.inFlight;
    print(`${queue.name.padEnd(10)} ${String(depth.visible).padStart(5)} message(s)${depth.inFlight ? ` (+${depth.inFlight} in flight)` : ''}  ${queue.url}`);
  }
  return total;
}

export function deadLetterQueueNamed(queues: DeadLetterQueue[], name: string | undefined): DeadLetterQueue {
  const queue = queues.find((candidate) => candidate.name === name);
  if (!queue) throw new Error(`no dead-letter queue ${JSON.stringify(name ?? '')}: one of ${queues.map((q) => q.name).join(', ')}`);
  return queue;
}

async function receiveAll(sqs: SQSClient, url: string, visibilitySeconds: number, limit: number): Promise<Message[]> {
  const messages: Message[] = [];
  while (messages.length < limit) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: Math.min(10, limit - messages.length),
        VisibilityTimeout: visibilitySeconds,
        WaitTimeSeconds: 0,
        AttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    if (!Messages?.length) break;
    messages.push(...Messages);
  }
  return messages;
}

/** Prints the messages of a DLQ (phone numbers and tokens masked) and leaves them there, visible again. */
export async function showDeadLetterQueue(sqs: SQSClient, queue: DeadLetterQueue, print: (line: string) => void, limit = 100): Promise<number> {
  const messages = await receiveAll(sqs, queue.url, PEEK_VISIBILITY_SECONDS, limit);
  for (const message of messages) {
    const attributes = message.Attributes ?? {};
    const sent = attributes.SentTimestamp ? new Date(Number(attributes.SentTimestamp)).toISOString() : '?';
    print(`── ${message.MessageId}  group ${attributes.MessageGroupId ?? '-'}  received ${attributes.ApproximateReceiveCount ?? '?'}×  sent ${sent}`);
    print(scrubSensitive(message.Body ?? ''));
  }
  for (let i = 0; i < messages.length; i += 10) {
    const batch = messages.slice(i, i + 10);
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queue.url,
        Entries: batch.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0 })),
      }),
    );
  }
  print(`${messages.length} message(s) in ${queue.name}'s dead-letter queue${messages.length === limit ? ` (first ${limit} shown)` : ''}`);
  return messages.length;
}

/** The deduplication id a redriven message is sent with (see the module comment). */
export function redriveDeduplicationId(message: Message): string {
  const original = message.Attributes?.MessageDeduplicationId ?? '';
  return createHash('sha256').update(`${original}\nredrive\n${message.MessageId ?? ''}`).digest('hex');
}

/** Moves every message of a DLQ back to its source queue, in order. Returns how many moved. */
export async function redriveDeadLetterQueue(sqs: SQSClient, queue: DeadLetterQueue, print: (line: string) => void): Promise<number> {
  let moved = 0;
  for (;;) {
    // Ten at a time, sent before the next ten are received: a group's order survives.
    const batch = await receiveAll(sqs, queue.url, 60, 10);
    if (batch.length === 0) break;
    const fifo = queue.sourceUrl.endsWith('.fifo');
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.sourceUrl,
        Entries: batch.map((message, index) => ({
          Id: String(index),
          MessageBody: message.Body ?? '',
          ...(message.MessageAttributes && Object.keys(message.MessageAttributes).length > 0 && { MessageAttributes: message.MessageAttributes }),
          ...(fifo && { MessageGroupId: message.Attributes?.MessageGroupId ?? 'redrive', MessageDeduplicationId: redriveDeduplicationId(message) }),
        })),
      }),
    );
    const failed = new Set((sent.Failed ?? []).map((failure) => failure.Id));
    const done = batch.filter((_, index) => !failed.has(String(index)));
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: queue.url, Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! })) }),
      );
    }
    moved += done.length;
    if (failed.size > 0) {
      print(`✗ ${failed.size} message(s) could not be sent back; they stay in the dead-letter queue (visible again in 60 s)`);
      break;
    }
  }
  print(`moved ${moved} message(s) from ${queue.name}'s dead-letter queue back to ${queue.sourceUrl}`);
  return moved;
}
