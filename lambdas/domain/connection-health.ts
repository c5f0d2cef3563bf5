import type { ProviderName } from './providers';

/**
 * "Gone quiet": a connection that usually receives messages but has received none for hours. Its
 * webhook may be pointing elsewhere (a number moved in the BSP's console), the BSP may have
 * disabled it, or a signature check may be failing: nothing errors on our side, so only silence
 * tells.
 *
 * The rule, kept simple on purpose: a connection *usually receives* when it received something on
 * each of the `baselineDays` calendar days (UTC) before the day of its last message. It has *gone
 * quiet* when that last message is older than `quietAfterHours`. Silence longer than
 * `maxQuietDays` is no longer reported: by then the operator knows, or the business has stopped.
 *
 * The per-day history (`inboundDays`) is written by this check itself, not by the webhook: each
 * hourly run adds the day of `lastInboundAt` when it is new, so the message path writes nothing
 * more and the connection item changes at most once a day for it. An hourly sample can miss a day
 * whose only messages arrived within an hour before the next day's: that day then breaks the
 * baseline, which can only hide a quiet connection, never invent one.
 */
export interface ConnectionActivity {
  connectionId: string;
  businessId: string;
  provider: ProviderName;
  lastInboundAt?: string;
  /** Days (`YYYY-MM-DD`, UTC) on which the check saw an inbound message, oldest first. */
  inboundDays: string[];
}

export interface QuietRules {
  /** Hours without an inbound message after which a usually busy connection counts as quiet. */
  quietAfterHours: number;
  /** Days in a row with inbound messages that make a connection "usually receiving". */
  baselineDays: number;
  /** Silence longer than this is not reported any more. */
  maxQuietDays: number;
}

export const DEFAULT_QUIET_RULES: QuietRules = { quietAfterHours: 6, baselineDays: 3, maxQuietDays: 7 };

/** How many days of history a connection item keeps (enough for any baseline up to it). */
export const INBOUND_DAYS_KEPT = 14;

const DAY_MS = 86_400_000;

/** The UTC calendar day of an instant. */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * The history with the day of the last inbound message added, or undefined when nothing changes.
 * @example nextInboundDays({ lastInboundAt: '2026-03-02T10:00:00Z', inboundDays: ['2026-03-01'], … }) // ['2026-03-01', '2026-03-02']
 */
export function nextInboundDays(activity: Pick<ConnectionActivity, 'lastInboundAt' | 'inboundDays'>): string[] | undefined {
  if (!activity.lastInboundAt) return undefined;
  const last = new Date(activity.lastInboundAt);
  if (Number.isNaN(last.getTime())) return undefined;
  const day = dayOf(last);
  if (activity.inboundDays.includes(day)) return undefined;
  return [...activity.inboundDays, day].sort().slice(-INBOUND_DAYS_KEPT);
}

/**
 * Whether a connection has gone quiet at `now` (see the module comment for the rule).
 * @example isGoneQuiet({ lastInboundAt: '2026-03-04T01:00:00Z', inboundDays: ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04'], … }, new Date('2026-03-04T09:00:00Z'), DEFAULT_QUIET_RULES) // true
 */
export function isGoneQuiet(activity: Pick<ConnectionActivity, 'lastInboundAt' | 'inboundDays'>, now: Date, rules: QuietRules): boolean {
  if (!activity.lastInboundAt) return false;
  const last = new Date(activity.lastInboundAt);
  if (Number.isNaN(last.getTime())) return false;
  const silentMs = now.getTime() - last.getTime();
  if (silentMs < rules.quietAfterHours * 3_600_000 || silentMs > rules.maxQuietDays * DAY_MS) return false;
  const lastDay = Date.parse(`${dayOf(last)}T00:00:00Z`);
  for (let back = 1; back <= rules.baselineDays; back++) {
    if (!activity.inboundDays.includes(dayOf(new Date(lastDay - back * DAY_MS)))) return false;
  }
  return true;
}

/** Reads and updates the connections' inbound history. */
export interface ConnectionActivityStore {
  /** Every active connection with its `lastInboundAt` and history. */
  listActive(): Promise<ConnectionActivity[]>;
  /** Replaces a connection's history (`inboundDays`). */
  recordInboundDays(connectionId: string, days: string[]): Promise<void>;
}

export interface ConnectionHealthResult {
  checked: number;
  /** Connections whose history gained a day in this run. */
  recorded: number;
  quiet: ConnectionActivity[];
}

/**
 * One run of the check: records the newest inbound day of every active connection, then lists
 * the ones that have gone quiet. The history is updated before the verdict so a connection's
 * baseline includes the day just seen.
 * @example
 * const { quiet } = await checkConnectionHealth({ store, clock, rules: DEFAULT_QUIET_RULES });
 */
export async function checkConnectionHealth(deps: {
  store: ConnectionActivityStore;
  clock: { now(): Date };
  rules: QuietRules;
}): Promise<ConnectionHealthResult> {
  const now = deps.clock.now();
  const connections = await deps.store.listActive();
  let recorded = 0;
  const quiet: ConnectionActivity[] = [];
  for (const connection of connections) {
    const days = nextInboundDays(connection);
    if (days) {
      await deps.store.recordInboundDays(connection.connectionId, days);
      recorded++;
    }
    const current = days ? { ...connection, inboundDays: days } : connection;
    if (isGoneQuiet(current, now, deps.rules)) quiet.push(current);
  }
  return { checked: connections.length, recorded, quiet };
}
