import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { conversationIdFor } from '../../../lambdas/domain/ids';
import type { OutboundMessage } from '../../../lambdas/domain/outbound/contract';
import { createSendHandler, type VisibilityControl } from '../../../lambdas/handlers/send/handler';
import { SendFailedError } from '../../../lambdas/shared/errors';
import { silentPowertools } from '../../support/fakes';
import { BUSINESS, connection, sendHarness, type SendHarness } from '../outbound/fakes';

class RecordingVisibility implements VisibilityControl {
  readonly changes: Array<{ receiptHandle: string; seconds: number }> = [];
  async delay(receiptHandle: string, seconds: number): Promise<void> {
    this.changes.push({ receiptHandle, seconds });
  }
  async delayMany(receiptHandles: string[], seconds: number): Promise<number> {
    for (const receiptHandle of receiptHandles) this.changes.push({ receiptHandle, seconds });
    return 0;
  }
}

const customers = ['+5215500000001', '+5215500000002'];
const conversations = customers.map((customer) => conversationIdFor(connection.connectionId, customer));

function setup(options: { maxReceiveCount?: number } = {}) {
  const h = sendHarness(options);
  for (const [index, conversationId] of conversations.entries()) {
    h.store.conversations.set(conversationId, {
      conversationId,
      businessId: BUSINESS,
      connectionId: connection.connectionId,
      customerId: customers[index],
      lastCustomerMessageAt: h.now.value.toISOString(),
    });
  }
  const visibility = new RecordingVisibility();
  const powertools = silentPowertools();
  const handler = createSendHandler({ send: h.deps, visibility, ...powertools, config: { sendTimeoutMs: 10_000 } });
  return { h, handler, visibility, metrics: jest.spyOn(powertools.metrics, 'addMetric') };
}

function record(id: string, conversation: number, body: Partial<OutboundMessage> | string, receiveCount = 1): SQSRecord {
  const message =
    typeof body === 'string'
      ? body
      : JSON.stringify({ version: 1, businessId: BUSINESS, conversationId: conversations[conversation], idempotencyKey: id, content: { type: 'text', text: `t ${id}` }, ...body });
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: message,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '1',
      SenderId: 'x',
      ApproximateFirstReceiveTimestamp: '1',
      MessageGroupId: conversations[conversation],
      MessageDeduplicationId: id,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:outbound.fifo',
    awsRegion: 'us-east-1',
  };
}

const texts = (h: SendHarness) => h.sender.requests.map((r) => (r.content as { text: string }).text);

describe('send handler', () => {
  it('backs off a rate-limited record, holds its conversation behind it, and lets other conversations go on', async () => {
    // Prepare: a1 is rate limited; a2 is in the same conversation; b1 is in another one.
    const { h, handler, visibility } = setup();
    h.sender.then(new SendFailedError('retryable', '20429', 'rate limited', { retryAfterMs: 3_000 }));
    const event: SQSEvent = { Records: [record('a1', 0, {}), record('a2', 0, {}), record('b1', 1, {})] };

    // Act
    const response = await handler(event);

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a1' }, { itemIdentifier: 'a2' }]);
    expect(texts(h)).toEqual(['t a1', 't b1']);
    expect(visibility.changes).toEqual([
      { receiptHandle: 'rh-a1', seconds: 3 },
      // Skipped behind the failure: visible at once, FIFO still keeps it behind a1.
      { receiptHandle: 'rh-a2', seconds: 0 },
    ]);
  });

  it('acknowledges an invalid message (no retry can fix it)', async () => {
    const { h, handler, metrics } = setup();
    const response = await handler({ Records: [record('bad', 0, '{"version":2}')] });
    expect(response.batchItemFailures).toEqual([]);
    expect(h.sender.requests).toHaveLength(0);
    expect(metrics).toHaveBeenCalledWith('SendInvalid', 'Count', 1);
  });

  it('acknowledges a permanent failure', async () => {
    const { h, handler, metrics } = setup();
    h.sender.then(new SendFailedError('permanent', '63024', 'not a WhatsApp user'));
    const response = await handler({ Records: [record('p1', 0, {})] });
    expect(response.batchItemFailures).toEqual([]);
    expect(metrics).toHaveBeenCalledWith('SendFailed', 'Count', 1);
  });

  it('fails a message whose attempts are used up and acknowledges its record: the DLQ is for poison, not bad luck', async () => {
    const { h, handler, visibility, metrics } = setup({ maxReceiveCount: 3 });
    h.sender.then(new SendFailedError('retryable', '20429', 'rate limited'));
    const response = await handler({ Records: [record('x1', 0, {}, 3)] });
    expect(response.batchItemFailures).toEqual([]);
    expect(visibility.changes).toEqual([]);
    expect(metrics).toHaveBeenCalledWith('SendFailed', 'Count', 1);
    expect(h.events.published.map((e) => (e.detail as { reason: string }).reason)).toEqual(['retryable-exhausted']);
  });

  it('handles the conversations of a batch side by side, each in its own order', async () => {
    // Prepare: the sender holds every call until both conversations have one in flight.
    const { h, handler } = setup();
    const inFlight: string[] = [];
    let release: () => void = () => undefined;
    const bothStarted = new Promise<void>((resolve) => (release = resolve));
    const send = h.sender.send.bind(h.sender);
    h.sender.send = async (request) => {
      inFlight.push((request.content as { text: string }).text);
      if (inFlight.length === 2) release();
      await bothStarted;
      return send(request);
    };
    const event: SQSEvent = { Records: [record('a1', 0, {}), record('a2', 0, {}), record('b1', 1, {})] };

    // Act
    const response = await handler(event);

    // Assess: a1 and b1 were in flight together; a2 still came after a1.
    expect(response.batchItemFailures).toEqual([]);
    expect(inFlight.slice(0, 2).sort()).toEqual(['t a1', 't b1']);
    expect(texts(h).indexOf('t a2')).toBeGreaterThan(texts(h).indexOf('t a1'));
  });

  it('retries with backoff when a store is down, without having sent anything', async () => {
    const { h, handler, visibility } = setup();
    h.store.failNext = { method: 'record', error: new Error('DynamoDB down') };
    const response = await handler({ Records: [record('d1', 0, {}, 2)] });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'd1' }]);
    expect(h.sender.requests).toHaveLength(0);
    expect(visibility.changes).toEqual([{ receiptHandle: 'rh-d1', seconds: 2 }]); // 0.5 × 4 s
  });

  it('does not start a record when the invocation has too little time left for a BSP call', async () => {
    const { h, handler } = setup();
    const context = { getRemainingTimeInMillis: () => 5_000 } as unknown as Parameters<typeof handler>[1];
    const response = await handler({ Records: [record('late', 0, {})] }, context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'late' }]);
    expect(h.sender.requests).toHaveLength(0);
  });
});
