/**
 * Window-expiry flagging: which conversations' 24-hour windows close soon (→ `expiring`, one
 * `window.expiring` event per window) or have closed (→ `closed`), found by querying the few
 * expiry-hour buckets around now on the `byWindowExpiry` index, never by scanning conversations.
 *
 * The `window.expiring` event rides on the conversation's `expiring` mark (its outbox entry, see
 * `outbox.ts`) and the event relay publishes it from the table's stream: a run that dies after the
 * mark cannot lose the event, and there is no mark to undo when a publish fails.
 */
import type { DomainEvent } from './events';
import type { Clock } from './ports';
import { expiryBucketOf, type WindowState } from './window';

const HOUR_MS = 60 * 60 * 1000;

/**
 * How far back a run looks for windows that closed but are not marked `closed` yet. Runs are 5
 * minutes apart; two hours lets the job catch up after a long outage without reading more than
 * the windows that closed in those two hours.
 */
export const CLOSED_LOOKBACK_MS = 2 * HOUR_MS;

/** A conversation as the expiry index returns it. */
export interface WindowCandidate {
  conversationId: string;
  businessId: string;
  connectionId: string;
  /** ISO-8601; the index's sort key. */
  windowExpiresAt: string;
  windowState: WindowState;
  /** The `windowExpiresAt` for which `window.expiring` was already emitted. */
  expiringNotifiedFor?: string;
}

export interface ExpiryQueryRange {
  /** ISO-8601, inclusive. */
  from: string;
  /** ISO-8601, inclusive. */
  to: string;
  /** The hour buckets (`YYYY-MM-DDTHH`) that cover [from, to], oldest first. */
  buckets: string[];
}

/**
 * The hour buckets (`YYYY-MM-DDTHH`, UTC) that cover [from, to].
 * @example expiryBucketsCovering(new Date('2026-11-26T10:55Z'), new Date('2026-11-26T12:05Z'))
 * // ['2026-11-26T10', '2026-11-26T11', '2026-11-26T12']
 */
export function expiryBucketsCovering(from: Date, to: Date): string[] {
  const buckets: string[] = [];
  const start = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS;
  for (let hour = start; hour <= to.getTime(); hour += HOUR_MS) buckets.push(expiryBucketOf(new Date(hour)));
  return buckets;
}

/**
 * What one run reads: windows that close in [now − lookback, now + lead]. With a lead of 60
 * minutes that is 4 hour buckets, each queried with a key condition on `windowExpiresAt`.
 * @example expiryQueryRange(new Date('2026-11-26T12:00Z'), 60 * 60_000).buckets.length // 4
 */
export function expiryQueryRange(now: Date, leadMs: number, lookbackMs: number = CLOSED_LOOKBACK_MS): ExpiryQueryRange {
  const from = new Date(now.getTime() - lookbackMs);
  const to = new Date(now.getTime() + leadMs);
  return { from: from.toISOString(), to: to.toISOString(), buckets: expiryBucketsCovering(from, to) };
}

/**
 * What to do with one conversation now: `closed` once its window has passed (unless already
 * closed), `expiring` while it closes within the lead time and no event was emitted for this very
 * window, otherwise nothing.
 * @example windowTransition({ …, windowExpiresAt: '2026-11-26T12:30:00.000Z', windowState: 'open' }, now12h, 3_600_000) // 'expiring'
 */
export function windowTransition(candidate: WindowCandidate, now: Date, leadMs: number): 'expiring' | 'closed' | undefined {
  const expiresAt = Date.parse(candidate.windowExpiresAt);
  if (Number.isNaN(expiresAt)) return undefined;
  if (expiresAt <= now.getTime()) return candidate.windowState === 'closed' ? undefined : 'closed';
  if (expiresAt <= now.getTime() + leadMs && candidate.expiringNotifiedFor !== candidate.windowExpiresAt) return 'expiring';
  return undefined;
}

/** The expiry index and the conditional updates of the conversation items. */
export interface WindowStore {
  /** Every conversation whose window closes within the range (one query per bucket, paginated). */
  candidates(range: ExpiryQueryRange): Promise<WindowCandidate[]>;
  /**
   * `windowState = 'expiring'`, `expiringNotifiedFor = windowExpiresAt` and `event` as the item's
   * outbox entry, in one write, only if the window is still the one seen and not yet notified.
   * `false` when the condition failed (another run did it, or a customer message moved the
   * window): then nothing is written, the event included.
   */
  markExpiring(candidate: WindowCandidate, at: Date, event: DomainEvent): Promise<boolean>;
  /** `windowState = 'closed'`, only if the window is still the one seen. */
  markClosed(candidate: WindowCandidate, at: Date): Promise<boolean>;
}

export interface FlagWindowsDeps {
  store: WindowStore;
  clock: Clock;
  /** `WINDOW_LEAD_MINUTES`, in milliseconds. */
  leadMs: number;
  /** Conditional updates in flight at once. @default 10 */
  concurrency?: number;
}

export interface FlagWindowsResult {
  /** Conversations the queries returned. */
  read: number;
  /** Windows marked `expiring`, each with its `window.expiring` event in the same write. */
  expiring: number;
  closed: number;
  /** Transitions whose condition failed: already done by another run, or the window moved. */
  skipped: number;
}

/**
 * One run of the window-expiry job. Idempotent: a second run over the same data changes nothing
 * and emits nothing. Each `window.expiring` event is written by the conditional update that marks
 * its window, so two overlapping runs cannot both emit it, and a marked window always has its event.
 * @example
 * const result = await flagWindows({ store, clock, leadMs: 60 * 60_000 });
 */
export async function flagWindows(deps: FlagWindowsDeps): Promise<FlagWindowsResult> {
  const now = deps.clock.now();
  const candidates = await deps.store.candidates(expiryQueryRange(now, deps.leadMs));
  const result: FlagWindowsResult = { read: candidates.length, expiring: 0, closed: 0, skipped: 0 };

  // A failed update does not stop the others: the first error is rethrown once all settled (the
  // run then fails and alarms; the next run redoes what is left).
  const updateError = await forEachLimited(candidates, deps.concurrency ?? 10, async (candidate) => {
    const transition = windowTransition(candidate, now, deps.leadMs);
    if (transition === 'closed') {
      if (await deps.store.markClosed(candidate, now)) result.closed++;
      else result.skipped++;
    } else if (transition === 'expiring') {
      if (await deps.store.markExpiring(candidate, now, expiringEvent(candidate, now))) result.expiring++;
      else result.skipped++;
    }
  });
  if (updateError !== undefined) throw updateError;
  return result;
}

/** The `window.expiring` event of one window. */
export function expiringEvent(candidate: WindowCandidate, at: Date): DomainEvent {
  return {
    detailType: 'window.expiring',
    detail: {
      version: 1,
      businessId: candidate.businessId,
      connectionId: candidate.connectionId,
      conversationId: candidate.conversationId,
      windowExpiresAt: candidate.windowExpiresAt,
      at: at.toISOString(),
    },
  };
}

/** Runs `work` over `items` with at most `limit` in flight; resolves with the first error, if any, after all settle. */
async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<unknown> {
  let next = 0;
  let firstError: unknown;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return firstError;
}
