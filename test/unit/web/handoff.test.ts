import type { ConversationView } from '../../../lambdas/domain/admin/contract';
import { connectionNotices, handoffState, senderKey } from '../../../web/src/handoff';

/** The hand-off as the page reads it: pauses and their end, who wrote a message, Meta's removal and the history import. */

const NOW = Date.parse('2026-11-27T10:00:00Z');
const view = (overrides: Partial<ConversationView>): Pick<ConversationView, 'aiPaused' | 'aiPausedUntil' | 'pausedBy'> => ({ aiPaused: false, ...overrides });

describe('hand-off on the page', () => {
  it('says the owner is replying until the pause ends, and reads an ended pause as over before the next poll', () => {
    expect(handoffState(view({ aiPaused: true, aiPausedUntil: '2026-11-27T22:00:00Z', pausedBy: 'owner-app' }), NOW)).toEqual({
      paused: true,
      until: Date.parse('2026-11-27T22:00:00Z'),
      text: 'handoff.pausedOwner',
    });
    expect(handoffState(view({ aiPaused: true, aiPausedUntil: '2026-11-27T22:00:00Z', pausedBy: 'admin' }), NOW).text).toBe('handoff.pausedAdmin');
    expect(handoffState(view({ aiPaused: true, aiPausedUntil: '2026-11-27T09:59:59Z', pausedBy: 'owner-page' }), NOW)).toEqual({ paused: false, text: 'handoff.active' });
    expect(handoffState(view({}), NOW).paused).toBe(false);
  });

  it('labels messages written from the WhatsApp Business app, by the AI, or imported; never the owner’s own from this page', () => {
    expect(senderKey({ direction: 'outbound', sentBy: 'owner-app' })).toBe('message.sentBy.ownerApp');
    expect(senderKey({ direction: 'outbound', sentBy: 'ai' })).toBe('message.sentBy.ai');
    expect(senderKey({ direction: 'inbound', imported: true })).toBe('message.imported');
    expect(senderKey({ direction: 'outbound', sentBy: 'owner-page' })).toBeUndefined();
  });

  it('words Meta’s removal with its reason, and the import’s progress', () => {
    const removed = connectionNotices({ status: 'disabled', disabledReason: { code: 'partner-removed', metaReason: 'PRIMARY_INACTIVITY', at: '2026-11-20T08:00:00Z' } });
    const unknownReason = connectionNotices({ status: 'disabled', disabledReason: { code: 'partner-removed', metaReason: 'BUSINESS_DOWNGRADE', at: '2026-11-20T08:00:00Z' } });
    const importing = connectionNotices({ status: 'active', historyImport: { status: 'importing', progress: 42.4, chunks: 3, messages: 310, updatedAt: '2026-11-27T09:00:00Z' } });

    expect(removed.removed).toEqual({ at: Date.parse('2026-11-20T08:00:00Z'), reason: { key: 'disabled.reason.PRIMARY_INACTIVITY' } });
    expect(unknownReason.removed?.reason).toEqual({ key: 'disabled.reason.other', code: 'BUSINESS_DOWNGRADE' });
    expect(importing).toEqual({ history: { key: 'history.importing', progress: 42, messages: 310 } });
    expect(connectionNotices({ status: 'active' })).toEqual({});
  });
});
