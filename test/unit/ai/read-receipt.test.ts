import type { Context } from 'aws-lambda';
import { DemoResponder } from '../../../lambdas/domain/ai/demo-responder';
import { markInboundRead, type ReadReceiptDeps } from '../../../lambdas/domain/ai/read-receipt';
import { NoneResponder, type Responder } from '../../../lambdas/domain/ai/responder';
import type { ProviderCredentials, SenderNumber } from '../../../lambdas/domain/bsp';
import type { Connection } from '../../../lambdas/domain/connection';
import { createAiHandler } from '../../../lambdas/handlers/ai/handler';
import { MetaSender } from '../../../lambdas/providers/whatsapp/meta';
import { DependencyUnavailableError, SendFailedError } from '../../../lambdas/shared/errors';
import { silentPowertools } from '../../support/fakes';
import { META_CREDENTIALS, PHONE_NUMBER_ID, fakeFetch, jsonResponse, metaError } from '../providers/cloud-api/support';
import { FakeConversations, RecordingReplyQueue, inboundMessage, sqsRecord } from './support';

const META_CONNECTION: Connection = {
  connectionId: 'cn_meta',
  businessId: 'acme',
  provider: 'meta',
  status: 'active',
  displayNumber: '+15550783881',
  providerNumberId: PHONE_NUMBER_ID,
  providerAccountId: '102290129340398',
  secretArn: 'arn:secret:meta',
};
const DIALOG360_CONNECTION: Connection = {
  connectionId: 'cn_d360',
  businessId: 'acme',
  provider: '360dialog',
  status: 'active',
  displayNumber: '+15550783882',
  secretArn: 'arn:secret:d360',
};
const DIALOG360_SECRET = { apiKey: 'k'.repeat(24), webhookSecret: 'ws_x' };

const metaMessage = () => inboundMessage({ provider: 'meta', connectionId: 'cn_meta', externalId: 'wamid.HBgNNTIxNTUxMjM0NTY3OBUCERIYEjA' });

/** Read-receipt dependencies over fixed connections and secrets; every markRead is recorded (or fails). */
function readReceipts(options: { connections?: Connection[]; markRead?: (credentials: ProviderCredentials, from: SenderNumber, externalId: string) => Promise<void> } = {}) {
  const calls: Array<{ provider: string; credentials: ProviderCredentials; from: SenderNumber; externalId: string }> = [];
  const lookups: string[] = [];
  const secretReads: string[] = [];
  const connections = options.connections ?? [META_CONNECTION, DIALOG360_CONNECTION];
  const secrets: Record<string, ProviderCredentials> = { 'arn:secret:meta': META_CREDENTIALS, 'arn:secret:d360': DIALOG360_SECRET };
  const senderFor = (provider: string) => ({
    markRead: async (credentials: ProviderCredentials, from: SenderNumber, externalId: string) => {
      calls.push({ provider, credentials, from, externalId });
      await options.markRead?.(credentials, from, externalId);
    },
  });
  const deps: ReadReceiptDeps = {
    connections: {
      get: async (connectionId) => {
        lookups.push(connectionId);
        return connections.find((connection) => connection.connectionId === connectionId);
      },
    },
    credentials: {
      get: async (secretId) => {
        secretReads.push(secretId);
        const secret = secrets[secretId];
        if (!secret) throw new DependencyUnavailableError('Secrets Manager unavailable');
        return secret;
      },
    },
    // Twilio has no read receipts: its sender has no markRead.
    senders: { twilio: {}, meta: senderFor('meta'), '360dialog': senderFor('360dialog') },
  };
  return { deps, calls, lookups, secretReads };
}

describe('markInboundRead', () => {
  it("marks a Meta message read from the connection's number id, with the connection's credentials", async () => {
    // Prepare
    const { deps, calls } = readReceipts();

    // Act
    const outcome = await markInboundRead(metaMessage(), deps);

    // Assess
    expect(outcome).toBe('marked');
    expect(calls).toEqual([
      {
        provider: 'meta',
        credentials: META_CREDENTIALS,
        from: { displayNumber: '+15550783881', providerNumberId: PHONE_NUMBER_ID },
        externalId: 'wamid.HBgNNTIxNTUxMjM0NTY3OBUCERIYEjA',
      },
    ]);
  });

  it('marks a 360dialog message read from the number alone when the connection has no number id', async () => {
    const { deps, calls } = readReceipts();
    const outcome = await markInboundRead(inboundMessage({ provider: '360dialog', connectionId: 'cn_d360', externalId: 'wamid.D360' }), deps);
    expect(outcome).toBe('marked');
    expect(calls).toEqual([{ provider: '360dialog', credentials: DIALOG360_SECRET, from: { displayNumber: '+15550783882' }, externalId: 'wamid.D360' }]);
  });

  it('skips a BSP without read receipts without reading the connection or its secret', async () => {
    // Prepare
    const { deps, calls, lookups, secretReads } = readReceipts();

    // Act
    const outcome = await markInboundRead(inboundMessage({ provider: 'twilio' }), deps);

    // Assess
    expect(outcome).toBe('unsupported');
    expect([calls, lookups, secretReads]).toEqual([[], [], []]);
  });

  it.each([
    ['an unknown', []],
    ['a disabled', [{ ...META_CONNECTION, status: 'disabled' as const }]],
  ])('sends nothing for %s connection and reads no secret', async (_name, connections) => {
    const { deps, calls, secretReads } = readReceipts({ connections });
    expect(await markInboundRead(metaMessage(), deps)).toBe('no-connection');
    expect([calls, secretReads]).toEqual([[], []]);
  });

  it('lets a failure reach the caller, which decides that it is best effort', async () => {
    const refused = new SendFailedError('permanent', '100', 'Invalid parameter');
    const { deps } = readReceipts({ markRead: async () => Promise.reject(refused) });
    await expect(markInboundRead(metaMessage(), deps)).rejects.toBe(refused);
  });

  it('posts status read with the typing indicator through the real Meta sender', async () => {
    // Prepare
    const fake = fakeFetch(() => jsonResponse(200, { success: true }));
    const { deps } = readReceipts();
    deps.senders.meta = new MetaSender({ fetch: fake.fetch, timeoutMs: 1_000, graphBaseUrl: 'https://graph.example.test' });

    // Act
    const outcome = await markInboundRead(metaMessage(), deps);

    // Assess
    expect(outcome).toBe('marked');
    expect(fake.requests).toHaveLength(1);
    expect(new URL(fake.requests[0]!.url).pathname).toMatch(new RegExp(`/${PHONE_NUMBER_ID}/messages$`));
    expect(JSON.parse(fake.requests[0]!.body!)).toEqual({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.HBgNNTIxNTUxMjM0NTY3OBUCERIYEjA',
      typing_indicator: { type: 'text' },
    });
  });
});

describe('AI handler read receipts', () => {
  const context = { getRemainingTimeInMillis: () => 30_000, awsRequestId: 'req-1', functionName: 'ai' } as unknown as Context;

  function setup(responder: Responder, receipts: ReturnType<typeof readReceipts>) {
    const queue = new RecordingReplyQueue();
    const powertools = silentPowertools();
    const addMetric = jest.spyOn(powertools.metrics, 'addMetric');
    // One timeline of what happened, to see the receipt go before the reply.
    const timeline: string[] = [];
    const enqueue = queue.enqueue.bind(queue);
    queue.enqueue = async (message, groupId) => {
      timeline.push(`reply:${message.content.type}`);
      return enqueue(message, groupId);
    };
    const markRead = receipts.deps.senders.meta!.markRead!;
    receipts.deps.senders.meta = {
      markRead: async (...args) => {
        timeline.push('read-receipt');
        return markRead(...args);
      },
    };
    const handler = createAiHandler({
      responder,
      conversations: new FakeConversations(),
      queue,
      readReceipts: receipts.deps,
      ...powertools,
      config: { historyLimit: 20 },
    });
    const metrics = () => addMetric.mock.calls.map(([name]) => name);
    return { handler, queue, timeline, metrics };
  }

  it('marks the message read before the reply is enqueued, and counts it', async () => {
    // Prepare
    const receipts = readReceipts();
    const { handler, timeline, metrics } = setup(new DemoResponder(), receipts);

    // Act
    const response = await handler({ Records: [sqsRecord(metaMessage())] }, context);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(timeline).toEqual(['read-receipt', 'reply:text', 'reply:buttons']);
    expect(receipts.calls.map((call) => call.externalId)).toEqual(['wamid.HBgNNTIxNTUxMjM0NTY3OBUCERIYEjA']);
    expect(metrics()).toContain('AiReadReceiptSent');
    expect(metrics()).not.toContain('AiReadReceiptFailed');
  });

  it.each([
    ['the BSP refuses it', { markRead: async () => Promise.reject(new SendFailedError('outcome-unknown', 'TIMEOUT', 'timed out')) }],
    ['the secret cannot be read', { connections: [{ ...META_CONNECTION, secretArn: 'arn:secret:gone' }] }],
  ])('counts AiReadReceiptFailed when %s, and the reply still goes', async (_name, options) => {
    // Prepare
    const { handler, queue, metrics } = setup(new DemoResponder(), readReceipts(options));

    // Act
    const response = await handler({ Records: [sqsRecord(metaMessage())] }, context);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(queue.sent.map((sent) => sent.message.content.type)).toEqual(['text', 'buttons']);
    expect(metrics()).toContain('AiReadReceiptFailed');
    expect(metrics()).not.toContain('AiReadReceiptSent');
  });

  it('sends no read receipt when the responder is none (another service answers, maybe much later)', async () => {
    // Prepare
    const receipts = readReceipts();
    const { handler, queue, metrics } = setup(new NoneResponder(), receipts);

    // Act
    const response = await handler({ Records: [sqsRecord(metaMessage())] }, context);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(receipts.calls).toEqual([]);
    expect(receipts.lookups).toEqual([]);
    expect(queue.sent).toEqual([]);
    expect(metrics().filter((name) => name.startsWith('AiReadReceipt'))).toEqual([]);
  });

  it('counts nothing for a Twilio message, which has no read receipts, and answers it', async () => {
    const receipts = readReceipts();
    const { handler, queue, metrics } = setup(new DemoResponder(), receipts);

    const response = await handler({ Records: [sqsRecord(inboundMessage({ provider: 'twilio' }))] }, context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(receipts.calls).toEqual([]);
    expect(queue.sent).toHaveLength(2);
    expect(metrics().filter((name) => name.startsWith('AiReadReceipt'))).toEqual([]);
  });

  it('counts a receipt the Graph API refuses (real Meta sender) as failed, and still answers the message', async () => {
    // Prepare: the Graph API refuses the receipt (a wamid it does not know)
    const receipts = readReceipts();
    receipts.deps.senders.meta = new MetaSender({ fetch: fakeFetch(() => metaError(400, 100)).fetch, timeoutMs: 1_000, graphBaseUrl: 'https://graph.example.test' });
    const { handler, queue, metrics } = setup(new DemoResponder(), receipts);

    // Act
    const response = await handler({ Records: [sqsRecord(metaMessage())] }, context);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(queue.sent).toHaveLength(2);
    expect(metrics()).toContain('AiReadReceiptFailed');
  });
});
