import type * as z from 'zod';
import { PermanentError } from '../../../shared/errors';
import type { ProviderCredentials } from '../provider';

/**
 * A connection's secret does not hold what its provider needs. Permanent: the same secret fails
 * the same way until the owner saves the connection again. The message names the missing fields,
 * never their values.
 */
export class InvalidCredentialsError extends PermanentError {}

/**
 * Parses a connection's secret with a provider's schema.
 * @throws InvalidCredentialsError naming the fields that are missing or invalid (never their values).
 * @example parseProviderCredentials(metaCredentialsSchema, secret, 'Meta') // { accessToken, appSecret, verifyToken }
 */
export function parseProviderCredentials<T>(schema: z.ZodType<T>, value: ProviderCredentials, label: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.map(String).join('.') || 'secret'))];
  throw new InvalidCredentialsError(`${label} credentials are missing or invalid: ${fields.join(', ')}`);
}
