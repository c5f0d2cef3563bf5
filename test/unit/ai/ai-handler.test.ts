import type { Context, SQSEvent } from 'aws-lambda';
import { DemoResponder } from '../../../lambdas/domain/ai/demo-responder';
import {
  ResponderPermanentError,
  ResponderRetryableError,
  type Responder,
  type ResponderInput,
} from '../../../lambdas/domain/ai/responder';
import type { OutboundContent } from '../../../lambdas/domain/outbound/contract';
import { createAiHandler } from '../../../lambdas/handlers/ai/handler';
import { aiEnvSchema } from '../../../lambdas/handlers/ai/env';
import { silentPowertools } from '../../support/fakes';
import { FakeConversations, RecordingReplyQueue, inboundMessage, sqsRecord } from './support';

/** Fails for the conversations listed, answers one text otherwise. */
class FailingFor implements Responder {
  readonly name = 'http' as const;
  constructor(private readonly failures: Record<string, Error>) {}
  async reply(input: ResponderInput): Promise<OutboundContent[]> {
    const failure = this.failures[input.conversationId];
    if (failure) throw failure;
    return [{ type: 'text', text: `re: ${input.message.messageId}` }];
  }
}

function context(remainingMs = 30_000): Context {
  return { getRemainingTimeInMillis: () => remainingMs, awsRequestId: 'req-1', functionName: 'ai' } as unknown as Context;
}

function setup(responder: Responder = new DemoResponder()) {
  const queue = new RecordingReplyQueue();
  const powertools = silentPowertools();
  const addMetric = jest.spyOn(powertools.metrics, 'addMetric');
  const handler = createAiHandler({ responder, conversations: new FakeConversations(), queue, ...powertools, config: { historyLimit: 20 } });
  return { handler, queue, addMetric };
}

const CV_A = 'cv_AAAAAAAAAAAAAAAAAAAAAAAAAA';
const CV_B = 'cv_BBBBBBBBBBBBBBBBBBBBBBBBBB';

describe('AI handler', () => {
  it('answers each record and reports no failures', async () => {
    // Prepare
    const { handler, queue } = setup();
    const event: SQSEvent = { Records: [sqsRecord(inboundMessage())] };

    // Act
    const response = await handler(event, context());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(queue.sent.map((s) => s.message.content.type)).toEqual(['text', 'buttons']);
  });

  it('acknowledges an invalid record without writing anything, and counts it', async () => {
    // Prepare
    const { handler, queue, addMetric } = setup();
    const event: SQSEvent = { Records: [sqsRecord('not json', 'bad-1'), sqsRecord({ version: 2, kind: 'inbound.message' }, 'bad-2')] };

    // Act
    const response = await handler(event, context());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(queue.sent).toEqual([]);
    expect(addMetric).toHaveBeenCalledWith('AiInvalidMessage', 'Count', 1);
  });

  it('acknowledges a permanent responder failure (counted), and goes on with the batch', async () => {
    // Prepare
    const { handler, queue, addMetric } = setup(new FailingFor({ [CV_A]: new ResponderPermanentError('HTTP 400') }));
    const a = inboundMessage({ conversationId: CV_A, messageId: '01JD8X00000000000000000A01' });
    const b = inboundMessage({ conversationId: CV_B, messageId: '01JD8X00000000000000000B01' });

    // Act
    const response = await handler({ Records: [sqsRecord(a, 'a1', CV_A), sqsRecord(b, 'b1', CV_B)] }, context());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(queue.sent.map((s) => s.groupId)).toEqual([CV_B]);
    expect(addMetric).toHaveBeenCalledWith('AiReplyAbandoned', 'Count', 1);
  });

  it('reports a retryable failure, skips the rest of that conversation, and answers the others', async () => {
    // Prepare
    const { handler, queue } = setup(new FailingFor({ [CV_A]: new ResponderRetryableError('AI endpoint: HTTP 503') }));
    const a1 = inboundMessage({ conversationId: CV_A, messageId: '01JD8X00000000000000000A01' });
    const a2 = inboundMessage({ conversationId: CV_A, messageId: '01JD8X00000000000000000A02' });
    const b1 = inboundMessage({ conversationId: CV_B, messageId: '01JD8X00000000000000000B01' });

    // Act
    const response = await handler(
      { Records: [sqsRecord(a1, 'a1', CV_A), sqsRecord(b1, 'b1', CV_B), sqsRecord(a2, 'a2', CV_A)] },
      context(),
    );

    // Assess
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['a1', 'a2']);
    expect(queue.sent.map((s) => s.message.idempotencyKey)).toEqual(['01JD8X00000000000000000B01:r0']);
  });

  it('reports a batch whose every record must wait as item failures, not as an invocation error (no errors alarm)', async () => {
    // Prepare
    const { handler } = setup(new FailingFor({ [CV_A]: new ResponderRetryableError('AI endpoint: HTTP 503') }));
    const a1 = inboundMessage({ conversationId: CV_A, messageId: '01JD8X00000000000000000A01' });

    // Act
    const response = await handler({ Records: [sqsRecord(a1, 'a1', CV_A)] }, context());

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a1' }]);
  });

  it('returns a record to the queue untouched when the invocation has no time left for it', async () => {
    // Prepare
    const { handler, queue } = setup(new FailingFor({}));
    const a = inboundMessage({ conversationId: CV_A });
    const b = inboundMessage({ conversationId: CV_B });

    // Act
    const response = await handler({ Records: [sqsRecord(a, 'a1', CV_A), sqsRecord(b, 'b1', CV_B)] }, context(3_500));

    // Assess: both stay on the queue (reported), nothing answered
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['a1', 'b1']);
    expect(queue.sent).toEqual([]);
  });
});

describe('AI env', () => {
  const base = { CONVERSATIONS_TABLE: 'c', MESSAGES_TABLE: 'm', OUTBOUND_QUEUE_URL: 'http://localhost:5005/123/out.fifo' };

  it('defaults to the none responder, 8 s timeout and 20 messages of history', () => {
    expect(aiEnvSchema.parse(base)).toEqual(expect.objectContaining({ RESPONDER: 'none', AI_ENDPOINT_TIMEOUT_MS: 8000, AI_HISTORY_LIMIT: 20 }));
  });

  it('refuses the http responder without an endpoint', () => {
    expect(aiEnvSchema.safeParse({ ...base, RESPONDER: 'http' }).success).toBe(false);
    expect(aiEnvSchema.safeParse({ ...base, RESPONDER: 'http', AI_ENDPOINT_URL: 'https://ai.example/x' }).success).toBe(true);
  });
});
