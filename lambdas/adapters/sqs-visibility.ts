import { ChangeMessageVisibilityBatchCommand, ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { unavailable } from './aws-errors';

/**
 * Backoff on an SQS queue: a failed record is made visible again only after its delay. This is how
 * consumers retry with backoff while reporting the record as a partial batch failure (Lambda does
 * not reset the visibility the handler set).
 * @example
 * await new SqsVisibility(sqs, queueUrl).delay(record.receiptHandle, 30);
 */
export class SqsVisibility {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async delay(receiptHandle: string, seconds: number): Promise<void> {
    try {
      await this.sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }),
      );
    } catch (error) {
      throw unavailable('SQS ChangeMessageVisibility', error);
    }
  }

  /** Several records at once (up to 10 per call); returns how many SQS refused. */
  async delayMany(receiptHandles: string[], seconds: number): Promise<number> {
    let refused = 0;
    for (let i = 0; i < receiptHandles.length; i += 10) {
      const chunk = receiptHandles.slice(i, i + 10);
      try {
        const result = await this.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: chunk.map((receiptHandle, index) => ({ Id: String(index), ReceiptHandle: receiptHandle, VisibilityTimeout: seconds })),
          }),
        );
        refused += result.Failed?.length ?? 0;
      } catch (error) {
        throw unavailable('SQS ChangeMessageVisibilityBatch', error);
      }
    }
    return refused;
  }
}
