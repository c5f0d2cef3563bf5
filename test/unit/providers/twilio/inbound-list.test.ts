import {
  TwilioInboundLister,
  twilioDate,
  twilioReceivedAt,
  webhookFieldsOf,
} from '../../../../lambdas/providers/whatsapp/twilio/inbound-list';
import { SendFailedError } from '../../../../lambdas/shared/errors';
import { fakeFetch, jsonResponse, twilioError, type Handler } from './send/fake-fetch';

const ACCOUNT = `AC${'a'.repeat(32)}`;
const credentials = { accountSid: ACCOUNT, authToken: 'f'.repeat(32) };
const NUMBER = '+14155238886';
const window = { since: new Date('2026-11-27T11:30:00Z'), until: new Date('2026-11-27T11:58:00Z') };

function resource(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sid: `SM${'1'.repeat(32)}`,
    account_sid: ACCOUNT,
    from: 'whatsapp:+5215512345678',
    to: `whatsapp:${NUMBER}`,
    body: 'Hola',
    num_media: '0',
    direction: 'inbound',
    status: 'received',
    date_created: 'Fri, 27 Nov 2026 11:45:00 +0000',
    date_sent: 'Fri, 27 Nov 2026 11:45:01 +0000',
    messaging_service_sid: null,
    ...overrides,
  };
}

const page = (messages: unknown[], next: string | null = null) => jsonResponse(200, { messages, next_page_uri: next, page: 0, page_size: 200 });

function lister(handler: Handler, options: { maxPages?: number } = {}) {
  const fake = fakeFetch(handler);
  return { fake, lister: new TwilioInboundLister({ fetch: fake.fetch, apiBaseUrl: 'https://api.twilio.com', timeoutMs: 1000, ...options }) };
}

describe('Twilio inbound listing', () => {
  it('asks for messages to the whatsapp: number from the window\'s GMT day on (DateSent>=), with HTTP Basic', async () => {
    const { fake, lister: l } = lister(() => page([]));

    const listing = await l.sourceFor(credentials, NUMBER).list(window);

    expect(listing).toEqual({ messages: [], complete: true });
    const url = new URL(fake.requests[0]!.url);
    expect(url.origin + url.pathname).toBe(`https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Messages.json`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ To: 'whatsapp:+14155238886', 'DateSent>': '2026-11-27', PageSize: '200' });
    expect(fake.requests[0]!.url).toContain('DateSent%3E=2026-11-27');
    expect(fake.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT}:${credentials.authToken}`).toString('base64')}`);
  });

  it('a window that starts before midnight GMT asks from the previous day', () => {
    expect(twilioDate(new Date('2026-11-26T23:50:00Z'))).toBe('2026-11-26');
    expect(twilioDate(new Date('2026-11-27T00:10:00-05:00'))).toBe('2026-11-27');
  });

  it('keeps only inbound, received WhatsApp messages of this account to this number', async () => {
    const { lister: l } = lister(() =>
      page([
        resource({ sid: 'SMin' }),
        resource({ sid: 'SMout', direction: 'outbound-api', from: `whatsapp:${NUMBER}`, to: 'whatsapp:+5215512345678' }),
        resource({ sid: 'SMreceiving', status: 'receiving' }),
        resource({ sid: 'SMother', to: 'whatsapp:+15550000000' }),
        resource({ sid: 'SMsms', from: '+5215512345678' }),
        resource({ sid: 'SMforeign', account_sid: `AC${'b'.repeat(32)}` }),
        { sid: 'SMmalformed' },
      ]),
    );

    const { messages } = await l.list(credentials, NUMBER, window);

    expect(messages.map((m) => [m.externalId, m.receivedAt.toISOString()])).toEqual([['SMin', '2026-11-27T11:45:01.000Z']]);
  });

  it('maps a text message exactly as the webhook would, unicode and emoji included', async () => {
    const body = 'Hola 👋🏽 ¿a qué hora abren? 日本語 👨‍👩‍👧';
    const { lister: l } = lister(() => page([resource({ body })]));

    const [listed] = (await l.list(credentials, NUMBER, window)).messages;
    const message = await listed!.load();

    expect(message).toEqual({
      provider: 'twilio',
      externalId: `SM${'1'.repeat(32)}`,
      accountId: ACCOUNT,
      to: NUMBER,
      customer: { id: '+5215512345678', isPhoneNumber: true },
      content: { type: 'text', text: body },
    });
  });

  it('reads the Media list of a media message, only when loaded, and keeps kind, caption and the URL the webhook would send', async () => {
    const sid = `MM${'2'.repeat(32)}`;
    const { fake, lister: l } = lister((request) =>
      request.url.includes('/Media.json')
        ? jsonResponse(200, {
            media_list: [
              { sid: 'ME1', content_type: 'image/jpeg', uri: `/2010-04-01/Accounts/${ACCOUNT}/Messages/${sid}/Media/ME1.json` },
              { sid: 'ME2', content_type: 'image/png', uri: `/2010-04-01/Accounts/${ACCOUNT}/Messages/${sid}/Media/ME2.json` },
            ],
            next_page_uri: null,
          })
        : page([resource({ sid, num_media: '2', body: 'mira 📷' })]),
    );

    const [listed] = (await l.list(credentials, NUMBER, window)).messages;
    expect(fake.requests).toHaveLength(1);
    const message = await listed!.load();

    expect(fake.requests[1]!.url).toBe(`https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Messages/${sid}/Media.json`);
    expect(message.content).toEqual({
      type: 'image',
      caption: 'mira 📷',
      media: [
        { url: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Messages/${sid}/Media/ME1`, contentType: 'image/jpeg', kind: 'image' },
        { url: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Messages/${sid}/Media/ME2`, contentType: 'image/png', kind: 'image' },
      ],
    });
  });

  it('passes media as the webhook fields; media Twilio no longer lists becomes unsupported with its reason', async () => {
    const fields = webhookFieldsOf(resource({ num_media: '1', body: '' }) as never, [{ url: 'https://api.twilio.com/x', contentType: 'audio/ogg' }]);
    expect(fields).toMatchObject({ NumMedia: '1', MediaUrl0: 'https://api.twilio.com/x', MediaContentType0: 'audio/ogg' });

    const { lister: l } = lister((request) =>
      request.url.includes('/Media.json') ? jsonResponse(200, { media_list: [] }) : page([resource({ num_media: '1', body: '' })]),
    );
    const message = await (await l.list(credentials, NUMBER, window)).messages[0]!.load();
    expect(message.content).toMatchObject({ type: 'unsupported', reason: 'MediaUrl0 is missing' });
  });

  it('follows next_page_uri on the same host and stops at the first page older than the window', async () => {
    const { fake, lister: l } = lister((_request, index) => {
      if (index === 0) return page([resource({ sid: 'SMa' })], `/2010-04-01/Accounts/${ACCOUNT}/Messages.json?To=x&Page=1&PageToken=PA1`);
      if (index === 1) {
        return page(
          [resource({ sid: 'SMb', date_sent: 'Fri, 27 Nov 2026 11:10:00 +0000' })],
          `/2010-04-01/Accounts/${ACCOUNT}/Messages.json?To=x&Page=2&PageToken=PA2`,
        );
      }
      throw new Error('must not read a third page');
    });

    const listing = await l.list(credentials, NUMBER, window);

    expect(fake.requests.map((r) => r.url)[1]).toBe(`https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Messages.json?To=x&Page=1&PageToken=PA1`);
    // The older one is still listed; the domain applies the window.
    expect(listing).toEqual({ messages: [expect.objectContaining({ externalId: 'SMa' }), expect.objectContaining({ externalId: 'SMb' })], complete: true });
  });

  it('never sends credentials to another host, and says when it stopped at maxPages', async () => {
    const offHost = lister(() => page([resource()], 'https://evil.example/steal'));
    expect((await offHost.lister.list(credentials, NUMBER, window)).complete).toBe(true);
    expect(offHost.fake.requests).toHaveLength(1);

    const endless = lister(() => page([resource()], `/2010-04-01/Accounts/${ACCOUNT}/Messages.json?Page=9`), { maxPages: 2 });
    expect((await endless.lister.list(credentials, NUMBER, window)).complete).toBe(false);
    expect(endless.fake.requests).toHaveLength(2);
  });

  it('falls back to date_created, and ignores a message without any readable date', () => {
    expect(twilioReceivedAt({ date_sent: null, date_created: 'Fri, 27 Nov 2026 11:45:00 +0000' })).toEqual(new Date('2026-11-27T11:45:00Z'));
    expect(twilioReceivedAt({ date_sent: 'nonsense', date_created: null })).toBeUndefined();
  });

  it('classifies failures with the Twilio error table (reads: 429 and 5xx retryable, 401 permanent)', async () => {
    const rateLimited = lister(() => twilioError(429, 20429));
    await expect(rateLimited.lister.list(credentials, NUMBER, window)).rejects.toMatchObject({ kind: 'retryable', code: '20429' });
    const serverError = lister(() => twilioError(500, 20500));
    await expect(serverError.lister.list(credentials, NUMBER, window)).rejects.toMatchObject({ kind: 'retryable' });
    const badToken = lister(() => twilioError(401, 20003, 'Authenticate'));
    const error = await badToken.lister.list(credentials, NUMBER, window).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendFailedError);
    expect(error).toMatchObject({ kind: 'permanent', code: '20003' });
    expect(JSON.stringify(error)).not.toContain(credentials.authToken);
  });
});
