import { OpenWindowConversationCache } from '../../../lambdas/domain/outbound/conversation-cache';
import type { OutboundConversation } from '../../../lambdas/domain/outbound/ports';

const HOUR = 3_600_000;

function reader(conversation: () => OutboundConversation | undefined) {
  const reads: string[] = [];
  return {
    reads,
    store: {
      getConversation: async (conversationId: string) => {
        reads.push(conversationId);
        return conversation();
      },
    },
  };
}

const open = (at: Date): OutboundConversation => ({
  conversationId: 'cv_1',
  businessId: 'acme',
  connectionId: 'cn_1',
  customerId: '+5215512345678',
  lastCustomerMessageAt: new Date(at.getTime() - HOUR).toISOString(),
});

describe('OpenWindowConversationCache', () => {
  it('reads a conversation with an open window once, then answers from memory', async () => {
    // Prepare
    const now = new Date('2026-12-04T12:00:00Z');
    const { reads, store } = reader(() => open(now));
    const cache = new OpenWindowConversationCache(store, () => now);

    // Act
    const first = await cache.get('cv_1');
    const second = await cache.get('cv_1');

    // Assess
    expect(second).toEqual(first);
    expect(reads).toEqual(['cv_1']);
  });

  it('always reads again a conversation whose window is closed: a customer message may have opened it', async () => {
    const now = new Date('2026-12-04T12:00:00Z');
    let current: OutboundConversation = { ...open(now), lastCustomerMessageAt: new Date(now.getTime() - 30 * HOUR).toISOString() };
    const { reads, store } = reader(() => current);
    const cache = new OpenWindowConversationCache(store, () => now);

    await cache.get('cv_1');
    current = open(now);
    const reread = await cache.get('cv_1');

    expect(reads).toHaveLength(2);
    expect(reread?.lastCustomerMessageAt).toBe(current.lastCustomerMessageAt);
  });

  it('reads again once the remembered window has closed, or after its time to live', async () => {
    const clock = { now: new Date('2026-12-04T12:00:00Z') };
    const { reads, store } = reader(() => open(new Date('2026-12-04T12:00:00Z')));
    const cache = new OpenWindowConversationCache(store, () => clock.now, 10, 60_000);

    await cache.get('cv_1');
    clock.now = new Date(clock.now.getTime() + 61_000);
    await cache.get('cv_1');
    clock.now = new Date(clock.now.getTime() + 24 * HOUR);
    await cache.get('cv_1');

    expect(reads).toHaveLength(3);
  });

  it('does not remember a conversation that does not exist', async () => {
    const { reads, store } = reader(() => undefined);
    const cache = new OpenWindowConversationCache(store, () => new Date());
    await cache.get('cv_x');
    await cache.get('cv_x');
    expect(reads).toHaveLength(2);
  });
});
