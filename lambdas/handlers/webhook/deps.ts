import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConnectionDirectory } from '../../adapters/dynamodb-connection-directory';
import { DynamoDbMessageStore } from '../../adapters/dynamodb-message-store';
import { DynamoDbOutboundStore } from '../../adapters/dynamodb-outbound-store';
import { SqsOutboundQueue } from '../../adapters/sqs-outbound-queue';
import { EventBridgePublisher } from '../../adapters/eventbridge-publisher';
import { SecretsCredentialsStore } from '../../adapters/secrets-credentials-store';
import { SqsInboundQueue } from '../../adapters/sqs-inbound-queue';
import { archiveS3Client, S3PayloadArchive } from '../../adapters/s3-payload-archive';
import { cloudApiFailureKind } from '../../providers/whatsapp/cloud-api/errors';
import { Dialog360WebhookCodec } from '../../providers/whatsapp/dialog360/codec';
import { MetaWebhookCodec } from '../../providers/whatsapp/meta/codec';
import { MetaAppWebhookCodec } from '../../providers/whatsapp/meta/app-codec';
import { DynamoDbCoexistenceStore } from '../../adapters/dynamodb-coexistence-store';
import { DynamoDbConversationHandoff } from '../../adapters/dynamodb-conversation-handoff';
import { DynamoDbNumberRouter } from '../../adapters/dynamodb-number-router';
import { TwilioWebhookCodec } from '../../providers/whatsapp/twilio/codec';
import { contentClassOf, twilioFailureKind } from '../../providers/whatsapp/twilio/send/errors';
import type { SendFailureKind } from '../../domain/bsp';
import type { OutboundContent } from '../../domain/outbound/contract';
import type { ProviderName } from '../../domain/providers';
import { fastClientConfig } from '../../shared/aws-clients';
import { createPowertools } from '../../shared/powertools';
import type { WebhookEnv } from './env';
import type { WebhookDeps } from './handler';
import { SERVICE } from '../../shared/telemetry';

/**
 * Each provider's error table, for failure codes that arrive on a status: the tables alone, not
 * the senders, so the webhook bundle carries no BSP client.
 */
const FAILURE_KIND_OF: Record<ProviderName, (code: string, sentContentType: OutboundContent['type']) => SendFailureKind> = {
  twilio: (code, sentContentType) => twilioFailureKind(code, contentClassOf(sentContentType)),
  meta: cloudApiFailureKind,
  '360dialog': cloudApiFailureKind,
};

/** Builds the webhook's dependencies once per container (cold start). */
export function createWebhookDeps(env: WebhookEnv): WebhookDeps {
  const { logger, metrics } = createPowertools(SERVICE.webhook);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient(fastClientConfig), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const sqs = new SQSClient(fastClientConfig);
  const outbound = new DynamoDbOutboundStore(documents, {
    messages: env.MESSAGES_TABLE,
    dedupe: env.DEDUPE_TABLE,
    conversations: env.CONVERSATIONS_TABLE,
  });
  const store = new DynamoDbMessageStore(documents, {
    conversations: env.CONVERSATIONS_TABLE,
    messages: env.MESSAGES_TABLE,
    dedupe: env.DEDUPE_TABLE,
  });
  const connections = new DynamoDbConnectionDirectory(documents, env.CONNECTIONS_TABLE, {
    cacheTtlMs: env.CONNECTION_CACHE_TTL_SECONDS * 1000,
  });
  const dedupeTtlMs = env.DEDUPE_TTL_DAYS * 24 * 60 * 60 * 1000;
  const clock = { now: () => new Date() };
  return {
    codecs: { twilio: new TwilioWebhookCodec(), meta: new MetaWebhookCodec(), '360dialog': new Dialog360WebhookCodec() },
    connections,
    ...(env.META_APP_SECRET_ARN && {
      metaApp: {
        codec: new MetaAppWebhookCodec(),
        secretId: env.META_APP_SECRET_ARN,
        router: new DynamoDbNumberRouter(documents, env.CONNECTIONS_TABLE, connections, { cacheTtlMs: env.CONNECTION_CACHE_TTL_SECONDS * 1000 }),
      },
    }),
    coexistence: {
      store: new DynamoDbCoexistenceStore(documents, {
        connections: env.CONNECTIONS_TABLE,
        conversations: env.CONVERSATIONS_TABLE,
        messages: env.MESSAGES_TABLE,
        dedupe: env.DEDUPE_TABLE,
      }),
      handoff: new DynamoDbConversationHandoff(documents, env.CONVERSATIONS_TABLE),
      clock,
      dedupeTtlMs,
    },
    credentials: new SecretsCredentialsStore(new SecretsManagerClient(fastClientConfig), env.SECRETS_CACHE_TTL_SECONDS),
    store,
    statusKeys: store,
    queue: new SqsInboundQueue(sqs, env.INBOUND_QUEUE_URL),
    ...(env.OUTBOUND_QUEUE_URL && {
      statusFallback: {
        failureKindOf: (code, sentContentType, provider) => FAILURE_KIND_OF[provider](code, sentContentType),
        messages: outbound,
        queue: new SqsOutboundQueue(sqs, env.OUTBOUND_QUEUE_URL),
        conversations: outbound,
      },
    }),
    events: new EventBridgePublisher(new EventBridgeClient(fastClientConfig), env.EVENT_BUS_NAME),
    ...(env.ARCHIVE_BUCKET && { archive: new S3PayloadArchive(archiveS3Client(fastClientConfig), env.ARCHIVE_BUCKET) }),
    clock,
    logger,
    metrics,
    config: {
      publicBaseUrl: env.PUBLIC_BASE_URL,
      dedupeTtlMs,
    },
  };
}
