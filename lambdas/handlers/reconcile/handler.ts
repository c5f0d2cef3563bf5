import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { Connection, ConnectionDirectory } from '../../domain/connection';
import type { ProviderName } from '../../domain/message';
import type { Clock, InboundQueue, MessageStore } from '../../domain/ports';
import {
  reconcileInbound,
  type IngestedMessageIndex,
  type InboundMessageSource,
  type ReconcileInboundResult,
} from '../../domain/reconcile-inbound';
import type { ProviderCredentials } from '../../providers/whatsapp/provider';
import { PermanentError } from '../../shared/errors';
import type { CredentialsReader } from '../webhook/handler';
import { describeError } from '../../shared/describe-error';
import { METRIC } from '../../shared/telemetry';

export interface ReconcileDeps {
  /** Every active connection. */
  activeConnections: { list(): Promise<Connection[]> };
  credentials: CredentialsReader;
  /** Per provider: the BSP's inbound messages of one connection. */
  sources: Partial<Record<ProviderName, { sourceFor(credentials: ProviderCredentials, number: string): InboundMessageSource }>>;
  index: IngestedMessageIndex;
  store: MessageStore;
  queue: InboundQueue;
  /** For `touchLastInbound` after an ingested message (as the webhook does). */
  connections: ConnectionDirectory;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  config: {
    lookbackMs: number;
    settleMs: number;
    dedupeTtlMs: number;
    /** Connections reconciled at once. @default 4 */
    concurrency?: number;
  };
}

export interface ReconcileRunResult {
  connections: number;
  /** Connections that could not be reconciled (credentials, BSP or DynamoDB unavailable). */
  failedConnections: number;
  /** Connections not started because the run was about to time out. */
  connectionsLeft: number;
  /** Active connections of a BSP without a message listing (Meta, 360dialog): not reconciled, not failed. */
  withoutListing: number;
  listed: number;
  alreadyStored: number;
  ingested: number;
  /** Messages whose ingestion failed. */
  failedMessages: number;
}

/** Left of the invocation when no new connection is started. */
const DEADLINE_MARGIN_MS = 20_000;

/**
 * The inbound reconciler (EventBridge schedule, every 10 minutes): for every active connection,
 * asks the BSP which messages it received in the look-back window and ingests those the webhook
 * never delivered (see `reconcileInbound`). Connections are independent: one whose credentials,
 * BSP or tables fail is counted (`ReconcileFailed`), logged without secrets or numbers, and the
 * others go on; the next run covers it again while its messages are inside the look-back.
 *
 * Metrics: `ReconcileListed`, `ReconcileIngested` (non-zero means the webhook missed messages; it
 * alarms), `ReconcileFailed` (failed connections plus failed messages), `ReconcileIncomplete`
 * (a BSP listing longer than the pages one run reads).
 * @example
 * export const handler = createReconcileHandler(createReconcileDeps(loadReconcileEnv()));
 */
export function createReconcileHandler(deps: ReconcileDeps) {
  async function reconcileOne(connection: Connection): Promise<ReconcileInboundResult> {
    const source = deps.sources[connection.provider];
    if (!source) throw new UnsupportedProviderError(`no reconciler for provider ${connection.provider}`);
    const credentials = await deps.credentials.get(connection.secretArn);
    return reconcileInbound(connection, source.sourceFor(credentials, connection.displayNumber), {
      store: deps.store,
      queue: deps.queue,
      connections: deps.connections,
      clock: deps.clock,
      index: deps.index,
      dedupeTtlMs: deps.config.dedupeTtlMs,
      lookbackMs: deps.config.lookbackMs,
      settleMs: deps.config.settleMs,
      onMessageFailed: (externalId, error) =>
        deps.logger.warn('missed message not ingested; the next run tries again', {
          connectionId: connection.connectionId,
          externalId,
          error: describeError(error, { bspCall: 'read' }),
        }),
    });
  }

  return async function reconcileHandler(_event?: unknown, context?: Context): Promise<ReconcileRunResult> {
    if (context) deps.logger.addContext(context);
    const run: ReconcileRunResult = {
      connections: 0,
      failedConnections: 0,
      connectionsLeft: 0,
      withoutListing: 0,
      listed: 0,
      alreadyStored: 0,
      ingested: 0,
      failedMessages: 0,
    };
    try {
      // Meta and 360dialog have no history API (and retry their webhooks for 7 days), so only
      // connections of a BSP with a message listing are reconciled; the rest are not failures.
      const all = await deps.activeConnections.list();
      const connections = all.filter((connection) => deps.sources[connection.provider] !== undefined);
      run.connections = connections.length;
      run.withoutListing = all.length - connections.length;
      const remaining = context?.getRemainingTimeInMillis();
      const deadline = remaining === undefined ? undefined : Date.now() + remaining - DEADLINE_MARGIN_MS;
      let next = 0;
      const worker = async (): Promise<void> => {
        for (;;) {
          if (next >= connections.length) return;
          if (deadline !== undefined && Date.now() >= deadline) {
            run.connectionsLeft = connections.length - next;
            next = connections.length;
            return;
          }
          const connection = connections[next++]!;
          try {
            const result = await reconcileOne(connection);
            run.listed += result.listed;
            run.alreadyStored += result.alreadyStored;
            run.ingested += result.ingested;
            run.failedMessages += result.failed;
            if (!result.complete) deps.metrics.addMetric(METRIC.reconcileIncomplete, MetricUnit.Count, 1);
            const level = result.ingested > 0 || result.failed > 0 || !result.complete ? 'warn' : 'info';
            deps.logger[level]('connection reconciled', {
              connectionId: connection.connectionId,
              businessId: connection.businessId,
              listed: result.listed,
              skipped: result.skipped,
              alreadyStored: result.alreadyStored,
              ingested: result.ingested,
              failed: result.failed,
              complete: result.complete,
              since: result.since.toISOString(),
              until: result.until.toISOString(),
            });
          } catch (error) {
            run.failedConnections += 1;
            deps.logger.error('connection not reconciled; the next run tries again', {
              connectionId: connection.connectionId,
              businessId: connection.businessId,
              error: describeError(error, { bspCall: 'read' }),
            });
          }
        }
      };
      const concurrency = Math.max(1, deps.config.concurrency ?? 4);
      await Promise.all(Array.from({ length: Math.min(concurrency, connections.length) }, worker));

      deps.metrics.addMetric(METRIC.reconcileListed, MetricUnit.Count, run.listed);
      deps.metrics.addMetric(METRIC.reconcileIngested, MetricUnit.Count, run.ingested);
      deps.metrics.addMetric(METRIC.reconcileFailed, MetricUnit.Count, run.failedConnections + run.failedMessages);
      deps.logger[run.ingested > 0 ? 'warn' : 'info']('reconcile run done', { ...run });
      return run;
    } finally {
      deps.logger.resetKeys();
      deps.metrics.publishStoredMetrics();
    }
  };
}

/** A connection of a provider the reconciler cannot list. */
export class UnsupportedProviderError extends PermanentError {}

