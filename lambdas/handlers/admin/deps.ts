import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import reengagementJson from '../../../templates/reengagement.json';
import { DynamoDbAdminConnectionStore } from '../../adapters/dynamodb-admin-connection-store';
import { mediaS3Client, S3MediaUrlSigner } from '../../adapters/s3-media-store';
import { DynamoDbConversationLister, DynamoDbMessageLister } from '../../adapters/dynamodb-admin-readers';
import { DynamoDbAuditLog } from '../../adapters/dynamodb-audit-log';
import { DynamoDbConnectionAttention } from '../../adapters/dynamodb-connection-attention';
import { DynamoDbConversationHandoff } from '../../adapters/dynamodb-conversation-handoff';
import { DynamoDbSendClaimStore } from '../../adapters/dynamodb-send-claim-store';
import { DynamoDbTemplateRegistry } from '../../adapters/dynamodb-template-registry';
import { SecretsCredentialsStore } from '../../adapters/secrets-credentials-store';
import { SecretsManagerSecretWriter } from '../../adapters/secrets-manager-secret-writer';
import { SqsOutboundQueue } from '../../adapters/sqs-outbound-queue';
import { templateFileSchema } from '../../domain/template-creation';
import { Dialog360ConnectionTester } from '../../providers/whatsapp/dialog360/connection-test';
import { MetaConnectionTester } from '../../providers/whatsapp/meta/connection-test';
import { MetaEmbeddedSignupGraph } from '../../providers/whatsapp/meta/embedded-signup';
import { createMetaAppReader } from './meta-app';
import { TwilioConnectionTester } from '../../providers/whatsapp/twilio/connection-test';
import { createTemplateBsps } from '../../providers/whatsapp/templates';
import { fastClientConfig } from '../../shared/aws-clients';
import { createPowertools } from '../../shared/powertools';
import type { AdminEnv } from './env';
import type { AdminDeps } from './handler';
import { describeError } from '../../shared/describe-error';
import { METRIC, SERVICE } from '../../shared/telemetry';

/** Admin request bodies are small JSON documents; larger ones are refused (413) before parsing. */
export const MAX_ADMIN_BODY_BYTES = 64 * 1024;

/** Budget of one BSP call of the connection test or template creation (API Gateway waits 30 s). */
const BSP_TIMEOUT_MS = 8_000;

/**
 * The connection tester of every provider, each against its configured base URL (the local
 * simulators stand in for them through the same variables).
 * @example createTesters(loadAdminEnv()).meta // MetaConnectionTester on META_GRAPH_BASE_URL
 */
export function createTesters(env: AdminEnv): Required<AdminDeps['testers']> {
  const fetch = globalThis.fetch;
  return {
    twilio: new TwilioConnectionTester({ fetch, apiBaseUrl: env.TWILIO_API_BASE_URL, timeoutMs: BSP_TIMEOUT_MS }),
    meta: new MetaConnectionTester({ fetch, graphBaseUrl: env.META_GRAPH_BASE_URL, timeoutMs: BSP_TIMEOUT_MS }),
    '360dialog': new Dialog360ConnectionTester({ fetch, baseUrl: env.DIALOG360_BASE_URL, timeoutMs: BSP_TIMEOUT_MS }),
  };
}

/** Builds the admin Lambda's dependencies once per container (cold start). */
export function createAdminDeps(env: AdminEnv): AdminDeps {
  const { logger, metrics } = createPowertools(SERVICE.admin);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient(fastClientConfig), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const secretsClient = new SecretsManagerClient(fastClientConfig);
  return {
    connections: new DynamoDbAdminConnectionStore(documents, env.CONNECTIONS_TABLE),
    // The send Lambda's marker write: a test that sees the BSP refuse the credentials flags the connection the same way.
    attention: new DynamoDbConnectionAttention(documents, env.CONNECTIONS_TABLE),
    secrets: new SecretsManagerSecretWriter(secretsClient, env.SECRETS_KMS_KEY_ID),
    credentials: new SecretsCredentialsStore(secretsClient, env.SECRETS_CACHE_TTL_SECONDS),
    testers: createTesters(env),
    conversations: new DynamoDbConversationLister(documents, env.CONVERSATIONS_TABLE),
    messages: new DynamoDbMessageLister(documents, env.MESSAGES_TABLE),
    ...(env.MEDIA_BUCKET && { mediaSigner: new S3MediaUrlSigner(mediaS3Client(), env.MEDIA_BUCKET, { ttlSeconds: env.MEDIA_URL_TTL_SECONDS }) }),
    queue: new SqsOutboundQueue(new SQSClient(fastClientConfig), env.OUTBOUND_QUEUE_URL),
    sendClaims: new DynamoDbSendClaimStore(documents, env.DEDUPE_TABLE),
    handoff: new DynamoDbConversationHandoff(documents, env.CONVERSATIONS_TABLE),
    templates: new DynamoDbTemplateRegistry(documents, env.TEMPLATES_TABLE),
    ...(env.META_APP_ID &&
      env.META_APP_SECRET_ARN && {
        metaApp: createMetaAppReader({
          appId: env.META_APP_ID,
          secretArn: env.META_APP_SECRET_ARN,
          credentials: new SecretsCredentialsStore(secretsClient, env.SECRETS_CACHE_TTL_SECONDS),
          onUnfilled: (error) => logger.error("Echo's Meta app secret is not filled in: Connect with Facebook is off", { error: describeError(error) }),
        }),
      }),
    signupGraph: new MetaEmbeddedSignupGraph({ fetch: globalThis.fetch, timeoutMs: BSP_TIMEOUT_MS, graphBaseUrl: env.META_GRAPH_BASE_URL }),
    templateBsps: createTemplateBsps({
      fetch: globalThis.fetch,
      timeoutMs: BSP_TIMEOUT_MS,
      twilioContentBaseUrl: env.TWILIO_CONTENT_BASE_URL,
      metaGraphBaseUrl: env.META_GRAPH_BASE_URL,
      dialog360BaseUrl: env.DIALOG360_BASE_URL,
    }),
    // Validated here, at cold start: a broken definition fails the deploy's first call, not a business's.
    reengagement: templateFileSchema.parse(reengagementJson),
    audit: new DynamoDbAuditLog(documents, env.AUDIT_TABLE),
    clock: { now: () => new Date() },
    logger,
    metrics,
    config: {
      webhookBaseUrl: env.WEBHOOK_BASE_URL,
      secretNamePrefix: env.SECRET_NAME_PREFIX,
      secretRecoveryWindowDays: env.SECRET_RECOVERY_WINDOW_DAYS,
      businessClaim: env.BUSINESS_CLAIM,
      auditRetentionDays: env.AUDIT_RETENTION_DAYS,
      dedupeTtlDays: env.DEDUPE_TTL_DAYS,
      maxBodyBytes: MAX_ADMIN_BODY_BYTES,
    },
    onCredentialsRejected: (connection, code) => {
      metrics.addMetric(METRIC.connectionCredentialsRejected, 'Count', 1);
      logger.warn('the BSP rejected the connection credentials', { connectionId: connection.connectionId, provider: connection.provider, code });
    },
    onAttentionMarkFailed: (error) => {
      metrics.addMetric(METRIC.connectionAttentionMarkFailed, 'Count', 1);
      logger.error('could not flag the connection for attention; the test result is recorded', { error: describeError(error) });
    },
  };
}
