/**
 * The inbound reconciler against moto and the Twilio simulator: a message Twilio received but never
 * delivered to the webhook is found, stored and queued exactly once; what the webhook did deliver
 * is left alone, with nothing written.
 */
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbActiveConnections } from '../../../lambdas/adapters/dynamodb-active-connections';
import { DynamoDbIngestedIndex } from '../../../lambdas/adapters/dynamodb-ingested-index';
import { createReconcileDeps } from '../../../lambdas/handlers/reconcile/deps';
import { loadReconcileEnv } from '../../../lambdas/handlers/reconcile/env';
import { createReconcileHandler } from '../../../lambdas/handlers/reconcile/handler';
import { startTwilioSimulator, type TwilioSimulator } from '../../../local/twilio-simulator';
import { createWebhookFixture, type WebhookFixture } from '../../support/webhook-fixture';

jest.setTimeout(60_000);

const MINUTE = 60_000;

describe('inbound reconciler (moto + Twilio simulator)', () => {
  let fx: WebhookFixture;
  let simulator: TwilioSimulator;
  let reconcile: ReturnType<typeof createReconcileHandler>;

  beforeAll(async () => {
    fx = await createWebhookFixture();
    simulator = await startTwilioSimulator({ accounts: { [fx.accountSid]: fx.authToken } });
    const env: Record<string, string> = { ...fx.resources.functionEnv.reconcile, TWILIO_API_BASE_URL: simulator.url };
    // The same tables and queue as the webhook's: the stack gives both functions the same values.
    for (const name of ['CONNECTIONS_TABLE', 'CONVERSATIONS_TABLE', 'MESSAGES_TABLE', 'DEDUPE_TABLE', 'INBOUND_QUEUE_URL', 'EVENT_BUS_NAME']) {
      expect(env[name]).toBe(fx.env[name]);
    }
    reconcile = createReconcileHandler(createReconcileDeps(loadReconcileEnv(env)));
  });
  afterAll(async () => {
    await simulator?.stop();
    await fx?.close();
  });
  beforeEach(async () => {
    await fx.drainInboundQueue();
  });

  const count = async (table: string) =>
    (await fx.documents.send(new ScanCommand({ TableName: table, Select: 'COUNT', ConsistentRead: true }))).Count ?? 0;
  const counts = async () => ({
    dedupe: await count(fx.env.DEDUPE_TABLE),
    messages: await count(fx.env.MESSAGES_TABLE),
    conversations: await count(fx.env.CONVERSATIONS_TABLE),
  });

  it('ingests and queues, exactly once, a message Twilio received but never delivered; a second run ingests nothing', async () => {
    // Prepare: Twilio got it five minutes ago and never called the webhook.
    const missed = simulator.recordInbound({
      accountSid: fx.accountSid,
      from: '+5215500000101',
      to: fx.number,
      body: 'Nadie me contestó 🌧️ ¿siguen abiertos?',
      receivedAt: Date.now() - 5 * MINUTE,
    });
    const sid = missed.sid as string;

    // Act
    const first = await reconcile();

    // Assess
    expect(first).toMatchObject({ connections: 1, failedConnections: 0, ingested: 1, failedMessages: 0 });
    const stored = await fx.messagesWithExternalId(sid);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      direction: 'inbound',
      connectionId: fx.connectionId,
      businessId: fx.businessId,
      content: { type: 'text', text: 'Nadie me contestó 🌧️ ¿siguen abiertos?' },
      customerId: '+5215500000101',
    });
    // The window starts when the customer wrote, not when we noticed.
    expect(Math.abs(Date.parse(stored[0]!.receivedAt as string) - (Date.now() - 5 * MINUTE))).toBeLessThan(MINUTE);
    const queued = await fx.drainInboundQueue();
    expect(queued).toHaveLength(1);
    expect(JSON.parse(queued[0]!.Body!)).toMatchObject({ externalId: sid, messageId: stored[0]!.messageId, conversationId: stored[0]!.conversationId });
    expect(fx.logLines.join('')).not.toContain(fx.authToken);
    expect(fx.logLines.join('')).not.toContain('+5215500000101');

    // Act again: nothing is missing any more.
    const before = await counts();
    const second = await reconcile();

    expect(second).toMatchObject({ ingested: 0, failedConnections: 0 });
    expect(second.alreadyStored).toBeGreaterThanOrEqual(1);
    expect(await counts()).toEqual(before);
    expect(await fx.drainInboundQueue()).toHaveLength(0);
  });

  it('leaves a message the webhook delivered alone: nothing written, nothing queued', async () => {
    // Prepare: Twilio received it and delivered it to the webhook.
    const delivered = simulator.recordInbound({
      accountSid: fx.accountSid,
      from: '+5215500000102',
      to: fx.number,
      body: 'Hola',
      receivedAt: Date.now() - 4 * MINUTE,
    });
    const { event } = fx.inboundEvent({ messageSid: delivered.sid as string, from: '+5215500000102', body: 'Hola' });
    expect((await fx.invoke(event)).statusCode).toBe(200);
    expect(await fx.drainInboundQueue()).toHaveLength(1);
    await reconcile(); // settles anything earlier tests left
    await fx.drainInboundQueue();
    const before = await counts();

    // Act
    const result = await reconcile();

    // Assess
    expect(result).toMatchObject({ ingested: 0, failedMessages: 0, failedConnections: 0 });
    expect(result.alreadyStored).toBeGreaterThanOrEqual(1); // listed, found stored, not touched
    expect(await counts()).toEqual(before);
    expect(await fx.drainInboundQueue()).toHaveLength(0);
    expect(await fx.messagesWithExternalId(delivered.sid as string)).toHaveLength(1);
  });

  it('ingests a missed media message with its media list, as the webhook would have', async () => {
    const missed = simulator.recordInbound({
      accountSid: fx.accountSid,
      from: '+5215500000103',
      to: fx.number,
      body: 'mi recibo',
      media: [{ contentType: 'image/jpeg' }],
      receivedAt: Date.now() - 6 * MINUTE,
    });

    const result = await reconcile();

    expect(result.ingested).toBe(1);
    const [stored] = await fx.messagesWithExternalId(missed.sid as string);
    expect(stored).toMatchObject({
      type: 'image',
      content: {
        type: 'image',
        caption: 'mi recibo',
        media: [{ contentType: 'image/jpeg', kind: 'image', url: expect.stringMatching(new RegExp(`^${simulator.url}/2010-04-01/Accounts/${fx.accountSid}/Messages/MM[0-9a-f]{32}/Media/ME[0-9a-f]{32}$`)) }],
      },
    });
  });

  it('leaves the newest messages to the webhook and ignores those older than the look-back', async () => {
    const fresh = simulator.recordInbound({ accountSid: fx.accountSid, from: '+5215500000104', to: fx.number, body: 'recién', receivedAt: Date.now() - 30_000 });
    const old = simulator.recordInbound({ accountSid: fx.accountSid, from: '+5215500000105', to: fx.number, body: 'viejo', receivedAt: Date.now() - 45 * MINUTE });

    const result = await reconcile();

    expect(result.ingested).toBe(0);
    expect(await fx.messagesWithExternalId(fresh.sid as string)).toHaveLength(0);
    expect(await fx.messagesWithExternalId(old.sid as string)).toHaveLength(0);
  });

  it('a connection whose BSP refuses the credentials is counted failed, and the run still succeeds', async () => {
    const broken = await startTwilioSimulator({ accounts: { [fx.accountSid]: 'f'.repeat(32) } });
    try {
      const env = { ...fx.resources.functionEnv.reconcile, TWILIO_API_BASE_URL: broken.url };
      const result = await createReconcileHandler(createReconcileDeps(loadReconcileEnv(env)))();
      expect(result).toMatchObject({ connections: 1, failedConnections: 1, ingested: 0 });
    } finally {
      await broken.stop();
    }
  });
});

describe('reconciler adapters (moto)', () => {
  let fx: WebhookFixture;
  beforeAll(async () => {
    fx = await createWebhookFixture();
  });
  afterAll(async () => fx?.close());

  it('DynamoDbIngestedIndex: BatchGetItem finds exactly the ids with a dedupe item, beyond 100 keys', async () => {
    const present = Array.from({ length: 130 }, (_, i) => `SMpresent${i}`);
    for (const id of present.filter((_, i) => i % 2 === 0)) {
      await fx.documents.send(new PutCommand({ TableName: fx.env.DEDUPE_TABLE, Item: { dedupeKey: `twilio#${id}`, conversationId: 'cv', messageId: 'm' } }));
    }
    const index = new DynamoDbIngestedIndex(fx.documents, fx.env.DEDUPE_TABLE);

    const found = await index.existing('twilio', [...present, 'SMabsent', 'SMpresent0']);

    expect([...found].sort()).toEqual(present.filter((_, i) => i % 2 === 0).sort());
    expect((await index.existing('twilio', [])).size).toBe(0);
  });

  it('DynamoDbActiveConnections: lists active connections only, not disabled ones nor business pointers', async () => {
    await fx.documents.send(
      new PutCommand({
        TableName: fx.env.CONNECTIONS_TABLE,
        Item: { connectionId: 'cn_disabled', businessId: 'biz2', provider: 'twilio', status: 'disabled', displayNumber: '+14155550009', secretArn: 'arn:x' },
      }),
    );
    await fx.documents.send(
      new PutCommand({
        TableName: fx.env.CONNECTIONS_TABLE,
        Item: { connectionId: `business#${fx.businessId}`, kind: 'business-pointer', ownerBusinessId: fx.businessId, currentConnectionId: fx.connectionId },
      }),
    );

    const connections = await new DynamoDbActiveConnections(fx.documents, fx.env.CONNECTIONS_TABLE).list();

    expect(connections).toEqual([
      expect.objectContaining({ connectionId: fx.connectionId, businessId: fx.businessId, provider: 'twilio', status: 'active', displayNumber: fx.number }),
    ]);
  });
});
