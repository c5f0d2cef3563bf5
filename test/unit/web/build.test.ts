import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWeb } from '../../../web/build';

describe('buildWeb', () => {
  let outDir: string;
  beforeAll(() => {
    outDir = mkdtempSync(join(tmpdir(), 'echo-web-build-'));
    buildWeb(outDir);
  });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  // Its size is a figure of `npm run bench` (section 5), not an assertion here.
  it('writes index.html, app.js, app.css and the status widget', () => {
    for (const file of ['index.html', 'app.js', 'app.css', 'status-widget.js']) expect(statSync(join(outDir, file)).size).toBeGreaterThan(0);
  });

  it('builds the status widget as one script with its stylesheet inside and only the status texts', () => {
    const widget = readFileSync(join(outDir, 'status-widget.js'), 'utf8');
    const page = readFileSync(join(outDir, 'app.js'), 'utf8');
    expect(widget).toContain('echo-whatsapp-status');
    expect(widget).toMatch(/\.badge--attention\{/);
    expect(widget).toContain('Requiere atención');
    expect(widget).not.toContain('Choose your WhatsApp provider');
    expect(widget).not.toMatch(/\bzod\b|ZodError/);
    expect(widget.length).toBeLessThan(page.length / 4);
  });

  it('links the assets by their /settings/ paths, with no inline script (the CSP forbids it)', () => {
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    expect(html).toContain('src="/settings/app.js"');
    expect(html).toContain('href="/settings/app.css"');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=/);
  });

  it('bundles the page without the API runtime (types only from the contract) and keeps the test hooks', () => {
    const js = readFileSync(join(outDir, 'app.js'), 'utf8');
    expect(js).not.toMatch(/\bzod\b|ZodError/);
    for (const hook of ['connection-status', 'save-credentials', 'run-test', 'reply-send', 'window-countdown']) expect(js).toContain(hook);
  });
});
