import type { Connection } from '../../../lambdas/domain/connection';
import { createWebhookHandler, type WebhookDeps } from '../../../lambdas/handlers/webhook/handler';
import { TwilioWebhookCodec } from '../../../lambdas/providers/whatsapp/twilio';
import { DependencyUnavailableError } from '../../../lambdas/shared/errors';
import {
  CachedCredentials,
  FixedDirectory,
  RecordingEvents,
  RecordingQueue,
  RecordingStore,
  silentPowertools,
} from '../../support/fakes';
import { apiGatewayEvent, inboundTextFields, randomSid, signedTwilioEvent, statusFields } from '../../support/twilio-webhook';

const ACCOUNT = 'AC' + 'a'.repeat(32);
const TOKEN = 'b'.repeat(32);
const NUMBER = '+14155238886';
const PATH = '/webhook/whatsapp/twilio/acme';

const active: Connection = {
  connectionId: 'acme',
  businessId: 'acme-business',
  provider: 'twilio',
  status: 'active',
  displayNumber: NUMBER,
  secretArn: 'arn:secret:acme',
};

function setup(connections: Connection[] = [active]) {
  const store = new RecordingStore();
  const queue = new RecordingQueue();
  const events = new RecordingEvents();
  const directory = new FixedDirectory(connections);
  const credentials = new CachedCredentials({
    'arn:secret:acme': { accountSid: ACCOUNT, authToken: TOKEN },
    'arn:secret:off': { accountSid: ACCOUNT, authToken: TOKEN },
  });
  let now = new Date('2026-11-26T12:00:00Z').getTime();
  const deps: WebhookDeps = {
    codecs: { twilio: new TwilioWebhookCodec() },
    connections: directory,
    credentials,
    store,
    queue,
    events,
    clock: { now: () => new Date(now) },
    ...silentPowertools(),
    config: { dedupeTtlMs: 86_400_000 },
  };
  return {
    handler: createWebhookHandler(deps),
    store,
    queue,
    events,
    directory,
    credentials,
    advance: (ms: number) => (now += ms),
  };
}

function inbound(overrides: Partial<Parameters<typeof inboundTextFields>[0]> = {}) {
  return inboundTextFields({ accountSid: ACCOUNT, to: NUMBER, ...overrides });
}

function expectNothingWritten(ctx: ReturnType<typeof setup>): void {
  expect(ctx.store.inbound).toHaveLength(0);
  expect(ctx.store.statuses).toHaveLength(0);
  expect(ctx.queue.sent).toHaveLength(0);
  expect(ctx.events.published).toHaveLength(0);
}

describe('webhook handler', () => {
  it('stores, enqueues and answers empty TwiML for a signed inbound message', async () => {
    // Prepare
    const ctx = setup();
    const fields = inbound({ body: 'Hola, ¿tienen pan? 🥖' });

    // Act
    const response = await ctx.handler(signedTwilioEvent({ path: PATH, fields, authToken: TOKEN }));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('text/xml');
    expect(response.body).toContain('<Response/>');
    expect(ctx.store.inbound).toHaveLength(1);
    expect(ctx.store.inbound[0].message.content).toEqual({ type: 'text', text: 'Hola, ¿tienen pan? 🥖' });
    expect(ctx.queue.sent).toHaveLength(1);
    expect(ctx.queue.sent[0].message.conversationId).toBe(ctx.store.inbound[0].conversationId);
    // message.received is committed with the message (outbox), not published by the handler.
    expect(ctx.store.inbound[0].event?.detailType).toBe('message.received');
    expect(ctx.events.published).toEqual([]);
    expect(ctx.directory.touched).toEqual(['acme']);
  });

  it('accepts a body that API Gateway did not base64-encode', async () => {
    const ctx = setup();
    const response = await ctx.handler(signedTwilioEvent({ path: PATH, fields: inbound(), authToken: TOKEN, base64: false }));
    expect(response.statusCode).toBe(200);
    expect(ctx.store.inbound).toHaveLength(1);
  });

  it.each([
    ['a forged signature', { signature: 'Zm9yZ2Vk' }],
    ['a missing signature', { signature: null }],
    ['a signature made with another token', { authToken: 'c'.repeat(32) }],
  ])('answers 403 and writes nothing for %s', async (_name, override) => {
    const ctx = setup();
    const response = await ctx.handler(signedTwilioEvent({ path: PATH, fields: inbound(), authToken: TOKEN, ...override }));
    expect(response.statusCode).toBe(403);
    expectNothingWritten(ctx);
  });

  it('gives an unknown connection the same 403 as a forged signature', async () => {
    const ctx = setup();
    const unknown = await ctx.handler(
      signedTwilioEvent({ path: '/webhook/whatsapp/twilio/nope', fields: inbound(), authToken: TOKEN }),
    );
    const forged = await ctx.handler(signedTwilioEvent({ path: PATH, fields: inbound(), authToken: TOKEN, signature: 'eA==' }));
    expect(unknown.statusCode).toBe(403);
    expect(unknown.body).toBe(forged.body);
    expectNothingWritten(ctx);
  });

  it('answers 403 for a disabled connection', async () => {
    const ctx = setup([{ ...active, connectionId: 'off', status: 'disabled', secretArn: 'arn:secret:off' }]);
    const response = await ctx.handler(
      signedTwilioEvent({ path: '/webhook/whatsapp/twilio/off', fields: inbound(), authToken: TOKEN }),
    );
    expect(response.statusCode).toBe(403);
    expectNothingWritten(ctx);
  });

  it('answers 403 when To is not the connection number', async () => {
    const ctx = setup();
    const response = await ctx.handler(signedTwilioEvent({ path: PATH, fields: inbound({ to: '+14155550000' }), authToken: TOKEN }));
    expect(response.statusCode).toBe(403);
    expectNothingWritten(ctx);
  });

  it('answers 403 when the AccountSid is not the connection account', async () => {
    const ctx = setup();
    const fields = inbound({ accountSid: 'AC' + 'f'.repeat(32) });
    const response = await ctx.handler(signedTwilioEvent({ path: PATH, fields, authToken: TOKEN }));
    expect(response.statusCode).toBe(403);
    expectNothingWritten(ctx);
  });

  it('answers 400 for a body that is not a form', async () => {
    const ctx = setup();
    const response = await ctx.handler(
      apiGatewayEvent({ path: PATH, body: '{"MessageSid":"SM1"}', contentType: 'application/json', signature: 'eA==' }),
    );
    expect(response.statusCode).toBe(400);
    expectNothingWritten(ctx);
  });

  it('answers 400 for a signed form without the fields of a message', async () => {
    const ctx = setup();
    const fields = { AccountSid: ACCOUNT, Body: 'no sid, no from' };
    const response = await ctx.handler(signedTwilioEvent({ path: PATH, fields, authToken: TOKEN }));
    expect(response.statusCode).toBe(400);
    expectNothingWritten(ctx);
  });

  it('answers 413 for a body over 64 KiB and reads no connection', async () => {
    const ctx = setup();
    const get = jest.spyOn(ctx.directory, 'get');
    const fields = inbound({ body: 'x'.repeat(64 * 1024) });
    const response = await ctx.handler(signedTwilioEvent({ path: PATH, fields, authToken: TOKEN }));
    expect(response.statusCode).toBe(413);
    expect(get).not.toHaveBeenCalled();
    expectNothingWritten(ctx);
  });

  it('answers 5xx when the store fails, and 5xx when the queue fails after storing', async () => {
    const ctx = setup();
    ctx.store.failWith = new DependencyUnavailableError('DynamoDB down');
    const storeDown = await ctx.handler(signedTwilioEvent({ path: PATH, fields: inbound(), authToken: TOKEN }));
    expect(storeDown.statusCode).toBe(503);
    expect(ctx.queue.sent).toHaveLength(0);

    ctx.store.failWith = undefined;
    ctx.queue.failWith = new DependencyUnavailableError('SQS down');
    const queueDown = await ctx.handler(signedTwilioEvent({ path: PATH, fields: inbound(), authToken: TOKEN }));
    expect(queueDown.statusCode).toBe(503);
    expect(ctx.store.inbound).toHaveLength(1);
    expect(ctx.queue.sent).toHaveLength(0);
  });

  it('still answers 200 when only the event bus fails, since the message is durable', async () => {
    const ctx = setup();
    ctx.events.failWith = new DependencyUnavailableError('EventBridge down');
    const response = await ctx.handler(signedTwilioEvent({ path: PATH, fields: inbound(), authToken: TOKEN }));
    expect(response.statusCode).toBe(200);
    expect(ctx.queue.sent).toHaveLength(1);
  });

  it('re-reads a rotated auth token once, and not again within a minute for forgeries', async () => {
    const ctx = setup();
    await ctx.handler(signedTwilioEvent({ path: PATH, fields: inbound(), authToken: TOKEN }));
    const rotated = 'd'.repeat(32);
    ctx.credentials.rotate('arn:secret:acme', { accountSid: ACCOUNT, authToken: rotated });

    const afterRotation = await ctx.handler(signedTwilioEvent({ path: PATH, fields: inbound(), authToken: rotated }));
    expect(afterRotation.statusCode).toBe(200);

    const forgedSoonAfter = await ctx.handler(
      signedTwilioEvent({ path: PATH, fields: inbound(), authToken: rotated, signature: 'eA==' }),
    );
    expect(forgedSoonAfter.statusCode).toBe(403);
    expect(ctx.credentials.reads.filter((r) => r.refresh)).toHaveLength(1);
  });

  describe('status callbacks', () => {
    const statusPath = `${PATH}/status`;
    const key = 'c=cv_ABC&m=01JDXYZ';

    it('applies a status by the message key from the callback URL', async () => {
      const ctx = setup();
      const sid = randomSid('SM');
      const fields = statusFields({ accountSid: ACCOUNT, messageSid: sid, status: 'delivered' });
      const response = await ctx.handler(signedTwilioEvent({ path: statusPath, rawQueryString: key, fields, authToken: TOKEN }));
      expect(response.statusCode).toBe(200);
      expect(ctx.store.statuses).toEqual([
        expect.objectContaining({ conversationId: 'cv_ABC', messageId: '01JDXYZ', connectionId: 'acme', externalId: sid, status: 'delivered' }),
      ]);
      // message.status rides on the status update itself (outbox), not on a publish of the handler.
      expect(ctx.store.statuses[0]!.event).toEqual({ detailType: 'message.status', detail: expect.objectContaining({ messageId: '01JDXYZ', status: 'delivered' }) });
      expect(ctx.events.published).toEqual([]);
    });

    it('acknowledges an unknown message without an event', async () => {
      const ctx = setup();
      ctx.store.statusResult = { outcome: 'unknown' };
      const fields = statusFields({ accountSid: ACCOUNT, messageSid: randomSid('SM'), status: 'read' });
      const response = await ctx.handler(signedTwilioEvent({ path: statusPath, rawQueryString: key, fields, authToken: TOKEN }));
      expect(response.statusCode).toBe(200);
      expect(ctx.events.published).toHaveLength(0);
    });

    it('acknowledges a callback without our message key and writes nothing', async () => {
      const ctx = setup();
      const fields = statusFields({ accountSid: ACCOUNT, messageSid: randomSid('SM'), status: 'sent' });
      const response = await ctx.handler(signedTwilioEvent({ path: statusPath, fields, authToken: TOKEN }));
      expect(response.statusCode).toBe(200);
      expectNothingWritten(ctx);
    });

    it('rejects a forged status callback', async () => {
      const ctx = setup();
      const fields = statusFields({ accountSid: ACCOUNT, messageSid: randomSid('SM'), status: 'read' });
      const response = await ctx.handler(
        signedTwilioEvent({ path: statusPath, rawQueryString: key, fields, authToken: TOKEN, signature: 'eA==' }),
      );
      expect(response.statusCode).toBe(403);
      expectNothingWritten(ctx);
    });
  });
});
