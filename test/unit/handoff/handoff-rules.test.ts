import type { SQSEvent } from 'aws-lambda';
import { DemoResponder } from '../../../lambdas/domain/ai/demo-responder';
import { NoneResponder } from '../../../lambdas/domain/ai/responder';
import {
  adminPause,
  DEFAULT_HANDOFF_PAUSE_HOURS,
  handoffPauseHoursOf,
  InvalidPauseError,
  isAiPaused,
  ownerReplyPause,
  pauseApplies,
  pausedEvent,
} from '../../../lambdas/domain/handoff';
import { eventIdOf } from '../../../lambdas/domain/outbox';
import { createAiHandler } from '../../../lambdas/handlers/ai/handler';
import { silentPowertools } from '../../support/fakes';
import { CONVERSATION_ID, FakeConversations, RecordingReplyQueue, inboundMessage, sqsRecord } from '../ai/support';

const NOW = new Date('2026-11-27T12:00:00.000Z');
const HOUR = 3600_000;
const at = (offsetHours: number) => new Date(NOW.getTime() + offsetHours * HOUR);

describe('hand-off rules', () => {
  it("uses the business's pause hours when valid, else 12 hours", () => {
    expect(handoffPauseHoursOf({ handoffPauseHours: 4 })).toBe(4);
    expect(handoffPauseHoursOf({})).toBe(DEFAULT_HANDOFF_PAUSE_HOURS);
    expect(handoffPauseHoursOf(undefined)).toBe(12);
    expect(handoffPauseHoursOf({ handoffPauseHours: 0 })).toBe(12);
    expect(handoffPauseHoursOf({ handoffPauseHours: 1000 })).toBe(12);
  });

  it('is paused strictly before aiPausedUntil, and over by itself after it', () => {
    expect(isAiPaused({ aiPausedUntil: at(1).toISOString() }, NOW)).toBe(true);
    expect(isAiPaused({ aiPausedUntil: NOW.toISOString() }, NOW)).toBe(false);
    expect(isAiPaused({ aiPausedUntil: at(-1).toISOString() }, NOW)).toBe(false);
    expect(isAiPaused({}, NOW)).toBe(false);
    expect(isAiPaused({ aiPausedUntil: 'garbage' }, NOW)).toBe(false);
    expect(isAiPaused(undefined, NOW)).toBe(false);
  });

  it("pauses an owner's reply for the business's hours from when the owner wrote", () => {
    // Prepare: an echo the owner sent 2 hours ago, arriving now (Meta retried it).
    const plan = ownerReplyPause({ repliedAt: at(-2), pauseHours: 12, by: 'owner-app', now: NOW });

    // Assess
    expect(plan).toEqual({ until: at(10), by: 'owner-app', at: NOW, mode: 'extend' });
  });

  it('pauses nothing for a reply whose pause would already be over (an old echo replayed days later)', () => {
    expect(ownerReplyPause({ repliedAt: at(-13), pauseHours: 12, by: 'owner-app', now: NOW })).toBeUndefined();
  });

  it('counts a reply stamped in the future (a phone clock ahead) from now: no longer pause', () => {
    expect(ownerReplyPause({ repliedAt: at(5), pauseHours: 12, by: 'owner-page', now: NOW })?.until).toEqual(at(12));
  });

  it("an owner reply only extends: it never shortens a longer pause in place; an admin's choice is written as given", () => {
    const reply = ownerReplyPause({ repliedAt: NOW, pauseHours: 12, by: 'owner-app', now: NOW })!;
    expect(pauseApplies({ aiPausedUntil: at(24).toISOString() }, reply)).toBe(false);
    expect(pauseApplies({ aiPausedUntil: at(1).toISOString() }, reply)).toBe(true);
    expect(pauseApplies({}, reply)).toBe(true);
    const admin = adminPause({ hours: 1 }, 12, NOW);
    expect(pauseApplies({ aiPausedUntil: at(24).toISOString() }, admin)).toBe(true);
  });

  it('pauses as an admin asks: the business hours by default, hours, or until', () => {
    expect(adminPause({}, 6, NOW)).toEqual({ until: at(6), by: 'admin', at: NOW, mode: 'set' });
    expect(adminPause({ hours: 0.5 }, 6, NOW).until).toEqual(at(0.5));
    expect(adminPause({ until: at(48).toISOString() }, 6, NOW).until).toEqual(at(48));
  });

  it("refuses an until in the past or more than 30 days away, and hours out of range", () => {
    expect(() => adminPause({ until: at(-1).toISOString() }, 12, NOW)).toThrow(InvalidPauseError);
    expect(() => adminPause({ until: at(24 * 31).toISOString() }, 12, NOW)).toThrow(/30 days/);
    expect(() => adminPause({ hours: 721 }, 12, NOW)).toThrow(InvalidPauseError);
  });

  it('announces a pause as conversation.handoff with a stable event id per pause', () => {
    const plan = ownerReplyPause({ repliedAt: NOW, pauseHours: 12, by: 'owner-app', now: NOW })!;
    const event = pausedEvent({ businessId: 'acme', connectionId: 'cn_1', conversationId: CONVERSATION_ID }, plan);
    expect(event).toEqual({
      detailType: 'conversation.handoff',
      detail: {
        version: 1,
        businessId: 'acme',
        connectionId: 'cn_1',
        conversationId: CONVERSATION_ID,
        state: 'paused',
        pausedBy: 'owner-app',
        aiPausedUntil: at(12).toISOString(),
        at: NOW.toISOString(),
      },
    });
    expect(eventIdOf(event)).toBe(eventIdOf(pausedEvent({ businessId: 'acme', connectionId: 'cn_1', conversationId: CONVERSATION_ID }, plan)));
  });
});

describe('AI Lambda and the hand-off', () => {
  function setup(aiPausedUntil: string | undefined, responder = new DemoResponder()) {
    const queue = new RecordingReplyQueue();
    const conversations = new FakeConversations({ conversationId: CONVERSATION_ID, ...(aiPausedUntil && { aiPausedUntil }) });
    const get = jest.spyOn(conversations, 'get');
    const powertools = silentPowertools();
    const addMetric = jest.spyOn(powertools.metrics, 'addMetric');
    const handler = createAiHandler({ responder, conversations, queue, clock: { now: () => NOW }, ...powertools, config: { historyLimit: 20 } });
    const event = { Records: [sqsRecord(inboundMessage())] } as SQSEvent;
    return { handler, queue, addMetric, get, event };
  }

  it('acknowledges the message of a paused conversation without a reply, and counts it', async () => {
    // Prepare
    const { handler, queue, addMetric, event } = setup(at(3).toISOString());

    // Act
    const result = await handler(event);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(queue.sent).toEqual([]);
    expect(addMetric).toHaveBeenCalledWith('AiSkippedPaused', 'Count', 1);
  });

  it('answers again once the pause is over, reading the conversation once', async () => {
    const { handler, queue, addMetric, get, event } = setup(at(-1).toISOString());

    await handler(event);

    expect(queue.sent.length).toBeGreaterThan(0);
    expect(addMetric).not.toHaveBeenCalledWith('AiSkippedPaused', 'Count', 1);
    expect(get).toHaveBeenCalledTimes(1);
  });

  it('does not read the conversation for the none responder (it answers nothing anyway)', async () => {
    const { handler, get, event } = setup(at(3).toISOString(), new NoneResponder() as unknown as DemoResponder);

    await handler(event);

    expect(get).not.toHaveBeenCalled();
  });
});
