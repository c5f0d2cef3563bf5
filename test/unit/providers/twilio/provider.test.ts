import { TwilioProvider } from '../../../../lambdas/providers/whatsapp/twilio';
import type { WhatsAppProvider } from '../../../../lambdas/providers/whatsapp/provider';
import { publicWebhookUrl } from '../../../../lambdas/providers/whatsapp/webhook-url';
import { MalformedRequestError } from '../../../../lambdas/shared/errors';
import { ACCOUNT_SID, AUTH_TOKEN, CUSTOMER_NUMBER, inboundFields, signedRequest, statusFields } from './fixtures';

const credentials = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN };

describe('TwilioProvider', () => {
  const provider: WhatsAppProvider = new TwilioProvider();

  it('is named twilio', () => {
    // Prepare
    const expected = 'twilio';

    // Act
    const name = provider.name;

    // Assess
    expect(name).toBe(expected);
  });

  it('takes a signed inbound webhook from raw body to InboundMessage', () => {
    // Prepare
    const url = publicWebhookUrl({
      rawPath: '/webhook/whatsapp/twilio/acme',
      rawQueryString: '',
      host: 'abc123.execute-api.eu-west-1.amazonaws.com',
      forwardedProto: 'https',
      forwardedPort: '443',
    });
    const request = signedRequest(inboundFields({ Body: '¿Abren mañana? 🙏' }), { url });

    // Act
    const fields = provider.parseFields(request);
    const valid = provider.verifySignature(request, fields, credentials);
    const message = provider.parseInbound(fields);

    // Assess
    expect(valid).toBe(true);
    expect(message).toMatchObject({
      provider: 'twilio',
      customer: { id: CUSTOMER_NUMBER, isPhoneNumber: true },
      content: { type: 'text', text: '¿Abren mañana? 🙏' },
    });
  });

  it('takes a signed status callback from raw body to StatusUpdate', () => {
    // Prepare
    const url = 'https://hooks.example.com/webhook/whatsapp/twilio/acme/status?m=01HXAMPLE';
    const request = signedRequest(statusFields({ MessageStatus: 'read' }), { url });

    // Act
    const fields = provider.parseFields(request);
    const valid = provider.verifySignature(request, fields, credentials);
    const update = provider.parseStatus(fields);

    // Assess
    expect(valid).toBe(true);
    expect(update).toMatchObject({ provider: 'twilio', status: 'read', providerStatus: 'read' });
  });

  it('rejects a JSON body before anything else', () => {
    // Prepare
    const request = { url: 'https://hooks.example.com/webhook/whatsapp/twilio/acme', headers: { 'content-type': 'application/json' }, rawBody: '{}' };

    // Act
    const act = () => provider.parseFields(request);

    // Assess
    expect(act).toThrow(MalformedRequestError);
  });
});
