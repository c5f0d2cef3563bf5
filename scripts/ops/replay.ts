/**
 * `npm run ops -- replay --connection <id> --from <ISO> --to <ISO> [--dry-run]`: the archived
 * webhook requests of one connection, pushed again through the webhook's own handler (the same
 * authentication, codec and idempotent ingestion), one by one in the order they arrived.
 *
 * Each request is authenticated again: its archived signature against the connection's CURRENT
 * secret (Twilio, Meta), or for 360dialog (whose token is never archived) the current token put back
 * in the header it matched. A request whose secret was rotated since fails here and is reported.
 * Nothing is doubled: a stored message's dedupe item makes it a duplicate, a status only moves a
 * message forward. Requests older than the dedupe window are skipped: their dedupe items may be
 * gone, and a replay could then store a message twice.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ArchivedWebhookRequest, PayloadArchiveReader } from '../../lambdas/domain/archive';
import type { ProviderCredentials, WebhookRequest } from '../../lambdas/domain/bsp';
import { dedupeKeyFor } from '../../lambdas/domain/ids';
import type { MessageStore } from '../../lambdas/domain/ports';
import type { ProviderName } from '../../lambdas/domain/providers';
import { maskIdentifier } from '../../lambdas/domain/redact';
import { createWebhookHandler, type WebhookDeps } from '../../lambdas/handlers/webhook/handler';
import { DIALOG360_WEBHOOK_TOKEN_HEADER } from '../../lambdas/providers/whatsapp/dialog360/api';
import { dialog360CredentialsSchema } from '../../lambdas/providers/whatsapp/dialog360/credentials';

/** BSPs that authenticate with our own secret header: the header and where its value is in the secret. */
const TOKEN_HEADERS: Partial<Record<ProviderName, { header: string; valueOf(credentials: ProviderCredentials): string | undefined }>> = {
  '360dialog': {
    header: DIALOG360_WEBHOOK_TOKEN_HEADER.toLowerCase(),
    valueOf: (credentials) => {
      const parsed = dialog360CredentialsSchema.safeParse(credentials);
      return parsed.success ? parsed.data.webhookSecret : undefined;
    },
  },
};

export interface ReplayDeps {
  archive: PayloadArchiveReader;
  /** The webhook's dependencies (`createWebhookDeps`), without an archive: a replay is not archived again. */
  webhook: WebhookDeps;
  /** Whether a dedupe item exists (`--dry-run` only). */
  dedupeExists(dedupeKey: string): Promise<boolean>;
  now: () => Date;
  /** How long dedupe items live (`DEDUPE_TTL_DAYS`). */
  dedupeTtlMs: number;
  /** One line per request and per replayed message. */
  print(line: string): void;
  /** A `replayed` event for the readable log (one per message that was new). */
  onReplayed?(detail: { provider: ProviderName; connectionId: string; conversationId: string; messageId: string; customer?: string; type: string }): void;
}

export interface ReplayOptions {
  connectionId: string;
  from: Date;
  to: Date;
  dryRun: boolean;
}

export interface ReplaySummary {
  requests: number;
  /** Messages stored by this replay (or that would be, with `--dry-run`). */
  newMessages: number;
  alreadyStored: number;
  statusesApplied: number;
  statusesStale: number;
  /** Requests not replayed: not authenticated with the current secret, too old, unreadable, or refused. */
  skipped: number;
  failed: number;
}

/** Safety margin before a dedupe item's expiry: DynamoDB deletes expired items within days, but may do so at once. */
const DEDUPE_MARGIN_MS = 60 * 60 * 1000;

/**
 * Replays one connection's archived requests of a window.
 * @example
 * const summary = await replay({ connectionId: 'demo-meta', from, to, dryRun: false }, deps);
 * // summary.newMessages === 0 on a second run
 */
export async function replay(options: ReplayOptions, deps: ReplayDeps): Promise<ReplaySummary> {
  const summary: ReplaySummary = { requests: 0, newMessages: 0, alreadyStored: 0, statusesApplied: 0, statusesStale: 0, skipped: 0, failed: 0 };
  const connection = await deps.webhook.connections.get(options.connectionId);
  if (!connection) throw new Error(`connection ${options.connectionId} does not exist`);
  const oldest = deps.now().getTime() - deps.dedupeTtlMs + DEDUPE_MARGIN_MS;

  for await (const key of deps.archive.list({
    direction: 'inbound',
    businessId: connection.businessId,
    connectionId: connection.connectionId,
    from: options.from,
    to: options.to,
  })) {
    summary.requests += 1;
    let record: ArchivedWebhookRequest;
    try {
      const read = await deps.archive.get(key);
      if (read.direction !== 'inbound') throw new Error('not an inbound record');
      record = read;
    } catch (error) {
      summary.skipped += 1;
      deps.print(`✗ ${key}: unreadable (${(error as Error).message})`);
      continue;
    }
    const label = `${record.receivedAt} ${record.provider} ${record.route} ${record.requestId || '(no request id)'}`;
    if (Date.parse(record.receivedAt) < oldest) {
      summary.skipped += 1;
      deps.print(`· ${label}: skipped, older than the dedupe window (${Math.round(deps.dedupeTtlMs / 86_400_000)} d): duplicates could not be told apart`);
      continue;
    }
    const credentials = await deps.webhook.credentials.get(connection.secretArn);
    const token = TOKEN_HEADERS[record.provider];
    const tokenValue = token ? token.valueOf(credentials) : undefined;
    if (token && (!record.tokenMatched || !tokenValue)) {
      summary.skipped += 1;
      deps.print(`✗ ${label}: not replayed, the connection's current secret has no webhook token`);
      continue;
    }
    const headers = { ...record.headers, ...(token && tokenValue && { [token.header]: tokenValue }) };

    if (options.dryRun) {
      await dryRun(record, headers, credentials, connection, deps, summary, label);
      continue;
    }

    const observed = observeStore(deps.webhook.store);
    const handler = createWebhookHandler({
      ...deps.webhook,
      store: observed.store,
      archive: undefined,
      // The message is stored as received then, not now: the 24-hour window must not reopen.
      clock: { now: () => new Date(record.receivedAt) },
      config: { ...deps.webhook.config, publicBaseUrl: baseUrlOf(record) },
    });
    const answer = await handler(eventOf(record, headers));
    if (answer.statusCode === 403) {
      summary.skipped += 1;
      deps.print(`✗ ${label}: not authenticated with the connection's current secret (rotated since?): not replayed`);
      continue;
    }
    if ((answer.statusCode ?? 500) >= 300) {
      summary.failed += 1;
      deps.print(`✗ ${label}: the webhook answered ${answer.statusCode}; run the replay again`);
      continue;
    }
    const fresh = observed.stored.length;
    summary.newMessages += fresh;
    summary.alreadyStored += observed.duplicates;
    summary.statusesApplied += observed.statuses.applied;
    summary.statusesStale += observed.statuses.stale;
    deps.print(`${fresh > 0 ? '↺' : '·'} ${label}: ${describe(fresh, observed.duplicates, observed.statuses)}`);
    for (const stored of observed.stored) {
      deps.onReplayed?.({
        provider: record.provider,
        connectionId: connection.connectionId,
        conversationId: stored.conversationId,
        messageId: stored.messageId,
        customer: maskIdentifier(stored.customer),
        type: stored.type,
      });
    }
  }
  return summary;
}

async function dryRun(
  record: ArchivedWebhookRequest,
  headers: Record<string, string>,
  credentials: ProviderCredentials,
  connection: NonNullable<Awaited<ReturnType<WebhookDeps['connections']['get']>>>,
  deps: ReplayDeps,
  summary: ReplaySummary,
  label: string,
): Promise<void> {
  const codec = deps.webhook.codecs[record.provider];
  if (!codec) {
    summary.skipped += 1;
    deps.print(`✗ ${label}: no codec for ${record.provider}`);
    return;
  }
  const request: WebhookRequest = {
    method: record.method,
    route: record.route,
    url: record.url,
    query: Object.fromEntries(new URLSearchParams(record.rawQueryString)),
    headers,
    rawBody: record.rawBody,
  };
  try {
    const body = codec.readBody(request);
    if (!codec.authenticate(request, body, credentials)) {
      summary.skipped += 1;
      deps.print(`✗ ${label}: not authenticated with the connection's current secret (rotated since?): would not be replayed`);
      return;
    }
    const events = codec.parse(request, body, connection, credentials);
    let fresh = 0;
    let existing = 0;
    let statuses = 0;
    for (const event of events) {
      if (event.kind === 'inbound') {
        if (await deps.dedupeExists(dedupeKeyFor(event.message.provider, event.message.externalId))) existing += 1;
        else fresh += 1;
      } else if (event.kind === 'status') {
        statuses += 1;
      }
    }
    summary.newMessages += fresh;
    summary.alreadyStored += existing;
    const statusText = statuses > 0 ? `, ${statuses} status(es) (applied only if newer than the message's)` : '';
    deps.print(`${fresh > 0 ? '↺' : '·'} ${label}: would add ${fresh} new message(s), ${existing} already stored${statusText}`);
  } catch (error) {
    summary.skipped += 1;
    deps.print(`✗ ${label}: ${(error as Error).name}: ${(error as Error).message}`);
  }
}

function describe(fresh: number, duplicates: number, statuses: { applied: number; stale: number; unknown: number }): string {
  const parts = [`${fresh} new message(s)`, `${duplicates} already stored`];
  if (statuses.applied + statuses.stale + statuses.unknown > 0) {
    parts.push(`statuses: ${statuses.applied} applied, ${statuses.stale} already there${statuses.unknown ? `, ${statuses.unknown} for unknown messages` : ''}`);
  }
  return parts.join(', ');
}

/** The store, recording what each call did: the replay reports exactly what was new. */
function observeStore(store: MessageStore) {
  const stored: Array<{ conversationId: string; messageId: string; customer: string; type: string }> = [];
  const statuses = { applied: 0, stale: 0, unknown: 0 };
  let duplicates = 0;
  const observed: MessageStore = {
    async recordInbound(record) {
      const result = await store.recordInbound(record);
      if (result.outcome === 'stored') {
        stored.push({ conversationId: record.conversationId, messageId: record.messageId, customer: record.message.customer.id, type: record.message.content.type });
      } else duplicates += 1;
      return result;
    },
    async recordInboundBatch(records) {
      const result = await store.recordInboundBatch(records);
      if (result.outcome === 'stored') {
        for (const record of records) {
          stored.push({ conversationId: record.conversationId, messageId: record.messageId, customer: record.message.customer.id, type: record.message.content.type });
        }
      }
      return result;
    },
    async applyStatus(change) {
      const result = await store.applyStatus(change);
      statuses[result.outcome] += 1;
      return result;
    },
  };
  return {
    store: observed,
    stored,
    statuses,
    get duplicates() {
      return duplicates;
    },
  };
}

/**
 * The public base the BSP called, from the archived URL: the handler then rebuilds exactly the URL
 * that was signed, whatever `PUBLIC_BASE_URL` this process has.
 */
function baseUrlOf(record: ArchivedWebhookRequest): string | undefined {
  const at = record.url.indexOf('/webhook/');
  return at > 0 ? record.url.slice(0, at) : undefined;
}

/** The API Gateway (HTTP API, payload 2.0) event the archived request arrived as. */
export function eventOf(record: ArchivedWebhookRequest, headers: Record<string, string>): APIGatewayProxyEventV2 {
  const query = record.rawQueryString ? Object.fromEntries(new URLSearchParams(record.rawQueryString)) : undefined;
  return {
    version: '2.0',
    routeKey: `${record.method} ${record.rawPath}`,
    rawPath: record.rawPath,
    rawQueryString: record.rawQueryString,
    headers,
    ...(query && { queryStringParameters: query }),
    pathParameters: { connectionId: record.connectionId },
    requestContext: {
      accountId: 'replay',
      apiId: 'replay',
      domainName: record.domainName ?? headers.host ?? 'replay.invalid',
      domainPrefix: 'replay',
      http: { method: record.method, path: record.rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'echo-ops-replay' },
      requestId: `replay-${record.requestId}`,
      routeKey: `${record.method} ${record.rawPath}`,
      stage: '$default',
      time: record.receivedAt,
      timeEpoch: Date.parse(record.receivedAt),
    },
    body: record.rawBody,
    isBase64Encoded: false,
  };
}

/** A logger and metrics that print nothing: the replay prints its own lines. */
export function silentPowertools(): { logger: Logger; metrics: Metrics } {
  const silent = new Proxy(
    {},
    {
      get: (_target, property) => (property === 'then' ? undefined : () => silent),
    },
  ) as unknown;
  return { logger: silent as Logger, metrics: silent as Metrics };
}
