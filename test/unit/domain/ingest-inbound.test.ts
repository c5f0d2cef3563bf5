import type { Connection } from '../../../lambdas/domain/connection';
import { ingestInbound, ingestInboundBatch, type IngestInboundDeps } from '../../../lambdas/domain/ingest-inbound';
import type { InboundMessage } from '../../../lambdas/domain/message';
import { MAX_BATCH_TRANSACTION_ITEMS, type RecordInboundResult } from '../../../lambdas/domain/ports';
import { DependencyUnavailableError } from '../../../lambdas/shared/errors';
import { FixedDirectory, RecordingQueue, RecordingStore } from '../../support/fakes';

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

function deps(store: RecordingStore): IngestInboundDeps & { queue: RecordingQueue; connections: FixedDirectory } {
  return {
    store,
    queue: new RecordingQueue(),
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

  it('writes message.received with the message itself (the outbox), so no publish can be lost after the commit', async () => {
    // Prepare
    const store = new RecordingStore();
    const d = deps(store);

    // Act
    const result = await ingestInbound(connection, message, d);

    // Assess: the event the store commits names the very message it stores and enqueues.
    const [record] = store.inbound;
    expect(record!.event).toEqual({
      detailType: 'message.received',
      detail: expect.objectContaining({ version: 1, messageId: result.messageId, conversationId: result.conversationId, externalId: message.externalId }),
    });
    expect(d.queue.sent[0]!.message.messageId).toBe(result.messageId);
  });
});

describe('ingestInboundBatch', () => {
  const from = (customer: number, externalId: string): InboundMessage => ({
    ...message,
    provider: 'meta',
    externalId,
    customer: { id: `+52155000${String(customer).padStart(5, '0')}`, isPhoneNumber: true },
    content: { type: 'text', text: externalId },
  });

  it('stores a batch in transactions of at most 100 items, each conversation whole and in order, enqueued in that order', async () => {
    // Prepare: 60 messages from 40 customers (2 items a message, 1 a conversation: 160 items).
    const store = new RecordingStore();
    const batches = jest.spyOn(store, 'recordInboundBatch');
    const messages = Array.from({ length: 60 }, (_, i) => from(i % 40, `wamid.${String(i).padStart(3, '0')}`));
    const d = deps(store);

    // Act
    const results = await ingestInboundBatch(connection, messages, d);

    // Assess
    expect(results.every((result) => result.outcome === 'stored')).toBe(true);
    expect(batches.mock.calls.length).toBeGreaterThan(1);
    for (const [records] of batches.mock.calls) {
      const conversations = new Set(records.map((record) => record.conversationId));
      expect(2 * records.length + conversations.size).toBeLessThanOrEqual(MAX_BATCH_TRANSACTION_ITEMS);
    }
    const chunkOf = new Map<string, number>();
    batches.mock.calls.forEach(([records], chunk) => records.forEach((record) => chunkOf.set(record.message.externalId, chunk)));
    for (let customer = 0; customer < 20; customer++) {
      // Customers 0..19 wrote twice: both in the same transaction, the earlier id smaller.
      const [a, b] = [`wamid.${String(customer).padStart(3, '0')}`, `wamid.${String(customer + 40).padStart(3, '0')}`];
      expect(chunkOf.get(a)).toBe(chunkOf.get(b));
      const ids = results.filter((_, i) => messages[i]!.customer.id === messages[customer]!.customer.id).map((result) => result.messageId);
      expect([...ids].sort()).toEqual(ids);
      const queuedTexts = d.queue.sent.filter((sent) => sent.message.customer.id === messages[customer]!.customer.id).map((sent) => sent.message.externalId);
      expect(queuedTexts).toEqual([a, b]);
    }
    expect(d.queue.sent).toHaveLength(60);
    // Each stored message carries its own message.received.
    const stored = batches.mock.calls.flatMap(([records]) => records);
    expect(stored.map((record) => (record.event?.detail as { messageId?: string }).messageId)).toEqual(stored.map((record) => record.messageId));
  });

  it('stores a chunk message by message when its transaction is refused (a retried batch), finding each duplicate', async () => {
    // Prepare
    const store = new RecordingStore();
    jest.spyOn(store, 'recordInboundBatch').mockResolvedValue({ outcome: 'conflict' });
    const single = jest
      .spyOn(store, 'recordInbound')
      .mockResolvedValueOnce({ outcome: 'duplicate', conversationId: 'cv_OLD', messageId: '01OLD', receivedAt: '2026-11-26T11:59:00.000Z' })
      .mockResolvedValueOnce({ outcome: 'stored' });
    const d = deps(store);

    // Act
    const results = await ingestInboundBatch(connection, [from(1, 'wamid.old'), from(1, 'wamid.new')], d);

    // Assess
    expect(single).toHaveBeenCalledTimes(2);
    expect(results.map((result) => result.outcome)).toEqual(['duplicate', 'stored']);
    expect(d.queue.sent.map((sent) => sent.message.externalId)).toEqual(['wamid.old', 'wamid.new']);
    expect(d.queue.sent[0]!.message.messageId).toBe('01OLD');
  });

  it('lets the failure through when a stored chunk cannot be enqueued, so the request is retried', async () => {
    // Prepare
    const store = new RecordingStore();
    const d = deps(store);
    d.queue.failWith = new DependencyUnavailableError('SQS down');

    // Act
    const act = ingestInboundBatch(connection, [from(1, 'wamid.1'), from(2, 'wamid.2')], d);

    // Assess
    await expect(act).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});
