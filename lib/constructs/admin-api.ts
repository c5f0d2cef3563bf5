import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ADMIN_DEFAULTS } from '../config';
import { createObservedHttpApi, type RouteThrottle } from './http-api-stage';

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
  readonly throttle?: RouteThrottle;

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

    const observed = createObservedHttpApi(this, {
      description: 'Echo WhatsApp admin API: connections, conversations, templates (JWT, one business per token)',
      handler: props.handler,
      integrationId: 'AdminIntegration',
      routeKeys: props.routeKeys,
      // Every route, and any route added later, requires a token.
      authorizer: this.authorizer,
      throttle,
      // Who: the token's subject (a user id, not a secret); why a token was refused.
      extraAccessLogFields: { sub: '$context.authorizer.claims.sub', authorizerError: '$context.authorizer.error' },
      accessLogRetention: props.accessLogRetention,
      accessLogEncryptionKey: props.accessLogEncryptionKey,
      serverErrorAlarmDescription:
        'The admin API answered 5xx (handler errors, timeouts, BSP unavailable): business owners cannot ' +
        'manage their WhatsApp connection; see the admin Lambda logs.',
      serverErrorRatePercent: props.serverErrorRatePercent ?? 5,
      alarmAction: props.alarmAction,
    });
    this.api = observed.api;
    this.stage = observed.stage;
    this.routes = observed.routes;
    this.accessLogGroup = observed.accessLogGroup;
    this.url = observed.url;
    this.serverErrorAlarm = observed.serverErrorAlarm;
  }
}
