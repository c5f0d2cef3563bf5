/**
 * How far each stage scales, in one place: the concurrency each function may use out of the
 * account's Lambda pool, the webhook's route throttles, the event relay's stream settings and the
 * AWS SDK's time budget. `npm run capacity` (scripts/capacity.ts) reads the synthesized template that
 * these numbers produce and turns them into messages per second per stage.
 *
 * Imports nothing, like `config.ts`: Lambda code and scripts may import it.
 *
 * ## The concurrency budget (default account quota: 1,000 concurrent executions per region)
 *
 * Lambda keeps at least 100 of the 1,000 unreserved, so at most 900 can be reserved. Little's law
 * (concurrency = rate × duration) sizes each consumer:
 *
 * | function     | how it is bounded                   | at most | what it carries                              |
 * |--------------|-------------------------------------|--------:|----------------------------------------------|
 * | webhook      | reserved concurrency (reserves too) |     400 | 400 / 75 ms p99 = 5,333 req/s = 1,333 inbound msg/s with their 3 status callbacks |
 * | send         | FIFO mapping maximum concurrency    |     100 | 100 × 10 records / ~0.5 s batch = 2,000 msg/s (conversations of a batch in parallel) |
 * | ai           | FIFO mapping maximum concurrency    |     100 | 100 × 10 records / batch time (the responder's latency decides) |
 * | event relay  | stream shards × parallelization 10  |    ~100 | 3 tables × a few shards × 10; 100 records per batch |
 * | the rest     | schedules (1 each), admin (humans)  |     ~20 |                                              |
 *
 * Total ≈ 720 of 1,000, leaving ≥ 180 for bursts and cold starts. The webhook's is a reservation:
 * a burst of the queue consumers or the relay can never take the webhook's executions, so BSP
 * deliveries keep being acknowledged. Raising a figure beyond this table needs the account quota
 * raised first (README, "Capacity").
 */

/** The default regional quota of concurrent Lambda executions, and the part AWS keeps unreserved. */
export const LAMBDA_ACCOUNT_CONCURRENCY = { total: 1_000, unreservedMinimum: 100 } as const;

/**
 * The webhook's share. `p99DurationMs` is the design figure the reservation is sized from (two
 * sequential DynamoDB/SQS round trips plus Lambda's overhead; `npm run bench` measures the handler's
 * own p99 against moto, which is slower than DynamoDB).
 */
export const WEBHOOK_SCALING = {
  reservedConcurrency: 400,
  p99DurationMs: 75,
  /**
   * Per inbound route; routes that also carry status callbacks get 3× (Twilio `/status`) or 4×
   * (Cloud API POST), see `webhookRouteLoadFactor`. 1,000 inbound messages/s per provider.
   */
  throttle: { rateLimit: 1_000, burstLimit: 2_000 },
} as const;

/** The send Lambda's mapping on the outbound FIFO queue. */
export const SEND_SCALING = {
  maxConcurrency: 100,
  batchSize: 10,
  /**
   * Design time of one batch whose conversations are sent side by side (a BSP call of ~300 ms plus
   * the record, claim and acceptance writes), for the capacity report.
   */
  batchDurationMs: 500,
} as const;

/** The AI Lambda's mapping on the inbound FIFO queue. */
export const AI_SCALING = {
  maxConcurrency: 100,
  batchSize: 10,
  /** Design time of one batch with the `none` responder (history read and enqueue per message). */
  batchDurationMs: 500,
} as const;

/** The event relay (DynamoDB streams → EventBridge). */
export const EVENT_RELAY_DEFAULTS = {
  /** Concurrent batches per stream shard (Lambda keeps each item's records in order). */
  parallelizationFactor: 10,
  batchSize: 100,
  /** Attempts of a failing batch (bisected) before its position goes to the dead-letter queue. */
  retryAttempts: 20,
  timeoutSeconds: 30,
  /** Design time of one batch (10 PutEvents of 10 entries, 4 at a time), for the capacity report. */
  batchDurationMs: 150,
} as const;

/**
 * The AWS SDK's limits in AWS (`SDK_*` variables of every function; see
 * `lambdas/shared/aws-clients.ts`): one call gives up after 2 × (1 s + 3 s) plus a backoff of at most
 * a few hundred ms, so the webhook answers 503 within ~8.5 s, inside its 10 s timeout and Twilio's
 * 15 s. Locally the request timeout is longer (moto on a busy laptop is slower than DynamoDB).
 */
export const SDK_TIMEOUTS = {
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 3_000,
  maxAttempts: 2,
  throwOnRequestTimeout: true,
} as const;

/** What the local runtime uses instead (enforced too, so a stalled moto still ends in a 503). */
export const LOCAL_SDK_TIMEOUTS = { ...SDK_TIMEOUTS, requestTimeoutMs: 20_000, maxAttempts: 3 } as const;

/**
 * `SDK_TIMEOUTS` as the environment variables the functions read (names from
 * `SDK_TIMEOUT_VARIABLES` in lambdas/shared/aws-clients.ts, repeated here so lib imports no Lambda code).
 * @example sdkTimeoutEnvironment(SDK_TIMEOUTS).SDK_REQUEST_TIMEOUT_MS // '3000'
 */
export function sdkTimeoutEnvironment(timeouts: {
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
  throwOnRequestTimeout: boolean;
}): Record<string, string> {
  return {
    SDK_CONNECTION_TIMEOUT_MS: String(timeouts.connectionTimeoutMs),
    SDK_REQUEST_TIMEOUT_MS: String(timeouts.requestTimeoutMs),
    SDK_MAX_ATTEMPTS: String(timeouts.maxAttempts),
    SDK_THROW_ON_REQUEST_TIMEOUT: String(timeouts.throwOnRequestTimeout),
  };
}
