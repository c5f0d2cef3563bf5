import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConnectionActivity } from '../../../lambdas/adapters/dynamodb-connection-activity';
import { DynamoDbConnectionAttention } from '../../../lambdas/adapters/dynamodb-connection-attention';
import { needsAttentionEvent } from '../../../lambdas/domain/connection-attention';
import { checkConnectionHealth, DEFAULT_QUIET_RULES } from '../../../lambdas/domain/connection-health';
import { outboxEntryFrom } from '../../../lambdas/domain/outbox';
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

  it('marks an active connection once with its connection.changed as the outbox entry, and never marks a disabled or unknown one', async () => {
    // Prepare
    const attention = new DynamoDbConnectionAttention(documents, table);
    const marker = { reason: 'credentials-rejected' as const, code: '20003', at: '2026-03-04T09:00:00.000Z' };
    const eventFor = (connectionId: string) => (verified: boolean) =>
      needsAttentionEvent({ connectionId, businessId: `b-${connectionId}`, provider: 'twilio', status: 'active' }, marker, verified, new Date(marker.at));

    // Act
    const first = await attention.markNeedsAttention('c-active', marker, undefined, eventFor('c-active'));
    const second = await attention.markNeedsAttention('c-active', { ...marker, code: '190' }, undefined, eventFor('c-active'));
    const disabled = await attention.markNeedsAttention('c-disabled', marker, undefined, eventFor('c-disabled'));
    const unknown = await attention.markNeedsAttention('c-ghost', marker, undefined, eventFor('c-ghost'));

    // Assess
    expect([first, second, disabled, unknown]).toEqual([{ verified: true }, undefined, undefined, undefined]);
    const get = async (connectionId: string) => (await documents.send(new GetCommand({ TableName: table, Key: { connectionId }, ConsistentRead: true }))).Item;
    const item = await get('c-active');
    expect(item?.attention).toEqual(marker);
    // Written by the first (applied) mark only: the second's refused write left it as it was.
    expect(JSON.parse(outboxEntryFrom(item?.outbox)!.detail)).toEqual(expect.objectContaining({ change: 'needs-attention', verified: true, attention: { reason: 'credentials-rejected', code: '20003' } }));
    expect((await get('c-disabled'))?.outbox).toBeUndefined();
    expect(await get('c-ghost')).toBeUndefined();
  });

  it('announces an unverified connection as unverified: the write assumed verified, was refused for that alone, and is made again', async () => {
    // Prepare
    await documents.send(new PutCommand({ TableName: table, Item: { connectionId: 'c-unverified', businessId: 'b-u', provider: 'twilio', status: 'active', secretArn: 'arn', verified: false } }));
    const attention = new DynamoDbConnectionAttention(documents, table);
    const marker = { reason: 'credentials-rejected' as const, code: '190', at: '2026-03-04T09:00:00.000Z' };

    // Act
    const marked = await attention.markNeedsAttention('c-unverified', marker, undefined, (verified) =>
      needsAttentionEvent({ connectionId: 'c-unverified', businessId: 'b-u', provider: 'twilio', status: 'active' }, marker, verified, new Date(marker.at)),
    );

    // Assess
    const item = (await documents.send(new GetCommand({ TableName: table, Key: { connectionId: 'c-unverified' }, ConsistentRead: true }))).Item;
    await documents.send(new DeleteCommand({ TableName: table, Key: { connectionId: 'c-unverified' } }));
    expect(marked).toEqual({ verified: false });
    expect(item?.attention).toEqual(marker);
    expect(JSON.parse(outboxEntryFrom(item?.outbox)!.detail)).toEqual(expect.objectContaining({ change: 'needs-attention', verified: false }));
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
