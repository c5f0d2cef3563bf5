import { Dialog360Sender } from '../../../../lambdas/providers/whatsapp/dialog360';
import { SendFailedError } from '../../../../lambdas/shared/errors';
import { BUSINESS_NUMBER, DIALOG360_CREDENTIALS, accepted, fakeFetch, jsonResponse, metaError, sendRequest, type Handler } from '../cloud-api/support';

const BASE = 'https://waba.example.test/';

function sender(handler: Handler) {
  const fake = fakeFetch(handler);
  return { fake, sender: new Dialog360Sender({ fetch: fake.fetch, timeoutMs: 1000, baseUrl: BASE }) };
}

const request = (overrides = {}) => sendRequest({ type: 'text', text: 'Hola' }, { credentials: DIALOG360_CREDENTIALS, from: { displayNumber: BUSINESS_NUMBER }, ...overrides });

async function failure(promise: Promise<unknown>): Promise<SendFailedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SendFailedError);
  return error as SendFailedError;
}

describe('Dialog360Sender', () => {
  it('posts Meta’s body to {base}/messages with D360-API-KEY and no bearer token', async () => {
    // Prepare
    const { fake, sender: s } = sender(() => accepted('wamid.D360'));

    // Act
    const result = await s.send(request());

    // Assess
    expect(result).toEqual({ externalId: 'wamid.D360', providerStatus: 'accepted' });
    const [sent] = fake.requests;
    expect(sent!.url).toBe('https://waba.example.test/messages');
    expect(sent!.headers['d360-api-key']).toBe(DIALOG360_CREDENTIALS.apiKey);
    expect(sent!.headers).not.toHaveProperty('authorization');
    expect(JSON.parse(sent!.body!)).toMatchObject({ messaging_product: 'whatsapp', to: '5215512345678', text: { body: 'Hola' } });
  });

  it.each<[string, Handler, string, string]>([
    ['an invalid key', () => jsonResponse(401, { meta: { success: false, http_code: 401, developer_message: 'Invalid api_key' } }), 'permanent', 'D360_INVALID_API_KEY'],
    ['a blocked endpoint', () => jsonResponse(403, { meta: { success: false, developer_message: 'Endpoint is blocked' } }), 'permanent', 'D360_ENDPOINT_BLOCKED'],
    ['the endpoint rate limit', () => jsonResponse(400, { meta: { success: false, developer_message: 'endpoint rate limit' } }), 'retryable', 'D360_ENDPOINT_RATE_LIMIT'],
    ['lack of payment', () => jsonResponse(400, { meta: { success: false, developer_message: 'lack of payment' } }), 'permanent', 'D360_LACK_OF_PAYMENT'],
    ['a Meta code forwarded by 360dialog', () => metaError(400, 131047), 'window-closed', '131047'],
    ['a 502 from 360dialog', () => new Response('Bad gateway', { status: 502 }), 'outcome-unknown', 'HTTP_502'],
  ])('classifies %s', async (_name, handler, kind, code) => {
    const error = await failure(sender(handler).sender.send(request()));
    expect([error.kind, error.code]).toEqual([kind, code]);
  });

  it('fails permanently without a call when the secret has no API key', async () => {
    const { fake, sender: s } = sender(() => accepted());
    expect((await failure(s.send(request({ credentials: { webhookSecret: 'x' } })))).code).toBe('CREDENTIALS_INVALID');
    expect(fake.requests).toHaveLength(0);
  });

  it('marks a message read on {base}/messages', async () => {
    const { fake, sender: s } = sender(() => jsonResponse(200, { success: true }));
    await s.markRead(DIALOG360_CREDENTIALS, { displayNumber: BUSINESS_NUMBER }, 'wamid.IN');
    expect(fake.requests[0]!.url).toBe('https://waba.example.test/messages');
    expect(JSON.parse(fake.requests[0]!.body!)).toMatchObject({ status: 'read', message_id: 'wamid.IN' });
  });
});
