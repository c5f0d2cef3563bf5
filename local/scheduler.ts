/**
 * A local stand-in for EventBridge's scheduled rules: fires each scheduled function on one local
 * interval (every minute by default, whatever the rule's `rate(…)`/`cron(…)` says, so that a
 * developer sees the jobs run), with the event EventBridge sends, and never starts a run of a
 * function while its previous run is still going (Lambda would run them concurrently; our jobs are
 * idempotent across runs, but overlapping local runs only make the output harder to read).
 */
import { randomUUID } from 'node:crypto';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { lambdaContext } from './gateway';

/** What a scheduled function looks like to the scheduler. */
export type ScheduledHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface ScheduledJob {
  /** Short name for the logs (`window`). */
  name: string;
  /** The function's name (its logical id locally): runs of the same function never overlap. */
  functionName: string;
  /** The rule's ARN, carried in the event's `resources`. */
  ruleArn: string;
  /** The rule's expression, shown in logs and the banner only. */
  scheduleExpression?: string;
  /** A target's constant `Input` (JSON text): sent instead of the scheduled event, as EventBridge does. */
  input?: string;
  handler: ScheduledHandler;
  /** The function's timeout: a run that takes longer is reported as timed out. @default 60 */
  timeoutSeconds?: number;
  /** @default 128 */
  memorySize?: number;
}

export interface SchedulerOptions {
  jobs: ScheduledJob[];
  /** Time between runs of each job. @default 60_000 */
  intervalMs?: number;
  /** Also run every job once right after `start()`. @default false */
  runOnStart?: boolean;
  region?: string;
  accountId?: string;
  /** One line per run. @default no output */
  log?: (line: string) => void;
  /** @default () => new Date() */
  now?: () => Date;
}

export type RunOutcome = 'ok' | 'failed' | 'timed-out' | 'skipped';

export interface RunResult {
  job: string;
  outcome: RunOutcome;
  durationMs: number;
  error?: string;
}

export interface Scheduler {
  /** Runs every job (or the named ones) now, as a tick would; resolves when they finished. */
  runNow(names?: string[]): Promise<RunResult[]>;
  /** Starts the interval. */
  start(): void;
  /** Stops the interval and waits for runs in flight. */
  stop(): Promise<void>;
}

/**
 * The event EventBridge delivers to a scheduled rule's target: `time` in whole seconds, the rule's
 * ARN in `resources`, an empty `detail`.
 * @example
 * scheduledEvent({ ruleArn, region: 'us-east-1', accountId: '123456789012', now: new Date() })
 * // { version: '0', 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2025-01-01T00:05:00Z', … }
 */
export function scheduledEvent(input: { ruleArn: string; region: string; accountId: string; now: Date }): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: input.accountId,
    time: input.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: input.region,
    resources: [input.ruleArn],
    detail: {},
  };
}

class RunTimeoutError extends Error {}

/**
 * @example
 * const scheduler = createScheduler({ jobs: [{ name: 'window', functionName: 'WindowFn', ruleArn, handler }], log: console.log });
 * scheduler.start(); // window runs every minute
 * await scheduler.stop();
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const intervalMs = options.intervalMs ?? 60_000;
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const log = options.log ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  /** The handler of each function that is still running (settles when it really ends). */
  const busy = new Map<string, Promise<void>>();
  /** Results of the runs in flight (settle at the latest at the run's timeout). */
  const results = new Set<Promise<RunResult>>();
  let timer: NodeJS.Timeout | undefined;

  function fire(job: ScheduledJob): Promise<RunResult> {
    if (busy.has(job.functionName)) {
      log(`${job.name}: previous run still going, this one is skipped`);
      return Promise.resolve({ job: job.name, outcome: 'skipped', durationMs: 0 });
    }
    const started = Date.now();
    const timeoutSeconds = job.timeoutSeconds ?? 60;
    const event = job.input !== undefined ? (JSON.parse(job.input) as unknown) : scheduledEvent({ ruleArn: job.ruleArn, region, accountId, now: now() });
    const run = Promise.resolve().then(() => job.handler(event, lambdaContext({ functionName: job.functionName, region, accountId, memorySize: job.memorySize ?? 128, deadline: started + timeoutSeconds * 1000 })));
    // A run that outlives its timeout keeps its function's slot until it really ends: no overlap.
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    busy.set(job.functionName, settled);
    void settled.then(() => busy.delete(job.functionName));

    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      deadline = setTimeout(() => reject(new RunTimeoutError(`timed out after ${timeoutSeconds} s`)), timeoutSeconds * 1000);
    });
    const result = Promise.race([run, timedOut]).then(
      (): RunResult => ({ job: job.name, outcome: 'ok', durationMs: Date.now() - started }),
      (error: unknown): RunResult => ({
        job: job.name,
        outcome: error instanceof RunTimeoutError ? 'timed-out' : 'failed',
        durationMs: Date.now() - started,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    const logged = result.then((outcome) => {
      clearTimeout(deadline);
      results.delete(logged);
      log(`${job.name}: scheduled run ${outcome.outcome} (${outcome.durationMs} ms)${outcome.error ? `: ${outcome.error}` : ''}`);
      return outcome;
    });
    results.add(logged);
    return logged;
  }

  const fireAll = () => Promise.all(options.jobs.map(fire));

  return {
    runNow: (names) => Promise.all(options.jobs.filter((job) => !names || names.includes(job.name)).map(fire)),
    start() {
      if (timer) return;
      if (options.runOnStart) void fireAll();
      timer = setInterval(() => void fireAll(), intervalMs);
      timer.unref?.();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await Promise.all(results);
    },
  };
}
