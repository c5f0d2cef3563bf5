import { parseTwilioFields } from '../../../../lambdas/providers/whatsapp/twilio/form';
import { verifyTwilioSignature } from '../../../../lambdas/providers/whatsapp/twilio/signature';
import { publicWebhookUrl } from '../../../../lambdas/providers/whatsapp/webhook-url';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  WEBHOOK_URL,
  formBody,
  inboundFields,
  signedRequest,
  statusFields,
  twilioSignature,
} from './fixtures';

const credentials = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN };
const API_HOST = 'abc123.execute-api.eu-west-1.amazonaws.com';

describe('verifyTwilioSignature', () => {
  it('accepts a request signed by Twilio with our auth token', () => {
    // Prepare
    const request = signedRequest(inboundFields());
    const fields = parseTwilioFields(request);

    // Act
    const valid = verifyTwilioSignature(request, fields, credentials);

    // Assess
    expect(valid).toBe(true);
  });

  it('accepts unicode and emoji fields after the form round trip', () => {
    // Prepare
    const request = signedRequest(inboundFields({ Body: 'Ünïcødé 🎉👩‍👩‍👧 + 50% & más', ProfileName: '李小龍' }));
    const fields = parseTwilioFields(request);

    // Act
    const valid = verifyTwilioSignature(request, fields, credentials);

    // Assess
    expect(valid).toBe(true);
  });

  it('rejects a signature made with another auth token', () => {
    // Prepare
    const request = signedRequest(inboundFields(), { authToken: 'e'.repeat(32) });
    const fields = parseTwilioFields(request);

    // Act
    const valid = verifyTwilioSignature(request, fields, credentials);

    // Assess
    expect(valid).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['garbage', 'not-a-signature'],
  ])('rejects a %s signature header', (_name, header) => {
    // Prepare
    const request = signedRequest(inboundFields());
    request.headers['x-twilio-signature'] = header;
    const fields = parseTwilioFields(request);

    // Act
    const valid = verifyTwilioSignature(request, fields, credentials);

    // Assess
    expect(valid).toBe(false);
  });

  it('rejects a tampered field', () => {
    // Prepare
    const request = signedRequest(inboundFields({ Body: 'Pay 10 USD' }));
    request.rawBody = request.rawBody.replace('Pay+10+USD', 'Pay+1000+USD');
    const fields = parseTwilioFields(request);

    // Act
    const valid = verifyTwilioSignature(request, fields, credentials);

    // Assess
    expect(fields.Body).toBe('Pay 1000 USD');
    expect(valid).toBe(false);
  });

  it('rejects a field added after signing', () => {
    // Prepare
    const request = signedRequest(inboundFields());
    request.rawBody += '&ButtonPayload=approve';
    const fields = parseTwilioFields(request);

    // Act
    const valid = verifyTwilioSignature(request, fields, credentials);

    // Assess
    expect(valid).toBe(false);
  });

  it('rejects a field removed after signing', () => {
    // Prepare
    const request = signedRequest(inboundFields());
    const fields = parseTwilioFields(request);
    delete fields.ProfileName;

    // Act
    const valid = verifyTwilioSignature(request, fields, credentials);

    // Assess
    expect(valid).toBe(false);
  });

  it('accepts an unknown field that Twilio added and signed', () => {
    // Prepare
    const request = signedRequest(inboundFields({ BrandNewTwilioField: 'surprise', ExternalUserId: 'US.123' }));
    const fields = parseTwilioFields(request);

    // Act
    const valid = verifyTwilioSignature(request, fields, credentials);

    // Assess
    expect(valid).toBe(true);
  });

  it('rejects the same signature presented for another URL', () => {
    // Prepare
    const request = signedRequest(inboundFields(), { signedUrl: `${WEBHOOK_URL}-other` });
    const fields = parseTwilioFields(request);

    // Act
    const valid = verifyTwilioSignature(request, fields, credentials);

    // Assess
    expect(valid).toBe(false);
  });

  it('accepts a status callback whose URL carries apostrophes, +, @, : and escapes in its query', () => {
    // Prepare: Twilio signs the URL as it was configured, byte for byte.
    const rawQueryString = "m=01HX&name=O'Brien&q=a+b&email=ana%40example.com&at=ana@example.com&t=10:30&check=%E2%9C%93";
    const calledUrl = `https://${API_HOST}/webhook/twilio/c1/status?${rawQueryString}`;
    const url = publicWebhookUrl({
      rawPath: '/webhook/twilio/c1/status',
      rawQueryString,
      host: API_HOST,
      forwardedProto: 'https',
      forwardedPort: '443',
    });
    const request = signedRequest(statusFields(), { url, signedUrl: calledUrl });
    const fields = parseTwilioFields(request);

    // Act
    const valid = verifyTwilioSignature(request, fields, credentials);

    // Assess
    expect(url).toBe(calledUrl);
    expect(valid).toBe(true);
  });

  it('rejects when the query string was re-encoded instead of kept raw', () => {
    // Prepare: what a parse-and-serialise round trip does to the query Twilio signed.
    const rawQueryString = "name=O'Brien&at=ana@example.com";
    const reEncoded = new URLSearchParams(rawQueryString).toString();
    const request = signedRequest(inboundFields(), {
      url: `${WEBHOOK_URL}?${reEncoded}`,
      signedUrl: `${WEBHOOK_URL}?${rawQueryString}`,
    });
    const fields = parseTwilioFields(request);

    // Act
    const valid = verifyTwilioSignature(request, fields, credentials);

    // Assess
    expect(reEncoded).not.toBe(rawQueryString);
    expect(valid).toBe(false);
  });

  it('accepts a URL rebuilt from a configured public base URL', () => {
    // Prepare: a custom domain with base path `wa`; API Gateway shows the mapping in rawPath.
    const calledUrl = 'https://hooks.example.com/wa/webhook/twilio/c1?m=01HX';
    const url = publicWebhookUrl({
      rawPath: '/wa/webhook/twilio/c1',
      rawQueryString: 'm=01HX',
      host: API_HOST,
      publicBaseUrl: 'https://hooks.example.com/wa/',
    });
    const request = signedRequest(inboundFields(), { url, signedUrl: calledUrl });
    const fields = parseTwilioFields(request);

    // Act
    const valid = verifyTwilioSignature(request, fields, credentials);

    // Assess
    expect(url).toBe(calledUrl);
    expect(valid).toBe(true);
  });

  it.each([
    ['signed without a port, host header with :443', `https://${API_HOST}/webhook/twilio/c1`, `${API_HOST}:443`],
    ['signed without a port, host header without', `https://${API_HOST}/webhook/twilio/c1`, API_HOST],
    ['signed with :443, host header without', `https://${API_HOST}:443/webhook/twilio/c1`, API_HOST],
    ['signed with :443, host header with :443', `https://${API_HOST}:443/webhook/twilio/c1`, `${API_HOST}:443`],
  ])('accepts https %s', (_name, signedUrl, host) => {
    // Prepare
    const url = publicWebhookUrl({ rawPath: '/webhook/twilio/c1', rawQueryString: '', host, forwardedProto: 'https' });
    const request = signedRequest(inboundFields(), { url, signedUrl });
    const fields = parseTwilioFields(request);

    // Act
    const valid = verifyTwilioSignature(request, fields, credentials);

    // Assess
    expect(valid).toBe(true);
  });

  it('accepts a local http run on a non-default port', () => {
    // Prepare
    const calledUrl = 'http://127.0.0.1:3000/webhook/twilio/c1?m=01HX';
    const url = publicWebhookUrl({
      rawPath: '/webhook/twilio/c1',
      rawQueryString: 'm=01HX',
      host: '127.0.0.1:3000',
      forwardedProto: 'http',
      forwardedPort: '3000',
    });
    const request = signedRequest(inboundFields(), { url, signedUrl: calledUrl });
    const fields = parseTwilioFields(request);

    // Act
    const valid = verifyTwilioSignature(request, fields, credentials);

    // Assess
    expect(url).toBe(calledUrl);
    expect(valid).toBe(true);
  });

  it('rejects a local run signed for another port', () => {
    // Prepare
    const request = signedRequest(inboundFields(), {
      url: 'http://127.0.0.1:3000/webhook/twilio/c1',
      signedUrl: 'http://127.0.0.1:4000/webhook/twilio/c1',
    });
    const fields = parseTwilioFields(request);

    // Act
    const valid = verifyTwilioSignature(request, fields, credentials);

    // Assess
    expect(valid).toBe(false);
  });

  it('never accepts an empty auth token, even with a matching signature', () => {
    // Prepare: an HMAC keyed with '' is one anyone can compute.
    const request = signedRequest(inboundFields(), { authToken: '' });
    const fields = parseTwilioFields(request);

    // Act
    const valid = verifyTwilioSignature(request, fields, { accountSid: ACCOUNT_SID, authToken: '' });

    // Assess
    expect(valid).toBe(false);
  });

  it('returns false instead of throwing for a URL that cannot be parsed', () => {
    // Prepare
    const fields = inboundFields();
    const request = {
      url: 'not a url',
      headers: { 'x-twilio-signature': twilioSignature(AUTH_TOKEN, 'https://elsewhere/', fields) },
      rawBody: formBody(fields),
    };

    // Act
    const valid = verifyTwilioSignature(request, fields, credentials);

    // Assess
    expect(valid).toBe(false);
  });
});
