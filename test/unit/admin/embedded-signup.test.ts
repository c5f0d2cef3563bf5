import {
  connectWithEmbeddedSignup,
  SignupCodeRejectedError,
  type EmbeddedSignupBody,
  type EmbeddedSignupGraph,
  type GraphAuth,
  type GraphStep,
} from '../../../lambdas/domain/admin/embedded-signup';
import { AdminValidationError, NumberInUseError, ProviderNotSupportedError } from '../../../lambdas/domain/admin/errors';
import { createAdminHandler } from '../../../lambdas/handlers/admin/handler';
import { BspUnavailableError } from '../../../lambdas/shared/errors';
import { ADMIN_ROUTES } from '../../../lambdas/shared/telemetry';
import { BUSINESS, OTHER_BUSINESS, adminHarness, apiEvent, type AdminHarness } from './fakes';

/**
 * "Connect with Facebook" on the server: the code becomes a business token, the number must be the
 * WABA's, the connection is saved with Echo's app secret and no pasted secret, then the app is
 * subscribed and a new number registered (a WhatsApp Business app number synced instead). The
 * same request twice makes one connection; refusals write nothing.
 */

const APP = { appId: '900000000000001', appSecret: 'a'.repeat(28) + 'b7c1', verifyToken: 'app-verify-token-0123456789abcdefgh' };
const TOKEN = `EAAB${'t'.repeat(120)}Q9zk`;
const PHONE = '106540352242922';
const WABA = '102290129340398';
const CODE = `AQ${'c'.repeat(60)}`;

/** Meta's side of the onboarding, scripted per test; records every call. */
class FakeSignupGraph implements EmbeddedSignupGraph {
  readonly calls: string[] = [];
  readonly usedCodes = new Set<string>();
  numbers: Record<string, { displayNumber?: string; verifiedName?: string }> = { [PHONE]: { displayNumber: '+1 555-010-0077', verifiedName: 'Tacos Sol' } };
  subscribe: GraphStep | Error = { ok: true };
  registration: GraphStep = { ok: true };
  async exchangeCode(app: { appId: string; appSecret: string }, code: string) {
    this.calls.push(`exchange ${app.appId}`);
    if (this.usedCodes.has(code)) throw new SignupCodeRejectedError('used');
    this.usedCodes.add(code);
    return TOKEN;
  }
  async phoneNumber(auth: GraphAuth, wabaId: string, phoneNumberId: string) {
    this.calls.push(`numbers ${wabaId} ${auth.accessToken === TOKEN && auth.appSecret === APP.appSecret}`);
    return wabaId === WABA ? this.numbers[phoneNumberId] : undefined;
  }
  async subscribeApp(_auth: GraphAuth, wabaId: string) {
    this.calls.push(`subscribe ${wabaId}`);
    if (this.subscribe instanceof Error) throw this.subscribe;
    return this.subscribe;
  }
  async register(_auth: GraphAuth, phoneNumberId: string, pin: string) {
    this.calls.push(`register ${phoneNumberId} ${pin}`);
    return this.registration;
  }
  async startSync(_auth: GraphAuth, phoneNumberId: string, syncType: string) {
    this.calls.push(`sync ${phoneNumberId} ${syncType}`);
    return { ok: true } as const;
  }
}

const body = (overrides: Partial<EmbeddedSignupBody> = {}): EmbeddedSignupBody => ({ code: CODE, phoneNumberId: PHONE, wabaId: WABA, coexistence: false, ...overrides });

function harness(): AdminHarness & { graph: FakeSignupGraph } {
  const h = adminHarness();
  const graph = new FakeSignupGraph();
  Object.assign(h.deps, { metaApp: async () => APP, signupGraph: graph, newPin: () => '482913' });
  return Object.assign(h, { graph });
}

describe('Connect with Facebook (Embedded Signup), domain', () => {
  it('makes a new number a Meta connection with no pasted secret: token exchanged, app subscribed, number registered with a PIN', async () => {
    // Prepare
    const h = harness();

    // Act
    const result = await connectWithEmbeddedSignup(BUSINESS, body(), h.deps);

    // Assess
    expect(result).toMatchObject({ created: true, replayed: false });
    expect(h.graph.calls).toEqual([`exchange ${APP.appId}`, `numbers ${WABA} true`, `subscribe ${WABA}`, `register ${PHONE} 482913`]);
    const stored = h.store.items.get(result.connection.connectionId)!;
    expect(stored).toMatchObject({ provider: 'meta', providerNumberId: PHONE, providerAccountId: WABA, displayNumber: '+15550100077', onboarding: 'embedded-signup', coexistence: false });
    expect(stored.verifyToken).toBeUndefined();
    expect(h.secrets.read(stored.secretArn)).toEqual({ accessToken: TOKEN, appSecret: APP.appSecret, verifyToken: APP.verifyToken, pin: '482913' });
    expect(result.view).toMatchObject({
      provider: 'meta',
      onboarding: 'embedded-signup',
      setup: { ok: true },
      webhookUrls: { incoming: 'https://hooks.example.com/webhook/whatsapp/meta' },
      credentials: { phoneNumberId: PHONE, wabaId: WABA, accessTokenLast4: 'Q9zk', verifyToken: '' },
    });
    expect(JSON.stringify(result.view)).not.toContain(TOKEN);
    expect(JSON.stringify(result.view)).not.toContain(APP.appSecret);
  });

  it('never registers a WhatsApp Business app number: it asks for its contacts and chat history instead, and keeps no PIN', async () => {
    // Prepare
    const h = harness();

    // Act
    const result = await connectWithEmbeddedSignup(BUSINESS, body({ coexistence: true }), h.deps);

    // Assess
    expect(h.graph.calls.slice(2)).toEqual([`subscribe ${WABA}`, `sync ${PHONE} smb_app_state_sync`, `sync ${PHONE} history`]);
    expect(result.view).toMatchObject({ coexistence: true, setup: { ok: true } });
    expect(h.secrets.read(h.store.items.get(result.connection.connectionId)!.secretArn)).not.toHaveProperty('pin');
  });

  it('answers the same request again with the same connection, writing nothing more', async () => {
    // Prepare
    const h = harness();
    const first = await connectWithEmbeddedSignup(BUSINESS, body(), h.deps);
    const writes = [...h.store.writes];

    // Act
    const again = await connectWithEmbeddedSignup(BUSINESS, body(), h.deps);

    // Assess
    expect(again).toMatchObject({ created: false, replayed: true });
    expect(again.view).toEqual(first.view);
    expect(h.store.writes).toEqual(writes);
    expect(h.store.items.size).toBe(1);
  });

  it('keeps the connection when Meta cannot finish the setup, and the same request again finishes it with the stored token', async () => {
    // Prepare
    const h = harness();
    h.graph.subscribe = new BspUnavailableError('Meta timed out');
    const first = await connectWithEmbeddedSignup(BUSINESS, body(), h.deps);
    h.graph.subscribe = { ok: true };
    h.graph.calls.length = 0;

    // Act
    const again = await connectWithEmbeddedSignup(BUSINESS, body(), h.deps);

    // Assess
    expect(first.view.setup).toMatchObject({ ok: false, code: 'BSP_UNAVAILABLE' });
    expect(h.graph.calls).toEqual([`exchange ${APP.appId}`, `subscribe ${WABA}`, `register ${PHONE} 482913`]);
    expect(again).toMatchObject({ replayed: true, view: { setup: { ok: true } } });
  });

  it('says what Meta refused when the number cannot be registered, and keeps the connection', async () => {
    // Prepare
    const h = harness();
    h.graph.registration = { ok: false, code: '133005', detail: 'Meta said: “Two step verification PIN Mismatch” (133005).' };

    // Act
    const result = await connectWithEmbeddedSignup(BUSINESS, body(), h.deps);

    // Assess
    expect(result.view.setup).toMatchObject({ ok: false, code: '133005', detail: expect.stringContaining('could not be registered') });
    expect(h.store.items.size).toBe(1);
  });

  it('refuses another business’s number before the code is spent', async () => {
    // Prepare
    const h = harness();
    await connectWithEmbeddedSignup(OTHER_BUSINESS, body(), h.deps);
    h.graph.calls.length = 0;
    const writes = [...h.store.writes];

    // Act
    const attempt = connectWithEmbeddedSignup(BUSINESS, body({ code: `AQ${'d'.repeat(60)}` }), h.deps);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(NumberInUseError);
    expect(h.graph.calls).toEqual([]);
    expect(h.store.writes).toEqual(writes);
  });

  it.each([
    ['a code Meta refuses, with no connection it made', () => body(), (h: ReturnType<typeof harness>) => h.graph.usedCodes.add(CODE), 'code'],
    ['ids that are not the signup WABA’s', () => body({ phoneNumberId: '106540352249999' }), () => undefined, 'phoneNumberId'],
  ])('answers 400 and writes nothing for %s', async (_case, request, prepare, path) => {
    // Prepare
    const h = harness();
    prepare(h);

    // Act
    const attempt = connectWithEmbeddedSignup(BUSINESS, request(), h.deps);

    // Assess
    await expect(attempt).rejects.toMatchObject({ constructor: AdminValidationError, errors: [expect.objectContaining({ path })] });
    expect(h.store.writes).toEqual([]);
    expect(h.secrets.writes).toEqual([]);
  });

  it('is not available without Echo’s Meta app', async () => {
    const h = harness();
    Object.assign(h.deps, { metaApp: async () => undefined });
    await expect(connectWithEmbeddedSignup(BUSINESS, body(), h.deps)).rejects.toBeInstanceOf(ProviderNotSupportedError);
  });
});

describe('Connect with Facebook (Embedded Signup), admin route', () => {
  const path = `/businesses/${BUSINESS}/whatsapp/connection/embedded-signup`;
  const call = (h: ReturnType<typeof harness>, requestBody: unknown) =>
    createAdminHandler(h.deps)(apiEvent({ routeKey: ADMIN_ROUTES.embeddedSignup, path, pathParameters: { businessId: BUSINESS }, body: requestBody }));

  it('answers 201 with the connection, and audits the action with no secret', async () => {
    // Prepare
    const h = harness();

    // Act
    const response = await call(h, body({ coexistence: true }));

    // Assess
    expect(response.statusCode).toBe(201);
    expect(JSON.parse(response.body!)).toMatchObject({ provider: 'meta', onboarding: 'embedded-signup', coexistence: true });
    expect(h.audit.records).toEqual([expect.objectContaining({ action: 'connection.embedded-signup', status: 201, provider: 'meta', outcome: 'success' })]);
    expect(JSON.stringify(h.audit.records)).not.toContain(CODE);
  });

  it('answers a malformed body with an RFC 9457 problem naming each field, calling Meta for nothing', async () => {
    // Prepare
    const h = harness();

    // Act
    const response = await call(h, { code: 'x', phoneNumberId: 'abc', wabaId: WABA, coexistence: 'yes', extra: 1 });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    const problem = JSON.parse(response.body!) as { type: string; errors: Array<{ path: string }> };
    expect(problem.type).toBe('https://echo.example/problems/validation-failed');
    expect(problem.errors.map((error) => error.path).sort()).toEqual(['', 'code', 'coexistence', 'phoneNumberId']);
    expect(h.graph.calls).toEqual([]);
    expect(h.audit.records).toEqual([expect.objectContaining({ action: 'connection.embedded-signup', status: 400, outcome: 'failure' })]);
  });
});
