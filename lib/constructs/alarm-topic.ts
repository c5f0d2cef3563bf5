import { Stack } from 'aws-cdk-lib';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { EncryptionKey } from './encryption-key';

export interface AlarmTopicProps {
  /**
   * The key the topic is encrypted with. Alarm texts name resources only, but one key for the
   * whole system keeps the key policy in one place; the topic gets CloudWatch's key access.
   */
  readonly encryptionKey: EncryptionKey;
}

/**
 * The SNS topic every alarm of the system notifies. Subscriptions (e-mail, chat, paging) are an
 * operator's choice and are added outside this app.
 */
export class AlarmTopic extends Construct {
  /** The topic. */
  public readonly topic: sns.Topic;
  /** Ready-made alarm action publishing to {@link topic}. */
  public readonly action: cloudwatchActions.SnsAction;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Echo WhatsApp alarms',
      masterKey: props.encryptionKey.key,
      enforceSSL: true,
    });
    props.encryptionKey.allowCloudWatchAlarms();

    // enforceSSL replaces SNS's default access policy with a topic policy, so CloudWatch (a
    // service principal, not an IAM identity of this account) must be allowed explicitly.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );

    this.action = new cloudwatchActions.SnsAction(this.topic);
  }
}
