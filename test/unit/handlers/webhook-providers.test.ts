/**
 * What the generic webhook handler does beyond Twilio (see webhook.test.ts for Twilio's path):
 * GET only where the BSP has a handshake, Cloud API body limits, and events that are neither
 * messages nor statuses.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Connection } from '../../../lambdas/domain/connection';
import { PROVIDER_PROFILES, webhookPath, type ProviderName } from '../../../lambdas/domain/providers';
import { createWebhookHandler, type WebhookDeps } from '../../../lambdas/handlers/webhook/handler';
import { Dialog360WebhookCodec } from '../../../lambdas/providers/whatsapp/dialog360';
import { MetaWebhookCodec } from '../../../lambdas/providers/whatsapp/meta';
import { TwilioWebhookCodec } from '../../../lambdas/providers/whatsapp/twilio';
import { CachedCredentials, FixedDirectory, RecordingEvents, RecordingQueue, RecordingStore, silentPowertools } from '../../support/fakes';
import { httpApiEvent } from '../../support/http-api-event';
import { BUSINESS_NUMBER, DIALOG360_CREDENTIALS, META_CREDENTIALS, PHONE_NUMBER_ID, WABA_ID, envelope } from '../providers/cloud-api/support';

const FIXTURES = join(__dirname, '../providers/cloud-api/fixtures');

const CONNECTIONS: Record<ProviderName, Connection> = {
  twilio: { connectionId: 'cn_twilio', businessId: 'acme', provider: 'twilio', status: 'active', displayNumber: '+14155238886', secretArn: 'arn:twilio' },
  meta: {
    connectionId: 'cn_meta',
    businessId: 'acme',
    provider: 'meta',
    status: 'active',
    displayNumber: BUSINESS_NUMBER,
    providerNumberId: PHONE_NUMBER_ID,
    providerAccountId: WABA_ID,
    secretArn: 'arn:meta',
  },
  '360dialog': { connectionId: 'cn_d360', businessId: 'acme', provider: '360dialog', status: 'active', displayNumber: BUSINESS_NUMBER, secretArn: 'arn:d360' },
};

function setup() {
  const store = new RecordingStore();
  const queue = new RecordingQueue();
  const events = new RecordingEvents();
  const directory = new FixedDirectory(Object.values(CONNECTIONS));
  const credentials = new CachedCredentials({
    'arn:twilio': { accountSid: `AC${'a'.repeat(32)}`, authToken: 'b'.repeat(32) },
    'arn:meta': META_CREDENTIALS,
    'arn:d360': DIALOG360_CREDENTIALS,
  });
  const powertools = silentPowertools();
  const addMetric = jest.spyOn(powertools.metrics, 'addMetric');
  const deps: WebhookDeps = {
    codecs: { twilio: new TwilioWebhookCodec(), meta: new MetaWebhookCodec(), '360dialog': new Dialog360WebhookCodec() },
    connections: directory,
    credentials,
    store,
    queue,
    events,
    clock: { now: () => new Date('2026-11-26T12:00:00Z') },
    ...powertools,
    config: { dedupeTtlMs: 86_400_000 },
  };
  const lookups = jest.spyOn(directory, 'get');
  const nothingWritten = () => {
    expect(store.inbound).toEqual([]);
    expect(store.statuses).toEqual([]);
    expect(queue.sent).toEqual([]);
    expect(events.published).toEqual([]);
  };
  const metric = (name: string) => addMetric.mock.calls.filter(([called]) => called === name).reduce((sum, [, , value]) => sum + Number(value), 0);
  return { handler: createWebhookHandler(deps), store, queue, credentials, lookups, nothingWritten, metric };
}

const metaSignature = (body: string) => `sha256=${createHmac('sha256', META_CREDENTIALS.appSecret).update(body, 'utf8').digest('hex')}`;

function metaPost(body: string, options: { base64?: boolean } = {}): APIGatewayProxyEventV2 {
  const event = httpApiEvent({ path: webhookPath('meta', 'cn_meta'), headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(body) }, body });
  if (!options.base64) return event;
  return { ...event, body: Buffer.from(body, 'utf8').toString('base64'), isBase64Encoded: true };
}

const handshakeQuery = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': META_CREDENTIALS.verifyToken, 'hub.challenge': '1158201444' }).toString();

describe('webhook handler: GET', () => {
  it.each(['twilio', '360dialog'] as const)('refuses a GET on %s, which has no handshake, before reading the connection', async (provider) => {
    // Prepare
    const ctx = setup();
    expect(PROVIDER_PROFILES[provider].routes.handshake).toBe(false);

    // Act
    const response = await ctx.handler(httpApiEvent({ method: 'GET', path: webhookPath(provider, CONNECTIONS[provider].connectionId), rawQueryString: handshakeQuery }));

    // Assess
    expect(response.statusCode).toBe(403);
    expect(response.body).not.toContain('1158201444');
    expect(ctx.lookups).not.toHaveBeenCalled();
    expect(ctx.credentials.reads).toEqual([]);
    ctx.nothingWritten();
  });

  it("refuses a GET on Twilio's status path", async () => {
    const ctx = setup();
    const response = await ctx.handler(httpApiEvent({ method: 'GET', path: webhookPath('twilio', 'cn_twilio', 'status'), rawQueryString: handshakeQuery }));
    expect(response.statusCode).toBe(403);
    expect(ctx.lookups).not.toHaveBeenCalled();
  });

  it("answers Meta's handshake with the challenge and counts it, writing nothing", async () => {
    // Act
    const ctx = setup();
    const response = await ctx.handler(httpApiEvent({ method: 'GET', path: webhookPath('meta', 'cn_meta'), rawQueryString: handshakeQuery }));

    // Assess
    expect(response).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: '1158201444' });
    expect(ctx.metric('WebhookVerified')).toBe(1);
    ctx.nothingWritten();
  });

  it("refuses Meta's handshake for a disabled connection", async () => {
    const ctx = setup();
    ctx.lookups.mockResolvedValueOnce({ ...CONNECTIONS.meta, status: 'disabled' });
    const response = await ctx.handler(httpApiEvent({ method: 'GET', path: webhookPath('meta', 'cn_meta'), rawQueryString: handshakeQuery }));
    expect(response.statusCode).toBe(403);
    expect(ctx.credentials.reads).toEqual([]);
  });
});

describe('webhook handler: Cloud API body size', () => {
  const limit = PROVIDER_PROFILES.meta.maxWebhookBodyBytes;
  /** A signed, valid Cloud API body of exactly `bytes` bytes (JSON whitespace as padding). */
  function bodyOf(bytes: number): string {
    const json = JSON.stringify(envelope({ statuses: [] }));
    return json.slice(0, -1) + ' '.repeat(bytes - Buffer.byteLength(json)) + '}';
  }

  it.each([
    ['as text', false],
    ['base64-encoded', true],
  ])('answers 413 to a body one byte over 3 MB (%s) before reading the connection', async (_name, base64) => {
    // Prepare
    const ctx = setup();
    const body = bodyOf(limit + 1);

    // Act
    const response = await ctx.handler(metaPost(body, { base64 }));

    // Assess
    expect(limit).toBe(3 * 1024 * 1024);
    expect(response.statusCode).toBe(413);
    expect(ctx.lookups).not.toHaveBeenCalled();
    ctx.nothingWritten();
  });

  it('accepts a body of exactly 3 MB', async () => {
    const ctx = setup();
    const body = bodyOf(limit);
    expect(Buffer.byteLength(body)).toBe(limit);
    expect((await ctx.handler(metaPost(body))).statusCode).toBe(200);
  });

  it("counts 360dialog's body against the same limit", async () => {
    const ctx = setup();
    const body = bodyOf(PROVIDER_PROFILES['360dialog'].maxWebhookBodyBytes + 1);
    const response = await ctx.handler(
      httpApiEvent({ path: webhookPath('360dialog', 'cn_d360'), headers: { 'x-echo-webhook-token': DIALOG360_CREDENTIALS.webhookSecret }, body }),
    );
    expect(response.statusCode).toBe(413);
    expect(ctx.lookups).not.toHaveBeenCalled();
  });
});

describe('webhook handler: other events', () => {
  it('counts events that are neither messages nor statuses, stores nothing, and acknowledges them', async () => {
    // Prepare: an account update, a template status update and an error about the number
    const ctx = setup();
    const body = readFileSync(join(FIXTURES, 'other-fields.json'), 'utf8');

    // Act
    const response = await ctx.handler(metaPost(body));

    // Assess
    expect(response).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: '' });
    expect(ctx.metric('WebhookOtherEvent')).toBe(3);
    ctx.nothingWritten();
  });

  it('stores the messages of a batch and counts the other events beside them', async () => {
    // Prepare: a text message, an unknown status word and an unreadable status
    const ctx = setup();
    const body = JSON.stringify(
      envelope({
        contacts: [{ profile: { name: 'Ana' }, wa_id: '5215512345678' }],
        messages: [{ from: '5215512345678', id: 'wamid.IN1', timestamp: '1764158400', type: 'text', text: { body: 'Hola' } }],
        statuses: [
          { id: 'wamid.OUT1', status: 'deleted', timestamp: '1764158400', recipient_id: '5215512345678' },
          { status: 'sent' },
        ],
      }),
    );

    // Act
    const response = await ctx.handler(metaPost(body));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(ctx.store.inbound.map((record) => record.message.externalId)).toEqual(['wamid.IN1']);
    expect(ctx.queue.sent).toHaveLength(1);
    expect(ctx.store.statuses).toEqual([]);
    expect(ctx.metric('WebhookOtherEvent')).toBe(2);
  });
});
