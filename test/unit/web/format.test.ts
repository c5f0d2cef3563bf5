import { formatCountdown, formatDateTime, formatMessageTime, formatRelative, stepDetailKey, tickFor, WINDOW_WARNING_MS, windowPhase } from '../../../web/src/format';
import { LOCALES, translate } from '../../../web/src/i18n';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const at = (ms: number) => new Date(NOW + ms).toISOString();

describe('delivery ticks', () => {
  it.each([
    [undefined, '🕓', 'tick.queued', 'pending'],
    ['queued', '🕓', 'tick.queued', 'pending'],
    ['sent', '✓', 'tick.sent', 'sent'],
    ['delivered', '✓✓', 'tick.delivered', 'delivered'],
    ['read', '✓✓', 'tick.read', 'read'],
    ['failed', '✗', 'tick.failed', 'failed'],
    ['undelivered', '✗', 'tick.undelivered', 'failed'],
  ] as const)('%s → %s', (status, symbol, label, tone) => {
    expect(tickFor(status)).toEqual({ symbol, label, tone });
  });

  it('tells read from delivered by its tone (blue), not by the symbol alone', () => {
    expect(tickFor('read').symbol).toBe(tickFor('delivered').symbol);
    expect(tickFor('read').tone).not.toBe(tickFor('delivered').tone);
  });
});

describe('24-hour window', () => {
  it('is open with more than an hour left', () => {
    expect(windowPhase({ state: 'open', expiresAt: at(WINDOW_WARNING_MS + 1000) }, NOW)).toEqual({ phase: 'open', remainingMs: WINDOW_WARNING_MS + 1000 });
  });

  it('warns in the last hour, the threshold included', () => {
    expect(windowPhase({ state: 'open', expiresAt: at(WINDOW_WARNING_MS) }, NOW)).toEqual({ phase: 'warning', remainingMs: WINDOW_WARNING_MS });
    expect(windowPhase({ state: 'expiring', expiresAt: at(59 * 60_000) }, NOW).phase).toBe('warning');
    expect(windowPhase({ state: 'open', expiresAt: at(1000) }, NOW).phase).toBe('warning');
  });

  it('is closed once expired, or when the API says so', () => {
    expect(windowPhase({ state: 'open', expiresAt: at(0) }, NOW)).toEqual({ phase: 'closed' });
    expect(windowPhase({ state: 'open', expiresAt: at(-5000) }, NOW)).toEqual({ phase: 'closed' });
    expect(windowPhase({ state: 'closed' }, NOW)).toEqual({ phase: 'closed' });
    expect(windowPhase({ state: 'closed', expiresAt: at(3_600_000 * 5) }, NOW)).toEqual({ phase: 'closed' });
  });

  it('falls back to the API state without an expiry time', () => {
    expect(windowPhase({ state: 'expiring' }, NOW)).toEqual({ phase: 'warning' });
    expect(windowPhase({ state: 'open' }, NOW)).toEqual({ phase: 'unknown' });
  });

  it('formats the countdown in hours and minutes, then minutes and seconds in the last hour', () => {
    expect(formatCountdown(23 * 3_600_000 + 59 * 60_000 + 59_000)).toBe('23 h 59 min');
    expect(formatCountdown(5 * 3_600_000 + 3 * 60_000)).toBe('5 h 03 min');
    expect(formatCountdown(3_600_000)).toBe('1 h 00 min');
    expect(formatCountdown(3_600_000 - 1000)).toBe('59 min 59 s');
    expect(formatCountdown(42 * 60_000 + 7_000)).toBe('42 min 07 s');
    expect(formatCountdown(999)).toBe('0 min 00 s');
    expect(formatCountdown(-5000)).toBe('0 min 00 s');
  });
});

describe('dates in the chosen locale', () => {
  it('says how long ago, in each language', () => {
    expect(formatRelative(NOW - 5 * 60_000, NOW, 'en')).toBe('5 minutes ago');
    expect(formatRelative(NOW - 5 * 60_000, NOW, 'es')).toBe('hace 5 minutos');
    expect(formatRelative(NOW - 5 * 60_000, NOW, 'pt-BR')).toBe('há 5 minutos');
    expect(formatRelative(NOW - 3 * 3_600_000, NOW, 'en')).toBe('3 hours ago');
    expect(formatRelative(NOW - 2 * 86_400_000, NOW, 'en')).toBe('2 days ago');
    expect(formatRelative(NOW - 3000, NOW, 'en')).toBe('now');
  });

  it('formats date and time with Intl', () => {
    const time = Date.UTC(2026, 10, 27, 15, 45);
    expect(formatDateTime(time, 'en')).toBe(new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(time));
    expect(formatMessageTime(time, time, 'en')).toMatch(/^\d{1,2}:45/);
    expect(formatMessageTime(time, time + 3 * 86_400_000, 'en')).toMatch(/Nov/);
  });
});

describe('stepDetailKey: the connection test explained in the reader language', () => {
  it.each([
    [{ id: 'credentials', ok: true }, 'test.detail.credentials.ok'],
    [{ id: 'credentials', ok: false, code: '20003' }, 'test.detail.credentials.rejected'],
    [{ id: 'credentials', ok: false, code: '20404' }, 'test.detail.credentials.noAccount'],
    [{ id: 'credentials', ok: false, code: 'ACCOUNT_SUSPENDED' }, 'test.detail.credentials.inactive'],
    [{ id: 'sender', ok: true }, 'test.detail.sender.ok'],
    [{ id: 'sender', ok: true, code: 'SANDBOX' }, 'test.detail.sender.sandbox'],
    [{ id: 'sender', ok: false, code: 'SENDER_NOT_FOUND' }, 'test.detail.sender.notFound'],
    [{ id: 'sender', ok: false, code: 'SENDER_PENDING_VERIFICATION' }, 'test.detail.sender.notOnline'],
    [{ id: 'sender', ok: false, skipped: true }, 'test.detail.skipped'],
    [{ id: 'testMessage', ok: true }, 'test.detail.testMessage.ok'],
  ] as const)('%j → %s', (step, key) => {
    expect(stepDetailKey(step)).toBe(key);
    for (const locale of LOCALES) expect(translate(locale, key)).not.toBe('');
  });

  it('has no words for outcomes it cannot name, so the API detail (with its code) shows instead', () => {
    expect(stepDetailKey({ id: 'testMessage', ok: false, code: '63016' })).toBeUndefined();
    expect(stepDetailKey({ id: 'credentials', ok: false, code: '20429' })).toBeUndefined();
  });

  it('says each explanation differently in Spanish and Portuguese than in English', () => {
    const key = stepDetailKey({ id: 'credentials', ok: false, code: '20003' })!;
    expect(new Set(LOCALES.map((locale) => translate(locale, key))).size).toBe(3);
  });
});
