import { TwilioConnectionTester, messagingBaseUrlFor } from '../../../../lambdas/providers/whatsapp/twilio/connection-test';
import { BspUnavailableError } from '../../../../lambdas/shared/errors';
import { fakeFetch, jsonResponse, twilioError, type Handler } from './send/fake-fetch';

const credentials = { accountSid: `AC${'c'.repeat(32)}`, authToken: 'f'.repeat(32) };
const NUMBER = '+5215512345678';
/** The connection under test, as the admin domain hands it to a tester. */
const target = (displayNumber: string) => ({
  connectionId: 'cn_1',
  number: { displayNumber, providerNumberId: displayNumber },
  webhookUrl: 'https://hooks.example.com/webhook/whatsapp/twilio/cn_1',
});

function tester(handler: Handler) {
  const fake = fakeFetch(handler);
  return { fake, tester: new TwilioConnectionTester({ fetch: fake.fetch, apiBaseUrl: 'https://api.twilio.com', timeoutMs: 1000 }) };
}

const senders = (list: Array<{ sender_id: string; status: string }>, next: string | null = null) =>
  jsonResponse(200, { senders: list, meta: { page: 0, page_size: 100, next_page_url: next, key: 'senders' } });

describe('TwilioConnectionTester', () => {
  it('derives the Senders API host from the API base URL', () => {
    expect(messagingBaseUrlFor('https://api.twilio.com')).toBe('https://messaging.twilio.com');
    expect(messagingBaseUrlFor('http://127.0.0.1:3010/')).toBe('http://127.0.0.1:3010');
  });

  describe('credentials', () => {
    it('fetches the Account with HTTP Basic and passes an active account', async () => {
      const { fake, tester: t } = tester(() => jsonResponse(200, { sid: credentials.accountSid, status: 'active' }));
      expect(await t.checkCredentials(credentials, target(NUMBER))).toEqual({ ok: true, detail: expect.any(String) });
      expect(fake.requests[0]).toEqual(
        expect.objectContaining({ method: 'GET', url: `https://api.twilio.com/2010-04-01/Accounts/${credentials.accountSid}.json` }),
      );
      expect(fake.requests[0].headers.authorization).toBe(`Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64')}`);
    });

    it('fails a suspended or closed account', async () => {
      const { tester: t } = tester(() => jsonResponse(200, { status: 'suspended' }));
      expect(await t.checkCredentials(credentials, target(NUMBER))).toEqual({ ok: false, code: 'ACCOUNT_SUSPENDED', detail: expect.stringContaining('suspended') });
    });

    it('fails wrong credentials (401 / 20003) and an unknown account (404)', async () => {
      expect(await tester(() => twilioError(401, 20003, 'Authenticate')).tester.checkCredentials(credentials, target(NUMBER))).toEqual({
        ok: false,
        code: '20003',
        detail: expect.stringContaining('rejected'),
        credentialsRejected: true,
      });
      const unknownAccount = await tester(() => twilioError(404, 20404)).tester.checkCredentials(credentials, target(NUMBER));
      expect(unknownAccount.code).toBe('20404');
      expect(unknownAccount.credentialsRejected).toBeUndefined();
    });

    it('throws BspUnavailableError for 429, 5xx and an unreachable Twilio', async () => {
      await expect(tester(() => twilioError(429, 20429)).tester.checkCredentials(credentials, target(NUMBER))).rejects.toBeInstanceOf(BspUnavailableError);
      await expect(tester(() => twilioError(500, 20500)).tester.checkCredentials(credentials, target(NUMBER))).rejects.toBeInstanceOf(BspUnavailableError);
      const refused = () => Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }));
      await expect(tester(refused).tester.checkCredentials(credentials, target(NUMBER))).rejects.toBeInstanceOf(BspUnavailableError);
      const timeout = () => Promise.reject(new DOMException('timed out', 'TimeoutError'));
      await expect(tester(timeout).tester.checkCredentials(credentials, target(NUMBER))).rejects.toBeInstanceOf(BspUnavailableError);
    });
  });

  describe('sender', () => {
    it('finds an ONLINE WhatsApp sender of the account on messaging.twilio.com, following next pages on the same host', async () => {
      const { fake, tester: t } = tester((_request, index) =>
        index === 0
          ? senders([{ sender_id: 'whatsapp:+15550000000', status: 'ONLINE' }], 'https://messaging.twilio.com/v2/Channels/Senders?Channel=whatsapp&Page=1&PageToken=x')
          : senders([{ sender_id: `whatsapp:${NUMBER}`, status: 'ONLINE' }]),
      );
      expect(await t.checkSender(credentials, target(NUMBER))).toEqual({ ok: true, detail: expect.any(String) });
      expect(fake.requests.map((r) => r.url)).toEqual([
        'https://messaging.twilio.com/v2/Channels/Senders?Channel=whatsapp&PageSize=100',
        'https://messaging.twilio.com/v2/Channels/Senders?Channel=whatsapp&Page=1&PageToken=x',
      ]);
    });

    it('never follows a next page to another host (the credentials would go with it)', async () => {
      const { fake, tester: t } = tester(() => senders([], 'https://evil.example/v2/Channels/Senders?Page=1'));
      expect((await t.checkSender(credentials, target(NUMBER))).code).toBe('SENDER_NOT_FOUND');
      expect(fake.requests).toHaveLength(1);
    });

    it('fails a sender that is not online, or not the account’s', async () => {
      expect(await tester(() => senders([{ sender_id: `whatsapp:${NUMBER}`, status: 'PENDING_VERIFICATION' }])).tester.checkSender(credentials, target(NUMBER))).toEqual({
        ok: false,
        code: 'SENDER_PENDING_VERIFICATION',
        detail: expect.stringContaining('PENDING_VERIFICATION'),
      });
      expect((await tester(() => senders([])).tester.checkSender(credentials, target(NUMBER))).code).toBe('SENDER_NOT_FOUND');
    });

    it('passes the shared Twilio Sandbox number with a note', async () => {
      expect(await tester(() => senders([])).tester.checkSender(credentials, target('+14155238886'))).toEqual({ ok: true, code: 'SANDBOX', detail: expect.stringContaining('Sandbox') });
    });

    it('throws BspUnavailableError for a 503 and an unreadable body', async () => {
      await expect(tester(() => twilioError(503, 20503)).tester.checkSender(credentials, target(NUMBER))).rejects.toBeInstanceOf(BspUnavailableError);
      await expect(tester(() => jsonResponse(200, { senders: 'nope' })).tester.checkSender(credentials, target(NUMBER))).rejects.toBeInstanceOf(BspUnavailableError);
    });
  });

  describe('test message', () => {
    it('posts To/From/Body without a status callback, ok when Twilio accepts it', async () => {
      const { fake, tester: t } = tester(() => jsonResponse(201, { sid: `SM${'1'.repeat(32)}`, status: 'queued' }));
      expect((await t.sendTestMessage(credentials, target('+14155238886'), NUMBER, 'Hola')).ok).toBe(true);
      const form = new URLSearchParams(fake.requests[0].body);
      expect(Object.fromEntries(form)).toEqual({ To: `whatsapp:${NUMBER}`, From: 'whatsapp:+14155238886', Body: 'Hola' });
    });

    it("reports Twilio's refusal, and even an outage, as a failed step", async () => {
      expect(await tester(() => twilioError(400, 63007)).tester.sendTestMessage(credentials, target('+1'), NUMBER, 'x')).toEqual({ ok: false, code: '63007', detail: expect.any(String) });
      expect((await tester(() => twilioError(429, 20429)).tester.sendTestMessage(credentials, target('+1'), NUMBER, 'x')).ok).toBe(false);
    });
  });
});
