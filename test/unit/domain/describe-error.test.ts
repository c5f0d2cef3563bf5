import { describeError, scrubSensitive } from '../../../lambdas/shared/describe-error';
import { SendFailedError } from '../../../lambdas/shared/errors';

describe('describeError: what a log line may say about an error', () => {
  it('masks phone numbers, written in any usual way, to their last 4 digits', () => {
    expect(scrubSensitive("The 'To' number +5215512345678 is not a valid phone number.")).toBe("The 'To' number ***5678 is not a valid phone number.");
    expect(scrubSensitive('whatsapp:+14155238886 and 55 11 91234-5678')).toBe('whatsapp:***8886 and ***5678');
  });

  it('removes auth tokens and bearer tokens but keeps Twilio SIDs, which are not secret and help debugging', () => {
    const token = '0123456789abcdef0123456789abcdef';
    const sid = `SM${token}`;
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';
    const scrubbed = scrubSensitive(`token ${token} for ${sid}, Authorization: Bearer ${jwt}`);
    expect(scrubbed).toBe(`token [secret] for ${sid}, Authorization: Bearer [token]`);
  });

  it('removes Meta access tokens, Meta app secrets and 360dialog API keys', () => {
    const metaToken = `EAAG${'a1B2c3D4'.repeat(20)}`;
    const appSecret = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
    const dialogKey = 'MISyrZTxjZFZTH52tF8M7hwSAK';
    const scrubbed = scrubSensitive(`Bearer ${metaToken} proof for ${appSecret}; D360-API-KEY: ${dialogKey}.`);
    expect(scrubbed).toBe('Bearer [token] proof for [secret]; D360-API-KEY: [secret].');
  });

  it('keeps Cloud API message ids and Meta error codes readable, even a wamid that ends like a 360dialog key', () => {
    const text = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTAK failed with 131047 on EAA';
    expect(scrubSensitive(text)).toBe(text);
  });

  it('keeps short numbers that are not phone numbers (codes, counts, ports)', () => {
    expect(scrubSensitive('Twilio 63016 after 3 attempts on port 3000')).toBe('Twilio 63016 after 3 attempts on port 3000');
  });

  it('gives a BSP failure its code, kind and status, worded as a read when asked', () => {
    const error = new SendFailedError('retryable', '20429', 'Twilio is rate limiting', { httpStatus: 429 });
    expect(describeError(error)).toEqual({
      name: 'SendFailedError',
      message: 'retryable: 20429 Twilio is rate limiting',
      code: '20429',
      kind: 'retryable',
      httpStatus: 429,
    });
    expect(describeError(error, { bspCall: 'read' }).message).toBe('the BSP call failed');
  });

  it('describes anything thrown, scrubbed', () => {
    expect(describeError('failed for +5215512345678')).toEqual({ name: 'Unknown', message: 'failed for ***5678' });
    expect(describeError(new TypeError('x'))).toEqual({ name: 'TypeError', message: 'x' });
  });
});
