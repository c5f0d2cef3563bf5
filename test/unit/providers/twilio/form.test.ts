import { parseTwilioFields } from '../../../../lambdas/providers/whatsapp/twilio/form';
import { MalformedRequestError } from '../../../../lambdas/shared/errors';
import { WEBHOOK_URL, formBody, inboundFields } from './fixtures';

const FORM = 'application/x-www-form-urlencoded';

/** `null` sends no content-type header at all. */
function request(rawBody: string, contentType: string | null = FORM) {
  return { url: WEBHOOK_URL, headers: contentType === null ? {} : { 'content-type': contentType }, rawBody };
}

function parseError(rawBody: string, contentType: string | null): unknown {
  try {
    parseTwilioFields(request(rawBody, contentType));
  } catch (error) {
    return error;
  }
  throw new Error('expected parseTwilioFields to throw');
}

describe('parseTwilioFields', () => {
  it('returns every field of a real webhook, unknown ones included', () => {
    // Prepare
    const fields = inboundFields({ SomeFieldTwilioAddedLastWeek: 'x y', Body: 'Hola 👋 ¿qué tal? 中文 +1 & 100%' });

    // Act
    const parsed = parseTwilioFields(request(formBody(fields)));

    // Assess
    expect(parsed).toEqual(fields);
  });

  it.each([
    ['+ is a space', 'Body=hello+world', 'hello world'],
    ['%2B is a plus', 'Body=%2B5215512345678', '+5215512345678'],
    ['%20 is a space too', 'Body=a%20b', 'a b'],
    ['UTF-8 escapes decode to emoji', 'Body=%F0%9F%91%8D%F0%9F%8F%BD', '👍🏽'],
    ['raw non-ASCII is kept', 'Body=café', 'café'],
    ['an empty value is an empty string', 'Body=', ''],
    ['only the first = splits name from value', 'ButtonPayload=a=b%3Dc', 'a=b=c'],
  ])('decodes values: %s', (_name, rawBody, expected) => {
    // Prepare
    const req = request(rawBody);

    // Act
    const parsed = parseTwilioFields(req);

    // Assess
    expect(parsed.Body ?? parsed.ButtonPayload).toBe(expected);
  });

  it.each([
    ['no content-type header', null],
    ['a charset parameter', 'application/x-www-form-urlencoded; charset=UTF-8'],
    ['other letter case', 'Application/X-WWW-Form-URLEncoded'],
  ])('accepts %s', (_name, contentType) => {
    // Prepare
    const req = request('Body=hi&NumMedia=0', contentType);

    // Act
    const parsed = parseTwilioFields(req);

    // Assess
    expect(parsed).toEqual({ Body: 'hi', NumMedia: '0' });
  });

  it('skips empty pairs such as a trailing &', () => {
    // Prepare
    const req = request('Body=hi&&NumMedia=0&');

    // Act
    const parsed = parseTwilioFields(req);

    // Assess
    expect(parsed).toEqual({ Body: 'hi', NumMedia: '0' });
  });

  it('keeps a field named __proto__ as a field, without touching the prototype', () => {
    // Prepare
    const req = request('__proto__=x&Body=hi');

    // Act
    const parsed = parseTwilioFields(req);

    // Assess
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(parsed.Body).toBe('hi');
  });

  it.each([
    ['JSON content type', 'Body=hi', 'application/json'],
    ['multipart content type', 'Body=hi', 'multipart/form-data; boundary=x'],
    ['text content type', 'Body=hi', 'text/plain'],
    ['an empty body', '', FORM],
    ['a blank body', '  \n', FORM],
    ['only separators', '&&', FORM],
    ['a JSON body sent without a content type', '{"Body":"hi"}', null],
    ['a pair without =', 'Body=hi&NumMedia', FORM],
    ['an empty name', '=hi', FORM],
    ['a repeated field', 'Body=a&Body=b', FORM],
    ['a repeated field spelled with an escape', 'Body=a&B%6Fdy=b', FORM],
    ['a stray %', 'Body=100%', FORM],
    ['a truncated escape', 'Body=%E2%9C', FORM],
    ['a non-hex escape', 'Body=%ZZ', FORM],
    ['invalid UTF-8', 'Body=%C3%28', FORM],
    ['an encoded lone surrogate', 'Body=%ED%A0%80', FORM],
    ['a malformed escape in a name', 'B%y=1', FORM],
  ])('rejects %s with MalformedRequestError', (_name, rawBody, contentType) => {
    // Prepare
    const body = rawBody;

    // Act
    const error = parseError(body, contentType);

    // Assess
    expect(error).toBeInstanceOf(MalformedRequestError);
    expect(error).not.toBeInstanceOf(URIError);
    expect((error as Error).message).not.toBe('');
  });
});
