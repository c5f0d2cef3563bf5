import { createHmac } from 'node:crypto';
import { META_GRAPH_VERSION, MetaSender } from '../../../../lambdas/providers/whatsapp/meta';
import type { SendableContent } from '../../../../lambdas/providers/whatsapp/provider';
import { SendFailedError } from '../../../../lambdas/shared/errors';
import {
  CUSTOMER_BSUID,
  META_CREDENTIALS,
  PHONE_NUMBER_ID,
  accepted,
  fakeFetch,
  hangUntilAborted,
  jsonResponse,
  metaError,
  sendRequest,
  socketError,
  type Handler,
} from '../cloud-api/support';

const GRAPH = 'https://graph.example.test';
const PROOF = createHmac('sha256', META_CREDENTIALS.appSecret).update(META_CREDENTIALS.accessToken).digest('hex');
const MESSAGES_URL = `${GRAPH}/${META_GRAPH_VERSION}/${PHONE_NUMBER_ID}/messages?appsecret_proof=${PROOF}`;

function sender(handler: Handler, timeoutMs = 1000) {
  const fake = fakeFetch(handler);
  return { fake, sender: new MetaSender({ fetch: fake.fetch, timeoutMs, graphBaseUrl: GRAPH, now: () => new Date('2026-01-01T00:00:00Z') }) };
}

async function failure(promise: Promise<unknown>): Promise<SendFailedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SendFailedError);
  return error as SendFailedError;
}

describe('MetaSender', () => {
  it(`posts to /${META_GRAPH_VERSION}/{phone_number_id}/messages with the bearer token and appsecret_proof`, async () => {
    // Prepare
    const { fake, sender: s } = sender(() => accepted('wamid.OUT'));

    // Act
    const result = await s.send(sendRequest({ type: 'text', text: 'Hola' }));

    // Assess
    expect(result).toEqual({ externalId: 'wamid.OUT', providerStatus: 'accepted' });
    const [request] = fake.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe(MESSAGES_URL);
    expect(request!.headers.authorization).toBe(`Bearer ${META_CREDENTIALS.accessToken}`);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request!.body!)).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '5215512345678',
      type: 'text',
      text: { body: 'Hola' },
      biz_opaque_callback_data: 'cv_01JABCDEFGHJKMNPQRSTVWXYZ0.01JABCDEFGHJKMNPQRSTVWXYZ1',
    });
  });

  it.each<[string, SendableContent, Record<string, unknown>]>([
    ['image', { type: 'image', url: 'https://cdn.example.com/p.jpg', caption: 'Menú' }, { type: 'image', image: { link: 'https://cdn.example.com/p.jpg', caption: 'Menú' } }],
    ['buttons', { type: 'buttons', body: '¿Sí?', buttons: [{ id: 'y', title: 'Sí' }] }, { type: 'interactive', interactive: expect.objectContaining({ type: 'button' }) }],
    ['list', { type: 'list', body: 'Elige', button: 'Ver', rows: [{ id: 'a', title: 'A' }] }, { type: 'interactive', interactive: expect.objectContaining({ type: 'list' }) }],
    ['template', { type: 'template', providerTemplateId: 'reengagement', language: 'es_MX', variables: { '1': 'Ana' } }, { type: 'template', template: expect.objectContaining({ name: 'reengagement' }) }],
  ])('sends %s content as the Cloud API body', async (_name, content, expected) => {
    const { fake, sender: s } = sender(() => accepted());
    await s.send(sendRequest(content));
    expect(JSON.parse(fake.requests[0]!.body!)).toMatchObject(expected);
  });

  it('sends to a business-scoped user id through recipient', async () => {
    const { fake, sender: s } = sender(() => accepted());
    await s.send(sendRequest({ type: 'text', text: 'Hola' }, { to: CUSTOMER_BSUID }));
    const body = JSON.parse(fake.requests[0]!.body!);
    expect(body.recipient).toBe(CUSTOMER_BSUID);
    expect(body).not.toHaveProperty('to');
  });

  it('keeps Meta’s message_status (a message held for quality assessment)', async () => {
    const { sender: s } = sender(() => accepted('wamid.HELD', 'held_for_quality_assessment'));
    expect(await s.send(sendRequest({ type: 'text', text: 'x' }))).toEqual({ externalId: 'wamid.HELD', providerStatus: 'held_for_quality_assessment' });
  });

  it('refuses a text over 4,096 characters without calling Meta', async () => {
    const { fake, sender: s } = sender(() => accepted());
    const error = await failure(s.send(sendRequest({ type: 'text', text: 'a'.repeat(4097) })));
    expect([error.kind, error.code]).toEqual(['permanent', 'TEXT_TOO_LONG']);
    expect(fake.requests).toHaveLength(0);
    expect(s.maxTextLength).toBe(4096);
  });

  it('fails permanently, without a call, when the secret lacks the token or the number lacks its id', async () => {
    const { fake, sender: s } = sender(() => accepted());
    const missing = await failure(s.send(sendRequest({ type: 'text', text: 'x' }, { credentials: { appSecret: 'x' } })));
    expect([missing.kind, missing.code]).toEqual(['permanent', 'CREDENTIALS_INVALID']);
    expect(missing.message).not.toContain(META_CREDENTIALS.appSecret);
    const noId = await failure(s.send(sendRequest({ type: 'text', text: 'x' }, { from: { displayNumber: '+15550783881' } })));
    expect(noId.code).toBe('SENDER_NOT_CONFIGURED');
    expect(fake.requests).toHaveLength(0);
  });

  describe('failures', () => {
    it.each<[string, Handler, SendableContent['type'], string, string]>([
      ['131047 (window closed)', () => metaError(400, 131047), 'text', 'window-closed', '131047'],
      ['130429 (throughput)', () => metaError(400, 130429), 'text', 'retryable', '130429'],
      ['131009 on buttons (falls back to text)', () => metaError(400, 131009), 'buttons', 'content-rejected', '131009'],
      ['131009 on text', () => metaError(400, 131009), 'text', 'permanent', '131009'],
      ['190 (token expired)', () => metaError(401, 190), 'text', 'permanent', '190'],
      ['a 500 without a code', () => new Response('<html>oops</html>', { status: 500 }), 'text', 'outcome-unknown', 'HTTP_500'],
      ['a 429 without a code', () => new Response('', { status: 429 }), 'text', 'retryable', 'HTTP_429'],
      ['a 200 without a message id', () => jsonResponse(200, { messaging_product: 'whatsapp', messages: [] }), 'text', 'outcome-unknown', 'UNREADABLE_RESPONSE'],
      ['a 200 that is not JSON', () => new Response('OK', { status: 200 }), 'text', 'outcome-unknown', 'UNREADABLE_RESPONSE'],
      ['a refused connection', () => Promise.reject(socketError('ECONNREFUSED')), 'text', 'retryable', 'ECONNREFUSED'],
      ['a reset connection', () => Promise.reject(socketError('ECONNRESET')), 'text', 'outcome-unknown', 'ECONNRESET'],
    ])('classifies %s', async (_name, handler, type, kind, code) => {
      // Prepare
      const { sender: s } = sender(handler);
      const content: SendableContent =
        type === 'buttons' ? { type: 'buttons', body: 'x', buttons: [{ id: 'a', title: 'A' }] } : { type: 'text', text: 'x' };

      // Act
      const error = await failure(s.send(sendRequest(content)));

      // Assess
      expect([error.kind, error.code]).toEqual([kind, code]);
    });

    it('honours Retry-After above the row’s floor', async () => {
      const { sender: s } = sender(() => metaError(400, 130429, {}, { 'retry-after': '9' }));
      const error = await failure(s.send(sendRequest({ type: 'text', text: 'x' })));
      expect([error.options.retryAfterMs, error.options.httpStatus]).toEqual([9000, 400]);
    });

    it('gives up after its timeout with an unknown outcome (the request may have reached Meta)', async () => {
      const { sender: s } = sender(hangUntilAborted, 20);
      const error = await failure(s.send(sendRequest({ type: 'text', text: 'x' })));
      expect([error.kind, error.code]).toEqual(['outcome-unknown', 'TIMEOUT']);
    });

    it('never puts the token into the error', async () => {
      const { sender: s } = sender(() => metaError(401, 190, { message: 'Error validating access token' }));
      const error = await failure(s.send(sendRequest({ type: 'text', text: 'x' })));
      expect(JSON.stringify({ message: error.message, reason: error.reason })).not.toContain(META_CREDENTIALS.accessToken);
    });
  });

  it('marks a message read with typing on the same endpoint', async () => {
    const { fake, sender: s } = sender(() => jsonResponse(200, { success: true }));
    await s.markRead(META_CREDENTIALS, { displayNumber: '+15550783881', providerNumberId: PHONE_NUMBER_ID }, 'wamid.IN');
    expect(fake.requests[0]!.url).toBe(MESSAGES_URL);
    expect(JSON.parse(fake.requests[0]!.body!)).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN', typing_indicator: { type: 'text' } });
  });

  it('classifies codes from failed statuses with the same table', () => {
    const { sender: s } = sender(() => accepted());
    expect(s.failureKindOf('131047', 'text')).toBe('window-closed');
    expect(s.failureKindOf('131051', 'list')).toBe('content-rejected');
    expect(s.failureKindOf('131000', 'image')).toBe('retryable');
  });
});
