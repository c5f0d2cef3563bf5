/**
 * Pure formatting for the conversations view: delivery ticks, the 24-hour window countdown, and
 * locale-aware dates. No DOM, so unit tests run it in Node (which ships full ICU).
 */
import type { MessageDeliveryStatus, TestStep, WindowView } from '../../lambdas/domain/admin/contract';

/** The last hour of a customer service window is shown as a warning. */
export const WINDOW_WARNING_MS = 60 * 60 * 1000;

export type TickTone = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface Tick {
  /** What sighted users see. */
  symbol: string;
  /** Dictionary key of the accessible label ("Read", "Delivered"…). */
  label: 'tick.queued' | 'tick.sent' | 'tick.delivered' | 'tick.read' | 'tick.failed' | 'tick.undelivered';
  tone: TickTone;
}

/**
 * The tick an outbound message shows for its delivery status (no status yet: queued).
 * @example tickFor('read') // { symbol: '✓✓', label: 'tick.read', tone: 'read' }
 */
export function tickFor(status: MessageDeliveryStatus | undefined): Tick {
  switch (status) {
    case 'sent':
      return { symbol: '✓', label: 'tick.sent', tone: 'sent' };
    case 'delivered':
      return { symbol: '✓✓', label: 'tick.delivered', tone: 'delivered' };
    case 'read':
      return { symbol: '✓✓', label: 'tick.read', tone: 'read' };
    case 'failed':
      return { symbol: '✗', label: 'tick.failed', tone: 'failed' };
    case 'undelivered':
      return { symbol: '✗', label: 'tick.undelivered', tone: 'failed' };
    case 'queued':
    default:
      return { symbol: '🕓', label: 'tick.queued', tone: 'pending' };
  }
}

export type WindowPhase = 'open' | 'warning' | 'closed' | 'unknown';

/**
 * Where a conversation's 24-hour window stands at `now`: counted from `expiresAt` when the API
 * gave it (so the countdown moves between polls), else from the API's state.
 */
export function windowPhase(window: WindowView, now: number): { phase: WindowPhase; remainingMs?: number } {
  if (window.state === 'closed') return { phase: 'closed' };
  const expiresAt = window.expiresAt ? Date.parse(window.expiresAt) : NaN;
  if (Number.isNaN(expiresAt)) return { phase: window.state === 'expiring' ? 'warning' : 'unknown' };
  const remainingMs = expiresAt - now;
  if (remainingMs <= 0) return { phase: 'closed' };
  return { phase: remainingMs <= WINDOW_WARNING_MS ? 'warning' : 'open', remainingMs };
}

/**
 * A countdown: hours and minutes while more than an hour is left, minutes and seconds in the last hour.
 * @example formatCountdown(5 * 3600_000 + 3 * 60_000) // '5 h 03 min'
 * @example formatCountdown(42 * 60_000 + 7_000) // '42 min 07 s'
 */
export function formatCountdown(ms: number): string {
  const totalSeconds = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours} h ${two(minutes)} min` : `${minutes} min ${two(seconds)} s`;
}

const RELATIVE_UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600_000],
  ['month', 30 * 24 * 3600_000],
  ['week', 7 * 24 * 3600_000],
  ['day', 24 * 3600_000],
  ['hour', 3600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/**
 * "5 minutes ago", "hace 5 minutos", "há 5 minutos"…
 * @example formatRelative(Date.now() - 300_000, Date.now(), 'en') // '5 minutes ago'
 */
export function formatRelative(then: number, now: number, locale: string): string {
  const diff = then - now;
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, size] of RELATIVE_UNITS) {
    if (Math.abs(diff) >= size || unit === 'second') {
      // Under ten seconds reads as "now" rather than a ticking seconds count.
      if (unit === 'second' && Math.abs(diff) < 10_000) return format.format(0, 'second');
      return format.format(Math.trunc(diff / size), unit);
    }
  }
  return format.format(0, 'second');
}

/** Date and time, e.g. `Nov 27, 2026, 3:45 PM` in `en`. */
export function formatDateTime(time: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(time);
}

/** Time of day for a message, with the date only when it is not today. */
export function formatMessageTime(time: number, now: number, locale: string): string {
  const sameDay = new Date(time).toDateString() === new Date(now).toDateString();
  return sameDay
    ? new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }).format(time)
    : new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' }).format(time);
}

/** Dictionary keys of the connection test's step explanations the page says in the reader's language. */
export type StepDetailKey =
  | 'test.detail.skipped'
  | 'test.detail.credentials.ok'
  | 'test.detail.credentials.rejected'
  | 'test.detail.credentials.noAccount'
  | 'test.detail.credentials.inactive'
  | 'test.detail.sender.ok'
  | 'test.detail.sender.sandbox'
  | 'test.detail.sender.notFound'
  | 'test.detail.sender.notOnline'
  | 'test.detail.testMessage.ok';

/**
 * The localized explanation of a test step, from its id, outcome and BSP code; `undefined` for an
 * outcome the page has no words for, which then shows the API's own (English) detail.
 * @example stepDetailKey({ id: 'credentials', ok: false, code: '20003', detail: '…' }) // 'test.detail.credentials.rejected'
 */
export function stepDetailKey(step: Pick<TestStep, 'id' | 'ok' | 'code' | 'skipped'>): StepDetailKey | undefined {
  if (step.skipped) return 'test.detail.skipped';
  const code = step.code ?? '';
  switch (step.id) {
    case 'credentials':
      if (step.ok) return 'test.detail.credentials.ok';
      if (code === '20003') return 'test.detail.credentials.rejected';
      if (code === '20404') return 'test.detail.credentials.noAccount';
      return code.startsWith('ACCOUNT_') ? 'test.detail.credentials.inactive' : undefined;
    case 'sender':
      if (code === 'SANDBOX') return 'test.detail.sender.sandbox';
      if (step.ok) return 'test.detail.sender.ok';
      if (code === 'SENDER_NOT_FOUND') return 'test.detail.sender.notFound';
      return code.startsWith('SENDER_') ? 'test.detail.sender.notOnline' : undefined;
    case 'testMessage':
      return step.ok ? 'test.detail.testMessage.ok' : undefined;
    default:
      return undefined;
  }
}
