import type { OutboundMessageItem } from '../../../lambdas/domain/outbound/ports';
import { createSendFixture, requireSimulator, type SendFixture } from './send-fixture';

jest.setTimeout(120_000);

const CONVERSATIONS = 4;
const MESSAGES_PER_CONVERSATION = 6;
// The outbound queue's own safety net: only a poison record may reach it.
const MAX_RECEIVE_COUNT = 50;

describe('a fault storm (30% 429, 10% refused 5xx, 10% lost answers) against moto and the Twilio simulator', () => {
  let s: SendFixture;

  beforeAll(async () => {
    await requireSimulator();
    s = await createSendFixture({ maxReceiveCount: MAX_RECEIVE_COUNT });
  });
  afterAll(async () => s?.close());

  it('ends with every message delivered exactly once and in order per conversation', async () => {
    // Prepare
    const customers = Array.from({ length: CONVERSATIONS }, (_, i) => `+5215520000${String(i).padStart(3, '0')}`);
    const conversationIds = await Promise.all(customers.map((customer) => s.putConversation(customer, 1)));
    s.simulator.setFaults({ rate429: 0.3, rate5xx: 0.1, rateLostAnswer: 0.1, retryAfterSeconds: 0 });
    // Interleaved across conversations, as producers would enqueue them.
    for (let m = 0; m < MESSAGES_PER_CONVERSATION; m++) {
      for (let c = 0; c < CONVERSATIONS; c++) {
        await s.enqueue({ conversationId: conversationIds[c], idempotencyKey: `storm-${c}-${m}`, content: { type: 'text', text: `c${c} m${m}` } });
      }
    }

    // Act
    const { failedRecords } = await s.drain(async () => (await s.queueDepth()) === 0, 90_000);
    s.simulator.setFaults({ retryAfterSeconds: 0 });
    await s.simulator.idle();

    // Assess: the storm happened…
    expect(s.simulator.stats().rejected['20429'] ?? 0).toBeGreaterThan(0);
    expect(failedRecords).toBeGreaterThan(0);
    // (with these rates, 24 sends see a refused 5xx and a lost answer with probability > 0.9; the
    // unit tests prove each path alone)
    // …nothing reached the DLQ, every message was accepted once, in order per conversation…
    expect(await s.deadLetters()).toHaveLength(0);
    for (const [c, customer] of customers.entries()) {
      const accepted = s.simulator
        .messages()
        .filter((message) => message.to === `whatsapp:${customer}`)
        .sort((a, b) => a.acceptedAt - b.acceptedAt || a.sid.localeCompare(b.sid));
      expect(accepted.map((message) => message.body)).toEqual(Array.from({ length: MESSAGES_PER_CONVERSATION }, (_, m) => `c${c} m${m}`));
    }
    // …and every stored message ended delivered (read), each under its own key.
    for (const conversationId of conversationIds) {
      const stored = (await s.fx.messagesOf(conversationId)) as unknown as OutboundMessageItem[];
      expect(stored).toHaveLength(MESSAGES_PER_CONVERSATION);
      expect(stored.every((message) => message.sendState === 'accepted' && message.deliveryStatus === 'read')).toBe(true);
      expect(stored.every((message) => message.attempts <= 8)).toBe(true);
      expect(new Set(stored.map((message) => message.externalId)).size).toBe(MESSAGES_PER_CONVERSATION);
    }
  });
});
