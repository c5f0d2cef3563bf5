/**
 * `npm run dev`: the whole pipeline (webhook, AI and send consumers, scheduled jobs), running
 * locally as in AWS, against moto and the BSP simulators (Twilio's, or real Twilio; Meta's and
 * 360dialog's).
 * See `local/runtime.ts` for what starts, and `local/config.ts` for the settings.
 */
import { LocalConfigError, loadLocalConfig } from './config';
import { formatRuntimeLine, installReadableOutput, logFormatOf } from './log-format';
import { MotoUnavailableError, assertMotoInstalled } from './moto';
import { LocalRuntimeError, startLocalRuntime, type LocalRuntime } from './runtime';
import { SeedError } from './seed';
import { simulateHint } from './simulate';
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

const percent = (rate: number) => `${Math.round(rate * 1000) / 10}%`;

/** Where a URL points, without credentials or query (an AI endpoint URL may carry a key). */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

function twilioLines(runtime: LocalRuntime): string[] {
  const { twilio } = runtime;
  if (twilio.mode === 'simulator') {
    const faults = twilio.faults;
    const faultText = faults && (faults.rate429 || faults.rate5xx || faults.rateLostAnswer || faults.rate63016)
      ? `faults: 429 ${percent(faults.rate429)}, 5xx ${percent(faults.rate5xx)}, lost answer ${percent(faults.rateLostAnswer)}, 63016 ${percent(faults.rate63016)}`
      : 'no faults (SIMULATOR_RATE_429 / _5XX / _LOST_ANSWER / _63016 inject them)';
    return [`  twilio        simulator on ${runtime.simulator?.url ?? twilio.apiBaseUrl}, ${faultText}`];
  }
  const lines = [`  twilio        REAL Twilio, account ***${runtime.demo.accountSid.slice(-4)}, number ***${runtime.demo.whatsappNumber.slice(-4)}`];
  if (runtime.config.PUBLIC_BASE_URL) {
    lines.push(
      `  callbacks     ${twilio.webhookBaseUrl}/webhook/whatsapp/twilio/${runtime.demo.connectionId}/status (through your tunnel)`,
      `  set in Twilio the number's incoming webhook to ${twilio.webhookBaseUrl}/webhook/whatsapp/twilio/${runtime.demo.connectionId}`,
    );
  } else {
    lines.push(
      '  ⚠ Twilio cannot call 127.0.0.1: status callbacks and incoming messages will not arrive.',
      `    Start a tunnel to port ${runtime.port} (e.g. \`ngrok http ${runtime.port}\`) and restart with PUBLIC_BASE_URL=<its https URL>.`,
    );
  }
  return lines;
}

function cloudLines(runtime: LocalRuntime): string[] {
  const faults = runtime.cloudFaults;
  const rates = [
    ['429', faults.rate429],
    ['5xx', faults.rate5xx],
    ['lost answer', faults.rateLostAnswer],
    ['131047', faults.rate131047],
  ] as const;
  const faultText = rates.some(([, rate]) => rate)
    ? `faults: ${rates.map(([name, rate]) => `${name} ${percent(rate ?? 0)}`).join(', ')}`
    : 'no faults (SIMULATOR_RATE_LOST_ANSWER adds lost answers)';
  return [
    `  meta          simulator on ${runtime.simulators.meta.url} (META_GRAPH_BASE_URL), ${faultText}`,
    `  360dialog     simulator on ${runtime.simulators.dialog360.url} (DIALOG360_BASE_URL), webhook registered for ${runtime.demos['360dialog'].connectionId}`,
  ];
}

function responderLine(runtime: LocalRuntime): string {
  switch (runtime.responder) {
    case 'demo':
      return '  responder     demo (built in: answers with a text and a reply-button message; set AI_ENDPOINT_URL for a real AI)';
    case 'http':
      return `  responder     http → ${safeUrl(runtime.env.AI_ENDPOINT_URL ?? '')}`;
    default:
      return '  responder     none (publishes message.received only; replies come from the outbound queue)';
  }
}

function banner(runtime: LocalRuntime): string {
  const last4 = (number: string) => number.slice(-4);
  const { meta, '360dialog': dialog360 } = runtime.demos;
  const consumers = runtime.consumers.length
    ? runtime.consumers.map((consumer) => `${consumer.name} ← ${consumer.queue.name} (batch ${consumer.batchSize})`)
    : ['none in the template'];
  const every = runtime.scheduleIntervalMs > 0 ? `every ${runtime.scheduleIntervalMs / 1000} s locally` : 'off (SCHEDULE_INTERVAL_SECONDS=0)';
  const schedules = runtime.schedules.length
    ? [`${runtime.schedules.map((schedule) => `${schedule.name} (${schedule.scheduleExpression} in AWS)`).join(', ')}: ${every}`]
    : ['none in the template'];
  return [
    '',
    `✔ Echo WhatsApp local runtime on ${runtime.url}`,
    `  moto          ${runtime.motoEndpoint}${runtime.ownsMoto ? '' : ' (already running; left running on exit)'}`,
    `  demo          business ${runtime.demo.businessId}, Twilio connection ${runtime.demo.connectionId} (number ***${last4(runtime.demo.whatsappNumber)})`,
    `                business ${meta.businessId}, Meta connection ${meta.connectionId} (number ***${last4(meta.displayNumber)}, phone number id ${meta.providerNumberId})`,
    `                business ${dialog360.businessId}, 360dialog connection ${dialog360.connectionId} (number ***${last4(dialog360.displayNumber)})`,
    `  inbound       POST ${runtime.webhookUrls.inbound}`,
    `  status        POST ${runtime.webhookUrls.status}`,
    `  meta          GET+POST ${meta.webhookUrl}`,
    `  360dialog     POST ${dialog360.webhookUrl}`,
    `  health        GET  ${runtime.url}/health`,
    `  admin API     ${runtime.url}/businesses/{businessId}/whatsapp/… (JWT from the local issuer ${runtime.oidc.issuer})`,
    '',
    `  Settings page, signed in as business ${runtime.demo.businessId} (a dev token for 12 h):`,
    `    ${runtime.signedInSettingsUrl(runtime.demo.businessId)}`,
    `  Another business:          npm run token -- --business <id> --url   (${meta.businessId}, ${dialog360.businessId}, …)`,
    '',
    ...twilioLines(runtime),
    ...cloudLines(runtime),
    responderLine(runtime),
    process.env.LOG_FORMAT?.toLowerCase() === 'json'
      ? "  log           the functions' JSON lines (LOG_FORMAT=json)"
      : '  log           one line per message event (LOG_FORMAT=json for the JSON lines); `npm run ops -- health` for the figures',
    ...consumers.map((line, i) => `  ${i === 0 ? 'consumers' : '         '}     ${line}`),
    ...schedules.map((line) => `  schedules     ${line}`),
    '',
    `  Send a customer message:  ${simulateHint(runtime.port, '--from +5215512345678 --text "Hola"')}`,
    `  … through Meta, a batch:  ${simulateHint(runtime.port, '--provider meta --from +5215512345678 --text "Hola" --count 3')}`,
    `  … through 360dialog:      ${simulateHint(runtime.port, '--provider 360dialog --from +5215512345678 --text "Hola"')}`,
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

  // The functions run in this process and write their JSON lines to stdout and stderr.
  const format = logFormatOf(process.env);
  if (format === 'readable') {
    installReadableOutput(process.stdout, format);
    installReadableOutput(process.stderr, format);
  }
  let ready = false;
  console.log('Synthesizing the CDK app (no bundling)…');
  try {
    runtime = await startLocalRuntime({
      stateFile: DEFAULT_STATE_FILE,
      log: (line) => {
        const shown = formatRuntimeLine(line, format, ready);
        if (shown !== undefined) console.log(shown);
      },
      signal: starting.signal,
    });
  } catch (error) {
    if (starting.signal.aborted) process.exit(130);
    fail(error);
  }
  console.log(banner(runtime));
  ready = true;
}

void main();
