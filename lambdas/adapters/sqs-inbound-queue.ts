import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { InboundQueueMessage } from '../domain/inbound-queue-message';
import type { InboundQueue } from '../domain/ports';
import { unavailable } from './aws-errors';

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
}
