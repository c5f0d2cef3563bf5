import { SendPacer } from '../../../lambdas/domain/outbound/pacing';
import { conversationIdFor } from '../../../lambdas/domain/ids';
import type { OutboundMessage } from '../../../lambdas/domain/outbound/contract';
import { sendOutbound } from '../../../lambdas/domain/outbound/send-outbound';
import { SendFailedError } from '../../../lambdas/shared/errors';
import { BUSINESS, CUSTOMER, connection, sendHarness } from './fakes';

const twilio = { connectionId: 'cn_a', provider: 'twilio' as const };
const otherNumber = { connectionId: 'cn_b', provider: 'meta' as const };
const coexistence = { connectionId: 'cn_c', provider: 'meta' as const, coexistence: true };

describe('SendPacer', () => {
  it('lets a number send its BSP rate per second (80), then spaces sends at 1/80 s', () => {
    // Prepare
    const now = { ms: 0 };
    const pacer = new SendPacer(() => now.ms);

    // Act
    const burst = Array.from({ length: 80 }, () => pacer.reserve(twilio));
    const next = pacer.reserve(twilio);
    const afterThat = pacer.reserve(twilio);

    // Assess
    expect(burst.every((wait) => wait === 0)).toBe(true);
    expect(next).toBe(13); // ceil(1000 / 80)
    expect(afterThat).toBe(25);
  });

  it('paces a number in coexistence with the Business app at 20 msg/s', () => {
    const pacer = new SendPacer(() => 0);
    const waits = Array.from({ length: 21 }, () => pacer.reserve(coexistence));
    expect(waits.slice(0, 20).every((wait) => wait === 0)).toBe(true);
    expect(waits[20]).toBe(50);
  });

  it('refills with time: a second later the allowance is back', () => {
    const now = { ms: 0 };
    const pacer = new SendPacer(() => now.ms);
    for (let i = 0; i < 80; i++) pacer.reserve(twilio);
    now.ms = 1_000;
    expect(pacer.reserve(twilio)).toBe(0);
  });

  it('a rate limit pauses that number only', () => {
    // Prepare
    const now = { ms: 0 };
    const pacer = new SendPacer(() => now.ms);

    // Act
    pacer.pause(twilio, 4_000);

    // Assess
    expect(pacer.pausedFor(twilio)).toBe(4_000);
    expect(pacer.reserve(twilio)).toBeGreaterThanOrEqual(4_000);
    expect(pacer.pausedFor(otherNumber)).toBe(0);
    expect(pacer.reserve(otherNumber)).toBe(0);
    now.ms = 4_000;
    expect(pacer.pausedFor(twilio)).toBe(0);
  });

  it('pauses at least a second when the BSP gave no Retry-After', () => {
    const pacer = new SendPacer(() => 0);
    pacer.pause(twilio, undefined);
    expect(pacer.pausedFor(twilio)).toBe(1_000);
  });
});

describe('sendOutbound with per-number pacing', () => {
  const CONVERSATION = conversationIdFor(connection.connectionId, CUSTOMER);
  const body = (idempotencyKey: string): string =>
    JSON.stringify({ version: 1, businessId: BUSINESS, conversationId: CONVERSATION, idempotencyKey, content: { type: 'text', text: 'Hola' } } as OutboundMessage);

  function paced() {
    const h = sendHarness({ maxReceiveCount: 50 });
    const clock = { ms: h.now.value.getTime() };
    h.deps.pacer = new SendPacer(() => clock.ms);
    const slept: number[] = [];
    h.deps.sleep = async (ms) => {
      slept.push(ms);
    };
    h.store.conversations.set(CONVERSATION, {
      conversationId: CONVERSATION,
      businessId: BUSINESS,
      connectionId: connection.connectionId,
      customerId: CUSTOMER,
      lastCustomerMessageAt: new Date(h.now.value.getTime() - 60_000).toISOString(),
    });
    return { h, clock, slept };
  }

  it("a 429 pauses the number: the next message of that number is handed back unsent, and uses none of its attempts", async () => {
    // Prepare
    const { h } = paced();
    h.sender.then(new SendFailedError('retryable', '20429', 'Too Many Requests', { httpStatus: 429, retryAfterMs: 5_000 }));

    // Act
    const limited = await sendOutbound({ body: body('m1'), receiveCount: 1 }, h.deps);
    const next = await sendOutbound({ body: body('m2'), receiveCount: 1 }, h.deps);

    // Assess
    expect(limited.action).toBe('retry');
    expect(next).toEqual({ action: 'retry', delayMs: 5_000, parts: [expect.objectContaining({ result: 'retry', errorCode: 'PACED' })] });
    expect(h.sender.requests).toHaveLength(1);
    const m2 = h.store.all().find((item) => item.idempotencyKey === 'm2');
    expect(m2).toEqual(expect.objectContaining({ sendState: 'pending', attempts: 0 }));
  });

  it('waits a short pacing delay in place instead of handing the record back', async () => {
    const { h, slept } = paced();
    for (let i = 0; i < 80; i++) h.deps.pacer!.reserve(connection);
    const result = await sendOutbound({ body: body('m1'), receiveCount: 1 }, h.deps);
    expect(result.parts.map((p) => p.result)).toEqual(['accepted']);
    expect(slept).toEqual([13]);
  });
});
