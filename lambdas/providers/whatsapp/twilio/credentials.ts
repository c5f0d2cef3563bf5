import * as z from 'zod';
import type { ProviderCredentials } from '../provider';
import { PermanentError } from '../../../shared/errors';

/** A connection secret that does not hold what its provider needs: a bad save or a hand-edited secret. */
export class InvalidTwilioCredentialsError extends PermanentError {}

/** What a Twilio connection's secret holds. */
export const twilioCredentialsSchema = z.object({
  /** Account SID (`AC…`): the REST path and the webhook's `AccountSid` must match it. */
  accountSid: z.string().min(1),
  /** Signs webhooks and authenticates REST calls. Never logged. */
  authToken: z.string().min(1),
  messagingServiceSid: z.string().min(1).optional(),
});

export type TwilioCredentials = z.infer<typeof twilioCredentialsSchema>;

/**
 * Reads a connection's opaque credentials as Twilio's. The domain never looks inside them; only the
 * provider that owns the connection does.
 * @example
 * const { accountSid } = parseTwilioCredentials(await credentials.get(connection.secretArn));
 */
export function parseTwilioCredentials(credentials: ProviderCredentials): TwilioCredentials {
  const parsed = twilioCredentialsSchema.safeParse(credentials);
  if (!parsed.success) throw new InvalidTwilioCredentialsError('the connection secret does not hold a Twilio accountSid and authToken');
  return parsed.data;
}
