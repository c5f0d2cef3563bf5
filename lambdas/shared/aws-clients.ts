import { NodeHttpHandler } from '@smithy/node-http-handler';
import * as z from 'zod';

/**
 * How long one AWS call on the request path may take, and how often it is tried.
 * `throwOnRequestTimeout` is what makes `requestTimeoutMs` a limit: without it
 * `@smithy/node-http-handler` only logs a warning and the call waits as long as the socket lives,
 * so a slow store held a webhook until its Lambda timeout (API Gateway then answers 500 after 10 s
 * instead of us answering 503 at once).
 */
export interface SdkTimeouts {
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  /** Attempts per call, the first included (the SDK retries timeouts, throttling and 5xx). */
  maxAttempts: number;
  throwOnRequestTimeout: boolean;
}

/** The environment variables that set {@link SdkTimeouts} (the stack sets all four on every function). */
export const SDK_TIMEOUT_VARIABLES = {
  connectionTimeoutMs: 'SDK_CONNECTION_TIMEOUT_MS',
  requestTimeoutMs: 'SDK_REQUEST_TIMEOUT_MS',
  maxAttempts: 'SDK_MAX_ATTEMPTS',
  throwOnRequestTimeout: 'SDK_THROW_ON_REQUEST_TIMEOUT',
} as const satisfies Record<keyof SdkTimeouts, string>;

/**
 * Without the variables (tests that build handlers' dependencies directly): the limits of before,
 * not enforced, so a moto transaction that takes 4 s on a busy 2-core machine does not fail a test.
 * The stack always sets them (see `SDK_TIMEOUTS` in lib/config.ts); the local runtime enforces them
 * with a longer request timeout.
 */
const UNSET_DEFAULTS: SdkTimeouts = { connectionTimeoutMs: 1_000, requestTimeoutMs: 3_000, maxAttempts: 3, throwOnRequestTimeout: false };

const positiveInt = z.coerce.number().int().positive();
const sdkTimeoutsSchema = z.object({
  connectionTimeoutMs: positiveInt.default(UNSET_DEFAULTS.connectionTimeoutMs),
  requestTimeoutMs: positiveInt.default(UNSET_DEFAULTS.requestTimeoutMs),
  maxAttempts: positiveInt.max(10).default(UNSET_DEFAULTS.maxAttempts),
  throwOnRequestTimeout: z.enum(['true', 'false']).transform((value) => value === 'true').default(UNSET_DEFAULTS.throwOnRequestTimeout),
});

/**
 * Reads {@link SdkTimeouts} from the environment; a bad value fails loudly (at cold start).
 * @example
 * sdkTimeoutsFrom({ SDK_REQUEST_TIMEOUT_MS: '3000', SDK_THROW_ON_REQUEST_TIMEOUT: 'true' })
 * // { connectionTimeoutMs: 1000, requestTimeoutMs: 3000, maxAttempts: 3, throwOnRequestTimeout: true }
 */
export function sdkTimeoutsFrom(env: NodeJS.ProcessEnv = process.env): SdkTimeouts {
  const raw = Object.fromEntries(
    Object.entries(SDK_TIMEOUT_VARIABLES)
      .map(([field, variable]) => [field, env[variable] === '' ? undefined : env[variable]])
      .filter(([, value]) => value !== undefined),
  );
  const parsed = sdkTimeoutsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${SDK_TIMEOUT_VARIABLES[issue.path[0] as keyof SdkTimeouts]}: ${issue.message}`);
    throw new Error(`SDK timeout configuration is invalid: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/**
 * Client settings for given limits. The HTTP handler is built here, from the `@smithy/node-http-handler`
 * bundled with our code: Lambda's own SDK (the `@aws-sdk/*` clients are not bundled) could be a
 * version that ignores `throwOnRequestTimeout` if it were only passed as options.
 * @example
 * new DynamoDBClient(clientConfigFor({ connectionTimeoutMs: 1000, requestTimeoutMs: 3000, maxAttempts: 2, throwOnRequestTimeout: true }));
 */
export function clientConfigFor(timeouts: SdkTimeouts): { maxAttempts: number; requestHandler: NodeHttpHandler } {
  return {
    maxAttempts: timeouts.maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: timeouts.connectionTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      throwOnRequestTimeout: timeouts.throwOnRequestTimeout,
    }),
  };
}

/**
 * SDK client settings for the request path: fail fast enough that a webhook answers 503 well within
 * Twilio's 15-second limit even after the SDK's own retries (in AWS: 2 attempts × (1 s connect + 3 s
 * request) + backoff < 8.5 s, inside the webhook's 10 s timeout). `AWS_ENDPOINT_URL` (moto, locally
 * and in tests) is read by the SDK itself.
 *
 * Read when a client is built, not when this module loads: every client gets its own HTTP handler
 * (destroying one client must not close another's sockets), and the variables set by then apply.
 * @example
 * const documents = DynamoDBDocumentClient.from(new DynamoDBClient(fastClientConfig));
 */
export const fastClientConfig = {
  get maxAttempts(): number {
    return sdkTimeoutsFrom().maxAttempts;
  },
  get requestHandler(): NodeHttpHandler {
    return clientConfigFor(sdkTimeoutsFrom()).requestHandler;
  },
};
