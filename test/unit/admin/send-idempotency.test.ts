import { putConnection } from '../../../lambdas/domain/admin/connections';
import { adminSendClaimKey, sendMessage } from '../../../lambdas/domain/admin/conversations';
import { AdminConflictError } from '../../../lambdas/domain/admin/errors';
import { conversationIdFor } from '../../../lambdas/domain/ids';
import type { OutboundMessage } from '../../../lambdas/domain/outbound/contract';
import { loadAdminEnv } from '../../../lambdas/handlers/admin/env';
import { ADMIN_ROUTE_KEYS, createAdminHandler } from '../../../lambdas/handlers/admin/handler';
import { loadSendEnv } from '../../../lambdas/handlers/send/env';
import { DependencyUnavailableError } from '../../../lambdas/shared/errors';
import { BUSINESS, OTHER_BUSINESS, adminHarness, apiEvent, putBody, type AdminHarness } from './fakes';

const text = (value: string) => ({ type: 'text' as const, text: value });

/** A connected business with `count` conversations of its current connection. */
async function connected(h: AdminHarness, businessId = BUSINESS, count = 2): Promise<string[]> {
  // One number per business: a number is connected to one business at a time.
  const { view } = await putConnection(businessId, putBody(businessId === BUSINESS ? {} : { whatsappNumber: '+5215587654321' }) as never, h.deps);
  return Array.from({ length: count }, (_, i) => {
    const customerId = `+52155000001${i}`;
    const conversationId = conversationIdFor(view.connectionId!, customerId);
    h.data.conversations.set(conversationId, { conversationId, businessId, connectionId: view.connectionId!, customerId });
    return conversationId;
  });
}

describe('admin send idempotency (domain)', () => {
  it('a retry with the same idempotency key answers the same message id and enqueues the same message again', async () => {
    const h = adminHarness();
    const [conversationId] = await connected(h);

    const first = await sendMessage(BUSINESS, conversationId, { content: text('Hola'), idempotencyKey: 'reply-1' }, h.deps);
    h.now.value = new Date(h.now.value.getTime() + 5_000);
    const retry = await sendMessage(BUSINESS, conversationId, { content: text('Hola'), idempotencyKey: 'reply-1' }, h.deps);

    expect(retry).toEqual(first);
    // Enqueued both times, as the same message (same key, so the same FIFO deduplication id).
    expect(h.queue.sent.map((s) => s.message.messageId)).toEqual([first.messageId, first.messageId]);
    expect(h.queue.sent[1].message).toEqual(h.queue.sent[0].message);
    // One claim, kept as long as the send Lambda's outbound dedupe item (14 days).
    expect([...h.sendClaims.items.entries()]).toEqual([
      [
        adminSendClaimKey(BUSINESS, 'reply-1'),
        { messageId: first.messageId, conversationId, expiresAt: Math.floor(Date.parse('2026-11-27T10:00:00.000Z') / 1000) + 14 * 86_400 },
      ],
    ]);
  });

  it('a retry after the first call failed to enqueue completes it with the message id claimed the first time', async () => {
    const h = adminHarness();
    const [conversationId] = await connected(h);
    const enqueue = h.queue.enqueue.bind(h.queue);
    let down = true;
    h.queue.enqueue = async (message: OutboundMessage, groupId: string) => {
      if (down) throw new DependencyUnavailableError('SQS SendMessage (outbound) call failed: ServiceUnavailable');
      return enqueue(message, groupId);
    };

    await expect(sendMessage(BUSINESS, conversationId, { content: text('Hola'), idempotencyKey: 'k' }, h.deps)).rejects.toBeInstanceOf(DependencyUnavailableError);
    const claimed = h.sendClaims.items.get(adminSendClaimKey(BUSINESS, 'k'))!.messageId;
    down = false;
    const retry = await sendMessage(BUSINESS, conversationId, { content: text('Hola'), idempotencyKey: 'k' }, h.deps);

    expect(retry.messageId).toBe(claimed);
    expect(h.queue.sent.map((s) => s.message.messageId)).toEqual([claimed]);
  });

  it('the key of a message to one conversation reused for another conversation is a 409 and enqueues nothing', async () => {
    const h = adminHarness();
    const [first, second] = await connected(h);
    await sendMessage(BUSINESS, first, { content: text('Hola'), idempotencyKey: 'k' }, h.deps);

    await expect(sendMessage(BUSINESS, second, { content: text('Hola'), idempotencyKey: 'k' }, h.deps)).rejects.toBeInstanceOf(AdminConflictError);

    expect(h.queue.sent.map((s) => s.groupId)).toEqual([first]);
  });

  it('the same key of two businesses are two keys; without a key every call is a new message', async () => {
    const h = adminHarness();
    const [mine] = await connected(h, BUSINESS, 1);
    const [theirs] = await connected(h, OTHER_BUSINESS, 1);

    const a = await sendMessage(BUSINESS, mine, { content: text('x'), idempotencyKey: 'k' }, h.deps);
    const b = await sendMessage(OTHER_BUSINESS, theirs, { content: text('x'), idempotencyKey: 'k' }, h.deps);
    const c = await sendMessage(BUSINESS, mine, { content: text('x') }, h.deps);
    const d = await sendMessage(BUSINESS, mine, { content: text('x') }, h.deps);

    expect(new Set([a, b, c, d].map((r) => r.messageId)).size).toBe(4);
    expect(c.idempotencyKey).not.toBe(d.idempotencyKey);
  });
});

describe('admin send idempotency (handler)', () => {
  it('answers 202 with the stored message id on a retry, and a 409 conflict problem for another conversation', async () => {
    const h = adminHarness();
    const [first, second] = await connected(h);
    const post = (conversationId: string) =>
      createAdminHandler(h.deps)(
        apiEvent({
          routeKey: ADMIN_ROUTE_KEYS.postMessage,
          path: `/businesses/${BUSINESS}/whatsapp/conversations/${conversationId}/messages`,
          pathParameters: { businessId: BUSINESS, conversationId },
          body: { content: text('Hola'), idempotencyKey: 'reply-7' },
        }),
      );

    const [one, two] = [await post(first), await post(first)];
    const conflict = await post(second);

    expect([one.statusCode, two.statusCode]).toEqual([202, 202]);
    expect(JSON.parse(two.body!)).toEqual(JSON.parse(one.body!));
    expect(conflict.statusCode).toBe(409);
    expect(conflict.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(conflict.body!)).toEqual(expect.objectContaining({ type: 'https://echo.example/problems/conflict', status: 409 }));
    expect(h.audit.records.map((r) => r.status)).toEqual([202, 202, 409]);
  });
});

describe('admin send idempotency (configuration)', () => {
  it('keeps claims as long as the send Lambda keeps its outbound dedupe items, by default and when set', () => {
    const admin = {
      CONNECTIONS_TABLE: 'c', CONVERSATIONS_TABLE: 'v', MESSAGES_TABLE: 'm', TEMPLATES_TABLE: 't', AUDIT_TABLE: 'a', DEDUPE_TABLE: 'd',
      OUTBOUND_QUEUE_URL: 'https://sqs.example/outbound.fifo', EVENT_BUS_NAME: 'bus', SECRET_NAME_PREFIX: 'echo-whatsapp',
      SECRETS_KMS_KEY_ID: 'key', WEBHOOK_BASE_URL: 'https://hooks.example.com',
    };
    const send = {
      CONNECTIONS_TABLE: 'c', CONVERSATIONS_TABLE: 'v', MESSAGES_TABLE: 'm', DEDUPE_TABLE: 'd', TEMPLATES_TABLE: 't', CONTENT_CACHE_TABLE: 'cc',
      OUTBOUND_QUEUE_URL: 'https://sqs.example/outbound.fifo', EVENT_BUS_NAME: 'bus', WEBHOOK_BASE_URL: 'https://hooks.example.com', MAX_RECEIVE_COUNT: '5',
    };
    expect(loadAdminEnv(admin).DEDUPE_TTL_DAYS).toBe(loadSendEnv(send).DEDUPE_TTL_DAYS);
    expect(loadAdminEnv({ ...admin, DEDUPE_TTL_DAYS: '30' }).DEDUPE_TTL_DAYS).toBe(loadSendEnv({ ...send, DEDUPE_TTL_DAYS: '30' }).DEDUPE_TTL_DAYS);
    expect(() => loadAdminEnv({ ...admin, DEDUPE_TABLE: undefined })).toThrow(/DEDUPE_TABLE/);
  });
});
