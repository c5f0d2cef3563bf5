import { randomBytes } from 'node:crypto';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { provisionFromTemplates, type ProvisionedResources } from '../../../local/resources';
import { seedDemo } from '../../../local/seed';
import { synthesizedTemplates } from '../../support/templates';

jest.setTimeout(90_000);

describe('provisionFromTemplates (synthesized templates → moto)', () => {
  const endpoint = process.env.MOTO_ENDPOINT as string;
  const client = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const dynamodb = new DynamoDBClient(client);
  const sqs = new SQSClient(client);
  const events = new EventBridgeClient(client);
  let resources: ProvisionedResources;
  const suffix = randomBytes(4).toString('hex');

  beforeAll(async () => {
    const { stateful, stateless } = synthesizedTemplates();
    resources = await provisionFromTemplates({ stateful, stateless, endpoint, uniqueSuffix: suffix });
  });

  afterAll(() => {
    dynamodb.destroy();
    sqs.destroy();
    events.destroy();
  });

  const table = (env: string) => resources.functionEnv.webhook[env];

  it('creates the tables with the keys, indexes and TTL the template declares', async () => {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table('CONVERSATIONS_TABLE') }));
    const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: table('DEDUPE_TABLE') }));

    expect(Table?.TableName).toBe(`echo-local-${suffix}-ConversationsTableAC3D71C5`);
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'conversationId', KeyType: 'HASH' }]);
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(['byBusiness', 'byWindowExpiry']);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
  });

  it('creates FIFO queues with their timeouts, retention and redrive to the created DLQ', async () => {
    const inbound = Object.values(resources.queues).find((queue) => queue.url === table('INBOUND_QUEUE_URL'))!;
    const dlq = resources.queues[inbound.deadLetterQueue!];

    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: inbound.url, AttributeNames: ['All'] }));

    expect(Attributes).toMatchObject({
      FifoQueue: 'true',
      ContentBasedDeduplication: 'false',
      VisibilityTimeout: '180',
      MessageRetentionPeriod: '345600',
    });
    expect(JSON.parse(Attributes!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 });
  });

  it('creates the event bus the webhook publishes to', async () => {
    const bus = await events.send(new DescribeEventBusCommand({ Name: table('EVENT_BUS_NAME') }));

    expect(bus.Arn).toBe(resources.bus?.arn);
  });

  it('is idempotent: a second run finds everything, and a second seed keeps createdAt', async () => {
    const { stateful, stateless } = synthesizedTemplates();
    const seed = {
      endpoint,
      region: 'us-east-1',
      connectionsTable: table('CONNECTIONS_TABLE'),
      accountSid: `AC${'1'.repeat(32)}`,
      authToken: '2'.repeat(32),
      whatsappNumber: '+14155238886',
      secretPrefix: `echo-test-${suffix}`,
    };
    const first = await seedDemo({ ...seed, now: () => new Date('2026-01-01T00:00:00Z') });

    const again = await provisionFromTemplates({ stateful, stateless, endpoint, uniqueSuffix: suffix });
    const second = await seedDemo({ ...seed, whatsappNumber: '+14155230000', now: () => new Date('2026-02-01T00:00:00Z') });

    expect(again.functionEnv.webhook).toEqual(resources.functionEnv.webhook);
    expect(second.secretArn).toBe(first.secretArn);
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: seed.connectionsTable, Key: { connectionId: { S: 'demo' } } }));
    expect(unmarshall(Item!)).toMatchObject({
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-02-01T00:00:00.000Z',
      displayNumber: '+14155230000',
    });
  });
});
