import { DemoResponder } from '../../../lambdas/domain/ai/demo-responder';
import { NoneResponder, ResponderPermanentError, type Responder, type ResponderInput } from '../../../lambdas/domain/ai/responder';
import { replyIdempotencyKey, replyMessages, respondToInbound } from '../../../lambdas/domain/ai/respond-to-inbound';
import { outboundMessageSchema, type OutboundContent } from '../../../lambdas/domain/outbound/contract';
import { DependencyUnavailableError } from '../../../lambdas/shared/errors';
import { CONVERSATION_ID, FakeConversations, RecordingReplyQueue, inboundMessage } from './support';

class ScriptedResponder implements Responder {
  readonly name = 'http' as const;
  readonly inputs: ResponderInput[] = [];
  constructor(private readonly replies: OutboundContent[] | Error) {}
  async reply(input: ResponderInput): Promise<OutboundContent[]> {
    this.inputs.push(input);
    if (this.replies instanceof Error) throw this.replies;
    return this.replies;
  }
}

const OPTIONS_ID = '01JD8W0000000000000000000A';

describe('replyIdempotencyKey', () => {
  it('derives one key per reply from the inbound message id', () => {
    expect(replyIdempotencyKey('01JD8X0000000000000000000B', 0)).toBe('01JD8X0000000000000000000B:r0');
    expect(replyIdempotencyKey('01JD8X0000000000000000000B', 1)).toBe('01JD8X0000000000000000000B:r1');
  });
});

describe('replyMessages', () => {
  it('builds contract-valid outbound messages for the conversation, connection and business', () => {
    // Act
    const [message] = replyMessages(inboundMessage(), [{ type: 'text', text: 'Hola' }]);

    // Assess
    expect(outboundMessageSchema.safeParse(message).success).toBe(true);
    expect(message).toEqual({
      version: 1,
      businessId: 'acme',
      connectionId: 'conn1',
      conversationId: CONVERSATION_ID,
      idempotencyKey: '01JD8X0000000000000000000B:r0',
      content: { type: 'text', text: 'Hola' },
      metadata: { inReplyTo: '01JD8X0000000000000000000B' },
    });
  });

  it('refuses an invalid reply as a permanent responder failure', () => {
    expect(() => replyMessages(inboundMessage(), [{ type: 'text', text: '   ' }])).toThrow(ResponderPermanentError);
  });
});

describe('respondToInbound', () => {
  it('enqueues the replies in order on the conversation group with derived keys, and passes the history', async () => {
    // Prepare
    const history = [{ messageId: '01JD8A', direction: 'outbound' as const, type: 'text', content: { type: 'text', text: 'Hola' }, at: '2026-11-26T11:00:00.000Z' }];
    const conversations = new FakeConversations(undefined, history);
    const queue = new RecordingReplyQueue();
    const responder = new ScriptedResponder([
      { type: 'text', text: 'uno' },
      { type: 'text', text: 'dos' },
    ]);

    // Act
    const result = await respondToInbound(inboundMessage(), { responder, conversations, queue, historyLimit: 20 });

    // Assess
    expect(result).toEqual({ replies: 2 });
    expect(queue.sent.map((s) => [s.groupId, s.message.idempotencyKey, s.message.content])).toEqual([
      [CONVERSATION_ID, '01JD8X0000000000000000000B:r0', { type: 'text', text: 'uno' }],
      [CONVERSATION_ID, '01JD8X0000000000000000000B:r1', { type: 'text', text: 'dos' }],
    ]);
    expect(responder.inputs[0]?.history).toEqual(history);
    expect(conversations.historyCalls).toEqual([{ beforeMessageId: '01JD8X0000000000000000000B', limit: 20 }]);
  });

  it('a retried invocation enqueues exactly the same keys (the queue and the send Lambda drop the repeats)', async () => {
    // Prepare
    const queue = new RecordingReplyQueue();
    queue.failAt = { index: 1, error: new DependencyUnavailableError('SQS down') };
    const deps = { responder: new DemoResponder(), conversations: new FakeConversations(), queue, historyLimit: 20 };

    // Act
    await expect(respondToInbound(inboundMessage(), deps)).rejects.toBeInstanceOf(DependencyUnavailableError);
    await respondToInbound(inboundMessage(), deps);

    // Assess
    expect(queue.sent.map((s) => s.message.idempotencyKey)).toEqual([
      '01JD8X0000000000000000000B:r0',
      '01JD8X0000000000000000000B:r0',
      '01JD8X0000000000000000000B:r1',
    ]);
    expect(new Set(queue.sent.map((s) => s.message.idempotencyKey)).size).toBe(2);
  });

  it('understands a bare number as the pending option, and clears the options only after enqueueing', async () => {
    // Prepare
    const conversations = new FakeConversations({
      conversationId: CONVERSATION_ID,
      pendingOptions: { messageId: OPTIONS_ID, options: [{ n: 1, id: 'demo_yes', title: 'Sí' }, { n: 2, id: 'demo_no', title: 'No' }] },
    });
    const queue = new RecordingReplyQueue();
    queue.failAt = { index: 0, error: new DependencyUnavailableError('SQS down') };
    const responder = new ScriptedResponder([{ type: 'text', text: 'ok' }]);
    const message = inboundMessage({ content: { type: 'text', text: '2' } });
    const deps = { responder, conversations, queue, historyLimit: 5 };

    // Act: the first attempt fails to enqueue, the retry succeeds
    await expect(respondToInbound(message, deps)).rejects.toThrow('SQS down');
    const afterFailure = [...conversations.cleared];
    const result = await respondToInbound(message, deps);

    // Assess: both attempts understood "2" the same way; the options were cleared once, at the end
    expect(afterFailure).toEqual([]);
    expect(responder.inputs.map((i) => i.message.content)).toEqual([
      { type: 'button_reply', id: 'demo_no', title: 'No' },
      { type: 'button_reply', id: 'demo_no', title: 'No' },
    ]);
    expect(result).toEqual({ replies: 1, resolvedOption: 2 });
    expect(conversations.cleared).toEqual([{ conversationId: CONVERSATION_ID, optionsMessageId: OPTIONS_ID }]);
    expect(conversations.conversation?.pendingOptions).toBeUndefined();
  });

  it('with the none responder reads nothing and enqueues nothing', async () => {
    // Prepare
    const conversations = new FakeConversations();
    conversations.failWith = new Error('must not be read');
    const queue = new RecordingReplyQueue();

    // Act
    const result = await respondToInbound(inboundMessage(), { responder: new NoneResponder(), conversations, queue, historyLimit: 20 });

    // Assess
    expect(result).toEqual({ replies: 0 });
    expect(queue.sent).toEqual([]);
  });

  it('passes a permanent responder failure on without enqueueing anything', async () => {
    // Prepare
    const queue = new RecordingReplyQueue();
    const responder = new ScriptedResponder(new ResponderPermanentError('HTTP 400'));

    // Act
    const result = respondToInbound(inboundMessage(), { responder, conversations: new FakeConversations(), queue, historyLimit: 20 });

    // Assess
    await expect(result).rejects.toBeInstanceOf(ResponderPermanentError);
    expect(queue.sent).toEqual([]);
  });
});
