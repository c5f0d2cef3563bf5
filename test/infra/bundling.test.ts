/**
 * The one infra test that really bundles (esbuild, locally; no Docker). Every other infra test
 * skips bundling. It needs `lambdas/handlers/webhook/index.ts`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { createApp } from '../../lib/app';
import { WEBHOOK_BUNDLING } from '../../lib/bundling';
import { handlerEntry } from '../../lib/constructs/echo-function';

const BUNDLING_TIMEOUT_MS = 120_000;

describe('webhook bundle', () => {
  let outdir: string;

  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'echo-whatsapp-bundle-'));
  });

  afterAll(() => {
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  it('is one small CommonJS file that exports `handler`, leaves the runtime-provided AWS SDK out, and is what the bench measures', async () => {
    expect(fs.existsSync(handlerEntry('webhook'))).toBe(true);

    const { app, stateless } = createApp({ outdir });
    const assembly = app.synth();

    const template = assembly.getStackByName(stateless.stackName).template as {
      Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }>;
    };
    const [fn] = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    const assetHash = fn?.Properties.Code?.S3Key?.replace(/\.zip$/, '');
    const assetDir = path.join(assembly.directory, `asset.${assetHash}`);

    expect(fs.readdirSync(assetDir)).toEqual(['index.js']); // no source map, nothing else
    const bundle = fs.readFileSync(path.join(assetDir, 'index.js'), 'utf8');

    expect(bundle).toMatch(/module\.exports\s*=/);
    expect(bundle).toMatch(/\bhandler\b/);
    // Externalized: required at run time from the Node.js 22 runtime, not bundled.
    expect(bundle).toContain('require("@aws-sdk/client-dynamodb")');
    expect(bundle).not.toMatch(/class DynamoDBClient\b/);
    // keepNames: error classes keep their names through minification.
    expect(bundle).toContain('"RetryableError"');
    // A guard against accidentally bundling something heavy (today ~175 KB).
    expect(bundle.length).toBeLessThan(1024 * 1024);

    // The bench bundles with lib/bundling.ts directly; it must get the very bytes the stack deploys.
    const benchFile = path.join(outdir, 'bench-webhook.js');
    await build({ ...WEBHOOK_BUNDLING, entryPoints: [handlerEntry('webhook')], outfile: benchFile, logLevel: 'error' });
    expect(fs.readFileSync(benchFile, 'utf8') === bundle).toBe(true);
  }, BUNDLING_TIMEOUT_MS);
});
