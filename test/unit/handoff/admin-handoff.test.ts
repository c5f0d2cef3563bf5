import type { DomainEvent } from '../../../lambdas/domain/events';
import { pauseApplies, type ConversationHandoffStore, type PausePlan } from '../../../lambdas/domain/handoff';
import { conversationIdFor } from '../../../lambdas/domain/ids';
import { ADMIN_ROUTE_KEYS, createAdminHandler } from '../../../lambdas/handlers/admin/handler';
import { BUSINESS, OTHER_BUSINESS, adminHarness, apiEvent, putBody, type AdminHarness } from '../admin/fakes';

/** The conversation item's hand-off attributes and outbox, in memory, with the adapter's conditions. */
class MemoryHandoff implements ConversationHandoffStore {
  readonly events: DomainEvent[] = [];
  constructor(private readonly h: AdminHarness) {}
  async pause(conversationId: string, plan: PausePlan, event: DomainEvent) {
    const conversation = this.h.data.conversations.get(conversationId);
    if (!conversation) return undefined;
    if (!pauseApplies(conversation, plan)) return { applied: false };
    this.h.data.conversations.set(conversationId, { ...conversation, aiPausedUntil: plan.until.toISOString(), pausedBy: plan.by });
    this.events.push(event);
    return { applied: true };
  }
  async resume(conversationId: string, _at: Date, event: DomainEvent) {
    const conversation = this.h.data.conversations.get(conversationId);
    if (!conversation?.aiPausedUntil) return { applied: false };
    const { aiPausedUntil: _u, pausedBy: _b, ...rest } = conversation;
    this.h.data.conversations.set(conversationId, rest);
    this.events.push(event);
    return { applied: true };
  }
}

const base = `/businesses/${BUSINESS}/whatsapp`;

async function setup() {
  const h = adminHarness();
  const handoff = new MemoryHandoff(h);
  h.deps.handoff = handoff;
  const handler = createAdminHandler(h.deps);
  const call = async (routeKey: string, path: string, body?: unknown, conversationId?: string, business = BUSINESS) => {
    const response = await handler(apiEvent({ routeKey, path, pathParameters: { businessId: business, ...(conversationId && { conversationId }) }, ...(body !== undefined && { body }) }));
    return { status: response.statusCode!, body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : undefined };
  };
  const saved = await call(ADMIN_ROUTE_KEYS.putConnection, `${base}/connection`, putBody());
  const connectionId = saved.body!.connectionId as string;
  const conversationId = conversationIdFor(connectionId, '+5215512345678');
  h.data.conversations.set(conversationId, { conversationId, businessId: BUSINESS, connectionId, customerId: '+5215512345678', lastMessageAt: '2026-11-27T09:00:00.000Z' });
  return { h, handoff, call, conversationId };
}

describe('admin API: pause and resume the AI for a conversation', () => {
  it('pauses for the business hours (12 h by default), audited, announced; resume clears it', async () => {
    // Prepare
    const { h, handoff, call, conversationId } = await setup();

    // Act
    const paused = await call(ADMIN_ROUTE_KEYS.pauseConversation, `${base}/conversations/${conversationId}/pause`, undefined, conversationId);
    const resumed = await call(ADMIN_ROUTE_KEYS.resumeConversation, `${base}/conversations/${conversationId}/resume`, undefined, conversationId);

    // Assess
    expect(paused).toMatchObject({ status: 200, body: { conversationId, aiPaused: true, pausedBy: 'admin', aiPausedUntil: '2026-11-27T22:00:00.000Z' } });
    expect(resumed).toMatchObject({ status: 200, body: { conversationId, aiPaused: false } });
    expect(handoff.events.map((event) => (event.detail as { state: string }).state)).toEqual(['paused', 'resumed']);
    expect(h.audit.records.map((record) => [record.action, record.status, record.target])).toEqual(
      expect.arrayContaining([
        ['conversation.pause', 200, conversationId],
        ['conversation.resume', 200, conversationId],
      ]),
    );
  });

  it("honours the business's hand-off hours, and an explicit until", async () => {
    const { call, conversationId } = await setup();

    const settings = await call(ADMIN_ROUTE_KEYS.putHandoff, `${base}/connection/handoff`, { pauseHours: 2 });
    const byDefault = await call(ADMIN_ROUTE_KEYS.pauseConversation, `${base}/conversations/${conversationId}/pause`, {}, conversationId);
    const until = await call(ADMIN_ROUTE_KEYS.pauseConversation, `${base}/conversations/${conversationId}/pause`, { until: '2026-11-28T08:00:00Z' }, conversationId);

    expect(settings).toMatchObject({ status: 200, body: { handoff: { pauseHours: 2 } } });
    expect(byDefault.body).toMatchObject({ aiPausedUntil: '2026-11-27T12:00:00.000Z' });
    expect(until.body).toMatchObject({ aiPausedUntil: '2026-11-28T08:00:00.000Z' });
  });

  it('refuses an until in the past (400) and a foreign conversation (404), writing nothing', async () => {
    const { handoff, call, conversationId } = await setup();

    const past = await call(ADMIN_ROUTE_KEYS.pauseConversation, `${base}/conversations/${conversationId}/pause`, { until: '2026-11-27T09:00:00Z' }, conversationId);
    const both = await call(ADMIN_ROUTE_KEYS.pauseConversation, `${base}/conversations/${conversationId}/pause`, { hours: 1, until: '2026-11-28T09:00:00Z' }, conversationId);
    const foreign = await call(
      ADMIN_ROUTE_KEYS.pauseConversation,
      `/businesses/${OTHER_BUSINESS}/whatsapp/conversations/${conversationId}/pause`,
      undefined,
      conversationId,
      OTHER_BUSINESS,
    );

    expect([past.status, both.status, foreign.status]).toEqual([400, 400, 404]);
    expect(handoff.events).toEqual([]);
  });

  it("pauses the AI when the owner sends from the settings page, without shortening a longer pause", async () => {
    const { h, handoff, call, conversationId } = await setup();

    const sent = await call(ADMIN_ROUTE_KEYS.postMessage, `${base}/conversations/${conversationId}/messages`, { content: { type: 'text', text: 'Hola, soy Rosa' } }, conversationId);
    await call(ADMIN_ROUTE_KEYS.pauseConversation, `${base}/conversations/${conversationId}/pause`, { hours: 48 }, conversationId);
    await call(ADMIN_ROUTE_KEYS.postMessage, `${base}/conversations/${conversationId}/messages`, { content: { type: 'text', text: 'otra' } }, conversationId);

    expect(sent.status).toBe(202);
    expect(h.data.conversations.get(conversationId)).toMatchObject({ aiPausedUntil: '2026-11-29T10:00:00.000Z', pausedBy: 'admin' });
    expect(handoff.events.map((event) => (event.detail as { pausedBy: string }).pausedBy)).toEqual(['owner-page', 'admin']);
    expect(h.queue.sent[0]!.message.metadata).toEqual({ source: 'admin-api' });
  });
});
