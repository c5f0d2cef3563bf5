/**
 * The hand-off between the AI and the owner. When the owner replies to a customer himself (from
 * the WhatsApp Business app, which reaches us as an echo, or from the settings page), the AI steps
 * back from THAT conversation for the business's pause hours; an admin may pause any conversation
 * and resume it. While paused, messages are still stored, queued and published for the rest of
 * Echo: only the AI Lambda does not answer them.
 *
 * Pure rules: no AWS, no clock of its own. The conversation item carries the state
 * (`aiPausedUntil`, `pausedBy`, `pausedAt`); `conversation.handoff` announces each change.
 */
import type { DomainEvent, HandoffActor } from './events';
import { HANDOFF_MAX_PAUSE_HOURS } from './providers';
import { MAX_ADMIN_PAUSE_HOURS } from './admin/contract';
import { PermanentError } from '../shared/errors';

export type { HandoffActor } from './events';

/** Hours the AI steps back after an owner reply when the business set nothing else. */
export const DEFAULT_HANDOFF_PAUSE_HOURS = 12;

export { MAX_ADMIN_PAUSE_HOURS };

const HOUR_MS = 60 * 60 * 1000;

/** What the conversation item says about the hand-off. */
export interface HandoffState {
  /** ISO; the AI answers again from then on. */
  aiPausedUntil?: string;
  pausedBy?: HandoffActor;
}

/** A pause to write: until when, by whom, decided at `at`. */
export interface PausePlan {
  until: Date;
  by: HandoffActor;
  at: Date;
  /**
   * `extend`: written only if it ends later than the pause in place (an owner reply never
   * shortens an admin's longer pause). `set`: written as asked (an admin's explicit choice).
   */
  mode: 'extend' | 'set';
}

/**
 * The business's pause hours: its own setting when valid, else the default.
 * @example handoffPauseHoursOf({ handoffPauseHours: 4 }) // 4
 * @example handoffPauseHoursOf({}) // 12
 */
export function handoffPauseHoursOf(settings: { handoffPauseHours?: number } | undefined): number {
  const hours = settings?.handoffPauseHours;
  return typeof hours === 'number' && Number.isFinite(hours) && hours > 0 && hours <= HANDOFF_MAX_PAUSE_HOURS ? hours : DEFAULT_HANDOFF_PAUSE_HOURS;
}

/**
 * True while the AI must stay out of the conversation. A pause whose time has passed is over by
 * itself: nothing has to clear it.
 * @example isAiPaused({ aiPausedUntil: '2026-11-27T18:00:00Z' }, new Date('2026-11-27T12:00:00Z')) // true
 */
export function isAiPaused(state: HandoffState | undefined, now: Date): boolean {
  const until = state?.aiPausedUntil ? Date.parse(state.aiPausedUntil) : Number.NaN;
  return Number.isFinite(until) && until > now.getTime();
}

/**
 * The pause an owner reply starts: the business's hours counted from when the owner wrote (the
 * BSP's timestamp for an echo), so that an old echo (a retry days later, a replayed request)
 * pauses nothing that is already over. Undefined when the pause would already have ended.
 * @example
 * ownerReplyPause({ repliedAt: new Date('2026-11-27T10:00:00Z'), pauseHours: 12, by: 'owner-app', now })
 * // { until: 2026-11-27T22:00:00Z, by: 'owner-app', at: now, mode: 'extend' }
 */
export function ownerReplyPause(input: { repliedAt: Date; pauseHours: number; by: Extract<HandoffActor, 'owner-app' | 'owner-page'>; now: Date }): PausePlan | undefined {
  // A reply time from the future (a device clock ahead) counts from now: it cannot buy a longer pause.
  const from = Math.min(input.repliedAt.getTime(), input.now.getTime());
  const until = new Date(from + input.pauseHours * HOUR_MS);
  if (until.getTime() <= input.now.getTime()) return undefined;
  return { until, by: input.by, at: input.now, mode: 'extend' };
}

/** An admin's pause request that cannot be honoured (the message is a sentence for the API's problem). */
export class InvalidPauseError extends PermanentError {}

/**
 * The pause an admin asks for: `{}` for the business's hours, `{ hours }`, or `{ until }` (in the
 * future, at most {@link MAX_ADMIN_PAUSE_HOURS} away). Written as asked (`set`), so an admin can
 * also shorten a pause.
 * @throws InvalidPauseError when `until` is not in the future or too far away.
 * @example adminPause({ hours: 2 }, 12, now).until // now + 2 h
 */
export function adminPause(request: { hours?: number; until?: string }, businessPauseHours: number, now: Date): PausePlan {
  let until: Date;
  if (request.until !== undefined) {
    until = new Date(request.until);
    if (Number.isNaN(until.getTime()) || until.getTime() <= now.getTime()) throw new InvalidPauseError('until must be in the future');
    if (until.getTime() - now.getTime() > MAX_ADMIN_PAUSE_HOURS * HOUR_MS) throw new InvalidPauseError(`until must be at most ${MAX_ADMIN_PAUSE_HOURS / 24} days away`);
  } else {
    const hours = request.hours ?? businessPauseHours;
    if (!(hours > 0) || hours > MAX_ADMIN_PAUSE_HOURS) throw new InvalidPauseError(`hours must be more than 0 and at most ${MAX_ADMIN_PAUSE_HOURS}`);
    until = new Date(now.getTime() + hours * HOUR_MS);
  }
  return { until, by: 'admin', at: now, mode: 'set' };
}

/**
 * Whether a plan changes what the conversation holds: `set` always does; `extend` only when it
 * ends later than the pause in place.
 * @example pauseApplies({ aiPausedUntil: '2026-11-28T00:00:00Z' }, { mode: 'extend', until: new Date('2026-11-27T22:00:00Z'), … }) // false
 */
export function pauseApplies(current: HandoffState | undefined, plan: PausePlan): boolean {
  if (plan.mode === 'set') return true;
  const held = current?.aiPausedUntil ? Date.parse(current.aiPausedUntil) : Number.NaN;
  return !Number.isFinite(held) || held < plan.until.getTime();
}

/** Where the event's conversation lives. */
export interface HandoffSubject {
  businessId: string;
  connectionId: string;
  conversationId: string;
}

/**
 * `conversation.handoff` for a pause.
 * @example pausedEvent(subject, plan).detail.state // 'paused'
 */
export function pausedEvent(subject: HandoffSubject, plan: PausePlan): DomainEvent {
  return {
    detailType: 'conversation.handoff',
    detail: {
      version: 1,
      ...subject,
      state: 'paused',
      pausedBy: plan.by,
      aiPausedUntil: plan.until.toISOString(),
      at: plan.at.toISOString(),
    },
  };
}

/**
 * `conversation.handoff` for a resume.
 * @example resumedEvent(subject, now).detail.state // 'resumed'
 */
export function resumedEvent(subject: HandoffSubject, at: Date): DomainEvent {
  return { detailType: 'conversation.handoff', detail: { version: 1, ...subject, state: 'resumed', at: at.toISOString() } };
}

/** Where the hand-off state is written: the conversation item, with its event in the same write (the outbox). */
export interface ConversationHandoffStore {
  /**
   * Writes the pause on the conversation, with `event` as its outbox entry, unless the plan is
   * `extend` and a pause that ends later is in place. Resolves `applied: false` then, and
   * `undefined` when the conversation does not exist.
   */
  pause(conversationId: string, plan: PausePlan, event: DomainEvent): Promise<{ applied: boolean } | undefined>;
  /** Clears the pause (and announces `event`) if one is recorded; `applied: false` when there was none. */
  resume(conversationId: string, at: Date, event: DomainEvent): Promise<{ applied: boolean }>;
}
