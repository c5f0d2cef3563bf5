import { conversationIdFor } from '../../../lambdas/domain/ids';
import type { OutboundMessage } from '../../../lambdas/domain/outbound/contract';
import { sendOutbound } from '../../../lambdas/domain/outbound/send-outbound';
import { SendFailedError } from '../../../lambdas/shared/errors';
import { BUSINESS, CUSTOMER, connection, ListingSender, sendHarness, type SendHarness } from './fakes';

const CONVERSATION = conversationIdFor(connection.connectionId, CUSTOMER);

function message(idempotencyKey: string, text = 'Hola Ana'): OutboundMessage {
  return { version: 1, businessId: BUSINESS, conversationId: CONVERSATION, idempotencyKey, content: { type: 'text', text } } as OutboundMessage;
}

function harness(): SendHarness & { listing: ListingSender } {
  const listing = new ListingSender();
  const h = sendHarness({ sender: listing, maxReceiveCount: 50 });
  h.store.conversations.set(CONVERSATION, {
    conversationId: CONVERSATION,
    businessId: BUSINESS,
    connectionId: connection.connectionId,
    customerId: CUSTOMER,
    lastCustomerMessageAt: new Date(h.now.value.getTime() - 3_600_000).toISOString(),
  });
  return { ...h, listing };
}

const deliver = (h: SendHarness, body: OutboundMessage, receiveCount = 1) => sendOutbound({ body: JSON.stringify(body), receiveCount }, h.deps);
const later = (h: SendHarness, ms: number) => (h.now.value = new Date(h.now.value.getTime() + ms));

describe('sendOutbound: settling a send whose answer was lost, with a BSP that lists its messages (Twilio)', () => {
  it('waits before asking the list, then finds the message the BSP accepted and records its id: sent once', async () => {
    // Prepare
    const h = harness();
    h.listing.loseAnswer();

    // Act
    const lost = await deliver(h, message('m1'));
    later(h, 2_000);
    const tooSoon = await deliver(h, message('m1'), 2);
    later(h, 3_000);
    const found = await deliver(h, message('m1'), 3);

    // Assess
    expect(lost).toEqual({ action: 'retry', delayMs: 5_000, parts: [expect.objectContaining({ result: 'outcome-unknown', errorCode: '20500' })] });
    expect(tooSoon.action).toBe('retry');
    expect(h.listing.lookups).toHaveLength(1);
    expect(found).toEqual({ action: 'ack', parts: [expect.objectContaining({ result: 'accepted', resolvedBy: 'bsp-lookup' })] });
    expect(h.listing.requests).toHaveLength(1);
    expect(h.store.all()[0]).toEqual(expect.objectContaining({ sendState: 'accepted', externalId: 'SMlost1' }));
    expect(h.listing.lookups[0]).toEqual(
      expect.objectContaining({ to: CUSTOMER, content: { type: 'text', text: 'Hola Ana' }, since: new Date('2026-11-26T12:00:00Z') }),
    );
  });

  it('sends again, once, when the list proves the BSP never created the message', async () => {
    // Prepare: a 500 that the BSP answered before creating anything looks the same to us.
    const h = harness();
    h.listing.then(new SendFailedError('outcome-unknown', '20500', 'Internal Server Error', { httpStatus: 500 }));

    // Act
    await deliver(h, message('m1'));
    later(h, 5_000);
    const resent = await deliver(h, message('m1'), 2);

    // Assess
    expect(resent).toEqual({ action: 'ack', parts: [expect.objectContaining({ result: 'accepted', resent: true })] });
    expect(h.listing.requests).toHaveLength(2);
    expect(h.store.all()[0]).toEqual(expect.objectContaining({ sendState: 'accepted', attempts: 2, lastErrorCode: 'NOT_SENT' }));
    expect(h.store.log.filter((entry) => entry.startsWith('release'))).toHaveLength(1);
  });

  it('never takes an earlier message with the same text for the lost one: ids we already own are skipped', async () => {
    // Prepare: "Hola Ana" went out and was recorded; a second "Hola Ana" loses its answer.
    const h = harness();
    await deliver(h, message('m1'));
    const firstId = h.store.all()[0].externalId;
    h.listing.loseAnswer();
    later(h, 1_000);
    await deliver(h, message('m2'));

    // Act
    later(h, 5_000);
    const settled = await deliver(h, message('m2'), 2);

    // Assess
    expect(settled.parts).toEqual([expect.objectContaining({ result: 'accepted', resolvedBy: 'bsp-lookup' })]);
    const second = h.store.all().find((item) => item.idempotencyKey === 'm2');
    expect(second?.externalId).toBe('SMlost1');
    expect(second?.externalId).not.toBe(firstId);
    expect(h.listing.requests).toHaveLength(2);
  });

  it('a status callback that came first settles it without asking the list', async () => {
    const h = harness();
    h.listing.loseAnswer();
    await deliver(h, message('m1'));
    h.store.applyStatusCallback(h.store.all()[0], 'SMlost1', 'delivered');

    const settled = await deliver(h, message('m1'), 2);

    expect(settled.parts).toEqual([expect.objectContaining({ result: 'accepted', resolvedBy: 'status-callback' })]);
    expect(h.listing.lookups).toHaveLength(0);
    expect(h.store.all()[0]).toEqual(expect.objectContaining({ sendState: 'accepted', deliveryStatus: 'delivered' }));
  });

  it('a list that cannot be read proves nothing: the record waits, and nothing is sent again', async () => {
    const h = harness();
    h.listing.loseAnswer();
    await deliver(h, message('m1'));
    h.listing.findSent = async () => {
      throw new Error('Twilio unreachable');
    };
    later(h, 5_000);

    const waiting = await deliver(h, message('m1'), 2);

    expect(waiting.action).toBe('retry');
    expect(waiting.parts).toEqual([expect.objectContaining({ result: 'outcome-unknown' })]);
    expect(h.listing.requests).toHaveLength(1);
    expect(h.store.all()[0].sendState).toBe('sending');
  });
});
