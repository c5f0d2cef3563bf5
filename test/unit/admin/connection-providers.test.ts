import { Logger } from '@aws-lambda-powertools/logger';
import { getConnection, putConnection, testConnection } from '../../../lambdas/domain/admin/connections';
import type { PutConnectionBody } from '../../../lambdas/domain/admin/contract';
import { NumberInUseError, ProviderNotSupportedError } from '../../../lambdas/domain/admin/errors';
import { problemOf } from '../../../lambdas/domain/admin/problems';
import { ADMIN_ROUTE_KEYS, createAdminHandler } from '../../../lambdas/handlers/admin/handler';
import { BspUnavailableError } from '../../../lambdas/shared/errors';
import { captureProcessOutput } from '../../support/capture-output';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  BUSINESS,
  DIALOG360_KEY,
  META,
  NUMBER,
  OTHER_BUSINESS,
  adminHarness,
  apiEvent,
  dialog360Body,
  metaBody,
  putBody,
  type AdminHarness,
} from './fakes';

const body = (value: unknown) => value as PutConnectionBody;
const HOOKS = 'https://hooks.example.com/webhook/whatsapp';
const FIRST_ID = 'cn_TEST0000000000000000000001';

async function call(h: AdminHarness, method: 'GET' | 'PUT' | 'DELETE' | 'TEST', payload?: unknown, business = BUSINESS) {
  const routeKey = {
    GET: ADMIN_ROUTE_KEYS.getConnection,
    PUT: ADMIN_ROUTE_KEYS.putConnection,
    DELETE: ADMIN_ROUTE_KEYS.deleteConnection,
    TEST: ADMIN_ROUTE_KEYS.testConnection,
  }[method];
  const path = `/businesses/${business}/whatsapp/connection${method === 'TEST' ? '/test' : ''}`;
  const response = await createAdminHandler(h.deps)(
    apiEvent({ routeKey, path, pathParameters: { businessId: business }, claims: { sub: 'user-1', 'custom:business_id': business }, body: payload }),
  );
  return { status: response.statusCode!, raw: response.body ?? '', body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : undefined };
}

/** Everything the harness can have written, to assert that a refused request wrote nothing. */
const written = (h: AdminHarness) => JSON.stringify({ store: h.store.writes, secrets: h.secrets.writes, events: h.events.published, setups: h.dialogTester.setups });

describe('admin connections for three providers', () => {
  describe('PUT meta', () => {
    it('stores the ids as facts, the token, App Secret and a generated verify token in the secret, and shows the verify token in full', async () => {
      // Prepare
      const h = adminHarness();

      // Act
      const { view, created } = await putConnection(BUSINESS, body(metaBody()), h.deps);

      // Assess
      expect(created).toBe(true);
      expect(view).toEqual({
        businessId: BUSINESS,
        connected: false,
        status: 'active',
        connectionId: FIRST_ID,
        provider: 'meta',
        verified: false,
        updatedAt: '2026-11-27T10:00:00.000Z',
        credentials: {
          phoneNumberId: META.phoneNumberId,
          wabaId: META.wabaId,
          accessTokenLast4: 'Zk9Q',
          appSecretLast4: 'c4d2',
          verifyToken: h.tokens[0],
        },
        webhookUrls: { incoming: `${HOOKS}/meta/${FIRST_ID}` },
        handoff: { pauseHours: 12 },
      });
      expect(h.tokens[0]).toHaveLength(32);
      const item = h.store.items.get(FIRST_ID)!;
      expect(item).toEqual(
        expect.objectContaining({ provider: 'meta', providerNumberId: META.phoneNumberId, providerAccountId: META.wabaId, secretLast4: { accessToken: 'Zk9Q', appSecret: 'c4d2' } }),
      );
      expect(item.displayNumber).toBeUndefined();
      expect(item.accountSid).toBeUndefined();
      expect(h.secrets.read(item.secretArn)).toEqual({ accessToken: META.accessToken, appSecret: META.appSecret, verifyToken: h.tokens[0] });
      expect(JSON.stringify(view)).not.toContain(META.accessToken);
      expect(JSON.stringify(view)).not.toContain(META.appSecret);
      expect(h.events.published).toEqual([{ detailType: 'connection.changed', detail: expect.objectContaining({ provider: 'meta', change: 'saved' }) }]);
    });

    it('keeps the verify token when the access token and App Secret are rotated', async () => {
      // Prepare
      const h = adminHarness();
      await putConnection(BUSINESS, body(metaBody()), h.deps);
      const rotated = { accessToken: `EAAG${'y'.repeat(150)}Rt5w`, appSecret: 'fedcba9876543210fedcba98765499aa' };

      // Act
      const { view, created } = await putConnection(BUSINESS, body(metaBody(rotated)), h.deps);

      // Assess
      expect(created).toBe(false);
      expect(h.tokens).toHaveLength(1);
      expect(view.credentials).toEqual(expect.objectContaining({ accessTokenLast4: 'Rt5w', appSecretLast4: '99aa', verifyToken: h.tokens[0] }));
      expect(h.secrets.read(h.store.items.get(FIRST_ID)!.secretArn)).toEqual({ ...rotated, verifyToken: h.tokens[0] });
    });

    it('takes the number when given, and keeps the one a test read when re-saved without it', async () => {
      // Prepare
      const h = adminHarness();
      h.metaTester.credentials = { ok: true, detail: 'ok', facts: { displayNumber: '+52 1 55 1234 5678' } };
      await putConnection(BUSINESS, body(metaBody()), h.deps);
      await testConnection(BUSINESS, {}, h.deps);

      // Act
      const resaved = await putConnection(BUSINESS, body(metaBody()), h.deps);
      const withNumber = await putConnection(BUSINESS, body(metaBody({ whatsappNumber: '+5215587654321' })), h.deps);

      // Assess
      expect(resaved.view.displayNumber).toBe('+5215512345678');
      expect(withNumber.view.displayNumber).toBe('+5215587654321');
    });
  });

  describe('PUT 360dialog', () => {
    it('stores the key and a generated webhook secret, registers the webhook with them and shows the registration', async () => {
      // Prepare
      const h = adminHarness();

      // Act
      const { view } = await putConnection(BUSINESS, body(dialog360Body()), h.deps);

      // Assess
      const secret = { apiKey: DIALOG360_KEY, webhookSecret: h.tokens[0] };
      expect(h.secrets.read(h.store.items.get(FIRST_ID)!.secretArn)).toEqual(secret);
      expect(h.dialogTester.setups).toEqual([
        {
          credentials: secret,
          target: { connectionId: FIRST_ID, number: { displayNumber: NUMBER, providerNumberId: NUMBER }, webhookUrl: `${HOOKS}/360dialog/${FIRST_ID}` },
        },
      ]);
      expect(view).toEqual(
        expect.objectContaining({
          provider: '360dialog',
          displayNumber: NUMBER,
          credentials: { apiKeyLast4: DIALOG360_KEY.slice(-4) },
          webhookUrls: { incoming: `${HOOKS}/360dialog/${FIRST_ID}` },
          setup: { at: '2026-11-27T10:00:00.000Z', ok: true, detail: 'registered' },
        }),
      );
      expect(JSON.stringify(view)).not.toContain(DIALOG360_KEY);
      expect(JSON.stringify(view)).not.toContain(h.tokens[0]);
    });

    it('re-registers on every save with the same webhook secret and the new key', async () => {
      // Prepare
      const h = adminHarness();
      await putConnection(BUSINESS, body(dialog360Body()), h.deps);

      // Act
      await putConnection(BUSINESS, body(dialog360Body({ apiKey: 'NewKey0123456789abcdef_AK' })), h.deps);

      // Assess
      expect(h.tokens).toHaveLength(1);
      expect(h.dialogTester.setups.map((s) => s.credentials)).toEqual([
        { apiKey: DIALOG360_KEY, webhookSecret: h.tokens[0] },
        { apiKey: 'NewKey0123456789abcdef_AK', webhookSecret: h.tokens[0] },
      ]);
    });

    it('saves even when the registration fails, and shows why', async () => {
      // Prepare
      const h = adminHarness();
      h.dialogTester.saved = { ok: false, code: '401', detail: 'Invalid api_key' };

      // Act
      const refused = await putConnection(BUSINESS, body(dialog360Body()), h.deps);
      h.dialogTester.saved = new BspUnavailableError('360dialog down');
      const reported: unknown[] = [];
      const unreachable = await putConnection(BUSINESS, body(dialog360Body()), { ...h.deps, onSetupFailed: (error) => reported.push(error) });

      // Assess
      expect(refused.view.setup).toEqual({ at: expect.any(String), ok: false, code: '401', detail: 'Invalid api_key' });
      expect(unreachable.view.status).toBe('active');
      expect(unreachable.view.setup).toEqual(expect.objectContaining({ ok: false, code: 'BSP_UNAVAILABLE' }));
      expect(reported).toHaveLength(1);
      expect((await getConnection(BUSINESS, h.deps)).setup).toEqual(unreachable.view.setup);
    });

    it('says the webhook is not registered when no 360dialog tester is wired', async () => {
      const h = adminHarness();
      const { view } = await putConnection(BUSINESS, body(dialog360Body()), { ...h.deps, testers: { twilio: h.tester } });
      expect(view.setup).toEqual(expect.objectContaining({ ok: false, code: 'NOT_WIRED' }));
    });
  });

  it('switching provider keeps the connection id, drops the other provider\'s facts and generates what the new one needs', async () => {
    // Prepare
    const h = adminHarness();
    await putConnection(BUSINESS, body(putBody()), h.deps);

    // Act
    const { view } = await putConnection(BUSINESS, body(metaBody()), h.deps);

    // Assess
    expect(view.connectionId).toBe(FIRST_ID);
    expect(view.webhookUrls).toEqual({ incoming: `${HOOKS}/meta/${FIRST_ID}` });
    const item = h.store.items.get(FIRST_ID)!;
    expect(item.accountSid).toBeUndefined();
    expect(item.secretLast4).toEqual({ accessToken: 'Zk9Q', appSecret: 'c4d2' });
    expect(h.tokens).toHaveLength(1);
  });

  describe('one connection per provider number', () => {
    it('refuses a number another business holds with 409 number-in-use, writing nothing', async () => {
      // Prepare
      const h = adminHarness();
      await putConnection(OTHER_BUSINESS, body(metaBody()), h.deps);
      const before = written(h);

      // Act
      const response = await call(h, 'PUT', metaBody({ accessToken: `EAAG${'z'.repeat(100)}` }));

      // Assess
      expect(response.status).toBe(409);
      expect(response.body).toEqual(expect.objectContaining({ type: 'https://echo.example/problems/number-in-use', status: 409 }));
      expect(written(h)).toBe(before);
      expect(response.raw).not.toContain(OTHER_BUSINESS);
    });

    it('lets the same business re-save its number, and frees the old number when it moves to another', async () => {
      // Prepare
      const h = adminHarness();
      await putConnection(BUSINESS, body(dialog360Body()), h.deps);
      await putConnection(BUSINESS, body(dialog360Body()), h.deps);

      // Act
      await putConnection(BUSINESS, body(dialog360Body({ whatsappNumber: '+5215587654321' })), h.deps);

      // Assess
      expect(await h.store.findByProviderNumber('360dialog', NUMBER)).toBeUndefined();
      expect((await h.store.findByProviderNumber('360dialog', '+5215587654321'))?.businessId).toBe(BUSINESS);
      const other = await putConnection(OTHER_BUSINESS, body(dialog360Body()), h.deps);
      expect(other.view.displayNumber).toBe(NUMBER);
    });

    it('frees the number on DELETE', async () => {
      const h = adminHarness();
      await putConnection(BUSINESS, body(putBody()), h.deps);
      expect((await call(h, 'DELETE')).status).toBe(204);
      expect((await putConnection(OTHER_BUSINESS, body(putBody()), h.deps)).created).toBe(true);
    });

    it('undoes a new connection that lost the number in a race: pointer given up, secret scheduled for deletion', async () => {
      // Prepare: a rival business claims the number between our check and our save.
      const h = adminHarness();
      h.store.beforeSave = () => h.store.claims.set(`meta#${META.phoneNumberId}`, { businessId: OTHER_BUSINESS, connectionId: 'cn_RIVAL' });

      // Act
      const saving = putConnection(BUSINESS, body(metaBody()), h.deps);

      // Assess
      await expect(saving).rejects.toBeInstanceOf(NumberInUseError);
      expect(h.store.pointers.has(BUSINESS)).toBe(false);
      expect(h.secrets.writes).toEqual([`put echo-whatsapp/connections/${FIRST_ID}`, `delete echo-whatsapp/connections/${FIRST_ID} 7`]);
      expect(h.events.published).toEqual([]);
    });

    it('puts back the previous secret of a re-save that lost the new number in a race', async () => {
      // Prepare
      const h = adminHarness();
      await putConnection(BUSINESS, body(putBody()), h.deps);
      const arn = h.store.items.get(FIRST_ID)!.secretArn;
      h.store.beforeSave = () => h.store.claims.set('twilio#+5215587654321', { businessId: OTHER_BUSINESS, connectionId: 'cn_RIVAL' });

      // Act
      const saving = putConnection(BUSINESS, body(putBody({ whatsappNumber: '+5215587654321', authToken: 'ffffffffffffffffffffffffffff1234' })), h.deps);

      // Assess
      await expect(saving).rejects.toBeInstanceOf(NumberInUseError);
      expect(h.secrets.read(arn)).toEqual({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
      expect(h.store.items.get(FIRST_ID)!.displayNumber).toBe(NUMBER);
    });
  });

  describe('validation', () => {
    const invalid: Array<[string, unknown, string]> = [
      ['twilio', putBody({ accountSid: 'AC123' }), 'twilio.accountSid'],
      ['twilio', putBody({ authToken: 'short' }), 'twilio.authToken'],
      ['twilio', putBody({ whatsappNumber: '5215512345678' }), 'twilio.whatsappNumber'],
      ['twilio', putBody({ messagingServiceSid: 'MGxyz' }), 'twilio.messagingServiceSid'],
      ['meta', metaBody({ phoneNumberId: 'abc' }), 'meta.phoneNumberId'],
      ['meta', metaBody({ wabaId: '12' }), 'meta.wabaId'],
      ['meta', metaBody({ accessToken: 'EAA short token' }), 'meta.accessToken'],
      ['meta', metaBody({ appSecret: 'NOT-A-SECRET' }), 'meta.appSecret'],
      ['meta', metaBody({ whatsappNumber: '+0' }), 'meta.whatsappNumber'],
      ['meta', metaBody({ apiKey: DIALOG360_KEY }), 'meta'],
      ['360dialog', dialog360Body({ apiKey: 'k' }), 'dialog360.apiKey'],
      ['360dialog', dialog360Body({ whatsappNumber: undefined }), 'dialog360.whatsappNumber'],
      ['none', { provider: 'vonage', vonage: {} }, 'provider'],
      ['none', { provider: 'meta', twilio: putBody().twilio }, 'meta'],
    ];

    it.each(invalid)('%s: 400 naming the field, nothing written (%#)', async (_provider, payload, path) => {
      // Prepare
      const h = adminHarness();

      // Act
      const response = await call(h, 'PUT', payload);

      // Assess
      expect(response.status).toBe(400);
      expect(response.body).toEqual(expect.objectContaining({ type: 'https://echo.example/problems/validation-failed' }));
      const paths = (response.body!.errors as Array<{ path: string; message: string }>).map((e) => e.path);
      expect(paths).toContain(path);
      expect(written(h)).toBe(written(adminHarness()));
      for (const secret of [META.accessToken, META.appSecret, DIALOG360_KEY, AUTH_TOKEN]) expect(response.raw).not.toContain(secret);
    });

    it('lists every invalid field of one provider at once', async () => {
      const response = await call(adminHarness(), 'PUT', metaBody({ phoneNumberId: 'x', wabaId: 'y', appSecret: 'z' }));
      expect((response.body!.errors as Array<{ path: string }>).map((e) => e.path).sort()).toEqual(['meta.appSecret', 'meta.phoneNumberId', 'meta.wabaId']);
    });
  });

  describe('GET never shows a secret', () => {
    it.each([
      ['twilio', putBody(), [AUTH_TOKEN]],
      ['meta', metaBody(), [META.accessToken, META.appSecret]],
      ['360dialog', dialog360Body(), [DIALOG360_KEY]],
    ] as const)('%s', async (_provider, payload, secrets) => {
      // Prepare
      const h = adminHarness();
      const put = await call(h, 'PUT', payload);

      // Act
      const got = await call(h, 'GET');
      const tested = await call(h, 'TEST', { sendTo: '+5215599999999' });

      // Assess
      expect(got.status).toBe(200);
      for (const raw of [put.raw, got.raw, tested.raw, JSON.stringify(h.audit.records), JSON.stringify(h.events.published)]) {
        for (const secret of secrets) expect(raw).not.toContain(secret);
        // 360dialog's webhook secret is never shown; Meta's verify token only in the view.
        if (payload.provider === '360dialog') expect(raw).not.toContain(h.tokens[0]);
      }
    });
  });

  describe('test', () => {
    it('Meta without a number: the credentials step reads it, the test records it in E.164 with the facts, and the sender is checked with it', async () => {
      // Prepare
      const h = adminHarness();
      await putConnection(BUSINESS, body(metaBody()), h.deps);
      h.metaTester.credentials = {
        ok: true,
        detail: 'The token reads the number.',
        facts: { displayNumber: '+52 1 55 1234 5678', verifiedName: 'Acme Tacos', qualityRating: 'GREEN' },
      };

      // Act
      const { result } = await testConnection(BUSINESS, { sendTo: '+5215599999999' }, h.deps);

      // Assess
      expect(result).toEqual({
        ok: true,
        verified: true,
        displayNumber: '+5215512345678',
        facts: { verifiedName: 'Acme Tacos', qualityRating: 'GREEN' },
        steps: [
          { id: 'credentials', ok: true, detail: 'The token reads the number.' },
          { id: 'sender', ok: true, detail: 'ok' },
          { id: 'testMessage', ok: true, detail: 'accepted' },
        ],
      });
      expect(h.metaTester.targets[0]).toEqual({
        connectionId: FIRST_ID,
        number: { displayNumber: '', providerNumberId: META.phoneNumberId },
        providerAccountId: META.wabaId,
        webhookUrl: `${HOOKS}/meta/${FIRST_ID}`,
      });
      expect(h.metaTester.targets[1].number.displayNumber).toBe('+5215512345678');
      expect(h.metaTester.calls.at(-1)).toBe('message +5215512345678 +5215599999999');
      const view = await getConnection(BUSINESS, h.deps);
      expect(view).toEqual(expect.objectContaining({ connected: true, displayNumber: '+5215512345678', facts: { verifiedName: 'Acme Tacos', qualityRating: 'GREEN' } }));
      expect(h.events.published.at(-1)).toEqual({ detailType: 'connection.changed', detail: expect.objectContaining({ provider: 'meta', change: 'tested', verified: true }) });
    });

    it('Meta without a number the BSP does not tell: the credentials step fails with a remedy and nothing is verified', async () => {
      // Prepare
      const h = adminHarness();
      await putConnection(BUSINESS, body(metaBody()), h.deps);

      // Act
      const { result } = await testConnection(BUSINESS, {}, h.deps);

      // Assess
      expect(result.verified).toBe(false);
      expect(result.steps).toEqual([
        { id: 'credentials', ok: false, code: 'NUMBER_UNKNOWN', detail: expect.stringContaining('number') },
        { id: 'sender', ok: false, skipped: true, detail: expect.any(String) },
      ]);
      expect(h.metaTester.calls).toHaveLength(1);
    });

    it('360dialog uses its own tester with its credentials and number', async () => {
      // Prepare
      const h = adminHarness();
      await putConnection(BUSINESS, body(dialog360Body()), h.deps);
      h.dialogTester.sender = { ok: false, code: 'WEBHOOK_NOT_REGISTERED', detail: 'not registered' };

      // Act
      const { result } = await testConnection(BUSINESS, {}, h.deps);

      // Assess
      expect(h.dialogTester.calls).toEqual([`credentials ${DIALOG360_KEY}`, `sender ${NUMBER}`]);
      expect(h.tester.calls).toEqual([]);
      expect(result).toEqual(expect.objectContaining({ ok: false, verified: false, displayNumber: NUMBER }));
      expect(result.steps[1]).toEqual({ id: 'sender', ok: false, code: 'WEBHOOK_NOT_REGISTERED', detail: 'not registered' });
    });

    it('answers 409 not-supported when the provider has no tester in this deployment', async () => {
      const h = adminHarness();
      await putConnection(BUSINESS, body(metaBody()), h.deps);
      const testing = testConnection(BUSINESS, {}, { ...h.deps, testers: { twilio: h.tester } });
      await expect(testing).rejects.toBeInstanceOf(ProviderNotSupportedError);
      expect(problemOf(await testing.catch((e: unknown) => e))).toEqual(expect.objectContaining({ status: 409, type: 'https://echo.example/problems/not-supported' }));
    });
  });

  it('audits connection actions with their provider and logs no secret', async () => {
    // Prepare
    const h = adminHarness();
    const output = captureProcessOutput();
    h.deps.logger = new Logger({ serviceName: 'test', logLevel: 'DEBUG' });

    // Act
    try {
      await call(h, 'PUT', metaBody({ appSecret: 'bad' }));
      await call(h, 'PUT', metaBody());
      await call(h, 'TEST', {});
      await call(h, 'DELETE');
    } finally {
      output.restore();
    }

    // Assess
    expect(h.audit.records.map((r) => [r.action, r.status, r.provider])).toEqual([
      ['connection.put', 400, 'meta'],
      ['connection.put', 201, 'meta'],
      ['connection.test', 200, 'meta'],
      ['connection.delete', 204, 'meta'],
    ]);
    const logs = output.lines.join('');
    expect(logs).toContain('connection saved');
    for (const secret of [META.accessToken, META.appSecret, h.tokens[0]]) expect(logs).not.toContain(secret);
  });
});
