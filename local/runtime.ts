/**
 * The whole local runtime in one call: moto, the resources of the synthesized templates, the demo
 * seed and the local HTTP API serving the real webhook handler. `npm run dev` is a thin wrapper
 * around {@link startLocalRuntime}; integration tests start it in-process.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { loadLocalConfig, type LocalConfig } from './config';
import { startGateway, type GatewayRoute, type HttpApiHandler } from './gateway';
import { motoClientEnv, startMoto, type MotoServer } from './moto';
import { provisionFromTemplates, type ProvisionedResources } from './resources';
import { seedDemo, type SeededDemo } from './seed';
import type { RuntimeStateFile } from './state';
import type { SynthesizedTemplates } from './synth';
import type { FunctionInfo } from './template';

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
  /** @see ProvisionOptions.namePrefix @default 'echo-local' */
  namePrefix?: string;
  /** @see ProvisionOptions.uniqueSuffix @default false */
  uniqueSuffix?: boolean | string;
  /** Prefix of the demo secret's name. @default the stack's prefix (`echo-whatsapp`) */
  secretPrefix?: string;
  /** Already synthesized templates (saves the ~5-10 s synthesis). @default synthesizes the app */
  templates?: SynthesizedTemplates;
  /** Write the runtime's description here for `npm run simulate`; `false` writes nothing. @default false */
  stateFile?: string | false;
  /** Progress and request lines. @default no output */
  log?: (line: string) => void;
  /** Aborts the start between steps (Ctrl+C during startup); everything started so far is stopped. */
  signal?: AbortSignal;
}

export interface LocalRuntime {
  /** The local HTTP API, `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  motoEndpoint: string;
  /** True when this runtime started moto (and `stop()` stops it). */
  ownsMoto: boolean;
  /** The demo connection's webhook URLs. */
  webhookUrls: { inbound: string; status: string };
  resources: ProvisionedResources;
  demo: SeededDemo & { whatsappNumber: string; accountSid: string };
  config: LocalConfig;
  stop(): Promise<void>;
}

/** Raised when the local runtime cannot start; its message is the one line to print. */
export class LocalRuntimeError extends Error {}

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

/** The webhook module reads its environment once, at import; a second, different one cannot apply. */
let loadedWebhookEnv: string | undefined;

/**
 * Loads `lambdas/handlers/webhook` as Lambda would: environment first (the function's resolved
 * variables, moto's endpoint and test credentials, Lambda's own variables), then the import, whose
 * top level builds the SDK clients and validates the environment (the cold start).
 */
async function loadWebhookHandler(
  fn: FunctionInfo,
  env: Record<string, string>,
  restore: Map<string, string | undefined>,
): Promise<HttpApiHandler> {
  const fingerprint = JSON.stringify(env);
  if (loadedWebhookEnv !== undefined && loadedWebhookEnv !== fingerprint) {
    throw new LocalRuntimeError(
      'the webhook handler is already loaded in this process with another environment: ' +
        'start one local runtime per process (in jest: per test file)',
    );
  }
  for (const [key, value] of Object.entries(env)) {
    if (!restore.has(key)) restore.set(key, process.env[key]);
    process.env[key] = value;
  }
  loadedWebhookEnv = fingerprint;
  const module = (await import('../lambdas/handlers/webhook/index')) as {
    handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;
  };
  if (typeof module.handler !== 'function') {
    throw new LocalRuntimeError(`lambdas/handlers/webhook/index.ts does not export a handler function (${fn.logicalId})`);
  }
  return module.handler;
}

/**
 * Starts moto (or uses a running one), creates the stacks' tables, queues and bus in it, seeds the
 * demo connection, loads the webhook handler with its resolved environment and serves the webhook
 * routes of the template on a local HTTP API.
 * @example
 * const runtime = await startLocalRuntime({ port: 0, motoEndpoint: process.env.MOTO_ENDPOINT, uniqueSuffix: true });
 * await fetch(`${runtime.url}/health`); // 200 {"status":"ok"}
 * await runtime.stop();
 */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const log = options.log ?? (() => undefined);
  const config: LocalConfig = { ...loadLocalConfig(), ...options.config };
  const port = options.port ?? config.PORT;
  // Listening from the start, so `/health` answers 503 (not "connection refused") while we start.
  let ready = false;
  let moto: { endpoint: string; server?: MotoServer } | undefined;
  const gateway = await startGateway({
    port,
    region: config.AWS_REGION,
    // Ready means everything a webhook needs: resources, seed, handler, and moto still answering.
    isReady: async () => ready && moto !== undefined && (await motoAnswers(moto.endpoint)),
    log,
  }).catch((error: NodeJS.ErrnoException) => {
    // First thing we do, so a second `npm run dev` fails at once, not after synthesis and seeding.
    if (error.code === 'EADDRINUSE') throw new LocalRuntimeError(`port ${port} is already in use (another \`npm run dev\`?): set PORT to a free port`);
    throw error;
  });
  let stateFile: string | undefined;
  /** process.env as it was before the function's environment was applied. */
  const previousEnv = new Map<string, string | undefined>();
  const stop = async () => {
    if (stateFile) rmSync(stateFile, { force: true });
    await gateway.stop();
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
    for (const warning of resources.warnings) log(`note: ${warning}`);

    const webhook = resources.functions.find((fn) => fn.name === 'webhook');
    if (!webhook?.routes.length) {
      throw new LocalRuntimeError('the stateless template has no HTTP API route to a webhook function');
    }
    const webhookEnv = resources.functionEnv[webhook.logicalId];
    if (!webhookEnv.CONNECTIONS_TABLE) {
      throw new LocalRuntimeError('the webhook function has no CONNECTIONS_TABLE variable: the seed cannot find the connections table');
    }
    const connectionsTable = Object.values(resources.tables).find((table) => table.name === webhookEnv.CONNECTIONS_TABLE);

    const demo = await seedDemo({
      endpoint: moto.endpoint,
      region: config.AWS_REGION,
      connectionsTable: webhookEnv.CONNECTIONS_TABLE,
      connectionsPartitionKey: connectionsTable?.partitionKey,
      accountSid: config.DEV_TWILIO_ACCOUNT_SID,
      authToken: config.DEV_TWILIO_AUTH_TOKEN,
      whatsappNumber: config.DEV_WHATSAPP_NUMBER,
      // The stack's prefix (CONNECTION_SECRET_PREFIX of lib/config.ts, or the `secretNamePrefix` context).
      secretPrefix: options.secretPrefix ?? templates.secretNamePrefix,
    });
    log(`seeded business ${demo.businessId}, connection ${demo.connectionId} (secret ${demo.secretName})`);
    checkAborted();

    const handler = await loadWebhookHandler(webhook, {
      ...webhookEnv,
      ...motoClientEnv(moto.endpoint),
      AWS_REGION: config.AWS_REGION,
      AWS_DEFAULT_REGION: config.AWS_REGION,
      AWS_LAMBDA_FUNCTION_NAME: webhook.logicalId,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(webhook.memorySize),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    }, previousEnv);

    const routes: GatewayRoute[] = webhook.routes.map((route) => ({
      routeKey: route.routeKey,
      functionName: webhook.logicalId,
      handler: (event, context) => handler(event, context),
      timeoutSeconds: webhook.timeoutSeconds,
      memorySize: webhook.memorySize,
    }));
    gateway.setRoutes(routes);
    checkAborted();

    const base = `${gateway.url}/webhook/whatsapp/twilio/${demo.connectionId}`;
    const webhookUrls = { inbound: base, status: `${base}/status` };
    if (options.stateFile) {
      stateFile = options.stateFile;
      const state: RuntimeStateFile = {
        version: 1,
        pid: process.pid,
        startedAt: new Date().toISOString(),
        url: gateway.url,
        motoEndpoint: moto.endpoint,
        region: config.AWS_REGION,
        namePrefix: resources.namePrefix,
        webhookUrls,
        demo: { businessId: demo.businessId, connectionId: demo.connectionId, secretName: demo.secretName },
        webhookEnv,
        tables: resources.tables,
        queues: resources.queues,
      };
      mkdirSync(dirname(stateFile), { recursive: true });
      writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
    }
    ready = true;

    return {
      url: gateway.url,
      port: gateway.port,
      motoEndpoint: moto.endpoint,
      ownsMoto: Boolean(moto.server),
      webhookUrls,
      resources,
      demo: { ...demo, whatsappNumber: config.DEV_WHATSAPP_NUMBER, accountSid: config.DEV_TWILIO_ACCOUNT_SID },
      config,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
