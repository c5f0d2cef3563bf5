import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { createSqsPoller, SqsPollerError, toSqsRecord } from '../../../local/sqs-poller';

const QUEUE_URL = 'http://127.0.0.1:1/123456789012/outbound.fifo';
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:outbound.fifo';

function setup() {
  const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const mock = mockClient(sqs);
  mock.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: QUEUE_ARN } });
  return { sqs, mock };
}

const message = (id: string) => ({
  MessageId: id,
  ReceiptHandle: `rh-${id}`,
  Body: `{"n":"${id}"}`,
  MD5OfBody: 'md5',
  Attributes: { ApproximateReceiveCount: '2', SentTimestamp: '1700000000000', MessageGroupId: 'cv_1', MessageDeduplicationId: 'd1' },
});

describe('toSqsRecord', () => {
  it('builds the record Lambda delivers, with system and message attributes', () => {
    // Prepare
    const received = {
      ...message('m1'),
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'x' }, blob: { DataType: 'Binary', BinaryValue: Buffer.from('hi') } },
    };

    // Act
    const record = toSqsRecord(received, QUEUE_ARN, 'us-east-1');

    // Assess
    expect(record).toEqual(
      expect.objectContaining({
        messageId: 'm1',
        receiptHandle: 'rh-m1',
        body: '{"n":"m1"}',
        md5OfBody: 'md5',
        eventSource: 'aws:sqs',
        eventSourceARN: QUEUE_ARN,
        awsRegion: 'us-east-1',
      }),
    );
    expect(record.attributes).toEqual(
      expect.objectContaining({ ApproximateReceiveCount: '2', MessageGroupId: 'cv_1', MessageDeduplicationId: 'd1' }),
    );
    expect(record.messageAttributes.kind.stringValue).toBe('x');
    expect(record.messageAttributes.blob.binaryValue).toBe(Buffer.from('hi').toString('base64'));
  });
});

describe('createSqsPoller error paths', () => {
  it('raises SqsPollerError when the receive fails, without invoking the handler', async () => {
    // Prepare
    const { sqs, mock } = setup();
    mock.on(ReceiveMessageCommand).rejects(Object.assign(new Error('down'), { name: 'ServiceUnavailable' }));
    const handler = jest.fn();

    // Act
    const result = createSqsPoller({ sqs, queueUrl: QUEUE_URL, handler }).pollOnce();

    // Assess
    await expect(result).rejects.toBeInstanceOf(SqsPollerError);
    expect(handler).not.toHaveBeenCalled();
  });

  it('deletes nothing when the handler throws, and counts the whole batch as failed', async () => {
    // Prepare
    const { sqs, mock } = setup();
    mock.on(ReceiveMessageCommand).resolves({ Messages: [message('m1'), message('m2')] });
    const handler = jest.fn().mockRejectedValue(new Error('boom'));

    // Act
    const result = await createSqsPoller({ sqs, queueUrl: QUEUE_URL, handler }).pollOnce();

    // Assess
    expect(result).toEqual({ received: 2, failed: 2 });
    expect(mock.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
  });

  it('raises SqsPollerError when deleting the handled records fails', async () => {
    // Prepare
    const { sqs, mock } = setup();
    mock.on(ReceiveMessageCommand).resolves({ Messages: [message('m1')] });
    mock.on(DeleteMessageBatchCommand).rejects(new Error('nope'));

    // Act
    const result = createSqsPoller({ sqs, queueUrl: QUEUE_URL, handler: async () => undefined }).pollOnce();

    // Assess
    await expect(result).rejects.toThrow(/delete from .* failed/);
  });

  it('keeps polling after a receive error and stops cleanly', async () => {
    // Prepare
    const { sqs, mock } = setup();
    mock
      .on(ReceiveMessageCommand)
      .rejectsOnce(new Error('blip'))
      .resolves({ Messages: [] });
    const lines: string[] = [];
    const poller = createSqsPoller({ sqs, queueUrl: QUEUE_URL, handler: async () => undefined, log: (l) => lines.push(l), errorPauseMs: 5, waitTimeSeconds: 0 });

    // Act
    poller.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await poller.stop();

    // Assess
    expect(lines.some((line) => line.includes('blip'))).toBe(true);
    expect(mock.commandCalls(ReceiveMessageCommand).length).toBeGreaterThanOrEqual(2);
  });
});
