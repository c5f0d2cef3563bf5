import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { MediaObjectStore, MediaUrlSigner } from '../domain/media/ports';
import { unavailable } from './aws-errors';

/** Bytes per multipart part (S3's minimum): the most the upload holds per part in memory. */
const PART_BYTES = 5 * 1024 * 1024;
/** Parts in flight at once: with {@link PART_BYTES}, at most ~10 MB of a file in memory. */
const PARTS_IN_FLIGHT = 2;

/** Presigned links live this long by default (`MEDIA_URL_TTL_SECONDS`). */
export const DEFAULT_MEDIA_URL_TTL_SECONDS = 15 * 60;

/**
 * An S3 client for the media bucket. Path-style addressing when an endpoint is configured (moto,
 * locally and in tests: `<bucket>.127.0.0.1` does not resolve, and a presigned link must open in a
 * browser); virtual-hosted in AWS.
 * @example const s3 = mediaS3Client(fastClientConfig);
 */
export function mediaS3Client(config: S3ClientConfig = {}, env: NodeJS.ProcessEnv = process.env): S3Client {
  return new S3Client({ ...config, forcePathStyle: Boolean(env.AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_S3) });
}

/**
 * The media bucket as the media step writes it: each file streamed in with a multipart upload
 * (`@aws-sdk/lib-storage`; one PutObject below 5 MB), never held whole: a 100 MB document costs
 * ~10 MB of memory. The bucket's default encryption (SSE-KMS, S3 Bucket Key) applies. If the body
 * throws (the size cap reached mid-stream) the upload is aborted and nothing is left behind.
 * @example await new S3MediaObjectStore(mediaS3Client(), 'echo-media').put('acme/cn/cv/01J/0', body, 'image/jpeg');
 */
export class S3MediaObjectStore implements MediaObjectStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: AsyncIterable<Uint8Array>, contentType: string): Promise<void> {
    const stream = Readable.from(body, { objectMode: false });
    let bodyError: unknown;
    stream.on('error', (error) => {
      bodyError = error;
    });
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: this.bucket, Key: key, Body: stream, ContentType: contentType },
      partSize: PART_BYTES,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      // The body's own failure (too large, the BSP's connection dropped) is the caller's to judge.
      if (bodyError !== undefined) throw bodyError;
      throw unavailable('S3 Upload (media)', error);
    }
    if (bodyError !== undefined) throw bodyError;
  }

  async delete(key: string): Promise<void> {
    try {
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      throw unavailable('S3 DeleteObject (media)', error);
    }
  }
}

/**
 * Presigned GETs of the media bucket, signed locally with the function's credentials (no AWS
 * call). A document is signed with `Content-Disposition: attachment` under its file name, so a
 * browser downloads it rather than rendering whatever it contains on the bucket's origin.
 * @example const { url, expiresAt } = await new S3MediaUrlSigner(mediaS3Client(), 'echo-media').sign('acme/…/0');
 */
export class S3MediaUrlSigner implements MediaUrlSigner {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly options: { ttlSeconds?: number; now?: () => Date } = {},
  ) {}

  async sign(key: string, options: { attachmentName?: string } = {}): Promise<{ url: string; expiresAt: string }> {
    const ttl = this.options.ttlSeconds ?? DEFAULT_MEDIA_URL_TTL_SECONDS;
    const now = this.options.now?.() ?? new Date();
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ...(options.attachmentName !== undefined && { ResponseContentDisposition: contentDisposition(options.attachmentName) }),
    });
    const url = await getSignedUrl(this.s3, command, { expiresIn: ttl, signingDate: now });
    return { url, expiresAt: new Date(now.getTime() + ttl * 1000).toISOString() };
  }
}

/**
 * `attachment` with the name as a quoted ASCII fallback and RFC 5987 `filename*` for the rest.
 * @example contentDisposition('recibo ñ.pdf') // 'attachment; filename="recibo _.pdf"; filename*=UTF-8\'\'recibo%20%C3%B1.pdf'
 */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
