import { encodeMessageKey } from '../../../lambdas/domain/bsp';
import { conversationIdFor } from '../../../lambdas/domain/ids';
import type { OutboundMessage } from '../../../lambdas/domain/outbound/contract';
import { outboundDedupeKey, sendOutbound, statusCallbackUrl } from '../../../lambdas/domain/outbound/send-outbound';
import { SendFailedError } from '../../../lambdas/shared/errors';
import { BUSINESS, CUSTOMER, connection, sendHarness, template, type SendHarness } from './fakes';

const CONVERSATION = conversationIdFor(connection.connectionId, CUSTOMER);

function message(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    version: 1,
    businessId: BUSINESS,
    conversationId: CONVERSATION,
    idempotencyKey: 'reply-1',
    content: { type: 'text', text: 'Hola Ana' },
    ...overrides,
  } as OutboundMessage;
}

/** A conversation whose customer last wrote `hoursAgo` hours before the harness's now. */
function withConversation(h: SendHarness, hoursAgo: number | null = 1): void {
  h.store.conversations.set(CONVERSATION, {
    conversationId: CONVERSATION,
    businessId: BUSINESS,
    connectionId: connection.connectionId,
    customerId: CUSTOMER,
    ...(hoursAgo !== null && { lastCustomerMessageAt: new Date(h.now.value.getTime() - hoursAgo * 3_600_000).toISOString() }),
  });
}

const deliver = (h: SendHarness, body: OutboundMessage | string, receiveCount = 1) =>
  sendOutbound({ body: typeof body === 'string' ? body : JSON.stringify(body), receiveCount }, h.deps);

const failedEvents = (h: SendHarness) => h.events.published.filter((e) => e.detailType === 'send.failed').map((e) => e.detail as Record<string, unknown>);

describe('sendOutbound', () => {
  describe('validation and addressing', () => {
    it('acknowledges an invalid message without writing anything and publishes send.failed invalid-message', async () => {
      // Prepare
      const h = sendHarness();
      const invalid = { ...message(), content: { type: 'buttons', body: 'x', buttons: [1, 2, 3, 4].map((n) => ({ id: `b${n}`, title: `B${n}` })) } };

      // Act
      const result = await deliver(h, invalid as unknown as OutboundMessage);

      // Assess
      expect(result.action).toBe('ack');
      expect(result.action === 'ack' && result.rejected?.reason).toBe('invalid-message');
      expect(h.store.messages.size).toBe(0);
      expect(h.sender.requests).toHaveLength(0);
      expect(failedEvents(h)).toEqual([expect.objectContaining({ reason: 'invalid-message', businessId: BUSINESS, idempotencyKey: 'reply-1' })]);
    });

    it('acknowledges a body that is not JSON', async () => {
      const h = sendHarness();
      const result = await deliver(h, '{not json');
      expect(result.action).toBe('ack');
      expect(failedEvents(h)[0]).toEqual(expect.objectContaining({ reason: 'invalid-message', businessId: 'unknown' }));
    });

    it("refuses another business's conversation like a missing one", async () => {
      const h = sendHarness();
      withConversation(h);
      const result = await deliver(h, message({ businessId: 'intruder' }));
      expect(result.action).toBe('ack');
      expect(h.sender.requests).toHaveLength(0);
      expect(failedEvents(h)[0]).toEqual(expect.objectContaining({ reason: 'conversation-not-found' }));
    });

    it('fails with no-connection when the business has two active connections and the message names none', async () => {
      const h = sendHarness({ connections: [connection, { ...connection, connectionId: 'conn2' }] });
      const result = await deliver(h, message({ conversationId: undefined, to: CUSTOMER, content: { type: 'template', template: { name: 'reengagement', language: 'es_MX' } } }));
      expect(result.action).toBe('ack');
      expect(failedEvents(h)[0]).toEqual(expect.objectContaining({ reason: 'no-connection' }));
    });

    it('sends to a new number through the only active connection and creates the conversation', async () => {
      // Prepare
      const h = sendHarness({ connections: [connection, { ...connection, connectionId: 'old', status: 'disabled' }] });
      h.templates.push(template());

      // Act
      const result = await deliver(
        h,
        message({ conversationId: undefined, to: CUSTOMER, content: { type: 'template', template: { name: 'reengagement', language: 'es_MX', variables: { '1': 'Ana' } } } }),
      );

      // Assess
      expect(result.action).toBe('ack');
      expect(h.store.createdConversations).toEqual([
        expect.objectContaining({ conversationId: CONVERSATION, connectionId: 'conn1', customerId: CUSTOMER, customerIsPhoneNumber: true }),
      ]);
      expect(h.sender.requests[0].content).toEqual({ type: 'template', providerTemplateId: template().providerTemplateId, language: template().language, variables: { '1': 'Ana' } });
      expect(h.sender.requests[0].to).toBe(CUSTOMER);
    });
  });

  describe('inside the window', () => {
    it('records the message queued, sends it with our key on the callback URL, and records the acceptance', async () => {
      // Prepare
      const h = sendHarness();
      withConversation(h);

      // Act
      const result = await deliver(h, message());

      // Assess
      expect(result).toEqual({ action: 'ack', parts: [expect.objectContaining({ result: 'accepted' })] });
      const [stored] = h.store.all();
      expect(h.store.dedupe.has(outboundDedupeKey(BUSINESS, 'reply-1'))).toBe(true);
      expect(stored).toEqual(
        expect.objectContaining({ sendState: 'accepted', deliveryStatus: 'queued', attempts: 1, externalId: expect.stringMatching(/^SM/), direction: 'outbound' }),
      );
      expect(stored.outcomePending).toBeUndefined();
      expect(h.sender.requests[0]).toEqual(
        expect.objectContaining({
          from: { displayNumber: connection.displayNumber },
          callbackData: encodeMessageKey({ conversationId: CONVERSATION, messageId: stored.messageId }),
          to: CUSTOMER,
          content: { type: 'text', text: 'Hola Ana' },
          messageId: stored.messageId,
          statusCallbackUrl: `https://hooks.example.com/webhook/whatsapp/twilio/conn1/status?c=${CONVERSATION}&m=${stored.messageId}`,
        }),
      );
      expect(h.store.log).toEqual([`record ${stored.messageId}`, `claim ${stored.messageId}`, `accept ${stored.messageId}`]);
    });

    it('never sends the same idempotency key twice', async () => {
      const h = sendHarness();
      withConversation(h);
      await deliver(h, message());
      const replay = await deliver(h, message({ content: { type: 'text', text: 'a different text, same key' } }));
      expect(replay.parts.map((p) => p.result)).toEqual(['already-settled']);
      expect(h.sender.requests).toHaveLength(1);
      expect(h.store.messages.size).toBe(1);
    });

    it('does not send again after a crash between claim and BSP answer (outcome unknown)', async () => {
      // Prepare: the first delivery recorded and claimed, then the process died.
      const h = sendHarness();
      withConversation(h);
      h.store.failNext = { method: 'markAccepted', error: new Error('crash') };
      await expect(deliver(h, message())).rejects.toThrow('crash');
      const [claimed] = h.store.all();
      expect(claimed.sendState).toBe('sending');

      // Act
      const redelivered = await deliver(h, message(), 2);

      // Assess: held (the record comes back), never sent again without proof.
      expect(redelivered).toEqual({ action: 'retry', delayMs: 5_000, parts: [expect.objectContaining({ result: 'outcome-unknown' })] });
      expect(h.sender.requests).toHaveLength(1);
      expect(claimed.outcomePending).toBe('pending');
    });

    it('records a new message with its first part already claimed: no separate claim write', async () => {
      const h = sendHarness();
      withConversation(h);
      const result = await deliver(h, message());
      expect(result.parts.map((p) => p.result)).toEqual(['accepted']);
      expect(h.store.log).toEqual([expect.stringMatching(/^record /), expect.stringMatching(/^claim /), expect.stringMatching(/^accept /)]);
      expect(h.store.all()[0]).toEqual(expect.objectContaining({ sendState: 'accepted', attempts: 1 }));
    });

    it('sends once after a crash before the record was written', async () => {
      const h = sendHarness();
      withConversation(h);
      h.store.failNext = { method: 'record', error: new Error('crash') };
      await expect(deliver(h, message())).rejects.toThrow('crash');
      expect(h.sender.requests).toHaveLength(0);
      expect(h.store.messages.size).toBe(0);

      const redelivered = await deliver(h, message(), 2);

      expect(redelivered.parts.map((p) => p.result)).toEqual(['accepted']);
      expect(h.sender.requests).toHaveLength(1);
      expect(h.store.messages.size).toBe(1);
    });

    it('sends a later part once after a crash before its claim', async () => {
      const h = sendHarness({ maxTextLength: 20 });
      withConversation(h);
      h.store.failNext = { method: 'claim', error: new Error('crash') };
      await expect(deliver(h, message({ content: { type: 'text', text: 'Primera parte aquí. Segunda parte aquí.' } }))).rejects.toThrow('crash');
      expect(h.sender.requests).toHaveLength(1);

      const redelivered = await deliver(h, message({ content: { type: 'text', text: 'Primera parte aquí. Segunda parte aquí.' } }), 2);

      expect(redelivered.parts.map((p) => p.result)).toEqual(['already-settled', 'accepted']);
      expect(h.sender.requests).toHaveLength(2);
    });

    it('splits a long text into ordered parts that each fit the provider', async () => {
      // Prepare
      const h = sendHarness({ maxTextLength: 40 });
      withConversation(h);
      const text = 'Primera frase bastante larga aquí. Segunda frase también larga. Tercera y última frase del texto.';

      // Act
      const result = await deliver(h, message({ content: { type: 'text', text } }));

      // Assess
      const sent = h.sender.requests.map((r) => (r.content as { text: string }).text);
      expect(sent.length).toBeGreaterThan(1);
      expect(sent.every((part) => part.length <= 40)).toBe(true);
      expect(sent.join(' ')).toBe(text);
      expect(result.parts.every((p) => p.result === 'accepted')).toBe(true);
      const stored = h.store.all().sort((a, b) => a.messageId.localeCompare(b.messageId));
      expect(stored.map((m) => m.partIndex)).toEqual(sent.map((_, i) => i + 1));
      expect(stored.map((m) => (m.content as { text: string }).text)).toEqual(sent);
    });

    it('sends only the remaining parts after a retry in the middle of a split text', async () => {
      const h = sendHarness({ maxTextLength: 40 });
      withConversation(h);
      const text = 'Primera frase bastante larga aquí. Segunda frase también larga. Tercera y última frase del texto.';
      h.sender.then({ externalId: 'SM1', providerStatus: 'queued' }, new SendFailedError('retryable', '20429', 'rate limited', { retryAfterMs: 1000 }));

      const first = await deliver(h, message({ content: { type: 'text', text } }));
      const second = await deliver(h, message({ content: { type: 'text', text } }), 2);

      expect(first.action).toBe('retry');
      expect(first.parts.map((p) => p.result)).toEqual(['accepted', 'retry', 'waiting']);
      expect(second.parts.map((p) => p.result)).toEqual(['already-settled', 'accepted', 'accepted']);
      const texts = h.sender.requests.map((r) => (r.content as { text: string }).text);
      expect(texts[1]).toBe(texts[2]);
      expect(new Set(texts).size).toBe(3);
    });
  });

  describe('the 24-hour window', () => {
    it('sends the approved fallback template when the window is closed', async () => {
      // Prepare
      const h = sendHarness();
      withConversation(h, 25);
      h.templates.push(template());

      // Act
      const result = await deliver(h, message({ fallbackTemplate: { name: 'reengagement', language: 'es_MX', variables: { '1': 'Ana' } } }));

      // Assess
      expect(result.parts).toEqual([expect.objectContaining({ result: 'accepted', fallback: 'template' })]);
      expect(h.sender.requests.map((r) => r.content.type)).toEqual(['template']);
      expect(h.store.all()[0]).toEqual(expect.objectContaining({ fallback: 'template', sendState: 'accepted' }));
    });

    it('fails with window-closed and sends nothing when there is no fallback template', async () => {
      const h = sendHarness();
      withConversation(h, 25);
      const result = await deliver(h, message());
      expect(result.action).toBe('ack');
      expect(h.sender.requests).toHaveLength(0);
      expect(h.store.all()[0]).toEqual(expect.objectContaining({ sendState: 'failed', deliveryStatus: 'failed', failureReason: 'window-closed' }));
      expect(failedEvents(h)).toEqual([expect.objectContaining({ reason: 'window-closed', messageId: h.store.all()[0].messageId })]);
    });

    it('treats a conversation whose customer never wrote as outside the window', async () => {
      const h = sendHarness();
      withConversation(h, null);
      await deliver(h, message());
      expect(h.sender.requests).toHaveLength(0);
      expect(failedEvents(h)[0]).toEqual(expect.objectContaining({ reason: 'window-closed' }));
    });

    it('fails with template-not-approved when the fallback template is still pending', async () => {
      const h = sendHarness();
      withConversation(h, 25);
      h.templates.push(template({ approvalStatus: 'pending' }));
      await deliver(h, message({ fallbackTemplate: { name: 'reengagement', language: 'es_MX' } }));
      expect(h.sender.requests).toHaveLength(0);
      expect(h.store.all()[0]).toEqual(expect.objectContaining({ sendState: 'failed', failureReason: 'template-not-approved' }));
      expect(failedEvents(h)[0]).toEqual(expect.objectContaining({ reason: 'template-not-approved' }));
    });

    it('fails template content that is not in the registry', async () => {
      const h = sendHarness();
      withConversation(h);
      await deliver(h, message({ content: { type: 'template', template: { name: 'nope', language: 'es' } } }));
      expect(h.sender.requests).toHaveLength(0);
      expect(failedEvents(h)[0]).toEqual(expect.objectContaining({ reason: 'template-not-approved' }));
    });

    it("falls back to the template when the BSP reports the window closed (63016) although our record said open", async () => {
      // Prepare
      const h = sendHarness();
      withConversation(h);
      h.templates.push(template());
      h.sender.then(new SendFailedError('window-closed', '63016', 'window closed'));

      // Act
      const result = await deliver(h, message({ fallbackTemplate: { name: 'reengagement', language: 'es_MX' } }));

      // Assess
      expect(result.parts).toEqual([expect.objectContaining({ result: 'accepted', fallback: 'template' })]);
      expect(h.sender.requests.map((r) => r.content.type)).toEqual(['text', 'template']);
      expect(h.store.all()[0]).toEqual(expect.objectContaining({ attempts: 2, fallback: 'template', lastErrorCode: '63016' }));
    });

    it('fails with window-closed on 63016 without a fallback template', async () => {
      const h = sendHarness();
      withConversation(h);
      h.sender.then(new SendFailedError('window-closed', '63016', 'window closed'));
      const result = await deliver(h, message());
      expect(result.parts).toEqual([expect.objectContaining({ result: 'failed', reason: 'window-closed', errorCode: '63016' })]);
      expect(failedEvents(h)[0]).toEqual(expect.objectContaining({ reason: 'window-closed', errorCode: '63016' }));
    });
  });

  describe('BSP failures', () => {
    it('releases a retryable failure for the next delivery with a backoff no shorter than Retry-After', async () => {
      // Prepare
      const h = sendHarness();
      withConversation(h);
      h.sender.then(new SendFailedError('retryable', '20429', 'rate limited', { retryAfterMs: 7_000 }));

      // Act
      const first = await deliver(h, message());
      const second = await deliver(h, message(), 2);

      // Assess
      expect(first.action).toBe('retry');
      expect(first.action === 'retry' && first.delayMs).toBeGreaterThanOrEqual(7_000);
      expect(second.parts.map((p) => p.result)).toEqual(['accepted']);
      expect(h.sender.requests).toHaveLength(2);
      expect(h.store.all()[0]).toEqual(expect.objectContaining({ sendState: 'accepted', attempts: 2, lastErrorCode: '20429' }));
      expect(failedEvents(h)).toHaveLength(0);
    });

    it("grows the backoff with the attempts on the message record, whatever the queue's receive count", async () => {
      const h = sendHarness({ maxReceiveCount: 50 });
      withConversation(h);
      h.sender.then(new SendFailedError('retryable', '20503', 'x'), new SendFailedError('retryable', '20503', 'x'));
      // A record that waited behind its conversation's head has a high receive count, not attempts.
      const first = await deliver(h, message(), 12);
      const second = await deliver(h, message(), 13);
      expect(first.action === 'retry' && first.delayMs).toBe(1_000); // 0.5 × 2 s, attempt 1
      expect(second.action === 'retry' && second.delayMs).toBe(2_000); // 0.5 × 4 s, attempt 2
      expect(h.store.all()[0].attempts).toBe(2);
    });

    it('a record that waited behind a retried head still gets every attempt of its budget', async () => {
      const h = sendHarness({ maxReceiveCount: 50, maxAttempts: 3 });
      withConversation(h);
      const result = await deliver(h, message(), 40);
      expect(result.parts.map((p) => p.result)).toEqual(['accepted']);
      expect(h.store.all()[0].attempts).toBe(1);
    });

    it('fails the message (retryable-exhausted) when its attempts are used up, and acknowledges it: no DLQ', async () => {
      const h = sendHarness({ maxAttempts: 2 });
      withConversation(h);
      h.sender.then(new SendFailedError('retryable', '20429', 'rate limited'), new SendFailedError('retryable', '20429', 'rate limited'));
      const first = await deliver(h, message(), 1);
      const second = await deliver(h, message(), 2);
      expect(first.action).toBe('retry');
      expect(second).toEqual({ action: 'ack', parts: [expect.objectContaining({ result: 'failed', reason: 'retryable-exhausted', errorCode: '20429' })] });
      expect(h.sender.requests).toHaveLength(2);
      expect(h.store.all()[0]).toEqual(expect.objectContaining({ sendState: 'failed', failureReason: 'retryable-exhausted', deliveryStatus: 'failed' }));
      expect(failedEvents(h)).toEqual([expect.objectContaining({ reason: 'retryable-exhausted', errorCode: '20429' })]);
    });

    it('fails the message when its retry budget is past, even with attempts left', async () => {
      const h = sendHarness({ maxAttempts: 8 });
      withConversation(h);
      h.sender.then(new SendFailedError('retryable', '20503', 'x'), new SendFailedError('retryable', '20503', 'x'));
      await deliver(h, message());
      h.now.value = new Date(h.now.value.getTime() + 3_600_000);
      withConversation(h);
      const late = await deliver(h, message(), 2);
      expect(late.parts).toEqual([expect.objectContaining({ result: 'failed', reason: 'retryable-exhausted' })]);
    });

    it("fails the message on the queue's last receive (the safety net) before SQS would dead-letter the record", async () => {
      const h = sendHarness({ maxReceiveCount: 3 });
      withConversation(h);
      h.sender.then(new SendFailedError('retryable', '20429', 'rate limited'));
      const result = await deliver(h, message(), 3);
      expect(result.action).toBe('ack');
      expect(h.store.all()[0]).toEqual(expect.objectContaining({ sendState: 'failed', failureReason: 'retryable-exhausted' }));
    });

    it('fails a permanent error once, with the BSP code and reason, without retry', async () => {
      // Prepare
      const h = sendHarness();
      withConversation(h);
      h.sender.then(new SendFailedError('permanent', '63024', 'The recipient is not a valid WhatsApp user.'));

      // Act
      const result = await deliver(h, message());
      const replay = await deliver(h, message(), 2);

      // Assess
      expect(result.action).toBe('ack');
      expect(replay.parts.map((p) => p.result)).toEqual(['already-settled']);
      expect(h.sender.requests).toHaveLength(1);
      expect(h.store.all()[0]).toEqual(
        expect.objectContaining({ sendState: 'failed', errorCode: '63024', errorReason: 'The recipient is not a valid WhatsApp user.', failureReason: 'permanent' }),
      );
      expect(failedEvents(h)).toEqual([expect.objectContaining({ reason: 'permanent', errorCode: '63024', idempotencyKey: 'reply-1' })]);
    });

    it('sends rejected reply buttons again as numbered plain text and remembers the options', async () => {
      // Prepare
      const h = sendHarness();
      withConversation(h);
      h.sender.then(new SendFailedError('content-rejected', '63021', 'invalid content'));
      const buttons = { type: 'buttons' as const, body: '¿Confirmas la cita?', buttons: [{ id: 'yes', title: 'Sí' }, { id: 'no', title: 'No' }] };

      // Act
      const result = await deliver(h, message({ content: buttons }));

      // Assess
      expect(result.parts).toEqual([expect.objectContaining({ result: 'accepted', fallback: 'plain-text' })]);
      expect(h.sender.requests.map((r) => r.content)).toEqual([
        { type: 'buttons', body: buttons.body, buttons: buttons.buttons },
        { type: 'text', text: '¿Confirmas la cita?\n\n1. Sí\n2. No' },
      ]);
      const messageId = h.store.all()[0].messageId;
      expect(h.store.conversations.get(CONVERSATION)?.pendingOptions).toEqual({
        messageId,
        options: [
          { n: 1, id: 'yes', title: 'Sí' },
          { n: 2, id: 'no', title: 'No' },
        ],
      });
      // The options are saved before the plain text goes out.
      expect(h.store.log.indexOf(`options ${messageId}`)).toBeLessThan(h.store.log.lastIndexOf(`claim ${messageId}`));
    });

    it('fails rejected plain text (nothing simpler to fall back to)', async () => {
      const h = sendHarness();
      withConversation(h);
      h.sender.then(new SendFailedError('content-rejected', '63021', 'invalid content'));
      const result = await deliver(h, message());
      expect(result.parts).toEqual([expect.objectContaining({ result: 'failed', reason: 'content-rejected' })]);
      expect(h.sender.requests).toHaveLength(1);
    });

    it('holds an unknown outcome (and its record) until the status that carries our key settles it; never resends it', async () => {
      // Prepare: a BSP without a message list (Cloud API).
      const h = sendHarness();
      withConversation(h);
      h.sender.then(new SendFailedError('outcome-unknown', 'TIMEOUT', 'timed out'));

      // Act
      const result = await deliver(h, message());
      h.now.value = new Date(h.now.value.getTime() + 5_000);
      const unsettled = await deliver(h, message(), 2);
      const [item] = h.store.all();
      h.store.applyStatusCallback(item, 'wamid.LATE', 'sent');
      const settled = await deliver(h, message(), 3);

      // Assess
      expect(result).toEqual({ action: 'retry', delayMs: 5_000, parts: [expect.objectContaining({ result: 'outcome-unknown', errorCode: 'TIMEOUT' })] });
      expect(unsettled).toEqual({ action: 'retry', delayMs: 5_000, parts: [expect.objectContaining({ result: 'outcome-unknown' })] });
      expect(settled).toEqual({ action: 'ack', parts: [expect.objectContaining({ result: 'accepted', resolvedBy: 'status-callback' })] });
      expect(h.sender.requests).toHaveLength(1);
      expect(h.store.all()[0]).toEqual(expect.objectContaining({ sendState: 'accepted', externalId: 'wamid.LATE' }));
      expect(h.store.externalIds.get('wamid.LATE')).toEqual({ conversationId: item.conversationId, messageId: item.messageId });
    });

    it('spaces out the checks of an unsettled send, and fails it visibly (outcome-unknown) at its deadline', async () => {
      const h = sendHarness();
      withConversation(h);
      h.sender.then(new SendFailedError('outcome-unknown', 'TIMEOUT', 'timed out'));
      const start = h.now.value.getTime();
      await deliver(h, message());
      h.now.value = new Date(start + 90_000);
      const later = await deliver(h, message(), 2);
      h.now.value = new Date(start + 600_000);
      const atDeadline = await deliver(h, message(), 3);

      expect(later.action === 'retry' && later.delayMs).toBe(30_000); // a third of the time waited so far
      expect(atDeadline).toEqual({ action: 'ack', parts: [expect.objectContaining({ result: 'failed', reason: 'outcome-unknown' })] });
      expect(h.store.all()[0]).toEqual(expect.objectContaining({ sendState: 'failed', failureReason: 'outcome-unknown' }));
      expect(failedEvents(h)).toEqual([expect.objectContaining({ reason: 'outcome-unknown' })]);
      expect(h.sender.requests).toHaveLength(1);
    });

    it('keeps part 2 of a message behind part 1 while part 1 is unsettled', async () => {
      const h = sendHarness({ maxTextLength: 20 });
      withConversation(h);
      h.sender.then(new SendFailedError('outcome-unknown', 'TIMEOUT', 'timed out'));
      const text = 'Primera parte aquí. Segunda parte aquí.';
      const held = await deliver(h, message({ content: { type: 'text', text } }));
      expect(held.action).toBe('retry');
      expect(held.parts.map((p) => p.result)).toEqual(['outcome-unknown', 'waiting']);
      expect(h.sender.requests).toHaveLength(1);

      const [first] = h.store.all();
      h.store.applyStatusCallback(first, 'SMfirst', 'sent');
      const released = await deliver(h, message({ content: { type: 'text', text } }), 2);
      expect(released.parts.map((p) => p.result)).toEqual(['accepted', 'accepted']);
      expect(h.sender.requests.map((r) => r.content)).toEqual([
        { type: 'text', text: 'Primera parte aquí.' },
        { type: 'text', text: 'Segunda parte aquí.' },
      ]);
    });

    it('treats an unclassified sender error as an unknown outcome', async () => {
      const h = sendHarness();
      withConversation(h);
      h.sender.then(new TypeError('bug'));
      const result = await deliver(h, message());
      expect(result.parts).toEqual([expect.objectContaining({ result: 'outcome-unknown' })]);
      expect(h.store.all()[0].sendState).toBe('sending');
    });
  });
});

describe('statusCallbackUrl', () => {
  it('carries our key as plain query parameters', () => {
    expect(statusCallbackUrl('https://x.example/', 'twilio', 'conn1', { conversationId: 'cv_A1', messageId: '01JD' })).toBe(
      'https://x.example/webhook/whatsapp/twilio/conn1/status?c=cv_A1&m=01JD',
    );
  });
});
