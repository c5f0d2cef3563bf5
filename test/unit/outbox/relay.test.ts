import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { DomainEvent } from '../../../lambdas/domain/events';
import { eventIdOf, outboxChange, outboxEntryOf, type OutboxEntry } from '../../../lambdas/domain/outbox';
import { relayOutbox, type OutboxPublisher, type OutboxRecord } from '../../../lambdas/domain/outbox-relay';
import { createEventRelayHandler } from '../../../lambdas/handlers/event-relay/handler';
import { silentPowertools } from '../../support/fakes';

function statusEvent(messageId: string, status: 'sent' | 'delivered' | 'read' = 'sent'): DomainEvent {
  return {
    detailType: 'message.status',
    detail: { version: 1, connectionId: 'c1', conversationId: 'cv1', messageId, provider: 'twilio', externalId: `SM${messageId}`, status, at: '2026-11-26T12:00:00.000Z' },
  };
}

/** A stream record of a write that set `entry` (or left the item's `before` entry alone). */
function record(position: number, entry: OutboxEntry | undefined, before?: OutboxEntry): OutboxRecord {
  return { position: String(position), newImage: entry && { outbox: entry }, oldImage: before && { outbox: before } };
}

/** Accepts everything except the entries whose ids it is told to refuse, and records each call. */
class FakePublisher implements OutboxPublisher {
  readonly calls: OutboxEntry[][] = [];
  refuse = new Set<string>();
  failCall?: (entries: OutboxEntry[]) => boolean;
  async publish(entries: OutboxEntry[]): Promise<{ failed: number[] }> {
    this.calls.push(entries);
    if (this.failCall?.(entries)) throw new Error('EventBridge unavailable');
    return { failed: entries.flatMap((entry, index) => (this.refuse.has(entry.id) ? [index] : [])) };
  }
}

describe('outbox entries', () => {
  it('carry a stable event id in the entry and in the detail', () => {
    const entry = outboxEntryOf(statusEvent('m1', 'read'));

    expect(entry.id).toBe('message.status/m1/read');
    expect(JSON.parse(entry.detail)).toEqual(expect.objectContaining({ eventId: 'message.status/m1/read', status: 'read' }));
    expect(outboxEntryOf(statusEvent('m1', 'read'))).toEqual(entry);
    expect(eventIdOf(statusEvent('m1', 'delivered'))).not.toBe(entry.id);
  });

  it('publish only a new entry: not a write that left the attribute alone, not a damaged value', () => {
    const a = outboxEntryOf(statusEvent('m1', 'sent'));
    const b = outboxEntryOf(statusEvent('m1', 'delivered'));

    expect(outboxChange({ outbox: a }, undefined)).toEqual(a);
    expect(outboxChange({ outbox: b }, { outbox: a })).toEqual(b);
    expect(outboxChange({ outbox: a, other: 1 }, { outbox: a })).toBeUndefined();
    expect(outboxChange({ outbox: { id: 'x' } }, undefined)).toBeUndefined();
    expect(outboxChange(undefined, { outbox: a })).toBeUndefined();
  });
});

describe('relayOutbox', () => {
  it('publishes the new entries 10 per call and skips records whose write did not touch the outbox', async () => {
    // Prepare: 23 new entries, 2 later writes that kept theirs.
    const records = Array.from({ length: 23 }, (_, i) => record(i + 1, outboxEntryOf(statusEvent(`m${i}`))));
    const kept = outboxEntryOf(statusEvent('m0'));
    records.push(record(24, kept, kept), record(25, kept, kept));
    const publisher = new FakePublisher();

    // Act
    const result = await relayOutbox(records, { publisher });

    // Assess
    expect(publisher.calls.map((call) => call.length).sort((a, b) => b - a)).toEqual([10, 10, 3]);
    expect(result).toEqual({ published: 23, skipped: 2, failed: 0 });
  });

  it('resumes from the first record whose event was refused or whose call failed', async () => {
    // Prepare: record 4's entry is refused; the call carrying records 11..20 fails as a whole.
    const records = Array.from({ length: 20 }, (_, i) => record(i + 1, outboxEntryOf(statusEvent(`m${i + 1}`))));
    const publisher = new FakePublisher();
    publisher.refuse.add(eventIdOf(statusEvent('m4')));
    publisher.failCall = (entries) => entries.some((entry) => entry.id === eventIdOf(statusEvent('m15')));
    const errors: number[] = [];

    // Act
    const result = await relayOutbox(records, { publisher, onPublishError: (_error, count) => errors.push(count) });

    // Assess
    expect(result).toEqual({ published: 9, skipped: 0, failed: 11, retryFrom: '4' });
    expect(errors).toEqual([10]);
  });
});

describe('event relay handler', () => {
  function streamRecord(sequence: string, entry?: OutboxEntry, before?: OutboxEntry): DynamoDBRecord {
    const image = (value?: OutboxEntry) => (value ? (marshall({ conversationId: 'cv1', messageId: 'm', outbox: value }) as never) : undefined);
    return {
      eventName: before ? 'MODIFY' : 'INSERT',
      eventSource: 'aws:dynamodb',
      dynamodb: { SequenceNumber: sequence, Keys: {}, NewImage: image(entry), OldImage: image(before), StreamViewType: 'NEW_AND_OLD_IMAGES' },
    };
  }

  it('answers the sequence number of the first record to retry, and nothing when all went out', async () => {
    // Prepare
    const publisher = new FakePublisher();
    const handler = createEventRelayHandler({ publisher, ...silentPowertools() });
    const first = outboxEntryOf(statusEvent('m1'));
    const second = outboxEntryOf(statusEvent('m2'));
    const event: DynamoDBStreamEvent = { Records: [streamRecord('100', first), streamRecord('101', second, first), streamRecord('102', second, second)] };

    // Act
    const allOut = await handler(event);
    publisher.refuse.add(second.id);
    const partial = await handler(event);

    // Assess: the published details are the stored JSON, byte for byte.
    expect(allOut).toEqual({ batchItemFailures: [] });
    expect(partial).toEqual({ batchItemFailures: [{ itemIdentifier: '101' }] });
    expect(publisher.calls[0]).toEqual([first, second]);
  });
});
