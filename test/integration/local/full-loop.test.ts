import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalRuntime } from '../../../local/runtime';
import { inboundFields } from '../../../local/simulate';
import { startTestRuntime } from '../../support/local-runtime';
import { twilioSignature } from '../../support/twilio-webhook';

jest.setTimeout(120_000);

const authToken = randomBytes(16).toString('hex');
const accountSid = `AC${randomBytes(16).toString('hex')}`;
const number = '+14155238886';
const customer = `+52155${String(Date.now()).slice(-8)}`;

type Item = Record<string, unknown>;

/**
 * Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes; then fails with
 * `what` and the runtime's last lines (one per batch and run), which tell where the loop stopped.
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
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}\n` +
      `runtime log:\n${log.slice(-30).join('\n')}`,
  );
}

describe('local runtime: the whole loop (webhook → AI → send → simulator → status callbacks)', () => {
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
      account: { accountSid, authToken, whatsappNumber: number },
      // This test is about the simulator and the demo responder.
      responder: 'demo',
      simulator: { callbackDelaysMs: { sent: 50, delivered: 150, read: 250 } },
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

  it('discovers the queue consumers and schedules from the template, and points the send Lambda at the simulator', () => {
    expect(runtime.consumers.map((consumer) => consumer.name).sort()).toEqual(['ai', 'media', 'send']);
    const inboundUrl = runtime.resources.functionEnv.webhook.INBOUND_QUEUE_URL;
    expect(runtime.consumers.find((consumer) => consumer.name === 'ai')?.queue.url).toBe(inboundUrl);
    expect(runtime.schedules.map((schedule) => schedule.name).sort()).toEqual(['connection-health', 'outcome-watchdog', 'reconcile', 'template-sync', 'window']);
    expect(runtime.twilio).toMatchObject({ mode: 'simulator', apiBaseUrl: runtime.simulator?.url, webhookBaseUrl: runtime.url });
    expect(runtime.env).toMatchObject({ RESPONDER: 'demo', WEBHOOK_BASE_URL: runtime.url, TWILIO_CONTENT_BASE_URL: runtime.simulator?.url });
  });

  it('stores a signed inbound message, answers it with the demo replies, sends them in order and follows them to read', async () => {
    // Prepare
    const fields = inboundFields({ from: customer, text: 'Hola', name: 'Ana' }, runtime.config);
    const url = runtime.webhookUrls.inbound;

    // Act
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(url, fields, authToken),
        'user-agent': 'TwilioProxy/1.1',
      },
      body: new URLSearchParams(fields).toString(),
    });

    // Assess: the inbound message is stored…
    expect(response.status).toBe(200);
    const table = runtime.resources.functionEnv.webhook.MESSAGES_TABLE;
    const { Items: stored = [] } = await documents.send(
      new ScanCommand({ TableName: table, FilterExpression: 'externalId = :x', ExpressionAttributeValues: { ':x': fields.MessageSid } }),
    );
    expect(stored).toHaveLength(1);
    const inbound = stored[0];
    expect(inbound).toMatchObject({ direction: 'inbound', content: { type: 'text', text: 'Hola' } });

    // …the replies are recorded as outbound messages of the same conversation and every one reaches `read`…
    const outbound = async () =>
      (
        await documents.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'conversationId = :c AND messageId > :m',
            FilterExpression: 'direction = :out',
            ExpressionAttributeValues: { ':c': inbound.conversationId, ':m': inbound.messageId, ':out': 'outbound' },
          }),
        )
      ).Items as Item[];
    // The demo responder answers with a text and a reply-button message.
    const replies = await waitFor('both demo replies to be read', async () => {
      const items = await outbound();
      return items.length >= 2 && items.every((item) => item.deliveryStatus === 'read') ? items : undefined;
    }, runtimeLog);
    for (const reply of replies) {
      expect(reply).toMatchObject({
        conversationId: inbound.conversationId,
        businessId: 'demo',
        connectionId: 'demo',
        sendState: 'accepted',
        deliveryStatus: 'read',
        externalId: expect.stringMatching(/^SM[0-9a-f]{32}$/),
      });
      // Each status was applied by the webhook from a signed callback, in order.
      expect(typeof reply.sentAt).toBe('string');
      expect(String(reply.sentAt) <= String(reply.deliveredAt)).toBe(true);
      expect(String(reply.deliveredAt) <= String(reply.readAt)).toBe(true);
    }
    expect(replies.map((reply) => (reply.content as { type: string }).type)).toEqual(expect.arrayContaining(['text', 'buttons']));

    // …and the simulator accepted them in the order they were recorded, to the customer, from the business.
    const accepted = (runtime.simulator?.messages() ?? [])
      .filter((message) => message.to === `whatsapp:${customer}`)
      .sort((a, b) => a.acceptedAt - b.acceptedAt);
    expect(accepted.map((message) => message.sid)).toEqual(replies.map((reply) => reply.externalId));
    expect(accepted.every((message) => message.from === `whatsapp:${number}` && message.status === 'read')).toBe(true);
    expect(accepted.every((message) => message.statusCallback?.startsWith(`${runtime.url}/webhook/whatsapp/twilio/demo/status?`))).toBe(true);
    expect(runtime.simulator?.stats().callbacksFailed).toBe(0);
    expect(runtimeLog).toEqual(expect.arrayContaining([expect.stringMatching(/^ai: batch of \d+ → \d+ done/), expect.stringMatching(/^send: batch of \d+ → \d+ done/)]));
  });

  it('runs every scheduled function against the local resources without an error', async () => {
    const results = await runtime.scheduler.runNow();

    expect(results.map((result) => [result.job, result.outcome, result.error]).sort()).toEqual([
      ['connection-health', 'ok', undefined],
      ['outcome-watchdog', 'ok', undefined],
      ['reconcile', 'ok', undefined],
      ['template-sync', 'ok', undefined],
      ['window', 'ok', undefined],
    ]);
  });
});
