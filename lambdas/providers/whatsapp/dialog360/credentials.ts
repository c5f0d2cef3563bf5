import * as z from 'zod';
import type { ProviderCredentials } from '../provider';
import { parseProviderCredentials } from '../cloud-api/credentials';

export { InvalidCredentialsError } from '../cloud-api/credentials';

/**
 * A 360dialog connection's secret: the number's API key (`D360-API-KEY`) and the webhook secret we
 * generated and registered as a header with the webhook URL. Lenient, like Meta's: the owner's
 * input was checked when saved.
 */
export const dialog360CredentialsSchema = z.object({
  apiKey: z.string().trim().min(1),
  webhookSecret: z.string().min(1),
});

export type Dialog360Credentials = z.infer<typeof dialog360CredentialsSchema>;

/**
 * @throws InvalidCredentialsError naming the missing fields (never their values).
 * @example parseDialog360Credentials({ apiKey: 'MISy…AK', webhookSecret: 'k3…' })
 */
export function parseDialog360Credentials(value: ProviderCredentials): Dialog360Credentials {
  return parseProviderCredentials(dialog360CredentialsSchema, value, '360dialog');
}

/** E.164: a `+`, a non-zero country code digit, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{1,14}$/;

/**
 * What an owner types to connect a number through 360dialog. The API key's format is not
 * documented (keys seen in the wild are 26 letters and digits ending in `AK`), so only a single
 * token without spaces is required; the connection test asks 360dialog whether it is valid.
 */
export const dialog360ConnectionInputSchema = z.object({
  apiKey: z
    .string({ error: 'Paste the API key 360dialog generated for this number in the 360dialog Hub.' })
    .trim()
    .min(1, 'Paste the API key 360dialog generated for this number in the 360dialog Hub.')
    .regex(/^[\x21-\x7e]{8,256}$/, 'The API key is a single word of letters and digits, without spaces: copy it again from the 360dialog Hub.'),
  whatsappNumber: z
    .string({ error: 'Enter the WhatsApp number in international format: + and the country code (e.g. +5215512345678).' })
    .trim()
    .regex(E164, 'The WhatsApp number is written in international format: + and the country code, digits only (e.g. +5215512345678).'),
});

export type Dialog360ConnectionInput = z.infer<typeof dialog360ConnectionInputSchema>;
