import {
  formatBackoff,
  headerValue,
  isTimeout,
  parseJsonObject,
  parseRetryAfter,
  transportFailureOf,
} from '../../../../lambdas/providers/whatsapp/http-failure';
import { socketError } from './support';

describe('HTTP failure classification shared by every provider', () => {
  describe('Retry-After', () => {
    const now = new Date('2015-10-21T07:27:00Z');

    it('reads delta-seconds and HTTP dates, never negative', () => {
      expect(parseRetryAfter('120', now)).toBe(120_000);
      expect(parseRetryAfter(' 0 ', now)).toBe(0);
      expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(60_000);
      expect(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now)).toBe(0);
    });

    it('ignores absent and unreadable values instead of guessing', () => {
      for (const value of [undefined, null, '', '1.5', '-3', 'soon', '10s']) expect(parseRetryAfter(value, now)).toBeUndefined();
    });
  });

  it('reads a header by any case from Headers or a plain record', () => {
    expect(headerValue(new Headers({ 'Retry-After': '3' }), 'retry-after')).toBe('3');
    expect(headerValue({ 'RETRY-AFTER': '4' }, 'Retry-After')).toBe('4');
    expect(headerValue({}, 'retry-after')).toBeUndefined();
    expect(headerValue(undefined, 'retry-after')).toBeUndefined();
  });

  describe('transport failures', () => {
    it('calls a request that never left not-sent: refused, DNS, unreachable, TLS', () => {
      for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'CERT_HAS_EXPIRED']) {
        expect(transportFailureOf(socketError(code))).toEqual({ transport: 'not-sent', code });
      }
    });

    it('calls a timeout, a reset or an unknown error maybe-sent', () => {
      expect(transportFailureOf(new DOMException('timed out', 'TimeoutError'))).toEqual({ transport: 'maybe-sent', code: 'TIMEOUT' });
      expect(transportFailureOf(new DOMException('aborted', 'AbortError'))).toEqual({ transport: 'maybe-sent', code: 'TIMEOUT' });
      expect(transportFailureOf(socketError('ECONNRESET'))).toEqual({ transport: 'maybe-sent', code: 'ECONNRESET' });
      expect(transportFailureOf(new Error('boom'))).toEqual({ transport: 'maybe-sent', code: 'NETWORK' });
      expect(transportFailureOf('weird')).toEqual({ transport: 'maybe-sent', code: 'NETWORK' });
    });

    it('calls several addresses not-sent only when every attempt was refused (happy eyeballs)', () => {
      const refused = (code: string) => Object.assign(new Error(code), { code });
      const all = new TypeError('fetch failed', { cause: new AggregateError([refused('ECONNREFUSED'), refused('ENETUNREACH')]) });
      const mixed = new TypeError('fetch failed', { cause: new AggregateError([refused('ECONNREFUSED'), refused('ECONNRESET')]) });
      expect(transportFailureOf(all).transport).toBe('not-sent');
      expect(transportFailureOf(mixed).transport).toBe('maybe-sent');
    });

    it('recognises the errors AbortSignal.timeout makes fetch throw', () => {
      expect(isTimeout(new DOMException('x', 'TimeoutError'))).toBe(true);
      expect(isTimeout(new Error('x'))).toBe(false);
    });
  });

  it('reads only JSON objects from a response text', () => {
    expect(parseJsonObject('{"a":1}')).toEqual({ a: 1 });
    for (const text of [undefined, '', '<html>', '[1]', 'null', '"x"']) expect(parseJsonObject(text)).toBeUndefined();
  });

  it('formats backoffs as the tables print them', () => {
    expect([formatBackoff(undefined), formatBackoff(1000), formatBackoff(30_000), formatBackoff(3_600_000)]).toEqual(['', '1 s', '30 s', '60 min']);
  });
});
