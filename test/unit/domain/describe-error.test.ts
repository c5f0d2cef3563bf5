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
