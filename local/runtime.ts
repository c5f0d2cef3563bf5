/**
 * The whole local runtime in one call: moto, the resources of the synthesized templates, the three
 * demo businesses (Twilio, Meta, 360dialog), the BSP simulators (Twilio's unless real Twilio
 * credentials are set; Meta's and 360dialog's always), and every function of the stateless template
 * invoked the way AWS invokes it: the webhook behind a local HTTP API, the queue consumers by SQS
 * pollers (one per event source mapping, with its batch size), the scheduled functions by a local
 * scheduler. `npm run dev` is a thin wrapper around {@link startLocalRuntime}; integration tests
 * start it in-process.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { META_APP_WEBHOOK_PATH, webhookPath, type ProviderName } from '../lambdas/domain/providers';
import { DIALOG360_WEBHOOK_TOKEN_HEADER } from '../lambdas/providers/whatsapp/dialog360/api';
import type { CloudFaults, Dialog360Simulator, MetaSimulator, SeedTemplate } from './cloud-api-simulator';
import { loadLocalConfig, realTwilioOf, responderOf, type LocalConfig } from './config';
import { asEventSourceConsumer } from './consumer';
import { FunctionEnvConflictError, mergeFunctionEnvironments, type MergedEnvironment } from './function-env';
import { startGateway, type GatewayRoute, type HttpApiHandler } from './gateway';
import { authorizeJwt } from './jwt-authorizer';
import { motoClientEnv, startMoto, type MotoServer } from './moto';
import { createLocalOidcIssuer, DEFAULT_BUSINESS_CLAIM, LOCAL_ISSUER_PATH, type LocalOidcIssuer } from './oidc';
import { provisionFromTemplates, type LocalQueue, type ProvisionedResources } from './resources';
import { createScheduler, type Scheduler } from './scheduler';
import { seedConnections, twilioDemoConnection, type SeedConnection, type SeededConnection, type SeededDemo } from './seed';
import { createSqsPoller, type SqsPoller } from './sqs-poller';
import { createStreamPoller, type StreamHandler, type StreamPoller } from './stream-poller';
import { LOCAL_SDK_TIMEOUTS, sdkTimeoutEnvironment } from '../lib/scaling';
import type { DemoConnectionState, RuntimeStateFile } from './state';
import { SIGNUP_PATHS } from './cloud-api-simulator/embedded-signup';
import { LOCAL_META_APP, seedMetaAppSecret } from './meta-app';
import { createSettingsSite, localMediaSource, type SettingsSite } from './settings-site';
import type { SynthesizedTemplates } from './synth';
import { handlerFolderOf, type FunctionInfo } from './template';
import type { startTwilioSimulator } from './twilio-simulator';

/** The local Twilio simulator, as `local/twilio-simulator` starts it. */
export type TwilioSimulator = Awaited<ReturnType<typeof startTwilioSimulator>>;
type SimulatorOptions = Parameters<typeof startTwilioSimulator>[0];

export interface LocalRuntimeOptions {
  /** Overrides of the settings read from the environment (see `local/config.ts`). */
  config?: Partial<LocalConfig>;
  /**
   * A moto server to use; it is not stopped by `stop()`. Without it: `MOTO_ENDPOINT`, else a moto
   * that already answers on `MOTO_PORT`, else a new moto server on `MOTO_PORT`.
   */
  motoEndpoint?: string;
  /** Port of the local HTTP API; `0` picks a free one. @default config.PORT (3000) */
  port?: number;
  /**
   * Port of the Twilio simulator; `0` picks a free one, and then free ones for the Meta and
   * 360dialog simulators too unless their own ports are given. @default config.TWILIO_SIMULATOR_PORT (3010)
   */
  simulatorPort?: number;
  /** Port of the Meta simulator. @default 0 when `simulatorPort` is 0, else config.META_SIMULATOR_PORT (3011) */
  metaSimulatorPort?: number;
  /** Port of the 360dialog simulator. @default 0 when `simulatorPort` is 0, else config.DIALOG360_SIMULATOR_PORT (3012) */
  dialog360SimulatorPort?: number;
  /**
   * Twilio simulator settings on top of the faults read from the environment (`SIMULATOR_RATE_*`),
   * e.g. short callback delays in tests. Ignored with real Twilio credentials. Its
   * `callbackDelaysMs` also apply to the Meta and 360dialog simulators unless `cloudSimulators` sets theirs.
   */
  simulator?: Pick<SimulatorOptions, 'callbackDelaysMs' | 'faults'>;
  /** Meta and 360dialog simulator settings on top of the faults read from the environment. */
  cloudSimulators?: { callbackDelaysMs?: { sent: number; delivered: number; read: number }; faults?: CloudFaults; webhookRetryDelaysMs?: number[] };
  /** @see ProvisionOptions.namePrefix @default 'echo-local' */
  namePrefix?: string;
  /** @see ProvisionOptions.uniqueSuffix @default false */
  uniqueSuffix?: boolean | string;
  /** Prefix of the demo secret's name. @default the stack's prefix (`echo-whatsapp`) */
  secretPrefix?: string;
  /** Already synthesized templates (saves the ~5-10 s synthesis). @default synthesizes the app */
  templates?: SynthesizedTemplates;
  /**
   * `false` creates the pollers without starting them (a test then steps them through
   * `runtime.consumers[i].poller.pollOnce()`). @default true
   */
  pollQueues?: boolean;
  /** Long-poll wait of each receive. @default 1 */
  pollWaitTimeSeconds?: number;
  /** Pollers per event source mapping (Lambda runs several for busy FIFO queues). @default 1 */
  consumerConcurrency?: number;
  /** Time between runs of the scheduled functions; `0` does not start the scheduler. @default config.SCHEDULE_INTERVAL_SECONDS × 1000 */
  scheduleIntervalMs?: number;
  /** Function environment on top of the template's and the runtime's own (tests tune a handler). @default none */
  functionEnv?: Record<string, string>;
  /** Write the runtime's description here for `npm run simulate`; `false` writes nothing. @default false */
  stateFile?: string | false;
  /** Progress, request and batch lines. @default no output */
  log?: (line: string) => void;
  /** Aborts the start between steps (Ctrl+C during startup); everything started so far is stopped. */
  signal?: AbortSignal;
  /** The local OIDC issuer's signing key. @default `.local/oidc-key.json` (created on first use) */
  oidcKeyFile?: string;
}

/** A queue consumer: the event source mapping of the template, run by local pollers. */
export interface LocalConsumer {
  /** The function's short name (`send`, `ai`). */
  name: string;
  functionLogicalId: string;
  handlerFolder: string;
  queue: LocalQueue;
  batchSize: number;
  /** The pollers (started unless `pollQueues: false`). */
  pollers: SqsPoller[];
}

/**
 * A table stream consumer (the event relay): the stream mapping of the template, run by a local
 * stream poller with the mapping's batch size and filter criteria.
 */
export interface LocalStreamConsumer {
  name: string;
  functionLogicalId: string;
  /** Logical id of the table whose stream it reads. */
  tableLogicalId: string;
  poller: StreamPoller;
}

/** A scheduled function: a rule target of the template, fired by the local scheduler. */
export interface LocalScheduledFunction {
  name: string;
  functionLogicalId: string;
  handlerFolder: string;
  ruleName: string;
  ruleArn: string;
  /** As in the template; locally it runs every `intervalMs`. */
  scheduleExpression: string;
}

export interface LocalTwilio {
  /** `simulator` unless TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_NUMBER are set. */
  mode: 'simulator' | 'real';
  /** What the send Lambda calls (`TWILIO_API_BASE_URL`, `TWILIO_CONTENT_BASE_URL`). */
  apiBaseUrl?: string;
  contentBaseUrl?: string;
  /** The base of status callback URLs (`WEBHOOK_BASE_URL`). */
  webhookBaseUrl: string;
  /** The simulator's fault rates, in simulator mode. */
  faults?: { rate429: number; rate5xx: number; rateLostAnswer: number; rate63016: number };
}

/** A demo business's connection: what was seeded and where its BSP posts. */
export interface LocalDemoConnection extends SeededConnection {
  /** The connection's webhook on the local API. */
  webhookUrl: string;
}

export interface LocalRuntime {
  /** The local HTTP API, `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  motoEndpoint: string;
  /** True when this runtime started moto (and `stop()` stops it). */
  ownsMoto: boolean;
  /** The Twilio demo connection's webhook URLs. */
  webhookUrls: { inbound: string; status: string };
  resources: ProvisionedResources;
  /** The Twilio demo business (`demo`). */
  demo: SeededDemo & { whatsappNumber: string; accountSid: string };
  /** The three demo businesses by provider: `demo` (Twilio), `demo-meta`, `demo-360dialog`. */
  demos: Record<ProviderName, LocalDemoConnection>;
  config: LocalConfig;
  /** The environment every function sees (shared variables and the local overrides). */
  env: Record<string, string>;
  twilio: LocalTwilio;
  /** The Twilio simulator, in simulator mode. */
  simulator?: TwilioSimulator;
  /** Every BSP simulator that runs; `META_GRAPH_BASE_URL` and `DIALOG360_BASE_URL` point at the last two. */
  simulators: { twilio?: TwilioSimulator; meta: MetaSimulator; dialog360: Dialog360Simulator };
  /** The Meta and 360dialog simulators' faults. */
  cloudFaults: CloudFaults;
  /** The AI Lambda's responder (`RESPONDER`). */
  responder: 'http' | 'none' | 'demo';
  consumers: LocalConsumer[];
  /** The event relay's stream pollers, one per table stream (started unless `pollQueues: false`). */
  streamConsumers: LocalStreamConsumer[];
  schedules: LocalScheduledFunction[];
  /** Fires the scheduled functions; `runNow()` runs them at once (tests). */
  scheduler: Scheduler;
  /** The local OIDC issuer whose tokens the admin API's routes accept (the JWT authorizer's stand-in). */
  oidc: LocalOidcIssuer;
  /** The settings page, without a token: `${url}/settings/whatsapp`. */
  settingsUrl: string;
  /** The settings page signed in as a business (a dev token in the URL fragment, never sent to a server). */
  signedInSettingsUrl(businessId: string): string;
  /** Milliseconds between scheduled runs; 0 when the scheduler is not started. */
  scheduleIntervalMs: number;
  stop(): Promise<void>;
}

/** Raised when the local runtime cannot start; its message is the one line to print. */
export class LocalRuntimeError extends Error {}

/**
 * The project's WhatsApp templates (`templates/*.json`) as approved Cloud API templates, so the
 * Meta and 360dialog demo numbers can send them as if the business had them approved already.
 */
function projectTemplates(log: (line: string) => void): SeedTemplate[] {
  const folder = resolve(__dirname, '..', 'templates');
  if (!existsSync(folder)) return [];
  const templates: SeedTemplate[] = [];
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.json'))) {
    try {
      const definition = JSON.parse(readFileSync(join(folder, file), 'utf8')) as {
        whatsappName?: string;
        language?: string;
        category?: string;
        variables?: Record<string, string>;
        types?: Record<string, { body?: string }>;
      };
      const body = definition.types?.['twilio/text']?.body;
      if (!definition.whatsappName || !definition.language || !body) continue;
      const examples = Object.keys(definition.variables ?? {})
        .sort((a, b) => Number(a) - Number(b))
        .map((key) => definition.variables![key]!);
      templates.push({
        name: definition.whatsappName,
        language: definition.language,
        category: (definition.category ?? 'UTILITY').toUpperCase() as SeedTemplate['category'],
        components: [{ type: 'BODY', text: body, ...(examples.length > 0 && { example: { body_text: [examples] } }) }],
      });
    } catch (error) {
      log(`note: templates/${file} not seeded in the Cloud API simulators: ${(error as Error).message}`);
    }
  }
  return templates;
}

async function motoAnswers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function useOrStartMoto(
  endpoint: string | undefined,
  port: number,
  log: (line: string) => void,
): Promise<{ endpoint: string; server?: MotoServer }> {
  if (endpoint) {
    if (!(await motoAnswers(endpoint))) throw new LocalRuntimeError(`moto does not answer on ${endpoint}`);
    return { endpoint };
  }
  const existing = `http://127.0.0.1:${port}`;
  if (await motoAnswers(existing)) {
    // A moto left running (or started by hand) keeps its data: resources and seed are idempotent.
    log(`reusing the moto server already running on ${existing}`);
    return { endpoint: existing };
  }
  const server = await startMoto({ port });
  log(`moto started on ${server.endpoint}`);
  return { endpoint: server.endpoint, server };
}

/**
 * Handler modules read their environment once, at import (their cold start), and Node caches a module
 * per process: a second runtime in the same process with another environment cannot apply.
 */
let loadedEnvFingerprint: string | undefined;

/** The handler folders that exist: `lambdas/handlers/<folder>/index.ts`. */
function handlerFolders(): string[] {
  const root = resolve(__dirname, '..', 'lambdas', 'handlers');
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && ['index.ts', 'index.js'].some((file) => existsSync(join(root, entry.name, file))))
    .map((entry) => entry.name)
    .sort();
}

/** What the local runtime invokes a loaded function with. */
type AnyHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Loads each function's `lambdas/handlers/<folder>/index.ts` as Lambda would: environment first (the
 * variables all functions share, plus the function's own Powertools and `AWS_LAMBDA_*` ones while
 * its module is imported), then the import, whose top level builds the SDK clients and validates the
 * environment (the cold start). The shared variables stay in `process.env` until `stop()`.
 */
async function loadHandlers(
  functions: { fn: FunctionInfo; folder: string }[],
  merged: MergedEnvironment,
  restore: Map<string, string | undefined>,
): Promise<Map<string, AnyHandler>> {
  const fingerprint = JSON.stringify([merged, functions.map(({ fn, folder }) => [fn.logicalId, folder])]);
  if (loadedEnvFingerprint !== undefined && loadedEnvFingerprint !== fingerprint) {
    throw new LocalRuntimeError(
      'the handlers are already loaded in this process with another environment: ' +
        'start one local runtime per process (in jest: per test file)',
    );
  }
  const apply = (env: Record<string, string>) => {
    for (const [key, value] of Object.entries(env)) {
      if (!restore.has(key)) restore.set(key, process.env[key]);
      process.env[key] = value;
    }
  };
  apply(merged.shared);
  loadedEnvFingerprint = fingerprint;
  const handlers = new Map<string, AnyHandler>();
  for (const { fn, folder } of functions) {
    const scoped: Record<string, string> = {
      ...merged.scoped[fn.logicalId],
      AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    };
    const before = Object.fromEntries(Object.keys(scoped).map((key) => [key, process.env[key]]));
    Object.assign(process.env, scoped);
    try {
      const module = (await import(resolve(__dirname, '..', 'lambdas', 'handlers', folder, 'index'))) as { handler?: unknown };
      if (typeof module.handler !== 'function') {
        throw new LocalRuntimeError(`lambdas/handlers/${folder}/index.ts does not export a handler function (${fn.logicalId})`);
      }
      handlers.set(fn.logicalId, module.handler as AnyHandler);
    } catch (error) {
      if (error instanceof LocalRuntimeError) throw error;
      // The usual cause: the handler's env.ts refused its environment. Its message says which variable.
      throw new LocalRuntimeError(`${fn.name} (lambdas/handlers/${folder}) failed to load: ${(error as Error)?.message ?? String(error)}`);
    } finally {
      for (const [key, value] of Object.entries(before)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  }
  return handlers;
}

/** How long `stop()` waits for the batches and scheduled runs in flight. */
const STOP_GRACE_MS = 10_000;

async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/**
 * Starts moto (or uses a running one), creates the stacks' tables, queues and bus in it, seeds the
 * three demo businesses (verified), starts the BSP simulators (Twilio's without real Twilio
 * credentials; Meta's and 360dialog's always, the demo 360dialog webhook registered with it), loads
 * every function the template invokes with its resolved environment, serves the webhook routes on a
 * local HTTP API, polls the queues of the event source mappings and fires the scheduled rules.
 * @example
 * const runtime = await startLocalRuntime({ port: 0, simulatorPort: 0, motoEndpoint: process.env.MOTO_ENDPOINT, uniqueSuffix: true });
 * await fetch(`${runtime.url}/health`); // 200 {"status":"ok"}
 * await runtime.stop();
 */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const log = options.log ?? (() => undefined);
  const config: LocalConfig = { ...loadLocalConfig(), ...options.config };
  const port = options.port ?? config.PORT;
  const realTwilio = realTwilioOf(config);
  const responder = responderOf(config);
  // Listening from the start, so `/health` answers 503 (not "connection refused") while we start.
  let ready = false;
  /** The settings page and the OIDC issuer's documents, once they exist. */
  let serveLocal: ((path: string) => ReturnType<SettingsSite['serve']>) | undefined;
  let moto: { endpoint: string; server?: MotoServer } | undefined;
  const gateway = await startGateway({
    port,
    region: config.AWS_REGION,
    // Ready means everything a webhook needs: resources, seed, handler, and moto still answering.
    isReady: async () => ready && moto !== undefined && (await motoAnswers(moto.endpoint)),
    serveLocal: (method, path) => (method === 'GET' || method === 'HEAD' ? serveLocal?.(path) : undefined),
    log,
  }).catch((error: NodeJS.ErrnoException) => {
    // First thing we do, so a second `npm run dev` fails at once, not after synthesis and seeding.
    if (error.code === 'EADDRINUSE') throw new LocalRuntimeError(`port ${port} is already in use (another \`npm run dev\`?): set PORT to a free port`);
    throw error;
  });
  let stateFile: string | undefined;
  let simulator: TwilioSimulator | undefined;
  let metaSimulator: MetaSimulator | undefined;
  let dialog360Simulator: Dialog360Simulator | undefined;
  let sqs: SQSClient | undefined;
  const pollers: Array<SqsPoller | StreamPoller> = [];
  let scheduler: Scheduler | undefined;
  /** process.env as it was before the functions' environment was applied. */
  const previousEnv = new Map<string, string | undefined>();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (stateFile) rmSync(stateFile, { force: true });
    // Producers first: no new batch or run starts while the rest shuts down. A batch or run in
    // flight may finish, but a hung one (template-sync may take 300 s) does not hold Ctrl+C hostage.
    await settleWithin(Promise.all([scheduler?.stop(), ...pollers.map((poller) => poller.stop())]), STOP_GRACE_MS);
    // Before the gateway: their pending status callbacks would only meet a closed port.
    await Promise.all([simulator?.stop(), metaSimulator?.stop(), dialog360Simulator?.stop()]);
    await gateway.stop();
    sqs?.destroy();
    await moto?.server?.stop();
    for (const [key, value] of previousEnv) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };

  const checkAborted = () => {
    if (options.signal?.aborted) throw new LocalRuntimeError('start interrupted');
  };

  try {
    // Loaded lazily: the CDK is heavy, and callers that pass templates do not need it.
    const templates = options.templates ?? (await import('./synth')).synthesizeTemplates();
    checkAborted();
    moto = await useOrStartMoto(options.motoEndpoint ?? config.MOTO_ENDPOINT, config.MOTO_PORT, log);
    checkAborted();
    const resources = await provisionFromTemplates({
      ...templates,
      endpoint: moto.endpoint,
      region: config.AWS_REGION,
      namePrefix: options.namePrefix,
      uniqueSuffix: options.uniqueSuffix,
    });

    const webhook = resources.functions.find((fn) => fn.name === 'webhook');
    if (!webhook?.routes.length) {
      throw new LocalRuntimeError('the stateless template has no HTTP API route to a webhook function');
    }
    const webhookEnv = resources.functionEnv[webhook.logicalId];
    if (!webhookEnv.CONNECTIONS_TABLE) {
      throw new LocalRuntimeError('the webhook function has no CONNECTIONS_TABLE variable: the seed cannot find the connections table');
    }
    const connectionsTable = Object.values(resources.tables).find((table) => table.name === webhookEnv.CONNECTIONS_TABLE);

    // With real credentials the demo connection is the developer's own Twilio number.
    const account = realTwilio ?? {
      accountSid: config.DEV_TWILIO_ACCOUNT_SID,
      authToken: config.DEV_TWILIO_AUTH_TOKEN,
      whatsappNumber: config.DEV_WHATSAPP_NUMBER,
    };
    // Generated per start like the admin API generates it on a save, and registered with the
    // 360dialog simulator below: only the secret (in moto) and the registration know it.
    const dialog360WebhookSecret = randomBytes(24).toString('base64url');
    const demoConnections: SeedConnection[] = [
      { ...twilioDemoConnection({ accountSid: account.accountSid, authToken: account.authToken, whatsappNumber: account.whatsappNumber }), verified: true },
      {
        businessId: 'demo-meta',
        connectionId: 'demo-meta',
        provider: 'meta',
        secret: { accessToken: config.DEV_META_ACCESS_TOKEN, appSecret: config.DEV_META_APP_SECRET, verifyToken: config.DEV_META_VERIFY_TOKEN },
        last4Of: ['accessToken', 'appSecret'],
        displayNumber: config.DEV_META_NUMBER,
        providerNumberId: config.DEV_META_PHONE_NUMBER_ID,
        providerAccountId: config.DEV_META_WABA_ID,
        // The owner must see the verify token to paste it into Meta's dashboard; the webhook reads the secret's copy.
        attributes: { verifyToken: config.DEV_META_VERIFY_TOKEN },
        verified: true,
      },
      {
        businessId: 'demo-360dialog',
        connectionId: 'demo-360dialog',
        provider: '360dialog',
        secret: { apiKey: config.DEV_360DIALOG_API_KEY, webhookSecret: dialog360WebhookSecret },
        last4Of: ['apiKey'],
        displayNumber: config.DEV_360DIALOG_NUMBER,
        providerNumberId: config.DEV_360DIALOG_NUMBER,
        verified: true,
      },
    ];
    const seeded = await seedConnections(
      {
        endpoint: moto.endpoint,
        region: config.AWS_REGION,
        connectionsTable: webhookEnv.CONNECTIONS_TABLE,
        connectionsPartitionKey: connectionsTable?.partitionKey,
        // The stack's prefix (CONNECTION_SECRET_PREFIX of lib/config.ts, or the `secretNamePrefix` context).
        secretPrefix: options.secretPrefix ?? templates.secretNamePrefix,
      },
      demoConnections,
    );
    // The simulators post to the local API itself; a tunnel (PUBLIC_BASE_URL) is only for real BSPs.
    const demos = Object.fromEntries(
      seeded.map((connection) => [connection.provider, { ...connection, webhookUrl: `${gateway.url}${webhookPath(connection.provider, connection.connectionId)}` }]),
    ) as Record<ProviderName, LocalDemoConnection>;
    const { businessId, connectionId, secretName, secretArn } = demos.twilio;
    const demo: SeededDemo = { businessId, connectionId, secretName, secretArn };
    for (const connection of seeded) {
      log(`seeded business ${connection.businessId}, ${connection.provider} connection ${connection.connectionId} (secret ${connection.secretName})`);
    }
    checkAborted();

    // What runs, from the template: the webhook, every queue consumer, every scheduled function.
    const folders = handlerFolders();
    const byId = new Map(resources.functions.map((fn) => [fn.logicalId, fn]));
    const needed = new Map<string, { fn: FunctionInfo; folder: string }>();
    const need = (logicalId: string) => {
      const existing = needed.get(logicalId);
      if (existing) return existing;
      const fn = byId.get(logicalId) as FunctionInfo;
      const folder = handlerFolderOf(fn, folders);
      if (!folder) {
        throw new LocalRuntimeError(
          `the template declares function ${fn.name} (${fn.cdkPath ?? fn.logicalId}) but no lambdas/handlers/<folder>/index.ts ` +
            `matches it (found: ${folders.join(', ') || 'none'}); name a construct in its path after the folder, or set its metadata 'echo:handler'`,
        );
      }
      const entry = { fn, folder };
      needed.set(logicalId, entry);
      return entry;
    };
    // Every function behind an HTTP API route: the webhook and the admin API.
    const routed = resources.functions.filter((fn) => fn.routes.length > 0);
    routed.forEach((fn) => need(fn.logicalId));
    const eventSources = resources.eventSources.filter((source) => {
      if (!source.enabled) log(`note: ${source.functionName}: its event source mapping is disabled in the template; not polled`);
      return source.enabled;
    });
    const scheduled = resources.schedules.filter((schedule) => {
      if (!schedule.enabled) log(`note: ${schedule.functionName}: rule ${schedule.ruleName} is disabled in the template; not fired`);
      return schedule.enabled;
    });
    const streamSources = resources.streamSources.filter((source) => {
      if (!source.enabled) log(`note: ${source.functionName}: its stream mapping is disabled in the template; not polled`);
      return source.enabled;
    });
    eventSources.forEach((source) => need(source.functionLogicalId));
    streamSources.forEach((source) => need(source.functionLogicalId));
    scheduled.forEach((schedule) => need(schedule.functionLogicalId));

    // The simulator before the environment: its URL is what the send Lambda calls.
    const faults = {
      rate429: config.SIMULATOR_RATE_429,
      rate5xx: config.SIMULATOR_RATE_5XX,
      rateLostAnswer: config.SIMULATOR_RATE_LOST_ANSWER,
      rate63016: config.SIMULATOR_RATE_63016,
    };
    if (!realTwilio) {
      const simulatorPort = options.simulatorPort ?? config.TWILIO_SIMULATOR_PORT;
      const { startTwilioSimulator } = await import('./twilio-simulator');
      simulator = await startTwilioSimulator({
        port: simulatorPort,
        accounts: { [account.accountSid]: account.authToken },
        ...(options.simulator?.callbackDelaysMs !== undefined && { callbackDelaysMs: options.simulator.callbackDelaysMs }),
        faults: { ...faults, ...options.simulator?.faults },
        log,
      }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') {
          throw new LocalRuntimeError(`port ${simulatorPort} is already in use: set TWILIO_SIMULATOR_PORT to a free port`);
        }
        throw error;
      });
      checkAborted();
    }


    // Meta and 360dialog always run simulated: real credentials for them are not wired locally.
    const cloudFaults: CloudFaults = {
      rate429: config.SIMULATOR_RATE_429,
      rate5xx: config.SIMULATOR_RATE_5XX,
      rateLostAnswer: config.SIMULATOR_RATE_LOST_ANSWER,
      // The window-closed fault, as Cloud API reports it.
      rate131047: config.SIMULATOR_RATE_63016,
      ...options.cloudSimulators?.faults,
    };
    const freePorts = options.simulatorPort === 0;
    const cloudDelays = options.cloudSimulators?.callbackDelaysMs ?? options.simulator?.callbackDelaysMs;
    const cloudOptions = {
      faults: cloudFaults,
      log,
      // The project's templates, approved, as if the demo businesses had them already (kept across resets).
      templates: projectTemplates(log),
      ...(cloudDelays && { callbackDelaysMs: cloudDelays }),
      ...(options.cloudSimulators?.webhookRetryDelaysMs !== undefined && { webhookRetryDelaysMs: options.cloudSimulators.webhookRetryDelaysMs }),
    };
    const inUse = (variable: string, port: number) => (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') throw new LocalRuntimeError(`port ${port} is already in use: set ${variable} to a free port`);
      throw error;
    };
    const { startMetaSimulator, startDialog360Simulator } = await import('./cloud-api-simulator');
    const metaPort = options.metaSimulatorPort ?? (freePorts ? 0 : config.META_SIMULATOR_PORT);
    metaSimulator = await startMetaSimulator({
      ...cloudOptions,
      port: metaPort,
      accounts: [
        {
          phoneNumberId: demos.meta.providerNumberId,
          wabaId: config.DEV_META_WABA_ID,
          displayNumber: config.DEV_META_NUMBER,
          accessToken: config.DEV_META_ACCESS_TOKEN,
          appSecret: config.DEV_META_APP_SECRET,
          webhookUrl: demos.meta.webhookUrl,
          verifiedName: 'Echo Demo (Meta)',
        },
      ],
      // Echo's own Meta app: Embedded Signup ("Connect with Facebook"), and the app-level webhook of the numbers it onboards.
      app: {
        appId: LOCAL_META_APP.appId,
        appSecret: LOCAL_META_APP.appSecret,
        configId: LOCAL_META_APP.embeddedSignupConfigId,
        webhookUrl: `${gateway.url}${META_APP_WEBHOOK_PATH}`,
        appName: 'Echo (local)',
      },
    }).catch(inUse('META_SIMULATOR_PORT', metaPort));
    const dialog360Port = options.dialog360SimulatorPort ?? (freePorts ? 0 : config.DIALOG360_SIMULATOR_PORT);
    dialog360Simulator = await startDialog360Simulator({
      ...cloudOptions,
      port: dialog360Port,
      accounts: [{ apiKey: config.DEV_360DIALOG_API_KEY, displayNumber: config.DEV_360DIALOG_NUMBER, verifiedName: 'Echo Demo (360dialog)' }],
    }).catch(inUse('DIALOG360_SIMULATOR_PORT', dialog360Port));
    // As a saved 360dialog connection does in AWS: our URL and our secret header, over 360dialog's API.
    const registration = await fetch(`${dialog360Simulator.url}/v1/configs/webhook`, {
      method: 'POST',
      headers: { 'D360-API-KEY': config.DEV_360DIALOG_API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ url: demos['360dialog'].webhookUrl, headers: { [DIALOG360_WEBHOOK_TOKEN_HEADER]: dialog360WebhookSecret } }),
    });
    if (!registration.ok) throw new LocalRuntimeError(`the 360dialog simulator refused the demo webhook registration (${registration.status})`);
    checkAborted();

    const webhookBaseUrl = config.PUBLIC_BASE_URL ?? gateway.url;
    // Echo's Meta app secret, as the operator fills it in AWS (the admin API's code exchange, the app-level webhook).
    const metaAppSecretArn = await seedMetaAppSecret({ endpoint: moto.endpoint, region: config.AWS_REGION, secretPrefix: options.secretPrefix ?? templates.secretNamePrefix });
    const overrides: Record<string, string | undefined> = {
      ...motoClientEnv(moto.endpoint),
      // Enforced like in AWS, with a request timeout that a busy moto on a laptop still meets.
      ...sdkTimeoutEnvironment(LOCAL_SDK_TIMEOUTS),
      AWS_REGION: config.AWS_REGION,
      AWS_DEFAULT_REGION: config.AWS_REGION,
      // Status callbacks come back to this runtime (or to the tunnel in front of it).
      WEBHOOK_BASE_URL: webhookBaseUrl,
      PUBLIC_BASE_URL: config.PUBLIC_BASE_URL,
      TWILIO_API_BASE_URL: simulator?.url,
      TWILIO_CONTENT_BASE_URL: simulator?.url,
      META_GRAPH_BASE_URL: metaSimulator.url,
      DIALOG360_BASE_URL: dialog360Simulator.url,
      RESPONDER: responder,
      AI_ENDPOINT_URL: config.AI_ENDPOINT_URL,
      META_APP_ID: LOCAL_META_APP.appId,
      META_APP_SECRET_ARN: metaAppSecretArn,
      // The simulators serve media over plain http on loopback; only the local runtime allows that.
      MEDIA_ALLOW_INSECURE_LOCAL: '1',
      ...options.functionEnv,
    };
    // A placeholder in a variable the runtime sets itself (WEBHOOK_BASE_URL names the API) is no news.
    const replaced = new Set(
      resources.placeholders.filter((p) => p.variables.every((variable) => overrides[variable] !== undefined)).map((p) => p.warning),
    );
    for (const warning of resources.warnings) if (!replaced.has(warning)) log(`note: ${warning}`);
    let merged: MergedEnvironment;
    try {
      merged = mergeFunctionEnvironments(
        [...needed.values()].map(({ fn, folder }) => ({ id: fn.logicalId, name: folder, env: resources.functionEnv[fn.logicalId] })),
        overrides,
      );
    } catch (error) {
      if (error instanceof FunctionEnvConflictError) throw new LocalRuntimeError(error.message);
      throw error;
    }
    const handlers = await loadHandlers([...needed.values()], merged, previousEnv);
    checkAborted();

    // The dev issuer stands in for Cognito (or Echo's issuer): same claim name, local audience.
    const oidc = createLocalOidcIssuer({
      issuer: `${gateway.url}${LOCAL_ISSUER_PATH}`,
      businessClaim: merged.shared.BUSINESS_CLAIM ?? DEFAULT_BUSINESS_CLAIM,
      keyFile: options.oidcKeyFile,
    });
    const authorizer = { issuer: oidc.issuer, audience: [oidc.audience], jwks: oidc.jwks };
    const routes: GatewayRoute[] = routed.flatMap((fn) => {
      const handler = handlers.get(fn.logicalId) as HttpApiHandler;
      return fn.routes.map((route): GatewayRoute => {
        if (route.authorizationType && route.authorizationType !== 'JWT') {
          throw new LocalRuntimeError(`route ${route.routeKey} uses a ${route.authorizationType} authorizer, which the local gateway does not emulate`);
        }
        return {
          routeKey: route.routeKey,
          functionName: fn.logicalId,
          handler: (event, context) => handler(event, context),
          timeoutSeconds: fn.timeoutSeconds,
          memorySize: fn.memorySize,
          ...(route.authorizationType === 'JWT' && { authorize: (header: string | undefined) => authorizeJwt(header, authorizer) }),
        };
      });
    });
    gateway.setRoutes(routes);
    const site = createSettingsSite({
      oidc,
      log,
      // "Connect with Facebook" against the Meta simulator: its stand-in SDK and signup window.
      metaSignup: {
        appId: LOCAL_META_APP.appId,
        configId: LOCAL_META_APP.embeddedSignupConfigId,
        sdkUrl: `${metaSimulator.url}${SIGNUP_PATHS.sdk}`,
        messageOrigins: [metaSimulator.url],
        graphVersion: 'v23.0',
      },
      ...(resources.functionEnv.admin?.MEDIA_BUCKET && { mediaSources: [localMediaSource(moto.endpoint, resources.functionEnv.admin.MEDIA_BUCKET)] }),
    });
    serveLocal = (path) => site.serve(path);
    const settingsUrl = `${gateway.url}/settings/whatsapp`;
    const signedInSettingsUrl = (businessId: string) => `${settingsUrl}#token=${oidc.issueToken({ businessId })}`;

    sqs = new SQSClient({ endpoint: moto.endpoint, region: config.AWS_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const consumers: LocalConsumer[] = eventSources.map((source) => {
      const { fn, folder } = needed.get(source.functionLogicalId) as { fn: FunctionInfo; folder: string };
      const queue = resources.queues[source.queueLogicalId];
      const handler = asEventSourceConsumer(handlers.get(fn.logicalId) as AnyHandler, {
        name: folder,
        timeoutSeconds: fn.timeoutSeconds,
        reportBatchItemFailures: source.reportBatchItemFailures,
        log,
      });
      const count = Math.max(1, options.consumerConcurrency ?? 1);
      const consumerPollers = Array.from({ length: count }, () =>
        createSqsPoller({
          sqs: sqs as SQSClient,
          queueUrl: queue.url,
          handler,
          batchSize: source.batchSize,
          waitTimeSeconds: options.pollWaitTimeSeconds ?? 1,
          functionName: fn.logicalId,
          timeoutSeconds: fn.timeoutSeconds,
          // Once stopping, moto may already be gone (Ctrl+C reaches it too): its errors are no news.
          log: (line) => {
            // The batch line above already counts what was left on the queue.
            if (!stopped && !/records left on the queue$/.test(line)) log(`${folder}: ${line}`);
          },
        }),
      );
      pollers.push(...consumerPollers);
      return { name: folder, functionLogicalId: fn.logicalId, handlerFolder: folder, queue, batchSize: source.batchSize, pollers: consumerPollers };
    });

    // The event relay: each table stream it maps, read from its end as the runtime starts.
    const streamConsumers: LocalStreamConsumer[] = await Promise.all(
      streamSources.map(async (source) => {
        const { fn, folder } = needed.get(source.functionLogicalId) as { fn: FunctionInfo; folder: string };
        const poller = createStreamPoller({
          endpoint: moto!.endpoint,
          region: config.AWS_REGION,
          streamArn: source.streamArn,
          handler: handlers.get(fn.logicalId) as StreamHandler,
          batchSize: source.batchSize,
          filterPatterns: source.filterPatterns,
          maximumRetryAttempts: source.maximumRetryAttempts,
          functionName: fn.logicalId,
          timeoutSeconds: fn.timeoutSeconds,
          log: (line) => {
            if (!stopped) log(`${folder}: ${line}`);
          },
        });
        await poller.open();
        pollers.push(poller);
        return { name: folder, functionLogicalId: fn.logicalId, tableLogicalId: source.tableLogicalId, poller };
      }),
    );

    const folderOf = (logicalId: string) => (needed.get(logicalId) as { folder: string }).folder;
    const schedules: LocalScheduledFunction[] = scheduled.map((schedule) => ({
      name: folderOf(schedule.functionLogicalId),
      functionLogicalId: schedule.functionLogicalId,
      handlerFolder: folderOf(schedule.functionLogicalId),
      ruleName: schedule.ruleName,
      ruleArn: schedule.ruleArn,
      scheduleExpression: schedule.scheduleExpression,
    }));
    const scheduleIntervalMs = options.scheduleIntervalMs ?? config.SCHEDULE_INTERVAL_SECONDS * 1000;
    scheduler = createScheduler({
      jobs: scheduled.map((schedule) => {
        const fn = byId.get(schedule.functionLogicalId) as FunctionInfo;
        return {
          name: folderOf(fn.logicalId),
          functionName: fn.logicalId,
          ruleArn: schedule.ruleArn,
          scheduleExpression: schedule.scheduleExpression,
          input: schedule.input,
          handler: handlers.get(fn.logicalId) as AnyHandler,
          timeoutSeconds: fn.timeoutSeconds,
          memorySize: fn.memorySize,
        };
      }),
      intervalMs: scheduleIntervalMs || 60_000,
      region: config.AWS_REGION,
      accountId: resources.accountId,
      log,
    });
    checkAborted();

    const base = `${gateway.url}/webhook/whatsapp/twilio/${demo.connectionId}`;
    const webhookUrls = { inbound: base, status: `${base}/status` };
    const twilio: LocalTwilio = {
      mode: realTwilio ? 'real' : 'simulator',
      apiBaseUrl: merged.shared.TWILIO_API_BASE_URL,
      contentBaseUrl: merged.shared.TWILIO_CONTENT_BASE_URL,
      webhookBaseUrl,
      ...(simulator && { faults: { ...faults, ...options.simulator?.faults } as LocalTwilio['faults'] }),
    };
    if (options.stateFile) {
      stateFile = options.stateFile;
      const demoStates = Object.fromEntries(
        Object.values(demos).map((connection): [ProviderName, DemoConnectionState] => [
          connection.provider,
          {
            provider: connection.provider,
            businessId: connection.businessId,
            connectionId: connection.connectionId,
            secretName: connection.secretName,
            displayNumber: connection.displayNumber,
            providerNumberId: connection.providerNumberId,
            ...(connection.providerAccountId !== undefined && { providerAccountId: connection.providerAccountId }),
            webhookUrl: connection.webhookUrl,
          },
        ]),
      ) as Record<ProviderName, DemoConnectionState>;
      const state: RuntimeStateFile = {
        version: 3,
        pid: process.pid,
        startedAt: new Date().toISOString(),
        url: gateway.url,
        motoEndpoint: moto.endpoint,
        region: config.AWS_REGION,
        namePrefix: resources.namePrefix,
        webhookUrls,
        ...(config.PUBLIC_BASE_URL && {
          publicWebhookUrls: {
            inbound: `${config.PUBLIC_BASE_URL}/webhook/whatsapp/twilio/${demo.connectionId}`,
            status: `${config.PUBLIC_BASE_URL}/webhook/whatsapp/twilio/${demo.connectionId}/status`,
          },
        }),
        demo: {
          businessId: demo.businessId,
          connectionId: demo.connectionId,
          secretName: demo.secretName,
          accountSid: account.accountSid,
          whatsappNumber: account.whatsappNumber,
        },
        webhookEnv,
        ...(webhookEnv.ARCHIVE_BUCKET && { archiveBucket: webhookEnv.ARCHIVE_BUCKET }),
        tables: resources.tables,
        queues: resources.queues,
        twilio: { mode: twilio.mode, ...(simulator && { simulatorUrl: simulator.url }) },
        simulators: { ...(simulator && { twilio: simulator.url }), meta: metaSimulator.url, dialog360: dialog360Simulator.url },
        demos: demoStates,
        responder,
        consumers: consumers.map((consumer) => consumer.name),
        schedules: schedules.map((schedule) => schedule.name),
        settingsUrl,
        oidc: { issuer: oidc.issuer, audience: oidc.audience, businessClaim: oidc.businessClaim },
      };
      mkdirSync(dirname(stateFile), { recursive: true });
      writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
    }

    // Consumers and schedules last: everything they call exists now.
    if (options.pollQueues !== false) pollers.forEach((poller) => poller.start());
    if (scheduleIntervalMs > 0) scheduler.start();
    ready = true;

    return {
      url: gateway.url,
      port: gateway.port,
      motoEndpoint: moto.endpoint,
      ownsMoto: Boolean(moto.server),
      webhookUrls,
      resources,
      demo: { ...demo, whatsappNumber: account.whatsappNumber, accountSid: account.accountSid },
      demos,
      config,
      env: merged.shared,
      twilio,
      simulator,
      simulators: { ...(simulator && { twilio: simulator }), meta: metaSimulator, dialog360: dialog360Simulator },
      cloudFaults,
      responder,
      consumers,
      streamConsumers,
      schedules,
      scheduler,
      scheduleIntervalMs,
      oidc,
      settingsUrl,
      signedInSettingsUrl,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
