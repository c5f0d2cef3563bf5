import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import {
  archiveKeyLowerBound,
  archiveKeyOf,
  archiveKeyTime,
  archivePrefix,
  archiveRecordSchema,
  type ArchiveQuery,
  type ArchiveRecord,
  type PayloadArchive,
  type PayloadArchiveReader,
} from '../domain/archive';
import { DependencyUnavailableError } from '../shared/errors';
import { unavailable } from './aws-errors';

type S3Module = typeof import('@aws-sdk/client-s3');

/** The S3 SDK and a client for the archive, loaded on first use (see {@link archiveS3Client}). */
export interface LazyS3 {
  sdk(): Promise<S3Module>;
  client(): Promise<S3Client>;
}

let s3Module: Promise<S3Module> | undefined;

/**
 * An S3 client for the archive, created on first use: the S3 SDK is not loaded during the webhook's
 * cold start (it was the largest module of its init) but beside the first request's storage, which
 * the archive write runs in parallel with anyway. Path-style addressing when an endpoint is
 * configured (moto, locally and in tests: `<bucket>.127.0.0.1` does not resolve); virtual-hosted in AWS.
 * @example const archive = new S3PayloadArchive(archiveS3Client(fastClientConfig), env.ARCHIVE_BUCKET);
 */
export function archiveS3Client(config: S3ClientConfig = {}, env: NodeJS.ProcessEnv = process.env): LazyS3 {
  const forcePathStyle = Boolean(env.AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_S3);
  const sdk = () => (s3Module ??= import('@aws-sdk/client-s3'));
  let client: Promise<S3Client> | undefined;
  return { sdk, client: () => (client ??= sdk().then(({ S3Client: Client }) => new Client({ ...config, forcePathStyle }))) };
}

/** An archived object that is not a record this code knows (a foreign file, a newer version). */
export class UnreadableArchiveRecordError extends DependencyUnavailableError {}

/**
 * The payload archive in S3: one JSON object per record, under the key layout of
 * `lambdas/domain/archive.ts`. The bucket's default encryption (SSE-KMS with the stack's key and an
 * S3 Bucket Key) applies; writers need only `s3:PutObject` and `kms:GenerateDataKey`.
 * @example
 * const archive = new S3PayloadArchive(archiveS3Client(fastClientConfig), env.ARCHIVE_BUCKET);
 * await archive.put(record);
 * for await (const key of archive.list({ direction: 'inbound', businessId, connectionId, from, to })) console.log(key);
 */
export class S3PayloadArchive implements PayloadArchive, PayloadArchiveReader {
  constructor(
    private readonly s3: LazyS3,
    private readonly bucket: string,
  ) {}

  async put(record: ArchiveRecord): Promise<void> {
    try {
      const [{ PutObjectCommand }, client] = await Promise.all([this.s3.sdk(), this.s3.client()]);
      await client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: archiveKeyOf(record),
          Body: JSON.stringify(record),
          ContentType: 'application/json',
        }),
      );
    } catch (error) {
      throw unavailable('S3 PutObject (archive)', error);
    }
  }

  /**
   * Keys in time order. One connection is one listing that starts just before `from` and stops at
   * the first key after `to`; a whole business lists its connections' prefixes first.
   */
  async *list(query: ArchiveQuery): AsyncIterable<string> {
    const prefixes =
      query.connectionId !== undefined
        ? [archivePrefix(query.direction, query.businessId, query.connectionId)]
        : await this.childPrefixes(archivePrefix(query.direction, query.businessId));
    const [{ ListObjectsV2Command }, client] = await Promise.all([this.s3.sdk(), this.s3.client()]);
    for (const prefix of prefixes) {
      let token: string | undefined;
      let past = false;
      const startAfter = archiveKeyLowerBound(prefix, query.from);
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            ...(token ? { ContinuationToken: token } : { StartAfter: startAfter }),
          }),
        );
        for (const object of page.Contents ?? []) {
          const at = object.Key ? archiveKeyTime(object.Key) : undefined;
          if (!object.Key || !at) continue;
          if (at.getTime() > query.to.getTime()) {
            past = true;
            break;
          }
          if (at.getTime() >= query.from.getTime()) yield object.Key;
        }
        token = page.IsTruncated && !past ? page.NextContinuationToken : undefined;
      } while (token);
    }
  }

  async get(key: string): Promise<ArchiveRecord> {
    const [{ GetObjectCommand }, client] = await Promise.all([this.s3.sdk(), this.s3.client()]);
    const object = await client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const text = (await object.Body?.transformToString('utf-8')) ?? '';
    const parsed = archiveRecordSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new UnreadableArchiveRecordError(`archive object ${key} is not a record this version reads`);
    return parsed.data as ArchiveRecord;
  }

  private async childPrefixes(prefix: string): Promise<string[]> {
    const [{ ListObjectsV2Command }, client] = await Promise.all([this.s3.sdk(), this.s3.client()]);
    const prefixes: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: '/', ...(token && { ContinuationToken: token }) }),
      );
      for (const common of page.CommonPrefixes ?? []) if (common.Prefix) prefixes.push(common.Prefix);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return prefixes.sort();
  }
}
