import { Duration, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionErrorsAlarm } from './alarms';
import { EchoFunction, type PowertoolsLogLevel } from './echo-function';
import { kmsViaService, SQS_PRODUCER_KMS_ACTIONS } from './policy';

export interface ScheduledFunctionProps {
  /** Folder under `lambdas/handlers/`. */
  readonly handlerName: string;
  /** `POWERTOOLS_SERVICE_NAME`. */
  readonly serviceName: string;
  /** What the job does, for the rule's description and the alarm. */
  readonly description: string;
  /** How often the job runs (an EventBridge `rate(...)` rule). */
  readonly every: Duration;
  /** Hard limit of one run. */
  readonly timeout: Duration;
  /** The function's own environment variables. */
  readonly environment: Record<string, string>;
  /** The key of the function's log group and of the dead-letter queue. */
  readonly encryptionKey: kms.IKey;
  /**
   * Where a run that still fails after Lambda's retries is recorded (the event, with the error in
   * the message attributes). Must be encrypted with {@link encryptionKey}.
   */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * `POWERTOOLS_LOG_LEVEL`.
   * @default 'INFO'
   */
  readonly logLevel?: PowertoolsLogLevel;
  /**
   * Called when the errors alarm fires (and recovers).
   * @default - no action
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}

/**
 * A Lambda function run by an EventBridge rule on a fixed rate, for idempotent jobs whose next run
 * redoes whatever a failed run left undone.
 *
 * Retries, bounded by the period: EventBridge retries delivering the event (throttling, service
 * errors) up to 2 times within one period; Lambda retries a failed run up to 2 times, and discards
 * an event older than one period (the next run has started by then). A run that fails all its
 * attempts lands in the dead-letter queue, which alarms; so does any failed invocation.
 */
export class ScheduledFunction extends Construct {
  /** The function and its role and log group. */
  public readonly echoFunction: EchoFunction;
  /** The schedule. */
  public readonly rule: events.Rule;
  /** Fires on any failed run. */
  public readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ScheduledFunctionProps) {
    super(scope, id);

    this.echoFunction = new EchoFunction(this, 'Handler', {
      handlerName: props.handlerName,
      serviceName: props.serviceName,
      timeout: props.timeout,
      environment: props.environment,
      logLevel: props.logLevel,
      logEncryptionKey: props.encryptionKey,
      deadLetterQueue: props.deadLetterQueue,
    });
    const fn = this.echoFunction.function;
    // EchoFunction grants sqs:SendMessage on the dead-letter queue; SSE-KMS also needs the key.
    this.echoFunction.addToRolePolicy(
      kmsViaService(props.encryptionKey, Stack.of(this), 'sqs', SQS_PRODUCER_KMS_ACTIONS),
    );

    fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: props.every });

    this.rule = new events.Rule(this, 'Schedule', {
      description: props.description,
      schedule: events.Schedule.rate(props.every),
    });
    this.rule.addTarget(new targets.LambdaFunction(fn, { retryAttempts: 2, maxEventAge: props.every }));

    this.errorsAlarm = functionErrorsAlarm(this, 'ErrorsAlarm', fn, {
      description: `The scheduled job "${props.handlerName}" failed (${props.description}). The next run retries the work.`,
      period: props.every,
      action: props.alarmAction,
    });
  }
}
