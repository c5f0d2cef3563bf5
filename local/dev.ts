/**
 * `npm run dev`: the webhook, running locally exactly as in AWS, against moto.
 * See `local/runtime.ts` for what starts, and `local/config.ts` for the settings.
 */
import { LocalConfigError, loadLocalConfig } from './config';
import { MotoUnavailableError, assertMotoInstalled } from './moto';
import { LocalRuntimeError, startLocalRuntime, type LocalRuntime } from './runtime';
import { SeedError } from './seed';
import { DEFAULT_STATE_FILE } from './state';
import { TemplateResolutionError } from './template';

/** Errors whose message is the whole story: print one line, no stack. */
const ONE_LINE_ERRORS = [MotoUnavailableError, LocalConfigError, LocalRuntimeError, SeedError, TemplateResolutionError];

function fail(error: unknown): never {
  if (ONE_LINE_ERRORS.some((type) => error instanceof type)) {
    console.error(`✖ ${(error as Error).message}`);
  } else {
    console.error('✖ the local runtime failed to start:', error);
  }
  process.exit(1);
}

function banner(runtime: LocalRuntime): string {
  const last4 = runtime.demo.whatsappNumber.slice(-4);
  return [
    '',
    `✔ Echo WhatsApp local runtime on ${runtime.url}`,
    `  moto          ${runtime.motoEndpoint}${runtime.ownsMoto ? '' : ' (already running; left running on exit)'}`,
    `  demo          business ${runtime.demo.businessId}, Twilio connection ${runtime.demo.connectionId} (number ***${last4})`,
    `  inbound       POST ${runtime.webhookUrls.inbound}`,
    `  status        POST ${runtime.webhookUrls.status}`,
    `  health        GET  ${runtime.url}/health`,
    '',
    '  Send a customer message:  npm run simulate -- inbound --from +5215512345678 --text "Hola"',
    '  Stop:                     Ctrl+C',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  // Locally Node 20 is fine (Lambda runs 22); the SDK's notice about Node 20 would only be noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  try {
    const config = loadLocalConfig();
    // Only needed when we start moto ourselves; checked first so a missing install is one clear line.
    if (!config.MOTO_ENDPOINT) assertMotoInstalled();
  } catch (error) {
    fail(error);
  }

  // Signals may arrive while we start (then the start is aborted and cleans up) or once we run.
  const starting = new AbortController();
  let runtime: LocalRuntime | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    if (!runtime) return starting.abort();
    runtime
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error('✖ shutdown failed:', error);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  console.log('Synthesizing the CDK app (no bundling)…');
  try {
    runtime = await startLocalRuntime({
      stateFile: DEFAULT_STATE_FILE,
      log: (line) => console.log(line),
      signal: starting.signal,
    });
  } catch (error) {
    if (starting.signal.aborted) process.exit(130);
    fail(error);
  }
  console.log(banner(runtime));
}

void main();
