import { rmSync } from 'node:fs';
import type { MotoServer } from '../../local/moto';

export default async function teardown(): Promise<void> {
  const run = globalThis as { __MOTO__?: MotoServer; __TEST_RUN_DIR__?: string };
  await run.__MOTO__?.stop();
  if (run.__TEST_RUN_DIR__) rmSync(run.__TEST_RUN_DIR__, { recursive: true, force: true });
}
