import type { MotoServer } from '../../local/moto';

export default async function teardown(): Promise<void> {
  await (globalThis as { __MOTO__?: MotoServer }).__MOTO__?.stop();
}
