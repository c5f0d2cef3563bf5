import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbMessageStore } from '../../../lambdas/adapters/dynamodb-message-store';
import { DynamoDbOutboundStore, outcomePendingOf } from '../../../lambdas/adapters/dynamodb-outbound-store';
import { outcomeUnknownEvent } from '../../../lambdas/domain/outbound/expire-outcomes';
import { EventBridgeOutboxPublisher } from '../../../lambdas/adapters/eventbridge-outbox-publisher';
import { EVENT_SOURCE, type DomainEvent } from '../../../lambdas/domain/events';
import { createEventRelayHandler } from '../../../lambdas/handlers/event-relay/handler';
import { motoClientEnv } from '../../../local/moto';
import { provisionFromTemplates, type ProvisionedResources } from '../../../local/resources';
import { createStreamPoller, type StreamPoller } from '../../../local/stream-poller';
import { silentPowertools } from '../../support/fakes';
import { synthesizedTemplates } from '../../support/templates';

jest.setTimeout(60_000);

/**
 * The outbox end to end against moto: a store write that carries an event → the messages table's
 * stream → the event relay (run by the local stream poller with the template's mapping) → the bus →
 * a queue subscribed by a rule, which is what another Echo service would see.
 */
describe('outbox: events from committed state', () => {
  let resources: ProvisionedResources;
  let documents: DynamoDBDocumentClient;
  let eventBridge: EventBridgeClient;
  let sqs: SQSClient;
  let poller: StreamPoller;
  let observed: string;

  beforeAll(async () => {
    const endpoint = process.env.MOTO_ENDPOINT as string;
    Object.assign(process.env, motoClientEnv(endpoint));
    const { stateful, stateless } = synthesizedTemplates();
    resources = await provisionFromTemplates({ stateful, stateless, endpoint, uniqueSuffix: true });
    documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
    eventBridge = new EventBridgeClient({});
    sqs = new SQSClient({});
    const busName = resources.functionEnv['event-relay']!.EVENT_BUS_NAME!;
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: `outbox-${randomBytes(4).toString('hex')}` }));
    observed = queue.QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: observed, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
    const rule = `outbox-${randomBytes(4).toString('hex')}`;
    await eventBridge.send(new PutRuleCommand({ Name: rule, EventBusName: busName, EventPattern: JSON.stringify({ source: [EVENT_SOURCE] }) }));
    await eventBridge.send(new PutTargetsCommand({ Rule: rule, EventBusName: busName, Targets: [{ Id: 'q', Arn: queueArn }] }));

    // The relay's mapping on the messages table, as the template declares it.
    const messagesTable = Object.values(resources.tables).find((table) => table.name === resources.functionEnv.webhook!.MESSAGES_TABLE)!;
    const source = resources.streamSources.find((candidate) => candidate.tableLogicalId === messagesTable.logicalId)!;
    poller = createStreamPoller({
      endpoint,
      region: resources.region,
      streamArn: source.streamArn,
      batchSize: source.batchSize,
      filterPatterns: source.filterPatterns,
      handler: createEventRelayHandler({ publisher: new EventBridgeOutboxPublisher(eventBridge, busName), ...silentPowertools() }),
    });
    await poller.open();
  });

  afterAll(() => {
    documents?.destroy();
    eventBridge?.destroy();
    sqs?.destroy();
  });

  async function drain(): Promise<Array<{ 'detail-type': string; detail: Record<string, unknown> }>> {
    const received: Array<{ 'detail-type': string; detail: Record<string, unknown> }> = [];
    for (;;) {
      const page = await sqs.send(new ReceiveMessageCommand({ QueueUrl: observed, MaxNumberOfMessages: 10, WaitTimeSeconds: received.length === 0 ? 1 : 0 }));
      if (!page.Messages?.length) return received;
      received.push(...page.Messages.map((message) => JSON.parse(message.Body!)));
    }
  }

  it('publishes the status event of an update that applied, once, and nothing for writes that carry none', async () => {
    // Prepare: an outbound message the BSP accepted.
    const messages = resources.functionEnv.webhook!.MESSAGES_TABLE!;
    const key = { conversationId: `cv_${randomBytes(4).toString('hex')}`, messageId: `msg_${randomBytes(4).toString('hex')}` };
    await documents.send(new PutCommand({ TableName: messages, Item: { ...key, connectionId: 'conn1', direction: 'outbound', externalId: 'SM1', deliveryStatus: 'queued', deliveryStatusRank: 1 } }));
    const store = new DynamoDbMessageStore(documents, { messages, conversations: '', dedupe: '' });
    const change = (status: 'delivered' | 'sent') => {
      const event: DomainEvent = {
        detailType: 'message.status',
        detail: { version: 1, connectionId: 'conn1', ...key, provider: 'twilio', externalId: 'SM1', status, at: new Date().toISOString() },
      };
      return { ...key, connectionId: 'conn1', provider: 'twilio' as const, externalId: 'SM1', status, providerStatus: status, at: new Date(), event };
    };

    // Act: delivered applies; a late `sent` is stale (no write); an unrelated write leaves the outbox alone.
    const delivered = await store.applyStatus(change('delivered'));
    const late = await store.applyStatus(change('sent'));
    await documents.send(new UpdateCommand({ TableName: messages, Key: key, UpdateExpression: 'SET pricingNote = :n', ExpressionAttributeValues: { ':n': 'x' } }));
    const polled = await poller.pollOnce();

    // Assess
    expect([delivered.outcome, late.outcome]).toEqual(['applied', 'stale']);
    expect(polled.failed).toBe(0);
    const events = await drain();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      'detail-type': 'message.status',
      detail: { ...key, status: 'delivered', eventId: `message.status/${key.messageId}/delivered` },
    });
  });

  it("publishes the watchdog's send.failed, written by the update that fails the message, with the message's metadata", async () => {
    // Prepare: a send whose outcome stayed unknown past its deadline.
    const messages = resources.functionEnv.webhook!.MESSAGES_TABLE!;
    const key = { conversationId: `cv_${randomBytes(4).toString('hex')}`, messageId: `msg_${randomBytes(4).toString('hex')}` };
    await documents.send(
      new PutCommand({
        TableName: messages,
        Item: {
          ...key, direction: 'outbound', businessId: 'b1', connectionId: 'conn1', idempotencyKey: 'k1', sendState: 'sending',
          deliveryStatus: 'queued', deliveryStatusRank: 1, content: { type: 'text', text: 'x' }, metadata: { ticket: '9' },
          outcomePending: outcomePendingOf(key), outcomeDeadline: '2026-01-01T00:00:00.000Z',
        },
      }),
    );
    const store = new DynamoDbOutboundStore(documents, { messages, dedupe: '', conversations: '' });
    const at = new Date();

    // Act
    const expired = await store.expire(key, at, (item) => outcomeUnknownEvent(item, at));
    await poller.pollOnce();

    // Assess
    expect(expired?.sendState).toBe('failed');
    expect(await drain()).toEqual([
      expect.objectContaining({
        'detail-type': 'send.failed',
        detail: expect.objectContaining({ ...key, reason: 'outcome-unknown', idempotencyKey: 'k1', metadata: { ticket: '9' }, eventId: `send.failed/${key.messageId}` }),
      }),
    ]);
  });
});
