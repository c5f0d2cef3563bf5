import type { ConnectionView } from '../../../lambdas/domain/admin/contract';
import { attentionNotice } from '../../../web/src/attention';
import { connectionHealth } from '../../../web/src/health';
import { LOCALES, translator } from '../../../web/src/i18n';

const AT = '2026-11-26T09:30:00.000Z';
const view = (overrides: Record<string, unknown>): ConnectionView =>
  ({
    businessId: 'b1',
    connectionId: 'cn_1',
    displayNumber: '+15550100001',
    status: 'active',
    verified: true,
    connected: true,
    updatedAt: AT,
    attention: { reason: 'credentials-rejected', code: '190', at: AT },
    provider: 'meta',
    credentials: { phoneNumberId: '1065', wabaId: '1022', accessTokenLast4: 'Zk9Q', appSecretLast4: 'c4d2', verifyToken: 'tok' },
    webhookUrls: { incoming: 'https://x/in' },
    ...overrides,
  }) as ConnectionView;

describe('the status card says why the connection needs its owner', () => {
  it('names the provider, the BSP code and the day, and says to paste new credentials and save', () => {
    // Act
    const notice = attentionNotice(view({}), translator('en'), 'en');

    // Assess
    expect(notice?.reason).toMatch(/^Meta Cloud API rejected this number’s credentials \(code 190\) on Nov 26, 2026.*paste new ones and save\.$/);
    expect(notice?.remedy).toContain('system user token');
  });

  it.each([
    ['twilio', 'Auth Token'],
    ['360dialog', 'API key'],
  ])('tells a %s owner where new credentials come from', (provider, words) => {
    expect(attentionNotice(view({ provider, attention: { reason: 'credentials-rejected', code: '20003', at: AT } }), translator('en'), 'en')?.remedy).toContain(words);
  });

  it('is worded in Spanish and Brazilian Portuguese too, with the date in that language', () => {
    // Act
    const es = attentionNotice(view({}), translator('es'), 'es');
    const pt = attentionNotice(view({}), translator('pt-BR'), 'pt-BR');

    // Assess
    expect(es?.reason).toMatch(/rechazó las credenciales de este número \(código 190\) el 26 nov 2026/);
    expect(pt?.reason).toMatch(/recusou as credenciais deste número \(código 190\) em 26 de nov\. de 2026/);
    for (const locale of LOCALES) expect(attentionNotice(view({}), translator(locale), locale)?.remedy).toMatch(/4/);
  });

  it('says nothing for a connection without the marker, a disconnected one, or no connection', () => {
    const t = translator('en');
    expect(attentionNotice(view({ attention: undefined }), t, 'en')).toBeUndefined();
    expect(attentionNotice(view({ status: 'disabled' }), t, 'en')).toBeUndefined();
    expect(attentionNotice({ businessId: 'b1', status: 'not_connected', connected: false, verified: false }, t, 'en')).toBeUndefined();
  });

  it('makes the dashboard widget say Needs attention even though the last test passed', () => {
    // Act
    const health = connectionHealth(view({ lastTest: { at: AT, ok: true, steps: [] } }));

    // Assess
    expect(health).toEqual({ state: 'attention', label: 'status.needsAttention', reason: 'widget.attention.credentialsRejected' });
  });
});
