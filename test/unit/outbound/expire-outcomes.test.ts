import { createOutcomeWatchdogHandler } from '../../../lambdas/handlers/outcome-watchdog/handler';
import { expireUnknownOutcomes } from '../../../lambdas/domain/outbound/expire-outcomes';
import { sendOutbound } from '../../../lambdas/domain/outbound/send-outbound';
import { conversationIdFor } from '../../../lambdas/domain/ids';
import { SendFailedError } from '../../../lambdas/shared/errors';
import { silentPowertools } from '../../support/fakes';
import { BUSINESS, CUSTOMER, connection, sendHarness } from './fakes';

const CONVERSATION = conversationIdFor(connection.connectionId, CUSTOMER);

/** Two sends with unknown outcomes, 10 minutes' deadline each. */
async function twoUnknownOutcomes() {
  const h = sendHarness();
  h.store.conversations.set(CONVERSATION, {
    conversationId: CONVERSATION,
    businessId: BUSINESS,
    connectionId: connection.connectionId,
    customerId: CUSTOMER,
    lastCustomerMessageAt: h.now.value.toISOString(),
  });
  h.sender.then(new SendFailedError('outcome-unknown', 'TIMEOUT', 't'), new SendFailedError('outcome-unknown', 'TIMEOUT', 't'));
  for (const key of ['a', 'b']) {
    await sendOutbound(
      { body: JSON.stringify({ version: 1, businessId: BUSINESS, conversationId: CONVERSATION, idempotencyKey: key, content: { type: 'text', text: 'x' }, metadata: { ticket: '7' } }), receiveCount: 1 },
      h.deps,
    );
  }
  return h;
}

describe('expireUnknownOutcomes', () => {
  it('leaves sends alone before their deadline', async () => {
    const h = await twoUnknownOutcomes();
    const result = await expireUnknownOutcomes({ store: h.store, clock: { now: () => new Date(h.now.value.getTime() + 9 * 60_000) } });
    expect(result).toEqual({ overdue: 0, expired: 0 });
    expect(h.store.all().every((m) => m.sendState === 'sending')).toBe(true);
  });

  it('fails overdue sends with outcome-unknown and writes their send.failed with that update, except one a status settled', async () => {
    // Prepare: a status callback settled the second send (the webhook removes outcomePending).
    const h = await twoUnknownOutcomes();
    const [first, second] = h.store.all();
    Object.assign(second, { deliveryStatus: 'delivered', deliveryStatusRank: 30 });
    const later = new Date(h.now.value.getTime() + 11 * 60_000);

    // Act
    const result = await expireUnknownOutcomes({ store: h.store, clock: { now: () => later } });

    // Assess
    expect(result).toEqual({ overdue: 2, expired: 1 });
    expect(first).toEqual(expect.objectContaining({ sendState: 'failed', deliveryStatus: 'failed', failureReason: 'outcome-unknown' }));
    expect(second.sendState).toBe('sending');
    // The event rides on the failing update (the outbox); the settled message carries none.
    expect(first.outbox).toEqual(
      expect.objectContaining({
        detailType: 'send.failed',
        detail: expect.objectContaining({ reason: 'outcome-unknown', messageId: first.messageId, idempotencyKey: 'a', metadata: { ticket: '7' } }),
      }),
    );
    expect(second.outbox).toBeUndefined();
  });

  it('is idempotent across runs', async () => {
    const h = await twoUnknownOutcomes();
    const later = { now: () => new Date(h.now.value.getTime() + 11 * 60_000) };
    const first = await expireUnknownOutcomes({ store: h.store, clock: later });
    const second = await expireUnknownOutcomes({ store: h.store, clock: later });
    expect(first).toEqual({ overdue: 2, expired: 2 });
    expect(second).toEqual({ overdue: 0, expired: 0 });
  });

  it('runs as a scheduled handler and reports its counts', async () => {
    const h = await twoUnknownOutcomes();
    const powertools = silentPowertools();
    const addMetric = jest.spyOn(powertools.metrics, 'addMetric');
    const handler = createOutcomeWatchdogHandler({
      store: h.store,
      clock: { now: () => new Date(h.now.value.getTime() + 11 * 60_000) },
      ...powertools,
    });
    const result = await handler({});
    expect(result).toEqual({ overdue: 2, expired: 2 });
    expect(addMetric).toHaveBeenCalledWith('SendFailed', 'Count', 2);
  });
});
