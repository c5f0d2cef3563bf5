/**
 * `npm run ops -- health`: the three success metrics, for the last hour and the last day.
 *
 * - Webhook latency p50 / p99 against 500 ms.
 * - Delivery success rate: messages delivered (or read) over messages the BSP accepted, against 99 %.
 * - Lost: DLQ depths + messages the reconciler had to ingest + sends whose outcome stayed unknown.
 *   Must be 0.
 *
 * With `--aws` from CloudWatch (the metrics the functions emit) and SQS. Locally there is no
 * CloudWatch: the rate and the unknown outcomes are counted from the messages table (a Scan: fine
 * for moto's few items, never done in AWS), the DLQs read from SQS; latency and the reconciler's
 * count exist only as metrics (`npm run bench` measures the webhook's latency locally).
 */
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { METRIC, METRICS_NAMESPACE, SERVICE } from '../../lambdas/shared/telemetry';
import { queueDepth } from './dlq';
import type { OpsTarget } from './target';

export const LATENCY_TARGET_MS = 500;
export const DELIVERY_TARGET = 0.99;

/** One window's figures; `undefined` where the target cannot tell (no CloudWatch locally). */
export interface HealthFigures {
  latencyP50Ms?: number;
  latencyP99Ms?: number;
  accepted: number;
  delivered: number;
  deadLettered: number;
  reconcilerIngested?: number;
  outcomeUnknown: number;
}

export const WINDOWS = [
  { label: 'last hour', ms: 60 * 60 * 1000 },
  { label: 'last day', ms: 24 * 60 * 60 * 1000 },
] as const;

async function deadLettered(sqs: SQSClient, target: OpsTarget): Promise<number> {
  let total = 0;
  for (const queue of target.deadLetterQueues) {
    const depth = await queueDepth(sqs, queue.url);
    total += depth.visible + depth.inFlight;
  }
  return total;
}

/**
 * The figures counted from the messages table (local only): outbound messages the BSP accepted in
 * the window, of those the ones delivered or read, and sends that ended `outcome-unknown`.
 */
export async function localHealth(documents: DynamoDBDocumentClient, sqs: SQSClient, target: OpsTarget, now: Date): Promise<HealthFigures[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: target.tables.messages,
        FilterExpression: 'direction = :outbound',
        ExpressionAttributeValues: { ':outbound': 'outbound' },
        ...(start && { ExclusiveStartKey: start }),
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  const dlq = await deadLettered(sqs, target);
  return WINDOWS.map(({ ms }) => {
    const since = now.getTime() - ms;
    const within = (value: unknown) => typeof value === 'string' && Date.parse(value) >= since;
    const accepted = items.filter((item) => within(item.acceptedAt));
    return {
      accepted: accepted.length,
      delivered: accepted.filter((item) => item.deliveryStatus === 'delivered' || item.deliveryStatus === 'read' || item.deliveredAt || item.readAt).length,
      deadLettered: dlq,
      outcomeUnknown: items.filter((item) => item.failureReason === 'outcome-unknown' && within(item.updatedAt ?? item.createdAt)).length,
    };
  });
}

/** The figures from CloudWatch (GetMetricData, one period per window) and SQS. */
export async function awsHealth(cloudWatch: CloudWatchClient, sqs: SQSClient, target: OpsTarget, now: Date): Promise<HealthFigures[]> {
  const dlq = await deadLettered(sqs, target);
  const figures: HealthFigures[] = [];
  for (const { ms } of WINDOWS) {
    const seconds = ms / 1000;
    const metric = (id: string, name: string, service: string, stat: string): MetricDataQuery => ({
      Id: id,
      MetricStat: {
        Metric: { Namespace: METRICS_NAMESPACE, MetricName: name, Dimensions: [{ Name: 'service', Value: service }] },
        Period: seconds,
        Stat: stat,
      },
      ReturnData: true,
    });
    const { MetricDataResults } = await cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now.getTime() - ms),
        EndTime: now,
        MetricDataQueries: [
          metric('p50', METRIC.webhookLatency, SERVICE.webhook, 'p50'),
          metric('p99', METRIC.webhookLatency, SERVICE.webhook, 'p99'),
          metric('delivered', METRIC.deliveryConfirmed, SERVICE.webhook, 'Sum'),
          metric('accepted', METRIC.sendAccepted, SERVICE.send, 'Sum'),
          metric('reconciled', METRIC.reconcileIngested, SERVICE.reconcile, 'Sum'),
          metric('unknown', METRIC.outcomeExpired, SERVICE.outcomeWatchdog, 'Sum'),
        ],
      }),
    );
    const value = (id: string) => MetricDataResults?.find((result) => result.Id === id)?.Values?.reduce((sum, v) => sum + v, 0);
    figures.push({
      latencyP50Ms: value('p50'),
      latencyP99Ms: value('p99'),
      accepted: value('accepted') ?? 0,
      delivered: value('delivered') ?? 0,
      deadLettered: dlq,
      reconcilerIngested: value('reconciled') ?? 0,
      outcomeUnknown: value('unknown') ?? 0,
    });
  }
  return figures;
}

/** The lost count of one window: must be 0. */
export function lostOf(figures: HealthFigures): number {
  return figures.deadLettered + (figures.reconcilerIngested ?? 0) + figures.outcomeUnknown;
}

/** True when every window meets every target it can be judged on. */
export function healthy(windows: HealthFigures[]): boolean {
  return windows.every(
    (figures) =>
      (figures.latencyP99Ms === undefined || figures.latencyP99Ms <= LATENCY_TARGET_MS) &&
      (figures.accepted === 0 || figures.delivered / figures.accepted >= DELIVERY_TARGET) &&
      lostOf(figures) === 0,
  );
}

const mark = (ok: boolean | undefined) => (ok === undefined ? ' ' : ok ? '✓' : '✗');

/**
 * The table `health` prints.
 * @example formatHealth(await localHealth(…), 'local').forEach((line) => console.log(line));
 */
export function formatHealth(windows: HealthFigures[], mode: 'local' | 'aws'): string[] {
  const cell = (text: string) => text.padEnd(30);
  const rows: string[] = [`${''.padEnd(24)}${WINDOWS.map((w) => cell(w.label)).join('')}target`];
  const latency = windows.map((f) => {
    if (f.latencyP99Ms === undefined) return cell(mode === 'local' ? 'n/a locally (npm run bench)' : 'no requests');
    return cell(`${mark(f.latencyP99Ms <= LATENCY_TARGET_MS)} ${Math.round(f.latencyP50Ms ?? 0)} / ${Math.round(f.latencyP99Ms)} ms`);
  });
  rows.push(`${'webhook p50 / p99'.padEnd(24)}${latency.join('')}p99 ≤ ${LATENCY_TARGET_MS} ms`);
  const rate = windows.map((f) => {
    if (f.accepted === 0) return cell('  no sends');
    const value = f.delivered / f.accepted;
    return cell(`${mark(value >= DELIVERY_TARGET)} ${(value * 100).toFixed(1)} % (${f.delivered}/${f.accepted})`);
  });
  rows.push(`${'delivery success rate'.padEnd(24)}${rate.join('')}≥ ${DELIVERY_TARGET * 100} %`);
  const lost = windows.map((f) => {
    const reconciled = f.reconcilerIngested === undefined ? 'n/a' : String(f.reconcilerIngested);
    return cell(`${mark(lostOf(f) === 0)} ${lostOf(f)} (DLQ ${f.deadLettered}, rec ${reconciled}, unk ${f.outcomeUnknown})`);
  });
  rows.push(`${'lost'.padEnd(24)}${lost.join('')}= 0`);
  rows.push('', 'DLQ: messages in the dead-letter queues now; rec: inbound messages the reconciler had to ingest; unk: sends whose outcome stayed unknown.');
  if (mode === 'local') rows.push('Locally: rate and unknown outcomes counted from the messages table; latency and the reconciler count are CloudWatch metrics.');
  return rows;
}
