import { putConnection } from '../../../lambdas/domain/admin/connections';
import {
  listConversations,
  listMessages,
  messageViewOf,
  sendMessage,
  summaryOf,
  windowViewOf,
} from '../../../lambdas/domain/admin/conversations';
import { decodeCursor, encodeCursor } from '../../../lambdas/domain/admin/cursor';
import { AdminConflictError, AdminNotFoundError, AdminValidationError, ProviderNotSupportedError } from '../../../lambdas/domain/admin/errors';
import { createReengagementTemplate, listTemplates } from '../../../lambdas/domain/admin/templates';
import { conversationIdFor } from '../../../lambdas/domain/ids';
import { outboundMessageSchema } from '../../../lambdas/domain/outbound/contract';
import { BUSINESS, META, NUMBER, OTHER_BUSINESS, adminHarness, dialog360Body, metaBody, putBody, reengagement, type AdminHarness } from './fakes';

const NOW = new Date('2026-11-27T10:00:00.000Z');

/** The template routes' dependencies: the harness's template port of each provider. */
const templateDeps = (h: AdminHarness, bsps: AdminHarness['deps']['templateBsps'] = h.deps.templateBsps) => ({
  connections: h.store,
  registry: h.registry,
  credentials: { get: async (secretId: string) => h.secrets.read(secretId) },
  bsps,
  reengagement,
  now: () => NOW,
});

function seedConversations(h: AdminHarness, businessId: string, count: number, connectionId = 'conn1'): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const conversationId = conversationIdFor(`${businessId}-${connectionId}`, `+52155000000${String(i).padStart(2, '0')}`);
    ids.push(conversationId);
    h.data.conversations.set(conversationId, {
      conversationId,
      businessId,
      connectionId,
      customerId: `+52155000000${String(i).padStart(2, '0')}`,
      lastMessageAt: new Date(NOW.getTime() - (count - i) * 60_000).toISOString(),
      lastCustomerMessageAt: new Date(NOW.getTime() - (count - i) * 60_000).toISOString(),
      windowExpiresAt: new Date(NOW.getTime() - (count - i) * 60_000 + 86_400_000).toISOString(),
    });
  }
  return ids;
}

describe('admin conversations (domain)', () => {
  it('pages conversations newest first with an opaque cursor', async () => {
    const h = adminHarness();
    const ids = seedConversations(h, BUSINESS, 5);
    seedConversations(h, OTHER_BUSINESS, 3);

    const first = await listConversations(BUSINESS, { limit: 2 }, h.deps);
    const second = await listConversations(BUSINESS, { limit: 2, cursor: first.nextCursor }, h.deps);
    const third = await listConversations(BUSINESS, { limit: 2, cursor: second.nextCursor }, h.deps);

    expect([...first.items, ...second.items, ...third.items].map((c) => c.conversationId)).toEqual([...ids].reverse());
    expect(third.nextCursor).toBeUndefined();
    expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(first.items[0]).toEqual({
      conversationId: ids[4],
      customer: { id: '+5215500000004' },
      lastMessageAt: expect.any(String),
      lastCustomerMessageAt: expect.any(String),
      window: { state: 'open', expiresAt: expect.any(String) },
      aiPaused: false,
    });
  });

  it("refuses another business's cursor, a forged one and garbage with 400", async () => {
    const h = adminHarness();
    seedConversations(h, OTHER_BUSINESS, 3);
    const theirs = (await listConversations(OTHER_BUSINESS, { limit: 1 }, h.deps)).nextCursor!;
    await expect(listConversations(BUSINESS, { limit: 1, cursor: theirs }, h.deps)).rejects.toBeInstanceOf(AdminValidationError);
    const forged = encodeCursor(BUSINESS, { conversationId: 'cv_X', businessId: OTHER_BUSINESS, lastMessageAt: 'x' });
    await expect(listConversations(BUSINESS, { limit: 1, cursor: forged }, h.deps)).rejects.toBeInstanceOf(AdminValidationError);
    await expect(listConversations(BUSINESS, { limit: 1, cursor: 'bm90LWpzb24' }, h.deps)).rejects.toBeInstanceOf(AdminValidationError);
    expect(() => decodeCursor(encodeCursor('s', { a: 'x', b: 'y' }), 's', ['a'], {})).toThrow(AdminValidationError);
  });

  it('computes the window state: open, expiring in the last hour, closed', () => {
    const at = (ms: number) => ({ windowExpiresAt: new Date(NOW.getTime() + ms).toISOString() });
    expect(windowViewOf(at(2 * 3_600_000), NOW).state).toBe('open');
    expect(windowViewOf(at(30 * 60_000), NOW).state).toBe('expiring');
    expect(windowViewOf(at(-1), NOW).state).toBe('closed');
    expect(windowViewOf({}, NOW)).toEqual({ state: 'closed' });
  });

  it('lists messages newest first with statuses, times and failure reasons; 404 for a foreign conversation', async () => {
    const h = adminHarness();
    const [mine] = seedConversations(h, BUSINESS, 1);
    const [theirs] = seedConversations(h, OTHER_BUSINESS, 1);
    h.data.messages.set(mine, [
      { conversationId: mine, messageId: '01A', direction: 'inbound', type: 'text', content: { type: 'text', text: 'Hola\nquiero pan' }, receivedAt: 't1', createdAt: 't1' },
      {
        conversationId: mine,
        messageId: '01B',
        direction: 'outbound',
        type: 'buttons',
        content: { type: 'buttons', body: 'Elige', buttons: [] },
        createdAt: 't2',
        deliveryStatus: 'failed',
        sentAt: 't3',
        failedAt: 't4',
        errorCode: '63016',
        errorReason: 'outside the window',
        failureReason: 'window-closed',
        idempotencyKey: 'admin:1',
        sendState: 'failed',
      },
    ]);
    const page = await listMessages(BUSINESS, mine, { limit: 50 }, h.deps);
    expect(page.items.map((m) => m.messageId)).toEqual(['01B', '01A']);
    expect(page.items[0]).toEqual({
      messageId: '01B',
      direction: 'outbound',
      type: 'buttons',
      text: 'Elige',
      content: { type: 'buttons', body: 'Elige', buttons: [] },
      createdAt: 't2',
      status: 'failed',
      statusTimes: { queued: 't2', sent: 't3', failed: 't4' },
      errorCode: '63016',
      errorReason: 'outside the window',
      failureReason: 'window-closed',
      idempotencyKey: 'admin:1',
      sentBy: 'echo-service',
    });
    expect(page.items[1].text).toBe('Hola quiero pan');
    await expect(listMessages(BUSINESS, theirs, { limit: 50 }, h.deps)).rejects.toBeInstanceOf(AdminNotFoundError);
  });

  it('gives inbound media a presigned link once stored, and the state and reason of the others', async () => {
    // Prepare: an inbound photo (stored), voice note (still being fetched) and document (too large), and an outbound image.
    const h = adminHarness();
    const [mine] = seedConversations(h, BUSINESS, 1);
    const signed: Array<{ key: string; attachmentName?: string }> = [];
    const mediaSigner = {
      sign: async (key: string, options: { attachmentName?: string } = {}) => {
        signed.push({ key, ...options });
        return { url: `https://media.example/${key}?X-Amz-Signature=abc`, expiresAt: '2026-11-27T10:15:00.000Z' };
      },
    };
    const stored = { status: 'stored', key: 'acme/cn/cv/01A/0', contentType: 'image/jpeg', size: 34_000, sha256: 'ab'.repeat(32), attempts: 1, at: 't1' };
    h.data.messages.set(mine, [
      { conversationId: mine, messageId: '01A', direction: 'inbound', type: 'image', createdAt: 't1', content: { type: 'image', caption: 'Pan', media: [{ kind: 'image', contentType: 'image/jpeg', id: 'm1', mirror: stored }] } },
      { conversationId: mine, messageId: '01B', direction: 'inbound', type: 'voice', createdAt: 't2', content: { type: 'voice', media: [{ kind: 'voice', contentType: 'audio/ogg', id: 'm2' }] } },
      {
        conversationId: mine,
        messageId: '01C',
        direction: 'inbound',
        type: 'document',
        createdAt: 't3',
        content: { type: 'document', media: [{ kind: 'document', contentType: 'application/pdf', filename: 'menu.pdf', mirror: { status: 'too-large', reason: 'over-104857600-bytes', attempts: 1, at: 't3' } }] },
      },
      { conversationId: mine, messageId: '01D', direction: 'outbound', type: 'image', createdAt: 't4', content: { type: 'image', media: [{ kind: 'image', contentType: 'image/png', url: 'https://cdn.example/p.png' }] } },
      { conversationId: mine, messageId: '01E', direction: 'inbound', type: 'text', createdAt: 't5', content: { type: 'text', text: 'Hola' } },
    ]);

    // Act
    const page = await listMessages(BUSINESS, mine, { limit: 50 }, { ...h.deps, mediaSigner });

    // Assess: only the stored item is signed; the page learns each item's state; no media list where there is none.
    const byId = new Map(page.items.map((m) => [m.messageId, m]));
    expect(byId.get('01A')!.media).toEqual([
      { index: 0, kind: 'image', contentType: 'image/jpeg', status: 'stored', size: 34_000, sha256: 'ab'.repeat(32), url: 'https://media.example/acme/cn/cv/01A/0?X-Amz-Signature=abc', urlExpiresAt: '2026-11-27T10:15:00.000Z' },
    ]);
    expect(byId.get('01B')!.media).toEqual([{ index: 0, kind: 'voice', contentType: 'audio/ogg', status: 'pending' }]);
    expect(byId.get('01C')!.media).toEqual([{ index: 0, kind: 'document', contentType: 'application/pdf', filename: 'menu.pdf', status: 'too-large', reason: 'over-104857600-bytes' }]);
    expect(byId.get('01D')!.media).toBeUndefined();
    expect(byId.get('01E')!.media).toBeUndefined();
    expect(signed).toEqual([{ key: 'acme/cn/cv/01A/0' }]);

    // Without a signer (no media bucket configured) nothing is listed.
    expect((await listMessages(BUSINESS, mine, { limit: 50 }, h.deps)).items.every((m) => m.media === undefined)).toBe(true);
  });

  it('summarises every content kind in one line', () => {
    expect(summaryOf({ type: 'template', template: { name: 'reengagement' } })).toBe('Template: reengagement');
    expect(summaryOf({ type: 'image', media: [], caption: 'Foto' })).toBe('Foto');
    expect(summaryOf({ type: 'audio', media: [] })).toBe('[audio]');
    expect(summaryOf({ type: 'list_reply', id: 'x', title: 'Pan' })).toBe('Pan');
    expect(summaryOf({ type: 'text', text: 'x'.repeat(300) })).toHaveLength(200);
    expect(messageViewOf({ messageId: 'x' })).toBeUndefined();
  });

  describe('send', () => {
    async function connected(h: AdminHarness): Promise<string> {
      const { view } = await putConnection(BUSINESS, putBody() as never, h.deps);
      return seedConversations(h, BUSINESS, 1, view.connectionId)[0];
    }

    it('enqueues an outbound contract v1 message with the admin-assigned message id', async () => {
      const h = adminHarness();
      const conversationId = await connected(h);
      const accepted = await sendMessage(BUSINESS, conversationId, { content: { type: 'text', text: 'Hola' }, fallbackText: 'Hola' }, h.deps);
      expect(accepted).toEqual({ messageId: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/), conversationId, idempotencyKey: expect.stringMatching(/^admin:/), status: 'accepted' });
      const [{ message, groupId }] = h.queue.sent;
      expect(groupId).toBe(conversationId);
      expect(outboundMessageSchema.parse(message)).toEqual(message);
      expect(message).toEqual({
        version: 1,
        businessId: BUSINESS,
        conversationId,
        idempotencyKey: accepted.idempotencyKey,
        messageId: accepted.messageId,
        content: { type: 'text', text: 'Hola' },
        fallbackText: 'Hola',
        metadata: { source: 'admin-api' },
      });
    });

    it("keeps the caller's idempotency key", async () => {
      const h = adminHarness();
      const conversationId = await connected(h);
      const accepted = await sendMessage(BUSINESS, conversationId, { content: { type: 'text', text: 'Hola' }, idempotencyKey: 'mine-1' }, h.deps);
      expect(accepted.idempotencyKey).toBe('mine-1');
    });

    it("refuses another business's conversation (404) and a conversation of a deleted connection (409)", async () => {
      const h = adminHarness();
      await connected(h);
      const [theirs] = seedConversations(h, OTHER_BUSINESS, 1);
      await expect(sendMessage(BUSINESS, theirs, { content: { type: 'text', text: 'x' } }, h.deps)).rejects.toBeInstanceOf(AdminNotFoundError);
      const [old] = seedConversations(h, BUSINESS, 1, 'old-connection');
      await expect(sendMessage(BUSINESS, old, { content: { type: 'text', text: 'x' } }, h.deps)).rejects.toBeInstanceOf(AdminConflictError);
      expect(h.queue.sent).toEqual([]);
    });
  });

  describe('templates', () => {
    it('creates the re-engagement template on the current connection and lists it', async () => {
      const h = adminHarness();
      const { view } = await putConnection(BUSINESS, putBody() as never, h.deps);
      const deps = templateDeps(h);
      const created = await createReengagementTemplate(BUSINESS, deps);
      expect(created).toEqual(expect.objectContaining({ name: 'reengagement', language: 'es_MX', approvalStatus: 'submitted', contentSid: expect.stringMatching(/^HX/) }));
      expect((await h.registry.get(BUSINESS, 'reengagement', 'es_MX'))?.connectionId).toBe(view.connectionId);
      // Again: nothing new is created.
      await createReengagementTemplate(BUSINESS, deps);
      expect(h.contentApi.created).toHaveLength(1);
      expect((await listTemplates(BUSINESS, { registry: h.registry })).items).toEqual([expect.objectContaining({ name: 'reengagement' })]);
    });

    it("creates it in a Meta connection's WABA with its name and body, once, and lists it without a Content SID", async () => {
      // Prepare
      const h = adminHarness();
      const { view } = await putConnection(BUSINESS, metaBody({ whatsappNumber: NUMBER }) as never, h.deps);
      const deps = templateDeps(h);

      // Act
      const created = await createReengagementTemplate(BUSINESS, deps);
      const again = await createReengagementTemplate(BUSINESS, deps);

      // Assess
      expect(created).toEqual(expect.objectContaining({ name: 'reengagement', language: 'es_MX', approvalStatus: 'pending' }));
      expect(created).not.toHaveProperty('contentSid');
      expect(again.approvalStatus).toBe('pending');
      expect(h.metaTemplates.creates).toEqual([
        {
          template: expect.objectContaining({ name: 'echo_reengagement', language: 'es_MX', category: 'UTILITY', body: expect.stringContaining('Hola {{1}}'), examples: reengagement.variables }),
          wabaId: META.wabaId,
        },
      ]);
      expect(await h.registry.get(BUSINESS, 'reengagement', 'es_MX')).toEqual(
        expect.objectContaining({ providerTemplateId: 'echo_reengagement', connectionId: view.connectionId }),
      );
      expect(h.contentApi.created).toEqual([]);
    });

    it('creates it for a 360dialog connection with its key (no account id), as submitted', async () => {
      // Prepare
      const h = adminHarness();
      h.dialogTemplates.createdStatus = 'submitted';
      await putConnection(BUSINESS, dialog360Body() as never, h.deps);

      // Act
      const created = await createReengagementTemplate(BUSINESS, templateDeps(h));

      // Assess
      expect(created.approvalStatus).toBe('submitted');
      expect(h.dialogTemplates.creates).toEqual([{ template: expect.objectContaining({ name: 'echo_reengagement' }) }]);
      expect(h.metaTemplates.creates).toEqual([]);
    });

    it('asks for a connection test first when a Meta connection was saved without its number (409), with nothing created', async () => {
      // Prepare
      const h = adminHarness();
      await putConnection(BUSINESS, metaBody() as never, h.deps);

      // Act / Assess
      await expect(createReengagementTemplate(BUSINESS, templateDeps(h))).rejects.toBeInstanceOf(AdminConflictError);
      expect(h.metaTemplates.creates).toEqual([]);
    });

    it('answers not-supported for a provider this deployment has no template port for, with nothing created', async () => {
      // Prepare
      const h = adminHarness();
      await putConnection(BUSINESS, metaBody({ whatsappNumber: NUMBER }) as never, h.deps);

      // Act / Assess
      await expect(createReengagementTemplate(BUSINESS, templateDeps(h, { twilio: h.deps.templateBsps.twilio }))).rejects.toBeInstanceOf(ProviderNotSupportedError);
      expect(h.metaTemplates.creates).toEqual([]);
      expect(await h.registry.get(BUSINESS, 'reengagement', 'es_MX')).toBeUndefined();
    });

    it('replaces a template made for a connection since deleted, and is 404 without a connection', async () => {
      const h = adminHarness();
      const deps = templateDeps(h);
      await expect(createReengagementTemplate(BUSINESS, deps)).rejects.toBeInstanceOf(AdminNotFoundError);
      await h.registry.put({
        businessId: BUSINESS, name: 'reengagement', language: 'es_MX', providerTemplateId: 'HXold', category: 'UTILITY',
        approvalStatus: 'approved', variables: {}, connectionId: 'gone', updatedAt: 'x',
      });
      await putConnection(BUSINESS, putBody() as never, h.deps);
      const created = await createReengagementTemplate(BUSINESS, deps);
      expect(created.contentSid).not.toBe('HXold');
    });
  });
});
