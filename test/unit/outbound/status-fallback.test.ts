import { applyStatus, type StatusFallbackDeps } from '../../../lambdas/domain/apply-status';
import type { Connection } from '../../../lambdas/domain/connection';
import { conversationIdFor } from '../../../lambdas/domain/ids';
import type { StatusUpdate } from '../../../lambdas/domain/message';
import type { OutboundMessage } from '../../../lambdas/domain/outbound/contract';
import type { OutboundMessageItem, OutboundQueue, PendingOptions } from '../../../lambdas/domain/outbound/ports';
import type { StatusChangeResult } from '../../../lambdas/domain/ports';
import { createWebhookHandler } from '../../../lambdas/handlers/webhook/handler';
import { contentClassOf, twilioFailureKind } from '../../../lambdas/providers/whatsapp/twilio/send/errors';
import { TwilioWebhookCodec } from '../../../lambdas/providers/whatsapp/twilio';
import { CachedCredentials, FixedDirectory, RecordingEvents, RecordingQueue, RecordingStore, silentPowertools } from '../../support/fakes';
import { signedTwilioEvent, statusFields } from '../../support/twilio-webhook';

const connection: Connection = {
  connectionId: 'conn1',
  businessId: 'acme',
  provider: 'twilio',
  status: 'active',
  displayNumber: '+14155238886',
  secretArn: 'arn:secret:conn1',
};
const CONVERSATION = conversationIdFor('conn1', '+5215512345678');
const KEY = { conversationId: CONVERSATION, messageId: '01JDMESSAGE0000000000000001' };

function sentMessage(overrides: Partial<OutboundMessageItem> = {}): OutboundMessageItem {
  return {
    ...KEY,
    direction: 'outbound',
    businessId: 'acme',
    connectionId: 'conn1',
    provider: 'twilio',
    customerId: '+5215512345678',
    idempotencyKey: 'reply-1',
    content: { type: 'text', text: 'Hola' },
    type: 'text',
    deliveryStatus: 'failed',
    deliveryStatusRank: 90,
    sendState: 'accepted',
    attempts: 1,
    externalId: 'SM1',
    createdAt: '2026-11-26T12:00:00Z',
    updatedAt: '2026-11-26T12:00:00Z',
    ...overrides,
  };
}

class Recorder implements OutboundQueue {
  readonly enqueued: Array<{ message: OutboundMessage; groupId: string }> = [];
  readonly options: PendingOptions[] = [];
  async enqueue(message: OutboundMessage, groupId: string): Promise<void> {
    this.enqueued.push({ message, groupId });
  }
}

function setup(message: OutboundMessageItem | undefined, statusResult: StatusChangeResult = { outcome: 'applied' }) {
  const store = new RecordingStore();
  store.statusResult = statusResult;
  const events = new RecordingEvents();
  const queue = new Recorder();
  const fallback: StatusFallbackDeps = {
    failureKindOf: (code, type) => twilioFailureKind(code, contentClassOf(type)),
    messages: { getMessage: async () => message },
    queue,
    conversations: { setPendingOptions: async (_id, pending) => void queue.options.push(pending) },
  };
  const deps = { store, events, clock: { now: () => new Date('2026-11-26T12:05:00Z') }, fallback };
  return { deps, events, queue, store };
}

const failed = (errorCode: string): StatusUpdate => ({
  provider: 'twilio',
  externalId: 'SM1',
  accountId: 'AC1',
  status: 'failed',
  providerStatus: 'failed',
  errorCode,
});

describe('status callback fallbacks', () => {
  it('enqueues the fallback template under `${key}:fallback` when a sent message fails with 63016', async () => {
    // Prepare
    const ctx = setup(sentMessage({ fallbackTemplate: { name: 'reengagement', language: 'es_MX' }, metadata: { ticket: '9' } }));

    // Act
    const result = await applyStatus(connection, KEY, failed('63016'), ctx.deps);

    // Assess
    expect(result).toEqual({ outcome: 'applied', fallback: 'template-enqueued' });
    expect(ctx.queue.enqueued).toEqual([
      {
        groupId: CONVERSATION,
        message: {
          version: 1,
          businessId: 'acme',
          connectionId: 'conn1',
          conversationId: CONVERSATION,
          idempotencyKey: 'reply-1:fallback',
          content: { type: 'template', template: { name: 'reengagement', language: 'es_MX' } },
          metadata: { ticket: '9' },
        },
      },
    ]);
    // message.status travels on the status update (outbox); nothing else is announced.
    expect(ctx.events.published).toEqual([]);
  });

  it('leaves the message failed and publishes send.failed window-closed when there is no fallback template', async () => {
    const ctx = setup(sentMessage());
    const result = await applyStatus(connection, KEY, failed('63016'), ctx.deps);
    expect(result.fallback).toBe('no-fallback');
    expect(ctx.queue.enqueued).toHaveLength(0);
    // send.failed follows a read, not a write of its own: still published directly.
    expect(ctx.events.published.map((e) => e.detailType)).toEqual(['send.failed']);
    expect(ctx.events.published[0].detail).toEqual(expect.objectContaining({ reason: 'window-closed', errorCode: '63016', messageId: KEY.messageId }));
  });

  it('sends rejected reply buttons again as numbered text and saves the options', async () => {
    // Prepare
    const buttons = { type: 'buttons' as const, body: '¿Vienes?', buttons: [{ id: 'y', title: 'Sí' }, { id: 'n', title: 'No' }] };
    const ctx = setup(sentMessage({ content: buttons, type: 'buttons' }));

    // Act
    const result = await applyStatus(connection, KEY, failed('63021'), ctx.deps);

    // Assess
    expect(result.fallback).toBe('plain-text-enqueued');
    expect(ctx.queue.enqueued[0].message.content).toEqual({ type: 'text', text: '¿Vienes?\n\n1. Sí\n2. No' });
    expect(ctx.queue.enqueued[0].message.idempotencyKey).toBe('reply-1:fallback');
    expect(ctx.queue.options).toEqual([{ messageId: KEY.messageId, options: [{ n: 1, id: 'y', title: 'Sí' }, { n: 2, id: 'n', title: 'No' }] }]);
  });

  it('never falls back from a fallback', async () => {
    const ctx = setup(sentMessage({ idempotencyKey: 'reply-1:fallback', fallbackTemplate: { name: 'reengagement', language: 'es_MX' } }));
    const result = await applyStatus(connection, KEY, failed('63016'), ctx.deps);
    expect(result.fallback).toBe('no-fallback');
    expect(ctx.queue.enqueued).toHaveLength(0);
  });

  it('does nothing more for other failures (the message just stays failed)', async () => {
    const ctx = setup(sentMessage({ fallbackTemplate: { name: 'reengagement', language: 'es_MX' } }));
    const result = await applyStatus(connection, KEY, failed('63024'), ctx.deps);
    expect(result).toEqual({ outcome: 'applied' });
    expect(ctx.queue.enqueued).toHaveLength(0);
    expect(ctx.events.published).toEqual([]);
  });

  it('runs the fallback again for a replayed failure callback (the first run may have failed after the update)', async () => {
    const ctx = setup(sentMessage({ fallbackTemplate: { name: 'reengagement', language: 'es_MX' } }), { outcome: 'stale', currentStatus: 'failed' });
    const result = await applyStatus(connection, KEY, failed('63016'), ctx.deps);
    expect(result).toEqual({ outcome: 'stale', currentStatus: 'failed', fallback: 'template-enqueued' });
  });

  it('does not fall back when the failure was not applied (the message was already delivered)', async () => {
    const ctx = setup(sentMessage({ fallbackTemplate: { name: 'reengagement', language: 'es_MX' } }), { outcome: 'stale', currentStatus: 'delivered' });
    await applyStatus(connection, KEY, failed('63016'), ctx.deps);
    expect(ctx.queue.enqueued).toHaveLength(0);
  });

  it('wires the fallback through the webhook handler for a signed 63016 callback', async () => {
    // Prepare
    const ACCOUNT = 'AC' + 'a'.repeat(32);
    const TOKEN = 'b'.repeat(32);
    const ctx = setup(sentMessage({ fallbackTemplate: { name: 'reengagement', language: 'es_MX' } }));
    const handler = createWebhookHandler({
      codecs: { twilio: new TwilioWebhookCodec() },
      connections: new FixedDirectory([connection]),
      credentials: new CachedCredentials({ 'arn:secret:conn1': { accountSid: ACCOUNT, authToken: TOKEN } }),
      store: ctx.store,
      queue: new RecordingQueue(),
      statusFallback: ctx.deps.fallback,
      events: ctx.events,
      clock: ctx.deps.clock,
      ...silentPowertools(),
      config: { dedupeTtlMs: 86_400_000 },
    });
    const fields = statusFields({ accountSid: ACCOUNT, messageSid: 'SM1', status: 'failed', errorCode: '63016' });

    // Act
    const response = await handler(
      signedTwilioEvent({ path: '/webhook/whatsapp/twilio/conn1/status', rawQueryString: `c=${KEY.conversationId}&m=${KEY.messageId}`, fields, authToken: TOKEN }),
    );

    // Assess
    expect(response.statusCode).toBe(200);
    expect(ctx.queue.enqueued.map((e) => e.message.idempotencyKey)).toEqual(['reply-1:fallback']);
  });
});
