/**
 * "Connect with Facebook" and the AI/owner hand-off in Chromium, against the whole local runtime
 * and its Meta simulator (which stands in for Facebook's SDK, signup window and Graph API):
 *
 * - a business whose number stays on the WhatsApp Business app connects in one click: the
 *   simulator's signup window (a real popup) posts the session event and the code, the server
 *   exchanges it, subscribes Echo's app and starts the contacts and history sync (no
 *   registration), the page tests the connection and shows it connected, nothing to paste;
 * - a new number is registered (with a PIN) instead;
 * - in a conversation, the owner pauses the AI ("AI paused until …", Resume AI) and resumes it;
 *   replying from the page pauses it as "You're replying".
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

describe('settings page: Connect with Facebook, and pausing the AI', () => {
  let runtime: LocalRuntime;
  let browser: Browser;
  let page: Page;
  const runtimeLog: string[] = [];
  let stdout: jest.SpyInstance;
  const failure = (what: string) => new Error(`${what}\nruntime log:\n${runtimeLog.slice(-25).join('\n')}`);
  const { poll, expectText, expectAttribute } = browserExpect(failure);
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
    if (state.assertionCalls > 0 && page) await shot(`last-signup-${(state.currentTestName ?? 'test').replace(/\W+/g, '-')}`).catch(() => undefined);
  });

  /** A new business picks Meta; the "Connect with Facebook" card is ready once the (simulated) SDK loaded. */
  async function openMetaSteps(): Promise<void> {
    await page.goto(runtime.signedInSettingsUrl(`fb-${randomBytes(4).toString('hex')}`));
    await expectText(page.getByTestId('connection-status'), /not connected/i);
    await page.getByTestId('provider-meta').check();
    await poll('the Connect with Facebook button', () => page.getByTestId('connect-facebook').isEnabled());
  }

  /** Clicks "Connect with Facebook" and finishes the simulator's signup window with `number`. */
  async function signUp(choice: 'business-app' | 'new-number', number: string): Promise<void> {
    await page.getByTestId(`signup-choice-${choice}`).check();
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('connect-facebook').click()]);
    await popup.waitForLoadState();
    await expectText(popup.getByTestId('signup-flow'), choice === 'business-app' ? /WhatsApp Business app number/ : /new number/);
    await popup.getByTestId('signup-number').fill(number);
    await Promise.all([popup.waitForEvent('close'), popup.getByTestId('signup-finish').click()]);
  }

  it('connects a WhatsApp Business app number in one click: no registration, contacts and history requested, tested, nothing to paste', async () => {
    // Prepare
    await openMetaSteps();
    await page.getByTestId('embedded-signup').screenshot({ path: join(SCREENSHOTS, 'signup-1-card.png') });
    const number = '+15550100071';

    // Act
    await signUp('business-app', number);

    // Assess
    await expectAttribute(page.getByTestId('test-step-credentials'), 'data-ok', 'true', 30_000);
    await expectAttribute(page.getByTestId('test-step-sender'), 'data-ok', 'true');
    await poll('the setup summary', () => page.getByTestId('setup-summary').isVisible());
    await expectText(page.getByTestId('connection-status'), /^\s*connected/i);
    await expectText(page.getByTestId('setup-summary'), new RegExp(`\\${number}, through Meta Cloud API`));
    const onboarded = runtime.simulators.meta.onboarded().find((entry) => entry.displayNumber === number);
    expect(onboarded).toMatchObject({ coexistence: true, subscribed: true, syncs: ['smb_app_state_sync', 'history'] });
    expect(onboarded?.pin).toBeUndefined();
    await page.getByTestId('edit-setup').click();
    await expectText(page.getByTestId('webhook-registration'), /Nothing to paste/);
    expect(await page.getByTestId('verify-token').inputValue()).toBe('');
    await shot('signup-2-connected');
  });

  it('registers a new number with a PIN when the owner says it is not on the WhatsApp Business app', async () => {
    // Prepare
    await openMetaSteps();
    const number = '+15550100072';

    // Act
    await signUp('new-number', number);

    // Assess
    await expectAttribute(page.getByTestId('test-step-sender'), 'data-ok', 'true', 30_000);
    await expectText(page.getByTestId('connection-status'), /^\s*connected/i);
    expect(runtime.simulators.meta.onboarded().find((entry) => entry.displayNumber === number)).toMatchObject({
      coexistence: false,
      registered: true,
      pin: expect.stringMatching(/^\d{6}$/),
      subscribed: true,
      syncs: [],
    });
  });

  it('says nothing changed when the owner closes the Facebook window', async () => {
    // Prepare
    await openMetaSteps();

    // Act
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('connect-facebook').click()]);
    await popup.waitForLoadState();
    await Promise.all([popup.waitForEvent('close'), popup.getByTestId('signup-cancel').click()]);

    // Assess
    await expectText(page.getByTestId('signup-status'), /closed before the end: nothing changed/);
    await expectText(page.getByTestId('connection-status'), /not connected/i);
  });

  it('pauses the AI on a conversation and resumes it; the owner replying from the page pauses it as "You’re replying"', async () => {
    // Prepare: a customer writes to demo-meta; its owner opens the conversation
    await page.goto(runtime.signedInSettingsUrl('demo-meta'));
    const response = await fetch(`${runtime.simulators.meta.url}/_simulator/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // The simulator has the signed-up numbers too: name demo-meta's.
      body: JSON.stringify({ account: runtime.config.DEV_META_PHONE_NUMBER_ID, from: '+5215598761111', text: 'Hola, ¿abren hoy?', name: 'Lucía' }),
    });
    expect(response.status).toBe(200);
    await page.getByTestId('conversation-item').filter({ hasText: 'Lucía' }).first().click({ timeout: 20_000 });
    await expectAttribute(page.getByTestId('handoff'), 'data-paused', 'false');
    await expectText(page.getByTestId('handoff-text'), /The AI answers this conversation/);

    // Act + Assess: pause by hand
    await page.getByTestId('pause-ai').click();
    await expectAttribute(page.getByTestId('handoff'), 'data-paused', 'true');
    await expectText(page.getByTestId('handoff-text'), /^AI paused until /);
    await expectText(page.getByTestId('conversation-item').filter({ hasText: 'Lucía' }), /AI paused/);
    await page.getByTestId('handoff').screenshot({ path: join(SCREENSHOTS, 'handoff-1-paused.png') });

    // Act + Assess: resume
    await page.getByTestId('resume-ai').click();
    await expectAttribute(page.getByTestId('handoff'), 'data-paused', 'false');
    await expectText(page.getByTestId('handoff-text'), /The AI answers this conversation/);

    // Act + Assess: the owner replies from the page
    await page.getByTestId('reply-text').fill('¡Sí, hasta las 9!');
    await page.getByTestId('reply-send').click();
    await expectText(page.getByTestId('handoff-text'), /^You’re replying — AI paused until /, 20_000);
    await expectAttribute(page.getByTestId('handoff'), 'data-paused', 'true');
    await page.getByTestId('handoff').screenshot({ path: join(SCREENSHOTS, 'handoff-2-owner-replying.png') });
  });
});
