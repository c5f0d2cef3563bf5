/**
 * The media step: copies the files of an inbound message from the BSP into our media bucket, after
 * the message is stored and acknowledged (the webhook never waits for a download).
 */
import { createHash } from 'node:crypto';
import type { MediaFetcher, ProviderCredentials } from '../bsp';
import type { Connection, ConnectionDirectory } from '../connection';
import type { DomainEvent } from '../events';
import type { MediaMirror, MediaMirrorStatus, MediaRef } from '../message';
import type { ProviderName } from '../providers';
import type { Clock, EventPublisher } from '../ports';
import { EchoError } from '../../shared/errors';
import { UnsafeUrlError } from '../../shared/forbidden-address';
import { MediaRefusedError, MediaTooLargeError } from './errors';
import { mediaSizeCap } from './limits';
import type { MediaFailureCounter, MediaObjectStore, MediaRecordStore } from './ports';
import { checkContentType, SNIFF_BYTES } from './sniff';

/** One inbound message whose media must be mirrored (from its `message.received` event). */
export interface MediaJob {
  businessId: string;
  connectionId: string;
  conversationId: string;
  messageId: string;
  provider: ProviderName;
  media: MediaRef[];
}

export interface MirrorDeps {
  connections: Pick<ConnectionDirectory, 'get'>;
  credentials: { get(secretId: string): Promise<ProviderCredentials> };
  fetchers: Record<ProviderName, MediaFetcher>;
  objects: MediaObjectStore;
  records: MediaRecordStore;
  failures: MediaFailureCounter;
  events: EventPublisher;
  clock: Clock;
  config: {
    /**
     * Failed downloads per connection in an hour after which we stop asking (360dialog blocks
     * media GETs after 20 error answers in an hour: stop well before).
     */
    breakerThreshold: number;
  };
}

/** What this attempt is: the receive count decides whether a retryable failure still retries. */
export interface MirrorAttempt {
  /** 1 for the first attempt. */
  attempt: number;
  /** The last attempt: a retryable failure is recorded `failed` instead of retried. */
  final: boolean;
}

export type MirrorResult =
  /** Every item is final; `message.media.stored` was published. */
  | { outcome: 'settled'; media: Array<MediaMirror & { index: number }> }
  /** Some items must be tried again later (`reason` of the first); the others are recorded. */
  | { outcome: 'retry'; reason: string; breakerOpen: boolean }
  /** No such message (or connection): nothing to mirror, nothing to retry. */
  | { outcome: 'skipped'; reason: string };

/**
 * The object key of item `index` of a message: deterministic, so a retry overwrites its own object
 * and never leaves a second copy.
 * @example mediaObjectKey({ businessId: 'acme', connectionId: 'cn_1', conversationId: 'cv_1', messageId: '01J' }, 0) // 'acme/cn_1/cv_1/01J/0'
 */
export function mediaObjectKey(ids: Pick<MediaJob, 'businessId' | 'connectionId' | 'conversationId' | 'messageId'>, index: number): string {
  return [ids.businessId, ids.connectionId, ids.conversationId, ids.messageId, String(index)].map(encodeURIComponent).join('/');
}

/** The first `bytes` of a stream, and the whole stream again (those bytes included) to read on. */
export async function peek(body: AsyncIterable<Uint8Array>, bytes: number): Promise<{ head: Uint8Array; all: AsyncIterable<Uint8Array>; close(): Promise<void> }> {
  const iterator = body[Symbol.asyncIterator]();
  const taken: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    taken.push(next.value);
    length += next.value.byteLength;
  }
  const head = Buffer.concat(taken).subarray(0, bytes);
  async function* all(): AsyncIterable<Uint8Array> {
    yield* taken;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, all: all(), close: async () => void (await iterator.return?.()) };
}

/** Counts and hashes the bytes as they pass. */
function measured(body: AsyncIterable<Uint8Array>): { body: AsyncIterable<Uint8Array>; result(): { size: number; sha256: string } } {
  const hash = createHash('sha256');
  let size = 0;
  async function* pass(): AsyncIterable<Uint8Array> {
    for await (const chunk of body) {
      hash.update(chunk);
      size += chunk.byteLength;
      yield chunk;
    }
  }
  return { body: pass(), result: () => ({ size, sha256: hash.digest('hex') }) };
}

/** True when anything in the error's cause chain is one of `classes`. */
function causedBy(error: unknown, ...classes: Array<abstract new (...args: never[]) => Error>): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    if (classes.some((type) => current instanceof type)) return true;
  }
  return false;
}

/** A short, log-safe reason from an error: its class, and the BSP's code when it has one. */
function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const name = error instanceof Error ? error.name : 'Error';
  return typeof code === 'string' && code !== '' ? `${name}:${code}` : name;
}

type ItemOutcome = { final: MediaMirror } | { retry: string; bspFailure: boolean };

/**
 * Mirrors every media item of a message that is not final yet, in order, and publishes
 * `message.media.stored` once all are.
 *
 * Idempotent: the object key is derived from the message and the item's index, the record on the
 * message is a conditional write that never overwrites a final state, and items already final are
 * not fetched again, so a duplicate event or a retry does nothing twice (the event may go out
 * twice: events are at-least-once, keyed by `messageId`).
 *
 * Failures: too large → `too-large`; a URL, host or address we do not fetch from, a type that does
 * not match the bytes, or a checksum that does not match → `refused`; the BSP's permanent answer
 * (an expired media id) → `failed`. Anything retryable (429, 5xx, a timeout, a fresh Twilio 404)
 * leaves the item `pending` with its reason, counts against the connection's hourly breaker, and
 * asks for a retry (the handler backs off); on the final attempt it becomes `failed`. When the
 * connection's breaker is open, nothing is fetched at all.
 * @example
 * const result = await mirrorMedia(job, { attempt: 1, final: false }, deps);
 * if (result.outcome === 'retry') throw new MediaRetryError(result.reason);
 */
export async function mirrorMedia(job: MediaJob, attempt: MirrorAttempt, deps: MirrorDeps): Promise<MirrorResult> {
  const current = await deps.records.current(job.conversationId, job.messageId);
  if (!current) return { outcome: 'skipped', reason: 'message-not-found' };
  const connection = await deps.connections.get(job.connectionId);
  if (!connection || connection.provider !== job.provider) return { outcome: 'skipped', reason: 'connection-not-found' };

  const now = deps.clock.now();
  let failuresThisHour = await deps.failures.recent(job.connectionId, now);
  let credentials: ProviderCredentials | undefined;
  const settled: Array<MediaMirror & { index: number }> = [];
  let retryReason: string | undefined;
  let breakerOpen = false;

  for (const [index, ref] of job.media.entries()) {
    const existing = current[index];
    if (existing && existing.status !== 'pending') {
      settled.push({ ...existing, index });
      continue;
    }
    const attempts = (existing?.attempts ?? 0) + 1;
    let outcome: ItemOutcome;
    if (failuresThisHour >= deps.config.breakerThreshold) {
      breakerOpen = true;
      outcome = { retry: 'circuit-open', bspFailure: false };
    } else {
      credentials ??= await deps.credentials.get(connection.secretArn);
      outcome = await mirrorItem(job, index, ref, connection, credentials, deps);
    }
    if ('retry' in outcome && outcome.bspFailure) {
      failuresThisHour++;
      await deps.failures.add(job.connectionId, now);
    }
    const at = deps.clock.now().toISOString();
    let mirror: MediaMirror;
    if ('final' in outcome) {
      mirror = { ...outcome.final, attempts, at };
    } else if (attempt.final) {
      mirror = { status: 'failed', reason: outcome.retry, attempts, at };
    } else {
      mirror = { status: 'pending', reason: outcome.retry, attempts, at };
      retryReason ??= outcome.retry;
    }
    const written = await deps.records.record(job.conversationId, job.messageId, index, mirror);
    if (written === 'already-final') {
      // Another delivery of the same event finished this item first: its result stands.
      const latest = (await deps.records.current(job.conversationId, job.messageId))?.[index];
      if (latest && latest.status !== 'pending') settled.push({ ...latest, index });
      continue;
    }
    if (mirror.status !== 'pending') settled.push({ ...mirror, index });
  }

  if (retryReason !== undefined || settled.length < job.media.length) {
    return { outcome: 'retry', reason: retryReason ?? 'pending', breakerOpen };
  }
  await deps.events.publish([storedEvent(job, settled, deps.clock.now())]);
  return { outcome: 'settled', media: settled };
}

async function mirrorItem(
  job: MediaJob,
  index: number,
  ref: MediaRef,
  connection: Connection,
  credentials: ProviderCredentials,
  deps: MirrorDeps,
): Promise<ItemOutcome> {
  const cap = mediaSizeCap(ref.kind);
  const key = mediaObjectKey(job, index);
  const contentType = ref.contentType;
  let stored = false;
  try {
    const download = await deps.fetchers[connection.provider].fetch(credentials, { ...(ref.url && { url: ref.url }), ...(ref.id && { id: ref.id }) }, cap);
    const peeked = await peek(download.body, SNIFF_BYTES);
    const check = checkContentType(contentType, peeked.head);
    if (check.verdict === 'mismatch') {
      await peeked.close();
      return { final: { status: 'refused', reason: `content-type-mismatch:${check.sniffed}`, contentType, at: '' } };
    }
    const counted = measured(peeked.all);
    await deps.objects.put(key, counted.body, contentType);
    stored = true;
    const { size, sha256 } = counted.result();
    const expected = download.sha256 ?? ref.sha256;
    if (expected && !isSameSha256(expected, sha256)) {
      await deps.objects.delete(key);
      return { final: { status: 'refused', reason: 'sha256-mismatch', contentType, size, at: '' } };
    }
    return { final: { status: 'stored', key, contentType, size, sha256, at: '' } };
  } catch (error) {
    if (stored) throw error;
    if (causedBy(error, MediaTooLargeError)) return { final: { status: 'too-large', reason: `over-${cap}-bytes`, contentType, at: '' } };
    if (causedBy(error, UnsafeUrlError, MediaRefusedError)) return { final: { status: 'refused', reason: reasonOf(error), contentType, at: '' } };
    if (error instanceof EchoError && !error.retryable) {
      // The BSP answered that it never will (an expired media id, a revoked token): an error answer
      // of the BSP's all the same, but retrying cannot help.
      return { final: { status: 'failed', reason: reasonOf(error), contentType, at: '' } };
    }
    if (error instanceof EchoError || error instanceof TypeError || isAbort(error)) return { retry: reasonOf(error), bspFailure: true };
    // Not the BSP's doing (our bucket, our table): no breaker count, the handler retries.
    throw error;
  }
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown } | undefined)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** Cloud API gives the sha256 in hex; accept base64 too, as some BSP payloads carry it that way. */
function isSameSha256(expected: string, actualHex: string): boolean {
  const trimmed = expected.trim();
  if (/^[0-9a-f]{64}$/i.test(trimmed)) return trimmed.toLowerCase() === actualHex;
  return Buffer.from(actualHex, 'hex').toString('base64') === trimmed || Buffer.from(actualHex, 'hex').toString('base64url') === trimmed;
}

function storedEvent(job: MediaJob, media: Array<MediaMirror & { index: number }>, now: Date): DomainEvent {
  const byIndex = [...media].sort((a, b) => a.index - b.index);
  return {
    detailType: 'message.media.stored',
    detail: {
      version: 1,
      businessId: job.businessId,
      connectionId: job.connectionId,
      conversationId: job.conversationId,
      messageId: job.messageId,
      provider: job.provider,
      media: byIndex.map((item) => ({
        index: item.index,
        kind: job.media[item.index]?.kind ?? 'document',
        status: item.status as MediaMirrorStatus,
        contentType: item.contentType ?? job.media[item.index]?.contentType ?? 'application/octet-stream',
        ...(item.key !== undefined && { key: item.key }),
        ...(item.size !== undefined && { size: item.size }),
        ...(item.sha256 !== undefined && { sha256: item.sha256 }),
        ...(item.reason !== undefined && { reason: item.reason }),
      })),
      at: now.toISOString(),
    },
  };
}
