import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbContentCache } from '../../lambdas/adapters/dynamodb-content-cache';
import { DependencyUnavailableError } from '../../lambdas/shared/errors';
import { motoClientEnv } from '../../local/moto';
import { provisionFromTemplates } from '../../local/resources';
import { synthesizedTemplates } from '../support/templates';

jest.setTimeout(60_000);

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

describe('DynamoDbContentCache against moto', () => {
  let documents: DynamoDBDocumentClient;
  let tableName: string;

  beforeAll(async () => {
    const endpoint = process.env.MOTO_ENDPOINT;
    if (!endpoint) throw new Error('MOTO_ENDPOINT is not set: run integration tests through jest --selectProjects integration');
    Object.assign(process.env, motoClientEnv(endpoint));
    const { stateful, stateless } = synthesizedTemplates();
    const resources = await provisionFromTemplates({ stateful, stateless, endpoint, uniqueSuffix: true });
    // The table the stateful stack declares with pk `cacheKey`: found by its key, not by a name.
    const table = Object.values(resources.tables).find((candidate) => candidate.partitionKey === 'cacheKey');
    if (!table) throw new Error('the stateful stack declares no table keyed by cacheKey (contentCache)');
    tableName = table.name;
    documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  });

  afterAll(() => documents?.destroy());

  it('misses, then returns what was put, stored under accountSid#hash with createdAt', async () => {
    // Prepare
    const accountSid = `AC${hex(16)}`;
    const hash = hex(32);
    const contentSid = `HX${hex(16)}`;
    const cache = new DynamoDbContentCache(documents, tableName, { now: () => new Date('2026-03-01T12:00:00Z') });

    // Act
    const before = await cache.get(accountSid, hash);
    await cache.put(accountSid, hash, contentSid);

    // Assess
    expect(before).toBeUndefined();
    expect(await new DynamoDbContentCache(documents, tableName).get(accountSid, hash)).toBe(contentSid);
    const item = (await documents.send(new GetCommand({ TableName: tableName, Key: { cacheKey: `${accountSid}#${hash}` } }))).Item;
    expect(item).toEqual({ cacheKey: `${accountSid}#${hash}`, contentSid, createdAt: '2026-03-01T12:00:00.000Z' });
  });

  it('keeps accounts apart for the same content hash', async () => {
    // Prepare
    const hash = hex(32);
    const [a, b] = [`AC${hex(16)}`, `AC${hex(16)}`];
    const cache = new DynamoDbContentCache(documents, tableName);

    // Act
    await cache.put(a, hash, 'HXaaaa');

    // Assess
    expect(await new DynamoDbContentCache(documents, tableName).get(b, hash)).toBeUndefined();
    expect(await new DynamoDbContentCache(documents, tableName).get(a, hash)).toBe('HXaaaa');
  });

  it('lets the last of two concurrent puts win, both being valid', async () => {
    // Prepare
    const accountSid = `AC${hex(16)}`;
    const hash = hex(32);
    const first = new DynamoDbContentCache(documents, tableName);
    const second = new DynamoDbContentCache(documents, tableName);

    // Act
    await Promise.all([first.put(accountSid, hash, 'HX1111'), second.put(accountSid, hash, 'HX2222')]);

    // Assess
    expect(['HX1111', 'HX2222']).toContain(await new DynamoDbContentCache(documents, tableName).get(accountSid, hash));
  });

  it('serves a warm container from memory after the first read', async () => {
    // Prepare
    const accountSid = `AC${hex(16)}`;
    const hash = hex(32);
    await new DynamoDbContentCache(documents, tableName).put(accountSid, hash, 'HXmemo');
    const warm = new DynamoDbContentCache(documents, tableName);
    await warm.get(accountSid, hash);
    const send = jest.spyOn(documents, 'send');

    // Act
    const again = await warm.get(accountSid, hash);

    // Assess
    expect(again).toBe('HXmemo');
    expect(send).not.toHaveBeenCalled();
    send.mockRestore();
  });

  it('wraps a DynamoDB failure as DependencyUnavailableError', async () => {
    // Prepare
    const cache = new DynamoDbContentCache(documents, `missing-table-${hex(4)}`);

    // Act
    const attempt = cache.get(`AC${hex(16)}`, hex(32));

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});
