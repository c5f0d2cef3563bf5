import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../lambdas/domain/events';

export interface EchoEventBusProps {
  /** The key events are encrypted with: their details carry phone numbers and message text. */
  readonly encryptionKey: kms.IKey;

  /**
   * How long every event is archived, so a consumer that was down or buggy can be replayed.
   * `Duration.days(0)` disables the archive.
   * @default Duration.days(14)
   */
  readonly archiveRetention?: Duration;

  /**
   * The `source` of events this system publishes; only these are archived.
   * @default EVENT_SOURCE of lambdas/domain/events ('echo.whatsapp'), what the publisher sets
   */
  readonly eventSource?: string;
}

/**
 * The custom EventBridge bus on which this system announces every state change
 * (`message.received`, `message.status`, `window.expiring`, `send.failed`, `connection.changed`)
 * to the other Echo services, and a replay archive of them. We set no name: CDK generates one from
 * the construct path, and producers receive it via `EVENT_BUS_NAME`.
 */
export class EchoEventBus extends Construct {
  /** The bus; grant `events:PutEvents` on it to producers. */
  public readonly bus: events.EventBus;
  /** The replay archive, unless disabled. */
  public readonly archive?: events.Archive;
  /** The `source` field of our events. */
  public readonly eventSource: string;

  constructor(scope: Construct, id: string, props: EchoEventBusProps) {
    super(scope, id);
    this.eventSource = props.eventSource ?? EVENT_SOURCE;

    // With a customer managed key, the EventBus construct adds the key policy statement that lets
    // events.amazonaws.com use the key for this bus only (aws:SourceArn condition).
    this.bus = new events.EventBus(this, 'Bus', {
      description: 'Echo WhatsApp domain events for other Echo services',
      kmsKey: props.encryptionKey,
    });

    const archiveRetention = props.archiveRetention ?? Duration.days(14);
    if (archiveRetention.toDays() > 0) {
      this.archive = new events.Archive(this, 'Archive', {
        sourceEventBus: this.bus,
        description: 'Replayable copy of Echo WhatsApp events',
        eventPattern: { account: [Stack.of(this).account], source: [this.eventSource] },
        retention: archiveRetention,
        // Not `kmsKey`: the Archive construct would then add a key policy statement naming the bus
        // by its `Fn::GetAtt` ARN while the bus names the key, a circular dependency that
        // CloudFormation rejects. We set the key on the L1 and write the statement ourselves.
      });
      (this.archive.node.defaultChild as events.CfnArchive).kmsKeyIdentifier = props.encryptionKey.keyArn;
      this.allowArchiveEncryption(props.encryptionKey);
    }
  }

  /**
   * What the Archive construct would grant EventBridge on the key for this bus's archive, with the
   * bus ARN built from its name (generated at synthesis, a literal in the template) instead of
   * `Fn::GetAtt`, so the key does not depend on the bus.
   */
  private allowArchiveEncryption(key: kms.IKey): void {
    const stack = Stack.of(this);
    const busName = (this.bus.node.defaultChild as events.CfnEventBus).name;
    const busArn = stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: busName });
    const eventBridge = new iam.ServicePrincipal('events.amazonaws.com');
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgeToEncryptTheArchiveOfTheBus',
        principals: [eventBridge],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncrypt*'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:EncryptionContext:aws:events:event-bus:arn': busArn } },
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgeToDescribeTheKey',
        principals: [eventBridge],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
      }),
    );
  }
}
