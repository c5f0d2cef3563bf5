import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from './telemetry';

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
