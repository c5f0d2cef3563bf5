import type { Connection } from '../../../lambdas/domain/connection';
import { credentialsRejectedReporter, reportCredentialsRejected, type ConnectionAttention, type ConnectionAttentionStore, type MarkCondition } from '../../../lambdas/domain/connection-attention';
import type { DomainEvent } from '../../../lambdas/domain/events';
import { conversationIdFor } from '../../../lambdas/domain/ids';
import { sendOutbound } from '../../../lambdas/domain/outbound/send-outbound';
import { classifyTwilioHttpError } from '../../../lambdas/providers/whatsapp/twilio/send/errors';
import { classifyCloudApiFailure } from '../../../lambdas/providers/whatsapp/cloud-api/errors';
import { BUSINESS, CUSTOMER, connection, sendHarness } from '../outbound/fakes';

/** Marks like the DynamoDB adapter: once per connection, the event written with the mark (a verified connection's). */
class OnceStore implements ConnectionAttentionStore {
  readonly marks: Array<{ connectionId: string; attention: ConnectionAttention }> = [];
  /** The outbox entries the marking writes carried: what the event relay publishes. */
  readonly outbox: DomainEvent[] = [];
  async markNeedsAttention(connectionId: string, attention: ConnectionAttention, _only?: MarkCondition, eventFor?: (verified: boolean) => DomainEvent) {
    if (this.marks.some((mark) => mark.connectionId === connectionId)) return undefined;
    this.marks.push({ connectionId, attention });
    if (eventFor) this.outbox.push(eventFor(true));
    return { verified: true };
  }
}

const active: Connection = { ...connection, status: 'active' };
const clock = { now: () => new Date('2026-11-26T12:00:00Z') };

describe('credentials rejected', () => {
  it('marks the connection once and announces it once (with the mark), however many sends are refused', async () => {
    // Prepare
    const attention = new OnceStore();
    const rejected: string[] = [];

    // Act
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await reportCredentialsRejected(active, '20003', { attention, clock, onRejected: (_c, code) => rejected.push(code) }));

    // Assess
    expect(outcomes).toEqual(['marked', 'already-marked', 'already-marked']);
    expect(rejected).toHaveLength(3);
    expect(attention.marks).toEqual([{ connectionId: active.connectionId, attention: { reason: 'credentials-rejected', code: '20003', at: '2026-11-26T12:00:00.000Z' } }]);
    expect(attention.outbox).toEqual([
      {
        detailType: 'connection.changed',
        detail: expect.objectContaining({ change: 'needs-attention', connectionId: active.connectionId, verified: true, attention: { reason: 'credentials-rejected', code: '20003' } }),
      },
    ]);
  });

  it('never throws from the send path when the marker cannot be written', async () => {
    // Prepare
    const failures: unknown[] = [];
    const report = credentialsRejectedReporter({
      attention: { markNeedsAttention: () => Promise.reject(new Error('table down')) },
      clock,
      onMarkFailed: (error) => failures.push(error),
    });

    // Act / Assess
    await expect(report(active, '190')).resolves.toBeUndefined();
    expect(failures).toHaveLength(1);
  });

  it.each([
    ['Twilio 20003', classifyTwilioHttpError(401, { code: 20003 }), true],
    ['Twilio HTTP 401 without a code', classifyTwilioHttpError(401, {}), true],
    ['Twilio invalid number', classifyTwilioHttpError(400, { code: 21211 }), false],
    ['Meta 190', classifyCloudApiFailure({ type: 'http', status: 401, body: { error: { code: 190, message: 'expired' } } }), true],
    ['360dialog HTTP 401', classifyCloudApiFailure({ type: 'http', status: 401, body: { meta: { developer_message: 'Invalid api_key' } } }), true],
    ['Meta window closed', classifyCloudApiFailure({ type: 'http', status: 400, body: { error: { code: 131047 } } }), false],
  ])('providers flag %s as credentials rejected: %s', (_name, error, expected) => {
    expect(error.options.credentialsRejected === true).toBe(expected);
  });

  it('the send use case reports a refused credential with the connection, and fails the message as before', async () => {
    // Prepare
    const h = sendHarness();
    const conversationId = conversationIdFor(connection.connectionId, CUSTOMER);
    h.store.conversations.set(conversationId, {
      conversationId,
      businessId: BUSINESS,
      connectionId: connection.connectionId,
      customerId: CUSTOMER,
      lastCustomerMessageAt: new Date(h.now.value.getTime() - 3_600_000).toISOString(),
    });
    const reported: Array<{ connectionId: string; code: string }> = [];
    h.deps.onCredentialsRejected = async (rejected, code) => void reported.push({ connectionId: rejected.connectionId, code });
    h.sender.then(classifyTwilioHttpError(401, { code: 20003 }));

    // Act
    const result = await sendOutbound(
      { body: JSON.stringify({ version: 1, businessId: BUSINESS, conversationId, idempotencyKey: 'k1', content: { type: 'text', text: 'hola' } }), receiveCount: 1 },
      h.deps,
    );

    // Assess
    expect(result.parts.map((part) => part.result)).toEqual(['failed']);
    expect(reported).toEqual([{ connectionId: connection.connectionId, code: '20003' }]);
  });
});
