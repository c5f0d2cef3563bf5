import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { applyStatus, type ApplyStatusDeps, type ApplyStatusResult, type StatusFallbackDeps } from '../../domain/apply-status';
import { archivedWebhookRequestOf, type PayloadArchive } from '../../domain/archive';
import type { MessageKey, ProviderCredentials, WebhookAck, WebhookCodec, WebhookEvent, WebhookRequest } from '../../domain/bsp';
import type { Connection, ConnectionDirectory } from '../../domain/connection';
import { isFailure } from '../../domain/delivery-status';
import { ingestInboundBatch } from '../../domain/ingest-inbound';
import type { DeliveryStatus, InboundMessage, StatusUpdate } from '../../domain/message';
import type { Clock, EventPublisher, InboundQueue, MessageStore } from '../../domain/ports';
import { isMetaAppWebhookPath, webhookRouteOf, type ProviderName } from '../../domain/providers';
import { storeCoexistenceEvent, type CoexistenceDeps, type CoexistenceEvent } from '../../domain/coexistence';
import type { CloudApiBody } from '../../providers/whatsapp/cloud-api/webhook-payload';
import { changeCount, type MetaAppWebhookCodec } from '../../providers/whatsapp/meta/app-codec';
import { maskIdentifier } from '../../domain/redact';
import { publicWebhookUrl } from '../../providers/whatsapp/webhook-url';
import {
  EchoError,
  ForbiddenError,
  MalformedRequestError,
  PayloadTooLargeError,
} from '../../shared/errors';
import { forEachLimited } from '../../shared/concurrency';
import { describeError } from '../../shared/describe-error';
import { addProviderDimension } from '../../shared/powertools';
import { METRIC, type MetricName } from '../../shared/telemetry';

export interface CredentialsReader {
  get(secretId: string, options?: { refresh?: boolean }): Promise<ProviderCredentials>;
}

export interface WebhookDeps {
  /** One codec per BSP the deployment accepts webhooks from. */
  codecs: Partial<Record<ProviderName, WebhookCodec>>;
  connections: ConnectionDirectory;
  credentials: CredentialsReader;
  store: MessageStore;
  queue: InboundQueue;
  /** Fallbacks for messages the BSP refuses after accepting them (window closed, rejected rich content). */
  statusFallback?: StatusFallbackDeps;
  /** Finds our message key by the BSP's id, for statuses that do not echo it. */
  statusKeys?: ApplyStatusDeps['keys'];
  events: EventPublisher;
  /**
   * Where every accepted request is kept (audit log, replay source). Written beside storage; its
   * failure never fails the webhook. Absent: nothing is archived (replay, tests).
   */
  archive?: PayloadArchive;
  /**
   * Echo's own Meta app (Embedded Signup): the app-level route `…/webhook/whatsapp/meta`,
   * authenticated with the app's secret and routed per change by number (or WABA). Absent: that
   * route answers 403.
   */
  metaApp?: MetaAppWebhookDeps;
  /** Where coexistence events (owner's messages, history, contacts, partner removed) are written. Absent: counted only. */
  coexistence?: CoexistenceDeps;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  config: {
    publicBaseUrl?: string;
    dedupeTtlMs: number;
    /** Events of one request stored at once; a conversation's own events are always stored in order. */
    eventConcurrency?: number;
  };
}

export interface MetaAppWebhookDeps {
  codec: MetaAppWebhookCodec;
  /** The app secret (`{appSecret, systemUserToken, verifyToken}`), read through `credentials`. */
  secretId: string;
  /** Finds the connection of a number (number claims) or of a WABA. */
  router: {
    byNumber(provider: 'meta', providerNumberId: string): Promise<Connection | undefined>;
    byAccount(provider: 'meta', providerAccountId: string): Promise<Connection[]>;
  };
}

/** Who an app-level request is archived under: the app, not a business (one POST may serve several). */
const META_APP_ARCHIVE_OWNER = { businessId: '_meta-app', connectionId: '_app' } as const;

/** One public answer for every authentication failure, so connection ids cannot be probed. */
const FORBIDDEN_MESSAGE = 'Forbidden';
/** After a signature mismatch, re-read the secret at most this often (token rotation vs. forged floods). */
const CREDENTIAL_REFRESH_INTERVAL_MS = 60_000;
const DEFAULT_EVENT_CONCURRENCY = 8;

/**
 * The BSP webhook: `POST /webhook/whatsapp/{provider}/{connectionId}` (incoming messages, and
 * statuses on Cloud API shapes), Twilio's `…/status` and `…/fallback`, and Meta's `GET` handshake.
 *
 * Read top to bottom: size → body → connection → authentication → events (each stored and queued
 * idempotently) → the provider's acknowledgement. Every rejection happens before anything is
 * written; the answer is 5xx only when something the request carried is not yet stored, so the
 * BSP's retry (which doubles nothing) completes it.
 * @example
 * export const handler = createWebhookHandler(createWebhookDeps(loadWebhookEnv()));
 */
export function createWebhookHandler(deps: WebhookDeps) {
  const lastForcedRefresh = new Map<string, number>();

  /**
   * The cached secret first; after a failure, the secret read again (it may have been rotated), but
   * rarely, so that a flood of forged requests cannot turn into a flood of Secrets Manager calls.
   */
  async function withCredentials<T>(connection: Connection, attempt: (credentials: ProviderCredentials) => T | undefined): Promise<{ credentials: ProviderCredentials; result: T }> {
    return withSecret(connection.connectionId, connection.secretArn, attempt);
  }

  async function withSecret<T>(refreshKey: string, secretId: string, attempt: (credentials: ProviderCredentials) => T | undefined): Promise<{ credentials: ProviderCredentials; result: T }> {
    const cached = await deps.credentials.get(secretId);
    const first = attempt(cached);
    if (first !== undefined) return { credentials: cached, result: first };
    const now = deps.clock.now().getTime();
    const last = lastForcedRefresh.get(refreshKey) ?? 0;
    if (now - last >= CREDENTIAL_REFRESH_INTERVAL_MS) {
      lastForcedRefresh.set(refreshKey, now);
      const fresh = await deps.credentials.get(secretId, { refresh: true });
      if (!sameCredentials(fresh, cached)) {
        const second = attempt(fresh);
        if (second !== undefined) return { credentials: fresh, result: second };
      }
    }
    throw new ForbiddenError('authentication failed');
  }

  async function activeConnection(connectionId: string, provider: ProviderName): Promise<Connection> {
    const connection = await deps.connections.get(connectionId);
    if (!connection) throw new ForbiddenError('unknown connection');
    if (connection.status !== 'active') throw new ForbiddenError('connection is disabled');
    if (connection.provider !== provider) throw new ForbiddenError('connection uses another provider');
    return connection;
  }

  function requestOf(event: APIGatewayProxyEventV2, method: string, route: WebhookRequest['route'], rawBody: string): WebhookRequest {
    return {
      method,
      route,
      url: publicWebhookUrl({
        rawPath: event.rawPath,
        rawQueryString: event.rawQueryString,
        host: event.headers.host,
        forwardedProto: event.headers['x-forwarded-proto'],
        forwardedPort: event.headers['x-forwarded-port'],
        domainName: event.requestContext.domainName,
        publicBaseUrl: deps.config.publicBaseUrl,
      }),
      query: event.queryStringParameters ?? {},
      headers: event.headers,
      rawBody,
    };
  }

  /**
   * Echo's Meta app webhook: authenticate with the APP's secret, then each change to its number's
   * connection (a WABA's, for changes without a number). A change for a number no active
   * connection holds is acknowledged and counted (`AppWebhookUnknownNumber`): Meta would retry a
   * 5xx for a week, and the business that left would not come back for it. 5xx only when something
   * routed to a connection could not be stored (the retry completes it, doubling nothing).
   */
  async function handleMetaApp(event: APIGatewayProxyEventV2, method: string): Promise<APIGatewayProxyStructuredResultV2> {
    addProviderDimension(deps.metrics, 'meta');
    deps.logger.appendKeys({ route: 'meta-app', provider: 'meta' });
    const app = deps.metaApp;
    const metaCodec = deps.codecs.meta;
    if (!app || !metaCodec) throw new ForbiddenError('no Meta app configured');
    const request = requestOf(event, method, 'inbound', decodeBody(event, app.codec.maxBodyBytes));

    if (method === 'GET') {
      const { result } = await withSecret('meta-app', app.secretId, (credentials) => app.codec.handshake(request, credentials));
      deps.metrics.addMetric(METRIC.webhookVerified, MetricUnit.Count, 1);
      deps.logger.info('webhook verification answered');
      return answer(result);
    }

    const body = app.codec.readBody(request);
    await withSecret('meta-app', app.secretId, (credentials) => (app.codec.authenticate(request, credentials) ? true : undefined));
    const { numbers, accounts } = app.codec.route(body);
    const archived = archiveRequest(event, request, META_APP_ARCHIVE_OWNER, 'meta');
    const outcomes: PromiseSettledResult<void>[] = [];
    let unknown = 0;
    const storeGroup = async (connection: Connection, group: CloudApiBody): Promise<void> => {
      let events: WebhookEvent[];
      try {
        events = metaCodec.parse(request, group, connection, {});
      } catch (error) {
        // Routed by its number but addressed to another WABA than the connection's: not ours.
        if (!(error instanceof ForbiddenError)) throw error;
        unknown += changeCount(group);
        deps.logger.warn('app webhook change not addressed to the connection of its number', { connectionId: connection.connectionId });
        return;
      }
      outcomes.push(...(await storeEvents(connection, events, 'inbound')));
    };
    const concurrency = deps.config.eventConcurrency ?? DEFAULT_EVENT_CONCURRENCY;
    // Lookups that fail (the store unreachable) fail the request: 5xx, Meta retries, nothing doubles.
    await forEachLimited([...numbers], concurrency, async ([numberId, group]) => {
      const connection = await app.router.byNumber('meta', numberId);
      if (!connection) {
        unknown += changeCount(group);
        deps.logger.warn('app webhook change for a number no active connection holds', { phoneNumberId: maskIdentifier(numberId) });
        return;
      }
      await storeGroup(connection, group);
    });
    await forEachLimited([...accounts], concurrency, async ([wabaId, group]) => {
      const connections = await app.router.byAccount('meta', wabaId);
      if (connections.length === 0) {
        unknown += changeCount(group);
        deps.logger.warn('app webhook change for a WhatsApp Business Account no active connection holds', { wabaId: maskIdentifier(wabaId) });
      }
      for (const connection of connections) await storeGroup(connection, group);
    });
    await archived;
    if (unknown > 0) deps.metrics.addMetric(METRIC.appWebhookUnknownNumber, MetricUnit.Count, unknown);
    const unstored = outcomes.filter((outcome) => outcome.status === 'rejected');
    if (unstored.length > 0) {
      deps.metrics.addMetric(METRIC.webhookEventsUnstored, MetricUnit.Count, unstored.length);
      throw (unstored[0] as PromiseRejectedResult).reason;
    }
    return answer(app.codec.acknowledge());
  }

  async function handle(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
    if (isMetaAppWebhookPath(event.rawPath)) return handleMetaApp(event, event.requestContext.http?.method ?? 'POST');
    const target = webhookRouteOf(event.rawPath);
    const connectionId = event.pathParameters?.connectionId;
    const method = event.requestContext.http?.method ?? 'POST';
    // A second dimension set: every metric of this request is also counted per BSP (three values).
    if (target) addProviderDimension(deps.metrics, target.provider);
    deps.logger.appendKeys({ route: target?.route, provider: target?.provider, connectionId });
    const codec = target ? deps.codecs[target.provider] : undefined;
    if (!target || !codec || !connectionId) throw new ForbiddenError('no provider or connection in the path');

    const request = requestOf(event, method, target.route, decodeBody(event, codec.maxBodyBytes));

    if (method === 'GET') {
      if (!codec.handshake || target.route !== 'inbound') throw new ForbiddenError('no handshake on this route');
      const connection = await activeConnection(connectionId, target.provider);
      const { result } = await withCredentials(connection, (credentials) => codec.handshake!(request, credentials));
      deps.metrics.addMetric(METRIC.webhookVerified, MetricUnit.Count, 1);
      deps.logger.info('webhook verification answered');
      return answer(result);
    }

    const body = codec.readBody(request);
    const connection = await activeConnection(connectionId, target.provider);
    const { credentials } = await withCredentials(connection, (candidate) => (codec.authenticate(request, body, candidate) ? true : undefined));
    const events = codec.parse(request, body, connection, credentials);

    // Started before storage and awaited after it: the archive adds no round trip of its own.
    const archived = archiveRequest(event, request, connection, target.provider);
    const outcomes = await storeEvents(connection, events, target.route);
    await archived;
    const unstored = outcomes.filter((outcome) => outcome.status === 'rejected');
    if (unstored.length > 0) {
      deps.metrics.addMetric(METRIC.webhookEventsUnstored, MetricUnit.Count, unstored.length);
      // The first failure is representative; every event already stored answers as a duplicate on the retry.
      throw (unstored[0] as PromiseRejectedResult).reason;
    }
    return answer(codec.acknowledge());
  }

  /**
   * Stores every event of one request. The inbound messages go together (see `ingestInboundBatch`:
   * as few transactions as the limits allow, a conversation's messages in the BSP's order);
   * statuses and other events side by side. Every event is attempted even when another failed, so a
   * retried request has less left to do.
   */
  async function storeEvents(connection: Connection, events: WebhookEvent[], route: WebhookRequest['route']): Promise<PromiseSettledResult<void>[]> {
    const inbound = events.flatMap((event) => (event.kind === 'inbound' ? [event.message] : []));
    const rest = events.filter((event) => event.kind !== 'inbound');
    const results: PromiseSettledResult<void>[] = [];
    const settle = async (work: () => Promise<void>): Promise<void> => {
      try {
        await work();
        results.push({ status: 'fulfilled', value: undefined });
      } catch (error) {
        results.push({ status: 'rejected', reason: error });
      }
    };
    await Promise.all([
      inbound.length > 0 ? settle(() => storeInbound(connection, inbound, route)) : Promise.resolve(),
      forEachLimited(rest, deps.config.eventConcurrency ?? DEFAULT_EVENT_CONCURRENCY, (event) => settle(() => storeEvent(connection, event))),
    ]);
    return results;
  }

  async function storeEvent(connection: Connection, event: Exclude<WebhookEvent, { kind: 'inbound' }>): Promise<void> {
    if (event.kind === 'status') return storeStatus(connection, event.update, event.key);
    if (event.kind === 'coexistence') return storeCoexistence(connection, event.event);
    deps.metrics.addMetric(METRIC.webhookOtherEvent, MetricUnit.Count, 1);
    deps.logger.info('webhook event kept as counted', { type: event.type, detail: event.detail });
  }

  /** Meta coexistence: the owner's messages from the app, history, contact names, partner removed. */
  async function storeCoexistence(connection: Connection, event: CoexistenceEvent): Promise<void> {
    if (!deps.coexistence) {
      deps.metrics.addMetric(METRIC.webhookOtherEvent, MetricUnit.Count, 1);
      deps.logger.info('webhook event kept as counted', { type: `coexistence:${event.type}` });
      return;
    }
    const outcome = await storeCoexistenceEvent(connection, event, deps.coexistence);
    switch (outcome.type) {
      case 'owner-message':
        if (outcome.outcome === 'stored') deps.metrics.addMetric(METRIC.ownerMessageStored, MetricUnit.Count, 1);
        if (outcome.paused) deps.metrics.addMetric(METRIC.handoffPaused, MetricUnit.Count, 1);
        deps.logger.info("owner's message from the WhatsApp Business app handled", {
          outcome: outcome.outcome,
          conversationId: outcome.conversationId,
          messageId: outcome.messageId,
          aiPaused: outcome.paused,
        });
        return;
      case 'history':
        if (outcome.stored > 0) deps.metrics.addMetric(METRIC.historyMessagesImported, MetricUnit.Count, outcome.stored);
        if (outcome.declined) deps.metrics.addMetric(METRIC.historyDeclined, MetricUnit.Count, 1);
        deps.logger.info('chat history chunk imported', { stored: outcome.stored, duplicates: outcome.duplicates, declined: outcome.declined, progress: outcome.progress });
        return;
      case 'contacts':
        if (outcome.written > 0) deps.metrics.addMetric(METRIC.contactNamesSynced, MetricUnit.Count, outcome.written);
        deps.logger.info('contact names synchronised', { written: outcome.written });
        return;
      case 'partner-removed':
        if (outcome.disabled) deps.metrics.addMetric(METRIC.connectionPartnerRemoved, MetricUnit.Count, 1);
        deps.logger.warn('Meta removed Echo from the business: connection disabled', { disabled: outcome.disabled });
        return;
    }
  }

  async function storeInbound(connection: Connection, messages: InboundMessage[], route: WebhookRequest['route']): Promise<void> {
    // message.received is committed with each message (outbox) and published by the event relay.
    const results = await ingestInboundBatch(connection, messages, {
      store: deps.store,
      queue: deps.queue,
      connections: deps.connections,
      clock: deps.clock,
      dedupeTtlMs: deps.config.dedupeTtlMs,
    });
    const stored = results.filter((result) => result.outcome === 'stored').length;
    if (stored > 0) deps.metrics.addMetric(METRIC.inboundStored, MetricUnit.Count, stored);
    if (stored < results.length) deps.metrics.addMetric(METRIC.inboundDuplicate, MetricUnit.Count, results.length - stored);
    // The BSP calls the fallback URL only after the primary failed: every one is a primary failure
    // that this delivery healed, worth a look even though nothing was lost.
    if (route === 'fallback') deps.metrics.addMetric(METRIC.inboundViaFallback, MetricUnit.Count, results.length);
    results.forEach((result, index) =>
      deps.logger.info('inbound message handled', {
        outcome: result.outcome,
        conversationId: result.conversationId,
        messageId: result.messageId,
        type: messages[index]!.content.type,
        customer: maskIdentifier(messages[index]!.customer.id),
      }),
    );
  }

  async function storeStatus(connection: Connection, update: StatusUpdate, key: MessageKey | undefined): Promise<void> {
    const result = await applyStatus(connection, key, update, {
      store: deps.store,
      events: deps.events,
      clock: deps.clock,
      onEventPublishFailed: (error) => reportEventFailure(error),
      ...(deps.statusKeys && { keys: deps.statusKeys }),
      ...(deps.statusFallback && { fallback: deps.statusFallback }),
    });
    deps.metrics.addMetric(STATUS_OUTCOME_METRIC[result.outcome], MetricUnit.Count, 1);
    const delivery = deliveryMetricOf(result, update.status);
    if (delivery) deps.metrics.addMetric(delivery, MetricUnit.Count, 1);
    if (result.fallback === 'template-enqueued' || result.fallback === 'plain-text-enqueued') {
      deps.metrics.addMetric(METRIC.statusFallbackEnqueued, MetricUnit.Count, 1);
    } else if (result.fallback === 'no-fallback') {
      deps.metrics.addMetric(METRIC.sendFailed, MetricUnit.Count, 1);
    }
    const level = result.outcome === 'applied' || result.outcome === 'stale' ? 'info' : 'warn';
    deps.logger[level]('status callback handled', {
      outcome: result.outcome,
      status: update.status,
      providerStatus: update.providerStatus,
      errorCode: update.errorCode,
      fallback: result.fallback,
      messageId: key?.messageId,
      conversationId: key?.conversationId,
    });
  }

  /**
   * Keeps the accepted request as it came (the durable copy is already on its way to DynamoDB). Never
   * rejects: a failed archive write is counted (`ArchiveWriteFailed`, alarmed) and logged.
   */
  function archiveRequest(event: APIGatewayProxyEventV2, request: WebhookRequest, connection: { businessId: string; connectionId: string }, provider: ProviderName): Promise<void> {
    const archive = deps.archive;
    if (!archive) return Promise.resolve();
    // An async function runs up to its first await at once: the PutObject is on its way when this returns.
    const put = async () =>
      archive.put(
        archivedWebhookRequestOf({
          provider,
          connection,
          request,
          receivedAt: deps.clock.now(),
          requestId: event.requestContext.requestId ?? '',
          rawPath: event.rawPath,
          rawQueryString: event.rawQueryString ?? '',
          ...(event.requestContext.domainName !== undefined && { domainName: event.requestContext.domainName }),
        }),
      );
    return put().then(
      () => {
        deps.metrics.addMetric(METRIC.archiveWritten, MetricUnit.Count, 1);
      },
      (error: unknown) => {
        deps.metrics.addMetric(METRIC.archiveWriteFailed, MetricUnit.Count, 1);
        deps.logger.error('archive write failed; the request itself is stored', { error: describeError(error) });
      },
    );
  }

  function reportEventFailure(error: unknown): void {
    deps.metrics.addMetric(METRIC.eventPublishFailed, MetricUnit.Count, 1);
    deps.logger.error('event publish failed; the message itself is stored', { error: describeError(error) });
  }

  return async function webhookHandler(
    event: APIGatewayProxyEventV2,
    context?: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> {
    if (context) deps.logger.addContext(context);
    const started = deps.clock.now().getTime();
    try {
      return await handle(event);
    } catch (error) {
      return rejection(error, deps);
    } finally {
      deps.metrics.addMetric(METRIC.webhookLatency, MetricUnit.Milliseconds, Math.max(0, deps.clock.now().getTime() - started));
      deps.logger.resetKeys();
      deps.metrics.publishStoredMetrics();
    }
  };
}

function sameCredentials(a: ProviderCredentials, b: ProviderCredentials): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function answer(ack: WebhookAck): APIGatewayProxyStructuredResultV2 {
  return { statusCode: ack.statusCode, headers: { 'content-type': ack.contentType }, body: ack.body };
}

/** One explicit metric per outcome of a status callback. */
const STATUS_OUTCOME_METRIC: Record<ApplyStatusResult['outcome'], MetricName> = {
  applied: METRIC.statusApplied,
  stale: METRIC.statusStale,
  unknown: METRIC.statusUnknown,
  unaddressed: METRIC.statusUnaddressed,
};

/**
 * The delivery success rate's counts. A message counts as delivered once: when `delivered` is
 * applied, or when it arrives after `read` (stale at `read`, statuses can overtake each other). A
 * `read` with no `delivered` ever is not counted: it cannot be told from a `read` after one without
 * reading the message first, and BSPs send `delivered` for every delivered message.
 */
function deliveryMetricOf(result: ApplyStatusResult, status: DeliveryStatus): MetricName | undefined {
  if (status === 'delivered') {
    const firstTime = result.outcome === 'applied' || (result.outcome === 'stale' && result.currentStatus === 'read');
    return firstTime ? METRIC.deliveryConfirmed : undefined;
  }
  return isFailure(status) && result.outcome === 'applied' ? METRIC.deliveryFailed : undefined;
}

function rejection(error: unknown, deps: WebhookDeps): APIGatewayProxyStructuredResultV2 {
  const [statusCode, publicMessage, metric] =
    error instanceof PayloadTooLargeError
      ? [413, 'Payload Too Large', METRIC.rejectedTooLarge]
      : error instanceof MalformedRequestError
        ? [400, error.message, METRIC.rejectedMalformed]
        : error instanceof ForbiddenError
          ? [403, FORBIDDEN_MESSAGE, METRIC.rejectedForbidden]
          : error instanceof EchoError && !error.retryable
            ? [403, FORBIDDEN_MESSAGE, METRIC.rejectedForbidden]
            : [503, 'Service Unavailable', METRIC.webhookFailed];
  deps.metrics.addMetric(metric, MetricUnit.Count, 1);
  if (statusCode >= 500) deps.logger.error('webhook failed; answering 5xx so the BSP retries', { error: describeError(error) });
  else deps.logger.warn('webhook rejected', { statusCode, reason: describeError(error) });
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: publicMessage }),
  };
}

/** API Gateway base64-encodes form bodies; the size limit applies to the decoded bytes. */
function decodeBody(event: APIGatewayProxyEventV2, maxBytes: number): string {
  const body = event.body ?? '';
  if (!event.isBase64Encoded) {
    if (Buffer.byteLength(body, 'utf8') > maxBytes) throw new PayloadTooLargeError('body too large');
    return body;
  }
  // Reject on the encoded size first so that a huge body is never decoded into memory.
  if (Math.floor((body.length * 3) / 4) > maxBytes + 3) throw new PayloadTooLargeError('body too large');
  const bytes = Buffer.from(body, 'base64');
  if (bytes.length > maxBytes) throw new PayloadTooLargeError('body too large');
  return bytes.toString('utf8');
}


