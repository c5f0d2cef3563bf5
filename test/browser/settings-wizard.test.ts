/**
 * The settings page in a real browser (Debian's Chromium driven by playwright-core) against the
 * whole local runtime: moto, the admin API behind the local JWT authorizer, the webhook, the send
 * Lambda and the Twilio simulator with its signed status callbacks.
 *
 * A fresh business walks the wizard: wrong credentials fail the test step, the right ones connect;
 * a customer message arrives through the signed webhook and shows with its time; a reply sent from
 * the page reaches the simulator and its ticks advance to delivered/read; a voice note and a reply
 * with buttons read as words and options, not `[audio]`; the re-engagement template is created from
 * the page, approved by the simulator and sent in a closed window, where a plain text fails with a
 * reason an owner understands and the technical one behind "Details".
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../support/local-runtime';
import { inboundTextFields, twilioSignature } from '../support/twilio-webhook';
import { chromiumPath, CHROMIUM_ARGS } from './chromium';
import { browserExpect } from './expect';

jest.setTimeout(180_000);

// Before any hook: without Chromium the file fails once, with one line (see chromiumPath).
const executablePath = chromiumPath();

const SCREENSHOTS = join(__dirname, '..', '..', 'test-results', 'browser');
const accountSid = `AC${randomBytes(16).toString('hex')}`;
const authToken = randomBytes(16).toString('hex');
const wrongToken = randomBytes(16).toString('hex');
const number = '+14155238886';
const customer = `+55119${String(Date.now()).slice(-8)}`;
const business = `e2e-${randomBytes(4).toString('hex')}`;

describe('settings page: connect a WhatsApp number and talk to a customer', () => {
  let runtime: LocalRuntime;
  let browser: Browser;
  let page: Page;
  const runtimeLog: string[] = [];
  let stdout: jest.SpyInstance;
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const { poll, expectText, expectNotText, expectValue, expectAttribute } = browserExpect((what) => failure(what));

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    runtime = await startTestRuntime({
      account: { accountSid, authToken, whatsappNumber: number },
      // Replies come from the page only, so every outbound message here is the test's own.
      responder: 'none',
      simulator: { callbackDelaysMs: { sent: 300, delivered: 1200, read: 2500 } },
      log: (line) => runtimeLog.push(line),
    });
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
    stdout?.mockRestore();
  });

  afterEach(async () => {
    // On failure the last screenshot and the runtime's last lines tell where it stopped.
    const state = expect.getState();
    if (state.assertionCalls > 0 && page) await shot(`last-${(state.currentTestName ?? 'test').replace(/\W+/g, '-')}`).catch(() => undefined);
  });

  it('starts Not connected, signed in from the URL fragment, with the token gone from the address bar', async () => {
    await page.goto(runtime.signedInSettingsUrl(business));
    await expectText(page.getByTestId('connection-status'), /not connected/i);
    expect(page.url()).not.toContain('token=');
    await shot('01-not-connected');
  });

  it('refuses wrong credentials at the test step', async () => {
    await fillCredentials(page, wrongToken);
    await expectValue(page.getByTestId('webhook-incoming'), /\/webhook\/whatsapp\/twilio\/[\w-]+$/);
    await page.getByTestId('run-test').click();
    await expectAttribute(page.getByTestId('test-step-credentials'), 'data-ok', 'false');
    await expectText(page.getByTestId('connection-status'), /not connected/i);
    await expectStatusNamesHighlightedStep('5');
    await shot('02-wrong-credentials');

    // Back later, with a failed test on file: the page points at the test, and says so.
    await page.reload();
    await expectStatusNamesHighlightedStep('6');
  });

  it('connects with the right credentials and shows the webhook URLs to copy', async () => {
    await fillCredentials(page, authToken);
    await page.getByTestId('run-test').click();
    await expectAttribute(page.getByTestId('test-step-credentials'), 'data-ok', 'true');
    await expectAttribute(page.getByTestId('test-step-sender'), 'data-ok', 'true');
    await expectText(page.getByTestId('connection-status'), /^\s*connected/i);
    const incoming = await page.getByTestId('webhook-incoming').inputValue();
    expect(incoming.startsWith(`${runtime.url}/webhook/whatsapp/twilio/`)).toBe(true);
    expect(await page.getByTestId('webhook-status').inputValue()).toBe(`${incoming}/status`);

    // The steps fold into a summary once the test passes; Edit opens them again.
    await poll('the setup summary', () => page.getByTestId('setup-summary').isVisible());
    expect(await page.getByTestId('step-credentials').isVisible()).toBe(false);
    await expectText(page.getByTestId('setup-summary'), new RegExp(`\\${number}, through Twilio`));
    await shot('03-connected');
    await page.getByTestId('edit-setup').click();
    await poll('the steps to open', () => page.getByTestId('step-credentials').isVisible());
    expect(await page.evaluate('document.activeElement?.id')).toBe('step-test-title');
    expect(await page.getByTestId('setup-summary').isVisible()).toBe(false);
  });

  it('shows a customer message that arrived through the signed webhook, with its time', async () => {
    const url = await page.getByTestId('webhook-incoming').inputValue();
    const fields = inboundTextFields({ accountSid, to: number, from: customer, body: 'Hola, ¿tienen envíos a Monterrey? 🚚', profileName: 'Lucía' });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(url, fields, authToken) },
      body: new URLSearchParams(fields).toString(),
    });
    expect(response.status).toBe(200);

    await expectNotText(page.getByTestId('last-inbound'), /no messages/i);
    const conversation = page.getByTestId('conversation-item').filter({ hasText: 'Lucía' });
    await conversation.first().click({ timeout: 20_000 });
    const inbound = page.getByTestId('message-item').filter({ hasText: 'Monterrey' });
    await expectAttribute(inbound.first(), 'data-direction', 'inbound');
    await expectText(inbound.first(), /\d{1,2}:\d{2}/);
    await shot('04-inbound');
  });

  it('sends a reply from the page and watches its ticks advance to delivered', async () => {
    await page.getByTestId('reply-text').fill('¡Sí! Enviamos a todo México.');
    await page.getByTestId('reply-send').click();
    const reply = page.getByTestId('message-item').filter({ hasText: 'Enviamos a todo' }).first();
    await expectAttribute(reply, 'data-direction', 'outbound');
    await expectAttribute(reply, 'data-status', /^(sent|delivered|read)$/, 20_000);
    await shot('05-reply-sent');
    await expectAttribute(reply, 'data-status', /^(delivered|read)$/, 20_000);
    await expectAttribute(reply, 'data-status', 'read', 20_000);
    await shot('06-reply-read');
    expect(runtime.simulator?.messages().some((message) => message.body?.includes('Enviamos a todo'))).toBe(true);
  });

  it('shows a voice note in words and the buttons a reply offered', async () => {
    // Prepare: a voice note through the signed webhook, and a reply with buttons through the admin API
    const url = await page.getByTestId('webhook-incoming').inputValue();
    const media = `https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Messages/MM${randomBytes(16).toString('hex')}/Media/ME${randomBytes(16).toString('hex')}`;
    const fields = inboundTextFields({ accountSid, to: number, from: customer, body: '', profileName: 'Lucía', extra: { NumMedia: '1', MessageType: 'audio', MediaContentType0: 'audio/ogg', MediaUrl0: media } });

    // Act
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(url, fields, authToken) },
      body: new URLSearchParams(fields).toString(),
    });
    await adminSend(await luciaConversationId(), { type: 'buttons', body: '¿Te lo enviamos hoy?', buttons: [{ id: 'today', title: 'Sí, hoy' }, { id: 'tomorrow', title: 'Mañana' }] });

    // Assess
    expect(response.status).toBe(200);
    await expectAttribute(page.getByTestId('message-item').filter({ hasText: '🎤 Voice note' }).first(), 'data-direction', 'inbound');
    const offered = page.getByTestId('message-item').filter({ hasText: 'Te lo enviamos hoy' }).first().getByTestId('message-options');
    await expectAttribute(offered, 'data-kind', 'buttons');
    await expectText(offered, /Sí, hoy[\s\S]*Mañana/);
    expect(await page.locator('.messages').innerText()).not.toMatch(/\[\w+\]/);
    await page.locator('.thread').screenshot({ path: join(SCREENSHOTS, '06b-media-and-buttons.png') });
  });

  it('is usable at phone width without horizontal scrolling', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.reload();
    await expectText(page.getByTestId('connection-status'), /connected/i);
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('07-phone');
  });

  it('speaks Spanish and Brazilian Portuguese when the browser does, with <html lang> set', async () => {
    for (const [locale, lang, connected, heading] of [
      ['es-MX', 'es', 'Conectado', /conversaciones/i],
      ['pt-BR', 'pt-BR', 'Conectado', /conversas/i],
    ] as const) {
      const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
      const localized = await context.newPage();
      await localized.goto(runtime.signedInSettingsUrl(business));
      await expectText(localized.getByTestId('connection-status'), new RegExp(`^\\s*${connected}`));
      expect(await localized.getAttribute('html', 'lang')).toBe(lang);
      expect(await localized.locator('body').innerText()).toMatch(heading);
      await localized.screenshot({ path: join(SCREENSHOTS, `08-${lang}.png`), fullPage: true });
      await context.close();
    }
  });

  it('labels every form field and saves credentials with the keyboard alone', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    // Connected, so the steps are folded: open them to change the credentials.
    await page.getByTestId('edit-setup').click();
    // Every visible input, select and textarea has an accessible name from a <label> or aria.
    const unlabelled = (await page.evaluate(`Array.from(document.querySelectorAll('input, select, textarea'))
      .filter((el) => el.type !== 'hidden' && el.offsetParent !== null)
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      .map((el) => el.outerHTML.slice(0, 120))`)) as string[];
    expect(unlabelled).toEqual([]);

    // Tab from the Account SID field to the save button and press Enter: the form saves.
    await page.getByTestId('account-sid').fill(accountSid);
    await page.getByTestId('auth-token').fill(authToken);
    await page.getByTestId('whatsapp-number').fill(number);
    await page.getByTestId('account-sid').focus();
    let reached = false;
    for (let i = 0; i < 10 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await page.evaluate(`document.activeElement?.getAttribute('data-testid')`)) === 'save-credentials';
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await expectText(page.getByTestId('connection-status'), /not connected/i);
  });

  it('creates the re-engagement template and sends it once the window has closed', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.reload();
    const section = page.getByTestId('templates-section');
    await poll('the Templates section', () => section.isVisible());
    await page.getByTestId('create-reengagement').click();
    const item = page.getByTestId('template-item');
    await expectAttribute(item.first(), 'data-status', /^(submitted|pending)$/);
    await expectText(item.first(), /re-engagement/i);
    await poll('the create button to go', async () => !(await page.getByTestId('create-reengagement').isVisible()));
    await section.screenshot({ path: join(SCREENSHOTS, '09-template-submitted.png') });

    // Close Lucía's 24-hour window: the free-text reply stays disabled and the page explains why.
    const conversation = page.getByTestId('conversation-item').filter({ hasText: 'Lucía' }).first();
    const conversationId = await conversation.getAttribute('data-conversation-id', { timeout: 20_000 });
    expect(conversationId).toBeTruthy();
    const documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: process.env.MOTO_ENDPOINT, region: runtime.env.AWS_REGION ?? process.env.AWS_REGION ?? 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }),
    );
    await documents.send(
      new UpdateCommand({
        TableName: runtime.env.CONVERSATIONS_TABLE,
        Key: { conversationId },
        // Both clocks: the page reads windowExpiresAt, the send Lambda lastCustomerMessageAt.
        UpdateExpression: 'SET windowExpiresAt = :past, lastCustomerMessageAt = :lastWrote',
        ExpressionAttributeValues: { ':past': new Date(Date.now() - 60_000).toISOString(), ':lastWrote': new Date(Date.now() - 25 * 3_600_000).toISOString() },
      }),
    );
    documents.destroy();
    await conversation.click();
    await expectAttribute(page.getByTestId('window-countdown'), 'data-phase', 'closed');
    expect(await page.getByTestId('reply-text').isDisabled()).toBe(true);
    await expectText(page.locator('.template-unavailable'), /no approved re-engagement template/i);
    expect(await page.getByTestId('template-send').isVisible()).toBe(false);
    await page.locator('.thread').screenshot({ path: join(SCREENSHOTS, '10-template-unavailable.png') });

    // A text sent anyway (by another Echo service, here the admin API) fails, and the page says why in plain words.
    await adminSend(conversationId as string, { type: 'text', text: 'Seguimos a tus órdenes' });
    const refused = page.getByTestId('message-item').filter({ hasText: 'Seguimos a tus órdenes' }).first();
    await expectAttribute(refused, 'data-status', 'failed', 20_000);
    await expectText(refused.getByTestId('failure-reason'), /more than 24 hours have passed since the customer last wrote/i);
    expect(await refused.getByTestId('failure-details').innerText()).not.toMatch(/window-closed/);
    await refused.getByTestId('failure-details').locator('summary').click();
    await expectText(refused.getByTestId('failure-details'), /Reason: window-closed/);
    await refused.screenshot({ path: join(SCREENSHOTS, '10b-failure-reason.png') });

    // The simulator approves at once; the template-sync schedule brings the status home.
    await runtime.scheduler.runNow();
    await expectAttribute(item.first(), 'data-status', 'approved');
    await poll('the template form', () => page.getByTestId('template-send').isVisible());
    expect(await page.getByTestId('template-var-1').inputValue()).toBe('Lucía');
    expect(await page.getByTestId('template-var-2').inputValue()).toBe('');
    expect(await page.getByLabel(/business name/i).count()).toBe(1);

    // Required: an empty business name is refused on the page.
    await page.getByTestId('template-send').click();
    await expectAttribute(page.getByTestId('template-var-2'), 'aria-invalid', 'true');
    await page.getByTestId('template-var-2').fill('Panadería La Espiga');
    await page.getByTestId('template-var-2').press('Enter');
    const sent = page.getByTestId('message-item').filter({ hasText: /template: re-engagement/i }).first();
    await expectAttribute(sent, 'data-direction', 'outbound');
    await expectAttribute(sent, 'data-status', /^(sent|delivered|read)$/, 20_000);
    await expectAttribute(sent, 'data-status', /^(delivered|read)$/, 20_000);
    await shot('11-template-sent');
    await page.locator('.thread').screenshot({ path: join(SCREENSHOTS, '11-template-sent-thread.png') });
    expect(runtime.simulator?.messages().some((message) => message.contentSid && message.contentVariables?.['2'] === 'Panadería La Espiga' && message.contentVariables['1'] === 'Lucía')).toBe(true);

    await page.setViewportSize({ width: 375, height: 800 });
    await page.reload();
    await poll('the Templates section', () => section.isVisible());
    await page.getByTestId('conversation-item').filter({ hasText: 'Lucía' }).first().click();
    await poll('the template form', () => page.getByTestId('template-send').isVisible());
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
    expect(overflow).toBeLessThanOrEqual(0);
    await page.locator('.thread').screenshot({ path: join(SCREENSHOTS, '12-template-phone-thread.png') });
    await section.screenshot({ path: join(SCREENSHOTS, '12-template-phone-section.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  // -------------------------------------------------------------------------------------------

  async function fillCredentials(target: Page, token: string): Promise<void> {
    await target.getByTestId('account-sid').fill(accountSid);
    await target.getByTestId('auth-token').fill(token);
    await target.getByTestId('whatsapp-number').fill(number);
    await target.getByTestId('save-credentials').click();
    // Saved once the token's hint names this token's last 4 (a second save finds the webhook URLs already there).
    await expectText(target.locator('#field-authToken-hint'), new RegExp(`ends in ${token.slice(-4)}\\b`));
    await expectValue(target.getByTestId('webhook-incoming'), /\/webhook\/whatsapp\/twilio\//);
  }

  /** The status card's "Next: … (step N)" and the stepper's highlighted step are the same step. */
  async function expectStatusNamesHighlightedStep(step: string): Promise<void> {
    await expectText(page.getByTestId('status-detail'), new RegExp(`\\(step ${step}\\)`));
    expect((await page.locator('.stepper a[aria-current="step"] .stepper__number').innerText()).trim()).toBe(step);
  }

  async function luciaConversationId(): Promise<string> {
    const id = await page.getByTestId('conversation-item').filter({ hasText: 'Lucía' }).first().getAttribute('data-conversation-id', { timeout: 20_000 });
    if (!id) throw failure('no conversation id for Lucía');
    return id;
  }

  /** What another Echo service does: send to a conversation through the admin API, as the business. */
  async function adminSend(conversationId: string, content: unknown): Promise<void> {
    const response = await fetch(`${runtime.url}/businesses/${business}/whatsapp/conversations/${encodeURIComponent(conversationId)}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${runtime.oidc.issueToken({ businessId: business })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content, idempotencyKey: `e2e-${randomBytes(6).toString('hex')}` }),
    });
    if (response.status !== 202) throw failure(`admin send answered ${response.status}: ${await response.text()}`);
  }

  function failure(what: string): Error {
    return new Error(`${what}\nruntime log:\n${runtimeLog.slice(-25).join('\n')}`);
  }
});
