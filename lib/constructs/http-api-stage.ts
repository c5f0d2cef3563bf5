import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { withAction } from './alarms';

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
export interface RouteThrottle {
  /** Requests per second, sustained. */
  readonly rateLimit: number;
  /** Requests accepted in a burst above the rate. */
  readonly burstLimit: number;
}

export interface ObservedHttpApiProps {
  readonly description: string;
  /** The function behind every route (payload format 2.0). */
  readonly handler: lambda.IFunction;
  /** Id of the Lambda integration (kept stable: it names the invoke permissions). */
  readonly integrationId: string;
  /** Route keys (`METHOD /path`). */
  readonly routeKeys: readonly string[];
  /** Every route's authorizer, and the API's default for routes added later. @default none */
  readonly authorizer?: apigwv2.IHttpRouteAuthorizer;
  /** Applied to the stage and to each route. */
  readonly throttle: RouteThrottle;
  /** Per route key, a different limit than {@link throttle} (e.g. a status route that carries 3 callbacks a message). */
  readonly routeThrottles?: Readonly<Record<string, RouteThrottle>>;
  /** Fields logged on top of {@link HTTP_API_ACCESS_LOG_FIELDS}. */
  readonly extraAccessLogFields?: Record<string, string>;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly accessLogRetention?: logs.RetentionDays;
  /** @default - CloudWatch Logs' own encryption */
  readonly accessLogEncryptionKey?: kms.IKey;
  /** Why a 5xx matters on this API: the alarm's description. */
  readonly serverErrorAlarmDescription: string;
  /** 5xx percentage (1-minute periods) at which the alarm fires. */
  readonly serverErrorRatePercent: number;
  /** @default - the alarm has no action */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}

export interface ObservedHttpApi {
  api: apigwv2.HttpApi;
  stage: apigwv2.HttpStage;
  routes: apigwv2.HttpRoute[];
  accessLogGroup: logs.LogGroup;
  /** Base URL, with a trailing slash (the `$default` stage has no path prefix). */
  url: string;
  serverErrorAlarm: cloudwatch.Alarm;
}

/**
 * An HTTP API as every API of this app is run: a `$default` stage that deploys automatically,
 * writes JSON access logs to its own log group and throttles the stage and each route, one Lambda
 * integration (payload 2.0) behind the given route keys, and an alarm on the 5xx rate.
 *
 * A function rather than a construct so that the resources keep the ids (and logical ids) they had
 * as direct children of `scope`: `Api`, `AccessLogs`, `DefaultStage`, `ServerErrorRateAlarm`.
 */
export function createObservedHttpApi(scope: Construct, props: ObservedHttpApiProps): ObservedHttpApi {
  const api = new apigwv2.HttpApi(scope, 'Api', {
    description: props.description,
    // The default stage of HttpApi cannot take access log settings; we create our own below.
    createDefaultStage: false,
    ...(props.authorizer && { defaultAuthorizer: props.authorizer }),
  });

  const accessLogGroup = new logs.LogGroup(scope, 'AccessLogs', {
    retention: props.accessLogRetention ?? logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
    encryptionKey: props.accessLogEncryptionKey,
  });

  const stage = new apigwv2.HttpStage(scope, 'DefaultStage', {
    httpApi: api,
    stageName: '$default',
    autoDeploy: true,
    // Stage-wide default: also covers any route added later without its own settings.
    throttle: props.throttle,
    accessLogSettings: {
      destination: new apigwv2.LogGroupLogDestination(accessLogGroup),
      format: apigateway.AccessLogFormat.custom(JSON.stringify({ ...HTTP_API_ACCESS_LOG_FIELDS, ...props.extraAccessLogFields })),
    },
  });

  const integration = new HttpLambdaIntegration(props.integrationId, props.handler, {
    payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
  });
  const routes = props.routeKeys.flatMap((routeKey) => {
    const [method, path] = routeKey.split(' ');
    if (!method || !path) throw new Error(`not a route key: ${routeKey}`);
    return api.addRoutes({ path, methods: [method as apigwv2.HttpMethod], integration, authorizer: props.authorizer });
  });

  // Route-level throttling, named per route key, so each route keeps its limit even if routes with
  // other limits join this API. CloudFormation rejects route settings for routes that do not exist
  // yet, hence the explicit dependencies. `RouteSettings` is untyped JSON on the L1, passed
  // through verbatim: the keys must be CloudFormation's PascalCase names.
  const cfnStage = stage.node.defaultChild as apigwv2.CfnStage;
  cfnStage.routeSettings = Object.fromEntries(
    props.routeKeys.map((routeKey) => {
      const throttle = props.routeThrottles?.[routeKey] ?? props.throttle;
      return [routeKey, { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit }];
    }),
  );
  for (const route of routes) stage.node.addDependency(route);

  const errorRate = new cloudwatch.MathExpression({
    label: '5xx rate (%)',
    expression: 'IF(requests > 0, 100 * errors / requests, 0)',
    usingMetrics: {
      errors: api.metricServerError({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
      requests: api.metricCount({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
    },
    period: Duration.minutes(1),
  });
  const serverErrorAlarm = new cloudwatch.Alarm(scope, 'ServerErrorRateAlarm', {
    alarmDescription: props.serverErrorAlarmDescription,
    metric: errorRate,
    threshold: props.serverErrorRatePercent,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  withAction(serverErrorAlarm, props.alarmAction);

  return { api, stage, routes, accessLogGroup, url: stage.url, serverErrorAlarm };
}
