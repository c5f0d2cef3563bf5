import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConnectionActivity } from '../../../lambdas/adapters/dynamodb-connection-activity';
import { DynamoDbConnectionAttention } from '../../../lambdas/adapters/dynamodb-connection-attention';
import { checkConnectionHealth, DEFAULT_QUIET_RULES } from '../../../lambdas/domain/connection-health';
import { motoClientEnv } from '../../../local/moto';

jest.setTimeout(30_000);

/** One connections table of its own (the attributes these adapters read and write; keyed like the real one). */
describe('connection attention and health adapters against moto', () => {
  const table = `connections-ops-${randomBytes(4).toString('hex')}`;
  let client: DynamoDBClient;
  let documents: DynamoDBDocumentClient;

  beforeAll(async () => {
    const endpoint = process.env.MOTO_ENDPOINT;
    if (!endpoint) throw new Error('MOTO_ENDPOINT is not set: run integration tests through jest --selectProjects integration');
    Object.assign(process.env, motoClientEnv(endpoint));
    client = new DynamoDBClient({});
    documents = DynamoDBDocumentClient.from(client);
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'connectionId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'connectionId', KeyType: 'HASH' }],
      }),
    );
    const connection = (connectionId: string, status: string, extra: Record<string, unknown> = {}) =>
      documents.send(new PutCommand({ TableName: table, Item: { connectionId, businessId: `b-${connectionId}`, provider: 'twilio', status, secretArn: 'arn', verified: true, ...extra } }));
    await connection('c-active', 'active');
    await connection('c-disabled', 'disabled');
    await connection('c-quiet', 'active', { lastInboundAt: '2026-03-04T01:00:00.000Z', inboundDays: ['2026-03-01', '2026-03-02', '2026-03-03'] });
    // A business's pointer item: no status, never a connection.
    await documents.send(new PutCommand({ TableName: table, Item: { connectionId: 'business#b1', currentConnectionId: 'c-active' } }));
  });
  afterAll(async () => {
    await client?.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  });

  it('marks an active connection once, returns its verified flag, and never marks a disabled or unknown one', async () => {
    // Prepare
    const attention = new DynamoDbConnectionAttention(documents, table);
    const marker = { reason: 'credentials-rejected' as const, code: '20003', at: '2026-03-04T09:00:00.000Z' };

    // Act
    const first = await attention.markNeedsAttention('c-active', marker);
    const second = await attention.markNeedsAttention('c-active', { ...marker, code: '190' });
    const disabled = await attention.markNeedsAttention('c-disabled', marker);
    const unknown = await attention.markNeedsAttention('c-ghost', marker);

    // Assess
    expect([first, second, disabled, unknown]).toEqual([{ verified: true }, undefined, undefined, undefined]);
    const item = (await documents.send(new GetCommand({ TableName: table, Key: { connectionId: 'c-active' } }))).Item;
    expect(item?.attention).toEqual(marker);
    expect((await documents.send(new GetCommand({ TableName: table, Key: { connectionId: 'c-ghost' } }))).Item).toBeUndefined();
  });

  it('lists only active connections, records the new inbound day and reports the quiet one', async () => {
    // Prepare
    const store = new DynamoDbConnectionActivity(documents, table);

    // Act
    const result = await checkConnectionHealth({ store, clock: { now: () => new Date('2026-03-04T09:00:00Z') }, rules: DEFAULT_QUIET_RULES });

    // Assess
    expect(result.checked).toBe(2);
    expect(result.quiet.map((connection) => connection.connectionId)).toEqual(['c-quiet']);
    const item = (await documents.send(new GetCommand({ TableName: table, Key: { connectionId: 'c-quiet' } }))).Item;
    expect(item?.inboundDays).toEqual(['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04']);
  });
});
