import type { DomainEvent } from '../../../lambdas/domain/events';
import {
  expiryBucketsCovering,
  expiryQueryRange,
  flagWindows,
  windowTransition,
  type ExpiryQueryRange,
  type WindowCandidate,
  type WindowStore,
} from '../../../lambdas/domain/window-expiry';
import { createWindowHandler } from '../../../lambdas/handlers/window/handler';
import { silentPowertools } from '../../support/fakes';

const NOW = new Date('2026-11-26T12:00:00.000Z');
const HOUR = 60 * 60_000;
const LEAD = HOUR;

function candidate(id: string, expiresInMs: number, overrides: Partial<WindowCandidate> = {}): WindowCandidate {
  return {
    conversationId: id,
    businessId: 'acme',
    connectionId: 'conn1',
    windowExpiresAt: new Date(NOW.getTime() + expiresInMs).toISOString(),
    windowState: 'open',
    ...overrides,
  };
}

/** An in-memory store with the same conditions as the DynamoDB one; a mark keeps its event as the item's outbox entry. */
class MemoryWindowStore implements WindowStore {
  readonly items = new Map<string, WindowCandidate & { outbox?: DomainEvent }>();
  /** Every event a successful mark wrote, in order: what the relay would publish. */
  readonly outboxWrites: DomainEvent[] = [];
  readonly ranges: ExpiryQueryRange[] = [];
  constructor(candidates: WindowCandidate[]) {
    for (const c of candidates) this.items.set(c.conversationId, { ...c });
  }
  async candidates(range: ExpiryQueryRange): Promise<WindowCandidate[]> {
    this.ranges.push(range);
    return [...this.items.values()].filter((c) => c.windowExpiresAt >= range.from && c.windowExpiresAt <= range.to).map((c) => ({ ...c }));
  }
  async markExpiring(c: WindowCandidate, _at: Date, event: DomainEvent): Promise<boolean> {
    const item = this.items.get(c.conversationId);
    if (!item || item.windowExpiresAt !== c.windowExpiresAt || item.windowState === 'closed' || item.expiringNotifiedFor === c.windowExpiresAt) return false;
    item.windowState = 'expiring';
    item.expiringNotifiedFor = c.windowExpiresAt;
    item.outbox = event;
    this.outboxWrites.push(event);
    return true;
  }
  async markClosed(c: WindowCandidate): Promise<boolean> {
    const item = this.items.get(c.conversationId);
    if (!item || item.windowExpiresAt !== c.windowExpiresAt) return false;
    item.windowState = 'closed';
    return true;
  }
}

describe('expiry buckets', () => {
  it('covers every hour the range touches, and only those', () => {
    expect(expiryBucketsCovering(new Date('2026-11-26T10:55:00Z'), new Date('2026-11-26T12:05:00Z'))).toEqual([
      '2026-11-26T10',
      '2026-11-26T11',
      '2026-11-26T12',
    ]);
  });

  it('reads [now − 2 h, now + lead]: four buckets with a 60-minute lead on the hour', () => {
    expect(expiryQueryRange(NOW, LEAD)).toEqual({
      from: '2026-11-26T10:00:00.000Z',
      to: '2026-11-26T13:00:00.000Z',
      buckets: ['2026-11-26T10', '2026-11-26T11', '2026-11-26T12', '2026-11-26T13'],
    });
  });

  it('crosses midnight', () => {
    expect(expiryQueryRange(new Date('2026-11-26T23:30:00Z'), LEAD).buckets).toEqual(['2026-11-26T21', '2026-11-26T22', '2026-11-26T23', '2026-11-27T00']);
  });
});

describe('windowTransition', () => {
  it.each([
    ['closes within the lead, open', candidate('a', 30 * 60_000), 'expiring'],
    ['closes exactly at the lead', candidate('a', LEAD), 'expiring'],
    ['closes after the lead', candidate('a', LEAD + 1), undefined],
    ['already notified for this window', candidate('a', 30 * 60_000, { windowState: 'expiring', expiringNotifiedFor: new Date(NOW.getTime() + 30 * 60_000).toISOString() }), undefined],
    ['notified for an earlier window', candidate('a', 30 * 60_000, { windowState: 'expiring', expiringNotifiedFor: '2026-11-25T12:30:00.000Z' }), 'expiring'],
    ['passed, open', candidate('a', -1), 'closed'],
    ['passed, expiring', candidate('a', -60_000, { windowState: 'expiring' }), 'closed'],
    ['passed, already closed', candidate('a', -60_000, { windowState: 'closed' }), undefined],
  ])('%s → %s', (_case, c, expected) => {
    expect(windowTransition(c, NOW, LEAD)).toBe(expected);
  });
});

describe('flagWindows', () => {
  it('marks expiring and closed windows, writes one event on each expiring window with its mark, and nothing on a second run', async () => {
    // Prepare
    const store = new MemoryWindowStore([candidate('soon', 10 * 60_000), candidate('later', 5 * HOUR), candidate('gone', -10 * 60_000)]);
    const deps = { store, clock: { now: () => NOW }, leadMs: LEAD };

    // Act
    const first = await flagWindows(deps);
    const second = await flagWindows(deps);

    // Assess
    expect(first).toEqual({ read: 2, expiring: 1, closed: 1, skipped: 0 });
    expect(second).toEqual({ read: 2, expiring: 0, closed: 0, skipped: 0 });
    expect(store.items.get('soon')?.outbox).toEqual<DomainEvent>({
      detailType: 'window.expiring',
      detail: { version: 1, businessId: 'acme', connectionId: 'conn1', conversationId: 'soon', windowExpiresAt: '2026-11-26T12:10:00.000Z', at: NOW.toISOString() },
    });
    expect(store.outboxWrites).toHaveLength(1);
    expect(store.items.get('soon')?.windowState).toBe('expiring');
    expect(store.items.get('gone')?.windowState).toBe('closed');
    expect(store.items.get('gone')?.outbox).toBeUndefined();
    expect(store.items.get('later')?.windowState).toBe('open');
    expect(store.items.get('later')?.outbox).toBeUndefined();
  });

  it('writes no event for a window a customer message moved since the index was read (condition fails)', async () => {
    // Prepare
    const store = new MemoryWindowStore([candidate('moved', 10 * 60_000)]);
    const original = store.candidates.bind(store);
    store.candidates = async (range) => {
      const found = await original(range);
      store.items.get('moved')!.windowExpiresAt = new Date(NOW.getTime() + 24 * HOUR).toISOString();
      return found;
    };

    // Act
    const result = await flagWindows({ store, clock: { now: () => NOW }, leadMs: LEAD });

    // Assess
    expect(result).toEqual(expect.objectContaining({ expiring: 0, skipped: 1 }));
    expect(store.outboxWrites).toEqual([]);
    expect(store.items.get('moved')?.outbox).toBeUndefined();
  });

  it('announces a window once when two runs overlap: only the run whose mark applied writes the event', async () => {
    // Prepare
    const store = new MemoryWindowStore([candidate('soon', 10 * 60_000)]);
    const deps = { store, clock: { now: () => NOW }, leadMs: LEAD };

    // Act
    const [a, b] = await Promise.all([flagWindows(deps), flagWindows(deps)]);

    // Assess
    expect(a.expiring + b.expiring).toBe(1);
    expect(a.skipped + b.skipped).toBe(1);
    expect(store.outboxWrites).toHaveLength(1);
  });

  it('marks the other windows (with their events) when one update failed, then fails the run', async () => {
    // Prepare
    const store = new MemoryWindowStore([candidate('soon', 10 * 60_000), candidate('gone', -60_000)]);
    store.markClosed = async () => {
      throw new Error('DynamoDB down');
    };

    // Act
    const run = flagWindows({ store, clock: { now: () => NOW }, leadMs: LEAD });

    // Assess
    await expect(run).rejects.toThrow('DynamoDB down');
    expect(store.items.get('soon')?.outbox?.detailType).toBe('window.expiring');
  });
});

describe('window handler', () => {
  it('runs the job with the configured lead and reports the items its queries read', async () => {
    // Prepare
    const store = Object.assign(new MemoryWindowStore([candidate('soon', 10 * 60_000)]), {
      stats: { queries: 0, scannedCount: 0, consumedCapacityUnits: 0 },
    });
    const handler = createWindowHandler({ store, clock: { now: () => NOW }, ...silentPowertools(), config: { leadMs: 2 * HOUR } });

    // Act
    const result = await handler();

    // Assess
    expect(result.expiring).toBe(1);
    expect(store.ranges[0]?.to).toBe('2026-11-26T14:00:00.000Z');
  });
});
