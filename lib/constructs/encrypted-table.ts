import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** A global secondary index; all attributes are projected unless `projectionType` says otherwise. */
export interface EncryptedTableIndex {
  /** Name the code queries by (e.g. `byBusiness`). */
  readonly indexName: string;
  /** The index's partition key. */
  readonly partitionKey: dynamodb.Attribute;
  /**
   * The index's sort key.
   * @default - no sort key
   */
  readonly sortKey?: dynamodb.Attribute;
  /**
   * Which attributes are copied into the index.
   * @default dynamodb.ProjectionType.ALL
   */
  readonly projectionType?: dynamodb.ProjectionType;
  /**
   * The attributes copied into the index besides the keys, with `ProjectionType.INCLUDE` only.
   * @default - none
   */
  readonly nonKeyAttributes?: string[];
}

export interface EncryptedTableProps {
  /** The key every item is encrypted with (customer managed, so access can be audited and revoked). */
  readonly encryptionKey: kms.IKey;
  /** The table's partition key. */
  readonly partitionKey: dynamodb.Attribute;
  /**
   * The table's sort key.
   * @default - no sort key
   */
  readonly sortKey?: dynamodb.Attribute;
  /**
   * Attribute holding an epoch-seconds expiry; DynamoDB deletes expired items for free.
   * @default - no TTL
   */
  readonly timeToLiveAttribute?: string;
  /**
   * Global secondary indexes.
   * @default - none
   */
  readonly globalSecondaryIndexes?: readonly EncryptedTableIndex[];
  /**
   * A DynamoDB stream of the item changes, e.g. `NEW_AND_OLD_IMAGES` for the event relay (the
   * outbox: items carry the events their writes announce).
   * @default - no stream
   */
  readonly stream?: dynamodb.StreamViewType;
  /**
   * What happens to the table (and its data) when the stack is deleted or the table is replaced.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A DynamoDB table with the settings that must never vary between our tables: on-demand capacity
 * (traffic follows WhatsApp conversations, spiky and unpredictable), point-in-time recovery,
 * encryption with our customer managed key, and RETAIN so that a stack mistake cannot delete
 * customer conversations. No physical name: CloudFormation generates one, so replacements and
 * several deployments per account never collide; code receives names through environment variables.
 */
export class EncryptedTable extends Construct {
  /** The table, for grants and environment variables. */
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: EncryptedTableProps) {
    super(scope, id);

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: props.partitionKey,
      sortKey: props.sortKey,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: props.timeToLiveAttribute,
      stream: props.stream,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    for (const index of props.globalSecondaryIndexes ?? []) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: index.partitionKey,
        sortKey: index.sortKey,
        projectionType: index.projectionType ?? dynamodb.ProjectionType.ALL,
        nonKeyAttributes: index.nonKeyAttributes,
      });
    }
  }
}
