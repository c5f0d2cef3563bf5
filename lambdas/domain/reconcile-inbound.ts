import type { Connection } from './connection';
import { ingestInbound, type IngestInboundDeps } from './ingest-inbound';
import type { InboundMessage, ProviderName } from './message';

/**
 * One inbound message as the BSP's message list reports it: enough to decide whether we have it
 * (its id and time) without building the whole message, which may cost the BSP another call (a
 * Twilio media message needs its Media list).
 */
export interface ListedInboundMessage {
  /** The BSP's id (Twilio `MessageSid`), the same id the webhook would have delivered. */
  externalId: string;
  /** When the BSP received it from WhatsApp. */
  receivedAt: Date;
  /** Builds the full message. Called only for messages we do not have. */
  load(): Promise<InboundMessage>;
}

export interface InboundListing {
  messages: ListedInboundMessage[];
  /** False when the BSP had more pages than the reader may read in one run (the rest waits for the next run). */
  complete: boolean;
}

/** The BSP's inbound messages to one connection's number, for the connection's own account. */
export interface InboundMessageSource {
  /** Messages the BSP received in `[since, until]` (it may return more: the window is applied here). */
  list(window: { since: Date; until: Date }): Promise<InboundListing>;
}

/** Which BSP messages already went through ingestion (their dedupe item exists). Reads only. */
export interface IngestedMessageIndex {
  /** The subset of `externalIds` that have a dedupe item. */
  existing(provider: ProviderName, externalIds: string[]): Promise<Set<string>>;
}

export interface ReconcileInboundDeps extends IngestInboundDeps {
  index: IngestedMessageIndex;
  /** How far back the BSP is asked. @example 30 * 60_000 */
  lookbackMs: number;
  /**
   * Messages younger than this are left to the webhook (which may be storing them right now) and
   * checked by a later run, so a healthy webhook never shows up as "missed".
   */
  settleMs: number;
  /** Called for each message whose ingestion failed; the run goes on with the next one. */
  onMessageFailed?: (externalId: string, error: unknown) => void;
}

export interface ReconcileInboundResult {
  /** Inbound messages the BSP listed (before the window is applied). */
  listed: number;
  /** Listed but outside `[since, until]`, or not addressed to the connection's number. */
  skipped: number;
  /** Already ingested (by the webhook, or an earlier run): nothing written for them. */
  alreadyStored: number;
  /** Missing, and now stored and queued: each one is a message the webhook never delivered. */
  ingested: number;
  /** Missing, and ingestion failed: the next run tries again while they are inside the look-back. */
  failed: number;
  /** False when the BSP listing was cut short (see {@link InboundListing.complete}). */
  complete: boolean;
  since: Date;
  until: Date;
}

/**
 * Closes the gaps the webhook left for one connection: lists the BSP's inbound messages of the
 * look-back window, checks which ones we already have (one batched read of their dedupe items),
 * and sends only the missing ones through `ingestInbound`, the webhook's own idempotent path.
 *
 * Costs: a healthy connection costs the BSP list call(s) and one `BatchGetItem` per 100 messages,
 * and writes nothing. A missing message costs what a webhook delivery costs.
 *
 * Each missing message is ingested with the BSP's receive time as "now", so its message id sorts
 * where the customer wrote it and the 24-hour window starts when the customer wrote, not when we
 * noticed. Missing messages go oldest first, so the inbound queue sees a conversation in order.
 * A race with a late webhook is harmless: the dedupe item makes one of them `duplicate` (counted
 * here as `alreadyStored`) and the FIFO deduplication id is the same.
 *
 * @throws whatever `source.list` or `index.existing` throw: without the listing or the existence
 *   check, nothing can be decided for this connection (the caller counts it failed).
 * @example
 * const result = await reconcileInbound(connection, twilioSource, { ...ingestDeps, index, lookbackMs: 1_800_000, settleMs: 120_000 });
 * // { listed: 12, skipped: 0, alreadyStored: 11, ingested: 1, failed: 0, complete: true, … }
 */
export async function reconcileInbound(
  connection: Connection,
  source: InboundMessageSource,
  deps: ReconcileInboundDeps,
): Promise<ReconcileInboundResult> {
  const now = deps.clock.now().getTime();
  const since = new Date(now - deps.lookbackMs);
  const until = new Date(now - deps.settleMs);
  const listing = await source.list({ since, until });

  const byId = new Map<string, ListedInboundMessage>();
  for (const listed of listing.messages) {
    const at = listed.receivedAt.getTime();
    if (Number.isNaN(at) || at < since.getTime() || at > until.getTime()) continue;
    byId.set(listed.externalId, listed);
  }
  const candidates = [...byId.values()].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  const result: ReconcileInboundResult = {
    listed: listing.messages.length,
    skipped: listing.messages.length - candidates.length,
    alreadyStored: 0,
    ingested: 0,
    failed: 0,
    complete: listing.complete,
    since,
    until,
  };
  if (candidates.length === 0) return result;

  const existing = await deps.index.existing(
    connection.provider,
    candidates.map((listed) => listed.externalId),
  );
  result.alreadyStored = existing.size;

  for (const listed of candidates) {
    if (existing.has(listed.externalId)) continue;
    try {
      const message = await listed.load();
      if (message.externalId !== listed.externalId || message.to !== connection.displayNumber) {
        result.skipped += 1;
        continue;
      }
      const ingested = await ingestInbound(connection, message, {
        ...deps,
        clock: { now: () => new Date(listed.receivedAt.getTime()) },
      });
      if (ingested.outcome === 'stored') result.ingested += 1;
      else result.alreadyStored += 1;
    } catch (error) {
      result.failed += 1;
      deps.onMessageFailed?.(listed.externalId, error);
    }
  }
  return result;
}
