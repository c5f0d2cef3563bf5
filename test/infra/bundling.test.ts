/**
 * The one infra test that really bundles (esbuild, locally; no Docker). Every other infra test
 * skips bundling. It needs every handler's `lambdas/handlers/<name>/index.ts`, and `web/build.ts`
 * for the settings page.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { build } from 'esbuild';
import { createApp, type EchoApp } from '../../lib/app';
import { bundlingFor, WEBHOOK_BUNDLING } from '../../lib/bundling';
import { handlerEntry } from '../../lib/constructs/echo-function';
import { logicalIdOf } from './synth';

const BUNDLING_TIMEOUT_MS = 120_000;

/** Handler folder → the function construct that deploys it. */
const FUNCTIONS = {
  webhook: (echo: EchoApp) => echo.stateless.webhook.function,
  send: (echo: EchoApp) => echo.stateless.send.function,
  ai: (echo: EchoApp) => echo.stateless.ai.function,
  window: (echo: EchoApp) => echo.stateless.window.echoFunction.function,
  'outcome-watchdog': (echo: EchoApp) => echo.stateless.outcomeWatchdog.echoFunction.function,
  'template-sync': (echo: EchoApp) => echo.stateless.templateSync.echoFunction.function,
  reconcile: (echo: EchoApp) => echo.stateless.reconcile.echoFunction.function,
  admin: (echo: EchoApp) => echo.stateless.admin.function,
} as const;
type HandlerName = keyof typeof FUNCTIONS;

describe('function bundles', () => {
  let outdir: string;
  let echo: EchoApp;
  let assembly: CloudAssembly;
  const bundles = new Map<HandlerName, string>();

  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'echo-whatsapp-bundle-'));
    echo = createApp({ outdir });
    assembly = echo.app.synth();
  }, BUNDLING_TIMEOUT_MS);

  afterAll(() => {
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  /** The deployed `index.js` of a handler, read from its asset directory. */
  function bundleOf(name: HandlerName): string {
    const cached = bundles.get(name);
    if (cached !== undefined) return cached;
    const template = assembly.getStackByName(echo.stateless.stackName).template as {
      Resources: Record<string, { Properties: { Code?: { S3Key?: string } } }>;
    };
    const fn = template.Resources[logicalIdOf(FUNCTIONS[name](echo))];
    const assetHash = fn?.Properties.Code?.S3Key?.replace(/\.zip$/, '');
    const assetDir = path.join(assembly.directory, `asset.${assetHash}`);
    expect(fs.readdirSync(assetDir)).toEqual(['index.js']); // no source map, nothing else
    const bundle = fs.readFileSync(path.join(assetDir, 'index.js'), 'utf8');
    bundles.set(name, bundle);
    return bundle;
  }

  it.each(Object.keys(FUNCTIONS) as HandlerName[])(
    '%s: one small CommonJS file that exports `handler` and leaves the runtime-provided AWS SDK out',
    (name) => {
      expect(fs.existsSync(handlerEntry(name))).toBe(true);
      const bundle = bundleOf(name);

      expect(bundle).toMatch(/module\.exports\s*=/);
      expect(bundle).toMatch(/\bhandler\b/);
      // Externalized: required at run time from the Node.js 22 runtime, never bundled.
      expect(bundle).toMatch(/require\("@aws-sdk\/client-[a-z-]+"\)/);
      expect(bundle).not.toMatch(/class (DynamoDBClient|SQSClient|EventBridgeClient|SecretsManagerClient)\b/);
      // A guard against accidentally bundling something heavy (the webhook is ~175 KB).
      expect(bundle.length).toBeLessThan(1024 * 1024);
    },
  );

  it('keeps class names through minification (EchoError names errors by new.target.name)', () => {
    expect(bundleOf('webhook')).toContain('"RetryableError"');
  });

  it.each([
    ['webhook', WEBHOOK_BUNDLING],
    ['send', bundlingFor('send')],
  ] as const)(
    '%s: the bench bundles with lib/bundling.ts directly and gets the very bytes the stack deploys',
    async (name, options) => {
      const benchFile = path.join(outdir, `bench-${name}.js`);
      await build({ entryPoints: [handlerEntry(name)], ...options, outfile: benchFile, logLevel: 'error' });
      expect(fs.readFileSync(benchFile, 'utf8') === bundleOf(name)).toBe(true);
    },
    BUNDLING_TIMEOUT_MS,
  );

  it('builds the settings page with web/build.ts at synthesis: index.html, app.js and app.css, deployed under settings/', () => {
    const template = assembly.getStackByName(echo.stateless.stackName).template as {
      Resources: Record<string, { Type: string; Properties: { SourceObjectKeys?: string[]; DestinationBucketKeyPrefix?: string } }>;
    };
    const [deployment] = Object.values(template.Resources).filter((resource) => resource.Type === 'Custom::CDKBucketDeployment');
    expect(deployment?.Properties.DestinationBucketKeyPrefix).toBe('settings/');
    const [page, config] = (deployment?.Properties.SourceObjectKeys ?? []).map((key) =>
      path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`),
    );
    expect(fs.readdirSync(page!).sort()).toEqual(expect.arrayContaining(['app.css', 'app.js', 'index.html']));
    expect(fs.readFileSync(path.join(page!, 'index.html'), 'utf8')).toMatch(/app\.js/);
    expect(fs.readdirSync(config!)).toEqual(['config.json']);
  });
});
