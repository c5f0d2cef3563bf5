import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

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
