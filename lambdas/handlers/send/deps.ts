import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConnectionDirectory } from '../../adapters/dynamodb-connection-directory';
import { DynamoDbContentCache } from '../../adapters/dynamodb-content-cache';
import { DynamoDbOutboundStore } from '../../adapters/dynamodb-outbound-store';
import { DynamoDbTemplateRegistry } from '../../adapters/dynamodb-template-registry';
import { EventBridgePublisher } from '../../adapters/eventbridge-publisher';
import { SecretsCredentialsStore } from '../../adapters/secrets-credentials-store';
import { SqsVisibility } from '../../adapters/sqs-visibility';
import { DEFAULT_SEND_CONFIG } from '../../domain/outbound/send-outbound';
import { Dialog360Sender } from '../../providers/whatsapp/dialog360/sender';
import { MetaSender } from '../../providers/whatsapp/meta/sender';
import { TwilioSender } from '../../providers/whatsapp/twilio/send';
import { fastClientConfig } from '../../shared/aws-clients';
import { createPowertools } from '../../shared/powertools';
import type { SendEnv } from './env';
import type { SendHandlerDeps } from './handler';
import { describeError } from '../../shared/describe-error';
import { METRIC, SERVICE } from '../../shared/telemetry';
import { DynamoDbConnectionAttention } from '../../adapters/dynamodb-connection-attention';
import { credentialsRejectedReporter } from '../../domain/connection-attention';

/** Builds the send Lambda's dependencies once per container (cold start). */
export function createSendDeps(env: SendEnv): SendHandlerDeps {
  const { logger, metrics } = createPowertools(SERVICE.send);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient(fastClientConfig), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const store = new DynamoDbOutboundStore(documents, {
    messages: env.MESSAGES_TABLE,
    dedupe: env.DEDUPE_TABLE,
    conversations: env.CONVERSATIONS_TABLE,
    connections: env.CONNECTIONS_TABLE,
  });
  const directory = new DynamoDbConnectionDirectory(documents, env.CONNECTIONS_TABLE, {
    cacheTtlMs: env.CONNECTION_CACHE_TTL_SECONDS * 1000,
  });
  const sender = new TwilioSender({
    fetch: globalThis.fetch,
    contentCache: new DynamoDbContentCache(documents, env.CONTENT_CACHE_TABLE),
    apiBaseUrl: env.TWILIO_API_BASE_URL,
    contentBaseUrl: env.TWILIO_CONTENT_BASE_URL,
    timeoutMs: env.SEND_TIMEOUT_MS,
    onCacheError: (operation) => metrics.addMetric(operation === 'get' ? METRIC.contentCacheGetFailed : METRIC.contentCachePutFailed, 'Count', 1),
  });
  return {
    send: {
      store,
      connections: { get: (id) => directory.get(id), listByBusiness: (businessId) => store.listByBusiness(businessId) },
      credentials: new SecretsCredentialsStore(new SecretsManagerClient(fastClientConfig), env.SECRETS_CACHE_TTL_SECONDS),
      senders: {
        twilio: sender,
        meta: new MetaSender({ fetch: globalThis.fetch, timeoutMs: env.SEND_TIMEOUT_MS, graphBaseUrl: env.META_GRAPH_BASE_URL }),
        '360dialog': new Dialog360Sender({ fetch: globalThis.fetch, timeoutMs: env.SEND_TIMEOUT_MS, baseUrl: env.DIALOG360_BASE_URL }),
      },
      templates: new DynamoDbTemplateRegistry(documents, env.TEMPLATES_TABLE),
      events: new EventBridgePublisher(new EventBridgeClient(fastClientConfig), env.EVENT_BUS_NAME),
      clock: { now: () => new Date() },
      config: {
        ...DEFAULT_SEND_CONFIG,
        webhookBaseUrl: env.WEBHOOK_BASE_URL,
        maxReceiveCount: env.MAX_RECEIVE_COUNT,
        dedupeTtlMs: env.DEDUPE_TTL_DAYS * 24 * 60 * 60 * 1000,
        backoff: { baseMs: env.SEND_BACKOFF_BASE_MS, capMs: env.SEND_BACKOFF_CAP_MS },
      },
      onEventPublishFailed: (error) => {
        metrics.addMetric(METRIC.eventPublishFailed, 'Count', 1);
        logger.error('event publish failed; message states are durable', {
          error: describeError(error),
        });
      },
      // The BSP refused the connection's credentials: flag the connection once for its owner.
      onCredentialsRejected: credentialsRejectedReporter({
        attention: new DynamoDbConnectionAttention(documents, env.CONNECTIONS_TABLE),
        events: new EventBridgePublisher(new EventBridgeClient(fastClientConfig), env.EVENT_BUS_NAME),
        clock: { now: () => new Date() },
        onRejected: (connection, code) => {
          metrics.addMetric(METRIC.connectionCredentialsRejected, 'Count', 1);
          logger.warn('the BSP rejected the connection credentials', { connectionId: connection.connectionId, provider: connection.provider, code });
        },
        onMarkFailed: (error) => {
          metrics.addMetric(METRIC.connectionAttentionMarkFailed, 'Count', 1);
          logger.error('could not flag the connection for attention; the next rejected send tries again', { error: describeError(error) });
        },
        onEventPublishFailed: (error) => {
          metrics.addMetric(METRIC.eventPublishFailed, 'Count', 1);
          logger.error('connection.changed not published; the attention marker is stored', { error: describeError(error) });
        },
      }),
    },
    visibility: new SqsVisibility(new SQSClient(fastClientConfig), env.OUTBOUND_QUEUE_URL),
    logger,
    metrics,
    config: { sendTimeoutMs: env.SEND_TIMEOUT_MS },
  };
}
