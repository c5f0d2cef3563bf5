import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { ProviderName } from '../domain/providers';
import { DIMENSION, METRICS_NAMESPACE } from './telemetry';

/**
 * One logger and one metrics instance per function, configured from the POWERTOOLS_* variables
 * the stack sets. Log lines are JSON; metrics are EMF in the same stream.
 */
export function createPowertools(serviceName: string): { logger: Logger; metrics: Metrics } {
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({
    serviceName,
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  });
  return { logger, metrics };
}

/**
 * Counts every metric of the current invocation (until `publishStoredMetrics`) both per service
 * and per BSP. Powertools publishes only the added dimension sets once one is added, so the
 * service-only set is added explicitly too: the alarms on `{service}` keep seeing every value.
 * Provider names are a closed list of three, so the extra cost is three series per metric.
 * @example
 * addProviderDimension(metrics, 'twilio'); // SendFailed → {service} and {service, provider: twilio}
 */
export function addProviderDimension(metrics: Metrics, provider: ProviderName): void {
  // Replaces, never stacks: a second call (a local runtime serving overlapping requests with one
  // instance) would otherwise add a second `provider` set and Powertools warns on every flush.
  metrics.clearDimensions();
  metrics.addDimensions({});
  metrics.addDimensions({ [DIMENSION.provider]: provider });
}
