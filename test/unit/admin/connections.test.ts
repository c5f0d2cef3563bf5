import { deleteConnection, getConnection, putConnection, testConnection, webhookUrlsFor } from '../../../lambdas/domain/admin/connections';
import { AdminConflictError, AdminNotFoundError } from '../../../lambdas/domain/admin/errors';
import { BspUnavailableError } from '../../../lambdas/shared/errors';
import { ACCOUNT_SID, AUTH_TOKEN, BUSINESS, NUMBER, adminHarness, putBody } from './fakes';

const body = (overrides: Record<string, unknown> = {}) => putBody(overrides) as Parameters<typeof putConnection>[1];

describe('admin connections (domain)', () => {
  it('shows "not connected" for a business without a connection', async () => {
    const h = adminHarness();
    expect(await getConnection(BUSINESS, h.deps)).toEqual({ businessId: BUSINESS, connected: false, status: 'not_connected', verified: false });
  });

  it('creates a connection: random id, secret with the credentials, unverified view without the secret', async () => {
    // Prepare
    const h = adminHarness();

    // Act
    const { view, created } = await putConnection(BUSINESS, body(), h.deps);

    // Assess
    expect(created).toBe(true);
    expect(view).toEqual({
      businessId: BUSINESS,
      connected: false,
      status: 'active',
      connectionId: 'cn_TEST0000000000000000000001',
      provider: 'twilio',
      displayNumber: NUMBER,
      verified: false,
      updatedAt: '2026-11-27T10:00:00.000Z',
      credentials: { accountSid: ACCOUNT_SID, authTokenLast4: AUTH_TOKEN.slice(-4) },
      webhookUrls: webhookUrlsFor('https://hooks.example.com', 'twilio', 'cn_TEST0000000000000000000001'),
      handoff: { pauseHours: 12 },
    });
    expect(JSON.stringify(view)).not.toContain(AUTH_TOKEN);
    expect(h.secrets.read(h.store.items.get(view.connectionId!)!.secretArn)).toEqual({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    expect([...h.secrets.secrets.keys()]).toEqual([`echo-whatsapp/connections/${view.connectionId}`]);
    expect(h.events.published).toEqual([
      {
        detailType: 'connection.changed',
        detail: expect.objectContaining({ businessId: BUSINESS, connectionId: view.connectionId, provider: 'twilio', change: 'saved', verified: false }),
      },
    ]);
  });

  it('builds the webhook URLs each BSP calls: three for Twilio, one for Meta and 360dialog', () => {
    expect(webhookUrlsFor('https://hooks.example.com/', 'twilio', 'cn_X')).toEqual({
      incoming: 'https://hooks.example.com/webhook/whatsapp/twilio/cn_X',
      statusCallback: 'https://hooks.example.com/webhook/whatsapp/twilio/cn_X/status',
      fallback: 'https://hooks.example.com/webhook/whatsapp/twilio/cn_X/fallback',
    });
    expect(webhookUrlsFor('https://hooks.example.com', 'meta', 'cn_X')).toEqual({ incoming: 'https://hooks.example.com/webhook/whatsapp/meta/cn_X' });
    expect(webhookUrlsFor('https://hooks.example.com', '360dialog', 'cn_X')).toEqual({ incoming: 'https://hooks.example.com/webhook/whatsapp/360dialog/cn_X' });
  });

  it('re-saving rotates: same connection id, a new secret version, verified reset, last test dropped', async () => {
    // Prepare
    const h = adminHarness();
    const first = await putConnection(BUSINESS, body(), h.deps);
    await testConnection(BUSINESS, {}, h.deps);
    expect((await getConnection(BUSINESS, h.deps)).verified).toBe(true);
    const rotated = 'ffffffffffffffffffffffffffff1234';

    // Act
    h.now.value = new Date('2026-11-27T11:00:00.000Z');
    const second = await putConnection(BUSINESS, body({ authToken: rotated, messagingServiceSid: `MG${'b'.repeat(32)}` }), h.deps);

    // Assess
    expect(second.created).toBe(false);
    expect(second.view.connectionId).toBe(first.view.connectionId);
    expect(second.view.verified).toBe(false);
    expect(second.view.lastTest).toBeUndefined();
    expect(second.view.credentials).toEqual({ accountSid: ACCOUNT_SID, authTokenLast4: '1234', messagingServiceSid: `MG${'b'.repeat(32)}` });
    const secret = h.secrets.secrets.get(`echo-whatsapp/connections/${first.view.connectionId}`)!;
    expect(secret.versions).toHaveLength(2);
    expect(h.secrets.read(h.store.items.get(first.view.connectionId!)!.secretArn).authToken).toBe(rotated);
  });

  it('starts again with a new id when a DELETE removes the connection between claim and save', async () => {
    const h = adminHarness();
    await putConnection(BUSINESS, body(), h.deps);
    let once = true;
    h.store.beforeSave = () => {
      if (once) {
        once = false;
        h.store.pointers.delete(BUSINESS);
      }
    };
    const { view, created } = await putConnection(BUSINESS, body(), h.deps);
    expect(created).toBe(true);
    expect(view.connectionId).toBe('cn_TEST0000000000000000000003');
    // The save that lost to the DELETE wrote nothing, so announced nothing: one `saved` per applied save.
    expect(h.events.published.map((e) => (e.detail as { connectionId: string }).connectionId)).toEqual(['cn_TEST0000000000000000000001', view.connectionId]);
  });

  it('gives up with 409 when every save loses to a concurrent DELETE, announcing nothing', async () => {
    const h = adminHarness();
    h.store.beforeSave = () => h.store.pointers.delete(BUSINESS);
    await expect(putConnection(BUSINESS, body(), h.deps)).rejects.toBeInstanceOf(AdminConflictError);
    expect(h.store.outbox.size).toBe(0);
    expect(h.events.published).toEqual([]);
  });

  it('writes each connection.changed on the connection item with the change itself (its outbox entry)', async () => {
    // Prepare
    const h = adminHarness();
    const { view } = await putConnection(BUSINESS, body(), h.deps);
    const afterSave = h.store.outbox.get(view.connectionId!);

    // Act
    await testConnection(BUSINESS, {}, h.deps);
    const afterTest = h.store.outbox.get(view.connectionId!);
    await deleteConnection(BUSINESS, h.deps);

    // Assess
    expect(afterSave?.detail).toEqual(expect.objectContaining({ change: 'saved', status: 'active', verified: false }));
    expect(afterTest?.detail).toEqual(expect.objectContaining({ change: 'tested', verified: true }));
    expect(h.store.outbox.get(view.connectionId!)?.detail).toEqual(expect.objectContaining({ change: 'deleted', status: 'disabled', verified: false }));
    expect(h.store.writes.filter((w) => w.startsWith('save') || w.startsWith('test') || w.startsWith('disable'))).toHaveLength(3);
  });

  it('deletes: disabled, unverified, secret scheduled for deletion; a second delete and a test are 404; the next PUT makes a new id', async () => {
    // Prepare
    const h = adminHarness();
    const { view } = await putConnection(BUSINESS, body(), h.deps);

    // Act
    await deleteConnection(BUSINESS, h.deps);

    // Assess
    expect(h.store.items.get(view.connectionId!)).toEqual(expect.objectContaining({ status: 'disabled', verified: false }));
    expect(h.secrets.writes).toContain(`delete echo-whatsapp/connections/${view.connectionId} 7`);
    expect(await getConnection(BUSINESS, h.deps)).toEqual(expect.objectContaining({ status: 'not_connected' }));
    await expect(deleteConnection(BUSINESS, h.deps)).rejects.toBeInstanceOf(AdminNotFoundError);
    await expect(testConnection(BUSINESS, {}, h.deps)).rejects.toBeInstanceOf(AdminNotFoundError);
    const again = await putConnection(BUSINESS, body(), h.deps);
    expect(again.created).toBe(true);
    expect(again.view.connectionId).not.toBe(view.connectionId);
    expect(h.events.published.map((e) => (e.detail as { change: string }).change)).toEqual(['saved', 'deleted', 'saved']);
  });

  it('keeps the connection disabled when scheduling the secret deletion fails, and reports it', async () => {
    const h = adminHarness();
    await putConnection(BUSINESS, body(), h.deps);
    h.secrets.scheduleDeletion = () => Promise.reject(new Error('Secrets Manager down'));
    const reported: unknown[] = [];
    await deleteConnection(BUSINESS, { ...h.deps, onSecretDeletionFailed: (error) => reported.push(error) });
    expect(reported).toHaveLength(1);
    expect((await getConnection(BUSINESS, h.deps)).status).toBe('not_connected');
  });

  describe('test', () => {
    it('passes credentials and sender: verified, lastTest stored, connection.changed published', async () => {
      const h = adminHarness();
      await putConnection(BUSINESS, body(), h.deps);
      const { result } = await testConnection(BUSINESS, {}, h.deps);
      expect(result).toEqual({
        ok: true,
        verified: true,
        displayNumber: NUMBER,
        steps: [
          { id: 'credentials', ok: true, detail: 'ok' },
          { id: 'sender', ok: true, detail: 'ok' },
        ],
      });
      expect(h.tester.calls).toEqual([`credentials ${ACCOUNT_SID}`, `sender ${NUMBER}`]);
      const view = await getConnection(BUSINESS, h.deps);
      expect(view).toEqual(expect.objectContaining({ connected: true, verified: true, lastTest: { at: '2026-11-27T10:00:00.000Z', ok: true, steps: result.steps } }));
      expect(h.events.published.at(-1)).toEqual({ detailType: 'connection.changed', detail: expect.objectContaining({ change: 'tested', verified: true }) });
    });

    it('skips the sender and the test message after failed credentials, and stays unverified', async () => {
      const h = adminHarness();
      await putConnection(BUSINESS, body(), h.deps);
      h.tester.credentials = { ok: false, code: '20003', detail: 'wrong token' };
      const { result } = await testConnection(BUSINESS, { sendTo: '+5215599999999' }, h.deps);
      expect(result.verified).toBe(false);
      expect(result.ok).toBe(false);
      expect(result.steps).toEqual([
        { id: 'credentials', ok: false, code: '20003', detail: 'wrong token' },
        { id: 'sender', ok: false, skipped: true, detail: expect.any(String) },
        { id: 'testMessage', ok: false, skipped: true, detail: expect.any(String) },
      ]);
      expect(h.tester.calls).toHaveLength(1);
      // verified did not change (false → false): no event for the test.
      expect(h.events.published.map((e) => (e.detail as { change: string }).change)).toEqual(['saved']);
    });

    it('sends the test message from the connection number when asked, after both checks passed', async () => {
      const h = adminHarness();
      await putConnection(BUSINESS, body(), h.deps);
      h.tester.message = { ok: false, code: '63015', detail: 'not joined' };
      const { result } = await testConnection(BUSINESS, { sendTo: '+5215599999999' }, h.deps);
      expect(h.tester.calls.at(-1)).toBe(`message ${NUMBER} +5215599999999`);
      expect(result).toEqual(expect.objectContaining({ ok: false, verified: true }));
      expect(result.steps[2]).toEqual({ id: 'testMessage', ok: false, code: '63015', detail: 'not joined' });
    });

    it('records nothing when the BSP is unavailable (502)', async () => {
      const h = adminHarness();
      await putConnection(BUSINESS, body(), h.deps);
      h.tester.sender = new BspUnavailableError('Twilio down');
      await expect(testConnection(BUSINESS, {}, h.deps)).rejects.toBeInstanceOf(BspUnavailableError);
      expect(h.store.writes.filter((w) => w.startsWith('test'))).toEqual([]);
    });

    it('is a conflict when the credentials were re-saved during the test', async () => {
      const h = adminHarness();
      await putConnection(BUSINESS, body(), h.deps);
      const realSender = h.tester.checkSender.bind(h.tester);
      h.tester.checkSender = async (credentials, target) => {
        h.now.value = new Date('2026-11-27T10:00:01.000Z');
        await putConnection(BUSINESS, body(), h.deps);
        return realSender(credentials, target);
      };
      await expect(testConnection(BUSINESS, {}, h.deps)).rejects.toBeInstanceOf(AdminConflictError);
      expect((await getConnection(BUSINESS, h.deps)).verified).toBe(false);
      // The test's write was refused, and its `tested` with it: the two saves' events only.
      expect(h.events.published.map((e) => (e.detail as { change: string }).change)).toEqual(['saved', 'saved']);
    });
  });
});
