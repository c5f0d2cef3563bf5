import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * The JSON access log line of our HTTP API stages: who called (IP, user agent), what (route, path),
 * the outcome (status, latencies, integration error). No header, body or query string: those can
 * carry tokens and phone numbers.
 */
export const HTTP_API_ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationErrorMessage: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message',
  userAgent: '$context.identity.userAgent',
} as const;

/** Steady-state and burst request limits. */
export interface WebhookThrottle {
  /** Requests per second, sustained. */
  readonly rateLimit: number;
  /** Requests accepted in a burst above the rate. */
  readonly burstLimit: number;
}

export interface WebhookApiProps {
  /** The function behind every route. */
  readonly handler: lambda.IFunction;

  /** Paths of the `POST` routes the BSPs call (API Gateway path syntax, e.g. `/webhook/x/{id}`). */
  readonly postPaths: readonly string[];

  /**
   * Throttling of each webhook route. Above it API Gateway answers 429 without invoking the
   * function, which protects the tables and the inbound queue from a flood; BSPs treat 429 as
   * retryable (Twilio hardly retries, so size this well above real peaks).
   * @default { rateLimit: 200, burstLimit: 400 }
   */
  readonly throttle?: WebhookThrottle;

  /**
   * How long access logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly accessLogRetention?: logs.RetentionDays;

  /**
   * Key to encrypt the access log group with (it records caller IPs).
   * @default - CloudWatch Logs' own encryption
   */
  readonly accessLogEncryptionKey?: kms.IKey;

  /**
   * Percentage of requests answered 5xx (over 1-minute periods) at which the alarm fires. Every
   * 5xx is a delivery the BSP may not retry, so the default is low.
   * @default 1
   */
  readonly serverErrorRatePercent?: number;

  /**
   * Called when the 5xx alarm fires (and recovers).
   * @default - the alarm has no action
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}

/**
 * The public HTTP API (API Gateway v2) that BSPs post their webhooks to.
 *
 * An HTTP API with payload format 2.0 because its events carry `rawPath` and `rawQueryString`
 * exactly as the caller sent them: Twilio signs the URL byte for byte, and a REST API event only
 * has re-parsed, re-encoded values. The `$default` stage deploys automatically, writes JSON access
 * logs, and throttles each route.
 */
export class WebhookApi extends Construct {
  /** The API. */
  public readonly api: apigwv2.HttpApi;
  /** The `$default` stage. */
  public readonly stage: apigwv2.HttpStage;
  /** The routes, one per path. */
  public readonly routes: apigwv2.HttpRoute[];
  /** Access logs of the stage. */
  public readonly accessLogGroup: logs.LogGroup;
  /** Base URL of the API, with a trailing slash (the `$default` stage has no path prefix). */
  public readonly url: string;
  /** Fires when too many requests are answered 5xx. */
  public readonly serverErrorAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    const throttle = props.throttle ?? { rateLimit: 200, burstLimit: 400 };

    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'WhatsApp BSP webhooks (Twilio, Meta Cloud API, 360dialog)',
      // The default stage of HttpApi cannot take access log settings; we create our own below.
      createDefaultStage: false,
    });

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
      encryptionKey: props.accessLogEncryptionKey,
    });

    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      // Stage-wide default: also covers any route added later without its own settings.
      throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: apigateway.AccessLogFormat.custom(JSON.stringify(HTTP_API_ACCESS_LOG_FIELDS)),
      },
    });
    this.url = this.stage.url;

    const integration = new HttpLambdaIntegration('WebhookIntegration', props.handler, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    this.routes = props.postPaths.flatMap((path) =>
      this.api.addRoutes({ path, methods: [apigwv2.HttpMethod.POST], integration }),
    );

    // Route-level throttling, named per route key, so each webhook keeps its limit even if other
    // routes with other limits join this API. CloudFormation rejects route settings for routes
    // that do not exist yet, hence the explicit dependencies. `RouteSettings` is untyped JSON on
    // the L1, passed through verbatim: the keys must be CloudFormation's PascalCase names.
    const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      props.postPaths.map((path) => [
        `POST ${path}`,
        { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit },
      ]),
    );
    for (const route of this.routes) this.stage.node.addDependency(route);

    for (const route of this.routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'BSP webhooks cannot present our credentials (Twilio, Meta and 360dialog call a plain URL), ' +
          'so the route has no gateway authorizer. Every request is authenticated in the Lambda by the ' +
          "BSP's HMAC signature (Twilio X-Twilio-Signature over the raw URL and form) with the " +
          "connection's own secret, before anything is stored; unsigned or mis-signed requests get 403.",
      });
    }

    const errorRate = new cloudwatch.MathExpression({
      label: '5xx rate (%)',
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: {
        errors: this.api.metricServerError({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
        requests: this.api.metricCount({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
      },
      period: Duration.minutes(1),
    });
    this.serverErrorAlarm = new cloudwatch.Alarm(this, 'ServerErrorRateAlarm', {
      alarmDescription:
        'The WhatsApp webhook API answered 5xx to BSPs: those deliveries were not stored, and Twilio hardly retries.',
      metric: errorRate,
      threshold: props.serverErrorRatePercent ?? 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmAction) {
      this.serverErrorAlarm.addAlarmAction(props.alarmAction);
      this.serverErrorAlarm.addOkAction(props.alarmAction);
    }
  }
}
