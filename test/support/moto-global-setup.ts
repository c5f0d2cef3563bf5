import { MotoUnavailableError, startMoto } from '../../local/moto';

/** One moto server for the whole integration run; test files share it and create uniquely named resources. */
export default async function setup(): Promise<void> {
  try {
    const moto = await startMoto();
    process.env.MOTO_ENDPOINT = moto.endpoint;
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    (globalThis as { __MOTO__?: typeof moto }).__MOTO__ = moto;
  } catch (error) {
    if (error instanceof MotoUnavailableError) {
      // One clear line, then stop: every integration test needs moto.
      console.error(`\n✖ ${error.message}\n`);
    }
    throw error;
  }
}
