/**
 * The status widget (`status-widget.js`) embedded in a stand-in for Echo's dashboard, in Chromium,
 * against the whole local runtime: it reads `GET connection` with the dashboard's token and says
 * Not connected, Needs attention (and why) or Connected with the last message's time, in the
 * dashboard's language, untouched by the dashboard's CSS.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../support/local-runtime';
import { inboundTextFields, twilioSignature } from '../support/twilio-webhook';
import { chromiumPath, CHROMIUM_ARGS } from './chromium';
import { browserExpect } from './expect';

jest.setTimeout(120_000);

// Before any hook: without Chromium the file fails once, with one line (see chromiumPath).
const executablePath = chromiumPath();

const SCREENSHOTS = join(__dirname, '..', '..', 'test-results', 'browser');
const accountSid = `AC${randomBytes(16).toString('hex')}`;
const authToken = randomBytes(16).toString('hex');
const number = '+14155238886';
const business = `widget-${randomBytes(4).toString('hex')}`;

/** Echo's dashboard as far as the widget cares: its own language and CSS, the element, the script. */
const DASHBOARD = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Echo</title>
<style>body { color: rgb(200, 0, 0); font-family: serif } p, a, section { color: rgb(200, 0, 0) !important; background: rgb(255, 255, 0) }</style>
</head><body><h1>Echo</h1>
<echo-whatsapp-status id="whatsapp" settings-url="/settings/whatsapp"></echo-whatsapp-status>
<script>document.getElementById('whatsapp').token = () => window.dashboardToken;</script>
<script src="/settings/status-widget.js" defer></script>
</body></html>`;

describe('status widget on the dashboard', () => {
  let runtime: LocalRuntime;
  let browser: Browser;
  let page: Page;
  const runtimeLog: string[] = [];
  let stdout: jest.SpyInstance;
  const { poll, expectText, expectAttribute } = browserExpect((what) => new Error(`${what}\nruntime log:\n${runtimeLog.slice(-25).join('\n')}`));
  const widget = () => page.locator('echo-whatsapp-status');
  const refresh = () => widget().evaluate((element) => (element as unknown as { refresh(): Promise<void> }).refresh());

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    runtime = await startTestRuntime({ account: { accountSid, authToken, whatsappNumber: number }, log: (line) => runtimeLog.push(line) });
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 420, height: 600 } });
    // Served from the runtime's origin, as the dashboard is from Echo's, so the script and API are same-origin.
    await context.route(`${runtime.url}/dashboard`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: DASHBOARD }));
    await context.addInitScript(`window.dashboardToken = ${JSON.stringify(runtime.oidc.issueToken({ businessId: business }))};`);
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
    stdout?.mockRestore();
  });

  it('says Not connected for a business without a number, with the way to the settings', async () => {
    // Act
    await page.goto(`${runtime.url}/dashboard`);

    // Assess
    await expectAttribute(widget(), 'data-state', 'not-connected');
    await expectText(page.getByTestId('widget-status'), /^Not connected$/);
    expect(await page.getByTestId('widget-last-inbound').innerText()).toMatch(/no messages yet/i);
    expect(await page.getByTestId('widget-link').getAttribute('href')).toBe('/settings/whatsapp');
    expect(await page.getByTestId('widget-reason').isVisible()).toBe(false);
    await widget().screenshot({ path: join(SCREENSHOTS, 'widget-1-not-connected.png') });
  });

  it('says Needs attention, and why, when the saved number failed its test', async () => {
    // Prepare
    await admin('PUT', 'connection', { provider: 'twilio', twilio: { accountSid, authToken: randomBytes(16).toString('hex'), whatsappNumber: number } });
    await admin('POST', 'connection/test', {});

    // Act
    await refresh();

    // Assess
    await expectAttribute(widget(), 'data-state', 'attention');
    expect(await page.getByTestId('widget-status').innerText()).toBe('Needs attention');
    // Never verified: a failed setup test, not a needs-attention marker (that is for credentials that worked).
    await expectText(page.getByTestId('widget-reason'), /last connection test failed/i);
    await widget().screenshot({ path: join(SCREENSHOTS, 'widget-2-attention.png') });
  });

  it('says Connected and when the last customer message arrived', async () => {
    // Prepare: the right token, a passing test, then a customer writes
    const view = (await admin('PUT', 'connection', { provider: 'twilio', twilio: { accountSid, authToken, whatsappNumber: number } })) as { webhookUrls: { incoming: string } };
    await admin('POST', 'connection/test', {});
    const url = view.webhookUrls.incoming;
    const fields = inboundTextFields({ accountSid, to: number, from: `+55119${String(Date.now()).slice(-8)}`, body: 'Hola', profileName: 'Ana' });
    const posted = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(url, fields, authToken) },
      body: new URLSearchParams(fields).toString(),
    });
    expect(posted.status).toBe(200);

    // Act / Assess: the dashboard asks again (it also reads every minute while visible)
    await poll('the last message time', async () => {
      await refresh();
      return (await page.getByTestId('widget-last-inbound').locator('time').getAttribute('datetime')) !== null;
    });
    expect(await widget().getAttribute('data-state')).toBe('connected');
    expect(await page.getByTestId('widget-status').innerText()).toBe('Connected');
    expect(await page.getByTestId('widget-last-inbound').innerText()).toMatch(/last message received: (now|\d+ seconds? ago)/i);
    await widget().screenshot({ path: join(SCREENSHOTS, 'widget-3-connected.png') });
  });

  it('keeps the settings page colours whatever the dashboard CSS says', async () => {
    // A string: the root type-check (Node, no DOM lib) never sees browser globals.
    const colours = await page.evaluate(`(() => {
      const root = document.querySelector('echo-whatsapp-status').shadowRoot;
      const badge = getComputedStyle(root.querySelector('[data-testid="widget-status"]'));
      return { badge: badge.color, title: getComputedStyle(root.querySelector('.widget__title')).color, background: badge.backgroundColor };
    })()`);
    // --ok and --ok-bg of web/css/tokens.css; --text for the title.
    expect(colours).toEqual({ badge: 'rgb(20, 108, 46)', title: 'rgb(27, 31, 36)', background: 'rgb(230, 244, 234)' });
  });

  it('speaks the dashboard language, or the one its lang attribute names', async () => {
    await page.evaluate(`document.documentElement.setAttribute('lang', 'es-MX')`);
    await refresh();
    await expectText(page.getByTestId('widget-status'), /^Conectado$/);
    expect(await page.getByTestId('widget-link').innerText()).toBe('Abrir la configuración de WhatsApp');

    await widget().evaluate((element) => element.setAttribute('lang', 'pt-BR'));
    await expectText(page.getByTestId('widget-link'), /^Abrir as configurações do WhatsApp$/);
    expect(await page.getByTestId('widget-last-inbound').innerText()).toMatch(/^Última mensagem recebida/);
    await widget().screenshot({ path: join(SCREENSHOTS, 'widget-4-pt-BR.png') });
  });

  it('asks to sign in when the dashboard token is refused', async () => {
    // Act: a token the admin API's authorizer refuses
    await widget().evaluate((element) => {
      element.setAttribute('lang', 'en');
      element.setAttribute('business', 'anyone');
      (element as unknown as { token: string }).token = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln';
    });
    await refresh();

    // Assess
    await expectAttribute(widget(), 'data-state', 'signed-out');
    expect(await page.getByTestId('widget-status').isVisible()).toBe(false);
    await expectText(page.getByTestId('widget-reason'), /sign in to echo/i);
  });

  /** The admin API as the business (what the settings page would do). */
  async function admin(method: 'PUT' | 'POST', path: string, body: unknown): Promise<unknown> {
    const response = await fetch(`${runtime.url}/businesses/${business}/whatsapp/${path}`, {
      method,
      headers: { authorization: `Bearer ${runtime.oidc.issueToken({ businessId: business })}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return response.json();
  }
});
