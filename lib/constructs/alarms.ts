import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct, IConstruct } from 'constructs';
import type { IAspect } from 'aws-cdk-lib';

export interface ErrorsAlarmOptions {
  /** What an operator should know when it fires. */
  readonly description: string;
  /**
   * Period over which errors are summed.
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;
  /**
   * Called when the alarm fires (and recovers).
   * @default - no action
   */
  readonly action?: cloudwatch.IAlarmAction;
}

/**
 * An alarm on any failed invocation of a function (unhandled error or timeout). For queue
 * consumers that report partial batch failures, an invocation error means the whole batch failed.
 */
export function functionErrorsAlarm(
  scope: Construct,
  id: string,
  fn: lambda.IFunction,
  options: ErrorsAlarmOptions,
): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmDescription: options.description,
    metric: fn.metricErrors({ period: options.period ?? Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  withAction(alarm, options.action);
  return alarm;
}

/** Notifies `action` when the alarm fires and when it recovers. */
export function withAction(alarm: cloudwatch.Alarm, action: cloudwatch.IAlarmAction | undefined): void {
  if (!action) return;
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
}

// --- Runbook links ------------------------------------------------------------------------------

/**
 * The sections of `RUNBOOK.md`, one per failure mode. Every alarm's description ends with a link
 * to its section (`Runbook: <base>#<anchor>`); `test/infra/runbook.test.ts` checks that each
 * linked heading exists. A new alarm adds a line here and a section there.
 */
export const RUNBOOK_SECTIONS = {
  messagesMayBeLost: 'Messages may be lost',
  inboundDlq: 'Inbound DLQ not empty',
  outboundDlq: 'Outbound DLQ not empty',
  scheduledDlq: 'Scheduled runs DLQ not empty',
  eventRelayDlq: 'Event relay DLQ not empty',
  eventRelayBehind: 'Event relay falling behind',
  otherDlq: 'Another DLQ not empty',
  functionErrors: 'Function errors',
  functionThrottles: 'Function throttles',
  webhook5xx: 'Webhook 5xx',
  webhookLatency: 'Webhook p99 latency above 500 ms',
  adminApi5xx: 'Admin API 5xx',
  deliverySuccess: 'Delivery success below 99 percent',
  sendFailures: 'Send failures',
  outcomeUnknownExpired: 'Outcome-unknown sends expired',
  reconcileIngested: 'Reconciler ingested messages',
  reconcileFailed: 'Reconciler failing',
  archiveFailures: 'Archive write failures',
  credentialsRejected: 'Credentials rejected',
  goneQuiet: 'Connection gone quiet',
} as const;
export type RunbookSection = keyof typeof RUNBOOK_SECTIONS;

/** The default base of runbook links: the file at the repository root, relative. */
export const DEFAULT_RUNBOOK_BASE_URL = 'RUNBOOK.md';

/** Context key overriding {@link DEFAULT_RUNBOOK_BASE_URL}, e.g. `https://github.com/acme/echo/blob/main/RUNBOOK.md`. */
export const RUNBOOK_BASE_URL_CONTEXT = 'runbookBaseUrl';

/**
 * A markdown heading's anchor as GitHub renders it: lower case, punctuation dropped, spaces to hyphens.
 * @example githubAnchor('Webhook p99 latency above 500 ms') // 'webhook-p99-latency-above-500-ms'
 */
export function githubAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The link to a runbook section, with the base from context `runbookBaseUrl`. */
export function runbookUrl(scope: IConstruct, section: RunbookSection): string {
  const base = (scope.node.tryGetContext(RUNBOOK_BASE_URL_CONTEXT) as string | undefined) ?? DEFAULT_RUNBOOK_BASE_URL;
  return `${base}#${githubAnchor(RUNBOOK_SECTIONS[section])}`;
}

const RUNBOOK_MARKER = ' Runbook: ';

/** Appends the runbook link of `section` to an alarm's description (once). */
export function linkRunbook(alarm: cloudwatch.Alarm | cloudwatch.CompositeAlarm, section: RunbookSection): void {
  const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm | cloudwatch.CfnCompositeAlarm;
  const description = cfn.alarmDescription ?? '';
  if (description.includes(RUNBOOK_MARKER)) return;
  cfn.alarmDescription = `${description}${RUNBOOK_MARKER}${runbookUrl(alarm, section)}`;
}

/**
 * Links the alarms that constructs create by a fixed id (function errors, DLQs, API 5xx, send
 * failures, reconciler) to their runbook sections, wherever they are in the app. Alarms linked
 * explicitly are left alone; an alarm no rule knows stays unlinked and fails the runbook test.
 * @example Aspects.of(app).add(new RunbookLinks());
 */
export class RunbookLinks implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof cloudwatch.Alarm)) return;
    const section = sectionOf(node.node.id, node.node.path);
    if (section) linkRunbook(node, section);
  }
}

function sectionOf(id: string, path: string): RunbookSection | undefined {
  switch (id) {
    case 'DeadLetterAlarm':
      if (path.includes('/EventRelay/')) return 'eventRelayDlq';
      return path.includes('/InboundQueue/') ? 'inboundDlq' : path.includes('/OutboundQueue/') ? 'outboundDlq' : 'otherDlq';
    case 'IteratorAgeAlarm':
      return 'eventRelayBehind';
    case 'ScheduledRunsDeadLetterAlarm':
      return 'scheduledDlq';
    case 'ErrorsAlarm':
      return 'functionErrors';
    case 'ServerErrorRateAlarm':
      return path.includes('/AdminApi/') ? 'adminApi5xx' : 'webhook5xx';
    case 'SendFailedAlarm':
      return 'sendFailures';
    case 'ReconcileIngestedAlarm':
      return 'reconcileIngested';
    case 'ReconcileFailedAlarm':
      return 'reconcileFailed';
    default:
      return undefined;
  }
}
