import { getConnection, putConnection, testConnection } from '../../../lambdas/domain/admin/connections';
import { AdminConflictError } from '../../../lambdas/domain/admin/errors';
import type { ConnectionCheck } from '../../../lambdas/domain/bsp';
import { BUSINESS, adminHarness, putBody, type AdminHarness } from './fakes';

const body = (overrides: Record<string, unknown> = {}) => putBody(overrides) as Parameters<typeof putConnection>[1];
const REJECTED: ConnectionCheck = { ok: false, code: '20003', credentialsRejected: true, detail: 'Twilio rejected the Account SID and Auth Token.' };
const changes = (h: AdminHarness) => h.events.published.map((e) => (e.detail as { change: string }).change);

/** A saved connection, marked by a refused send (what `DynamoDbConnectionAttention` writes). */
async function markedBySend(h: AdminHarness): Promise<string> {
  const { connection } = await putConnection(BUSINESS, body(), h.deps);
  await testConnection(BUSINESS, {}, h.deps);
  await h.store.markNeedsAttention(connection.connectionId, { reason: 'credentials-rejected', code: '20003', at: '2026-11-27T09:00:00.000Z' });
  h.events.published.length = 0;
  return connection.connectionId;
}

describe('admin connection test and the needs-attention marker', () => {
  it('marks a connection whose credentials worked when the BSP now refuses them, shows why, and announces it once', async () => {
    // Prepare: connected and verified, then the token is revoked at the BSP.
    const h = adminHarness();
    const rejected: string[] = [];
    h.deps.onCredentialsRejected = (connection, code) => rejected.push(`${connection.provider} ${code}`);
    await putConnection(BUSINESS, body(), h.deps);
    await testConnection(BUSINESS, {}, h.deps);
    h.events.published.length = 0;
    h.tester.credentials = REJECTED;

    // Act
    await testConnection(BUSINESS, {}, h.deps);
    h.now.value = new Date('2026-11-27T11:00:00.000Z');
    await testConnection(BUSINESS, {}, h.deps);

    // Assess
    const view = await getConnection(BUSINESS, h.deps);
    expect(view.attention).toEqual({ reason: 'credentials-rejected', code: '20003', at: '2026-11-27T10:00:00.000Z' });
    expect(changes(h)).toEqual(['needs-attention', 'tested']);
    expect(h.events.published[0].detail).toEqual(expect.objectContaining({ attention: { reason: 'credentials-rejected', code: '20003' } }));
    // The second test finds the connection unverified: the marker stays, nothing is counted twice.
    expect(rejected).toEqual(['twilio 20003']);
  });

  it('does not mark a number being set up whose credentials never passed: the failed step says it, no alarm', async () => {
    // Prepare
    const h = adminHarness();
    const rejected: string[] = [];
    h.deps.onCredentialsRejected = (connection, code) => rejected.push(`${connection.provider} ${code}`);
    await putConnection(BUSINESS, body(), h.deps);
    h.tester.credentials = REJECTED;

    // Act
    const { result } = await testConnection(BUSINESS, {}, h.deps);

    // Assess
    expect(result.verified).toBe(false);
    expect((await getConnection(BUSINESS, h.deps)).attention).toBeUndefined();
    expect(changes(h)).toEqual(['saved']);
    expect(rejected).toEqual([]);
  });

  it('does not mark a connection whose credentials step failed for another reason', async () => {
    // Prepare
    const h = adminHarness();
    await putConnection(BUSINESS, body(), h.deps);
    h.tester.credentials = { ok: false, code: 'BSP_TIMEOUT', detail: 'no answer' };

    // Act
    await testConnection(BUSINESS, {}, h.deps);

    // Assess
    expect((await getConnection(BUSINESS, h.deps)).attention).toBeUndefined();
    expect(changes(h)).toEqual(['saved']);
  });

  it('clears a marker when the BSP accepts the credentials, and says so even if nothing else changed', async () => {
    // Prepare
    const h = adminHarness();
    await markedBySend(h);
    expect((await getConnection(BUSINESS, h.deps)).attention).toBeDefined();

    // Act
    const { result } = await testConnection(BUSINESS, {}, h.deps);

    // Assess
    expect(result.verified).toBe(true);
    expect((await getConnection(BUSINESS, h.deps)).attention).toBeUndefined();
    expect(changes(h)).toEqual(['tested']);
  });

  it('clears it when the credentials pass but a later step fails: the refusal it reported is over', async () => {
    // Prepare
    const h = adminHarness();
    await markedBySend(h);
    h.tester.sender = { ok: false, code: 'SENDER_NOT_FOUND', detail: 'not a sender of this account' };

    // Act
    await testConnection(BUSINESS, {}, h.deps);

    // Assess
    const view = await getConnection(BUSINESS, h.deps);
    expect(view.attention).toBeUndefined();
    expect(view.verified).toBe(false);
  });

  it('keeps a marker the send path wrote when the test sees the refusal too, without a second announcement', async () => {
    // Prepare
    const h = adminHarness();
    await markedBySend(h);
    h.tester.credentials = { ...REJECTED, code: '190' };

    // Act
    await testConnection(BUSINESS, {}, h.deps);

    // Assess
    expect((await getConnection(BUSINESS, h.deps)).attention).toEqual({ reason: 'credentials-rejected', code: '20003', at: '2026-11-27T09:00:00.000Z' });
    expect(changes(h)).toEqual(['tested']);
  });

  it('does not mark credentials saved while the test ran: the refusal judged the old ones', async () => {
    // Prepare
    const h = adminHarness();
    await putConnection(BUSINESS, body(), h.deps);
    h.tester.checkCredentials = async () => {
      h.now.value = new Date('2026-11-27T10:00:01.000Z');
      await putConnection(BUSINESS, body(), h.deps);
      return REJECTED;
    };

    // Act
    const testing = testConnection(BUSINESS, {}, h.deps);

    // Assess
    await expect(testing).rejects.toBeInstanceOf(AdminConflictError);
    expect((await getConnection(BUSINESS, h.deps)).attention).toBeUndefined();
    expect(changes(h)).not.toContain('needs-attention');
  });

  it('records the verdict when the marker cannot be written, and reports the failure', async () => {
    // Prepare
    const h = adminHarness();
    const failures: unknown[] = [];
    h.deps.attention = { markNeedsAttention: () => Promise.reject(new Error('table throttled')) };
    h.deps.onAttentionMarkFailed = (error) => failures.push(error);
    await putConnection(BUSINESS, body(), h.deps);
    await testConnection(BUSINESS, {}, h.deps);
    h.tester.credentials = REJECTED;

    // Act
    const { result } = await testConnection(BUSINESS, {}, h.deps);

    // Assess
    expect(result.steps[0]).toEqual(expect.objectContaining({ ok: false, code: '20003' }));
    expect((await getConnection(BUSINESS, h.deps)).lastTest?.ok).toBe(false);
    expect(failures).toHaveLength(1);
  });
});
