import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { syncTemplateApprovals, type ApprovalReader, type SyncApprovalsResult } from '../../domain/template-approval';
import type { TemplateRegistry } from '../../domain/templates';
import { describeError } from '../../shared/describe-error';
import { METRIC } from '../../shared/telemetry';

export interface TemplateSyncDeps {
  /** Businesses that have templates. */
  businesses: { list(): Promise<string[]> };
  registry: TemplateRegistry;
  approvals: ApprovalReader;
  logger: Logger;
  metrics: Metrics;
  random?: () => number;
}

/** Left of the invocation when no new business is started: enough to finish the one in flight. */
const DEADLINE_MARGIN_MS = 30_000;

/**
 * The template-sync job (EventBridge schedule, hourly): for every business with templates, re-reads
 * from the BSP the WhatsApp approval of each submitted template (approved ones too: WhatsApp can
 * pause or disable them) and writes the statuses that changed. One template failing never stops
 * the run; it is counted (`TemplateSyncFailed`) and read again next hour.
 *
 * Bounded: businesses come from one paginated Scan of the small `templates` table (see
 * `DynamoDbTemplateBusinesses`), each business's templates from one Query, at most 4 BSP reads in
 * flight; the job starts no new business in its last 30 s, and visits businesses in random order
 * so that a run cut short never starves the same ones.
 * @example
 * export const handler = createTemplateSyncHandler(createTemplateSyncDeps(loadTemplateSyncEnv()));
 */
export function createTemplateSyncHandler(deps: TemplateSyncDeps) {
  return async function templateSyncHandler(_event?: unknown, context?: Context): Promise<SyncApprovalsResult> {
    if (context) deps.logger.addContext(context);
    try {
      const businesses = shuffled(await deps.businesses.list(), deps.random ?? Math.random);
      const remaining = context?.getRemainingTimeInMillis();
      const result = await syncTemplateApprovals(businesses, {
        registry: deps.registry,
        approvals: deps.approvals,
        ...(remaining !== undefined && { deadline: new Date(Date.now() + remaining - DEADLINE_MARGIN_MS) }),
        onTemplateFailed: (definition, error) =>
          deps.logger.warn('template approval not synced; retried next run', {
            businessId: definition.businessId,
            template: `${definition.name}#${definition.language}`,
            error: describeError(error),
          }),
      });
      for (const change of result.changed) deps.logger.info('template approval changed', { ...change });
      deps.metrics.addMetric(METRIC.templatesChecked, MetricUnit.Count, result.checked);
      deps.metrics.addMetric(METRIC.templatesChanged, MetricUnit.Count, result.changed.length);
      deps.metrics.addMetric(METRIC.templateSyncFailed, MetricUnit.Count, result.failed);
      deps.logger.info('template sync run done', {
        businesses: result.businesses,
        checked: result.checked,
        changed: result.changed.length,
        failed: result.failed,
        businessesLeft: result.businessesLeft,
      });
      return result;
    } finally {
      deps.logger.resetKeys();
      deps.metrics.publishStoredMetrics();
    }
  };
}

function shuffled<T>(items: T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
