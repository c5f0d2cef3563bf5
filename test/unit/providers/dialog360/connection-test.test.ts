import { Dialog360ConnectionTester } from '../../../../lambdas/providers/whatsapp/dialog360';
import type { TestTarget } from '../../../../lambdas/providers/whatsapp/provider';
import { BspUnavailableError } from '../../../../lambdas/shared/errors';
import { BUSINESS_NUMBER, CUSTOMER_NUMBER, DIALOG360_CREDENTIALS, accepted, fakeFetch, jsonResponse, socketError, type Handler, type RecordedRequest } from '../cloud-api/support';

const BASE = 'https://waba.example.test';
const WEBHOOK_URL = 'https://hooks.example.com/webhook/whatsapp/360dialog/cn_360';
const TARGET: TestTarget = { connectionId: 'cn_360', number: { displayNumber: BUSINESS_NUMBER, providerNumberId: BUSINESS_NUMBER }, webhookUrl: WEBHOOK_URL };
const INVALID_KEY = () => jsonResponse(401, { meta: { success: false, http_code: 401, developer_message: 'Invalid api_key' } });

function tester(handler: Handler) {
  const fake = fakeFetch(handler);
  return { fake, tester: new Dialog360ConnectionTester({ fetch: fake.fetch, timeoutMs: 1000, baseUrl: BASE }) };
}

/** A 360dialog that keeps one webhook configuration: GET returns it (optionally with headers), POST replaces it. */
function configStore(initial: { url?: string; headers?: Record<string, string> } = {}, echoHeaders = false) {
  let config = initial;
  return (request: RecordedRequest): Response => {
    if (request.headers['d360-api-key'] !== DIALOG360_CREDENTIALS.apiKey) return INVALID_KEY();
    if (request.method === 'POST') {
      config = JSON.parse(request.body!);
      return jsonResponse(200, { url: config.url });
    }
    return jsonResponse(200, echoHeaders ? config : { url: config.url });
  };
}

const registrations = (requests: RecordedRequest[]) => requests.filter((r) => r.method === 'POST').map((r) => JSON.parse(r.body!));

describe('Dialog360ConnectionTester', () => {
  describe('credentials', () => {
    it('reads the webhook configuration with the API key', async () => {
      const { fake, tester: t } = tester(configStore());
      expect(await t.checkCredentials(DIALOG360_CREDENTIALS)).toEqual({ ok: true, detail: '360dialog accepted the API key.' });
      expect(fake.requests[0]).toMatchObject({ method: 'GET', url: `${BASE}/v1/configs/webhook` });
      expect(fake.requests[0]!.headers['d360-api-key']).toBe(DIALOG360_CREDENTIALS.apiKey);
    });

    it('fails an invalid (or replaced) key with what to do', async () => {
      expect(await tester(INVALID_KEY).tester.checkCredentials(DIALOG360_CREDENTIALS)).toEqual({
        ok: false,
        code: 'D360_INVALID_API_KEY',
        detail: expect.stringContaining('newest key'),
        credentialsRejected: true,
      });
    });

    it('fails an incomplete secret without a call', async () => {
      const { fake, tester: t } = tester(configStore());
      expect((await t.checkCredentials({ apiKey: DIALOG360_CREDENTIALS.apiKey })).code).toBe('CREDENTIALS_INVALID');
      expect(fake.requests).toHaveLength(0);
    });

    it.each<[string, Handler]>([
      ['a 500', () => new Response('', { status: 500 })],
      ['a 429', () => new Response('', { status: 429 })],
      ['an unreachable 360dialog', () => Promise.reject(socketError('ENOTFOUND'))],
      ['an unreadable answer', () => jsonResponse(200, { url: 42 })],
    ])('throws BspUnavailableError on %s', async (_name, handler) => {
      await expect(tester(handler).tester.checkCredentials(DIALOG360_CREDENTIALS)).rejects.toBeInstanceOf(BspUnavailableError);
    });
  });

  describe('sender (webhook registration)', () => {
    it('registers our URL and secret header when none is set, and says so', async () => {
      // Prepare
      const { fake, tester: t } = tester(configStore());

      // Act
      const check = await t.checkSender(DIALOG360_CREDENTIALS, TARGET);

      // Assess
      expect(check).toEqual({ ok: true, detail: expect.stringContaining('had no webhook; it was registered') });
      expect(registrations(fake.requests)).toEqual([{ url: WEBHOOK_URL, headers: { 'X-Echo-Webhook-Token': DIALOG360_CREDENTIALS.webhookSecret } }]);
    });

    it('replaces a webhook that points elsewhere', async () => {
      const { fake, tester: t } = tester(configStore({ url: 'https://old.example.com/hook' }));
      expect((await t.checkSender(DIALOG360_CREDENTIALS, TARGET)).detail).toContain('pointed to another URL');
      expect(registrations(fake.requests)).toHaveLength(1);
    });

    it('registers again when the URL is ours but 360dialog does not show the headers (the POST is idempotent)', async () => {
      const { fake, tester: t } = tester(configStore({ url: WEBHOOK_URL }));
      expect((await t.checkSender(DIALOG360_CREDENTIALS, TARGET)).detail).toContain('registered again');
      expect(registrations(fake.requests)).toHaveLength(1);
    });

    it('registers nothing when 360dialog shows our URL with our header', async () => {
      const header = { 'x-echo-webhook-token': DIALOG360_CREDENTIALS.webhookSecret };
      const { fake, tester: t } = tester(configStore({ url: WEBHOOK_URL, headers: header }, true));
      expect(await t.checkSender(DIALOG360_CREDENTIALS, TARGET)).toEqual({ ok: true, detail: expect.stringContaining('is registered') });
      expect(registrations(fake.requests)).toHaveLength(0);
    });

    it('registers again when the shown header carries another secret', async () => {
      const { fake, tester: t } = tester(configStore({ url: WEBHOOK_URL, headers: { 'X-Echo-Webhook-Token': 'old-secret' } }, true));
      expect((await t.checkSender(DIALOG360_CREDENTIALS, TARGET)).ok).toBe(true);
      expect(registrations(fake.requests)).toHaveLength(1);
    });

    it('fails when 360dialog refuses the URL, and throws when it gives no verdict', async () => {
      const refuse: Handler = (request) => (request.method === 'GET' ? jsonResponse(200, {}) : jsonResponse(400, { meta: { developer_message: 'invalid url' } }));
      expect(await tester(refuse).tester.checkSender(DIALOG360_CREDENTIALS, TARGET)).toEqual({ ok: false, code: 'HTTP_400', detail: expect.stringContaining('underscore') });
      const down: Handler = (request) => (request.method === 'GET' ? jsonResponse(200, {}) : new Response('', { status: 503 }));
      await expect(tester(down).tester.checkSender(DIALOG360_CREDENTIALS, TARGET)).rejects.toBeInstanceOf(BspUnavailableError);
    });

    it('fails an invalid key before registering anything', async () => {
      const { fake, tester: t } = tester(INVALID_KEY);
      expect((await t.checkSender(DIALOG360_CREDENTIALS, TARGET)).code).toBe('D360_INVALID_API_KEY');
      expect(registrations(fake.requests)).toHaveLength(0);
    });
  });

  describe('on save', () => {
    it('registers our URL and secret header, accepting an empty 2xx answer', async () => {
      const { fake, tester: t } = tester(() => new Response(null, { status: 204 }));
      expect(await t.onSaved(DIALOG360_CREDENTIALS, TARGET)).toEqual({ ok: true, detail: expect.any(String) });
      expect(fake.requests[0]).toMatchObject({ method: 'POST', url: `${BASE}/v1/configs/webhook` });
      expect(registrations(fake.requests)).toEqual([{ url: WEBHOOK_URL, headers: { 'X-Echo-Webhook-Token': DIALOG360_CREDENTIALS.webhookSecret } }]);
    });

    it('reports an invalid key as a failed step', async () => {
      expect((await tester(INVALID_KEY).tester.onSaved(DIALOG360_CREDENTIALS, TARGET)).code).toBe('D360_INVALID_API_KEY');
    });
  });

  describe('test message', () => {
    it('sends a text through {base}/messages, ok when 360dialog accepts it', async () => {
      const { fake, tester: t } = tester(() => accepted());
      expect((await t.sendTestMessage(DIALOG360_CREDENTIALS, TARGET, CUSTOMER_NUMBER, 'Prueba')).ok).toBe(true);
      expect(fake.requests[0]!.url).toBe(`${BASE}/messages`);
      expect(JSON.parse(fake.requests[0]!.body!)).not.toHaveProperty('biz_opaque_callback_data');
    });

    it("reports 360dialog's refusal as a failed step", async () => {
      expect(await tester(INVALID_KEY).tester.sendTestMessage(DIALOG360_CREDENTIALS, TARGET, CUSTOMER_NUMBER, 'x')).toEqual({
        ok: false,
        code: 'D360_INVALID_API_KEY',
        detail: expect.any(String),
      });
    });
  });
});
