import type { Connection } from '../../../lambdas/domain/connection';
import type { InboundMessage } from '../../../lambdas/domain/message';
import type { InboundMessageSource } from '../../../lambdas/domain/reconcile-inbound';
import { createReconcileHandler, type ReconcileDeps } from '../../../lambdas/handlers/reconcile/handler';
import { loadReconcileEnv } from '../../../lambdas/handlers/reconcile/env';
import type { ProviderCredentials } from '../../../lambdas/providers/whatsapp/provider';
import { SendFailedError } from '../../../lambdas/shared/errors';
import { CachedCredentials, FixedDirectory, RecordingQueue, RecordingStore, silentPowertools } from '../../support/fakes';

const NOW = new Date('2026-11-27T12:00:00Z');

function connection(id: string, number: string): Connection {
  return { connectionId: id, businessId: `biz-${id}`, provider: 'twilio', status: 'active', displayNumber: number, secretArn: `secret-${id}` };
}

function message(externalId: string, to: string): InboundMessage {
  return {
    provider: 'twilio',
    externalId,
    accountId: 'AC1',
    to,
    customer: { id: '+5215512345678', isPhoneNumber: true },
    content: { type: 'text', text: 'hola' },
  };
}

function setup(sourceFor: (credentials: ProviderCredentials, number: string) => InboundMessageSource) {
  const a = connection('a', '+14155550001');
  const b = connection('b', '+14155550002');
  const c = connection('c', '+14155550003');
  const { logger, metrics } = silentPowertools();
  const metricSpy = jest.spyOn(metrics, 'addMetric');
  const errors = jest.spyOn(logger, 'error');
  const store = new RecordingStore();
  const queue = new RecordingQueue();
  const deps: ReconcileDeps = {
    activeConnections: { list: async () => [a, b, c] },
    credentials: new CachedCredentials({
      'secret-a': { accountSid: 'AC1', authToken: 'token-a-0123456789abcdef0123456' },
      'secret-b': { accountSid: 'AC1', authToken: 'token-b-0123456789abcdef0123456' },
      'secret-c': { accountSid: 'AC1', authToken: 'token-c-0123456789abcdef0123456' },
    }),
    sources: { twilio: { sourceFor } },
    index: { existing: async () => new Set<string>() },
    store,
    queue,
    connections: new FixedDirectory([a, b, c]),
    clock: { now: () => NOW },
    logger,
    metrics,
    config: { lookbackMs: 30 * 60_000, settleMs: 120_000, dedupeTtlMs: 86_400_000, concurrency: 2 },
  };
  const metric = (name: string) => metricSpy.mock.calls.filter(([n]) => n === name).map(([, , value]) => value);
  return { deps, store, queue, metric, errors };
}

describe('reconcile handler', () => {
  it('leaves connections of BSPs without a message listing (Meta, 360dialog) alone, without counting them as failures', async () => {
    // Prepare
    const listed: string[] = [];
    const { deps, metric } = setup((_credentials, number) => {
      listed.push(number);
      return { list: async () => ({ complete: true, messages: [] }) };
    });
    const twilio = connection('a', '+14155550001');
    const meta: Connection = { ...connection('m', '+14155550009'), provider: 'meta', providerNumberId: '1234567890' };
    const dialog360: Connection = { ...connection('d', '+14155550008'), provider: '360dialog' };
    deps.activeConnections = { list: async () => [twilio, meta, dialog360] };

    // Act
    const result = await createReconcileHandler(deps)();

    // Assess
    expect(listed).toEqual(['+14155550001']);
    expect(result).toMatchObject({ connections: 1, withoutListing: 2, failedConnections: 0 });
    expect(metric('ReconcileFailed')).toEqual([0]);
  });

  it('reconciles every connection independently: one failing BSP does not stop the others', async () => {
    const { deps, queue, metric, errors } = setup((_credentials, number) => ({
      async list() {
        if (number === '+14155550002') throw new SendFailedError('retryable', '20429', 'rate limited', { httpStatus: 429 });
        return {
          complete: true,
          messages: [{ externalId: `SM${number.slice(-1)}`, receivedAt: new Date(NOW.getTime() - 10 * 60_000), load: async () => message(`SM${number.slice(-1)}`, number) }],
        };
      },
    }));

    const result = await createReconcileHandler(deps)();

    expect(result).toEqual({ connections: 3, failedConnections: 1, connectionsLeft: 0, withoutListing: 0, listed: 2, alreadyStored: 0, ingested: 2, failedMessages: 0 });
    expect(queue.sent.map((sent) => sent.message.externalId).sort()).toEqual(['SM1', 'SM3']);
    expect(metric('ReconcileListed')).toEqual([2]);
    expect(metric('ReconcileIngested')).toEqual([2]);
    expect(metric('ReconcileFailed')).toEqual([1]);
    // Logged with the connection and the BSP code, never the token or the number.
    expect(errors).toHaveBeenCalledWith('connection not reconciled; the next run tries again', expect.objectContaining({ connectionId: 'b', error: expect.objectContaining({ code: '20429', httpStatus: 429 }) }));
    const logged = JSON.stringify(errors.mock.calls);
    expect(logged).not.toContain('token-b');
    expect(logged).not.toContain('+14155550002');
  });

  it('reports zero ingested and zero failed on a healthy run', async () => {
    const { deps, metric } = setup(() => ({ list: async () => ({ complete: true, messages: [] }) }));
    await createReconcileHandler(deps)();
    expect(metric('ReconcileIngested')).toEqual([0]);
    expect(metric('ReconcileFailed')).toEqual([0]);
  });

  it('starts no new connection when the invocation is about to time out', async () => {
    const { deps } = setup(() => ({ list: async () => ({ complete: true, messages: [] }) }));
    const context = { getRemainingTimeInMillis: () => 1_000 } as never;
    const result = await createReconcileHandler(deps)(undefined, context);
    expect(result).toMatchObject({ connections: 3, connectionsLeft: 3 });
  });
});

describe('reconcile env', () => {
  const base = {
    CONNECTIONS_TABLE: 'c',
    CONVERSATIONS_TABLE: 'v',
    MESSAGES_TABLE: 'm',
    DEDUPE_TABLE: 'd',
    INBOUND_QUEUE_URL: 'http://localhost/queue.fifo',
    EVENT_BUS_NAME: 'bus',
  };

  it('defaults to a 30-minute look-back, a 2-minute settle time and Twilio\'s API', () => {
    expect(loadReconcileEnv(base)).toMatchObject({
      RECONCILE_LOOKBACK_MINUTES: 30,
      RECONCILE_SETTLE_SECONDS: 120,
      TWILIO_API_BASE_URL: 'https://api.twilio.com',
      DEDUPE_TTL_DAYS: 14,
    });
  });

  it('refuses a settle time as long as the look-back, and a missing table', () => {
    expect(() => loadReconcileEnv({ ...base, RECONCILE_LOOKBACK_MINUTES: '2', RECONCILE_SETTLE_SECONDS: '120' })).toThrow('shorter than the look-back');
    expect(() => loadReconcileEnv({ ...base, DEDUPE_TABLE: '' })).toThrow('DEDUPE_TABLE');
  });
});
