/**
 * The local moto's FIFO delivery as SQS's: while a message of a group is in flight, no other
 * message of that group goes to anyone. moto picks deliverable messages from a snapshot of the
 * in-flight groups, so concurrent receives on its threads could each take one of a group's
 * messages; local/moto_server.py makes each pick atomic. The send path's order rests on this.
 */
import { randomBytes } from 'node:crypto';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';

describe('local moto: FIFO message groups', () => {
  const sqs = new SQSClient({ endpoint: process.env.MOTO_ENDPOINT, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  afterAll(() => sqs.destroy());

  it('never hands two waiting receivers messages of one group when the group arrives', async () => {
    // Prepare: pollers long-polling an empty queue, as the local runtime's are.
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: `groups-${randomBytes(4).toString('hex')}.fifo`, Attributes: { FifoQueue: 'true', VisibilityTimeout: '30' } }),
    );
    const waiting = Array.from({ length: 8 }, () => sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 2 })));
    await new Promise((resolve) => setTimeout(resolve, 300));

    // Act: one conversation's 10 messages arrive and wake them all (plain moto 5.2.1 gave each
    // waiter one of them, in any order).
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `m${i}`, MessageGroupId: 'cv_1', MessageDeduplicationId: `m${i}` })),
      }),
    );
    const received = await Promise.all(waiting);

    // Assess: only the group's head went out, to one receiver.
    const bodies = received.flatMap((answer) => (answer.Messages ?? []).map((message) => message.Body));
    expect(bodies).toEqual(['m0']);
  });
});
