import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROVIDER_PROFILES } from '../../../../lambdas/domain/providers';
import { MetaWebhookCodec, metaSignature, verifyMetaSignature } from '../../../../lambdas/providers/whatsapp/meta';
import type { WebhookRequest } from '../../../../lambdas/providers/whatsapp/provider';
import { ForbiddenError, MalformedRequestError } from '../../../../lambdas/shared/errors';
import { META_CREDENTIALS, PHONE_NUMBER_ID, WABA_ID, connection } from '../cloud-api/support';

/** The fixture's bytes as Meta would send them (its own spacing and escapes). */
const RAW = readFileSync(join(__dirname, '../cloud-api/fixtures/text-message.json'), 'utf8');
const sign = (body: string, secret = META_CREDENTIALS.appSecret) => `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;

function post(rawBody: string, headers: Record<string, string | undefined> = {}): WebhookRequest {
  return {
    method: 'POST',
    route: 'inbound',
    url: 'https://hooks.example.com/webhook/whatsapp/meta/cn_meta',
    query: {},
    headers: { 'content-type': 'application/json', ...headers },
    rawBody,
  };
}

function get(query: Record<string, string | undefined>): WebhookRequest {
  return { method: 'GET', route: 'inbound', url: 'https://hooks.example.com/webhook/whatsapp/meta/cn_meta', query, headers: {}, rawBody: '' };
}

const codec = new MetaWebhookCodec();
const CONNECTION = connection({ providerNumberId: PHONE_NUMBER_ID, providerAccountId: WABA_ID });

describe('MetaWebhookCodec', () => {
  it('is Meta’s codec with Meta’s body limit', () => {
    expect(codec.provider).toBe('meta');
    expect(codec.maxBodyBytes).toBe(PROVIDER_PROFILES.meta.maxWebhookBodyBytes);
  });

  describe('GET handshake', () => {
    const handshake = { 'hub.mode': 'subscribe', 'hub.verify_token': META_CREDENTIALS.verifyToken, 'hub.challenge': '1158201444' };

    it('answers 200 text/plain with the challenge exactly as sent', () => {
      expect(codec.handshake(get(handshake), META_CREDENTIALS)).toEqual({ statusCode: 200, contentType: 'text/plain', body: '1158201444' });
      expect(codec.handshake(get({ ...handshake, 'hub.challenge': '00042' }), META_CREDENTIALS)?.body).toBe('00042');
    });

    it.each([
      ['a wrong verify token', { ...handshake, 'hub.verify_token': 'wrong' }],
      ['a verify token that only starts right', { ...handshake, 'hub.verify_token': META_CREDENTIALS.verifyToken.slice(0, 10) }],
      ['a wrong mode', { ...handshake, 'hub.mode': 'unsubscribe' }],
      ['no verify token', { ...handshake, 'hub.verify_token': undefined }],
      ['no challenge', { ...handshake, 'hub.challenge': undefined }],
      ['no parameters', {}],
    ])('refuses %s', (_name, query) => {
      expect(codec.handshake(get(query), META_CREDENTIALS)).toBeUndefined();
    });

    it('refuses a POST, and credentials without a verify token (an empty token must not match an empty one)', () => {
      expect(codec.handshake({ ...get(handshake), method: 'POST' }, META_CREDENTIALS)).toBeUndefined();
      expect(codec.handshake(get({ ...handshake, 'hub.verify_token': '' }), { ...META_CREDENTIALS, verifyToken: '' })).toBeUndefined();
    });
  });

  describe('signature', () => {
    it('accepts X-Hub-Signature-256 over the raw body with the app secret', () => {
      const request = post(RAW, { 'x-hub-signature-256': sign(RAW) });
      expect(codec.authenticate(request, codec.readBody(request), META_CREDENTIALS)).toBe(true);
      expect(metaSignature(RAW, META_CREDENTIALS.appSecret)).toBe(sign(RAW));
    });

    it('accepts an upper-case hex signature (the bytes are what count)', () => {
      const header = `sha256=${sign(RAW).slice(7).toUpperCase()}`;
      expect(verifyMetaSignature(RAW, header, META_CREDENTIALS.appSecret)).toBe(true);
    });

    it('refuses a signature made with another secret', () => {
      const request = post(RAW, { 'x-hub-signature-256': sign(RAW, 'f'.repeat(32)) });
      expect(codec.authenticate(request, codec.readBody(request), META_CREDENTIALS)).toBe(false);
    });

    it('refuses the signature of a re-serialised body: same JSON, different bytes', () => {
      // Prepare: what a JSON middleware would hand over after parsing and stringifying again.
      const reserialised = JSON.stringify(JSON.parse(RAW));
      expect(reserialised).not.toBe(RAW);

      // Act / Assess: Meta's signature covers the bytes it sent, not the re-encoded ones.
      expect(verifyMetaSignature(reserialised, sign(RAW), META_CREDENTIALS.appSecret)).toBe(false);
      expect(verifyMetaSignature(RAW, sign(reserialised), META_CREDENTIALS.appSecret)).toBe(false);
    });

    it('refuses a missing, malformed or truncated header, and an empty app secret', () => {
      expect(codec.authenticate(post(RAW), codec.readBody(post(RAW)), META_CREDENTIALS)).toBe(false);
      expect(verifyMetaSignature(RAW, sign(RAW).slice(7), META_CREDENTIALS.appSecret)).toBe(false);
      expect(verifyMetaSignature(RAW, sign(RAW).slice(0, 70), META_CREDENTIALS.appSecret)).toBe(false);
      expect(verifyMetaSignature(RAW, `sha1=${sign(RAW).slice(7)}`, META_CREDENTIALS.appSecret)).toBe(false);
      expect(verifyMetaSignature(RAW, metaSignature(RAW, ''), '')).toBe(false);
      expect(codec.authenticate(post(RAW, { 'x-hub-signature-256': sign(RAW) }), codec.readBody(post(RAW)), { accessToken: 'x' })).toBe(false);
    });

    it('accepts a body whose escapes were decoded on the way, when Meta signed the escaped form', () => {
      // Prepare: Meta signs `\u00e4`; something on the way decoded it to `ä`.
      const escaped = '{"text":"\\u00e4\\u00f6\\u00e5 \\ud83d\\ude00"}';
      const decoded = '{"text":"äöå 😀"}';

      // Act / Assess
      expect(verifyMetaSignature(decoded, sign(escaped), META_CREDENTIALS.appSecret)).toBe(true);
      expect(verifyMetaSignature(decoded, sign('{"text":"aoa"}'), META_CREDENTIALS.appSecret)).toBe(false);
    });
  });

  describe('parse', () => {
    it('reads the events of a payload for the connection’s phone number id and WABA', () => {
      const request = post(RAW);
      const [event] = codec.parse(request, codec.readBody(request), CONNECTION, META_CREDENTIALS);
      expect(event).toMatchObject({ kind: 'inbound', message: { provider: 'meta', accountId: WABA_ID, to: '+15550783881' } });
    });

    it('refuses a payload for another phone number id or another WABA', () => {
      const request = post(RAW);
      const body = codec.readBody(request);
      expect(() => codec.parse(request, body, connection({ providerNumberId: '999999999999999' }), META_CREDENTIALS)).toThrow(ForbiddenError);
      expect(() => codec.parse(request, body, connection({ providerNumberId: PHONE_NUMBER_ID, providerAccountId: '1' }), META_CREDENTIALS)).toThrow(ForbiddenError);
    });

    it('refuses when the connection has no phone number id, even if the display number matches', () => {
      const request = post(RAW);
      expect(() => codec.parse(request, codec.readBody(request), connection(), META_CREDENTIALS)).toThrow(ForbiddenError);
    });

    it('refuses a body that is not a Cloud API envelope before anything else', () => {
      expect(() => codec.readBody(post('{"object":"page"}'))).toThrow(MalformedRequestError);
      expect(() => codec.readBody(post('not json'))).toThrow(MalformedRequestError);
    });
  });

  it('acknowledges with an empty 200', () => {
    expect(codec.acknowledge()).toEqual({ statusCode: 200, contentType: 'text/plain', body: '' });
  });
});
