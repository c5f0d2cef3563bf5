import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { decodeMessageKey } from '../../../lambdas/domain/bsp';
import { dialog360WebhookRequest, inboundPayload, metaWebhookRequest, type CloudApiSimulator, type CloudWebhookPayload } from '../../../local/cloud-api-simulator';
import type { LocalRuntime } from '../../../local/runtime';
import { startTestRuntime } from '../../support/local-runtime';

jest.setTimeout(120_000);

type Item = Record<string, unknown>;

/**
 * Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes; then fails with
 * `what` and the runtime's last lines, which tell where the loop stopped.
 */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, log: string[], timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}\nruntime log:\n${log.slice(-30).join('\n')}`);
}

/**
 * The whole loop for the two Cloud API providers, through the local runtime: the BSP simulator posts
 * ONE webhook with a batch of customer messages (signed by Meta's app secret, or carrying the header
 * registered with 360dialog), the webhook stores them, the demo AI replies, the send Lambda sends
 * the replies to the simulator with our key as `biz_opaque_callback_data`, and the simulator's status
 * webhooks move every reply to `read`.
 */
describe('local runtime: the whole loop through the Meta and 360dialog simulators', () => {
  let runtime: LocalRuntime;
  let documents: DynamoDBDocumentClient;
  const runtimeLog: string[] = [];
  let stdout: jest.SpyInstance;

  beforeAll(async () => {
    const endpoint = process.env.MOTO_ENDPOINT;
    if (!endpoint) throw new Error('MOTO_ENDPOINT is not set: run through jest --selectProjects integration');
    // Powertools writes every handler's INFO lines to stdout: keep them out of the test output.
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    runtime = await startTestRuntime({
      account: { accountSid: `AC${'5'.repeat(32)}`, authToken: '6'.repeat(32), whatsappNumber: '+14155238886' },
      responder: 'demo',
      simulator: { callbackDelaysMs: { sent: 30, delivered: 80, read: 130 } },
      log: (line) => runtimeLog.push(line),
    });
    documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint, region: runtime.config.AWS_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }),
    );
  });

  afterAll(async () => {
    await runtime?.stop();
    documents?.destroy();
    stdout?.mockRestore();
  });

  async function storedInbound(externalIds: string[]): Promise<Item[] | undefined> {
    const { Items = [] } = await documents.send(
      new ScanCommand({
        TableName: runtime.resources.functionEnv.webhook.MESSAGES_TABLE,
        FilterExpression: `externalId IN (${externalIds.map((_id, i) => `:x${i}`).join(', ')})`,
        ExpressionAttributeValues: Object.fromEntries(externalIds.map((id, i) => [`:x${i}`, id])),
      }),
    );
    return Items.length === externalIds.length ? Items : undefined;
  }

  async function outboundAfter(inbound: Item): Promise<Item[]> {
    const { Items = [] } = await documents.send(
      new QueryCommand({
        TableName: runtime.resources.functionEnv.webhook.MESSAGES_TABLE,
        KeyConditionExpression: 'conversationId = :c AND messageId > :m',
        FilterExpression: 'direction = :out',
        ExpressionAttributeValues: { ':c': inbound.conversationId, ':m': inbound.messageId, ':out': 'outbound' },
      }),
    );
    return Items;
  }

  const cases: Array<{ provider: 'meta' | '360dialog'; simulator: () => CloudApiSimulator; first: string }> = [
    { provider: 'meta', simulator: () => runtime.simulators.meta, first: `+52155${String(Date.now()).slice(-8)}` },
    { provider: '360dialog', simulator: () => runtime.simulators.dialog360, first: `+54911${String(Date.now()).slice(-8)}` },
  ];

  it.each(cases)('$provider: a batch of 3 messages from 2 customers in one webhook is stored, answered, sent and read', async ({ provider, simulator, first }) => {
    // Prepare
    const demo = runtime.demos[provider];
    const sim = simulator();

    // Act: the BSP posts ONE webhook with the batch.
    const posted = await sim.postInbound({ account: demo.providerNumberId, from: first, text: 'Hola', count: 3, customers: 2 });

    // Assess: acknowledged on the first attempt…
    expect(posted).toMatchObject({ outcome: 'delivered', firstAttempt: { ok: true, status: 200 }, url: demo.webhookUrl });
    expect(posted.messageIds).toHaveLength(3);

    // …every message stored once, for this business and connection, in two conversations…
    const inbound = await waitFor('the batch to be stored', () => storedInbound(posted.messageIds), runtimeLog, 10_000);
    expect(inbound.every((item) => item.direction === 'inbound' && item.businessId === demo.businessId && item.connectionId === demo.connectionId)).toBe(true);
    const conversations = [...new Set(inbound.map((item) => String(item.conversationId)))];
    expect(conversations).toHaveLength(2);

    // …each conversation answered by the demo responder, and every reply followed to `read` by signed statuses…
    const firstInbound = conversations.map((conversationId) =>
      inbound.filter((item) => item.conversationId === conversationId).sort((a, b) => String(a.messageId).localeCompare(String(b.messageId)))[0]!,
    );
    const replies = await waitFor(
      'the replies of both conversations to be read',
      async () => {
        const all = await Promise.all(firstInbound.map(outboundAfter));
        const ready = all.every((items) => items.length >= 2 && items.every((item) => item.deliveryStatus === 'read'));
        return ready ? all.flat() : undefined;
      },
      runtimeLog,
    );
    for (const reply of replies) {
      expect(reply).toMatchObject({ businessId: demo.businessId, connectionId: demo.connectionId, sendState: 'accepted', deliveryStatus: 'read', externalId: expect.stringMatching(/^wamid\./) });
      expect(String(reply.sentAt) <= String(reply.deliveredAt) && String(reply.deliveredAt) <= String(reply.readAt)).toBe(true);
    }

    // …and the simulator got each reply with our key as biz_opaque_callback_data, and delivered every status.
    await sim.idle();
    const sent = sim.messages().filter((message) => replies.some((reply) => reply.externalId === message.id));
    expect(sent).toHaveLength(replies.length);
    for (const message of sent) {
      const reply = replies.find((item) => item.externalId === message.id)!;
      expect(decodeMessageKey(message.callbackData)).toEqual({ conversationId: reply.conversationId, messageId: reply.messageId });
      expect(message.status).toBe('read');
    }
    const statusDeliveries = sim.deliveries().filter((delivery) => delivery.kind === 'status' && sent.some((message) => delivery.messageIds.includes(message.id)));
    expect(statusDeliveries).toHaveLength(sent.length * 3);
    expect(statusDeliveries.every((delivery) => delivery.outcome === 'delivered' && delivery.attempts.length === 1)).toBe(true);
    // The AI marked customers' messages read (with "typing…") through the same API.
    expect(sim.reads().some((read) => posted.messageIds.includes(read.messageId))).toBe(true);
  });

  it.each([
    {
      provider: 'meta' as const,
      forge: (payload: CloudWebhookPayload) => metaWebhookRequest(payload, 'f'.repeat(32)),
      what: 'signed with another app secret',
    },
    {
      provider: '360dialog' as const,
      forge: (payload: CloudWebhookPayload) => dialog360WebhookRequest(payload, { 'X-Echo-Webhook-Token': 'not-the-registered-secret-0000000' }),
      what: 'with another webhook secret',
    },
  ])('$provider: a webhook $what is refused and stores nothing', async ({ provider, forge }) => {
    // Prepare: the payload the simulator would post, authenticated with a secret that is not the connection's.
    const demo = runtime.demos[provider];
    const simulator = provider === 'meta' ? runtime.simulators.meta : runtime.simulators.dialog360;
    const { payload, messageIds } = inboundPayload(simulator.numberOf(), [{ from: '+5215500000077', text: 'forged' }]);

    // Act
    const response = await fetch(demo.webhookUrl, forge(payload));

    // Assess
    expect(response.status).toBe(403);
    const { Items = [] } = await documents.send(
      new ScanCommand({ TableName: runtime.resources.functionEnv.webhook.MESSAGES_TABLE, FilterExpression: 'externalId = :x', ExpressionAttributeValues: { ':x': messageIds[0] } }),
    );
    expect(Items).toHaveLength(0);
  });

  it.each(['meta', '360dialog'] as const)('%s: the same payload authenticated as the BSP does is accepted (the refusal above is for the secret)', async (provider) => {
    const demo = runtime.demos[provider];
    const simulator = provider === 'meta' ? runtime.simulators.meta : runtime.simulators.dialog360;
    const { payload } = inboundPayload(simulator.numberOf(), [{ from: '+5215500000078', text: 'genuine' }]);
    const request =
      provider === 'meta'
        ? metaWebhookRequest(payload, runtime.config.DEV_META_APP_SECRET)
        : dialog360WebhookRequest(payload, runtime.simulators.dialog360.webhookOf()!.headers);

    const response = await fetch(demo.webhookUrl, request);

    expect(response.status).toBe(200);
  });
});
