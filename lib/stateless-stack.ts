import { CfnOutput, CrossStackReferences, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { WEBHOOK_ROUTES } from './config';
import { WebhookApi, type WebhookThrottle } from './constructs/webhook-api';
import { WhatsAppWebhook } from './constructs/whatsapp-webhook';
import type { StatefulStack } from './stateful-stack';

export interface StatelessStackProps extends StackProps {
  /** The stack holding the data this stack's functions use. */
  readonly stateful: StatefulStack;

  /**
   * Public base URL of the webhook when a custom domain or base path fronts API Gateway
   * (`PUBLIC_BASE_URL`).
   * @default - unset: the webhook rebuilds the URL from the request
   */
  readonly publicBaseUrl?: string;

  /**
   * Throttling of each webhook route.
   * @default { rateLimit: 200, burstLimit: 400 }
   */
  readonly webhookThrottle?: WebhookThrottle;
}

/**
 * Functions and APIs: no data lives here, so this stack can be redeployed or replaced freely.
 */
export class StatelessStack extends Stack {
  /** The BSP webhook function and its alarm. */
  public readonly webhook: WhatsAppWebhook;
  /** The public webhook API. */
  public readonly webhookApi: WebhookApi;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    const { stateful, publicBaseUrl, webhookThrottle, ...stackProps } = props;
    super(scope, id, {
      description: 'Echo WhatsApp: webhook API and functions (stateless; redeploy freely)',
      ...stackProps,
    });
    // Strong references (CloudFormation export/import), chosen explicitly: the stateful stack then
    // cannot drop or replace a table, queue, key or bus while a function here still uses it. The
    // price is the two-step removal of an export ("deadly embrace", aws-cdk-lib README). Must be
    // set before any child construct exists.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);

    this.webhook = new WhatsAppWebhook(this, 'WhatsAppWebhook', {
      tables: stateful.tables,
      inboundQueue: stateful.inboundQueue,
      eventBus: stateful.eventBus,
      encryptionKey: stateful.encryptionKey,
      secretNamePrefix: stateful.secretNamePrefix,
      publicBaseUrl,
      alarmAction: stateful.alarmAction,
    });

    this.webhookApi = new WebhookApi(this, 'WebhookApi', {
      handler: this.webhook.function,
      postPaths: [WEBHOOK_ROUTES.twilioInbound, WEBHOOK_ROUTES.twilioStatus],
      throttle: webhookThrottle,
      accessLogEncryptionKey: stateful.encryptionKey,
      alarmAction: stateful.alarmAction,
    });

    new CfnOutput(this, 'WebhookBaseUrl', {
      description: 'Base URL of the BSP webhooks; Twilio: <url>webhook/whatsapp/twilio/<connectionId>',
      value: this.webhookApi.url,
    });
  }
}
