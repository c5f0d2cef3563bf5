import type { OutboundConversation, OutboundStore } from './ports';
import { isWindowOpen } from './send-outbound';

/**
 * Remembers conversations whose 24-hour window is open, for the replies that follow each other in
 * a burst (a split text, a text and its buttons): each would otherwise read the same conversation.
 *
 * Only an OPEN window is trusted from memory: `lastCustomerMessageAt` only moves forward, so a
 * window seen open at time T is open at least until T's own expiry, whatever was written since.
 * A closed (or missing) window is always read again: a customer message may have opened it a
 * moment ago. Ownership (business, connection, customer) never changes.
 * @example
 * const conversations = new OpenWindowConversationCache(store, () => new Date());
 * await conversations.get('cv_1'); // read once, then from memory while its window is open
 */
export class OpenWindowConversationCache {
  private readonly cached = new Map<string, { conversation: OutboundConversation; until: number }>();

  constructor(
    private readonly store: Pick<OutboundStore, 'getConversation'>,
    private readonly now: () => Date,
    /** Bounds the memory a long-lived container holds. */
    private readonly maxEntries = 10_000,
    /** Bounds how stale a remembered conversation's other fields may be. */
    private readonly ttlMs = 60_000,
  ) {}

  async get(conversationId: string): Promise<OutboundConversation | undefined> {
    const now = this.now();
    const hit = this.cached.get(conversationId);
    if (hit && hit.until > now.getTime() && isWindowOpen(hit.conversation, now)) return hit.conversation;
    const conversation = await this.store.getConversation(conversationId);
    if (conversation && isWindowOpen(conversation, now)) {
      if (this.cached.size >= this.maxEntries) this.cached.delete(this.cached.keys().next().value!);
      this.cached.set(conversationId, { conversation, until: now.getTime() + this.ttlMs });
    } else {
      this.cached.delete(conversationId);
    }
    return conversation;
  }
}
