import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { CONNECTION_SECRET_PREFIX, CONSUMER_TIMEOUT_SECONDS, DEFAULT_MAX_RECEIVE_COUNT, OUTBOUND_MAX_RECEIVE_COUNT } from './config';
import { AdminUserPool } from './constructs/admin-user-pool';
import { AlarmTopic } from './constructs/alarm-topic';
import { EncryptedTable } from './constructs/encrypted-table';
import { EncryptionKey } from './constructs/encryption-key';
import { EchoEventBus } from './constructs/event-bus';
import { FifoQueueWithDlq } from './constructs/fifo-queue-with-dlq';
import { MediaBucket } from './constructs/media-bucket';
import { MediaQueue } from './constructs/media-queue';
import { MetaAppSecret } from './constructs/meta-app-secret';
import { PayloadArchive } from './constructs/payload-archive';
import { OPS_OUTPUTS, type OpsOutputName } from './ops-outputs';

export interface StatefulStackProps extends StackProps {
  /**
   * Prefix of the connection secrets' names (`${prefix}/connections/${connectionId}`). The stack
   * creates no secret; it only fixes the convention that readers' IAM policies are scoped to.
   * @default CONNECTION_SECRET_PREFIX ('echo-whatsapp')
   */
  readonly secretNamePrefix?: string;

  /**
   * Receives before an inbound message goes to its DLQ (the AI Lambda's retry budget).
   * @default DEFAULT_MAX_RECEIVE_COUNT (5)
   */
  readonly maxReceiveCount?: number;

  /**
   * Receives before an outbound record goes to its DLQ: a safety net for poison records only (the
   * send retry budget is on the message record).
   * @default OUTBOUND_MAX_RECEIVE_COUNT (50)
   */
  readonly outboundMaxReceiveCount?: number;

  /**
   * How long events on the bus are archived for replay; `Duration.days(0)` disables the archive.
   * @default Duration.days(14)
   */
  readonly eventArchiveRetention?: Duration;

  /**
   * Days every archived webhook request and BSP exchange is kept (context `archiveRetentionDays`).
   * @default DEFAULT_ARCHIVE_RETENTION_DAYS (400)
   */
  readonly archiveRetentionDays?: number;

  /**
   * Days a mirrored inbound media file is kept in the media bucket (context `mediaRetentionDays`).
   * @default DEFAULT_MEDIA_RETENTION_DAYS (90)
   */
  readonly mediaRetentionDays?: number;

  /**
   * Whether the stack creates the Cognito user pool that signs in admin API users. `false` when the
   * deployment trusts an external OIDC issuer instead (context `adminJwtIssuer`).
   * @default true
   */
  readonly createUserPool?: boolean;

  /**
   * Prefix of the user pool's hosted UI domain (see `AdminUserPool`).
   * @default - derived from the stack id
   */
  readonly cognitoDomainPrefix?: string;
}

/** The tables of the system; the attribute names are the contract with `lambdas/adapters`. */
export interface EchoTables {
  /** A business's WhatsApp numbers (one item per connection). */
  readonly connections: dynamodb.Table;
  /** One item per business × customer, with the 24-hour window. */
  readonly conversations: dynamodb.Table;
  /** Messages of a conversation, sorted by time-ordered id. */
  readonly messages: dynamodb.Table;
  /**
   * Idempotency markers that expire by TTL: inbound `provider#externalId`, outbound
   * `outbound#businessId#idempotencyKey[#partN]`.
   */
  readonly dedupe: dynamodb.Table;
  /** A business's WhatsApp templates (`templateKey` = `name#language`): Content SID, approval status. */
  readonly templates: dynamodb.Table;
  /** Twilio Content resources created for rich messages, by `accountSid#sha256(content)`. */
  readonly contentCache: dynamodb.Table;
  /**
   * Who did what through the admin API, per business (`auditId` = `<ISO time>#<uuid>`), deleted by
   * TTL (`expiresAt`) after the configured retention.
   */
  readonly audit: dynamodb.Table;
}

/**
 * Everything that holds data or identity and must survive redeployments: the KMS key, the tables,
 * the FIFO queues with their DLQs, the event bus, the alarm topic and (unless an external OIDC
 * issuer is used) the Cognito user pool of the admin API. It changes rarely; the
 * stateless stack reads these through the public properties below (CDK turns them into
 * cross-stack exports).
 */
export class StatefulStack extends Stack {
  /** The customer managed key protecting every data store of the system. */
  public readonly encryptionKey: kms.Key;
  /** The tables. */
  public readonly tables: EchoTables;
  /** Receives before an inbound message goes to its DLQ (the AI Lambda's retry budget). */
  public readonly maxReceiveCount: number;
  /** Receives before an outbound record goes to its DLQ (a safety net; the send Lambda's `MAX_RECEIVE_COUNT`). */
  public readonly outboundMaxReceiveCount: number;
  /** Webhook → AI Lambda, grouped by conversation. */
  public readonly inboundQueue: sqs.Queue;
  /** Inbound messages that the AI Lambda failed to process `maxReceiveCount` times. */
  public readonly inboundDeadLetterQueue: sqs.Queue;
  /** Echo services / AI / admin API → send Lambda, grouped by conversation. */
  public readonly outboundQueue: sqs.Queue;
  /** Outbound records that failed `outboundMaxReceiveCount` receives: poison, not bad luck. */
  public readonly outboundDeadLetterQueue: sqs.Queue;
  /** The domain event bus for other Echo services. */
  public readonly eventBus: events.EventBus;
  /** Where every alarm of both stacks goes. */
  public readonly alarmTopic: sns.Topic;
  /** Alarm action publishing to {@link alarmTopic}. */
  public readonly alarmAction: cloudwatch.IAlarmAction;
  /** Prefix of connection secret names (see `lib/config.ts`). */
  public readonly secretNamePrefix: string;
  /** The admin API's identities, unless an external OIDC issuer is used. */
  public readonly adminUserPool?: AdminUserPool;
  /** Every accepted webhook request and every BSP exchange (audit log, replay source). */
  public readonly payloadArchive: PayloadArchive;
  /** Echo's own Meta app secret (`${secretNamePrefix}/meta-app`): the app-level webhook and Embedded Signup. */
  public readonly metaAppSecret: MetaAppSecret;
  /** Our copy of every inbound media file (issue #10). */
  public readonly mediaBucket: MediaBucket;
  /** `message.received` with media → the media function's queue (rule, queue, DLQ). */
  public readonly mediaQueue: MediaQueue;

  constructor(scope: Construct, id: string, props: StatefulStackProps = {}) {
    super(scope, id, {
      description: 'Echo WhatsApp: key, tables, FIFO queues, event bus (stateful; changes rarely)',
      ...props,
    });

    this.secretNamePrefix = props.secretNamePrefix ?? CONNECTION_SECRET_PREFIX;

    const encryption = new EncryptionKey(this, 'EncryptionKey');
    this.encryptionKey = encryption.key;

    const alarms = new AlarmTopic(this, 'Alarms', { encryptionKey: encryption });
    this.alarmTopic = alarms.topic;
    this.alarmAction = alarms.action;

    const key = this.encryptionKey;
    const text = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

    this.tables = {
      connections: new EncryptedTable(this, 'ConnectionsTable', {
        encryptionKey: key,
        // The event relay publishes the events its items carry (the outbox).
        stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
        partitionKey: text('connectionId'),
        globalSecondaryIndexes: [
          // The admin API lists a business's connections.
          { indexName: 'byBusiness', partitionKey: text('businessId'), sortKey: text('connectionId') },
          // Meta's Cloud API routes webhooks by phone_number_id, not by our connection id.
          { indexName: 'byProviderNumber', partitionKey: text('providerNumberId') },
          // Meta's app-level webhook: account events (PARTNER_REMOVED) name a WABA, not a number.
          { indexName: 'byProviderAccount', partitionKey: text('providerAccountId'), projectionType: dynamodb.ProjectionType.KEYS_ONLY },
        ],
      }).table,
      conversations: new EncryptedTable(this, 'ConversationsTable', {
        encryptionKey: key,
        // The event relay publishes the events its items carry (the outbox).
        stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
        partitionKey: text('conversationId'),
        globalSecondaryIndexes: [
          // Inbox view: a business's conversations, newest first (ScanIndexForward=false);
          // `lastMessageAt` is an ISO-8601 string, so lexical order is time order.
          { indexName: 'byBusiness', partitionKey: text('businessId'), sortKey: text('lastMessageAt') },
          // The window Lambda queries one expiry bucket at a time instead of scanning every conversation.
          { indexName: 'byWindowExpiry', partitionKey: text('windowExpiryBucket'), sortKey: text('windowExpiresAt') },
        ],
      }).table,
      messages: new EncryptedTable(this, 'MessagesTable', {
        encryptionKey: key,
        // The event relay publishes the events its items carry (the outbox).
        stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
        partitionKey: text('conversationId'),
        sortKey: text('messageId'),
        globalSecondaryIndexes: [
          // Sparse: only outbound messages whose BSP call has an uncertain outcome carry
          // `outcomePending` ('pending') and `outcomeDeadline` (ISO); the status callback removes
          // both. The watchdog queries `outcomeDeadline < now` in the one 'pending' partition and
          // reads only overdue sends, never the whole table. Every send may pass through this
          // single index partition, so its items are kept small: the keys plus what the watchdog
          // needs to decide and to announce (`send.failed`); it gets anything else (metadata) from
          // its conditional UpdateItem with ReturnValues ALL_NEW.
          {
            indexName: 'byOutcomeDeadline',
            partitionKey: text('outcomePending'),
            sortKey: text('outcomeDeadline'),
            projectionType: dynamodb.ProjectionType.INCLUDE,
            nonKeyAttributes: ['businessId', 'connectionId', 'idempotencyKey', 'sendState'],
          },
        ],
      }).table,
      dedupe: new EncryptedTable(this, 'DedupeTable', {
        encryptionKey: key,
        partitionKey: text('dedupeKey'),
        timeToLiveAttribute: 'expiresAt',
      }).table,
      // Read by the send Lambda (one template by key) and the template sync (every template, hourly).
      templates: new EncryptedTable(this, 'TemplatesTable', {
        encryptionKey: key,
        partitionKey: text('businessId'),
        sortKey: text('templateKey'),
      }).table,
      // A Content resource is immutable and keyed by the hash of what it says, so an entry stays
      // right for as long as the resource exists in Twilio: no TTL.
      contentCache: new EncryptedTable(this, 'ContentCacheTable', {
        encryptionKey: key,
        partitionKey: text('cacheKey'),
      }).table,
      // Written once per mutating admin call, read by operators (by business, in time order).
      audit: new EncryptedTable(this, 'AuditTable', {
        encryptionKey: key,
        partitionKey: text('businessId'),
        sortKey: text('auditId'),
        timeToLiveAttribute: 'expiresAt',
      }).table,
    };

    const maxReceiveCount = props.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT;
    this.maxReceiveCount = maxReceiveCount;
    const inbound = new FifoQueueWithDlq(this, 'InboundQueue', {
      encryptionKey: key,
      consumerTimeout: Duration.seconds(CONSUMER_TIMEOUT_SECONDS.inbound),
      maxReceiveCount,
      alarmAction: this.alarmAction,
    });
    this.inboundQueue = inbound.queue;
    this.inboundDeadLetterQueue = inbound.deadLetterQueue;

    this.outboundMaxReceiveCount = props.outboundMaxReceiveCount ?? OUTBOUND_MAX_RECEIVE_COUNT;
    const outbound = new FifoQueueWithDlq(this, 'OutboundQueue', {
      encryptionKey: key,
      consumerTimeout: Duration.seconds(CONSUMER_TIMEOUT_SECONDS.outbound),
      maxReceiveCount: this.outboundMaxReceiveCount,
      alarmAction: this.alarmAction,
    });
    this.outboundQueue = outbound.queue;
    this.outboundDeadLetterQueue = outbound.deadLetterQueue;

    this.eventBus = new EchoEventBus(this, 'EventBus', {
      encryptionKey: key,
      archiveRetention: props.eventArchiveRetention,
    }).bus;

    // Inbound media: the bucket holds customers' files; the rule and queue hold the jobs that copy
    // them there (both data, both retained with this stack).
    this.mediaBucket = new MediaBucket(this, 'MediaBucket', { encryptionKey: key, retentionDays: props.mediaRetentionDays });
    this.mediaQueue = new MediaQueue(this, 'MediaQueue', { eventBus: this.eventBus, encryptionKey: key, alarmAction: this.alarmAction });

    // Identities hold data that must survive redeployments (users, their business binding, MFA).
    if (props.createUserPool ?? true) {
      this.adminUserPool = new AdminUserPool(this, 'AdminUsers', { domainPrefix: props.cognitoDomainPrefix });
    }

    this.payloadArchive = new PayloadArchive(this, 'PayloadArchive', { encryptionKey: key, retentionDays: props.archiveRetentionDays });
    this.metaAppSecret = new MetaAppSecret(this, 'MetaAppSecret', { encryptionKey: key, secretNamePrefix: this.secretNamePrefix });

    // What `npm run ops -- … --aws` finds the deployment by (stable keys, see lib/ops-outputs.ts).
    const opsOutputs: Record<OpsOutputName, string> = {
      connectionsTable: this.tables.connections.tableName,
      conversationsTable: this.tables.conversations.tableName,
      messagesTable: this.tables.messages.tableName,
      dedupeTable: this.tables.dedupe.tableName,
      inboundQueueUrl: this.inboundQueue.queueUrl,
      inboundDeadLetterQueueUrl: this.inboundDeadLetterQueue.queueUrl,
      outboundQueueUrl: this.outboundQueue.queueUrl,
      outboundDeadLetterQueueUrl: this.outboundDeadLetterQueue.queueUrl,
      eventBusName: this.eventBus.eventBusName,
      archiveBucket: this.payloadArchive.bucket.bucketName,
    };
    for (const [name, value] of Object.entries(opsOutputs) as [OpsOutputName, string][]) new CfnOutput(this, OPS_OUTPUTS[name], { value });
  }
}
