import { Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { webhookRouteLoadFactor } from '../config';
import { WEBHOOK_SCALING } from '../scaling';
import { createObservedHttpApi, type RouteThrottle } from './http-api-stage';

/** Steady-state and burst request limits of a webhook route. */
export type WebhookThrottle = RouteThrottle;

export interface WebhookApiProps {
  /** The function behind every route. */
  readonly handler: lambda.IFunction;

  /** Route keys the BSPs call (`POST /webhook/x/{id}`, and `GET` for a verification handshake). */
  readonly routeKeys: readonly string[];

  /**
   * Throttling of the inbound-message routes. Above it API Gateway answers 429 without invoking
   * the function, which protects the tables and the inbound queue from a flood; BSPs treat 429 as
   * retryable (Twilio hardly retries, so size this well above real peaks). Routes that also carry
   * status callbacks get a multiple of it (see `webhookRouteLoadFactor`): Twilio's `/status` 3×,
   * Cloud API POST routes 4×.
   * @default WEBHOOK_SCALING.throttle ({ rateLimit: 1000, burstLimit: 2000 }: 1,000 inbound messages/s per provider)
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
    const throttle = props.throttle ?? WEBHOOK_SCALING.throttle;
    const observed = createObservedHttpApi(this, {
      description: 'WhatsApp BSP webhooks (Twilio, Meta Cloud API, 360dialog)',
      handler: props.handler,
      integrationId: 'WebhookIntegration',
      routeKeys: props.routeKeys,
      throttle,
      // The limit above is for messages; routes that also carry status callbacks get room for them.
      routeThrottles: Object.fromEntries(
        props.routeKeys.map((routeKey) => {
          const factor = webhookRouteLoadFactor(routeKey);
          return [routeKey, { rateLimit: throttle.rateLimit * factor, burstLimit: throttle.burstLimit * factor }];
        }),
      ),
      accessLogRetention: props.accessLogRetention,
      accessLogEncryptionKey: props.accessLogEncryptionKey,
      serverErrorAlarmDescription:
        'The WhatsApp webhook API answered 5xx to BSPs: those deliveries were not stored, and Twilio hardly retries.',
      serverErrorRatePercent: props.serverErrorRatePercent ?? 1,
      alarmAction: props.alarmAction,
    });
    this.api = observed.api;
    this.stage = observed.stage;
    this.routes = observed.routes;
    this.accessLogGroup = observed.accessLogGroup;
    this.url = observed.url;
    this.serverErrorAlarm = observed.serverErrorAlarm;

    for (const route of this.routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'BSP webhooks cannot present our credentials (Twilio, Meta and 360dialog call a plain URL), ' +
          'so the route has no gateway authorizer. Every request is authenticated in the Lambda with the ' +
          "connection's own secret before anything is stored: Twilio's X-Twilio-Signature over the raw URL " +
          "and form, Meta's X-Hub-Signature-256 over the raw body (and its verify token on the GET " +
          'handshake), and for 360dialog, which signs nothing, the secret header we registered with its ' +
          'webhook; anything else gets 403.',
      });
    }
  }
}
