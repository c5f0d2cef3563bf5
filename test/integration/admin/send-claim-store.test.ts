import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbSendClaimStore } from '../../../lambdas/adapters/dynamodb-send-claim-store';
import { adminSendClaimKey } from '../../../lambdas/domain/admin/conversations';
import { newMessageId } from '../../../lambdas/domain/ids';
import { createAdminFixture, type AdminFixture } from './admin-fixture';

jest.setTimeout(60_000);

describe('DynamoDbSendClaimStore against moto (the dedupe table)', () => {
  let fx: AdminFixture;
  let store: DynamoDbSendClaimStore;
  beforeAll(async () => {
    fx = await createAdminFixture();
    store = new DynamoDbSendClaimStore(fx.documents, fx.env.DEDUPE_TABLE);
  });
  afterAll(async () => fx?.close());

  const key = () => adminSendClaimKey(`biz-${randomBytes(4).toString('hex')}`, `reply-${randomBytes(4).toString('hex')}`);
  const expiresAt = new Date('2026-12-11T10:00:00.000Z');

  it('uses the same dedupe table as the send Lambda', () => {
    expect(fx.env.DEDUPE_TABLE).toBe(fx.resources.functionEnv.send.DEDUPE_TABLE);
  });

  it('claims a new key: one item with the message id, conversation and TTL', async () => {
    const dedupeKey = key();
    const claim = { messageId: newMessageId(new Date()), conversationId: 'cv_A' };

    const result = await store.claim(dedupeKey, claim, expiresAt);

    expect(result).toEqual({ claim, created: true });
    const item = (await fx.documents.send(new GetCommand({ TableName: fx.env.DEDUPE_TABLE, Key: { dedupeKey }, ConsistentRead: true }))).Item;
    expect(item).toEqual({ dedupeKey, ...claim, expiresAt: Math.floor(expiresAt.getTime() / 1000) });
  });

  it('a second claim of the key returns the first one and changes nothing', async () => {
    const dedupeKey = key();
    const first = { messageId: newMessageId(new Date()), conversationId: 'cv_A' };
    await store.claim(dedupeKey, first, expiresAt);

    const second = await store.claim(dedupeKey, { messageId: newMessageId(new Date()), conversationId: 'cv_B' }, new Date(expiresAt.getTime() + 86_400_000));

    expect(second).toEqual({ claim: first, created: false });
    const item = (await fx.documents.send(new GetCommand({ TableName: fx.env.DEDUPE_TABLE, Key: { dedupeKey }, ConsistentRead: true }))).Item;
    expect(item).toEqual({ dedupeKey, ...first, expiresAt: Math.floor(expiresAt.getTime() / 1000) });
  });

  it('of concurrent claims of one key exactly one wins, and all of them answer its message id', async () => {
    const dedupeKey = key();
    const candidates = Array.from({ length: 8 }, () => ({ messageId: newMessageId(new Date()), conversationId: 'cv_A' }));

    const results = await Promise.all(candidates.map((claim) => store.claim(dedupeKey, claim, expiresAt)));

    const winners = results.filter((r) => r.created);
    expect(winners).toHaveLength(1);
    expect(new Set(results.map((r) => r.claim.messageId))).toEqual(new Set([winners[0].claim.messageId]));
    const item = (await fx.documents.send(new GetCommand({ TableName: fx.env.DEDUPE_TABLE, Key: { dedupeKey }, ConsistentRead: true }))).Item;
    expect(item?.messageId).toBe(winners[0].claim.messageId);
  });

  it("refuses to read another writer's item under the key as a claim", async () => {
    const dedupeKey = key();
    await fx.documents.send(new PutCommand({ TableName: fx.env.DEDUPE_TABLE, Item: { dedupeKey, something: 'else' } }));
    await expect(store.claim(dedupeKey, { messageId: newMessageId(new Date()), conversationId: 'cv_A' }, expiresAt)).rejects.toThrow(/not an admin send claim/);
  });
});
