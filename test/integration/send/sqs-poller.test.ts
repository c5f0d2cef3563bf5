import { randomBytes } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { SqsOutboundQueue, outboundDeduplicationId } from '../../../lambdas/adapters/sqs-outbound-queue';
import type { OutboundMessage } from '../../../lambdas/domain/outbound/contract';
import { motoClientEnv } from '../../../local/moto';
import { createSqsPoller } from '../../../local/sqs-poller';

jest.setTimeout(30_000);

const MAX_RECEIVE_COUNT = 2;

function outbound(key: string, text = 'hola'): OutboundMessage {
  return { version: 1, businessId: 'biz1', to: '+5215512345678', idempotencyKey: key, content: { type: 'text', text } };
}

describe('local SQS poller against moto', () => {
  let sqs: SQSClient;
  let queueUrl: string;
  let dlqUrl: string;

  beforeAll(async () => {
    Object.assign(process.env, motoClientEnv(process.env.MOTO_ENDPOINT!));
    sqs = new SQSClient({});
    const suffix = randomBytes(4).toString('hex');
    dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `poller-dlq-${suffix}.fifo`, Attributes: { FifoQueue: 'true' } }))).QueueUrl!;
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
    queueUrl = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: `poller-${suffix}.fifo`,
          Attributes: {
            FifoQueue: 'true',
            VisibilityTimeout: '30',
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: MAX_RECEIVE_COUNT }),
          },
        }),
      )
    ).QueueUrl!;
  });
  afterAll(() => sqs?.destroy());

  async function depth(url: string): Promise<number> {
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return Number(attributes.Attributes!.ApproximateNumberOfMessages) + Number(attributes.Attributes!.ApproximateNumberOfMessagesNotVisible);
  }

  it('enqueues with the conversation as group and a hashed idempotency key as dedup id, and builds SQS events', async () => {
    // Prepare
    const queue = new SqsOutboundQueue(sqs, queueUrl);
    await queue.enqueue(outbound('k1'), 'cv_A');
    await queue.enqueue(outbound('k2'), 'cv_A');
    const events: SQSEvent[] = [];
    const poller = createSqsPoller({ sqs, queueUrl, waitTimeSeconds: 0, handler: async (event) => void events.push(event) });

    // Act
    const result = await poller.pollOnce();

    // Assess
    expect(result).toEqual({ received: 2, failed: 0 });
    const records = events[0].Records;
    expect(records.map((r) => (JSON.parse(r.body) as OutboundMessage).idempotencyKey)).toEqual(['k1', 'k2']);
    expect(records[0].attributes).toEqual(
      expect.objectContaining({
        MessageGroupId: 'cv_A',
        MessageDeduplicationId: outboundDeduplicationId('biz1', 'k1'),
        ApproximateReceiveCount: '1',
      }),
    );
    expect(records[0].eventSource).toBe('aws:sqs');
    expect(records[0].eventSourceARN).toMatch(/^arn:aws:sqs:.*poller-.*\.fifo$/);
    expect(records[0].md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    expect(await depth(queueUrl)).toBe(0);
  });

  it('deletes the handled records and leaves the reported failures, visible again after the backoff the handler set', async () => {
    // Prepare
    const queue = new SqsOutboundQueue(sqs, queueUrl);
    await queue.enqueue(outbound('ok'), 'cv_B');
    await queue.enqueue(outbound('retry'), 'cv_C');
    const seen: string[] = [];
    const poller = createSqsPoller({
      sqs,
      queueUrl,
      waitTimeSeconds: 0,
      handler: async (event) => {
        const failures = [];
        for (const record of event.Records) {
          const key = (JSON.parse(record.body) as OutboundMessage).idempotencyKey;
          seen.push(`${key}@${record.attributes.ApproximateReceiveCount}`);
          if (key === 'retry' && record.attributes.ApproximateReceiveCount === '1') {
            await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: 1 }));
            failures.push({ itemIdentifier: record.messageId });
          }
        }
        return { batchItemFailures: failures };
      },
    });

    // Act
    const first = await poller.pollOnce();
    const immediately = await poller.pollOnce();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const later = await poller.pollOnce();

    // Assess
    expect(first).toEqual({ received: 2, failed: 1 });
    expect(immediately.received).toBe(0);
    expect(later).toEqual({ received: 1, failed: 0 });
    expect(seen).toEqual(['ok@1', 'retry@1', 'retry@2']);
    expect(await depth(queueUrl)).toBe(0);
  });

  it('moves a message that keeps failing to the DLQ after maxReceiveCount receives', async () => {
    // Prepare
    await new SqsOutboundQueue(sqs, queueUrl).enqueue(outbound('poison'), 'cv_D');
    const poller = createSqsPoller({
      sqs,
      queueUrl,
      waitTimeSeconds: 0,
      handler: async (event) => {
        for (const record of event.Records) {
          await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: 0 }));
        }
        return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
      },
    });

    // Act
    const results = [];
    for (let i = 0; i < MAX_RECEIVE_COUNT + 1; i++) results.push(await poller.pollOnce());

    // Assess
    expect(results.map((r) => r.received)).toEqual([1, 1, 0]);
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }));
    expect((dead.Messages ?? []).map((m) => (JSON.parse(m.Body!) as OutboundMessage).idempotencyKey)).toEqual(['poison']);
  });

  it('keeps everything when the handler throws', async () => {
    // Prepare
    await new SqsOutboundQueue(sqs, queueUrl).enqueue(outbound('crash'), 'cv_E');
    const poller = createSqsPoller({
      sqs,
      queueUrl,
      waitTimeSeconds: 0,
      visibilityTimeoutSeconds: 1,
      handler: async () => {
        throw new Error('crash');
      },
    });

    // Act
    const result = await poller.pollOnce();

    // Assess
    expect(result).toEqual({ received: 1, failed: 1 });
    expect(await depth(queueUrl)).toBe(1);
  });
});
