import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { applyStatus, messageKeyFromQuery, type StatusFallbackDeps } from '../../domain/apply-status';
import type { Connection, ConnectionDirectory } from '../../domain/connection';
import { ingestInbound } from '../../domain/ingest-inbound';
import type { ProviderName } from '../../domain/message';
import type { Clock, EventPublisher, InboundQueue, MessageStore } from '../../domain/ports';
import { maskIdentifier } from '../../domain/redact';
import type { ProviderCredentials, WebhookRequest, WhatsAppProvider } from '../../providers/whatsapp/provider';
import { publicWebhookUrl } from '../../providers/whatsapp/webhook-url';
import {
  EchoError,
  ForbiddenError,
  MalformedRequestError,
  PayloadTooLargeError,
} from '../../shared/errors';
import { describeError } from '../../shared/describe-error';

export interface CredentialsReader {
  get(secretId: string, options?: { refresh?: boolean }): Promise<ProviderCredentials>;
}

export interface WebhookDeps {
  providers: Partial<Record<ProviderName, WhatsAppProvider>>;
  connections: ConnectionDirectory;
  credentials: CredentialsReader;
  store: MessageStore;
  queue: InboundQueue;
  /** Fallbacks for messages the BSP refuses after accepting them (63016, rejected rich content). */
  statusFallback?: StatusFallbackDeps;
  events: EventPublisher;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  config: {
    publicBaseUrl?: string;
    dedupeTtlMs: number;
    /** Larger bodies are refused with 413 before anything is parsed. */
    maxBodyBytes: number;
  };
}

/** Twilio expects TwiML back; an empty `<Response/>` means "nothing to reply in-band". */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
/** One public answer for every authentication failure, so connection ids cannot be probed. */
const FORBIDDEN_MESSAGE = 'Forbidden';
/** After a signature mismatch, re-read the secret at most this often (token rotation vs. forged floods). */
const CREDENTIAL_REFRESH_INTERVAL_MS = 60_000;

type Route = 'inbound' | 'fallback' | 'status';

/**
 * The BSP webhook: `POST /webhook/whatsapp/{provider}/{connectionId}` (incoming messages) and
 * `…/{connectionId}/status` (delivery-status callbacks).
 *
 * Read top to bottom: size → body → connection → signature → account and number → store/queue
 * (or status update) → empty TwiML. Every rejection happens before anything is written.
 * @example
 * export const handler = createWebhookHandler(createWebhookDeps());
 */
export function createWebhookHandler(deps: WebhookDeps) {
  const lastForcedRefresh = new Map<string, number>();

  async function credentialsVerifying(
    provider: WhatsAppProvider,
    connection: Connection,
    request: WebhookRequest,
    fields: Record<string, string>,
  ): Promise<ProviderCredentials> {
    const cached = await deps.credentials.get(connection.secretArn);
    if (provider.verifySignature(request, fields, cached)) return cached;
    // The cached token may predate a rotation: read the secret again, but rarely, so that a flood
    // of forged requests cannot turn into a flood of Secrets Manager calls.
    const now = deps.clock.now().getTime();
    const last = lastForcedRefresh.get(connection.connectionId) ?? 0;
    if (now - last >= CREDENTIAL_REFRESH_INTERVAL_MS) {
      lastForcedRefresh.set(connection.connectionId, now);
      const fresh = await deps.credentials.get(connection.secretArn, { refresh: true });
      if (fresh.authToken !== cached.authToken && provider.verifySignature(request, fields, fresh)) return fresh;
    }
    throw new ForbiddenError('signature does not match');
  }

  async function handle(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
    const path = event.rawPath.replace(/\/+$/, '');
    const route: Route = path.endsWith('/status') ? 'status' : path.endsWith('/fallback') ? 'fallback' : 'inbound';
    const providerName = providerFromPath(event.rawPath);
    const connectionId = event.pathParameters?.connectionId;
    deps.logger.appendKeys({ route, connectionId });

    const rawBody = decodeBody(event, deps.config.maxBodyBytes);
    const provider = providerName ? deps.providers[providerName] : undefined;
    if (!provider || !connectionId) throw new ForbiddenError('no provider or connection in the path');

    const request: WebhookRequest = {
      url: publicWebhookUrl({
        rawPath: event.rawPath,
        rawQueryString: event.rawQueryString,
        host: event.headers.host,
        forwardedProto: event.headers['x-forwarded-proto'],
        forwardedPort: event.headers['x-forwarded-port'],
        domainName: event.requestContext.domainName,
        publicBaseUrl: deps.config.publicBaseUrl,
      }),
      headers: event.headers,
      rawBody,
    };
    const fields = provider.parseFields(request);

    const connection = await deps.connections.get(connectionId);
    if (!connection) throw new ForbiddenError('unknown connection');
    if (connection.status !== 'active') throw new ForbiddenError('connection is disabled');
    if (connection.provider !== provider.name) throw new ForbiddenError('connection uses another provider');

    const credentials = await credentialsVerifying(provider, connection, request, fields);

    if (route === 'status') {
      const update = provider.parseStatus(fields);
      if (update.accountId !== credentials.accountSid) throw new ForbiddenError('account does not own the connection');
      const key = messageKeyFromQuery(event.queryStringParameters ?? {});
      const result = await applyStatus(connection, key, update, {
        store: deps.store,
        events: deps.events,
        clock: deps.clock,
        onEventPublishFailed: (error) => reportEventFailure(error),
        ...(deps.statusFallback && { fallback: deps.statusFallback }),
      });
      deps.metrics.addMetric(`Status${capitalize(result.outcome)}`, MetricUnit.Count, 1);
      if (result.fallback === 'template-enqueued' || result.fallback === 'plain-text-enqueued') {
        deps.metrics.addMetric('StatusFallbackEnqueued', MetricUnit.Count, 1);
      } else if (result.fallback === 'no-fallback') {
        deps.metrics.addMetric('SendFailed', MetricUnit.Count, 1);
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
      return twiml();
    }

    const message = provider.parseInbound(fields);
    if (message.accountId !== credentials.accountSid) throw new ForbiddenError('account does not own the connection');
    if (message.to !== connection.displayNumber) throw new ForbiddenError('message is not addressed to the connection number');
    const result = await ingestInbound(connection, message, {
      store: deps.store,
      queue: deps.queue,
      events: deps.events,
      connections: deps.connections,
      clock: deps.clock,
      dedupeTtlMs: deps.config.dedupeTtlMs,
      onEventPublishFailed: (error) => reportEventFailure(error),
    });
    deps.metrics.addMetric(result.outcome === 'stored' ? 'InboundStored' : 'InboundDuplicate', MetricUnit.Count, 1);
    // The BSP calls the fallback URL only after the primary failed: every one is a primary failure
    // that this delivery healed, worth a look even though nothing was lost.
    if (route === 'fallback') deps.metrics.addMetric('InboundViaFallback', MetricUnit.Count, 1);
    deps.logger.info('inbound message handled', {
      outcome: result.outcome,
      conversationId: result.conversationId,
      messageId: result.messageId,
      type: message.content.type,
      customer: maskIdentifier(message.customer.id),
    });
    return twiml();
  }

  function reportEventFailure(error: unknown): void {
    deps.metrics.addMetric('EventPublishFailed', MetricUnit.Count, 1);
    deps.logger.error('event publish failed; the message itself is stored', { error: describeError(error) });
  }

  return async function webhookHandler(
    event: APIGatewayProxyEventV2,
    context?: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> {
    if (context) deps.logger.addContext(context);
    try {
      return await handle(event);
    } catch (error) {
      return rejection(error, deps);
    } finally {
      deps.logger.resetKeys();
      deps.metrics.publishStoredMetrics();
    }
  };
}

function rejection(error: unknown, deps: WebhookDeps): APIGatewayProxyStructuredResultV2 {
  const [statusCode, publicMessage, metric] =
    error instanceof PayloadTooLargeError
      ? [413, 'Payload Too Large', 'RejectedTooLarge']
      : error instanceof MalformedRequestError
        ? [400, error.message, 'RejectedMalformed']
        : error instanceof ForbiddenError
          ? [403, FORBIDDEN_MESSAGE, 'RejectedForbidden']
          : error instanceof EchoError && !error.retryable
            ? [403, FORBIDDEN_MESSAGE, 'RejectedForbidden']
            : [503, 'Service Unavailable', 'WebhookFailed'];
  deps.metrics.addMetric(metric, MetricUnit.Count, 1);
  if (statusCode >= 500) deps.logger.error('webhook failed; answering 5xx so the BSP retries', { error: describeError(error) });
  else deps.logger.warn('webhook rejected', { statusCode, reason: describeError(error) });
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: publicMessage }),
  };
}

function twiml(): APIGatewayProxyStructuredResultV2 {
  return { statusCode: 200, headers: { 'content-type': 'text/xml' }, body: EMPTY_TWIML };
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

function providerFromPath(rawPath: string): ProviderName | undefined {
  const match = /\/webhook\/whatsapp\/([a-z0-9]+)\//.exec(rawPath);
  return match?.[1] === 'twilio' ? 'twilio' : undefined;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

