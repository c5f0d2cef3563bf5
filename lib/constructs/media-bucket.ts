import { Aws, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { EchoFunction } from './echo-function';
import { kmsViaService } from './policy';
import { retainedKmsBucket } from './retained-kms-bucket';

/** Days a mirrored media file is kept when context `mediaRetentionDays` is not set. */
export const DEFAULT_MEDIA_RETENTION_DAYS = 90;

/**
 * The media bucket's name, one per account and region (like the payload archive's). Fixed so that
 * the grants in the stateless stack name it with that stack's own pseudo parameters instead of a
 * cross-stack token: a wildcard under a token cannot be acknowledged by one stable finding id.
 */
function mediaBucketName(): string {
  return `echo-whatsapp-media-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

/**
 * Where presigned links to the media bucket point (virtual-hosted, regional: what the SDK signs in
 * AWS), in the stack that uses it: the settings page's Content-Security-Policy admits this origin
 * for images and players, and no other S3 host.
 * @example mediaBucketOrigin() // 'https://echo-whatsapp-media-<account>-<region>.s3.<region>.amazonaws.com' (tokens)
 */
export function mediaBucketOrigin(): string {
  return `https://${mediaBucketName()}.s3.${Aws.REGION}.${Aws.URL_SUFFIX}`;
}

/** Every object of the media bucket, as an ARN in the stack that uses it. */
function mediaObjectsArn(): string {
  return `arn:${Aws.PARTITION}:s3:::${mediaBucketName()}/*`;
}

export interface MediaBucketProps {
  /** The stack's customer managed key: every media file is encrypted with it (SSE-KMS, S3 Bucket Key). */
  readonly encryptionKey: kms.IKey;
  /**
   * Days a media file (and its access log) is kept; S3 lifecycle deletes it after that.
   * @default DEFAULT_MEDIA_RETENTION_DAYS (90)
   */
  readonly retentionDays?: number;
  /**
   * What happens to the buckets when the stack is deleted or they are replaced.
   * @default RemovalPolicy.RETAIN (customers' files are never deleted with a stack)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The media bucket (issue #10): our copy of every file customers send, one object per media item
 * under `<businessId>/<connectionId>/<conversationId>/<messageId>/<index>`, written by the media
 * function and read only through short-lived presigned links (AI Lambda, admin API).
 *
 * Secure defaults: SSE-KMS with the stack's key (S3 Bucket Key on, so mirroring does not spend the
 * KMS request quota the tables share), public access blocked, TLS only, objects owned by the
 * bucket, lifecycle expiry after `retentionDays` (incomplete multipart uploads after a day), server
 * access logs in a bucket of their own, retained with the stack. Versioning is off: a key is written
 * once per media item (a retry rewrites the same bytes) and no reader may change or delete objects.
 * @example
 * const media = new MediaBucket(this, 'Media', { encryptionKey: key, retentionDays: 90 });
 * media.grantWrite(mediaFunction, key);
 * media.grantPresign(adminFunction, key);
 */
export class MediaBucket extends Construct {
  /** The bucket (`MEDIA_BUCKET`). */
  public readonly bucket: s3.Bucket;
  /** Its server access logs. */
  public readonly accessLogBucket: s3.Bucket;
  /** Days a file is kept. */
  public readonly retentionDays: number;

  constructor(scope: Construct, id: string, props: MediaBucketProps) {
    super(scope, id);
    this.retentionDays = props.retentionDays ?? DEFAULT_MEDIA_RETENTION_DAYS;
    ({ bucket: this.bucket, accessLogBucket: this.accessLogBucket } = retainedKmsBucket(this, {
      bucketName: mediaBucketName(),
      encryptionKey: props.encryptionKey,
      retentionDays: this.retentionDays,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      accessLogsPrefix: 'media/',
      description: 'the media bucket',
      owner: 'MediaBucket',
    }));
  }

  /**
   * The media function: writes (multipart included) and deletes (a file whose checksum turned out
   * wrong) objects, with data keys from the stack's key through S3 only. Sets `MEDIA_BUCKET`.
   */
  public grantWrite(fn: EchoFunction, encryptionKey: kms.IKey): void {
    fn.function.addEnvironment('MEDIA_BUCKET', this.bucket.bucketName);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
        resources: [mediaObjectsArn()],
      }),
    );
    // Multipart uploads need Decrypt as well as GenerateDataKey (S3 reads the data key back to assemble parts).
    fn.addToRolePolicy(kmsViaService(encryptionKey, Stack.of(fn), 's3', ['kms:GenerateDataKey', 'kms:Decrypt']));
    this.acknowledgeObjectWildcard(fn, 'The media function writes one object per media item of every business');
  }

  /**
   * A function that hands out presigned links (AI Lambda, admin API): the link is signed with the
   * function's role, so the role itself needs `s3:GetObject` and Decrypt through S3. Sets `MEDIA_BUCKET`.
   */
  public grantPresign(fn: EchoFunction, encryptionKey: kms.IKey): void {
    fn.function.addEnvironment('MEDIA_BUCKET', this.bucket.bucketName);
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [mediaObjectsArn()] }));
    fn.addToRolePolicy(kmsViaService(encryptionKey, Stack.of(fn), 's3', ['kms:Decrypt']));
    this.acknowledgeObjectWildcard(fn, 'The function signs short-lived read links to the media of any conversation it serves');
  }

  private acknowledgeObjectWildcard(fn: EchoFunction, why: string): void {
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::echo-whatsapp-media-<AWS::AccountId>-<AWS::Region>/*]',
      reason:
        `${why}; object keys are per business, conversation and message, so they are unknown at deploy time. ` +
        'The wildcard is confined to the media bucket and to the listed object actions (no listing, no bucket actions).',
    });
  }
}
