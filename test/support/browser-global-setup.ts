import { ChromiumMissingError, chromiumPath } from '../browser/chromium';
import motoGlobalSetup from './moto-global-setup';

/**
 * The browser project's setup: Chromium first, so that a missing browser is one line for the
 * whole run instead of a failure in every browser test file; then the run's moto and templates,
 * shared with the integration project.
 */
export default async function setup(): Promise<void> {
  try {
    chromiumPath();
  } catch (error) {
    if (error instanceof ChromiumMissingError) {
      console.error(`\n✖ ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  await motoGlobalSetup();
}
