import { randomBytes } from 'node:crypto';
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAdminConnectionStore } from '../../../lambdas/adapters/dynamodb-admin-connection-store';
import { DynamoDbConversationLister, DynamoDbMessageLister } from '../../../lambdas/adapters/dynamodb-admin-readers';
import { DynamoDbAuditLog } from '../../../lambdas/adapters/dynamodb-audit-log';
import { DynamoDbConnectionDirectory } from '../../../lambdas/adapters/dynamodb-connection-directory';
import { DynamoDbOutboundStore } from '../../../lambdas/adapters/dynamodb-outbound-store';
import { SecretsManagerSecretWriter } from '../../../lambdas/adapters/secrets-manager-secret-writer';
import { auditRecord } from '../../../lambdas/domain/admin/audit';
import { NumberInUseError } from '../../../lambdas/domain/admin/errors';
import type { ConnectionFields } from '../../../lambdas/domain/admin/ports';
import { conversationIdFor, newConnectionId, newMessageId } from '../../../lambdas/domain/ids';
import { seedDemo } from '../../../local/seed';
import { createAdminFixture, type AdminFixture } from './admin-fixture';

jest.setTimeout(60_000);

describe('admin adapters against moto', () => {
  let fx: AdminFixture;
  beforeAll(async () => {
    fx = await createAdminFixture();
  });
  afterAll(async () => fx?.close());

  const rawItem = async (connectionId: string) =>
    (await fx.documents.send(new GetCommand({ TableName: fx.env.CONNECTIONS_TABLE, Key: { connectionId }, ConsistentRead: true }))).Item;

  /** A number no other test uses: a number is held by one business at a time, and moto's tables outlive a test. */
  const freshNumber = () => `+52155${String(randomBytes(4).readUInt32BE() % 100_000_000).padStart(8, '0')}`;

  const fieldsFor = (businessId: string, connectionId: string, number = freshNumber()): ConnectionFields => ({
    connectionId,
    businessId,
    provider: 'twilio',
    displayNumber: number,
    providerNumberId: number,
    providerAccountId: `AC${'1'.repeat(32)}`,
    accountSid: `AC${'1'.repeat(32)}`,
    secretArn: 'arn:secret',
    secretLast4: { authToken: 'abcd' },
    credentialsUpdatedAt: new Date().toISOString(),
  });

  describe('SecretsManagerSecretWriter', () => {
    it('creates with the KMS key, rotates with a new version, schedules deletion, and restores on a later write', async () => {
      const writer = new SecretsManagerSecretWriter(fx.secrets, fx.kmsKeyId);
      const name = `${fx.env.SECRET_NAME_PREFIX}/connections/${newConnectionId()}`;

      const created = await writer.put(name, JSON.stringify({ accountSid: 'AC1', authToken: 'one' }));
      const rotated = await writer.put(name, JSON.stringify({ accountSid: 'AC1', authToken: 'two' }));

      expect(rotated.arn).toBe(created.arn);
      const described = await fx.secrets.send(new DescribeSecretCommand({ SecretId: created.arn }));
      expect(described.KmsKeyId).toBe(fx.kmsKeyId);
      expect(Object.keys(described.VersionIdsToStages ?? {})).toHaveLength(2);
      expect(JSON.parse((await fx.secrets.send(new GetSecretValueCommand({ SecretId: created.arn }))).SecretString!).authToken).toBe('two');

      await writer.scheduleDeletion(created.arn, 7);
      await writer.scheduleDeletion(created.arn, 7);
      expect((await fx.secrets.send(new DescribeSecretCommand({ SecretId: created.arn }))).DeletedDate).toBeInstanceOf(Date);

      await writer.put(name, JSON.stringify({ accountSid: 'AC1', authToken: 'three' }));
      expect((await fx.secrets.send(new DescribeSecretCommand({ SecretId: created.arn }))).DeletedDate).toBeUndefined();
      expect(JSON.parse((await fx.secrets.send(new GetSecretValueCommand({ SecretId: created.arn }))).SecretString!).authToken).toBe('three');

      await writer.scheduleDeletion(`${fx.env.SECRET_NAME_PREFIX}/connections/never-existed`, 7);
    });
  });

  describe('DynamoDbAdminConnectionStore', () => {
    it('claims once per business under concurrency, saves only while current, disables atomically', async () => {
      const store = new DynamoDbAdminConnectionStore(fx.documents, fx.env.CONNECTIONS_TABLE);
      const businessId = `biz-${randomBytes(4).toString('hex')}`;

      const claims = await Promise.all(Array.from({ length: 5 }, () => store.claim(businessId, newConnectionId())));
      const winner = claims.find((c) => c.created)!.connectionId;
      expect(claims.filter((c) => c.created)).toHaveLength(1);
      expect(new Set(claims.map((c) => c.connectionId))).toEqual(new Set([winner]));
      expect(await store.current(businessId)).toBeUndefined();

      const saved = await store.save(fieldsFor(businessId, winner), new Date());
      expect(saved).toEqual(expect.objectContaining({ connectionId: winner, businessId, status: 'active', verified: false, secretLast4: { authToken: 'abcd' } }));
      expect(await store.current(businessId)).toEqual(saved);
      // The item reads as a connection to the webhook's directory; the pointer does not.
      expect(await new DynamoDbConnectionDirectory(fx.documents, fx.env.CONNECTIONS_TABLE, { cacheTtlMs: 0 }).get(winner)).toEqual(
        expect.objectContaining({ connectionId: winner, status: 'active' }),
      );
      expect(await new DynamoDbConnectionDirectory(fx.documents, fx.env.CONNECTIONS_TABLE, { cacheTtlMs: 0 }).get(DynamoDbAdminConnectionStore.pointerKey(businessId))).toBeUndefined();
      expect(await new DynamoDbOutboundStore(fx.documents, { messages: 'x', dedupe: 'x', conversations: 'x', connections: fx.env.CONNECTIONS_TABLE }).listByBusiness(businessId)).toEqual([
        expect.objectContaining({ connectionId: winner }),
      ]);

      const lastTest = { at: new Date().toISOString(), ok: true, steps: [{ id: 'credentials' as const, ok: true, detail: 'ok' }] };
      expect(await store.recordTest(winner, 'stale', { verified: true, lastTest }, new Date())).toBe(false);
      expect(await store.recordTest(winner, saved!.credentialsUpdatedAt, { verified: true, lastTest }, new Date())).toBe(true);
      expect(await store.current(businessId)).toEqual(expect.objectContaining({ verified: true, lastTest }));

      expect(await store.disable(businessId, 'cn_other', new Date())).toBe(false);
      expect(await store.disable(businessId, winner, new Date())).toBe(true);
      expect(await store.disable(businessId, winner, new Date())).toBe(false);
      expect(await store.current(businessId)).toBeUndefined();
      const item = (await fx.documents.send(new GetCommand({ TableName: fx.env.CONNECTIONS_TABLE, Key: { connectionId: winner }, ConsistentRead: true }))).Item;
      expect(item).toEqual(expect.objectContaining({ status: 'disabled', verified: false }));
      // Saving the disabled connection again is refused: it is no longer current.
      expect(await store.save(fieldsFor(businessId, winner), new Date())).toBeUndefined();
      expect(await store.recordTest(winner, saved!.credentialsUpdatedAt, { verified: true, lastTest }, new Date())).toBe(false);
    });

    it('two businesses racing for one number: exactly one wins, and the claim names it', async () => {
      // Prepare
      const store = new DynamoDbAdminConnectionStore(fx.documents, fx.env.CONNECTIONS_TABLE);
      const number = freshNumber();
      const rivals = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const businessId = `biz-${randomBytes(4).toString('hex')}`;
          return { businessId, connectionId: (await store.claim(businessId, newConnectionId())).connectionId };
        }),
      );

      // Act
      const outcomes = await Promise.allSettled(rivals.map((r) => store.save(fieldsFor(r.businessId, r.connectionId, number), new Date())));

      // Assess
      const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' && o.value ? [rivals[i]] : []));
      expect(won).toHaveLength(1);
      for (const outcome of outcomes.filter((o) => o.status === 'rejected')) expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(NumberInUseError);
      expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(3);
      expect(await store.findByProviderNumber('twilio', number)).toEqual(expect.objectContaining({ connectionId: won[0].connectionId, businessId: won[0].businessId }));
      const claim = await rawItem(DynamoDbAdminConnectionStore.numberClaimKey('twilio', number));
      expect(claim).toEqual(expect.objectContaining({ claimBusinessId: won[0].businessId, claimConnectionId: won[0].connectionId }));
      // The claim is no connection to the webhook's readers, and in no index.
      expect(claim).not.toHaveProperty('businessId');
      expect(claim).not.toHaveProperty('providerNumberId');
      expect(await new DynamoDbConnectionDirectory(fx.documents, fx.env.CONNECTIONS_TABLE, { cacheTtlMs: 0 }).get(DynamoDbAdminConnectionStore.numberClaimKey('twilio', number))).toBeUndefined();
      for (const lost of rivals.filter((r) => r !== won[0])) expect(await rawItem(lost.connectionId)).toBeUndefined();
    });

    it("lets every business save Twilio's shared sandbox number, claiming it for none", async () => {
      // Prepare
      const store = new DynamoDbAdminConnectionStore(fx.documents, fx.env.CONNECTIONS_TABLE);
      const sandbox = '+14155238886';
      const businesses = await Promise.all(
        Array.from({ length: 2 }, async () => {
          const businessId = `biz-${randomBytes(4).toString('hex')}`;
          return { businessId, connectionId: (await store.claim(businessId, newConnectionId())).connectionId };
        }),
      );

      // Act
      const saved = await Promise.all(businesses.map((b) => store.save(fieldsFor(b.businessId, b.connectionId, sandbox), new Date())));

      // Assess
      expect(saved.map((connection) => connection?.connectionId)).toEqual(businesses.map((b) => b.connectionId));
      expect(await rawItem(DynamoDbAdminConnectionStore.numberClaimKey('twilio', sandbox))).toBeUndefined();
      expect(await store.findByProviderNumber('twilio', sandbox)).toBeUndefined();
    });

    it('releases the number on disable, and the old number when a re-save moves to another', async () => {
      // Prepare
      const store = new DynamoDbAdminConnectionStore(fx.documents, fx.env.CONNECTIONS_TABLE);
      const [first, second] = [freshNumber(), freshNumber()];
      const businessId = `biz-${randomBytes(4).toString('hex')}`;
      const { connectionId } = await store.claim(businessId, newConnectionId());
      await store.save(fieldsFor(businessId, connectionId, first), new Date());
      await store.save(fieldsFor(businessId, connectionId, first), new Date());

      // Act
      const moved = await store.save(fieldsFor(businessId, connectionId, second), new Date());

      // Assess
      expect(moved).toEqual(expect.objectContaining({ displayNumber: second, providerNumberId: second }));
      expect(await rawItem(DynamoDbAdminConnectionStore.numberClaimKey('twilio', first))).toBeUndefined();
      expect(await store.findByProviderNumber('twilio', second)).toEqual(expect.objectContaining({ connectionId }));
      const other = `biz-${randomBytes(4).toString('hex')}`;
      const otherId = (await store.claim(other, newConnectionId())).connectionId;
      expect(await store.save(fieldsFor(other, otherId, first), new Date())).toEqual(expect.objectContaining({ businessId: other }));

      // Act: disable
      expect(await store.disable(businessId, connectionId, new Date())).toBe(true);

      // Assess
      expect(await rawItem(DynamoDbAdminConnectionStore.numberClaimKey('twilio', second))).toBeUndefined();
      expect(await store.findByProviderNumber('twilio', second)).toBeUndefined();
      const third = `biz-${randomBytes(4).toString('hex')}`;
      const thirdId = (await store.claim(third, newConnectionId())).connectionId;
      expect(await store.save(fieldsFor(third, thirdId, second), new Date())).toEqual(expect.objectContaining({ businessId: third }));
    });

    it('concurrent re-saves of one connection with two new numbers leave exactly the claim of the number it ends with', async () => {
      // Prepare
      const store = new DynamoDbAdminConnectionStore(fx.documents, fx.env.CONNECTIONS_TABLE);
      const numbers = [freshNumber(), freshNumber(), freshNumber()];
      const businessId = `biz-${randomBytes(4).toString('hex')}`;
      const { connectionId } = await store.claim(businessId, newConnectionId());
      await store.save(fieldsFor(businessId, connectionId, numbers[0]), new Date());

      // Act
      await Promise.all([numbers[1], numbers[2]].map((number) => store.save(fieldsFor(businessId, connectionId, number), new Date())));

      // Assess
      const final = (await store.current(businessId))!;
      const claimed = [];
      for (const number of numbers) if (await rawItem(DynamoDbAdminConnectionStore.numberClaimKey('twilio', number))) claimed.push(number);
      expect(claimed).toEqual([final.providerNumberId]);
    });

    it('keeps a Meta connection without a number until a test records one; the test never overwrites a number', async () => {
      // Prepare
      const store = new DynamoDbAdminConnectionStore(fx.documents, fx.env.CONNECTIONS_TABLE);
      const businessId = `biz-${randomBytes(4).toString('hex')}`;
      const { connectionId } = await store.claim(businessId, newConnectionId());
      const phoneNumberId = String(100_000_000_000_000 + randomBytes(4).readUInt32BE());
      const saved = (await store.save(
        {
          connectionId, businessId, provider: 'meta', providerNumberId: phoneNumberId, providerAccountId: '102290129340398',
          verifyToken: 'v'.repeat(32), secretArn: 'arn:secret', secretLast4: { accessToken: 'Zk9Q', appSecret: 'c4d2' },
          credentialsUpdatedAt: new Date().toISOString(),
        },
        new Date(),
      ))!;
      expect(saved.displayNumber).toBeUndefined();
      expect(await store.findByProviderNumber('meta', phoneNumberId)).toEqual(expect.objectContaining({ connectionId, verifyToken: 'v'.repeat(32) }));

      // Act
      const lastTest = { at: new Date().toISOString(), ok: true, steps: [] };
      const facts = { verifiedName: 'Acme', qualityRating: 'GREEN' };
      await store.recordTest(connectionId, saved.credentialsUpdatedAt, { verified: true, lastTest, facts, displayNumber: '+5215512345678' }, new Date());
      await store.recordTest(connectionId, saved.credentialsUpdatedAt, { verified: true, lastTest, displayNumber: '+5215599999999' }, new Date());
      const setup = { at: new Date().toISOString(), ok: false, code: '401', detail: 'Invalid api_key' };
      expect(await store.recordSetup(connectionId, 'stale', setup, new Date())).toBe(false);
      expect(await store.recordSetup(connectionId, saved.credentialsUpdatedAt, setup, new Date())).toBe(true);

      // Assess
      expect(await store.current(businessId)).toEqual(
        expect.objectContaining({ provider: 'meta', displayNumber: '+5215512345678', facts, setup, secretLast4: { accessToken: 'Zk9Q', appSecret: 'c4d2' } }),
      );
      // A re-save drops what judged the old credentials.
      const resaved = await store.save(
        { ...fieldsFor(businessId, connectionId), provider: 'meta', providerNumberId: phoneNumberId, displayNumber: '+5215512345678', accountSid: undefined },
        new Date(),
      );
      expect(resaved).not.toHaveProperty('facts');
      expect(resaved).not.toHaveProperty('setup');
      expect(resaved).not.toHaveProperty('accountSid');
    });

    it('reads items written before secretLast4 (authTokenLast4, accountSid)', async () => {
      const store = new DynamoDbAdminConnectionStore(fx.documents, fx.env.CONNECTIONS_TABLE);
      const connectionId = `legacy${randomBytes(4).toString('hex')}`;
      await fx.documents.send(
        new PutCommand({
          TableName: fx.env.CONNECTIONS_TABLE,
          Item: {
            connectionId, businessId: `biz-${connectionId}`, provider: 'twilio', status: 'active', displayNumber: '+5215512345678',
            accountSid: `AC${'9'.repeat(32)}`, secretArn: 'arn:secret', authTokenLast4: '7f3e', updatedAt: '2026-01-01T00:00:00.000Z',
          },
        }),
      );
      expect(await store.current(`biz-${connectionId}`)).toEqual(
        expect.objectContaining({ secretLast4: { authToken: '7f3e' }, providerAccountId: `AC${'9'.repeat(32)}`, providerNumberId: '+5215512345678' }),
      );
    });

    it('adopts a connection written without a pointer (the local seed)', async () => {
      const store = new DynamoDbAdminConnectionStore(fx.documents, fx.env.CONNECTIONS_TABLE);
      const businessId = `biz-${randomBytes(4).toString('hex')}`;
      const connectionId = `seeded${randomBytes(4).toString('hex')}`;
      await seedDemo({
        endpoint: process.env.MOTO_ENDPOINT!,
        region: fx.resources.region,
        connectionsTable: fx.env.CONNECTIONS_TABLE,
        accountSid: `AC${'2'.repeat(32)}`,
        authToken: '3'.repeat(32),
        whatsappNumber: '+14155238886',
        secretPrefix: fx.env.SECRET_NAME_PREFIX,
        businessId,
        connectionId,
      });
      expect(await store.current(businessId)).toEqual(expect.objectContaining({ connectionId, verified: false, providerNumberId: '+14155238886' }));
      expect(await store.claim(businessId, newConnectionId())).toEqual({ connectionId, created: false });
      const seeded = (await store.current(businessId))!;
      expect(await store.recordTest(connectionId, seeded.credentialsUpdatedAt, { verified: true, lastTest: { at: 'now', ok: true, steps: [] } }, new Date())).toBe(true);
    });
  });

  describe('conversation and message listers', () => {
    it("pages a business's conversations newest first through the byBusiness index, and a conversation's messages", async () => {
      const lister = new DynamoDbConversationLister(fx.documents, fx.env.CONVERSATIONS_TABLE);
      const businessId = `biz-${randomBytes(4).toString('hex')}`;
      const base = Date.now() - 3_600_000;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const conversationId = conversationIdFor(`conn-${businessId}`, `+52155123400${i}`);
        ids.push(conversationId);
        await fx.documents.send(
          new PutCommand({
            TableName: fx.env.CONVERSATIONS_TABLE,
            Item: {
              conversationId, businessId, connectionId: 'c', customerId: `+52155123400${i}`,
              lastMessageAt: new Date(base + i * 1000).toISOString(), windowExpiresAt: new Date(base + 86_400_000).toISOString(),
            },
          }),
        );
      }
      const seen: string[] = [];
      let startKey: Record<string, string> | undefined;
      let pages = 0;
      do {
        const page = await lister.listByBusiness(businessId, 2, startKey);
        seen.push(...page.items.map((c) => c.conversationId));
        startKey = page.lastKey;
        pages++;
      } while (startKey);
      expect(seen).toEqual([...ids].reverse());
      expect(pages).toBe(3);
      expect(await lister.get(ids[0])).toEqual(expect.objectContaining({ conversationId: ids[0], businessId }));
      expect(await lister.get('cv_00000000000000000000000000')).toBeUndefined();

      const messages = new DynamoDbMessageLister(fx.documents, fx.env.MESSAGES_TABLE);
      const messageIds: string[] = [];
      for (let i = 0; i < 3; i++) {
        const messageId = newMessageId(new Date(base + i * 1000));
        messageIds.push(messageId);
        await fx.documents.send(new PutCommand({ TableName: fx.env.MESSAGES_TABLE, Item: { conversationId: ids[0], messageId, direction: 'inbound', type: 'text', content: { type: 'text', text: `m${i}` } } }));
      }
      const first = await messages.list(ids[0], 2);
      const second = await messages.list(ids[0], 2, first.lastKey);
      expect([...first.items, ...second.items].map((m) => m.messageId)).toEqual([...messageIds].reverse());
      expect(second.lastKey).toBeUndefined();
    });
  });

  describe('DynamoDbAuditLog', () => {
    it('appends records with their TTL attribute', async () => {
      const log = new DynamoDbAuditLog(fx.documents, fx.env.AUDIT_TABLE);
      const record = auditRecord({ businessId: 'audit-biz', actor: 'u1', action: 'connection.put', status: 201, requestId: 'r1', at: new Date(), retentionDays: 400, target: 'cn_1' });
      await log.write(record);
      await expect(log.write(record)).rejects.toThrow();
      const stored = (await fx.documents.send(new GetCommand({ TableName: fx.env.AUDIT_TABLE, Key: { businessId: 'audit-biz', auditId: record.auditId } }))).Item;
      expect(stored).toEqual(record);
    });
  });
});
