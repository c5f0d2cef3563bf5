import {
  adminPause,
  handoffPauseHoursOf,
  InvalidPauseError,
  pausedEvent,
  resumedEvent,
  type ConversationHandoffStore,
} from '../handoff';
import type { Clock } from '../ports';
import type { ConnectionView, ConversationView, PauseConversationBody, PutHandoffBody } from './contract';
import { connectionView } from './connections';
import { conversationOf, conversationViewOf } from './conversations';
import { AdminNotFoundError, AdminValidationError } from './errors';
import type { AdminConnectionStore, ConversationLister, ConversationRecord, StoredConnection } from './ports';

/** What the hand-off routes need. */
export interface HandoffAdminDeps {
  conversations: Pick<ConversationLister, 'get'>;
  connections: Pick<AdminConnectionStore, 'current'>;
  handoff: ConversationHandoffStore;
  clock: Clock;
}

/** The business's pause hours, from its current connection (the default when it has none). */
async function businessPauseHours(businessId: string, deps: Pick<HandoffAdminDeps, 'connections'>): Promise<number> {
  return handoffPauseHoursOf(await deps.connections.current(businessId));
}

/** The conversation's view after a write: the written state, without reading it back. */
function viewAfter(conversation: ConversationRecord, state: Pick<ConversationRecord, 'aiPausedUntil' | 'pausedBy'>, now: Date): ConversationView {
  const { aiPausedUntil: _until, pausedBy: _by, ...rest } = conversation;
  return conversationViewOf({ ...rest, ...state }, now);
}

/**
 * `POST conversations/{id}/pause`: the AI stays out of the conversation for the business's hours,
 * or as long as asked (`{ hours }` or `{ until }`), whoever paused it before: an admin's choice is
 * written as given. Announced as `conversation.handoff` (outbox on the conversation item).
 * @throws AdminNotFoundError for a missing or foreign conversation; AdminValidationError for an `until` in the past or too far.
 * @example await pauseConversation('acme', 'cv_…', { hours: 2 }, deps) // { aiPaused: true, pausedBy: 'admin', … }
 */
export async function pauseConversation(businessId: string, conversationId: string, body: PauseConversationBody, deps: HandoffAdminDeps): Promise<ConversationView> {
  const conversation = await conversationOf(businessId, conversationId, deps);
  const now = deps.clock.now();
  let plan;
  try {
    plan = adminPause(body, await businessPauseHours(businessId, deps), now);
  } catch (error) {
    if (error instanceof InvalidPauseError) throw new AdminValidationError('The request is not valid.', [{ path: body.until !== undefined ? 'until' : 'hours', message: error.message }]);
    throw error;
  }
  const written = await deps.handoff.pause(conversationId, plan, pausedEvent(subjectOf(conversation), plan));
  if (!written) throw new AdminNotFoundError('No such conversation.');
  return viewAfter(conversation, { aiPausedUntil: plan.until.toISOString(), pausedBy: plan.by }, now);
}

/**
 * `POST conversations/{id}/resume`: the AI answers the conversation again. A conversation that is
 * not paused answers the same view (nothing written, nothing announced).
 * @example await resumeConversation('acme', 'cv_…', deps) // { aiPaused: false, … }
 */
export async function resumeConversation(businessId: string, conversationId: string, deps: HandoffAdminDeps): Promise<ConversationView> {
  const conversation = await conversationOf(businessId, conversationId, deps);
  const now = deps.clock.now();
  if (conversation.aiPausedUntil !== undefined) await deps.handoff.resume(conversationId, now, resumedEvent(subjectOf(conversation), now));
  return viewAfter(conversation, {}, now);
}

/**
 * `PUT connection/handoff`: the business's pause hours (1..168), kept on its connection.
 * @throws AdminNotFoundError when the business has no connection.
 * @example await putHandoffSettings('acme', { pauseHours: 4 }, deps) // ConnectionView with handoff.pauseHours 4
 */
export async function putHandoffSettings(
  businessId: string,
  body: PutHandoffBody,
  deps: { connections: Pick<AdminConnectionStore, 'setHandoffPauseHours'>; clock: Clock; config: { webhookBaseUrl: string } },
): Promise<{ view: ConnectionView; connection: StoredConnection }> {
  const connection = await deps.connections.setHandoffPauseHours(businessId, body.pauseHours, deps.clock.now());
  if (!connection) throw new AdminNotFoundError('There is no WhatsApp connection to configure.');
  return { view: connectionView(businessId, connection, deps.config.webhookBaseUrl), connection };
}

function subjectOf(conversation: ConversationRecord) {
  return { businessId: conversation.businessId, connectionId: conversation.connectionId, conversationId: conversation.conversationId };
}
