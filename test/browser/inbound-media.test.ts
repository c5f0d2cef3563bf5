/**
 * Received media in the thread, in Chromium against the whole local runtime: a customer sends a
 * photo and a voice note to the Meta demo number; the simulator serves the files by media id, the
 * media function mirrors them into moto's S3, the admin API lists them with presigned links, and
 * the page (its CSP admitting the bucket) shows the photo and loads the voice note in a player.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { LocalRuntime } from '../../local/runtime';
import { sampleMedia } from '../../local/media-samples';
import { startTestRuntime } from '../support/local-runtime';
import { chromiumPath, CHROMIUM_ARGS } from './chromium';
import { browserExpect } from './expect';

jest.setTimeout(120_000);

// Before any hook: without Chromium the file fails once, with one line (see chromiumPath).
const executablePath = chromiumPath();

const SCREENSHOTS = join(__dirname, '..', '..', 'test-results', 'browser');

/** What the test reads of an `<img>` and an `<audio>` (the root type-check has no DOM typings). */
type ImageState = { complete: boolean; naturalWidth: number };
type AudioState = { readyState: number; duration: number };

describe('settings page: a received photo and voice note', () => {
  let runtime: LocalRuntime;
  let browser: Browser;
  let page: Page;
  const runtimeLog: string[] = [];
  const cspViolations: string[] = [];
  let stdout: jest.SpyInstance;
  const failure = (what: string) => new Error(`${what}\nCSP violations: ${cspViolations.join(', ') || 'none'}\nruntime log:\n${runtimeLog.slice(-25).join('\n')}`);
  const { poll, expectAttribute } = browserExpect(failure);

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    runtime = await startTestRuntime({
      account: { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex'), whatsappNumber: '+14155238886' },
      log: (line) => runtimeLog.push(line),
    });
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    page = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } })).newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
    stdout?.mockRestore();
  });

  it('shows the photo inline and loads the voice note in a player', async () => {
    // Prepare: a photo and a voice note as Meta delivers them (media ids the simulator serves).
    const meta = runtime.simulators.meta;
    const demo = runtime.demos.meta;
    const photo = sampleMedia('image');
    const voice = sampleMedia('voice');
    const image = meta.addMedia(demo.providerNumberId, { mimeType: photo.contentType, bytes: photo.bytes });
    const audio = meta.addMedia(demo.providerNumberId, { mimeType: voice.contentType, bytes: voice.bytes });
    const from = `+52155${String(Date.now()).slice(-8)}`;

    // Act
    const posted = await meta.postInbound({
      account: demo.providerNumberId,
      messages: [
        { from, name: 'Marta', media: { type: 'image', id: image.id, mimeType: image.mimeType, sha256: image.sha256, caption: 'El pastel' } },
        { from, name: 'Marta', media: { type: 'audio', id: audio.id, mimeType: audio.mimeType, sha256: audio.sha256, voice: true } },
      ],
    });
    expect(posted.firstAttempt).toMatchObject({ ok: true });
    await page.goto(runtime.signedInSettingsUrl(demo.businessId));
    await page.getByTestId('conversation-item').filter({ hasText: 'Marta' }).first().click({ timeout: 20_000 });

    // Assess: the photo decodes (alt text from its caption); the player knows the note's length.
    const img = page.getByTestId('media-image').first();
    await expectAttribute(img, 'alt', 'Photo from the customer: El pastel', 30_000);
    await poll('the photo to decode', () => img.evaluate((element) => (element as unknown as ImageState).complete && (element as unknown as ImageState).naturalWidth > 0));
    const player = page.getByTestId('media-audio').first();
    await expectAttribute(player, 'aria-label', 'Voice note from the customer');
    await poll('the voice note to load', () => player.evaluate((element) => (element as unknown as AudioState).readyState >= 1 && (element as unknown as AudioState).duration > 0));
    expect(await player.evaluate((element) => Math.round((element as unknown as AudioState).duration))).toBe(2);
    expect(cspViolations).toEqual([]);
    await page.locator('.thread').screenshot({ path: join(SCREENSHOTS, 'media-photo-and-voice.png') });
  });
});
