import type { ConnectionView } from '../../../lambdas/domain/admin/contract';
import { connectionHealth } from '../../../web/src/health';
import { STATUS_TEXTS, statusText } from '../../../web/src/i18n-status';
import { dictionaries, LOCALES, translate, type MessageKey } from '../../../web/src/i18n';

const base = { businessId: 'b1', connectionId: 'cn_1', updatedAt: '2026-11-27T12:00:00Z', displayNumber: '+14155238886' };
const twilio = (overrides: Record<string, unknown> = {}): ConnectionView =>
  ({
    ...base,
    provider: 'twilio',
    status: 'active',
    verified: true,
    connected: true,
    credentials: { accountSid: 'AC1', authTokenLast4: '9f3a' },
    webhookUrls: { incoming: 'https://x/in', statusCallback: 'https://x/in/status', fallback: 'https://x/in/fallback' },
    ...overrides,
  }) as ConnectionView;

describe('connectionHealth: three words for the dashboard', () => {
  it('is Not connected without a connection', () => {
    expect(connectionHealth(undefined)).toEqual({ state: 'not-connected', label: 'status.notConnected' });
    expect(connectionHealth({ businessId: 'b1', status: 'not_connected', connected: false, verified: false })).toEqual({ state: 'not-connected', label: 'status.notConnected' });
  });

  it('is Connected when the saved connection passed its test', () => {
    expect(connectionHealth(twilio({ lastTest: { at: base.updatedAt, ok: true, steps: [] } }))).toEqual({ state: 'connected', label: 'status.connected' });
  });

  it.each([
    ['switched off', { status: 'disabled', connected: false }, 'widget.attention.disabled'],
    ['saved, never tested', { verified: false, connected: false }, 'widget.attention.unverified'],
    ['the last test failed', { lastTest: { at: base.updatedAt, ok: false, steps: [] } }, 'widget.attention.testFailed'],
    ['the BSP refused our webhook', { setup: { at: base.updatedAt, ok: false, detail: 'refused' } }, 'widget.attention.webhook'],
    ['a RED quality rating', { facts: { qualityRating: 'RED' } }, 'widget.attention.quality'],
  ])('Needs attention when %s, saying why', (_, overrides, reason) => {
    expect(connectionHealth(twilio(overrides))).toEqual({ state: 'attention', label: 'status.needsAttention', reason });
  });

  it('stays Connected with a YELLOW rating or a webhook registered fine', () => {
    expect(connectionHealth(twilio({ facts: { qualityRating: 'YELLOW' }, setup: { at: base.updatedAt, ok: true, detail: 'ok' } })).state).toBe('connected');
  });
});

describe('status texts shared by the page and the widget', () => {
  it('are the same words in the page dictionary, in every language', () => {
    for (const key of Object.keys(STATUS_TEXTS) as Array<keyof typeof STATUS_TEXTS>) {
      for (const locale of LOCALES) {
        expect(statusText(locale, key)).toBe(translate(locale, key as MessageKey));
        expect(dictionaries[locale][key as MessageKey].trim()).not.toBe('');
      }
    }
    expect(statusText('es', 'status.needsAttention')).toBe('Requiere atención');
  });
});
