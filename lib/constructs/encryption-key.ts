import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface EncryptionKeyProps {
  /**
   * What the key protects, shown in the KMS console.
   * @default 'Echo WhatsApp: tables, queues, event bus, connection secrets and logs'
   */
  readonly description?: string;

  /**
   * An alias for the key. Leave unset to allow several deployments in one account and region.
   * @default - no alias
   */
  readonly alias?: string;

  /**
   * What happens to the key when the stack is deleted. Anything encrypted with it (tables kept by
   * RETAIN, secrets, archived events) is unreadable without it, so it outlives the stack by default.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Waiting period before a scheduled deletion takes effect (only relevant with DESTROY).
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;
}

/**
 * The customer managed KMS key of the whole system, with automatic yearly rotation.
 *
 * Access model: the key policy keeps CDK's default statement that delegates to IAM in this
 * account, so functions get key access through their own least-privilege policies (always with a
 * `kms:ViaService` condition). The key policy itself names only the AWS services that use the key
 * on their own behalf, where no IAM principal of ours is the caller:
 * - CloudWatch Logs, to encrypt log groups of this account and region (their contents include phone
 *   numbers);
 * - CloudWatch (alarms), to publish to an encrypted SNS topic ({@link allowCloudWatchAlarms});
 * - EventBridge, added by the EventBus/Archive constructs themselves when they get this key.
 * DynamoDB, SQS and Secrets Manager act with the caller's credentials, so IAM grants suffice.
 */
export class EncryptionKey extends Construct {
  /** The key, for `encryptionKey`/`kmsKey` props and IAM statements. */
  public readonly key: kms.Key;
  private cloudWatchAlarmsAllowed = false;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps = {}) {
    super(scope, id);

    this.key = new kms.Key(this, 'Key', {
      description: props.description ?? 'Echo WhatsApp: tables, queues, event bus, connection secrets and logs',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      pendingWindow: props.pendingWindow ?? Duration.days(30),
      alias: props.alias,
    });

    this.allowCloudWatchLogs();
  }

  /**
   * Lets CloudWatch Logs encrypt any log group of this account and region with the key. Scoped by
   * the encryption context CloudWatch Logs always sends (the log group ARN), not by a single log
   * group: the log groups live in the stateless stack, and naming them here would make the stateful
   * stack depend on the stateless one.
   */
  private allowCloudWatchLogs(): void {
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
  }

  /**
   * Lets CloudWatch alarms of this account publish to an SNS topic encrypted with this key.
   * CloudWatch calls KMS itself when it publishes, so this must be in the key policy.
   */
  public allowCloudWatchAlarms(): void {
    if (this.cloudWatchAlarmsAllowed) return; // one statement, however many topics use the key
    this.cloudWatchAlarmsAllowed = true;
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopics',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
  }
}
