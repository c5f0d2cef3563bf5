import { MalformedRequestError } from '../../../shared/errors';
import type { WebhookRequest } from '../provider';

/** The parts of a webhook request a Twilio signature covers: the URL as called, the headers and the raw body. */
export type SignedRequest = Pick<WebhookRequest, 'url' | 'headers' | 'rawBody'>;

const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/**
 * Parse the `application/x-www-form-urlencoded` body of a Twilio webhook into its fields.
 *
 * Every field is kept, unknown ones included: Twilio adds parameters without notice and its
 * signature covers all of them. A repeated name is rejected, because it would leave open which value
 * was signed (and `validateRequest` would sort and de-duplicate values, not check what we read).
 *
 * @throws MalformedRequestError when the content type is not form-urlencoded, or the body is empty,
 *   not `name=value` pairs, badly percent-encoded, or repeats a name.
 * @example
 * parseTwilioFields({ url, headers: { 'content-type': 'application/x-www-form-urlencoded' },
 *   rawBody: 'Body=Hola+%F0%9F%91%8B&From=whatsapp%3A%2B5215512345678' });
 * // { Body: 'Hola 👋', From: 'whatsapp:+5215512345678' }
 */
export function parseTwilioFields(request: SignedRequest): Record<string, string> {
  const contentType = request.headers['content-type'];
  if (contentType !== undefined && mediaTypeOf(contentType) !== FORM_MEDIA_TYPE) {
    throw new MalformedRequestError(`Expected an ${FORM_MEDIA_TYPE} body, got content type "${contentType}"`);
  }
  return parseFormBody(request.rawBody);
}

/**
 * Decode a form-urlencoded string strictly: `+` is a space, `%XX` escapes are UTF-8 bytes.
 *
 * @throws MalformedRequestError for anything that is not a non-empty list of unique `name=value` pairs.
 * @example
 * parseFormBody('Body=caf%C3%A9+con+leche&NumMedia=0'); // { Body: 'café con leche', NumMedia: '0' }
 */
export function parseFormBody(body: string): Record<string, string> {
  if (body.trim() === '') {
    throw new MalformedRequestError('Empty webhook body');
  }
  const fields = new Map<string, string>();
  for (const pair of body.split('&')) {
    // An empty pair (`a=1&&b=2`, a trailing `&`) carries nothing; browsers and URLSearchParams skip it.
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    // Twilio writes `Name=` even for empty values, so a pair without `=` means this is not a form
    // body at all (JSON, XML, plain text would otherwise become one field named after the body).
    if (eq === -1) {
      throw new MalformedRequestError('Webhook body is not form data: a pair has no "="');
    }
    const name = decodeComponent(pair.slice(0, eq));
    if (name === '') {
      throw new MalformedRequestError('Webhook body is not form data: a pair has an empty name');
    }
    if (fields.has(name)) {
      throw new MalformedRequestError(`Webhook body repeats the field "${name}"`);
    }
    fields.set(name, decodeComponent(pair.slice(eq + 1)));
  }
  if (fields.size === 0) {
    throw new MalformedRequestError('Webhook body has no fields');
  }
  // fromEntries defines own properties, so a field named `__proto__` stays a field instead of
  // replacing the object's prototype.
  return Object.fromEntries(fields);
}

function mediaTypeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

function decodeComponent(encoded: string): string {
  try {
    // decodeURIComponent rejects stray `%`, short escapes and invalid UTF-8 (lone surrogates
    // included), which is the strictness we want; it only speaks URIError, so translate that.
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch (error) {
    throw new MalformedRequestError('Webhook body has a malformed percent-encoding', { cause: error });
  }
}
