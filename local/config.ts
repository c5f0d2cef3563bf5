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
} as const;

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

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
});

export type LocalConfig = z.infer<typeof localEnvSchema>;

/** Raised when an environment variable of the local runtime is invalid; its message is one line. */
export class LocalConfigError extends Error {}

/**
 * Reads and validates the local runtime's settings. Empty variables count as unset.
 * @example
 * const config = loadLocalConfig(); // { PORT: 3000, MOTO_PORT: 5005, ... }
 */
export function loadLocalConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
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
  return parsed.data;
}
