import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbWindowStore } from '../../../lambdas/adapters/dynamodb-window-store';
import { conversationIdFor } from '../../../lambdas/domain/ids';
import { outboxEntryFrom } from '../../../lambdas/domain/outbox';
import { expiryBucketOf } from '../../../lambdas/domain/window';
import { expiryQueryRange } from '../../../lambdas/domain/window-expiry';
import { shardedPartition, WINDOW_EXPIRY_SHARDS } from '../../../lambdas/domain/write-shards';
import { createWindowHandler } from '../../../lambdas/handlers/window/handler';
import { loadWindowEnv } from '../../../lambdas/handlers/window/env';
import { motoClientEnv } from '../../../local/moto';
import { provisionFromTemplates } from '../../../local/resources';
import { silentPowertools } from '../../support/fakes';
import { synthesizedTemplates } from '../../support/templates';

jest.setTimeout(180_000);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
// Enough that a scan would show (60× the expiring ones), small enough for moto, whose GSI queries
// walk the whole table: the figure that matters is the items read, whatever the table holds.
const TOTAL = 3_000;
const EXPIRING = 50;

type Item = Record<string, unknown>;

describe('window-expiry job against moto', () => {
  let env: ReturnType<typeof loadWindowEnv>;
  let documents: DynamoDBDocumentClient;

  beforeAll(async () => {
    const endpoint = process.env.MOTO_ENDPOINT as string;
    Object.assign(process.env, motoClientEnv(endpoint));
    const { stateful, stateless } = synthesizedTemplates();
    const resources = await provisionFromTemplates({ stateful, stateless, endpoint, uniqueSuffix: true });
    env = loadWindowEnv(resources.functionEnv.window);
    documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  });
  afterAll(() => {
    documents?.destroy();
  });

  async function get(conversationId: string): Promise<Item | undefined> {
    return (await documents.send(new GetCommand({ TableName: env.CONVERSATIONS_TABLE, Key: { conversationId }, ConsistentRead: true }))).Item;
  }

  /** The event a conversation's outbox entry carries (what the event relay publishes from the stream). */
  async function outboxEvent(conversationId: string): Promise<{ id: string; detailType: string; detail: Record<string, unknown> } | undefined> {
    const entry = outboxEntryFrom((await get(conversationId))?.outbox);
    return entry && { id: entry.id, detailType: entry.detailType, detail: JSON.parse(entry.detail) as Record<string, unknown> };
  }

  function conversation(id: string, expiresAt: Date, state: 'open' | 'expiring' | 'closed' = 'open'): Item {
    return {
      conversationId: conversationIdFor('conn1', id),
      businessId: 'acme',
      connectionId: 'conn1',
      lastCustomerMessageAt: new Date(expiresAt.getTime() - 24 * HOUR).toISOString(),
      windowExpiresAt: expiresAt.toISOString(),
      // As the webhook writes it (see windowAfter): the hour bucket on the conversation's write shard.
      windowExpiryBucket: shardedPartition(expiryBucketOf(expiresAt), conversationIdFor('conn1', id), WINDOW_EXPIRY_SHARDS),
      windowState: state,
    };
  }

  /** BatchWriteItem, 25 items per call, a few calls in flight. */
  async function insert(items: Item[]): Promise<void> {
    const chunks: Item[][] = [];
    for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        let requests = (chunks[next++] as Item[]).map((Item) => ({ PutRequest: { Item } }));
        while (requests.length > 0) {
          const result = await documents.send(new BatchWriteCommand({ RequestItems: { [env.CONVERSATIONS_TABLE]: requests } }));
          requests = (result.UnprocessedItems?.[env.CONVERSATIONS_TABLE] ?? []) as typeof requests;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  }

  function job(now: Date) {
    const store = new DynamoDbWindowStore(documents, env.CONVERSATIONS_TABLE);
    const handler = createWindowHandler({ store, clock: { now: () => now }, ...silentPowertools(), config: { leadMs: env.WINDOW_LEAD_MINUTES * MINUTE } });
    return { store, run: () => handler() };
  }

  it('over 3,000 conversations of which 50 expire within the lead time, reads about 50 items, flags those 50 once', async () => {
    // Prepare: 50 windows closing within the next hour; the rest close later today, or closed long
    // ago; 300 sit in the same hour buckets as the range but outside it (the key condition's job).
    const now = new Date(Math.floor(Date.now() / HOUR) * HOUR + 30 * MINUTE);
    const items: Item[] = [];
    for (let i = 0; i < EXPIRING; i++) items.push(conversation(`expiring-${i}`, new Date(now.getTime() + (i + 1) * MINUTE)));
    for (let i = 0; i < 300; i++) items.push(conversation(`edge-${i}`, new Date(now.getTime() + 61 * MINUTE + (i % 29) * MINUTE)));
    for (let i = 0; i < 1_000; i++) items.push(conversation(`old-${i}`, new Date(now.getTime() - 3 * HOUR - (i % 20) * HOUR), 'closed'));
    while (items.length < TOTAL) {
      const i = items.length;
      items.push(conversation(`later-${i}`, new Date(now.getTime() + 2 * HOUR + (i % (21 * 60)) * MINUTE)));
    }
    await insert(items);
    const first = job(now);
    // A second run at the same instant (an overlapping or repeated run) must change nothing.
    const second = job(now);

    // Act
    const firstResult = await first.run();
    const secondResult = await second.run();

    // Assess
    expect(first.store.stats.scannedCount).toBeLessThanOrEqual(EXPIRING + 5);
    expect(first.store.stats.count).toBe(EXPIRING);
    // 4 hour buckets, each in its write shards and the legacy unsuffixed partition.
    expect(first.store.stats.queries).toBeLessThanOrEqual(4 * (WINDOW_EXPIRY_SHARDS + 1));
    expect(firstResult).toEqual({ read: EXPIRING, expiring: EXPIRING, closed: 0, skipped: 0 });
    expect(secondResult).toEqual(expect.objectContaining({ expiring: 0, closed: 0 }));

    // The event rides on the mark: the flagged conversation carries it, written once (the second
    // run's failed condition left the first run's entry as it was).
    const flaggedId = conversationIdFor('conn1', 'expiring-0');
    expect(await get(flaggedId)).toEqual(expect.objectContaining({ windowState: 'expiring', expiringNotifiedFor: items[0]?.windowExpiresAt }));
    expect(await outboxEvent(flaggedId)).toEqual({
      id: `window.expiring/${flaggedId}/${items[0]?.windowExpiresAt as string}`,
      detailType: 'window.expiring',
      detail: expect.objectContaining({ conversationId: flaggedId, windowExpiresAt: items[0]?.windowExpiresAt, at: now.toISOString() }),
    });
    const untouchedId = conversationIdFor('conn1', 'edge-0');
    expect((await get(untouchedId))?.windowState).toBe('open');
    expect(await outboxEvent(untouchedId)).toBeUndefined();
  });

  it('closes passed windows (they leave the index), and a customer message that reopened a window wins', async () => {
    // Prepare: a run far in the future, so only these conversations are in its range
    const now = new Date(Date.now() + 30 * 24 * HOUR);
    const passed = conversation('passed', new Date(now.getTime() - 10 * MINUTE), 'expiring');
    const reopened = conversation('reopened', new Date(now.getTime() - 5 * MINUTE));
    await insert([passed, reopened]);
    const { store } = job(now);
    const staleReopened = (await store.candidates(expiryQueryRange(now, HOUR))).find((c) => c.conversationId === reopened.conversationId);
    // The customer writes again: the webhook moves the window forward and reopens it.
    const reopenedUntil = new Date(now.getTime() + 24 * HOUR);
    await documents.send(
      new UpdateCommand({
        TableName: env.CONVERSATIONS_TABLE,
        Key: { conversationId: reopened.conversationId },
        UpdateExpression: 'SET windowExpiresAt = :e, windowExpiryBucket = :b, windowState = :open',
        ExpressionAttributeValues: { ':e': reopenedUntil.toISOString(), ':b': expiryBucketOf(reopenedUntil), ':open': 'open' },
      }),
    );

    // Act
    const result = await job(now).run();
    const lateClose = await store.markClosed(staleReopened!, now);
    const rerun = job(now);
    const again = await rerun.run();

    // Assess
    expect(result).toEqual(expect.objectContaining({ closed: 1, expiring: 0 }));
    expect(await get(passed.conversationId as string)).toEqual(expect.objectContaining({ windowState: 'closed' }));
    expect((await get(passed.conversationId as string))?.windowExpiryBucket).toBeUndefined();
    expect(lateClose).toBe(false);
    expect(await get(reopened.conversationId as string)).toEqual(expect.objectContaining({ windowState: 'open', windowExpiresAt: reopenedUntil.toISOString() }));
    expect(again.read).toBe(0);
    expect(rerun.store.stats.scannedCount).toBe(0);
  });

  it('emits window.expiring again for a new window of the same conversation', async () => {
    // Prepare
    const now = new Date(Date.now() + 60 * 24 * HOUR);
    const first = conversation('twice', new Date(now.getTime() + 20 * MINUTE));
    await documents.send(new PutCommand({ TableName: env.CONVERSATIONS_TABLE, Item: first }));
    await job(now).run();
    const firstEvent = await outboxEvent(first.conversationId as string);
    const later = new Date(now.getTime() + 6 * HOUR);
    const nextWindow = new Date(later.getTime() + 30 * MINUTE);
    await documents.send(
      new UpdateCommand({
        TableName: env.CONVERSATIONS_TABLE,
        Key: { conversationId: first.conversationId },
        UpdateExpression: 'SET windowExpiresAt = :e, windowExpiryBucket = :b, windowState = :open',
        ExpressionAttributeValues: { ':e': nextWindow.toISOString(), ':b': expiryBucketOf(nextWindow), ':open': 'open' },
      }),
    );

    // Act
    const result = await job(later).run();

    // Assess: a new entry (new id), so the relay publishes the second window's event too.
    const secondEvent = await outboxEvent(first.conversationId as string);
    expect(firstEvent?.detail.windowExpiresAt).toBe(first.windowExpiresAt);
    expect(result.expiring).toBe(1);
    expect(secondEvent?.detail.windowExpiresAt).toBe(nextWindow.toISOString());
    expect(secondEvent?.id).not.toBe(firstEvent?.id);
  });
});
