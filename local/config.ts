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
  META_SIMULATOR_PORT: 3011,
  DIALOG360_SIMULATOR_PORT: 3012,
  SCHEDULE_INTERVAL_SECONDS: 60,
  /** Meta-shaped fakes: a token as Meta's start (`EAA`), a 32-hex app secret, numeric Graph ids, a 555-01xx number. */
  DEV_META_ACCESS_TOKEN: 'EAADevLocalSimulatorAccessToken000000000000',
  DEV_META_APP_SECRET: '00112233445566778899aabbccddeeff',
  DEV_META_VERIFY_TOKEN: 'dev-verify-token-0123456789abcdefghij',
  DEV_META_PHONE_NUMBER_ID: '100000000000001',
  DEV_META_WABA_ID: '200000000000001',
  DEV_META_NUMBER: '+15550100001',
  DEV_360DIALOG_API_KEY: 'DEV360dialogLocalSimulatorKey00000',
  DEV_360DIALOG_NUMBER: '+15550100002',
} as const;

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const rate = z.coerce.number().min(0).max(1).default(0);
const e164 = (fallback: string) => z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'must be an E.164 number such as +15550100001').default(fallback);
const graphId = (fallback: string) => z.string().regex(/^[0-9]{5,25}$/, 'must be a numeric Graph id').default(fallback);

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
  /** Ports of the local Meta Graph API and 360dialog simulators (always started: real Meta/360dialog is not wired locally). */
  META_SIMULATOR_PORT: port(DEV_DEFAULTS.META_SIMULATOR_PORT),
  DIALOG360_SIMULATOR_PORT: port(DEV_DEFAULTS.DIALOG360_SIMULATOR_PORT),
  /**
   * Fractions (0..1) of simulated sends answered with HTTP 429, a 5xx, or accepted and then failed as
   * outside the 24-hour window (Twilio 63016; Meta and 360dialog 131047).
   */
  SIMULATOR_RATE_429: rate,
  SIMULATOR_RATE_5XX: rate,
  SIMULATOR_RATE_63016: rate,
  /** Fraction of Meta/360dialog sends accepted whose answer is then lost (a 500 or a dropped connection). */
  SIMULATOR_RATE_LOST_ANSWER: rate,
  /** The `demo-meta` connection (Meta simulator): secret `{accessToken, appSecret, verifyToken}` and the number's ids. */
  DEV_META_ACCESS_TOKEN: z
    .string()
    .regex(/^EAA[A-Za-z0-9]{20,}$/, 'must start with EAA followed by at least 20 letters or digits')
    .default(DEV_DEFAULTS.DEV_META_ACCESS_TOKEN),
  DEV_META_APP_SECRET: z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 lower-case hex digits').default(DEV_DEFAULTS.DEV_META_APP_SECRET),
  DEV_META_VERIFY_TOKEN: z.string().regex(/^[A-Za-z0-9_-]{32,}$/, 'must be at least 32 URL-safe characters').default(DEV_DEFAULTS.DEV_META_VERIFY_TOKEN),
  DEV_META_PHONE_NUMBER_ID: graphId(DEV_DEFAULTS.DEV_META_PHONE_NUMBER_ID),
  DEV_META_WABA_ID: graphId(DEV_DEFAULTS.DEV_META_WABA_ID),
  DEV_META_NUMBER: e164(DEV_DEFAULTS.DEV_META_NUMBER),
  /** The `demo-360dialog` connection (360dialog simulator): its API key and number. */
  DEV_360DIALOG_API_KEY: z.string().regex(/^[A-Za-z0-9_-]{16,}$/, 'must be at least 16 letters, digits, - or _').default(DEV_DEFAULTS.DEV_360DIALOG_API_KEY),
  DEV_360DIALOG_NUMBER: e164(DEV_DEFAULTS.DEV_360DIALOG_NUMBER),
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
  // One number, one connection: the webhook and the admin API find a connection by its number.
  if (new Set([config.DEV_WHATSAPP_NUMBER, config.DEV_META_NUMBER, config.DEV_360DIALOG_NUMBER]).size < 3) {
    throw new LocalConfigError('DEV_WHATSAPP_NUMBER, DEV_META_NUMBER and DEV_360DIALOG_NUMBER must differ: each demo business has its own number');
  }
  if (config.RESPONDER === 'http' && !config.AI_ENDPOINT_URL) {
    throw new LocalConfigError('RESPONDER=http needs AI_ENDPOINT_URL (the Echo AI endpoint to POST conversations to)');
  }
  return config;
}
