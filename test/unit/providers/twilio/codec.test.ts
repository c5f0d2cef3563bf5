import type { Connection } from '../../../../lambdas/domain/connection';
import type { WebhookRequest } from '../../../../lambdas/domain/bsp';
import { TwilioWebhookCodec } from '../../../../lambdas/providers/whatsapp/twilio';
import { publicWebhookUrl } from '../../../../lambdas/providers/whatsapp/webhook-url';
import { ForbiddenError, MalformedRequestError } from '../../../../lambdas/shared/errors';
import { ACCOUNT_SID, AUTH_TOKEN, CUSTOMER_NUMBER, inboundFields, signedRequest, statusFields } from './fixtures';

const credentials = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN };

function request(partial: Pick<WebhookRequest, 'url' | 'headers' | 'rawBody'>, route: WebhookRequest['route'] = 'inbound'): WebhookRequest {
  const query = Object.fromEntries(new URL(partial.url).searchParams);
  return { ...partial, method: 'POST', route, query };
}

describe('TwilioWebhookCodec', () => {
  const codec = new TwilioWebhookCodec();
  const inboundUrl = publicWebhookUrl({
    rawPath: '/webhook/whatsapp/twilio/acme',
    rawQueryString: '',
    host: 'abc123.execute-api.eu-west-1.amazonaws.com',
    forwardedProto: 'https',
    forwardedPort: '443',
  });
  const signedInbound = () => request(signedRequest(inboundFields({ Body: '¿Abren mañana? 🙏' }), { url: inboundUrl }));
  const connectionTo = (displayNumber: string): Connection => ({
    connectionId: 'acme',
    businessId: 'acme-business',
    provider: 'twilio',
    status: 'active',
    displayNumber,
    secretArn: 'arn:secret:acme',
  });

  it('is Twilio, answers empty TwiML and refuses bodies over 64 KiB', () => {
    // Act
    const ack = codec.acknowledge();

    // Assess
    expect(codec.provider).toBe('twilio');
    expect(codec.maxBodyBytes).toBe(64 * 1024);
    expect(ack).toEqual({ statusCode: 200, contentType: 'text/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' });
  });

  it('takes a signed inbound webhook from raw body to one inbound event', () => {
    // Prepare
    const signed = signedInbound();
    const fields = codec.readBody(signed);
    const to = fields.To!.replace('whatsapp:', '');

    // Act
    const valid = codec.authenticate(signed, fields, credentials);
    const events = codec.parse(signed, fields, connectionTo(to), credentials);

    // Assess
    expect(valid).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'inbound',
      message: { provider: 'twilio', customer: { id: CUSTOMER_NUMBER, isPhoneNumber: true }, content: { type: 'text', text: '¿Abren mañana? 🙏' } },
    });
  });

  it('refuses the signature of another token, and credentials that are not Twilio credentials', () => {
    // Prepare
    const signed = signedInbound();
    const fields = codec.readBody(signed);

    // Act
    const wrongToken = codec.authenticate(signed, fields, { ...credentials, authToken: '0'.repeat(32) });
    const notTwilio = codec.authenticate(signed, fields, { apiKey: 'k' });

    // Assess
    expect(wrongToken).toBe(false);
    expect(notTwilio).toBe(false);
  });

  it('refuses a message addressed to another number or sent for another account', () => {
    // Prepare
    const signed = signedInbound();
    const fields = codec.readBody(signed);

    // Act
    const otherNumber = () => codec.parse(signed, fields, connectionTo('+15550000000'), credentials);
    const otherAccount = () => codec.parse(signed, fields, connectionTo(fields.To!.replace('whatsapp:', '')), { ...credentials, accountSid: 'AC' + '9'.repeat(32) });

    // Assess
    expect(otherNumber).toThrow(ForbiddenError);
    expect(otherAccount).toThrow(ForbiddenError);
  });

  it('takes a signed status callback to one status event keyed by the callback URL', () => {
    // Prepare
    const url = 'https://hooks.example.com/webhook/whatsapp/twilio/acme/status?c=cv_A&m=01HXAMPLE';
    const signed = request(signedRequest(statusFields({ MessageStatus: 'read' }), { url }), 'status');
    const fields = codec.readBody(signed);

    // Act
    const valid = codec.authenticate(signed, fields, credentials);
    const events = codec.parse(signed, fields, connectionTo('+14155238886'), credentials);

    // Assess
    expect(valid).toBe(true);
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'status',
        key: { conversationId: 'cv_A', messageId: '01HXAMPLE' },
        update: expect.objectContaining({ provider: 'twilio', status: 'read', providerStatus: 'read' }),
      }),
    ]);
  });

  it('leaves a status without our key unaddressed, for the lookup by Twilio message SID', () => {
    // Prepare
    const url = 'https://hooks.example.com/webhook/whatsapp/twilio/acme/status';
    const signed = request(signedRequest(statusFields({ MessageStatus: 'delivered' }), { url }), 'status');
    const fields = codec.readBody(signed);

    // Act
    const events = codec.parse(signed, fields, connectionTo('+14155238886'), credentials);

    // Assess
    expect(events).toHaveLength(1);
    expect(events[0]).not.toHaveProperty('key');
  });

  it('rejects a JSON body before anything else', () => {
    // Prepare
    const json = request({ url: 'https://hooks.example.com/webhook/whatsapp/twilio/acme', headers: { 'content-type': 'application/json' }, rawBody: '{}' });

    // Act
    const act = () => codec.readBody(json);

    // Assess
    expect(act).toThrow(MalformedRequestError);
  });
});
