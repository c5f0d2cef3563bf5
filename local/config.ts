/**
 * Settings of the local runtime (`npm run dev`, `npm run simulate`), read from the environment once
 * and validated, so a typo fails at start with one line instead of deep inside a handler.
 */
import { z } from 'zod';

/**
 * Twilio test-shaped values that are obviously not real: `AC` + 32 hex digits and a 32-hex-digit
 * token. They only ever sign and verify requests between the simulator and the local gateway.
 */
export const DEV_DEFAULTS = {
  PORT: 3000,
  MOTO_PORT: 5005,
  DEV_TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
  DEV_TWILIO_AUTH_TOKEN: '0123456789abcdef0123456789abcdef',
  DEV_WHATSAPP_NUMBER: '+14155238886',
  AWS_REGION: 'us-east-1',
  TWILIO_SIMULATOR_PORT: 3010,
  SCHEDULE_INTERVAL_SECONDS: 60,
} as const;

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const rate = z.coerce.number().min(0).max(1).default(0);

const localEnvSchema = z.object({
  PORT: port(DEV_DEFAULTS.PORT),
  MOTO_PORT: port(DEV_DEFAULTS.MOTO_PORT),
  /** An already running moto server to use instead of starting one (e.g. `http://127.0.0.1:5005`). */
  MOTO_ENDPOINT: z.url().optional(),
  DEV_TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits')
    .default(DEV_DEFAULTS.DEV_TWILIO_ACCOUNT_SID),
  DEV_TWILIO_AUTH_TOKEN: z
    .string()
    .regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hex digits')
    .default(DEV_DEFAULTS.DEV_TWILIO_AUTH_TOKEN),
  DEV_WHATSAPP_NUMBER: z
    .string()
    .regex(/^\+[1-9][0-9]{6,14}$/, 'must be an E.164 number such as +14155238886')
    .default(DEV_DEFAULTS.DEV_WHATSAPP_NUMBER),
  AWS_REGION: z.string().min(1).default(DEV_DEFAULTS.AWS_REGION),

  /** Port of the local Twilio simulator (used when no real Twilio credentials are set). */
  TWILIO_SIMULATOR_PORT: port(DEV_DEFAULTS.TWILIO_SIMULATOR_PORT),
  /** Fractions (0..1) of simulated sends answered with HTTP 429, a 5xx, or error 63016 (window closed). */
  SIMULATOR_RATE_429: rate,
  SIMULATOR_RATE_5XX: rate,
  SIMULATOR_RATE_63016: rate,
  /** Real Twilio: all three, or none (then the simulator stands in). */
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits').optional(),
  TWILIO_AUTH_TOKEN: z.string().regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hex digits').optional(),
  TWILIO_WHATSAPP_NUMBER: z
    .string()
    .transform((value) => value.replace(/^whatsapp:/, ''))
    .pipe(z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'must be an E.164 number such as +14155238886'))
    .optional(),
  /**
   * The public URL that reaches the local API (a tunnel such as ngrok): status callback URLs are
   * built on it, and the webhook verifies signatures against it. Needed with real Twilio only.
   */
  PUBLIC_BASE_URL: z.url().transform((url) => url.replace(/\/+$/, '')).optional(),
  /** The AI Lambda's responder; default `http` when AI_ENDPOINT_URL is set, else `demo`. */
  RESPONDER: z.enum(['http', 'none', 'demo']).optional(),
  AI_ENDPOINT_URL: z.url().optional(),
  /** Seconds between local runs of every scheduled function; `0` turns the schedules off. */
  SCHEDULE_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(DEV_DEFAULTS.SCHEDULE_INTERVAL_SECONDS),
});

export type LocalConfig = z.infer<typeof localEnvSchema>;

/** Real Twilio credentials, when the environment gives all three. */
export interface RealTwilio {
  accountSid: string;
  authToken: string;
  whatsappNumber: string;
}

/**
 * The real Twilio account to use, or undefined for the simulator.
 * @example realTwilioOf(loadLocalConfig()) // undefined unless TWILIO_ACCOUNT_SID, _AUTH_TOKEN and _WHATSAPP_NUMBER are set
 */
export function realTwilioOf(config: Partial<LocalConfig>): RealTwilio | undefined {
  if (!config.TWILIO_ACCOUNT_SID || !config.TWILIO_AUTH_TOKEN || !config.TWILIO_WHATSAPP_NUMBER) return undefined;
  return { accountSid: config.TWILIO_ACCOUNT_SID, authToken: config.TWILIO_AUTH_TOKEN, whatsappNumber: config.TWILIO_WHATSAPP_NUMBER };
}

/**
 * The AI Lambda's responder locally: `RESPONDER` when set, else `http` when `AI_ENDPOINT_URL` is set,
 * else the built-in `demo` responder.
 */
export function responderOf(config: Partial<LocalConfig>): 'http' | 'none' | 'demo' {
  return config.RESPONDER ?? (config.AI_ENDPOINT_URL ? 'http' : 'demo');
}

/** Raised when an environment variable of the local runtime is invalid; its message is one line. */
export class LocalConfigError extends Error {}

/**
 * Reads and validates the local runtime's settings. Empty variables count as unset.
 * @example
 * const config = loadLocalConfig(); // { PORT: 3000, MOTO_PORT: 5005, ... }
 */
export function loadLocalConfig(
  env: NodeJS.ProcessEnv = process.env,
  /** `false` skips the checks across variables (real Twilio needs all three…): tools that read one setting. */
  options: { checkCombinations?: boolean } = {},
): LocalConfig {
  const present = Object.fromEntries(
    Object.keys(localEnvSchema.shape)
      .map((key) => [key, env[key]] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = localEnvSchema.safeParse(present);
  if (!parsed.success) {
    // Name the variable and the rule, never echo the value: it may be a token.
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new LocalConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  if (options.checkCombinations === false) return config;
  const twilio = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_WHATSAPP_NUMBER'] as const;
  const missing = twilio.filter((key) => !config[key]);
  if (missing.length > 0 && missing.length < twilio.length) {
    throw new LocalConfigError(`real Twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_NUMBER: ${missing.join(', ')} missing`);
  }
  if (config.RESPONDER === 'http' && !config.AI_ENDPOINT_URL) {
    throw new LocalConfigError('RESPONDER=http needs AI_ENDPOINT_URL (the Echo AI endpoint to POST conversations to)');
  }
  return config;
}
