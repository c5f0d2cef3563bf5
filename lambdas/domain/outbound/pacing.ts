import type { Connection } from '../connection';
import { sendRateOf } from '../providers';

/**
 * Per-number pacing of BSP calls: each connection sends at up to its BSP's rate (80 msg/s, 20 in
 * coexistence; `sendRateOf`), so one busy business never uses another's allowance, and a rate limit
 * (429) pauses that number only. A token bucket per connection, refilled continuously, with a burst
 * of one second's allowance.
 *
 * Pure: the clock is injected, and `reserve` answers how long to wait instead of sleeping, so the
 * caller decides whether to wait in place (a few milliseconds) or hand the record back to the queue
 * (a `Retry-After` of seconds).
 *
 * The buckets live in one function instance. Lambda runs several instances of the send function
 * at once, so a number's fleet-wide rate is bounded by the send stage's concurrency (see
 * `npm run capacity`); a BSP's 429 is the fleet-wide signal, and it pauses the number in every
 * instance that receives one.
 */
export class SendPacer {
  private readonly buckets = new Map<string, { tokens: number; at: number; rate: number; pausedUntil: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Takes one send from the connection's allowance. Returns how many milliseconds the caller must
   * wait before sending (0 = now). The send is counted either way: a caller that waits need not
   * ask again.
   * @example const waitMs = pacer.reserve(connection); if (waitMs > 0) await sleep(waitMs);
   */
  reserve(connection: Pick<Connection, 'connectionId' | 'provider' | 'coexistence'>): number {
    const bucket = this.bucketOf(connection);
    const now = this.now();
    const paused = Math.max(0, bucket.pausedUntil - now);
    this.refill(bucket, now);
    bucket.tokens -= 1;
    const waitForToken = bucket.tokens >= 0 ? 0 : Math.ceil((-bucket.tokens / bucket.rate) * 1000);
    return Math.max(paused, waitForToken);
  }

  /** How long the connection is paused by a rate limit (0 when it is not). */
  pausedFor(connection: Pick<Connection, 'connectionId' | 'provider' | 'coexistence'>): number {
    return Math.max(0, this.bucketOf(connection).pausedUntil - this.now());
  }

  /**
   * A BSP refused a send of this number for its rate: no send of this number for `ms` (at least a
   * second), and the bucket starts empty after it.
   */
  pause(connection: Pick<Connection, 'connectionId' | 'provider' | 'coexistence'>, ms: number | undefined): void {
    const bucket = this.bucketOf(connection);
    const until = this.now() + Math.max(1_000, ms ?? 0);
    if (until > bucket.pausedUntil) {
      bucket.pausedUntil = until;
      bucket.tokens = Math.min(bucket.tokens, 0);
      bucket.at = until;
    }
  }

  private bucketOf(connection: Pick<Connection, 'connectionId' | 'provider' | 'coexistence'>) {
    const rate = sendRateOf(connection);
    let bucket = this.buckets.get(connection.connectionId);
    if (!bucket) {
      bucket = { tokens: rate, at: this.now(), rate, pausedUntil: 0 };
      this.buckets.set(connection.connectionId, bucket);
    }
    // A connection moved into (or out of) coexistence takes its new rate at once.
    bucket.rate = rate;
    return bucket;
  }

  private refill(bucket: { tokens: number; at: number; rate: number }, now: number): void {
    if (now <= bucket.at) return;
    bucket.tokens = Math.min(bucket.rate, bucket.tokens + ((now - bucket.at) / 1000) * bucket.rate);
    bucket.at = now;
  }
}
