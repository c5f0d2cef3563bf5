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
import { archiveS3Client, S3PayloadArchive } from '../../adapters/s3-payload-archive';
import { createSendArchiver } from '../../adapters/send-archiver';
import type { WhatsAppSender } from '../../domain/bsp';
import type { ProviderName } from '../../domain/providers';
import { OpenWindowConversationCache } from '../../domain/outbound/conversation-cache';
import { SendPacer } from '../../domain/outbound/pacing';
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
  // Each send's BSP exchanges go to the payload archive; its failures never change a send's outcome.
  const archiver = env.ARCHIVE_BUCKET
    ? createSendArchiver({
        archive: new S3PayloadArchive(archiveS3Client(fastClientConfig), env.ARCHIVE_BUCKET),
        businessOf: async (connectionId) => (await directory.get(connectionId))?.businessId,
        clock: { now: () => new Date() },
        onArchived: () => metrics.addMetric(METRIC.archiveWritten, 'Count', 1),
        onArchiveFailed: (error) => {
          metrics.addMetric(METRIC.archiveWriteFailed, 'Count', 1);
          logger.error('archive write failed; the send outcome stands', { error: describeError(error) });
        },
      })
    : undefined;
  const bspFetch = archiver ? archiver.fetch(globalThis.fetch) : globalThis.fetch;
  const archived = (provider: ProviderName, bspSender: WhatsAppSender) => (archiver ? archiver.wrap(provider, bspSender) : bspSender);
  const sender = new TwilioSender({
    fetch: bspFetch,
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
        twilio: archived('twilio', sender),
        meta: archived('meta', new MetaSender({ fetch: bspFetch, timeoutMs: env.SEND_TIMEOUT_MS, graphBaseUrl: env.META_GRAPH_BASE_URL })),
        '360dialog': archived('360dialog', new Dialog360Sender({ fetch: bspFetch, timeoutMs: env.SEND_TIMEOUT_MS, baseUrl: env.DIALOG360_BASE_URL })),
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
        maxAttempts: env.SEND_MAX_ATTEMPTS,
        retryBudgetMs: env.SEND_RETRY_BUDGET_SECONDS * 1000,
        outcomeTimeoutMs: env.SEND_OUTCOME_TIMEOUT_SECONDS * 1000,
        lookupAfterMs: env.SEND_LOOKUP_AFTER_MS,
        resolveDelayMs: env.SEND_RESOLVE_DELAY_MS,
      },
      // One per container: every conversation this instance sends for shares its numbers' allowance.
      pacer: new SendPacer(),
      ...(env.SEND_CONVERSATION_CACHE_SECONDS > 0 && {
        conversations: new OpenWindowConversationCache(store, () => new Date(), 10_000, env.SEND_CONVERSATION_CACHE_SECONDS * 1000),
      }),
      onEventPublishFailed: (error) => {
        metrics.addMetric(METRIC.eventPublishFailed, 'Count', 1);
        logger.error('event publish failed; message states are durable', {
          error: describeError(error),
        });
      },
      // The BSP refused the connection's credentials: flag the connection once for its owner.
      onCredentialsRejected: credentialsRejectedReporter({
        // The marking write carries its `connection.changed` (outbox entry): no publish here.
        attention: new DynamoDbConnectionAttention(documents, env.CONNECTIONS_TABLE),
        clock: { now: () => new Date() },
        onRejected: (connection, code) => {
          metrics.addMetric(METRIC.connectionCredentialsRejected, 'Count', 1);
          logger.warn('the BSP rejected the connection credentials', { connectionId: connection.connectionId, provider: connection.provider, code });
        },
        onMarkFailed: (error) => {
          metrics.addMetric(METRIC.connectionAttentionMarkFailed, 'Count', 1);
          logger.error('could not flag the connection for attention; the next rejected send tries again', { error: describeError(error) });
        },
      }),
    },
    visibility: new SqsVisibility(new SQSClient(fastClientConfig), env.OUTBOUND_QUEUE_URL),
    logger,
    metrics,
    config: { sendTimeoutMs: env.SEND_TIMEOUT_MS, conversationConcurrency: env.SEND_CONVERSATION_CONCURRENCY },
  };
}
