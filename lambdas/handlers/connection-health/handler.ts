import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { checkConnectionHealth, type ConnectionActivityStore, type ConnectionHealthResult, type QuietRules } from '../../domain/connection-health';
import { describeError } from '../../shared/describe-error';
import { METRIC } from '../../shared/telemetry';

export interface ConnectionHealthDeps {
  store: ConnectionActivityStore;
  clock: { now(): Date };
  logger: Logger;
  metrics: Metrics;
  rules: QuietRules;
}

/**
 * The hourly connection health check (EventBridge schedule): records each active connection's
 * newest inbound day and reports the connections that usually receive messages but have gone
 * quiet (`ConnectionsGoneQuiet`, alarmed at ≥ 1; the log line names them). A failed run throws:
 * Lambda retries it and the next run redoes it (every write is idempotent).
 * @example
 * export const handler = createConnectionHealthHandler(createConnectionHealthDeps(loadConnectionHealthEnv()));
 */
export function createConnectionHealthHandler(deps: ConnectionHealthDeps) {
  return async function connectionHealthHandler(_event?: unknown, context?: Context): Promise<ConnectionHealthResult> {
    if (context) deps.logger.addContext(context);
    try {
      const result = await checkConnectionHealth({ store: deps.store, clock: deps.clock, rules: deps.rules });
      deps.metrics.addMetric(METRIC.connectionsChecked, MetricUnit.Count, result.checked);
      // Published every run, 0 included: the alarm then sees a datapoint and recovers on its own.
      deps.metrics.addMetric(METRIC.connectionsGoneQuiet, MetricUnit.Count, result.quiet.length);
      const quiet = result.quiet.map(({ connectionId, businessId, provider, lastInboundAt }) => ({ connectionId, businessId, provider, lastInboundAt }));
      if (quiet.length > 0) deps.logger.warn('connections gone quiet', { quiet, quietAfterHours: deps.rules.quietAfterHours });
      deps.logger.info('connection health run done', { checked: result.checked, recorded: result.recorded, quiet: quiet.length });
      return result;
    } catch (error) {
      deps.logger.error('connection health run failed; the next run redoes it', { error: describeError(error) });
      throw error;
    } finally {
      deps.logger.resetKeys();
      deps.metrics.publishStoredMetrics();
    }
  };
}
