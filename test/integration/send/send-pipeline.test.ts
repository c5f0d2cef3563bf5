import type { OutboundMessageItem } from '../../../lambdas/domain/outbound/ports';
import { createSendFixture, requireSimulator, type SendFixture } from './send-fixture';

jest.setTimeout(90_000);

const MAX_RECEIVE_COUNT = 3;
let n = 0;
/** A fresh customer number per test, so tests never see each other's conversations. */
const customer = () => `+52155100${String(++n).padStart(5, '0')}`;

describe('send pipeline against moto and the Twilio simulator', () => {
  let s: SendFixture;

  beforeAll(async () => {
    await requireSimulator();
    s = await createSendFixture({ maxReceiveCount: MAX_RECEIVE_COUNT });
  });
  afterAll(async () => s?.close());
  afterEach(() => s.simulator.setFaults({ retryAfterSeconds: 0 }));

  const items = async (conversationId: string) => (await s.fx.messagesOf(conversationId)) as unknown as Array<OutboundMessageItem & Record<string, unknown>>;
  const sentTo = (to: string) => s.simulator.messages().filter((m) => m.to === `whatsapp:${to}`);
  const settled = async (conversationId: string, count = 1) => {
    const found = await items(conversationId);
    return found.length >= count && found.every((m) => m.sendState === 'accepted' || m.sendState === 'failed') && (await s.queueDepth()) === 0;
  };
  /**
   * The `send.failed` events the conversation's messages carry as their outbox entries: what the
   * event relay publishes from the table's stream (its own integration test proves that hop).
   */
  const failedEvents = async (conversationId: string) =>
    (await items(conversationId))
      .map((item) => item.outbox as { detailType?: string; detail?: string } | undefined)
      .filter((entry) => entry?.detailType === 'send.failed')
      .map((entry) => JSON.parse(entry!.detail!) as Record<string, unknown>);

  it('sends a reply once, under our key, and the simulator callbacks move it to read', async () => {
    // Prepare
    const to = customer();
    const conversationId = await s.putConversation(to, 1);

    // Act
    await s.enqueue({ conversationId, idempotencyKey: `hello-${to}`, content: { type: 'text', text: 'Hola 👋, ¿en qué te ayudo?' } });
    await s.enqueue({ conversationId, idempotencyKey: `hello-${to}`, content: { type: 'text', text: 'Hola 👋, ¿en qué te ayudo?' } });
    await s.drain(() => settled(conversationId));
    await s.simulator.idle();

    // Assess
    const [message] = await items(conversationId);
    expect(sentTo(to)).toHaveLength(1);
    expect(sentTo(to)[0].body).toBe('Hola 👋, ¿en qué te ayudo?');
    expect(sentTo(to)[0].statusCallback).toBe(`${s.gateway.url}/webhook/whatsapp/twilio/${s.fx.connectionId}/status?c=${conversationId}&m=${message.messageId}`);
    expect(message).toEqual(expect.objectContaining({ sendState: 'accepted', deliveryStatus: 'read', externalId: sentTo(to)[0].sid, attempts: 1 }));
    expect(message.outcomePending).toBeUndefined();
    expect(message.outcomeDeadline).toBeUndefined();
  });

  it('fails a permanent error without retry, with the BSP code and a send.failed event', async () => {
    // Prepare: 21211, an invalid recipient.
    const to = '+0123456789';
    const conversationId = await s.putConversation(to, 1);
    const requestsBefore = s.simulator.stats().requests;

    // Act
    await s.enqueue({ conversationId, idempotencyKey: 'bad-number', content: { type: 'text', text: 'Hola' } });
    const { failedRecords } = await s.drain(() => settled(conversationId));

    // Assess
    expect(failedRecords).toBe(0);
    expect(s.simulator.stats().requests - requestsBefore).toBe(1);
    const [message] = await items(conversationId);
    expect(message).toEqual(expect.objectContaining({ sendState: 'failed', deliveryStatus: 'failed', errorCode: '21211', failureReason: 'permanent' }));
    expect(await failedEvents(conversationId)).toContainEqual(expect.objectContaining({ idempotencyKey: 'bad-number', reason: 'permanent', errorCode: '21211' }));
  });

  it('fails a message the BSP keeps refusing once its attempts on the record are used up; its record is acknowledged, not dead-lettered', async () => {
    // Prepare: Twilio answers 429 to every send; the budget is 2 attempts.
    const to = customer();
    const conversationId = await s.putConversation(to, 1);
    s.simulator.setFaults({ rate429: 1, retryAfterSeconds: 0 });
    const maxAttempts = s.deps.send.config.maxAttempts;
    s.deps.send.config.maxAttempts = 2;
    s.deps.send.pacer = undefined;

    // Act
    try {
      await s.enqueue({ conversationId, idempotencyKey: `refused-${to}`, content: { type: 'text', text: 'Hola' } });
      await s.drain(async () => (await s.queueDepth()) === 0);
    } finally {
      s.deps.send.config.maxAttempts = maxAttempts;
    }

    // Assess
    expect(await s.deadLetters()).toHaveLength(0);
    const [message] = await items(conversationId);
    expect(message).toEqual(expect.objectContaining({ sendState: 'failed', failureReason: 'retryable-exhausted', attempts: 2 }));
    expect(sentTo(to)).toHaveLength(0);
    expect(await failedEvents(conversationId)).toContainEqual(expect.objectContaining({ idempotencyKey: `refused-${to}`, reason: 'retryable-exhausted', errorCode: '20429' }));
  });

  it('sends a poison record (it fails however often it is tried) to the DLQ after maxReceiveCount receives', async () => {
    // Prepare: the conversation read throws on every receive, as a bug would.
    const to = customer();
    const conversationId = await s.putConversation(to, 1);
    const spy = jest.spyOn(s.deps.send.store, 'getConversation').mockRejectedValue(new Error('poison'));

    // Act
    try {
      await s.enqueue({ conversationId, idempotencyKey: `poison-${to}`, content: { type: 'text', text: 'Hola' } });
      await s.drain(async () => (await s.queueDepth()) === 0);
    } finally {
      spy.mockRestore();
    }

    // Assess
    const dead = await s.deadLetters();
    expect(dead.map((m) => JSON.parse(m.Body!).idempotencyKey)).toEqual([`poison-${to}`]);
    expect(sentTo(to)).toHaveLength(0);
  });

  it('sends once after a crash between recording (and claiming) and the BSP call: Twilio\'s list proves it unsent', async () => {
    // Prepare: the process "dies" right after the record (which claims the first part), before calling Twilio.
    const to = customer();
    const conversationId = await s.putConversation(to, 1);
    const store = s.deps.send.store;
    const recordOnce = store.record.bind(store);
    const spy = jest.spyOn(store, 'record').mockImplementationOnce(async (...args) => {
      await recordOnce(...args);
      throw new Error('crash after record');
    });

    // Act
    await s.enqueue({ conversationId, idempotencyKey: `crash-${to}`, content: { type: 'text', text: 'Hola' } });
    await s.drain(() => settled(conversationId));
    spy.mockRestore();
    await s.simulator.idle();

    // Assess: redelivered, looked up, sent exactly once.
    expect(sentTo(to)).toHaveLength(1);
    const [message] = await items(conversationId);
    expect(message).toEqual(expect.objectContaining({ sendState: 'accepted', externalId: sentTo(to)[0].sid, attempts: 2, lastErrorCode: 'NOT_SENT' }));
  });

  it('sends once after a crash between the BSP call and recording its acceptance', async () => {
    // Prepare: Twilio accepts, then the process dies before writing `accepted`.
    const to = customer();
    const conversationId = await s.putConversation(to, 1);
    const spy = jest.spyOn(s.deps.send.store, 'markAccepted').mockRejectedValueOnce(new Error('crash after send'));

    // Act
    await s.enqueue({ conversationId, idempotencyKey: `crash2-${to}`, content: { type: 'text', text: 'Hola' } });
    await s.drain(() => settled(conversationId));
    spy.mockRestore();
    await s.simulator.idle();

    // Assess: one send, settled under the id Twilio gave it.
    expect(sentTo(to)).toHaveLength(1);
    const [message] = await items(conversationId);
    expect(message).toEqual(expect.objectContaining({ sendState: 'accepted', deliveryStatus: 'read', externalId: sentTo(to)[0].sid, attempts: 1 }));
    expect(message.outcomePending).toBeUndefined();
  });

  it('settles a send whose answer Twilio lost (500 or a cut connection) once, and keeps the next message behind it', async () => {
    // Prepare: every answer is lost until the faults are cleared.
    const to = customer();
    const conversationId = await s.putConversation(to, 1);
    s.simulator.setFaults({ rateLostAnswer: 1, retryAfterSeconds: 0 });

    // Act
    await s.enqueue({ conversationId, idempotencyKey: `lost-1-${to}`, content: { type: 'text', text: 'Primero' } });
    await s.enqueue({ conversationId, idempotencyKey: `lost-2-${to}`, content: { type: 'text', text: 'Segundo' } });
    await s.poller.pollOnce();
    const afterFirstBatch = sentTo(to).map((m) => m.body);
    s.simulator.setFaults({ retryAfterSeconds: 0 });
    await s.drain(() => settled(conversationId, 2));
    await s.simulator.idle();

    // Assess
    expect(afterFirstBatch).toEqual(['Primero']);
    expect(sentTo(to).map((m) => m.body)).toEqual(['Primero', 'Segundo']);
    expect(s.simulator.stats().lostAnswers).toBeGreaterThanOrEqual(1);
    const stored = await items(conversationId);
    expect(stored.map((m) => [m.content, m.sendState, m.externalId])).toEqual([
      [{ type: 'text', text: 'Primero' }, 'accepted', sentTo(to)[0].sid],
      [{ type: 'text', text: 'Segundo' }, 'accepted', sentTo(to)[1].sid],
    ]);
  });

  describe('24-hour window', () => {
    let templateSid: string;
    beforeAll(async () => {
      const content = s.simulator.seedContent(
        s.fx.accountSid,
        { friendly_name: 'reengagement', language: 'es_MX', variables: { '1': 'Ana' }, types: { 'twilio/text': { body: 'Hola {{1}}, ¿seguimos con tu pedido?' } } },
        { name: 'reengagement', category: 'UTILITY' },
      );
      templateSid = content.sid;
      await s.templates.put({
        businessId: s.fx.businessId,
        name: 'reengagement',
        language: 'es_MX',
        providerTemplateId: templateSid,
        category: 'UTILITY',
        approvalStatus: 'approved',
        variables: { '1': 'Ana' },
        connectionId: s.fx.connectionId,
        updatedAt: new Date().toISOString(),
      });
    });

    it('sends the fallback template instead of freeform text when the window is closed', async () => {
      // Prepare
      const to = customer();
      const conversationId = await s.putConversation(to, 25);

      // Act
      await s.enqueue({
        conversationId,
        idempotencyKey: `late-${to}`,
        content: { type: 'text', text: 'Tu pedido está listo' },
        fallbackTemplate: { name: 'reengagement', language: 'es_MX', variables: { '1': 'Ana' } },
      });
      await s.drain(() => settled(conversationId));
      await s.simulator.idle();

      // Assess
      expect(sentTo(to)).toEqual([expect.objectContaining({ contentSid: templateSid, contentVariables: { '1': 'Ana' } })]);
      expect(sentTo(to)[0].body).toBeUndefined(); // a template goes by ContentSid, never as Body
      expect((await items(conversationId))[0]).toEqual(expect.objectContaining({ fallback: 'template', sendState: 'accepted', deliveryStatus: 'read' }));
    });

    it('fails with window-closed and sends nothing without a fallback template', async () => {
      const to = customer();
      const conversationId = await s.putConversation(to, 25);
      await s.enqueue({ conversationId, idempotencyKey: `late2-${to}`, content: { type: 'text', text: 'Tu pedido está listo' } });
      await s.drain(() => settled(conversationId));
      expect(sentTo(to)).toHaveLength(0);
      expect((await items(conversationId))[0]).toEqual(expect.objectContaining({ sendState: 'failed', failureReason: 'window-closed' }));
      expect(await failedEvents(conversationId)).toContainEqual(expect.objectContaining({ idempotencyKey: `late2-${to}`, reason: 'window-closed' }));
    });

    it('falls back to the template when Twilio reports 63016 in a status callback', async () => {
      // Prepare: our record says the window is open; WhatsApp says otherwise.
      const to = customer();
      const conversationId = await s.putConversation(to, 1);
      s.simulator.setFaults({ retryAfterSeconds: 0, closedWindowRecipients: [to] });

      // Act
      await s.enqueue({
        conversationId,
        idempotencyKey: `cb-${to}`,
        content: { type: 'text', text: 'Hola de nuevo' },
        fallbackTemplate: { name: 'reengagement', language: 'es_MX', variables: { '1': 'Ana' } },
      });
      await s.drain(async () => {
        await s.simulator.idle();
        return (await settled(conversationId, 2)) && (await items(conversationId)).some((m) => m.deliveryStatus === 'read');
      });

      // Assess
      const stored = await items(conversationId);
      const original = stored.find((m) => m.idempotencyKey === `cb-${to}`);
      const fallback = stored.find((m) => m.idempotencyKey === `cb-${to}:fallback`);
      expect(original).toEqual(expect.objectContaining({ deliveryStatus: 'failed', errorCode: '63016' }));
      expect(fallback).toEqual(expect.objectContaining({ sendState: 'accepted', deliveryStatus: 'read', type: 'template' }));
      expect(sentTo(to).map((m) => m.contentSid ?? 'freeform')).toEqual(['freeform', templateSid]);
    });
  });
});
