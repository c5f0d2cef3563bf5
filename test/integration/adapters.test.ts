import { randomBytes } from 'node:crypto';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConnectionDirectory } from '../../lambdas/adapters/dynamodb-connection-directory';
import { EventBridgePublisher } from '../../lambdas/adapters/eventbridge-publisher';
import { SecretsCredentialsStore } from '../../lambdas/adapters/secrets-credentials-store';
import { SqsInboundQueue } from '../../lambdas/adapters/sqs-inbound-queue';
import { DynamoDbMessageStore } from '../../lambdas/adapters/dynamodb-message-store';
import { DynamoDbOutboundStore } from '../../lambdas/adapters/dynamodb-outbound-store';
import { EVENT_SOURCE } from '../../lambdas/domain/events';
import type { InboundQueueMessage } from '../../lambdas/domain/inbound-queue-message';
import { createWebhookFixture, type WebhookFixture } from '../support/webhook-fixture';

jest.setTimeout(60_000);

describe('adapters against moto', () => {
  let fx: WebhookFixture;
  beforeAll(async () => {
    fx = await createWebhookFixture();
  });
  afterAll(async () => fx?.close());

  describe('DynamoDbConnectionDirectory', () => {
    it('reads the seeded connection and returns undefined for an unknown one', async () => {
      const directory = new DynamoDbConnectionDirectory(fx.documents, fx.env.CONNECTIONS_TABLE, { cacheTtlMs: 0 });
      expect(await directory.get(fx.connectionId)).toMatchObject({
        connectionId: fx.connectionId,
        businessId: fx.businessId,
        status: 'active',
        displayNumber: fx.number,
      });
      expect(await directory.get('no-such-connection')).toBeUndefined();
    });

    it('moves lastInboundAt at most once a minute, even across containers', async () => {
      const clockA = new DynamoDbConnectionDirectory(fx.documents, fx.env.CONNECTIONS_TABLE, { cacheTtlMs: 0 });
      const clockB = new DynamoDbConnectionDirectory(fx.documents, fx.env.CONNECTIONS_TABLE, { cacheTtlMs: 0 });
      const t0 = new Date(Date.now() + 3_600_000);
      const read = async () =>
        (await fx.documents.send(new GetCommand({ TableName: fx.env.CONNECTIONS_TABLE, Key: { connectionId: fx.connectionId } })))
          .Item!.lastInboundAt;

      await clockA.touchLastInbound(fx.connectionId, t0);
      await clockB.touchLastInbound(fx.connectionId, new Date(t0.getTime() + 30_000));
      expect(await read()).toBe(t0.toISOString());

      const later = new Date(t0.getTime() + 91_000);
      await clockB.touchLastInbound(fx.connectionId, later);
      expect(await read()).toBe(later.toISOString());
    });

    it('does not create a connection item when touching an unknown connection', async () => {
      const directory = new DynamoDbConnectionDirectory(fx.documents, fx.env.CONNECTIONS_TABLE, { cacheTtlMs: 0 });
      await directory.touchLastInbound('ghost-connection', new Date());
      const result = await fx.documents.send(new GetCommand({ TableName: fx.env.CONNECTIONS_TABLE, Key: { connectionId: 'ghost-connection' } }));
      expect(result.Item).toBeUndefined();
    });
  });

  describe('SecretsCredentialsStore', () => {
    it('serves the cached token until asked to refresh after a rotation', async () => {
      const connection = await new DynamoDbConnectionDirectory(fx.documents, fx.env.CONNECTIONS_TABLE, { cacheTtlMs: 0 }).get(
        fx.connectionId,
      );
      const client = new SecretsManagerClient({});
      const store = new SecretsCredentialsStore(client, 300);
      expect(await store.get(connection!.secretArn)).toEqual({ accountSid: fx.accountSid, authToken: fx.authToken });

      const rotated = randomBytes(16).toString('hex');
      await client.send(
        new PutSecretValueCommand({ SecretId: connection!.secretArn, SecretString: JSON.stringify({ accountSid: fx.accountSid, authToken: rotated }) }),
      );
      expect((await store.get(connection!.secretArn)).authToken).toBe(fx.authToken);
      expect((await store.get(connection!.secretArn, { refresh: true })).authToken).toBe(rotated);

      await client.send(
        new PutSecretValueCommand({ SecretId: connection!.secretArn, SecretString: JSON.stringify({ accountSid: fx.accountSid, authToken: fx.authToken }) }),
      );
      client.destroy();
    });
  });

  describe('SqsInboundQueue', () => {
    it('sends in the conversation group and drops a duplicate deduplication id', async () => {
      const queue = new SqsInboundQueue(fx.sqs, fx.env.INBOUND_QUEUE_URL);
      const message: InboundQueueMessage = {
        version: 1,
        kind: 'inbound.message',
        businessId: fx.businessId,
        connectionId: fx.connectionId,
        conversationId: 'cv_ADAPTERTEST',
        messageId: '01JDADAPTERTEST',
        provider: 'twilio',
        externalId: 'SMadapter',
        receivedAt: new Date().toISOString(),
        customer: { id: '+5215500000999', isPhoneNumber: true },
        content: { type: 'text', text: 'hola' },
      };
      await queue.enqueue(message, 'dedup-adapter-test');
      await queue.enqueue(message, 'dedup-adapter-test');
      const queued = await fx.drainInboundQueue();
      expect(queued).toHaveLength(1);
      expect(queued[0].Attributes?.MessageGroupId).toBe('cv_ADAPTERTEST');
      expect(JSON.parse(queued[0].Body!)).toEqual(message);
    });
  });

  describe('SqsInboundQueue.enqueueBatch', () => {
    it('sends more than one SendMessageBatch worth, in order within each conversation, once per deduplication id', async () => {
      // Prepare: 23 messages over 2 conversations, one of them sent twice.
      const queue = new SqsInboundQueue(fx.sqs, fx.env.INBOUND_QUEUE_URL);
      const entries = Array.from({ length: 23 }, (_, i) => {
        const message: InboundQueueMessage = {
          version: 1,
          kind: 'inbound.message',
          businessId: fx.businessId,
          connectionId: fx.connectionId,
          conversationId: i % 2 === 0 ? 'cv_BATCHEVEN' : 'cv_BATCHODD',
          messageId: `01JDBATCH${String(i).padStart(3, '0')}`,
          provider: 'meta',
          externalId: `wamid.batch${i}`,
          receivedAt: new Date().toISOString(),
          customer: { id: '+5215500000998', isPhoneNumber: true },
          content: { type: 'text', text: `m${i}` },
        };
        return { message, deduplicationId: `dedup-batch-${i}` };
      });

      // Act
      await queue.enqueueBatch(entries);
      await queue.enqueueBatch(entries.slice(0, 3));
      const queued = await fx.drainInboundQueue();

      // Assess
      const textsOf = (conversationId: string) =>
        queued.filter((m) => m.Attributes?.MessageGroupId === conversationId).map((m) => JSON.parse(m.Body!).content.text);
      expect(queued).toHaveLength(23);
      expect(textsOf('cv_BATCHEVEN')).toEqual(entries.filter((_, i) => i % 2 === 0).map((e) => e.message.content.text));
      expect(textsOf('cv_BATCHODD')).toEqual(entries.filter((_, i) => i % 2 === 1).map((e) => e.message.content.text));
    });
  });

  describe('DynamoDbMessageStore batches and BSP ids', () => {
    const connection = () => ({
      connectionId: fx.connectionId,
      businessId: fx.businessId,
      provider: 'meta' as const,
      status: 'active' as const,
      displayNumber: fx.number,
      secretArn: 'arn:unused',
    });
    const record = (externalId: string, customer: string, conversationId: string, messageId: string, at: Date) => ({
      connection: connection(),
      message: {
        provider: 'meta' as const,
        externalId,
        accountId: 'waba',
        to: fx.number,
        customer: { id: customer, isPhoneNumber: true },
        content: { type: 'text' as const, text: externalId },
      },
      conversationId,
      messageId,
      receivedAt: at,
      dedupeExpiresAt: new Date(at.getTime() + 86_400_000),
    });

    it('stores a batch in one transaction, and refuses a batch that carries a stored message without writing any of it', async () => {
      // Prepare
      const store = new DynamoDbMessageStore(fx.documents, {
        conversations: fx.env.CONVERSATIONS_TABLE,
        messages: fx.env.MESSAGES_TABLE,
        dedupe: fx.env.DEDUPE_TABLE,
      });
      const suffix = randomBytes(3).toString('hex');
      const at = new Date();
      const first = [
        record(`wamid.a${suffix}`, '+5215500000101', `cv_A${suffix}`, '01JDAAAAAAAAAAAAAAAAAAAAA1', at),
        record(`wamid.b${suffix}`, '+5215500000101', `cv_A${suffix}`, '01JDAAAAAAAAAAAAAAAAAAAAA2', at),
        record(`wamid.c${suffix}`, '+5215500000102', `cv_B${suffix}`, '01JDAAAAAAAAAAAAAAAAAAAAA3', at),
      ];
      const retried = [record(`wamid.d${suffix}`, '+5215500000103', `cv_C${suffix}`, '01JDAAAAAAAAAAAAAAAAAAAAA4', at), first[2]!];

      // Act
      const stored = await store.recordInboundBatch(first);
      const conflict = await store.recordInboundBatch(retried);

      // Assess
      expect(stored).toEqual({ outcome: 'stored' });
      expect(conflict).toEqual({ outcome: 'conflict' });
      expect((await fx.messagesOf(`cv_A${suffix}`)).map((m) => m.externalId)).toEqual([`wamid.a${suffix}`, `wamid.b${suffix}`]);
      expect(await fx.conversation(`cv_A${suffix}`)).toMatchObject({ lastInboundMessageId: '01JDAAAAAAAAAAAAAAAAAAAAA2', lastCustomerMessageAt: at.toISOString() });
      expect(await fx.messagesOf(`cv_C${suffix}`)).toEqual([]);
      expect(await fx.conversation(`cv_C${suffix}`)).toBeUndefined();
    });

    it("finds our key by the BSP's id once the send was accepted, and nothing for an id that is not ours", async () => {
      // Prepare
      const outbound = new DynamoDbOutboundStore(fx.documents, {
        messages: fx.env.MESSAGES_TABLE,
        dedupe: fx.env.DEDUPE_TABLE,
        conversations: fx.env.CONVERSATIONS_TABLE,
      });
      const store = new DynamoDbMessageStore(fx.documents, {
        conversations: fx.env.CONVERSATIONS_TABLE,
        messages: fx.env.MESSAGES_TABLE,
        dedupe: fx.env.DEDUPE_TABLE,
      });
      const key = { conversationId: `cv_OUT${randomBytes(3).toString('hex')}`, messageId: '01JDOUTBOUNDMAPPING0000001' };
      await fx.documents.send(
        new PutCommand({
          TableName: fx.env.MESSAGES_TABLE,
          Item: { ...key, connectionId: fx.connectionId, direction: 'outbound', provider: 'meta', sendState: 'pending', deliveryStatus: 'queued', deliveryStatusRank: 10 },
        }),
      );
      expect(await outbound.claim(key, new Date(), new Date(Date.now() + 60_000))).toBe(true);
      const wamid = `wamid.out${randomBytes(4).toString('hex')}`;

      // Act
      await outbound.markAccepted(key, wamid, 'accepted', new Date(), 'meta');

      // Assess
      expect(await store.findOutboundKey('meta', wamid)).toEqual(key);
      expect(await store.findOutboundKey('360dialog', wamid)).toBeUndefined();
      expect(await store.findOutboundKey('meta', 'wamid.not-ours')).toBeUndefined();
    });
  });

  describe('EventBridgePublisher', () => {
    it('puts events on the bus with our source and detail-type', async () => {
      // Prepare: route everything from our source to a queue we can read.
      const eventBridge = new EventBridgeClient({});
      const target = await fx.sqs.send(new CreateQueueCommand({ QueueName: `events-${randomBytes(4).toString('hex')}` }));
      const targetArn = (
        await fx.sqs.send(new GetQueueAttributesCommand({ QueueUrl: target.QueueUrl, AttributeNames: ['QueueArn'] }))
      ).Attributes!.QueueArn;
      const ruleName = `all-${randomBytes(4).toString('hex')}`;
      await eventBridge.send(
        new PutRuleCommand({ Name: ruleName, EventBusName: fx.env.EVENT_BUS_NAME, EventPattern: JSON.stringify({ source: [EVENT_SOURCE] }) }),
      );
      await eventBridge.send(
        new PutTargetsCommand({ Rule: ruleName, EventBusName: fx.env.EVENT_BUS_NAME, Targets: [{ Id: 'q', Arn: targetArn }] }),
      );

      // Act
      await new EventBridgePublisher(eventBridge, fx.env.EVENT_BUS_NAME).publish([
        {
          detailType: 'message.status',
          detail: {
            version: 1,
            businessId: 'b',
            connectionId: 'c',
            conversationId: 'cv_1',
            messageId: 'm1',
            provider: 'twilio',
            externalId: 'SM1',
            status: 'delivered',
            at: new Date().toISOString(),
          },
        },
      ]);

      // Assess
      const received = await fx.sqs.send(new ReceiveMessageCommand({ QueueUrl: target.QueueUrl, WaitTimeSeconds: 2 }));
      const envelope = JSON.parse(received.Messages![0].Body!);
      expect(envelope).toMatchObject({ source: EVENT_SOURCE, 'detail-type': 'message.status', detail: { status: 'delivered', messageId: 'm1' } });
      eventBridge.destroy();
    });
  });
});
