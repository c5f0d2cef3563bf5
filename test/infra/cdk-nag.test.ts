import { Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { PolicyViolation } from 'aws-cdk-lib';
import { createApp, type EchoApp } from '../../lib/app';
import { logicalIdOf, SYNTH_TIMEOUT_MS } from './synth';

/** One line per finding, so a failure names the rule and the resources. */
function describeViolation(violation: PolicyViolation): string {
  const where = violation.violatingResources.map((resource) => resource.constructPath ?? resource.resourceLogicalId);
  return `${violation.ruleName} at ${where.join(', ')}: ${violation.description}`;
}

/** Every `Validations.of(x).acknowledge(...)` in the app: construct path, rule id, reason. */
function acknowledgements(echo: EchoApp): { path: string; id: string; reason: string }[] {
  return echo.app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions checks', () => {
  let echo: EchoApp;

  beforeAll(() => {
    echo = createApp({ skipBundling: true });
  }, SYNTH_TIMEOUT_MS);

  it('finds no unacknowledged violation in either stack', () => {
    const report = echo.nag.validateScope(echo.app);
    expect(report.violations.map(describeViolation)).toEqual([]);
  });

  it('acknowledges only these findings, each with a specific reason', () => {
    const acknowledged = acknowledgements(echo);
    // A new acknowledgement must be added here on purpose, after trying to fix the finding instead.
    expect(acknowledged.map(({ path, id }) => `${path} :: ${id}`).sort()).toEqual(
      [
        'EchoWhatsAppStateless/WebhookApi/Api/POST--webhook--whatsapp--twilio--{connectionId} :: AwsSolutions-APIG4',
        'EchoWhatsAppStateless/WebhookApi/Api/GET--webhook--whatsapp--meta--{connectionId} :: AwsSolutions-APIG4',
        'EchoWhatsAppStateless/WebhookApi/Api/POST--webhook--whatsapp--meta--{connectionId} :: AwsSolutions-APIG4',
        'EchoWhatsAppStateless/WebhookApi/Api/POST--webhook--whatsapp--360dialog--{connectionId} :: AwsSolutions-APIG4',
        // Echo's Meta app (Embedded Signup): its app-level webhook is authenticated like a connection's
        // (verify token, X-Hub-Signature-256 with the app secret); its secret's values are issued by Meta.
        'EchoWhatsAppStateless/WebhookApi/Api/GET--webhook--whatsapp--meta :: AwsSolutions-APIG4',
        'EchoWhatsAppStateless/WebhookApi/Api/POST--webhook--whatsapp--meta :: AwsSolutions-APIG4',
        'EchoWhatsAppStateful/MetaAppSecret/Secret :: AwsSolutions-SMG4',
        'EchoWhatsAppStateless/WebhookApi/Api/POST--webhook--whatsapp--twilio--{connectionId}--status :: AwsSolutions-APIG4',
        'EchoWhatsAppStateless/WebhookApi/Api/POST--webhook--whatsapp--twilio--{connectionId}--fallback :: AwsSolutions-APIG4',
        'EchoWhatsAppStateless/WhatsAppWebhook/Handler/Function :: AwsSolutions-L1',
        'EchoWhatsAppStateless/WhatsAppWebhook/Handler/Role :: AwsSolutions-IAM5[Resource::*]',
        'EchoWhatsAppStateless/WhatsAppWebhook/Handler/Role :: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:echo-whatsapp/connections/*]',
        // Every function: the runtime pin (L1) and the X-Ray statement (IAM5 Resource::*), by EchoFunction.
        ...['Send', 'Ai', 'Window', 'OutcomeWatchdog', 'TemplateSync', 'Reconcile', 'ConnectionHealth', 'Admin', 'EventRelay', 'Media'].flatMap((name) => [
          `EchoWhatsAppStateless/${name}/Handler/Function :: AwsSolutions-L1`,
          `EchoWhatsAppStateless/${name}/Handler/Role :: AwsSolutions-IAM5[Resource::*]`,
        ]),
        // The event relay's dead-letter queue is an on-failure destination, which cdk-nag does not see as a DLQ.
        'EchoWhatsAppStateless/EventRelay/DeadLetterQueue :: AwsSolutions-SQS3',
        // The other readers of connection secrets (the send Lambda, the AI Lambda's read receipts, the
        // template sync, the inbound reconciler) and their one writer (the admin API), each scoped to
        // the connection-secret prefix.
        ...['Send', 'Ai', 'TemplateSync', 'Reconcile', 'Admin', 'Media'].map(
          (name) =>
            `EchoWhatsAppStateless/${name}/Handler/Role :: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:echo-whatsapp/connections/*]`,
        ),
        // The payload archive: its access log bucket does not log into itself; the webhook and the send
        // Lambda put new objects under their own half of it (keys made at run time).
        'EchoWhatsAppStateful/PayloadArchive/AccessLogs :: AwsSolutions-S1',
        ...[
          ['WhatsAppWebhook', 'inbound'],
          ['Send', 'outbound'],
        ].map(
          ([name, half]) =>
            `EchoWhatsAppStateless/${name}/Handler/Role :: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::echo-whatsapp-archive-<AWS::AccountId>-<AWS::Region>/${half}/*]`,
        ),
        // The media bucket: its access log bucket does not log into itself; the media function writes,
        // and the AI Lambda and the admin API sign links to, objects keyed per message (run time).
        'EchoWhatsAppStateful/MediaBucket/AccessLogs :: AwsSolutions-S1',
        ...['Media', 'Ai', 'Admin'].map(
          (name) =>
            `EchoWhatsAppStateless/${name}/Handler/Role :: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::echo-whatsapp-media-<AWS::AccountId>-<AWS::Region>/*]`,
        ),
        // The settings page (S3 + CloudFront). The log bucket does not log into itself; the
        // distribution has no custom domain (CFR4), WAF (CFR2) or geo restriction (CFR1) by default.
        'EchoWhatsAppStateless/SettingsSite/AccessLogs :: AwsSolutions-S1',
        'EchoWhatsAppStateless/SettingsSite/Distribution :: AwsSolutions-CFR1',
        'EchoWhatsAppStateless/SettingsSite/Distribution :: AwsSolutions-CFR2',
        'EchoWhatsAppStateless/SettingsSite/Distribution :: AwsSolutions-CFR4',
        // CDK BucketDeployment's copy function: its runtime and the grants CDK writes, each by exact id.
        'EchoWhatsAppStateless/Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C256MiB :: AwsSolutions-L1',
        ...[
          'Action::s3:Abort*',
          'Action::s3:DeleteObject*',
          'Action::s3:GetBucket*',
          'Action::s3:GetObject*',
          'Action::s3:List*',
          'Resource::*',
          `Resource::<${logicalIdOf(echo.stateless.webHosting!.bucket)}.Arn>/*`,
          'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
        ].map((finding) => `EchoWhatsAppStateless/SettingsSite/DeploymentRole :: AwsSolutions-IAM5[${finding}]`),
      ].sort(),
    );
    for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(100);
  });

  it.each([
    ['an external OIDC issuer (no Cognito user pool)', { adminJwtIssuer: 'https://auth.echo.example', adminJwtAudience: 'echo-web' }],
    ['no settings page', { settingsPage: 'false' }],
  ])('finds no unacknowledged violation with %s either', (_, context) => {
    const variant = createApp({ skipBundling: true, context });
    expect(variant.nag.validateScope(variant.app).violations.map(describeViolation)).toEqual([]);
  }, SYNTH_TIMEOUT_MS);

  it('is registered by createApp, so synthesis fails on a violation', () => {
    const failing = createApp({ skipBundling: true });
    // A queue without a DLQ or SSL-only policy breaks AwsSolutions-SQS3 and -SQS4.
    new sqs.Queue(failing.stateful, 'NonCompliantQueue', { encryption: sqs.QueueEncryption.SQS_MANAGED });
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(() => failing.app.synth()).toThrow(/AwsSolutions-SQS4/);
    } finally {
      consoleError.mockRestore();
    }
  }, SYNTH_TIMEOUT_MS);
});
