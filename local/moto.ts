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

const PYTHON = process.env.PYTHON ?? 'python3';

/**
 * Checks that `python3 -m moto.server` can start, so that callers fail with one clear line
 * instead of a timeout or a stack trace.
 */
export function assertMotoInstalled(): void {
  const probe = spawnSync(PYTHON, ['-c', 'import moto, flask, flask_cors; print(moto.__version__)'], {
    encoding: 'utf8',
  });
  if (probe.error || probe.status !== 0) {
    throw new MotoUnavailableError(
      `moto's server is missing: install Python 3 and run \`pip install "moto[server]"\` ` +
        `(needed by \`npm run dev\` and the integration tests; tried \`${PYTHON} -m moto.server\`).`,
    );
  }
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
