// The webhooks module only, never the package root: `import twilio from 'twilio'` pulls the whole
// REST client (megabytes, ~100 ms of cold start) into the webhook bundle.
import { validateRequest } from 'twilio/lib/webhooks/webhooks';
import type { SignedRequest } from './form';
import type { TwilioCredentials } from './credentials';

const SIGNATURE_HEADER = 'x-twilio-signature';

/**
 * True when `X-Twilio-Signature` proves that Twilio, holding `credentials.authToken`, sent exactly
 * this URL and these fields.
 *
 * `request.url` must be the URL Twilio called, byte for byte (see `publicWebhookUrl`), and `fields`
 * every received field, unknown ones included. twilio-node's `validateRequest` compares in constant
 * time and also tries the URL with and without the default port. Nothing is logged: the header, the
 * token and the fields are all sensitive.
 *
 * @example
 * const fields = parseTwilioFields(request);
 * if (!verifyTwilioSignature(request, fields, { accountSid, authToken })) {
 *   throw new ForbiddenError('Forbidden');
 * }
 */
export function verifyTwilioSignature(
  request: SignedRequest,
  fields: Record<string, string>,
  credentials: TwilioCredentials,
): boolean {
  const signature = request.headers[SIGNATURE_HEADER];
  if (!signature) return false;
  // An HMAC keyed with an empty token is one anyone can compute: never accept it.
  if (!credentials.authToken) return false;
  try {
    return validateRequest(credentials.authToken, signature, request.url, fields);
  } catch {
    // validateRequest falls back to `new URL(url)`, which throws on a URL it cannot parse; a request
    // we cannot check is a request we do not trust.
    return false;
  }
}
