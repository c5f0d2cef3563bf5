import { rfc2822, startTwilioSimulator } from '../../../local/twilio-simulator';
import { listMessagesPage, normaliseInbound, type ListableMessage } from '../../../local/twilio-simulator/inbound';
import { TwilioApiError } from '../../../local/twilio-simulator/errors';

const ACCOUNT = `AC${'a'.repeat(32)}`;
const TOKEN = 'f'.repeat(32);
const OURS = 'whatsapp:+14155238886';
let counter = 0;
const sids = { next: (prefix: string) => `${prefix}${String(++counter).padStart(32, '0')}` };

function listable(at: string, overrides: Partial<ListableMessage> = {}): ListableMessage {
  const message = normaliseInbound({ accountSid: ACCOUNT, from: '+5215512345678', to: OURS, body: at, receivedAt: at }, sids, 0);
  return { accountSid: ACCOUNT, to: message.to, from: message.from, at: message.receivedAt, resource: { sid: message.sid, body: at }, ...overrides };
}

describe('twilio simulator: inbound messages and the Message list', () => {
  const all = [
    listable('2026-11-25T23:59:59Z'),
    listable('2026-11-26T00:00:00Z'),
    listable('2026-11-26T12:00:00Z'),
    listable('2026-11-27T08:00:00Z'),
    listable('2026-11-27T09:00:00Z', { to: 'whatsapp:+15550000000' }),
    listable('2026-11-27T10:00:00Z', { accountSid: `AC${'b'.repeat(32)}` }),
  ];
  const bodies = (page: Record<string, unknown>) => (page.messages as Array<{ body: string }>).map((m) => m.body);

  it('filters by To and by DateSent>= (a GMT day, bounds included), newest first, this account only', () => {
    const page = listMessagesPage(all, ACCOUNT, new URLSearchParams([['To', OURS], ['DateSent>', '2026-11-26']]));
    expect(bodies(page)).toEqual(['2026-11-27T08:00:00Z', '2026-11-26T12:00:00Z', '2026-11-26T00:00:00Z']);
    // The raw query Twilio's docs show (`DateSent>=2026-11-26`) is the same pair.
    expect(bodies(listMessagesPage(all, ACCOUNT, new URLSearchParams('To=whatsapp%3A%2B14155238886&DateSent>=2026-11-26')))).toHaveLength(3);
  });

  it('filters by DateSent (that day), DateSent< (on or before) and From; a time part is ignored', () => {
    expect(bodies(listMessagesPage(all, ACCOUNT, new URLSearchParams([['DateSent', '2026-11-26']])))).toEqual(['2026-11-26T12:00:00Z', '2026-11-26T00:00:00Z']);
    expect(bodies(listMessagesPage(all, ACCOUNT, new URLSearchParams([['DateSent<', '2026-11-25T10:00:00Z']])))).toEqual(['2026-11-25T23:59:59Z']);
    expect(bodies(listMessagesPage(all, ACCOUNT, new URLSearchParams([['From', 'whatsapp:+1']])))).toEqual([]);
    expect(() => listMessagesPage(all, ACCOUNT, new URLSearchParams([['DateSent>', 'yesterday']]))).toThrow(TwilioApiError);
  });

  it('pages through next_page_uri with PageSize, keeping the filters', () => {
    const first = listMessagesPage(all, ACCOUNT, new URLSearchParams([['To', OURS], ['PageSize', '2']]));
    expect(bodies(first)).toHaveLength(2);
    const next = first.next_page_uri as string;
    expect(next).toMatch(/^\/2010-04-01\/Accounts\/AC[a]{32}\/Messages\.json\?/);
    const second = listMessagesPage(all, ACCOUNT, new URL(next, 'http://x').searchParams);
    expect(bodies(first)).toEqual(['2026-11-27T08:00:00Z', '2026-11-26T12:00:00Z']);
    expect(bodies(second)).toEqual(['2026-11-26T00:00:00Z', '2026-11-25T23:59:59Z']);
    expect(second.next_page_uri).toBeNull();
    expect(() => listMessagesPage(all, ACCOUNT, new URLSearchParams([['PageSize', '1001']]))).toThrow(TwilioApiError);
  });

  it('serves recorded inbound messages over HTTP with auth: list, fetch, media list, and the control endpoint', async () => {
    const simulator = await startTwilioSimulator({ accounts: { [ACCOUNT]: TOKEN } });
    try {
      const auth = { authorization: `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}` };
      const recorded = simulator.recordInbound({ accountSid: ACCOUNT, from: '+5215512345678', to: '+14155238886', body: 'Hola 👋', media: [{ contentType: 'image/jpeg' }] });
      expect(recorded).toMatchObject({ direction: 'inbound', status: 'received', num_media: '1', from: 'whatsapp:+5215512345678', to: OURS });
      expect(recorded.sid).toMatch(/^MM[0-9a-f]{32}$/);
      const viaControl = await fetch(`${simulator.url}/_simulator/inbound`, {
        method: 'POST',
        body: JSON.stringify({ accountSid: ACCOUNT, from: 'whatsapp:+5215500000000', to: OURS, body: 'otro', receivedAt: Date.now() - 60_000 }),
      });
      expect(viaControl.status).toBe(201);
      expect((await fetch(`${simulator.url}/_simulator/inbound`, { method: 'POST', body: '{}' })).status).toBe(400);

      const list = await fetch(`${simulator.url}/2010-04-01/Accounts/${ACCOUNT}/Messages.json?To=${encodeURIComponent(OURS)}&DateSent%3E=${new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)}`, { headers: auth });
      expect(list.status).toBe(200);
      const page = (await list.json()) as { messages: Array<{ sid: string; body: string; date_sent: string }> };
      expect(page.messages.map((m) => m.body)).toEqual(['Hola 👋', 'otro']);
      expect(page.messages[0]!.date_sent).toBe(rfc2822(Date.parse(page.messages[0]!.date_sent)));

      const media = (await (await fetch(`${simulator.url}/2010-04-01/Accounts/${ACCOUNT}/Messages/${recorded.sid}/Media.json`, { headers: auth })).json()) as {
        media_list: Array<{ content_type: string; uri: string }>;
      };
      expect(media.media_list).toEqual([expect.objectContaining({ content_type: 'image/jpeg', uri: expect.stringMatching(new RegExp(`/Messages/${recorded.sid}/Media/ME[0-9a-f]{32}\\.json$`)) })]);
      expect((await fetch(`${simulator.url}/2010-04-01/Accounts/${ACCOUNT}/Messages/${recorded.sid}.json`, { headers: auth })).status).toBe(200);
      expect((await fetch(`${simulator.url}/2010-04-01/Accounts/${ACCOUNT}/Messages.json`)).status).toBe(401);
      simulator.reset();
      const empty = (await (await fetch(`${simulator.url}/2010-04-01/Accounts/${ACCOUNT}/Messages.json`, { headers: auth })).json()) as { messages: unknown[] };
      expect(empty.messages).toEqual([]);
    } finally {
      await simulator.stop();
    }
  });
});
