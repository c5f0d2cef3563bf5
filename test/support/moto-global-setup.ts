import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertMotoInstalled, freePort, MotoUnavailableError, startMoto, type MotoServer } from '../../local/moto';
import { TEMPLATES_FILE_ENV, writeSynthesizedTemplates } from './templates';

/**
 * Once per run, for the integration and browser projects: one moto server that every test file
 * shares (each creates uniquely named resources), and the stacks' templates synthesized once
 * (`synthesizedTemplates()` reads them instead of loading the CDK in every file).
 */
export default async function setup(): Promise<void> {
  // Both projects' setups call this; jest runs them one after the other in one process.
  if ((globalThis as { __MOTO__?: MotoServer }).__MOTO__) return;
  try {
    assertMotoInstalled();
  } catch (error) {
    stopOnMotoUnavailable(error);
  }
  const dir = mkdtempSync(join(tmpdir(), 'echo-test-run-'));
  // Given a port, startMoto spawns moto before its first await: moto boots in its own process
  // while this one synthesizes.
  const starting = startMoto({ port: await freePort() });
  let moto: MotoServer;
  try {
    process.env[TEMPLATES_FILE_ENV] = writeSynthesizedTemplates(dir);
    moto = await starting;
  } catch (error) {
    await (await starting.catch(() => undefined))?.stop();
    rmSync(dir, { recursive: true, force: true });
    stopOnMotoUnavailable(error);
  }
  process.env.MOTO_ENDPOINT = moto.endpoint;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  Object.assign(globalThis, { __MOTO__: moto, __TEST_RUN_DIR__: dir });
}

/**
 * Every integration and browser test needs moto: without it the run stops with its one line (a
 * stack trace would only bury it). Any other error is thrown as it is.
 */
function stopOnMotoUnavailable(error: unknown): never {
  if (error instanceof MotoUnavailableError) {
    console.error(`\n✖ ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
