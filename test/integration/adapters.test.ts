import { randomBytes } from 'node:crypto';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConnectionDirectory } from '../../lambdas/adapters/dynamodb-connection-directory';
import { EventBridgePublisher } from '../../lambdas/adapters/eventbridge-publisher';
import { SecretsCredentialsStore } from '../../lambdas/adapters/secrets-credentials-store';
import { SqsInboundQueue } from '../../lambdas/adapters/sqs-inbound-queue';
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
