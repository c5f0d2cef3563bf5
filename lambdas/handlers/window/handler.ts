import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { Clock } from '../../domain/ports';
import { flagWindows, type FlagWindowsResult, type WindowStore } from '../../domain/window-expiry';
import { describeError } from '../../shared/describe-error';
import { METRIC } from '../../shared/telemetry';

/** The store's read counters, when it keeps them (`DynamoDbWindowStore.stats`). */
interface QueryStats {
  queries: number;
  scannedCount: number;
  consumedCapacityUnits: number;
}

export interface WindowDeps {
  store: WindowStore & { stats?: QueryStats };
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  config: {
    /** `WINDOW_LEAD_MINUTES` in milliseconds. */
    leadMs: number;
  };
}

/**
 * The window-expiry job (EventBridge schedule, every 5 minutes): flags conversations whose 24-hour
 * window closes within the lead time as `expiring` with one `window.expiring` event per window
 * (written on the conversation with the mark; the event relay publishes it from the stream),
 * and those whose window has passed as `closed` (see `flagWindows`). It reads the expiry index for
 * [now − 2 h, now + lead] only, so its cost follows the windows that close, not all conversations.
 *
 * A failed run throws: Lambda retries it, and the next scheduled run redoes whatever is left (every
 * step is conditional, so nothing happens twice).
 * @example
 * export const handler = createWindowHandler(createWindowDeps(loadWindowEnv()));
 */
export function createWindowHandler(deps: WindowDeps) {
  return async function windowHandler(_event?: unknown, context?: Context): Promise<FlagWindowsResult> {
    if (context) deps.logger.addContext(context);
    const before = deps.store.stats ? { ...deps.store.stats } : undefined;
    try {
      const result = await flagWindows({ store: deps.store, clock: deps.clock, leadMs: deps.config.leadMs });
      const after = deps.store.stats;
      const reads =
        before && after
          ? {
              queries: after.queries - before.queries,
              itemsRead: after.scannedCount - before.scannedCount,
              consumedCapacityUnits: after.consumedCapacityUnits - before.consumedCapacityUnits,
            }
          : {};
      deps.metrics.addMetric(METRIC.windowsExpiring, MetricUnit.Count, result.expiring);
      deps.metrics.addMetric(METRIC.windowsClosed, MetricUnit.Count, result.closed);
      deps.logger.info('window expiry run done', { ...result, ...reads });
      return result;
    } catch (error) {
      deps.metrics.addMetric(METRIC.windowRunFailed, MetricUnit.Count, 1);
      deps.logger.error('window expiry run failed; the next run redoes what is left', {
        error: describeError(error),
      });
      throw error;
    } finally {
      deps.logger.resetKeys();
      deps.metrics.publishStoredMetrics();
    }
  };
}
