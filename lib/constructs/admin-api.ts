import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ADMIN_DEFAULTS, parseRouteKey } from '../config';
import { withAction } from './alarms';
import { HTTP_API_ACCESS_LOG_FIELDS, type WebhookThrottle } from './webhook-api';

/** Who issues the tokens the admin API accepts, and for which audience. */
export interface AdminJwtSettings {
  /**
   * The `iss` every token must carry; API Gateway fetches the signing keys from
   * `<issuer>/.well-known/openid-configuration`. Cognito: `https://cognito-idp.<region>.amazonaws.com/<poolId>`.
   */
  readonly issuer: string;
  /** Accepted `aud` (or `client_id`) values. Cognito: the settings page's app client id (ID tokens). */
  readonly audience: string[];
}

export interface AdminApiProps {
  /** The admin Lambda behind every route. */
  readonly handler: lambda.IFunction;

  /** Route keys (`METHOD /path`), e.g. the values of `ADMIN_ROUTES`. */
  readonly routeKeys: readonly string[];

  /** Issuer and audience of the JWT authorizer that guards every route. */
  readonly jwt: AdminJwtSettings;

  /**
   * Throttling of each route: above it API Gateway answers 429 without invoking the function.
   * @default ADMIN_DEFAULTS.throttle ({ rateLimit: 10, burstLimit: 20 })
   */
  readonly throttle?: WebhookThrottle;

  /**
   * How long access logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly accessLogRetention?: logs.RetentionDays;

  /**
   * Key to encrypt the access log group with (it records caller IPs and user ids).
   * @default - CloudWatch Logs' own encryption
   */
  readonly accessLogEncryptionKey?: kms.IKey;

  /**
   * Percentage of requests answered 5xx (over 1-minute periods) at which the alarm fires.
   * @default 5
   */
  readonly serverErrorRatePercent?: number;

  /**
   * Called when the 5xx alarm fires (and recovers).
   * @default - the alarm has no action
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}

/**
 * The admin API: an HTTP API (payload format 2.0) whose every route requires a JWT validated by
 * API Gateway (signature against the issuer's JWKS, `iss`, `aud`, `exp`, `nbf`) before the Lambda
 * runs; the Lambda then checks the token's business claim against the path. The `$default` stage
 * deploys automatically, writes JSON access logs (with the caller's `sub`), and throttles each
 * route. No CORS: the settings page calls it from the same origin (CloudFront `/businesses/*`).
 */
export class AdminApi extends Construct {
  /** The API. */
  public readonly api: apigwv2.HttpApi;
  /** The `$default` stage. */
  public readonly stage: apigwv2.HttpStage;
  /** The routes, one per route key. */
  public readonly routes: apigwv2.HttpRoute[];
  /** The JWT authorizer of every route. */
  public readonly authorizer: HttpJwtAuthorizer;
  /** Access logs of the stage. */
  public readonly accessLogGroup: logs.LogGroup;
  /** Base URL of the API, with a trailing slash. */
  public readonly url: string;
  /** Fires when too many requests are answered 5xx. */
  public readonly serverErrorAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AdminApiProps) {
    super(scope, id);
    const throttle = props.throttle ?? ADMIN_DEFAULTS.throttle;

    this.authorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.jwt.issuer, {
      authorizerName: 'admin-jwt',
      jwtAudience: props.jwt.audience,
      identitySource: ['$request.header.Authorization'],
    });

    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'Echo WhatsApp admin API: connections, conversations, templates (JWT, one business per token)',
      createDefaultStage: false,
      // Any route added later without its own authorizer still requires a token.
      defaultAuthorizer: this.authorizer,
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
      throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: apigateway.AccessLogFormat.custom(
          JSON.stringify({
            ...HTTP_API_ACCESS_LOG_FIELDS,
            // Who: the token's subject (a user id, not a secret); why a token was refused.
            sub: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });
    this.url = this.stage.url;

    const integration = new HttpLambdaIntegration('AdminIntegration', props.handler, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    this.routes = props.routeKeys.flatMap((routeKey) => {
      const { method, path } = parseRouteKey(routeKey);
      return this.api.addRoutes({
        path,
        methods: [method as apigwv2.HttpMethod],
        integration,
        authorizer: this.authorizer,
      });
    });

    // Route-level throttling per route key (see WebhookApi for why the L1 and the dependencies).
    const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      props.routeKeys.map((routeKey) => [
        routeKey,
        { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit },
      ]),
    );
    for (const route of this.routes) this.stage.node.addDependency(route);

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
        'The admin API answered 5xx (handler errors, timeouts, BSP unavailable): business owners cannot ' +
        'manage their WhatsApp connection; see the admin Lambda logs.',
      metric: errorRate,
      threshold: props.serverErrorRatePercent ?? 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    withAction(this.serverErrorAlarm, props.alarmAction);
  }
}
