import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../local/runtime';
import { synthesizedTemplates } from './templates';

export interface TestRuntimeOptions {
  /** The demo connection's Twilio account, which the simulator accepts. */
  account: { accountSid: string; authToken: string; whatsappNumber: string };
  /** @default 'none' */
  responder?: 'demo' | 'none';
  /** Lines of the runtime (one per request, batch and run): a failing test prints the last ones. */
  log: (line: string) => void;
  simulator?: LocalRuntimeOptions['simulator'];
  /** @default true */
  pollQueues?: boolean;
}

/**
 * The whole local runtime for one test file, against the run's moto (`MOTO_ENDPOINT`), on free
 * ports, with unique resource names, its own secret prefix and OIDC key, the Twilio simulator and
 * no scheduler (tests fire schedules by hand). Whatever the developer's shell says about real
 * Twilio, a tunnel or an AI endpoint is ignored.
 */
export async function startTestRuntime(options: TestRuntimeOptions): Promise<LocalRuntime> {
  const endpoint = process.env.MOTO_ENDPOINT;
  if (!endpoint) throw new Error('MOTO_ENDPOINT is not set: run through jest --selectProjects integration (or browser)');
  return startLocalRuntime({
    motoEndpoint: endpoint,
    port: 0,
    simulatorPort: 0,
    uniqueSuffix: true,
    secretPrefix: `echo-test-${randomBytes(4).toString('hex')}`,
    templates: synthesizedTemplates(),
    oidcKeyFile: join(mkdtempSync(join(tmpdir(), 'echo-oidc-')), 'oidc-key.json'),
    config: {
      DEV_TWILIO_ACCOUNT_SID: options.account.accountSid,
      DEV_TWILIO_AUTH_TOKEN: options.account.authToken,
      DEV_WHATSAPP_NUMBER: options.account.whatsappNumber,
      TWILIO_ACCOUNT_SID: undefined,
      TWILIO_AUTH_TOKEN: undefined,
      TWILIO_WHATSAPP_NUMBER: undefined,
      PUBLIC_BASE_URL: undefined,
      RESPONDER: options.responder ?? 'none',
      AI_ENDPOINT_URL: undefined,
      SIMULATOR_RATE_429: 0,
      SIMULATOR_RATE_5XX: 0,
      SIMULATOR_RATE_63016: 0,
    },
    ...(options.simulator && { simulator: options.simulator }),
    pollQueues: options.pollQueues ?? true,
    scheduleIntervalMs: 0,
    // Tests close a conversation's window by rewinding lastCustomerMessageAt in the table, which
    // never happens in AWS (it only moves forward): the send Lambda must not trust a remembered
    // open window then.
    functionEnv: { SEND_CONVERSATION_CACHE_SECONDS: '0' },
    log: options.log,
  });
}
