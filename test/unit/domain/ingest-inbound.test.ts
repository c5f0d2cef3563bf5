import type { Connection } from '../../../lambdas/domain/connection';
import { ingestInbound, type IngestInboundDeps } from '../../../lambdas/domain/ingest-inbound';
import type { InboundMessage } from '../../../lambdas/domain/message';
import type { RecordInboundResult } from '../../../lambdas/domain/ports';
import { FixedDirectory, RecordingEvents, RecordingQueue, RecordingStore } from '../../support/fakes';

const connection: Connection = {
  connectionId: 'demo',
  businessId: 'biz',
  provider: 'twilio',
  status: 'active',
  displayNumber: '+14155238886',
  secretArn: 'arn',
};

const message: InboundMessage = {
  provider: 'twilio',
  externalId: 'SM1',
  accountId: 'AC1',
  to: '+14155238886',
  customer: { id: '+5215512345678', isPhoneNumber: true, profileName: 'Ana' },
  content: { type: 'text', text: 'Hola' },
};

function deps(store: RecordingStore): IngestInboundDeps & { queue: RecordingQueue; events: RecordingEvents; connections: FixedDirectory } {
  return {
    store,
    queue: new RecordingQueue(),
    events: new RecordingEvents(),
    connections: new FixedDirectory([connection]),
    clock: { now: () => new Date('2026-11-26T12:00:00Z') },
    dedupeTtlMs: 1000,
  };
}

describe('ingestInbound', () => {
  it('enqueues a replay with the ids stored the first time, under the same deduplication id', async () => {
    // Prepare
    const store = new RecordingStore();
    const first = deps(store);
    const original = await ingestInbound(connection, message, first);
    const stored: RecordInboundResult = {
      outcome: 'duplicate',
      conversationId: original.conversationId,
      messageId: original.messageId,
      receivedAt: '2026-11-26T12:00:00.000Z',
    };
    jest.spyOn(store, 'recordInbound').mockResolvedValueOnce(stored);
    const replay = deps(store);

    // Act
    const result = await ingestInbound(connection, message, { ...replay, clock: { now: () => new Date('2026-11-26T12:05:00Z') } });

    // Assess
    expect(result).toEqual({ outcome: 'duplicate', conversationId: original.conversationId, messageId: original.messageId });
    expect(replay.queue.sent[0]).toEqual(first.queue.sent[0]);
    expect(replay.connections.touched).toHaveLength(0);
  });

  it('does not enqueue when the store fails', async () => {
    const store = new RecordingStore();
    store.failWith = new Error('down');
    const d = deps(store);
    await expect(ingestInbound(connection, message, d)).rejects.toThrow('down');
    expect(d.queue.sent).toHaveLength(0);
  });

  it('reports but survives an event bus failure', async () => {
    const d = deps(new RecordingStore());
    d.events.failWith = new Error('bus down');
    const failures: unknown[] = [];
    const result = await ingestInbound(connection, message, { ...d, onEventPublishFailed: (e) => failures.push(e) });
    expect(result.outcome).toBe('stored');
    expect(failures).toHaveLength(1);
    expect(d.queue.sent).toHaveLength(1);
  });
});
