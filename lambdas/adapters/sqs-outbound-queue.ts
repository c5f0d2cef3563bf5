import { createHash } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { OutboundMessage } from '../domain/outbound/contract';
import { unavailable } from './aws-errors';

/**
 * The FIFO deduplication id of an outbound message: derived from the producer's idempotency key
 * (scoped by business), so a producer that enqueues the same message twice within SQS's 5-minute
 * window is deduplicated by the queue itself. The send Lambda's dedupe item covers the rest.
 * @example outboundDeduplicationId('acme', 'reply-01JD…') // 64 hex chars
 */
export function outboundDeduplicationId(businessId: string, idempotencyKey: string): string {
  return createHash('sha256').update(`${businessId}#${idempotencyKey}`).digest('hex');
}

/**
 * The outbound FIFO queue. One message group per conversation keeps replies in order while
 * conversations are sent in parallel.
 * @example
 * await new SqsOutboundQueue(sqs, queueUrl).enqueue(message, conversationId);
 */
export class SqsOutboundQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /**
   * @param groupId the conversation id (`cv_…`): messages of one conversation leave in order.
   * Producers that only know the customer number compute it with `conversationIdFor(connectionId, to)`.
   */
  async enqueue(message: OutboundMessage, groupId: string): Promise<void> {
    try {
      await this.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: JSON.stringify(message),
          MessageGroupId: groupId,
          MessageDeduplicationId: outboundDeduplicationId(message.businessId, message.idempotencyKey),
        }),
      );
    } catch (error) {
      throw unavailable('SQS SendMessage (outbound)', error);
    }
  }
}
