import { conversationIdFor, messageIdTime, newMessageId } from '../../../lambdas/domain/ids';
import { outboundMessageSchema, type OutboundMessage } from '../../../lambdas/domain/outbound/contract';
import { sendOutbound } from '../../../lambdas/domain/outbound/send-outbound';
import { BUSINESS, CUSTOMER, connection, sendHarness, type SendHarness } from './fakes';

const CONVERSATION = conversationIdFor(connection.connectionId, CUSTOMER);

function message(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    version: 1,
    businessId: BUSINESS,
    conversationId: CONVERSATION,
    idempotencyKey: 'admin:1',
    content: { type: 'text', text: 'Hola Ana' },
    ...overrides,
  } as OutboundMessage;
}

function withOpenWindow(h: SendHarness): void {
  h.store.conversations.set(CONVERSATION, {
    conversationId: CONVERSATION,
    businessId: BUSINESS,
    connectionId: connection.connectionId,
    customerId: CUSTOMER,
    lastCustomerMessageAt: new Date(h.now.value.getTime() - 3_600_000).toISOString(),
  });
}

const deliver = (h: SendHarness, body: OutboundMessage) => sendOutbound({ body: JSON.stringify(body), receiveCount: 1 }, h.deps);

describe('outbound contract v1: optional messageId', () => {
  it('accepts an id made by newMessageId and refuses anything else', () => {
    const id = newMessageId(new Date());
    expect(outboundMessageSchema.safeParse(message({ messageId: id })).success).toBe(true);
    for (const bad of ['', 'short', id.toLowerCase(), `${id}X`, 'cv_01HZZZZZZZZZZZZZZZZZZZZZZZ', '01HZZZZZZZZZZZZZZZZZZZZZZI']) {
      expect(outboundMessageSchema.safeParse(message({ messageId: bad })).success).toBe(false);
    }
  });

  it('decodes the instant of an id', () => {
    const at = new Date('2026-11-27T10:00:00.123Z');
    expect(messageIdTime(newMessageId(at))?.toISOString()).toBe(at.toISOString());
    expect(messageIdTime('not-an-id')).toBeUndefined();
  });

  it('records and sends the message under the given id', async () => {
    // Prepare
    const h = sendHarness();
    withOpenWindow(h);
    const messageId = newMessageId(h.now.value);

    // Act
    const result = await deliver(h, message({ messageId }));

    // Assess
    expect(result.parts).toEqual([expect.objectContaining({ messageId, result: 'accepted' })]);
    expect(h.store.all().map((m) => m.messageId)).toEqual([messageId]);
    expect(h.sender.requests[0].messageId).toBe(messageId);
  });

  it('gives the id to the first part of a split text; later parts sort after it', async () => {
    // Prepare: an id made a little in the future (a producer's clock ahead of ours) with the
    // highest possible random tail, the hardest case for ordering.
    const h = sendHarness({ maxTextLength: 40 });
    withOpenWindow(h);
    const messageId = newMessageId(new Date(h.now.value.getTime() + 5), new Uint8Array(10).fill(255));
    const text = 'Primera frase bastante larga aquí. Segunda frase también larga. Tercera y última frase del texto.';

    // Act
    await deliver(h, message({ messageId, content: { type: 'text', text } }));

    // Assess
    const stored = h.store.all().sort((a, b) => (a.messageId < b.messageId ? -1 : 1));
    expect(stored.length).toBeGreaterThan(1);
    expect(stored[0].messageId).toBe(messageId);
    expect(stored.map((m) => m.partIndex)).toEqual(stored.map((_, i) => i + 1));
  });

  it('still assigns its own id when none is given', async () => {
    const h = sendHarness();
    withOpenWindow(h);
    await deliver(h, message());
    expect(h.store.all()[0].messageId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });
});
