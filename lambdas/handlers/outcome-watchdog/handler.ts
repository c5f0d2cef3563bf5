import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { expireUnknownOutcomes, type ExpireOutcomesResult } from '../../domain/outbound/expire-outcomes';
import type { OutcomeWatchdogStore } from '../../domain/outbound/ports';
import type { Clock } from '../../domain/ports';
import { METRIC } from '../../shared/telemetry';

export interface OutcomeWatchdogDeps {
  store: OutcomeWatchdogStore;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
}

/**
 * Scheduled every 5 minutes: fails (`outcome-unknown`, `send.failed`) the sends whose BSP call had
 * an uncertain outcome and for which no status callback arrived within 10 minutes.
 * A failure throws, so the scheduler's retry (and its alarm) sees it.
 * @example export const handler = createOutcomeWatchdogHandler(createOutcomeWatchdogDeps(env));
 */
export function createOutcomeWatchdogHandler(deps: OutcomeWatchdogDeps) {
  return async function outcomeWatchdogHandler(_event?: unknown, context?: Context): Promise<ExpireOutcomesResult> {
    if (context) deps.logger.addContext(context);
    try {
      // Each send.failed is written with the update that fails its message (outbox): the event relay publishes it.
      const result = await expireUnknownOutcomes({ store: deps.store, clock: deps.clock });
      deps.metrics.addMetric(METRIC.outcomeOverdue, MetricUnit.Count, result.overdue);
      deps.metrics.addMetric(METRIC.outcomeExpired, MetricUnit.Count, result.expired);
      // The same name the send Lambda uses: every message that ends failed counts once.
      if (result.expired > 0) deps.metrics.addMetric(METRIC.sendFailed, MetricUnit.Count, result.expired);
      deps.logger.info('outcome watchdog run', { ...result });
      return result;
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}
