/**
 * The AI/owner hand-off as the page reads it, without the DOM: whether the AI stays out of a
 * conversation and until when, who wrote an outbound message, and where the coexistence extras of
 * a connection stand (why Meta disabled it, the chat-history import). `handoff-view.ts` draws them.
 */
import type { ConversationView, MessageView, ProviderConnectionView } from '../../lambdas/domain/admin/contract';
import type { MessageKey } from './i18n';

export interface HandoffState {
  paused: boolean;
  /** Epoch ms, while paused. */
  until?: number;
  /** `pausedOwner` when the owner took over (app or page), `pausedAdmin` when paused by hand. */
  text: MessageKey;
}

/**
 * Where a conversation's hand-off stands at `now`: a pause whose end has passed reads as over even
 * before the next poll says so.
 * @example handoffState({ aiPaused: true, aiPausedUntil: '2026-11-27T22:00:00Z', pausedBy: 'owner-app', … }, Date.parse('2026-11-27T10:00:00Z')).text // 'handoff.pausedOwner'
 */
export function handoffState(view: Pick<ConversationView, 'aiPaused' | 'aiPausedUntil' | 'pausedBy'>, now: number): HandoffState {
  const until = view.aiPausedUntil ? Date.parse(view.aiPausedUntil) : NaN;
  const paused = view.aiPaused === true && (Number.isNaN(until) || until > now);
  if (!paused) return { paused: false, text: 'handoff.active' };
  return { paused: true, ...(!Number.isNaN(until) && { until }), text: view.pausedBy === 'admin' ? 'handoff.pausedAdmin' : 'handoff.pausedOwner' };
}

/**
 * The line under an outbound message saying who wrote it, when it is not the owner on this page:
 * the WhatsApp Business app (coexistence echoes) or the AI; and whether it came from the history import.
 */
export function senderKey(message: Pick<MessageView, 'direction' | 'sentBy' | 'imported'>): MessageKey | undefined {
  if (message.direction === 'outbound' && message.sentBy === 'owner-app') return 'message.sentBy.ownerApp';
  if (message.direction === 'outbound' && message.sentBy === 'ai') return 'message.sentBy.ai';
  if (message.imported) return 'message.imported';
  return undefined;
}

/** Meta's disconnection reasons the page words itself; others are shown with their code. */
const REASONS: Readonly<Record<string, MessageKey>> = {
  PRIMARY_INACTIVITY: 'disabled.reason.PRIMARY_INACTIVITY',
  COMPANION_INACTIVITY: 'disabled.reason.COMPANION_INACTIVITY',
  USER: 'disabled.reason.USER',
};

/**
 * What the page says about a connection's coexistence extras: Meta's removal (with its reason)
 * and the chat-history import; nothing for a connection without them.
 */
export function connectionNotices(view: Pick<ProviderConnectionView, 'status' | 'disabledReason' | 'historyImport'> | undefined): {
  removed?: { at: number; reason: { key: MessageKey; code?: string } };
  history?: { key: MessageKey; progress: number; messages: number };
} {
  if (!view) return {};
  const removedReason = view.status === 'disabled' && view.disabledReason?.code === 'partner-removed' ? view.disabledReason : undefined;
  const code = removedReason?.metaReason ?? (removedReason?.initiatedBy === 'USER' ? 'USER' : undefined);
  const reason = code ? (REASONS[code] ? { key: REASONS[code] } : { key: 'disabled.reason.other' as MessageKey, code }) : { key: 'disabled.reason.unknown' as MessageKey };
  const history = view.historyImport;
  return {
    ...(removedReason && { removed: { at: Date.parse(removedReason.at), reason } }),
    ...(history && {
      history: {
        key: history.status === 'complete' ? 'history.complete' : history.status === 'declined' ? 'history.declined' : 'history.importing',
        progress: Math.max(0, Math.min(100, Math.round(history.progress))),
        messages: history.messages,
      },
    }),
  };
}
