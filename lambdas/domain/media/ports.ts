/**
 * What the media step needs from the outside world. The domain owns these; adapters in
 * `lambdas/adapters/` implement them (S3, DynamoDB), and tests pass fakes.
 */
import type { MediaMirror } from '../message';

/** Our media bucket. */
export interface MediaObjectStore {
  /**
   * Streams `body` into the object `key`, without holding the file whole (multipart above a part's
   * size). If `body` throws (the size cap, a broken download) nothing is left behind.
   */
  put(key: string, body: AsyncIterable<Uint8Array>, contentType: string): Promise<void>;
  /** Removes an object (a stored file whose checksum turned out wrong). */
  delete(key: string): Promise<void>;
}

/** The mirror state on the message item: `content.media[i].mirror`. */
export interface MediaRecordStore {
  /** Each item's mirror by index (undefined where none was written), or undefined when the message is not there. */
  current(conversationId: string, messageId: string): Promise<Array<MediaMirror | undefined> | undefined>;
  /**
   * Writes item `index`'s mirror unless it is already final (anything but `pending`): a retry or a
   * duplicate event never overwrites a result. `already-final` when it was.
   */
  record(conversationId: string, messageId: string, index: number, mirror: MediaMirror): Promise<'recorded' | 'already-final'>;
}

/**
 * Counts a connection's failed media downloads per hour, so that we stop before the BSP blocks us
 * (360dialog: media GETs blocked for 30 minutes after 20 error answers in an hour).
 */
export interface MediaFailureCounter {
  /** Failures in the last hour, as well as a fixed-window counter can tell (this and the previous window). */
  recent(connectionId: string, now: Date): Promise<number>;
  /** Counts one failure. */
  add(connectionId: string, now: Date): Promise<void>;
}

/** Short-lived read links to stored media. */
export interface MediaUrlSigner {
  /**
   * A presigned GET of `key`, valid for the signer's lifetime. `attachmentName` makes the browser
   * download it under that name instead of showing it (documents).
   */
  sign(key: string, options?: { attachmentName?: string }): Promise<{ url: string; expiresAt: string }>;
}
