import { startMetaSimulator, type MetaSimulator } from '../../../local/cloud-api-simulator';
import { SIGNUP_PATHS, SIMULATED_LOGIN_MESSAGE } from '../../../local/cloud-api-simulator/embedded-signup';

/**
 * The Meta simulator's Embedded Signup over loopback HTTP: the dialog's form finishes a signup and
 * answers a page that posts the session event and the code to the opener; the code is exchanged
 * once for a business token with the app's id and secret; the number it brings is unusable until
 * the partner's onboarding subscribes the app and registers it (a coexistence number is never
 * registered, only synchronized, once per sync type).
 */

const APP = { appId: '900000000000001', appSecret: '0123456789abcdef0123456789abcdef', configId: '800000000000001', webhookUrl: 'http://127.0.0.1:9/webhook/whatsapp/meta' };

describe('meta simulator: Embedded Signup', () => {
  let meta: MetaSimulator;
  const graph = (method: string, path: string, token: string | undefined, body?: unknown) =>
    fetch(`${meta.url}/v23.0${path}`, {
      method,
      headers: { ...(token && { authorization: `Bearer ${token}` }), 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const exchange = (code: string, secret = APP.appSecret) =>
    fetch(`${meta.url}/v23.0/oauth/access_token?client_id=${APP.appId}&client_secret=${secret}&code=${encodeURIComponent(code)}`);

  beforeAll(async () => {
    meta = await startMetaSimulator({ accounts: [], app: APP, webhookRetryDelaysMs: [], callbackDelaysMs: { sent: 1, delivered: 1, read: 1 } });
  });
  afterEach(() => meta.reset());
  afterAll(() => meta.stop());

  it('finishes a signup from the dialog form: the answer posts the FINISH session event and the code to the opener only', async () => {
    // Prepare: the dialog as FB.login opens it for a new number
    const query = new URLSearchParams({ app_id: APP.appId, config_id: APP.configId, response_type: 'code', override_default_response_type: 'true', extras: '{}', origin: 'http://127.0.0.1:3000' });
    const dialog = await fetch(`${meta.url}${SIGNUP_PATHS.dialog}?${query}`);

    // Act
    const done = await fetch(`${meta.url}${SIGNUP_PATHS.complete}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ origin: 'http://127.0.0.1:3000', feature_type: '', display_number: '+15550100077', verified_name: 'Tacos Sol', action: 'finish' }).toString(),
    });

    // Assess
    expect(dialog.status).toBe(200);
    expect(await dialog.text()).toContain('Add a new number');
    const page = await done.text();
    expect(done.status).toBe(200);
    const posted = [...page.matchAll(/postMessage\((.*), origin\);/g)].map((match) => JSON.parse(match[1]!) as unknown);
    expect(JSON.parse(posted[0] as string)).toEqual({
      type: 'WA_EMBEDDED_SIGNUP',
      event: 'FINISH',
      data: { phone_number_id: expect.stringMatching(/^\d{15}$/), waba_id: expect.stringMatching(/^\d{15}$/), business_id: expect.stringMatching(/^\d{15}$/) },
    });
    expect(posted[1]).toEqual({ type: SIMULATED_LOGIN_MESSAGE, code: expect.stringMatching(/^AQ[\w-]{40,}$/) });
    expect(page).toContain('var origin = "http://127.0.0.1:3000";');
  });

  it('refuses a dialog opened with another app, another configuration or without response_type=code', async () => {
    // Prepare
    const base = { app_id: APP.appId, config_id: APP.configId, response_type: 'code', override_default_response_type: 'true', origin: 'http://localhost:3000' };
    const open = (overrides: Record<string, string>) => fetch(`${meta.url}${SIGNUP_PATHS.dialog}?${new URLSearchParams({ ...base, ...overrides })}`).then((r) => r.status);

    // Act
    const statuses = await Promise.all([open({ app_id: '1' }), open({ config_id: '2' }), open({ response_type: 'token' }), open({ origin: 'javascript:alert(1)' })]);

    // Assess
    expect(statuses).toEqual([400, 400, 400, 400]);
  });

  it('exchanges a code once, with the app secret only; the number then needs subscription and registration before it can send', async () => {
    // Prepare
    const signup = meta.completeSignup({ displayNumber: '+15550100078', coexistence: false });

    // Act
    const wrongSecret = await exchange(signup.code, 'f'.repeat(32));
    const first = await exchange(signup.code);
    const { access_token: token } = (await first.json()) as { access_token: string };
    const again = await exchange(signup.code);
    const sendBefore = await graph('POST', `/${signup.phoneNumberId}/messages`, token, { messaging_product: 'whatsapp', to: '5215512345678', type: 'text', text: { body: 'hi' } });
    const numbers = await graph('GET', `/${signup.wabaId}/phone_numbers`, token);
    const subscribe = await graph('POST', `/${signup.wabaId}/subscribed_apps`, token);
    const badPin = await graph('POST', `/${signup.phoneNumberId}/register`, token, { messaging_product: 'whatsapp', pin: '12' });
    const register = await graph('POST', `/${signup.phoneNumberId}/register`, token, { messaging_product: 'whatsapp', pin: '123456' });
    const sendAfter = await graph('POST', `/${signup.phoneNumberId}/messages`, token, { messaging_product: 'whatsapp', to: '5215512345678', type: 'text', text: { body: 'hi' } });

    // Assess
    expect(wrongSecret.status).toBe(400);
    expect(first.status).toBe(200);
    expect(token).toMatch(/^EAA/);
    expect(((await again.json()) as { error: { error_subcode: number } }).error.error_subcode).toBe(36009);
    expect(((await sendBefore.json()) as { error: { code: number } }).error.code).toBe(133010);
    expect(((await numbers.json()) as { data: Array<{ id: string }> }).data.map((n) => n.id)).toEqual([signup.phoneNumberId]);
    expect([subscribe.status, badPin.status, register.status, sendAfter.status]).toEqual([200, 400, 200, 200]);
    await meta.idle();
    expect(meta.onboarded()).toEqual([
      expect.objectContaining({ phoneNumberId: signup.phoneNumberId, coexistence: false, registered: true, pin: '123456', subscribed: true, syncs: [] }),
    ]);
  });

  it('never registers a WhatsApp Business app number, and starts each of its syncs once', async () => {
    // Prepare
    const signup = meta.completeSignup({ displayNumber: '+15550100079', coexistence: true });
    const { access_token: token } = (await (await exchange(signup.code)).json()) as { access_token: string };
    const sync = (type: string) => graph('POST', `/${signup.phoneNumberId}/smb_app_data`, token, { messaging_product: 'whatsapp', sync_type: type }).then((r) => r.status);

    // Act
    const register = await graph('POST', `/${signup.phoneNumberId}/register`, token, { messaging_product: 'whatsapp', pin: '123456' });
    const statuses = [await sync('smb_app_state_sync'), await sync('history'), await sync('history')];

    // Assess
    expect(signup.sessionEvent.event).toBe('FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING');
    expect(register.status).toBe(400);
    expect(statuses).toEqual([200, 200, 400]);
    expect(meta.onboarded()[0]).toMatchObject({ coexistence: true, registered: true, syncs: ['smb_app_state_sync', 'history'] });
  });
});
