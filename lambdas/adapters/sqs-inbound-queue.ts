import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { InboundQueueMessage } from '../domain/inbound-queue-message';
import type { InboundQueue } from '../domain/ports';
import { DependencyUnavailableError } from '../shared/errors';
import { unavailable } from './aws-errors';

/** SQS's limit on the entries of one `SendMessageBatch`. */
const SQS_BATCH_ENTRIES = 10;

/**
 * The inbound FIFO queue. One message group per conversation keeps a customer's messages in
 * order for the AI while conversations proceed in parallel.
 * @example
 * await new SqsInboundQueue(sqs, queueUrl).enqueue(message, deduplicationId);
 */
export class SqsInboundQueue implements InboundQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(message: InboundQueueMessage, deduplicationId: string): Promise<void> {
    try {
      await this.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: JSON.stringify(message),
          MessageGroupId: message.conversationId,
          MessageDeduplicationId: deduplicationId,
        }),
      );
    } catch (error) {
      throw unavailable('SQS SendMessage', error);
    }
  }

  /**
   * `SendMessageBatch` of 10 at a time, one call after the other: a FIFO queue keeps the order of
   * a batch's entries, and of batches sent in sequence. An entry SQS refuses fails the whole call
   * (the caller answers 5xx; the retry re-sends everything under the same deduplication ids).
   */
  async enqueueBatch(entries: Array<{ message: InboundQueueMessage; deduplicationId: string }>): Promise<void> {
    for (let start = 0; start < entries.length; start += SQS_BATCH_ENTRIES) {
      const slice = entries.slice(start, start + SQS_BATCH_ENTRIES);
      let failed: number;
      try {
        const result = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: slice.map(({ message, deduplicationId }, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify(message),
              MessageGroupId: message.conversationId,
              MessageDeduplicationId: deduplicationId,
            })),
          }),
        );
        failed = result.Failed?.length ?? 0;
      } catch (error) {
        throw unavailable('SQS SendMessageBatch', error);
      }
      if (failed > 0) throw new DependencyUnavailableError(`SQS SendMessageBatch refused ${failed} of ${slice.length} messages`);
    }
  }
}
