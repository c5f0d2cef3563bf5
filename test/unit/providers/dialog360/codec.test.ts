import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROVIDER_PROFILES } from '../../../../lambdas/domain/providers';
import { Dialog360WebhookCodec } from '../../../../lambdas/providers/whatsapp/dialog360';
import type { WebhookCodec, WebhookRequest } from '../../../../lambdas/providers/whatsapp/provider';
import { ForbiddenError, MalformedRequestError } from '../../../../lambdas/shared/errors';
import { BUSINESS_NUMBER, DIALOG360_CREDENTIALS, PHONE_NUMBER_ID, connection } from '../cloud-api/support';

const RAW = readFileSync(join(__dirname, '../cloud-api/fixtures/text-message.json'), 'utf8');

function post(headers: Record<string, string | undefined> = {}, rawBody = RAW): WebhookRequest {
  return { method: 'POST', route: 'inbound', url: 'https://hooks.example.com/webhook/whatsapp/360dialog/cn_360', query: {}, headers, rawBody };
}

const codec = new Dialog360WebhookCodec();
const CONNECTION = connection({ connectionId: 'cn_360', provider: '360dialog', displayNumber: BUSINESS_NUMBER, providerNumberId: BUSINESS_NUMBER });

describe('Dialog360WebhookCodec', () => {
  it('has no handshake and 360dialog’s body limit', () => {
    const port: WebhookCodec<unknown> = codec as WebhookCodec<unknown>;
    expect(port.handshake).toBeUndefined();
    expect(codec.provider).toBe('360dialog');
    expect(codec.maxBodyBytes).toBe(PROVIDER_PROFILES['360dialog'].maxWebhookBodyBytes);
  });

  describe('authentication by the secret header we registered', () => {
    const authenticate = (headers: Record<string, string | undefined>, credentials: Record<string, unknown> = DIALOG360_CREDENTIALS) =>
      codec.authenticate(post(headers), codec.readBody(post(headers)), credentials);

    it('accepts X-Echo-Webhook-Token equal to the connection’s webhook secret', () => {
      expect(authenticate({ 'x-echo-webhook-token': DIALOG360_CREDENTIALS.webhookSecret })).toBe(true);
    });

    it.each([
      ['missing', {}],
      ['empty', { 'x-echo-webhook-token': '' }],
      ['wrong', { 'x-echo-webhook-token': 'ws_wrong' }],
      ['a prefix of the secret', { 'x-echo-webhook-token': DIALOG360_CREDENTIALS.webhookSecret.slice(0, 8) }],
      ['the API key instead', { 'x-echo-webhook-token': DIALOG360_CREDENTIALS.apiKey }],
    ])('refuses a header that is %s', (_name, headers) => {
      expect(authenticate(headers)).toBe(false);
    });

    it('refuses everything when the secret has no webhook secret', () => {
      expect(authenticate({ 'x-echo-webhook-token': '' }, { apiKey: 'k', webhookSecret: '' })).toBe(false);
      expect(authenticate({ 'x-echo-webhook-token': 'x' }, { apiKey: 'k' })).toBe(false);
    });
  });

  describe('addressing', () => {
    it('reads a payload whose display number has the connection’s digits', () => {
      const events = codec.parse(post(), codec.readBody(post()), CONNECTION, DIALOG360_CREDENTIALS);
      expect(events[0]).toMatchObject({ kind: 'inbound', message: { provider: '360dialog', to: BUSINESS_NUMBER } });
    });

    it('refuses a payload for another number', () => {
      expect(() => codec.parse(post(), codec.readBody(post()), { ...CONNECTION, displayNumber: '+15550000000' }, DIALOG360_CREDENTIALS)).toThrow(ForbiddenError);
    });

    it('also checks the phone number id when the connection recorded one instead of a number', () => {
      const withId = connection({ provider: '360dialog', displayNumber: BUSINESS_NUMBER, providerNumberId: PHONE_NUMBER_ID });
      expect(() => codec.parse(post(), codec.readBody(post()), withId, DIALOG360_CREDENTIALS)).not.toThrow();
      const otherId = connection({ provider: '360dialog', displayNumber: BUSINESS_NUMBER, providerNumberId: '999999999999999' });
      expect(() => codec.parse(post(), codec.readBody(post()), otherId, DIALOG360_CREDENTIALS)).toThrow(ForbiddenError);
    });
  });

  it('refuses a body that is not a Cloud API envelope', () => {
    expect(() => codec.readBody(post({}, '{"messages":[]}'))).toThrow(MalformedRequestError);
  });

  it('acknowledges with an empty 200', () => {
    expect(codec.acknowledge()).toEqual({ statusCode: 200, contentType: 'text/plain', body: '' });
  });
});
