import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbMessageStore } from '../../lambdas/adapters/dynamodb-message-store';
import { SqsInboundQueue } from '../../lambdas/adapters/sqs-inbound-queue';
import { freePort } from '../../local/moto';
import { createWebhookFixture, type WebhookFixture } from '../support/webhook-fixture';

jest.setTimeout(60_000);

/** Real SDK clients aimed at a port where nothing listens: the call fails like a network outage. */
async function unreachable() {
  const endpoint = `http://127.0.0.1:${await freePort()}`;
  return { endpoint, maxAttempts: 1 };
}

/** The real message store, but on a DynamoDB that cannot be reached. */
async function unreachableStore(env: Record<string, string>): Promise<DynamoDbMessageStore> {
  return new DynamoDbMessageStore(DynamoDBDocumentClient.from(new DynamoDBClient(await unreachable())), {
    conversations: env.CONVERSATIONS_TABLE,
    messages: env.MESSAGES_TABLE,
    dedupe: env.DEDUPE_TABLE,
  });
}

describe('webhook when DynamoDB or SQS fail mid-request (against moto)', () => {
  let fx: WebhookFixture;
  beforeAll(async () => {
    fx = await createWebhookFixture();
  });
  afterAll(async () => fx?.close());

  it('answers 5xx when DynamoDB is unreachable, writes nothing, and a retry completes', async () => {
    // Prepare
    const realStore = fx.deps.store;
    fx.deps.store = await unreachableStore(fx.env);
    const { event, fields } = fx.inboundEvent({ from: '+5215500000101' });

    // Act
    const failed = await fx.invoke(structuredClone(event));
    fx.deps.store = realStore;
    const retried = await fx.invoke(structuredClone(event));

    // Assess
    expect(failed.statusCode).toBeGreaterThanOrEqual(500);
    expect(retried.statusCode).toBe(200);
    expect(await fx.messagesWithExternalId(fields.MessageSid)).toHaveLength(1);
    expect((await fx.drainInboundQueue()).map((m) => JSON.parse(m.Body!).externalId)).toEqual([fields.MessageSid]);
  });

  it('answers 5xx when SQS fails after the message is stored, and the retry enqueues it exactly once', async () => {
    // Prepare
    const realQueue = fx.deps.queue;
    fx.deps.queue = new SqsInboundQueue(new SQSClient(await unreachable()), fx.env.INBOUND_QUEUE_URL);
    const { event, fields } = fx.inboundEvent({ from: '+5215500000102' });

    // Act
    const failed = await fx.invoke(structuredClone(event));
    const storedAfterFailure = await fx.messagesWithExternalId(fields.MessageSid);
    const queuedAfterFailure = await fx.drainInboundQueue();
    fx.deps.queue = realQueue;
    const retried = await fx.invoke(structuredClone(event));
    const replayed = await fx.invoke(structuredClone(event));

    // Assess
    expect(failed.statusCode).toBeGreaterThanOrEqual(500);
    expect(storedAfterFailure).toHaveLength(1);
    expect(queuedAfterFailure).toHaveLength(0);
    expect([retried.statusCode, replayed.statusCode]).toEqual([200, 200]);
    expect(await fx.messagesWithExternalId(fields.MessageSid)).toHaveLength(1);
    const queued = await fx.drainInboundQueue();
    expect(queued).toHaveLength(1);
    expect(JSON.parse(queued[0].Body!)).toMatchObject({
      externalId: fields.MessageSid,
      messageId: storedAfterFailure[0].messageId,
      conversationId: storedAfterFailure[0].conversationId,
    });
  });

  it('answers 5xx when a status update cannot reach DynamoDB', async () => {
    const realStore = fx.deps.store;
    fx.deps.store = await unreachableStore(fx.env);
    try {
      const response = await fx.invoke(fx.statusEvent({ conversationId: 'cv_X', messageId: 'M1' }, 'SM1', 'delivered'));
      expect(response.statusCode).toBeGreaterThanOrEqual(500);
    } finally {
      fx.deps.store = realStore;
    }
  });
});
