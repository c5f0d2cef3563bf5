import type { Context } from 'aws-lambda';
import { createScheduler, scheduledEvent, type ScheduledJob } from '../../../local/scheduler';

const ruleArn = 'arn:aws:events:us-east-1:123456789012:rule/echo-local-WindowSchedule';

/** A handler whose runs the test ends by hand. */
function controlledHandler() {
  const calls: { event: unknown; context: Context; finish: (error?: Error) => void }[] = [];
  const handler = jest.fn(
    (event: unknown, context: Context) =>
      new Promise<void>((resolve, reject) => {
        calls.push({ event, context, finish: (error) => (error ? reject(error) : resolve()) });
      }),
  );
  return { handler, calls };
}

function job(overrides: Partial<ScheduledJob> = {}): ScheduledJob {
  return { name: 'window', functionName: 'WindowHandlerFunction1234', ruleArn, handler: async () => undefined, timeoutSeconds: 60, ...overrides };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('scheduledEvent', () => {
  it('is shaped like the event EventBridge sends to a scheduled rule target', () => {
    const event = scheduledEvent({ ruleArn, region: 'eu-west-1', accountId: '123456789012', now: new Date('2025-03-01T10:05:00.123Z') });

    expect(event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2025-03-01T10:05:00Z',
      region: 'eu-west-1',
      resources: [ruleArn],
      detail: {},
    });
  });
});

describe('createScheduler', () => {
  it('invokes each job with a scheduled event and a Lambda context, and logs one line per run', async () => {
    // Prepare
    const lines: string[] = [];
    const seen: { event: unknown; context: Context }[] = [];
    const scheduler = createScheduler({
      jobs: [job({ handler: async (event, context) => void seen.push({ event, context }), memorySize: 256 })],
      region: 'us-east-1',
      accountId: '123456789012',
      now: () => new Date('2025-03-01T10:05:00Z'),
      log: (line) => lines.push(line),
    });

    // Act
    const results = await scheduler.runNow();

    // Assess
    expect(results).toEqual([{ job: 'window', outcome: 'ok', durationMs: expect.any(Number) }]);
    expect(seen[0].event).toMatchObject({ 'detail-type': 'Scheduled Event', time: '2025-03-01T10:05:00Z', resources: [ruleArn] });
    expect(seen[0].context).toMatchObject({
      functionName: 'WindowHandlerFunction1234',
      memoryLimitInMB: '256',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:WindowHandlerFunction1234',
    });
    expect(seen[0].context.getRemainingTimeInMillis()).toBeGreaterThan(59_000);
    expect(lines).toEqual([expect.stringMatching(/^window: scheduled run ok \(\d+ ms\)$/)]);
  });

  it('sends a target\'s constant input instead of the event, as EventBridge does', async () => {
    const handler = jest.fn(async () => undefined);
    const scheduler = createScheduler({ jobs: [job({ handler, input: '{"full":true}' })] });

    await scheduler.runNow();

    expect(handler).toHaveBeenCalledWith({ full: true }, expect.anything());
  });

  it('never starts a run of a function while its previous run is still going', async () => {
    // Prepare
    const { handler, calls } = controlledHandler();
    const lines: string[] = [];
    const scheduler = createScheduler({ jobs: [job({ handler })], log: (line) => lines.push(line) });
    const first = scheduler.runNow();
    await tick();

    // Act
    const second = await scheduler.runNow();
    calls[0].finish();
    await first;
    const third = scheduler.runNow();
    await tick();
    calls[1].finish();

    // Assess
    expect(second).toEqual([{ job: 'window', outcome: 'skipped', durationMs: 0 }]);
    expect(await third).toEqual([expect.objectContaining({ outcome: 'ok' })]);
    expect(handler).toHaveBeenCalledTimes(2);
    expect(lines).toContain('window: previous run still going, this one is skipped');
  });

  it('reports a timed-out run, and keeps the function busy until the handler really ends', async () => {
    // Prepare
    const { handler, calls } = controlledHandler();
    const scheduler = createScheduler({ jobs: [job({ handler, timeoutSeconds: 0.02 })] });

    // Act
    const [timedOut] = await scheduler.runNow();
    const [whileRunning] = await scheduler.runNow();
    calls[0].finish();
    await tick();
    await tick();
    const next = scheduler.runNow();
    await tick();
    calls[1].finish();

    // Assess
    expect(timedOut).toMatchObject({ outcome: 'timed-out', error: 'timed out after 0.02 s' });
    expect(whileRunning.outcome).toBe('skipped');
    expect((await next)[0].outcome).toBe('ok');
  });

  it('reports a failed run with its error and runs the job again next time', async () => {
    const handler = jest.fn().mockRejectedValueOnce(new Error('table unavailable')).mockResolvedValueOnce(undefined);
    const lines: string[] = [];
    const scheduler = createScheduler({ jobs: [job({ handler })], log: (line) => lines.push(line) });

    const [failed] = await scheduler.runNow();
    const [ok] = await scheduler.runNow();

    expect(failed).toMatchObject({ outcome: 'failed', error: 'table unavailable' });
    expect(ok.outcome).toBe('ok');
    expect(lines[0]).toMatch(/^window: scheduled run failed \(\d+ ms\): table unavailable$/);
  });

  it('runs jobs of different functions side by side, and only the named ones on request', async () => {
    const window = jest.fn(async () => undefined);
    const watchdog = jest.fn(async () => undefined);
    const scheduler = createScheduler({
      jobs: [job({ handler: window }), job({ name: 'outcome-watchdog', functionName: 'WatchdogFn', handler: watchdog })],
    });

    await scheduler.runNow(['outcome-watchdog']);

    expect(window).not.toHaveBeenCalled();
    expect(watchdog).toHaveBeenCalledTimes(1);
  });

  it('fires every interval once started, and stop() waits for the run in flight', async () => {
    // Prepare
    let finished = 0;
    const handler = jest.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      finished += 1;
    });
    const scheduler = createScheduler({ jobs: [job({ handler })], intervalMs: 20, runOnStart: true });

    // Act
    scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 70));
    await scheduler.stop();
    const callsAtStop = handler.mock.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Assess
    expect(callsAtStop).toBeGreaterThanOrEqual(3);
    expect(finished).toBe(callsAtStop);
    expect(handler).toHaveBeenCalledTimes(callsAtStop);
  });
});
