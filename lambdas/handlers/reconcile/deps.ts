import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbActiveConnections } from '../../adapters/dynamodb-active-connections';
import { DynamoDbConnectionDirectory } from '../../adapters/dynamodb-connection-directory';
import { DynamoDbIngestedIndex } from '../../adapters/dynamodb-ingested-index';
import { DynamoDbMessageStore } from '../../adapters/dynamodb-message-store';
import { SecretsCredentialsStore } from '../../adapters/secrets-credentials-store';
import { SqsInboundQueue } from '../../adapters/sqs-inbound-queue';
import { TwilioInboundLister } from '../../providers/whatsapp/twilio/inbound-list';
import { createPowertools } from '../../shared/powertools';
import type { ReconcileEnv } from './env';
import type { ReconcileDeps } from './handler';
import { SERVICE } from '../../shared/telemetry';

/** One BSP read (a page of messages, or one message's media list). */
const BSP_READ_TIMEOUT_MS = 10_000;

/** Builds the reconciler's dependencies once per container (cold start). */
export function createReconcileDeps(env: ReconcileEnv): ReconcileDeps {
  const { logger, metrics } = createPowertools(SERVICE.reconcile);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  return {
    activeConnections: new DynamoDbActiveConnections(documents, env.CONNECTIONS_TABLE),
    credentials: new SecretsCredentialsStore(new SecretsManagerClient({}), env.SECRETS_CACHE_TTL_SECONDS),
    sources: { twilio: new TwilioInboundLister({ fetch, apiBaseUrl: env.TWILIO_API_BASE_URL, timeoutMs: BSP_READ_TIMEOUT_MS }) },
    index: new DynamoDbIngestedIndex(documents, env.DEDUPE_TABLE),
    store: new DynamoDbMessageStore(documents, {
      conversations: env.CONVERSATIONS_TABLE,
      messages: env.MESSAGES_TABLE,
      dedupe: env.DEDUPE_TABLE,
    }),
    queue: new SqsInboundQueue(new SQSClient({}), env.INBOUND_QUEUE_URL),
    connections: new DynamoDbConnectionDirectory(documents, env.CONNECTIONS_TABLE, { cacheTtlMs: 60_000 }),
    clock: { now: () => new Date() },
    logger,
    metrics,
    config: {
      lookbackMs: env.RECONCILE_LOOKBACK_MINUTES * 60_000,
      settleMs: env.RECONCILE_SETTLE_SECONDS * 1000,
      dedupeTtlMs: env.DEDUPE_TTL_DAYS * 24 * 60 * 60 * 1000,
    },
  };
}
