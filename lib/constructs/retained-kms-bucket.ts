import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface RetainedKmsBucketProps {
  /** The bucket's fixed name (one per account and region, so grants can name it without a cross-stack token). */
  readonly bucketName: string;
  /** The stack's customer managed key (SSE-KMS with an S3 Bucket Key). */
  readonly encryptionKey: kms.IKey;
  /** Days an object (and its access log) is kept before lifecycle expiry. A whole number ≥ 1. */
  readonly retentionDays: number;
  /** What happens to both buckets when the stack is deleted or they are replaced. */
  readonly removalPolicy: RemovalPolicy;
  /** Prefix of this bucket's logs in the access-log bucket, e.g. `media/`. */
  readonly accessLogsPrefix: string;
  /** What the bucket holds, for the access-log bucket's cdk-nag acknowledgement ("the media bucket"). */
  readonly description: string;
  /** Names the construct in error messages. */
  readonly owner: string;
}

/**
 * A private data bucket as this product keeps them (the media copies, the payload archive), created
 * in `scope` as `Bucket` with its server access logs in `AccessLogs`: SSE-KMS with the stack's key
 * and an S3 Bucket Key (one data key per bucket and hour, off the KMS request quota the tables
 * share), public access blocked, TLS only, objects owned by the bucket, versioning off (keys are
 * written once), lifecycle expiry after `retentionDays` (incomplete multipart uploads after a day).
 * The access logs are SSE-S3, since S3 log delivery cannot write into an SSE-KMS bucket.
 * @example
 * const { bucket } = retainedKmsBucket(this, { bucketName, encryptionKey, retentionDays: 90, removalPolicy: RemovalPolicy.RETAIN, accessLogsPrefix: 'media/', description: 'the media bucket', owner: 'MediaBucket' });
 */
export function retainedKmsBucket(scope: Construct, props: RetainedKmsBucketProps): { bucket: s3.Bucket; accessLogBucket: s3.Bucket } {
  if (!Number.isInteger(props.retentionDays) || props.retentionDays < 1) {
    throw new Error(`${props.owner}: retentionDays must be a whole number of days ≥ 1, got ${props.retentionDays}`);
  }
  const accessLogBucket = new s3.Bucket(scope, 'AccessLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ expiration: Duration.days(props.retentionDays) }],
    removalPolicy: props.removalPolicy,
    autoDeleteObjects: false,
  });
  Validations.of(accessLogBucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      `This bucket is the server access log destination of ${props.description}; logging its own accesses into ` +
      'itself would log every log delivery recursively. Only S3 log delivery writes it (public access blocked, ' +
      'SSL only).',
  });
  const bucket = new s3.Bucket(scope, 'Bucket', {
    bucketName: props.bucketName,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: props.encryptionKey,
    bucketKeyEnabled: true,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: false,
    serverAccessLogsBucket: accessLogBucket,
    serverAccessLogsPrefix: props.accessLogsPrefix,
    lifecycleRules: [{ expiration: Duration.days(props.retentionDays), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    removalPolicy: props.removalPolicy,
    autoDeleteObjects: false,
  });
  return { bucket, accessLogBucket };
}
