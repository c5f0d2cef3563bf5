import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDbConnectionDirectory } from '../../adapters/dynamodb-connection-directory';
import { DynamoDbConversationReader } from '../../adapters/dynamodb-conversation-reader';
import { DynamoDbMediaRecords } from '../../adapters/dynamodb-media-records';
import { mediaS3Client, S3MediaUrlSigner } from '../../adapters/s3-media-store';
import { SqsVisibility } from '../../adapters/sqs-visibility';
import { SecretsCredentialsStore } from '../../adapters/secrets-credentials-store';
import { Dialog360Sender } from '../../providers/whatsapp/dialog360/sender';
import { MetaSender } from '../../providers/whatsapp/meta/sender';
import { HttpAiResponder } from '../../adapters/http-ai-responder';
import { SqsOutboundQueue } from '../../adapters/sqs-outbound-queue';
import { DemoResponder } from '../../domain/ai/demo-responder';
import { NoneResponder, type Responder } from '../../domain/ai/responder';
import { fastClientConfig } from '../../shared/aws-clients';
import { createPowertools } from '../../shared/powertools';
import type { AiEnv } from './env';
import type { AiDeps } from './handler';
import { SERVICE } from '../../shared/telemetry';

/** The responder `RESPONDER` names. */
export function responderFor(env: AiEnv): Responder {
  switch (env.RESPONDER) {
    case 'http':
      return new HttpAiResponder({ url: env.AI_ENDPOINT_URL as string, timeoutMs: env.AI_ENDPOINT_TIMEOUT_MS });
    case 'demo':
      return new DemoResponder();
    case 'none':
      return new NoneResponder();
  }
}

/** Builds the AI Lambda's dependencies once per container (cold start). */
export function createAiDeps(env: AiEnv): AiDeps {
  const { logger, metrics } = createPowertools(SERVICE.ai);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient(fastClientConfig), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    responder: responderFor(env),
    conversations: new DynamoDbConversationReader(documents, {
      conversations: env.CONVERSATIONS_TABLE,
      messages: env.MESSAGES_TABLE,
    }),
    queue: new SqsOutboundQueue(new SQSClient(fastClientConfig), env.OUTBOUND_QUEUE_URL),
    ...(env.CONNECTIONS_TABLE && {
      readReceipts: {
        connections: new DynamoDbConnectionDirectory(documents, env.CONNECTIONS_TABLE, { cacheTtlMs: 30_000 }),
        credentials: new SecretsCredentialsStore(new SecretsManagerClient(fastClientConfig), env.SECRETS_CACHE_TTL_SECONDS),
        senders: {
          meta: new MetaSender({ fetch: globalThis.fetch, timeoutMs: env.READ_RECEIPT_TIMEOUT_MS, graphBaseUrl: env.META_GRAPH_BASE_URL }),
          '360dialog': new Dialog360Sender({ fetch: globalThis.fetch, timeoutMs: env.READ_RECEIPT_TIMEOUT_MS, baseUrl: env.DIALOG360_BASE_URL }),
        },
      },
    }),
    ...(env.MEDIA_BUCKET && {
      media: {
        records: new DynamoDbMediaRecords(documents, env.MESSAGES_TABLE),
        signer: new S3MediaUrlSigner(mediaS3Client(), env.MEDIA_BUCKET, { ttlSeconds: env.MEDIA_URL_TTL_SECONDS }),
        now: () => new Date(),
        ...(env.INBOUND_QUEUE_URL && { visibility: new SqsVisibility(new SQSClient(fastClientConfig), env.INBOUND_QUEUE_URL) }),
      },
    }),
    logger,
    metrics,
    config: { historyLimit: env.AI_HISTORY_LIMIT },
  };
}
