import { checkConnectionHealth, DEFAULT_QUIET_RULES, isGoneQuiet, nextInboundDays, type ConnectionActivity, type ConnectionActivityStore } from '../../../lambdas/domain/connection-health';

const busy = (lastInboundAt: string, inboundDays: string[]): Pick<ConnectionActivity, 'lastInboundAt' | 'inboundDays'> => ({ lastInboundAt, inboundDays });
const BASELINE = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04'];

describe('gone quiet', () => {
  it.each([
    ['busy every day, silent 8 h', busy('2026-03-04T01:00:00Z', BASELINE), '2026-03-04T09:00:00Z', true],
    ['busy every day, silent 5 h (under quietAfterHours)', busy('2026-03-04T04:00:00Z', BASELINE), '2026-03-04T09:00:00Z', false],
    ['a day missing from the baseline', busy('2026-03-04T01:00:00Z', ['2026-03-01', '2026-03-03', '2026-03-04']), '2026-03-04T09:00:00Z', false],
    ['never received', { inboundDays: [] }, '2026-03-04T09:00:00Z', false],
    ['silent longer than maxQuietDays', busy('2026-03-04T01:00:00Z', BASELINE), '2026-03-12T09:00:00Z', false],
    ['silent two days: still reported', busy('2026-03-04T01:00:00Z', BASELINE), '2026-03-06T01:00:00Z', true],
  ])('%s → %s', (_name, activity, now, expected) => {
    expect(isGoneQuiet(activity, new Date(now), DEFAULT_QUIET_RULES)).toBe(expected);
  });

  it('adds the day of the last message once, sorted and bounded', () => {
    expect(nextInboundDays(busy('2026-03-05T10:00:00Z', BASELINE))).toEqual([...BASELINE, '2026-03-05']);
    expect(nextInboundDays(busy('2026-03-04T10:00:00Z', BASELINE))).toBeUndefined();
    const long = Array.from({ length: 14 }, (_, i) => `2026-02-${String(i + 10).padStart(2, '0')}`);
    expect(nextInboundDays(busy('2026-03-01T00:00:00Z', long))).toHaveLength(14);
  });

  it('records the new day before judging, and reports only the quiet connection', async () => {
    // Prepare
    const written: Array<[string, string[]]> = [];
    const store: ConnectionActivityStore = {
      listActive: async () => [
        { connectionId: 'quiet', businessId: 'b1', provider: 'twilio', lastInboundAt: '2026-03-04T01:00:00Z', inboundDays: ['2026-03-01', '2026-03-02', '2026-03-03'] },
        { connectionId: 'lively', businessId: 'b2', provider: 'meta', lastInboundAt: '2026-03-04T08:59:00Z', inboundDays: BASELINE },
      ],
      recordInboundDays: async (id, days) => void written.push([id, days]),
    };

    // Act
    const result = await checkConnectionHealth({ store, clock: { now: () => new Date('2026-03-04T09:00:00Z') }, rules: DEFAULT_QUIET_RULES });

    // Assess
    expect(written).toEqual([['quiet', BASELINE]]);
    expect(result.quiet.map((c) => c.connectionId)).toEqual(['quiet']);
    expect(result).toEqual(expect.objectContaining({ checked: 2, recorded: 1 }));
  });
});
