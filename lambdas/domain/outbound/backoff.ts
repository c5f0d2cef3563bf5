/**
 * Retry delays for the outbound queue: exponential backoff with full jitter (AWS Architecture
 * Blog, "Exponential Backoff And Jitter"): a random delay between 0 and `base × 2^(attempt-1)`,
 * capped. Jitter spreads retries of many conversations that hit one rate limit at the same moment.
 * A BSP's `Retry-After` (or the error table's minimum) is a floor: we never come back sooner.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, capMs: 15 * 60_000 };

/** SQS refuses visibility timeouts above 12 hours. */
export const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

/**
 * @param attempt 1 for the first retry (SQS `ApproximateReceiveCount` of the failed receive).
 * @example backoffDelayMs(3, 5_000, DEFAULT_BACKOFF, () => 0.5) // max(0.5 × 8 s, 5 s) = 5000
 */
export function backoffDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  const jittered = Math.floor(random() * ceiling);
  return Math.min(Math.max(jittered, retryAfterMs ?? 0), MAX_VISIBILITY_SECONDS * 1000);
}

/** A delay as an SQS visibility timeout (whole seconds, rounded up). */
export function visibilitySecondsFor(delayMs: number): number {
  return Math.min(Math.ceil(Math.max(delayMs, 0) / 1000), MAX_VISIBILITY_SECONDS);
}
