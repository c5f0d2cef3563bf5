import { accountResource, MISSING_PARAMETER, sendersPage } from '../../../local/twilio-simulator/accounts';
import { TwilioApiError } from '../../../local/twilio-simulator/errors';

const ACCOUNT = `AC${'a'.repeat(32)}`;
const BASE = 'http://127.0.0.1:3010';

describe('twilio simulator: account and senders', () => {
  it('describes the account with its status and never its auth token', () => {
    const account = accountResource(ACCOUNT, 'suspended', Date.UTC(2026, 10, 27));
    expect(account).toEqual(expect.objectContaining({ sid: ACCOUNT, status: 'suspended', type: 'Full', date_created: 'Fri, 27 Nov 2026 00:00:00 +0000' }));
    expect(account).not.toHaveProperty('auth_token');
  });

  it('lists WhatsApp senders as whatsapp:+E164, ONLINE, with stable XE sids, paged like Twilio v2 lists', () => {
    const numbers = ['+14155238886', '+5215512345678', '+5511987654321'];
    const first = sendersPage(BASE, ACCOUNT, numbers, new URLSearchParams('Channel=whatsapp&PageSize=2'));
    expect((first.senders as Array<Record<string, unknown>>).map((s) => [s.sender_id, s.status])).toEqual([
      ['whatsapp:+14155238886', 'ONLINE'],
      ['whatsapp:+5215512345678', 'ONLINE'],
    ]);
    expect((first.senders as Array<{ sid: string }>)[0].sid).toMatch(/^XE[0-9a-f]{32}$/);
    const meta = first.meta as { next_page_url: string; key: string };
    expect(meta.key).toBe('senders');
    const second = sendersPage(BASE, ACCOUNT, numbers, new URL(meta.next_page_url).searchParams);
    expect((second.senders as unknown[]).length).toBe(1);
    expect((second.meta as { next_page_url: string | null }).next_page_url).toBeNull();
    expect(sendersPage(BASE, ACCOUNT, numbers, new URLSearchParams('Channel=rcs')).senders).toEqual([]);
  });

  it('requires Channel (400 / 20001)', () => {
    try {
      sendersPage(BASE, ACCOUNT, [], new URLSearchParams());
      throw new Error('expected a TwilioApiError');
    } catch (error) {
      expect(error).toBeInstanceOf(TwilioApiError);
      expect((error as TwilioApiError).code).toBe(MISSING_PARAMETER);
      expect((error as TwilioApiError).status).toBe(400);
    }
  });
});
