import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { PROVIDERS, type ProviderName } from '../../lambdas/domain/providers';
import { DIMENSION, METRIC, METRICS_NAMESPACE, SERVICE, type MetricName, type ServiceName } from '../../lambdas/shared/telemetry';
import { functionErrorsAlarm, linkRunbook, withAction } from './alarms';
import { EchoFunction } from './echo-function';

/** The webhook must answer within this at p99 (BSPs time out after ~15 s; Twilio retries little). */
export const WEBHOOK_LATENCY_TARGET_MS = 500;
/** Delivered-or-read over BSP-accepted (delivered + failed) below this fires the delivery alarm. */
export const DELIVERY_SUCCESS_TARGET_PERCENT = 99;
/** Fewer settled messages than this in the hour: too few to judge a rate, the alarm stays quiet. */
export const DELIVERY_MIN_VOLUME_PER_HOUR = 50;
/** Fewer webhook requests than this in 5 minutes: p99 is one cold start, not a trend. */
export const WEBHOOK_LATENCY_MIN_REQUESTS = 100;

/**
 * A custom metric of this system (namespace, name and `service` dimension from `telemetry.ts`).
 * @example emfMetric(METRIC.sendFailed, SERVICE.send, 'Sum', Duration.minutes(5))
 */
export function emfMetric(
  name: MetricName,
  service: ServiceName,
  statistic: string,
  period: Duration,
  extra: Record<string, string> = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { [DIMENSION.service]: service, ...extra },
    statistic,
    period,
  });
}

/** The sum of one metric over several services (each function publishes under its own `service`). */
export function sumOverServices(name: MetricName, services: readonly ServiceName[], period: Duration, label: string): cloudwatch.IMetric {
  if (services.length === 1) return emfMetric(name, services[0]!, cloudwatch.Stats.SUM, period).with({ label });
  const usingMetrics = Object.fromEntries(services.map((service, index) => [`${name.toLowerCase()}_${index}`, emfMetric(name, service, cloudwatch.Stats.SUM, period)]));
  return new cloudwatch.MathExpression({ expression: Object.keys(usingMetrics).map((id) => `FILL(${id}, 0)`).join(' + '), usingMetrics, period, label });
}

/** The delivery success rate of one provider over `period`, 100 while fewer than `minVolume` messages settled. */
export function deliverySuccessRate(provider: ProviderName, period: Duration, minVolume = 0): cloudwatch.MathExpression {
  const dims = { [DIMENSION.provider]: provider };
  // Ids unique per provider: a graph holds all three rates, and ids must not repeat within it.
  const ok = `ok_${provider.replace(/\W/g, '')}`;
  const bad = `bad_${provider.replace(/\W/g, '')}`;
  return new cloudwatch.MathExpression({
    expression: `IF((${ok} + ${bad}) >= ${Math.max(1, minVolume)}, 100 * ${ok} / (${ok} + ${bad}), 100)`,
    usingMetrics: {
      [ok]: emfMetric(METRIC.deliveryConfirmed, SERVICE.webhook, cloudwatch.Stats.SUM, period, dims),
      [bad]: emfMetric(METRIC.deliveryFailed, SERVICE.webhook, cloudwatch.Stats.SUM, period, dims),
    },
    period,
    label: `${provider} delivered %`,
  });
}

export interface OperationsAlarmsProps {
  /** The public webhook API (its `Latency` and `Count`). */
  readonly webhookApi: apigwv2.IHttpApi;
  /** Alarms that mean an accepted message may be lost; the composite alarm fires when any does. */
  readonly lossAlarms: readonly cloudwatch.IAlarm[];
  /** Services whose `ArchiveWriteFailed` is summed. @default [webhook, send] */
  readonly archiveServices?: readonly ServiceName[];
  /** Services that report `ConnectionCredentialsRejected`. @default [send, admin] */
  readonly credentialServices?: readonly ServiceName[];
  /** Hours of silence the quiet check uses (for the description). */
  readonly quietAfterHours: number;
  /**
   * Called when an alarm fires (and recovers).
   * @default - no action
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}

/**
 * The alarms no single construct owns: one per failure mode of the running system, each with its
 * own description ending in a link to its `RUNBOOK.md` section, plus throttle (and, where missing,
 * error) alarms for every function of the stack, and the composite "messages may be lost".
 * Create it last in the stack: it finds the stack's functions and their error alarms.
 */
export class OperationsAlarms extends Construct {
  /** Fires when any alarm that means an accepted message may be lost fires. */
  public readonly messagesMayBeLost: cloudwatch.CompositeAlarm;
  /** Every alarm created here, by id. */
  public readonly alarms: Record<string, cloudwatch.Alarm> = {};

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const action = props.alarmAction;
    const add = (alarmId: string, alarm: cloudwatch.Alarm, section: Parameters<typeof linkRunbook>[1]) => {
      withAction(alarm, action);
      linkRunbook(alarm, section);
      this.alarms[alarmId] = alarm;
      return alarm;
    };

    // --- Every function: throttles, and errors where its construct has no alarm yet.
    const functions = stack.node.findAll().filter((node): node is EchoFunction => node instanceof EchoFunction);
    const alarmed = new Set(
      stack.node
        .findAll()
        .filter((node): node is cloudwatch.Alarm => node instanceof cloudwatch.Alarm)
        .map((alarm) => alarm.metric)
        .filter((metric): metric is cloudwatch.Metric => metric instanceof cloudwatch.Metric && metric.metricName === 'Errors')
        .map((metric) => metric.dimensions?.FunctionName),
    );
    for (const echo of functions) {
      const fn: lambda.IFunction = echo.function;
      const name = echo.node.scope?.node.id ?? echo.node.id;
      add(
        `${name}Throttles`,
        new cloudwatch.Alarm(this, `${name}ThrottlesAlarm`, {
          alarmDescription: `The ${name} function was throttled: invocations were refused for lack of concurrency (queue consumers wait, the webhook answers 5xx).`,
          metric: fn.metricThrottles({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
        'functionThrottles',
      );
      if (!alarmed.has(fn.functionName)) {
        const alarm = functionErrorsAlarm(this, `${name}ErrorsAlarm`, fn, {
          description: `The ${name} function failed an invocation (unhandled error or timeout).`,
          period: Duration.minutes(5),
        });
        add(`${name}Errors`, alarm, 'functionErrors');
      }
    }

    // --- Webhook p99 above 500 ms, sustained, and only with enough requests to mean something.
    const fiveMinutes = Duration.minutes(5);
    const apiDims = { ApiId: props.webhookApi.apiId };
    add(
      'WebhookLatency',
      new cloudwatch.Alarm(this, 'WebhookLatencyAlarm', {
        alarmDescription:
          `The webhook API's p99 latency stayed above ${WEBHOOK_LATENCY_TARGET_MS} ms for 15 minutes (with at least ` +
          `${WEBHOOK_LATENCY_MIN_REQUESTS} requests per 5 minutes): BSPs time out and Twilio hardly retries.`,
        metric: new cloudwatch.MathExpression({
          expression: `IF(requests >= ${WEBHOOK_LATENCY_MIN_REQUESTS}, p99, 0)`,
          usingMetrics: {
            p99: new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName: 'Latency', dimensionsMap: apiDims, statistic: 'p99', period: fiveMinutes }),
            requests: new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName: 'Count', dimensionsMap: apiDims, statistic: cloudwatch.Stats.SUM, period: fiveMinutes }),
          },
          period: fiveMinutes,
          label: 'webhook p99 (ms)',
        }),
        threshold: WEBHOOK_LATENCY_TARGET_MS,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      'webhookLatency',
    );

    // --- Delivery success per provider: one BSP failing must not hide behind the others.
    for (const provider of PROVIDERS) {
      add(
        `DeliverySuccess-${provider}`,
        new cloudwatch.Alarm(this, `DeliverySuccessAlarm-${provider}`, {
          alarmDescription:
            `Less than ${DELIVERY_SUCCESS_TARGET_PERCENT} % of the messages ${provider} accepted in the last hour were ` +
            `delivered (delivered or read over delivered + failed; judged from ${DELIVERY_MIN_VOLUME_PER_HOUR} messages up).`,
          metric: deliverySuccessRate(provider, Duration.hours(1), DELIVERY_MIN_VOLUME_PER_HOUR),
          threshold: DELIVERY_SUCCESS_TARGET_PERCENT,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
        'deliverySuccess',
      );
    }

    const anyOf = (alarmId: string, description: string, metric: cloudwatch.IMetric, section: Parameters<typeof linkRunbook>[1]) =>
      add(
        alarmId,
        new cloudwatch.Alarm(this, `${alarmId}Alarm`, {
          alarmDescription: description,
          metric,
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
        section,
      );

    const outcomeExpired = anyOf(
      'OutcomeUnknownExpired',
      'The outcome watchdog failed sends whose outcome stayed unknown past their deadline: the BSP never confirmed them, so the customer may or may not have the message.',
      emfMetric(METRIC.outcomeExpired, SERVICE.outcomeWatchdog, cloudwatch.Stats.SUM, fiveMinutes),
      'outcomeUnknownExpired',
    );
    anyOf(
      'ArchiveWriteFailed',
      'Payloads we acknowledged or sent were not archived to S3: the audit log and the replay source have a gap (the messages themselves are stored).',
      sumOverServices(METRIC.archiveWriteFailed, props.archiveServices ?? [SERVICE.webhook, SERVICE.send], fiveMinutes, 'archive write failures'),
      'archiveFailures',
    );
    anyOf(
      'CredentialsRejected',
      "A BSP rejected a connection's credentials (Twilio 20003, Meta 190, 360dialog 401): nothing sends for that connection until its owner saves new ones. The connection is marked needs attention.",
      sumOverServices(METRIC.connectionCredentialsRejected, props.credentialServices ?? [SERVICE.send, SERVICE.admin], fiveMinutes, 'credentials rejected'),
      'credentialsRejected',
    );
    anyOf(
      'ConnectionsGoneQuiet',
      `A connection that receives messages every day has received none for ${props.quietAfterHours} hours: its webhook may point elsewhere or the BSP may have stopped delivering. The connection health log names it.`,
      emfMetric(METRIC.connectionsGoneQuiet, SERVICE.connectionHealth, cloudwatch.Stats.MAXIMUM, Duration.hours(1)),
      'goneQuiet',
    );

    // --- Composite: any of these means an accepted message may never reach its destination.
    this.messagesMayBeLost = new cloudwatch.CompositeAlarm(this, 'MessagesMayBeLostAlarm', {
      alarmDescription:
        'Messages may be lost: a DLQ holds messages, the webhook answers 5xx, the reconciler had to ingest messages the webhook missed, or sends expired with an unknown outcome. Start here.',
      alarmRule: cloudwatch.AlarmRule.anyOf(...[...props.lossAlarms, outcomeExpired].map((alarm) => cloudwatch.AlarmRule.fromAlarm(alarm, cloudwatch.AlarmState.ALARM))),
    });
    if (action) {
      this.messagesMayBeLost.addAlarmAction(action);
      this.messagesMayBeLost.addOkAction(action);
    }
    linkRunbook(this.messagesMayBeLost, 'messagesMayBeLost');
  }
}
