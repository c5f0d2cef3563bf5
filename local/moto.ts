import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A running moto server: point AWS SDK clients at `endpoint` with `AWS_ENDPOINT_URL`. */
export interface MotoServer {
  endpoint: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** Raised when Python 3 or moto's server extras are not installed; its message is the one line to print. */
export class MotoUnavailableError extends Error {}

/** The Python that runs moto: `PYTHON`, else `python3`. */
const PYTHON = process.env.PYTHON ?? 'python3';

/**
 * Imports what `local/moto_server.py` imports and prints, as JSON, the modules it could not find
 * (`[]` when all are there). A module that is there but fails to import raises, with its message.
 */
const PROBE = `
import importlib, json
missing = []
for name in ("moto", "flask", "flask_cors", "moto.server", "moto.dynamodb.models", "moto.sqs.models"):
    try:
        importlib.import_module(name)
    except ImportError as error:
        top = (getattr(error, "name", None) or name).split(".")[0]
        if top not in missing:
            missing.append(top)
print(json.dumps(missing))
`;

let installed = false;

/**
 * Checks that moto's server can start with `PYTHON` (default `python3`), so that callers fail
 * with one line that says what is missing and how to install it, instead of a timeout or a stack
 * trace. Checks once per process.
 */
export function assertMotoInstalled(): void {
  if (installed) return;
  const install = `install moto with its server extras, \`${PYTHON} -m pip install "moto[server]"\`, or set PYTHON to a Python 3 that has them`;
  const probe = spawnSync(PYTHON, ['-c', PROBE], { encoding: 'utf8' });
  if (probe.error) {
    throw new MotoUnavailableError(
      `moto's server (for \`npm run dev\` and the integration and browser tests) runs on Python 3, and \`${PYTHON}\` ` +
        `was not found: install Python 3 and \`pip install "moto[server]"\`, or set PYTHON to a Python 3 that has them.`,
    );
  }
  let missing: string[] | undefined;
  try {
    missing = JSON.parse(probe.stdout.trim().split('\n').pop() ?? '') as string[];
  } catch {
    // not our JSON: the interpreter failed before printing it (reported below)
  }
  if (missing && missing.length > 0) {
    const names = missing.map((name) => `\`${name}\``).join(', ');
    throw new MotoUnavailableError(`moto's server cannot start: \`${PYTHON}\` cannot import ${names}. To fix it, ${install}.`);
  }
  if (probe.status !== 0 || !missing) {
    const reason = probe.stderr.trim().split('\n').pop() || `exit code ${probe.status}`;
    throw new MotoUnavailableError(`moto's server cannot start with \`${PYTHON}\` (${reason}). To fix it, ${install}.`);
  }
  installed = true;
}

/** Finds a free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new MotoUnavailableError(`moto's server exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new MotoUnavailableError(`moto's server did not answer on ${endpoint} within ${timeoutMs} ms`);
}

/**
 * Starts moto's server (through `local/moto_server.py`) on 127.0.0.1 and waits until it answers.
 * Given a port, it spawns the server before its first await, so the caller can do other work
 * while moto boots.
 * @example
 * const moto = await startMoto({ port: 5005 });
 * process.env.AWS_ENDPOINT_URL = moto.endpoint;
 */
export async function startMoto(options: { port?: number; timeoutMs?: number } = {}): Promise<MotoServer> {
  assertMotoInstalled();
  const port = options.port ?? (await freePort());
  // Our launcher runs moto.server with DynamoDB's and SQS's atomicity restored (see the file).
  const child = spawn(PYTHON, [join(__dirname, 'moto_server.py'), '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: false,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, child, options.timeoutMs ?? 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    if (stderr.includes('Address already in use')) {
      throw new MotoUnavailableError(`port ${port} is already in use: set MOTO_PORT to a free port`);
    }
    throw error;
  }
  return {
    endpoint,
    port,
    pid: child.pid ?? -1,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/** Environment that makes AWS SDK v3 clients in this process talk to moto. */
export function motoClientEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    // Local runs may use Node 20; Lambda runs Node 22. The SDK's notice about that is noise here.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}
