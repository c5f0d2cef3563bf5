import type { Connection } from '../../../lambdas/domain/connection';
import type { InboundMessage, ProviderName } from '../../../lambdas/domain/message';
import type { InboundRecord, MessageStore, RecordInboundResult, StatusChangeResult } from '../../../lambdas/domain/ports';
import {
  reconcileInbound,
  type IngestedMessageIndex,
  type InboundMessageSource,
  type ListedInboundMessage,
} from '../../../lambdas/domain/reconcile-inbound';
import { FixedDirectory, RecordingEvents, RecordingQueue } from '../../support/fakes';

const NOW = new Date('2026-11-27T12:00:00Z');
const MINUTE = 60_000;

const connection: Connection = {
  connectionId: 'cn1',
  businessId: 'biz',
  provider: 'twilio',
  status: 'active',
  displayNumber: '+14155238886',
  secretArn: 'arn',
};

function inbound(externalId: string, text = `text of ${externalId}`): InboundMessage {
  return {
    provider: 'twilio',
    externalId,
    accountId: 'AC1',
    to: connection.displayNumber,
    customer: { id: '+5215512345678', isPhoneNumber: true },
    content: { type: 'text', text },
  };
}

/** A dedupe table in memory: the store writes it, the index reads it, both count their calls. */
class MemoryDedupe implements MessageStore, IngestedMessageIndex {
  readonly keys = new Set<string>();
  readonly writes: InboundRecord[] = [];
  reads = 0;
  failFor = new Set<string>();
  async existing(provider: ProviderName, externalIds: string[]): Promise<Set<string>> {
    this.reads += 1;
    return new Set(externalIds.filter((id) => this.keys.has(`${provider}#${id}`)));
  }
  async recordInbound(record: InboundRecord): Promise<RecordInboundResult> {
    if (this.failFor.has(record.message.externalId)) throw new Error('DynamoDB unavailable');
    const key = `${record.message.provider}#${record.message.externalId}`;
    if (this.keys.has(key)) {
      return { outcome: 'duplicate', conversationId: record.conversationId, messageId: 'old', receivedAt: 'old' };
    }
    this.keys.add(key);
    this.writes.push(record);
    return { outcome: 'stored' };
  }
  async recordInboundBatch(): Promise<{ outcome: 'stored' | 'conflict' }> {
    throw new Error('not used: the reconciler ingests one message at a time');
  }
  async applyStatus(): Promise<StatusChangeResult> {
    throw new Error('not used');
  }
}

function listed(externalId: string, minutesAgo: number, message: InboundMessage = inbound(externalId)): ListedInboundMessage & { loads: number } {
  const entry = {
    externalId,
    receivedAt: new Date(NOW.getTime() - minutesAgo * MINUTE),
    loads: 0,
    async load() {
      entry.loads += 1;
      return message;
    },
  };
  return entry;
}

function source(messages: ListedInboundMessage[], complete = true): InboundMessageSource & { windows: Array<{ since: Date; until: Date }> } {
  const windows: Array<{ since: Date; until: Date }> = [];
  return {
    windows,
    async list(window) {
      windows.push(window);
      return { messages, complete };
    },
  };
}

function setup() {
  const dedupe = new MemoryDedupe();
  const queue = new RecordingQueue();
  const events = new RecordingEvents();
  const failures: string[] = [];
  const deps = {
    store: dedupe,
    index: dedupe,
    queue,
    events,
    connections: new FixedDirectory([connection]),
    clock: { now: () => NOW },
    dedupeTtlMs: 14 * 24 * 60 * MINUTE,
    lookbackMs: 30 * MINUTE,
    settleMs: 2 * MINUTE,
    onMessageFailed: (externalId: string) => failures.push(externalId),
  };
  return { dedupe, queue, events, deps, failures };
}

describe('reconcileInbound', () => {
  it('ingests and queues only the messages without a dedupe item', async () => {
    // Prepare
    const { dedupe, queue, deps } = setup();
    dedupe.keys.add('twilio#SM_stored');
    const stored = listed('SM_stored', 10);
    const missing = listed('SM_missing', 5, inbound('SM_missing', 'Hola 👋🏽 ¿qué tal? 日本語'));

    // Act
    const result = await reconcileInbound(connection, source([stored, missing]), deps);

    // Assess
    expect(result).toMatchObject({ listed: 2, skipped: 0, alreadyStored: 1, ingested: 1, failed: 0, complete: true });
    expect(stored.loads).toBe(0);
    expect(dedupe.writes.map((record) => record.message.externalId)).toEqual(['SM_missing']);
    expect(queue.sent).toHaveLength(1);
    expect(queue.sent[0]!.message).toMatchObject({ externalId: 'SM_missing', content: { type: 'text', text: 'Hola 👋🏽 ¿qué tal? 日本語' } });
  });

  it('makes one existence read and no write at all when every message is already stored', async () => {
    const { dedupe, queue, events, deps } = setup();
    const all = ['SM1', 'SM2', 'SM3'].map((id, i) => listed(id, 5 + i));
    for (const entry of all) dedupe.keys.add(`twilio#${entry.externalId}`);

    const result = await reconcileInbound(connection, source(all), deps);

    expect(result).toMatchObject({ listed: 3, alreadyStored: 3, ingested: 0, failed: 0 });
    expect(dedupe.reads).toBe(1);
    expect(dedupe.writes).toEqual([]);
    expect(queue.sent).toEqual([]);
    expect(events.published).toEqual([]);
    expect(all.every((entry) => entry.loads === 0)).toBe(true);
  });

  it('asks for [now - look-back, now - settle] and keeps only what lies inside, bounds included', async () => {
    const { deps, dedupe } = setup();
    const src = source([
      listed('SM_at_since', 30),
      listed('SM_too_old', 30.001),
      listed('SM_at_until', 2),
      listed('SM_too_new', 1.999),
      listed('SM_inside', 15),
    ]);

    const result = await reconcileInbound(connection, src, deps);

    expect(src.windows).toEqual([{ since: new Date('2026-11-27T11:30:00Z'), until: new Date('2026-11-27T11:58:00Z') }]);
    expect(result).toMatchObject({ listed: 5, skipped: 2, ingested: 3 });
    expect(dedupe.writes.map((record) => record.message.externalId).sort()).toEqual(['SM_at_since', 'SM_at_until', 'SM_inside']);
  });

  it('does not check existence at all when nothing lies in the window', async () => {
    const { deps, dedupe } = setup();
    const result = await reconcileInbound(connection, source([listed('SM_old', 45)]), deps);
    expect(result).toMatchObject({ listed: 1, skipped: 1, ingested: 0 });
    expect(dedupe.reads).toBe(0);
  });

  it('goes on after a message that fails, and reports it', async () => {
    const { deps, dedupe, queue, failures } = setup();
    dedupe.failFor.add('SM_bad');
    const broken = listed('SM_broken_load', 12);
    broken.load = async () => {
      throw new Error('media list unavailable');
    };

    const result = await reconcileInbound(connection, source([listed('SM_bad', 10), broken, listed('SM_good', 8)]), deps);

    expect(result).toMatchObject({ ingested: 1, failed: 2 });
    expect(failures.sort()).toEqual(['SM_bad', 'SM_broken_load']);
    expect(queue.sent.map((sent) => sent.message.externalId)).toEqual(['SM_good']);
  });

  it('stores each missed message at the time the BSP received it, oldest first', async () => {
    const { deps, dedupe, queue } = setup();

    await reconcileInbound(connection, source([listed('SM_newer', 4), listed('SM_older', 20)]), deps);

    expect(dedupe.writes.map((record) => [record.message.externalId, record.receivedAt.toISOString()])).toEqual([
      ['SM_older', '2026-11-27T11:40:00.000Z'],
      ['SM_newer', '2026-11-27T11:56:00.000Z'],
    ]);
    expect(queue.sent.map((sent) => sent.message.receivedAt)).toEqual(['2026-11-27T11:40:00.000Z', '2026-11-27T11:56:00.000Z']);
  });

  it('counts a message the webhook stored meanwhile (a duplicate at ingestion) as already stored', async () => {
    const { deps, dedupe } = setup();
    const racing = listed('SM_race', 5);
    racing.load = async () => {
      dedupe.keys.add('twilio#SM_race'); // the webhook wins between the existence check and the write
      return inbound('SM_race');
    };

    const result = await reconcileInbound(connection, source([racing]), deps);

    expect(result).toMatchObject({ alreadyStored: 1, ingested: 0, failed: 0 });
  });

  it('skips a message that is not addressed to the connection number', async () => {
    const { deps, dedupe } = setup();
    const other = listed('SM_other', 5, { ...inbound('SM_other'), to: '+15550000000' });

    const result = await reconcileInbound(connection, source([other]), deps);

    expect(result).toMatchObject({ skipped: 1, ingested: 0 });
    expect(dedupe.writes).toEqual([]);
  });

  it('reports an incomplete listing and lets a failing existence check fail the connection', async () => {
    const { deps } = setup();
    expect((await reconcileInbound(connection, source([], false), deps)).complete).toBe(false);

    const failing = { ...deps, index: { existing: async () => Promise.reject(new Error('throttled')) } };
    await expect(reconcileInbound(connection, source([listed('SM1', 5)]), failing)).rejects.toThrow('throttled');
  });
});
