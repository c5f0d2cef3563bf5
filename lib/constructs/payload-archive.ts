import { Aws, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { EchoFunction } from './echo-function';
import { kmsViaService } from './policy';
import { retainedKmsBucket } from './retained-kms-bucket';

/** Days an archived payload is kept when context `archiveRetentionDays` is not set. */
export const DEFAULT_ARCHIVE_RETENTION_DAYS = 400;

/**
 * The archive bucket's name, one per account and region (like the stacks' fixed names). Fixed so
 * that the writers' IAM statements name the bucket with pseudo parameters of their own stack instead
 * of a cross-stack token: a wildcard under a token cannot be acknowledged by one stable finding id.
 */
function archiveBucketName(): string {
  return `echo-whatsapp-archive-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

export interface PayloadArchiveProps {
  /** The stack's customer managed key: every archived payload is encrypted with it (SSE-KMS, S3 Bucket Key). */
  readonly encryptionKey: kms.IKey;
  /**
   * Days an archived payload (and its access log) is kept; S3 lifecycle deletes it after that.
   * @default DEFAULT_ARCHIVE_RETENTION_DAYS (400)
   */
  readonly retentionDays?: number;
  /**
   * What happens to the buckets when the stack is deleted or they are replaced.
   * @default RemovalPolicy.RETAIN (the archive is the audit log; never deleted with a stack)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The payload archive: every webhook request we accepted and every request we sent to a BSP, one
 * JSON object each, under `inbound/<businessId>/…` and `outbound/<businessId>/…` (see
 * `lambdas/domain/archive.ts`). It is the audit log and the source of `npm run ops -- replay`.
 *
 * Secure defaults: SSE-KMS with the stack's key, public access blocked, TLS only, retained with the
 * stack, objects expired by lifecycle after `retentionDays`, and server access logs in a bucket of
 * its own (who read the archive is part of the audit). Versioning is off: every record has a key of
 * its own (time + request or message id) and is never overwritten, and no function may delete; a
 * version history would only double what expiry has to delete.
 *
 * Writers get `s3:PutObject` on their half of the archive only ({@link grantWrite}); nothing in the
 * stacks reads it (operators do, with their own credentials, through `npm run ops`).
 * @example
 * const archive = new PayloadArchive(this, 'PayloadArchive', { encryptionKey: key, retentionDays: 400 });
 * archive.grantWrite(webhookFunction, 'inbound', key);
 */
export class PayloadArchive extends Construct {
  /** The archive bucket (`ARCHIVE_BUCKET` of the webhook and send functions). */
  public readonly bucket: s3.Bucket;
  /** Server access logs of the archive bucket. */
  public readonly accessLogBucket: s3.Bucket;
  /** Days a payload is kept. */
  public readonly retentionDays: number;

  constructor(scope: Construct, id: string, props: PayloadArchiveProps) {
    super(scope, id);
    this.retentionDays = props.retentionDays ?? DEFAULT_ARCHIVE_RETENTION_DAYS;
    ({ bucket: this.bucket, accessLogBucket: this.accessLogBucket } = retainedKmsBucket(this, {
      bucketName: archiveBucketName(),
      encryptionKey: props.encryptionKey,
      retentionDays: this.retentionDays,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      accessLogsPrefix: 'archive/',
      description: 'the payload archive',
      owner: 'PayloadArchive',
    }));
  }

  /**
   * Lets a function add records under one half of the archive (`inbound/` for the webhook,
   * `outbound/` for the send Lambda) and tells it the bucket (`ARCHIVE_BUCKET`): `s3:PutObject`
   * there, and a data key from the stack's key only through S3. No read, list or delete.
   */
  public grantWrite(fn: EchoFunction, half: 'inbound' | 'outbound', encryptionKey: kms.IKey): void {
    fn.function.addEnvironment('ARCHIVE_BUCKET', this.bucket.bucketName);
    const objects = `arn:${Aws.PARTITION}:s3:::${archiveBucketName()}/${half}/*`;
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects] }));
    fn.addToRolePolicy(kmsViaService(encryptionKey, Stack.of(fn), 's3', ['kms:GenerateDataKey']));
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::echo-whatsapp-archive-<AWS::AccountId>-<AWS::Region>/${half}/*]`,
      reason:
        `Every archive record is a new object (time + request or message id) under a per-business prefix, ` +
        `so its key is unknown at deploy time. The wildcard is confined to the ${half}/ half of the archive ` +
        'and to s3:PutObject: the function can neither read, list nor delete records.',
    });
  }
}
