import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { ConsumerTimeoutError, asEventSourceConsumer } from '../../../local/consumer';

const record = (messageId: string) => ({ messageId, body: '{}' }) as SQSRecord;
const event: SQSEvent = { Records: [record('a'), record('b'), record('c')] };
const context = {} as Context;

describe('asEventSourceConsumer', () => {
  it('passes the batch through and reports the failures the handler lists, in one log line', async () => {
    const lines: string[] = [];
    const handler = jest.fn(async () => ({ batchItemFailures: [{ itemIdentifier: 'b' }] }));
    const consumer = asEventSourceConsumer(handler, { name: 'send', timeoutSeconds: 30, reportBatchItemFailures: true, log: (line) => lines.push(line) });

    const response = await consumer(event, context);

    expect(handler).toHaveBeenCalledWith(event, context);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
    expect(lines).toEqual([expect.stringMatching(/^send: batch of 3 → 2 done, 1 left on the queue \(\d+ ms\)$/)]);
  });

  it('ignores batchItemFailures when the mapping does not report them, as Lambda does', async () => {
    const lines: string[] = [];
    const consumer = asEventSourceConsumer(async () => ({ batchItemFailures: [{ itemIdentifier: 'b' }] }), {
      name: 'ai',
      timeoutSeconds: 30,
      reportBatchItemFailures: false,
      log: (line) => lines.push(line),
    });

    expect(await consumer(event, context)).toBeUndefined();
    expect(lines[0]).toMatch(/^ai: batch of 3 → 3 done \(\d+ ms\)$/);
  });

  it('fails the whole batch when the handler outlives the function timeout', async () => {
    const consumer = asEventSourceConsumer(() => new Promise(() => undefined), { name: 'send', timeoutSeconds: 0.02, reportBatchItemFailures: true });

    await expect(consumer(event, context)).rejects.toThrow(new ConsumerTimeoutError('Task timed out after 0.02 seconds'));
  });

  it('lets a handler error fail the whole batch', async () => {
    const consumer = asEventSourceConsumer(async () => Promise.reject(new Error('boom')), { name: 'send', timeoutSeconds: 30, reportBatchItemFailures: true });

    await expect(consumer(event, context)).rejects.toThrow('boom');
  });
});
