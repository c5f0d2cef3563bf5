import { META_GRAPH_VERSION, MetaConnectionTester, appSecretProof } from '../../../../lambdas/providers/whatsapp/meta';
import type { TestTarget } from '../../../../lambdas/providers/whatsapp/provider';
import { BspUnavailableError } from '../../../../lambdas/shared/errors';
import {
  BUSINESS_NUMBER,
  CUSTOMER_NUMBER,
  META_CREDENTIALS,
  PHONE_NUMBER_ID,
  WABA_ID,
  accepted,
  fakeFetch,
  jsonResponse,
  metaError,
  socketError,
  type Handler,
} from '../cloud-api/support';

const GRAPH = 'https://graph.example.test';
const WEBHOOK_URL = 'https://hooks.example.com/webhook/whatsapp/meta/cn_meta';
const TARGET: TestTarget = {
  connectionId: 'cn_meta',
  number: { displayNumber: BUSINESS_NUMBER, providerNumberId: PHONE_NUMBER_ID },
  providerAccountId: WABA_ID,
  webhookUrl: WEBHOOK_URL,
};

function tester(handler: Handler, appId?: string) {
  const fake = fakeFetch(handler);
  return { fake, tester: new MetaConnectionTester({ fetch: fake.fetch, timeoutMs: 1000, graphBaseUrl: GRAPH, ...(appId && { appId }) }) };
}

const phoneNumber = (display = '+1 555-078-3881') =>
  jsonResponse(200, { display_phone_number: display, verified_name: 'Panadería Acme', quality_rating: 'GREEN', id: PHONE_NUMBER_ID });
const subscribedApps = (ids: string[]) =>
  jsonResponse(200, { data: ids.map((id) => ({ whatsapp_business_api_data: { id, link: 'https://example.com', name: 'Echo' } })) });

describe('MetaConnectionTester', () => {
  describe('credentials', () => {
    it('reads the phone number with the token and appsecret_proof, and reports its facts', async () => {
      // Prepare
      const { fake, tester: t } = tester(() => phoneNumber());

      // Act
      const check = await t.checkCredentials(META_CREDENTIALS, TARGET);

      // Assess
      expect(check).toEqual({
        ok: true,
        detail: expect.stringContaining('+15550783881'),
        facts: { displayNumber: '+15550783881', verifiedName: 'Panadería Acme', qualityRating: 'GREEN' },
      });
      const url = new URL(fake.requests[0]!.url);
      expect(`${url.origin}${url.pathname}`).toBe(`${GRAPH}/${META_GRAPH_VERSION}/${PHONE_NUMBER_ID}`);
      expect(url.searchParams.get('fields')).toBe('display_phone_number,verified_name,quality_rating');
      expect(url.searchParams.get('appsecret_proof')).toBe(appSecretProof(META_CREDENTIALS.accessToken, META_CREDENTIALS.appSecret));
      expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${META_CREDENTIALS.accessToken}`);
    });

    it('passes a connection without a display number yet, reporting the one Meta knows', async () => {
      const target = { ...TARGET, number: { displayNumber: '', providerNumberId: PHONE_NUMBER_ID } };
      expect(await tester(() => phoneNumber()).tester.checkCredentials(META_CREDENTIALS, target)).toMatchObject({ ok: true, facts: { displayNumber: '+15550783881' } });
    });

    it('fails when the phone number id belongs to another number than the connection’s', async () => {
      const check = await tester(() => phoneNumber('+1 555-000-0000')).tester.checkCredentials(META_CREDENTIALS, TARGET);
      expect(check).toMatchObject({ ok: false, code: 'DISPLAY_NUMBER_MISMATCH', facts: { displayNumber: '+15550000000' } });
    });

    it.each<[string, Handler, string, RegExp, boolean]>([
      ['an expired token (190)', () => metaError(401, 190), '190', /access token/, true],
      ['a 401 without a code', () => new Response('', { status: 401 }), 'HTTP_401', /access token/, true],
      ['a token without permission (10)', () => metaError(403, 10), '10', /permission/, false],
      ['an app secret of another app', () => metaError(400, 100, { message: 'Invalid appsecret_proof provided in the API argument' }), 'APP_SECRET_MISMATCH', /app secret/i, false],
      ['an unknown phone number id', () => metaError(400, 100, { message: 'Unsupported get request.', subcode: 33 }), '100', /phone number ID/, false],
      ['another refusal', () => metaError(400, 131031), '131031', /refused/, false],
    ])('fails on %s with a sentence saying what to fix (credentials rejected: %s)', async (_name, handler, code, detail, rejected) => {
      const check = await tester(handler).tester.checkCredentials(META_CREDENTIALS, TARGET);
      expect(check).toEqual({ ok: false, code, detail: expect.stringMatching(detail), ...(rejected && { credentialsRejected: true }) });
    });

    it('fails without a call when the connection has no phone number id or the secret is incomplete', async () => {
      const { fake, tester: t } = tester(() => phoneNumber());
      expect((await t.checkCredentials(META_CREDENTIALS, { ...TARGET, number: { displayNumber: BUSINESS_NUMBER } })).code).toBe('PHONE_NUMBER_ID_MISSING');
      expect((await t.checkCredentials({ accessToken: 'EAAx' }, TARGET)).code).toBe('CREDENTIALS_INVALID');
      expect(fake.requests).toHaveLength(0);
    });

    it.each<[string, Handler]>([
      ['a 429', () => metaError(429, 4)],
      ['a 500', () => new Response('', { status: 500 })],
      ['an unreachable Graph API', () => Promise.reject(socketError('ECONNREFUSED'))],
      ['a timeout', () => Promise.reject(new DOMException('t', 'TimeoutError'))],
      ['an unreadable answer', () => jsonResponse(200, { display_phone_number: 42 })],
    ])('throws BspUnavailableError on %s: Meta gave no verdict', async (_name, handler) => {
      await expect(tester(handler).tester.checkCredentials(META_CREDENTIALS, TARGET)).rejects.toBeInstanceOf(BspUnavailableError);
    });
  });

  describe('sender (webhook subscription)', () => {
    it('passes when an app is subscribed to the WABA', async () => {
      const { fake, tester: t } = tester(() => subscribedApps(['1234567890']));
      expect(await t.checkSender(META_CREDENTIALS, TARGET)).toEqual({ ok: true, detail: expect.any(String) });
      expect(new URL(fake.requests[0]!.url).pathname).toBe(`/${META_GRAPH_VERSION}/${WABA_ID}/subscribed_apps`);
    });

    it('fails with WEBHOOK_NOT_SUBSCRIBED and tells the owner what to do', async () => {
      const check = await tester(() => subscribedApps([])).tester.checkSender(META_CREDENTIALS, TARGET);
      expect(check).toEqual({ ok: false, code: 'WEBHOOK_NOT_SUBSCRIBED', detail: expect.stringContaining(WEBHOOK_URL) });
      expect(check.detail).toMatch(/subscribe/);
    });

    it('requires our app when its id is configured', async () => {
      expect((await tester(() => subscribedApps(['1111']), '2222').tester.checkSender(META_CREDENTIALS, TARGET)).code).toBe('WEBHOOK_NOT_SUBSCRIBED');
      expect((await tester(() => subscribedApps(['1111', '2222']), '2222').tester.checkSender(META_CREDENTIALS, TARGET)).ok).toBe(true);
    });

    it('fails without a call when the connection has no WABA id', async () => {
      const { fake, tester: t } = tester(() => subscribedApps(['1']));
      expect((await t.checkSender(META_CREDENTIALS, { ...TARGET, providerAccountId: undefined })).code).toBe('WABA_ID_MISSING');
      expect(fake.requests).toHaveLength(0);
    });

    it('fails on a refused read and throws BspUnavailableError when Meta gave no verdict', async () => {
      expect((await tester(() => metaError(400, 100, { subcode: 33 })).tester.checkSender(META_CREDENTIALS, TARGET)).detail).toMatch(/Business Account ID/);
      await expect(tester(() => new Response('', { status: 503 })).tester.checkSender(META_CREDENTIALS, TARGET)).rejects.toBeInstanceOf(BspUnavailableError);
    });
  });

  describe('test message', () => {
    it('sends a text without our message key, ok when Meta accepts it', async () => {
      const { fake, tester: t } = tester(() => accepted());
      expect((await t.sendTestMessage(META_CREDENTIALS, TARGET, CUSTOMER_NUMBER, 'Prueba')).ok).toBe(true);
      const body = JSON.parse(fake.requests[0]!.body!);
      expect(body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '5215512345678', type: 'text', text: { body: 'Prueba' } });
    });

    it("reports Meta's refusal, and even an outage, as a failed step", async () => {
      expect(await tester(() => metaError(400, 131026)).tester.sendTestMessage(META_CREDENTIALS, TARGET, CUSTOMER_NUMBER, 'x')).toEqual({
        ok: false,
        code: '131026',
        detail: expect.any(String),
      });
      expect((await tester(() => Promise.reject(socketError('ECONNREFUSED'))).tester.sendTestMessage(META_CREDENTIALS, TARGET, CUSTOMER_NUMBER, 'x')).ok).toBe(false);
    });
  });
});
