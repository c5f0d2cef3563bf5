import { TwilioContentApi, isSendableApproval } from '../../../../../lambdas/providers/whatsapp/twilio/send/content-api';
import { SendFailedError } from '../../../../../lambdas/shared/errors';
import { CREDENTIALS, EXPECTED_AUTH, fakeFetch, jsonResponse, twilioError, type Handler } from './fake-fetch';

const CONTENT = 'https://content.twilio.test';
const HX = 'HX' + '3'.repeat(32);

function apiWith(handler: Handler) {
  const fake = fakeFetch(handler);
  return { api: new TwilioContentApi({ fetch: fake.fetch, contentBaseUrl: CONTENT, timeoutMs: 5_000 }), requests: fake.requests };
}

describe('TwilioContentApi.createContent', () => {
  it('POSTs the definition as snake_case JSON and returns the HX sid', async () => {
    // Prepare
    const { api, requests } = apiWith(() => jsonResponse(201, { sid: HX, account_sid: CREDENTIALS.accountSid }));

    // Act
    const created = await api.createContent(CREDENTIALS, {
      friendlyName: 'reengagement_es',
      language: 'es_MX',
      variables: { '1': 'Ana' },
      types: { 'twilio/text': { body: 'Hola {{1}}, ¿seguimos con tu solicitud?' } },
    });

    // Assess
    expect(created).toEqual({ sid: HX });
    expect(requests).toHaveLength(1);
    expect(requests[0].method).toBe('POST');
    expect(requests[0].url).toBe(`${CONTENT}/v1/Content`);
    expect(requests[0].headers.authorization).toBe(EXPECTED_AUTH);
    expect(requests[0].headers['content-type']).toBe('application/json');
    expect(JSON.parse(requests[0].body!)).toEqual({
      friendly_name: 'reengagement_es',
      language: 'es_MX',
      variables: { '1': 'Ana' },
      types: { 'twilio/text': { body: 'Hola {{1}}, ¿seguimos con tu solicitud?' } },
    });
  });

  it('treats a 2xx without an HX sid as retryable: creating again is harmless', async () => {
    // Prepare
    const { api } = apiWith(() => jsonResponse(201, { sid: 'nope' }));

    // Act
    const attempt = api.createContent(CREDENTIALS, { friendlyName: 'x', language: 'en', variables: {}, types: {} });

    // Assess
    await expect(attempt).rejects.toMatchObject({ kind: 'retryable', code: 'UNREADABLE_RESPONSE' });
  });

  it('reports a refused definition as content-rejected and bad credentials as permanent', async () => {
    // Prepare
    const refused = apiWith(() => twilioError(400, 92001));
    const unauthorised = apiWith(() => twilioError(401, 20003));
    const definition = { friendlyName: 'x', language: 'en', variables: {}, types: {} };

    // Act
    const [a, b] = await Promise.allSettled([
      refused.api.createContent(CREDENTIALS, definition),
      unauthorised.api.createContent(CREDENTIALS, definition),
    ]);

    // Assess
    expect(a.status === 'rejected' && a.reason).toBeInstanceOf(SendFailedError);
    expect(a.status === 'rejected' && a.reason.kind).toBe('content-rejected');
    expect(b.status === 'rejected' && b.reason.kind).toBe('permanent');
  });
});

describe('TwilioContentApi approvals', () => {
  it('submits { name, category } to ApprovalRequests/whatsapp and lower-cases the status', async () => {
    // Prepare
    const { api, requests } = apiWith(() =>
      jsonResponse(201, { name: 'reengagement', category: 'UTILITY', content_type: 'twilio/text', status: 'Received', rejection_reason: '' }),
    );

    // Act
    const result = await api.submitWhatsAppApproval(CREDENTIALS, HX, { name: 'reengagement', category: 'UTILITY' });

    // Assess
    expect(result).toEqual({ status: 'received' });
    expect(requests[0].method).toBe('POST');
    expect(requests[0].url).toBe(`${CONTENT}/v1/Content/${HX}/ApprovalRequests/whatsapp`);
    expect(requests[0].headers.authorization).toBe(EXPECTED_AUTH);
    expect(JSON.parse(requests[0].body!)).toEqual({ name: 'reengagement', category: 'UTILITY' });
  });

  it('reads the WhatsApp approval with GET ApprovalRequests', async () => {
    // Prepare
    const { api, requests } = apiWith(() =>
      jsonResponse(200, {
        sid: HX,
        account_sid: CREDENTIALS.accountSid,
        url: `${CONTENT}/v1/Content/${HX}/ApprovalRequests`,
        whatsapp: { name: 'reengagement', category: 'UTILITY', status: 'APPROVED', rejection_reason: '', type: 'whatsapp' },
      }),
    );

    // Act
    const result = await api.fetchWhatsAppApproval(CREDENTIALS, HX);

    // Assess
    expect(result).toEqual({ status: 'approved' });
    expect(requests[0].method).toBe('GET');
    expect(requests[0].url).toBe(`${CONTENT}/v1/Content/${HX}/ApprovalRequests`);
    expect(requests[0].body).toBeUndefined();
  });

  it('returns the rejection reason of a rejected template', async () => {
    // Prepare
    const { api } = apiWith(() => jsonResponse(200, { whatsapp: { status: 'rejected', rejection_reason: 'INVALID_FORMAT' } }));

    // Act
    const result = await api.fetchWhatsAppApproval(CREDENTIALS, HX);

    // Assess
    expect(result).toEqual({ status: 'rejected', rejectionReason: 'INVALID_FORMAT' });
  });

  it('says unsubmitted when no WhatsApp approval exists', async () => {
    // Prepare
    const { api } = apiWith(() => jsonResponse(200, { sid: HX, whatsapp: null }));

    // Act / Assess
    expect(await api.fetchWhatsAppApproval(CREDENTIALS, HX)).toEqual({ status: 'unsubmitted' });
  });

  it('sends only an approved template', () => {
    // Act / Assess
    expect(isSendableApproval('approved')).toBe(true);
    expect(isSendableApproval('APPROVED')).toBe(true);
    for (const status of ['received', 'pending', 'rejected', 'paused', 'disabled', 'unsubmitted']) {
      expect(isSendableApproval(status)).toBe(false);
    }
  });
});
