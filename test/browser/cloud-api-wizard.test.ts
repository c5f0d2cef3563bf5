/**
 * The settings page's Meta Cloud API and 360dialog wizards in Chromium, against the whole local
 * runtime and its Meta and 360dialog simulators, with the demo businesses `demo-meta` and
 * `demo-360dialog` (seeded connected):
 *
 * - Meta: demo-meta's owner saves a wrong App Secret and the test says so in their words; the right
 *   one connects, the Callback URL and Verify Token shown answer Meta's handshake, the facts Meta
 *   told show, the steps fold away, a customer's message arrives and a reply reaches the simulator
 *   and is read; then another business cannot take that number (409, said plainly). (The seed
 *   writes no number claim: a number is held from its first save through the admin API.)
 * - 360dialog: a revoked key fails the webhook registration and the test, both said plainly; the
 *   current key registers the webhook again (no webhook to paste) and connects; a customer's
 *   message arrives.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../support/local-runtime';
import { chromiumPath, CHROMIUM_ARGS } from './chromium';
import { browserExpect } from './expect';

jest.setTimeout(180_000);

// Before any hook: without Chromium the file fails once, with one line (see chromiumPath).
const executablePath = chromiumPath();

const SCREENSHOTS = join(__dirname, '..', '..', 'test-results', 'browser');

describe('settings page: connect through Meta Cloud API or 360dialog', () => {
  let runtime: LocalRuntime;
  let browser: Browser;
  let page: Page;
  const runtimeLog: string[] = [];
  let stdout: jest.SpyInstance;
  const failure = (what: string) => new Error(`${what}\nruntime log:\n${runtimeLog.slice(-25).join('\n')}`);
  const { poll, expectText, expectValue, expectAttribute } = browserExpect(failure);
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    runtime = await startTestRuntime({
      account: { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex'), whatsappNumber: '+14155238886' },
      log: (line) => runtimeLog.push(line),
    });
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    page = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } })).newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
    stdout?.mockRestore();
  });

  afterEach(async () => {
    const state = expect.getState();
    if (state.assertionCalls > 0 && page) await shot(`last-cloud-${(state.currentTestName ?? 'test').replace(/\W+/g, '-')}`).catch(() => undefined);
  });

  describe('Meta Cloud API', () => {
    it('tells the owner their App Secret is not the app’s when the test fails on it', async () => {
      // Prepare: demo-meta's owner, connected (the steps are folded), opens them
      await page.goto(runtime.signedInSettingsUrl('demo-meta'));
      await poll('the setup summary', () => page.getByTestId('setup-summary').isVisible());
      await expectText(page.getByTestId('setup-summary'), new RegExp(`\\${runtime.config.DEV_META_NUMBER}, through Meta Cloud API`));
      await page.getByTestId('edit-setup').click();
      expect(await page.getByTestId('provider-meta').isChecked()).toBe(true);
      await expectValue(page.getByTestId('phone-number-id'), new RegExp(`^${runtime.config.DEV_META_PHONE_NUMBER_ID}$`));

      // Act
      await fillMeta({ appSecret: randomBytes(16).toString('hex') });
      await page.getByTestId('run-test').click();

      // Assess
      await expectAttribute(page.getByTestId('test-step-credentials'), 'data-ok', 'false');
      await expectText(page.getByTestId('test-step-credentials'), /The App Secret does not belong to the token’s app/);
      expect(await page.getByTestId('connection-status').innerText()).toMatch(/not connected/i);
    });

    it('connects with the right App Secret: the values shown answer Meta’s handshake, and messages flow', async () => {
      // Act: save the right secret, do what Meta does with the Callback URL and Verify Token, test
      await fillMeta({ appSecret: runtime.config.DEV_META_APP_SECRET });
      const callback = await page.getByTestId('webhook-incoming').inputValue();
      const verifyToken = await page.getByTestId('verify-token').inputValue();
      const handshake = await fetch(`${callback}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(verifyToken)}&hub.challenge=1158201444`);
      await page.getByTestId('run-test').click();

      // Assess
      expect(callback).toBe(`${runtime.url}/webhook/whatsapp/meta/demo-meta`);
      expect({ status: handshake.status, body: await handshake.text() }).toEqual({ status: 200, body: '1158201444' });
      await expectAttribute(page.getByTestId('test-step-credentials'), 'data-ok', 'true');
      await expectAttribute(page.getByTestId('test-step-sender'), 'data-ok', 'true');
      await expectText(page.getByTestId('test-step-sender'), /Webhook subscription/);
      await poll('the setup summary', () => page.getByTestId('setup-summary').isVisible());
      await expectText(page.getByTestId('connection-status'), /^\s*connected/i);
      await expectText(page.getByTestId('verified-name'), /\S/);
      expect(await page.getByTestId('quality-rating').innerText()).toBe('High');
      await shot('meta-2-connected');

      // A customer writes through Meta; the owner answers from the page.
      await simulatorInbound(runtime.simulators.meta.url, { from: '+5215598765432', text: 'Hola desde Meta', name: 'Rosa' });
      await page.getByTestId('conversation-item').filter({ hasText: 'Rosa' }).first().click({ timeout: 20_000 });
      await expectAttribute(page.getByTestId('message-item').filter({ hasText: 'Hola desde Meta' }).first(), 'data-direction', 'inbound');
      await page.getByTestId('reply-text').fill('¡Hola Rosa!');
      await page.getByTestId('reply-send').click();
      const reply = page.getByTestId('message-item').filter({ hasText: '¡Hola Rosa!' }).first();
      await expectAttribute(reply, 'data-status', 'read', 20_000);
      expect(runtime.simulators.meta.messages().some((message) => JSON.stringify(message).includes('¡Hola Rosa!'))).toBe(true);
    });

    it("refuses, in plain words, a number another business's connection holds", async () => {
      // Prepare: a new business that picks Meta and types the number demo-meta's owner saved (and so holds)
      await page.goto(runtime.signedInSettingsUrl(`cloud-${randomBytes(4).toString('hex')}`));
      await expectText(page.getByTestId('connection-status'), /not connected/i);
      await page.getByTestId('provider-meta').check();
      await expectText(page.getByTestId('step-webhooks').locator('h3'), /set up the webhook in your meta app/i);

      // Act
      await fillMeta({ appSecret: runtime.config.DEV_META_APP_SECRET });

      // Assess
      await expectText(page.getByTestId('save-status'), /already connected to another Echo account/);
      expect(await page.getByTestId('connection-status').innerText()).toMatch(/not connected/i);
      await page.getByTestId('step-credentials').screenshot({ path: join(SCREENSHOTS, 'meta-1-number-in-use.png') });
    });
  });

  describe('360dialog', () => {
    it('says plainly when a revoked key fails the webhook registration and the test', async () => {
      // Prepare: demo-360dialog's owner opens the folded steps
      await page.goto(runtime.signedInSettingsUrl('demo-360dialog'));
      await poll('the setup summary', () => page.getByTestId('setup-summary').isVisible());
      await page.getByTestId('edit-setup').click();
      expect(await page.getByTestId('provider-360dialog').isChecked()).toBe(true);
      await expectText(page.getByTestId('api-key-warning'), /invalidates the previous key and the webhook registered with it/);

      // Act: a key of the right shape that 360dialog no longer knows
      await fill360dialog(`revoked${randomBytes(12).toString('hex')}`);
      await page.getByTestId('run-test').click();

      // Assess
      await expectAttribute(page.getByTestId('webhook-registration'), 'data-ok', 'false');
      await expectText(page.getByTestId('webhook-registration'), /did not accept the registration: it rejected the API key; paste the newest key from the Hub in step 4/);
      await expectAttribute(page.getByTestId('test-step-credentials'), 'data-ok', 'false');
      await expectText(page.getByTestId('test-step-credentials'), /paste the newest key from the Hub in step 4/);
      await page.getByTestId('step-webhooks').screenshot({ path: join(SCREENSHOTS, '360dialog-1-revoked-key.png') });
    });

    it('registers the webhook again with the current key (nothing to paste), connects, and messages flow', async () => {
      // Act
      await fill360dialog(runtime.config.DEV_360DIALOG_API_KEY);
      await expectAttribute(page.getByTestId('webhook-registration'), 'data-ok', 'true');
      await page.getByTestId('run-test').click();

      // Assess
      await expectText(page.getByTestId('webhook-registration'), /^Registered with 360dialog on /);
      expect(await page.getByTestId('webhook-incoming').inputValue()).toBe(`${runtime.url}/webhook/whatsapp/360dialog/demo-360dialog`);
      await expectAttribute(page.getByTestId('test-step-sender'), 'data-ok', 'true');
      await poll('the setup summary', () => page.getByTestId('setup-summary').isVisible());
      await expectText(page.getByTestId('connection-status'), /^\s*connected/i);
      await shot('360dialog-2-connected');

      await simulatorInbound(runtime.simulators.dialog360.url, { from: '+5215587654321', text: 'Hola desde 360dialog', name: 'Tomás' });
      await page.getByTestId('conversation-item').filter({ hasText: 'Tomás' }).first().click({ timeout: 20_000 });
      await expectAttribute(page.getByTestId('message-item').filter({ hasText: 'Hola desde 360dialog' }).first(), 'data-direction', 'inbound');
    });
  });

  // -------------------------------------------------------------------------------------------

  /** Types demo-meta's ids and token with `appSecret` into step 4 and saves; resolves once saved (or refused). */
  async function fillMeta(options: { appSecret: string }): Promise<void> {
    const { config } = runtime;
    await page.getByTestId('phone-number-id').fill(config.DEV_META_PHONE_NUMBER_ID);
    await page.getByTestId('waba-id').fill(config.DEV_META_WABA_ID);
    await page.getByTestId('access-token').fill(config.DEV_META_ACCESS_TOKEN);
    await page.getByTestId('app-secret').fill(options.appSecret);
    await page.getByTestId('save-credentials').click();
    await poll('the save to finish', async () => (await page.getByTestId('save-credentials').getAttribute('aria-busy')) === null && (await page.getByTestId('save-status').innerText()) !== '');
    const saved = await page.getByTestId('save-status').getAttribute('class');
    // Saved: the App Secret's hint now names this secret's last 4.
    if (saved?.includes('form-status--ok')) await expectText(page.locator('#field-appSecret-hint'), new RegExp(`ends in ${options.appSecret.slice(-4)}\\b`));
  }

  /** Types `apiKey` and demo-360dialog's number into step 4 and saves; resolves once the hint names the key. */
  async function fill360dialog(apiKey: string): Promise<void> {
    await page.getByTestId('api-key').fill(apiKey);
    await page.getByTestId('whatsapp-number').fill(runtime.config.DEV_360DIALOG_NUMBER);
    await page.getByTestId('save-credentials').click();
    await expectText(page.locator('#field-apiKey-hint'), new RegExp(`ends in ${apiKey.slice(-4)}\\b`));
  }

  /** A customer's text, posted by the BSP simulator to the demo connection's webhook (signed as the BSP signs). */
  async function simulatorInbound(simulatorUrl: string, message: { from: string; text: string; name: string }): Promise<void> {
    const response = await fetch(`${simulatorUrl}/_simulator/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) });
    const result = (await response.json()) as { firstAttempt?: { status?: number }; outcome?: string };
    if (response.status !== 200 || result.firstAttempt?.status !== 200) throw failure(`the simulator's webhook post answered ${JSON.stringify(result)}`);
  }
});
