import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConnectionDirectory } from '../../adapters/dynamodb-connection-directory';
import { DynamoDbTemplateBusinesses } from '../../adapters/dynamodb-template-businesses';
import { DynamoDbTemplateRegistry } from '../../adapters/dynamodb-template-registry';
import { SecretsCredentialsStore } from '../../adapters/secrets-credentials-store';
import { BspApprovalReader } from '../../domain/template-approval';
import { TwilioContentApi } from '../../providers/whatsapp/twilio/send/content-api';
import { createPowertools } from '../../shared/powertools';
import type { TemplateSyncEnv } from './env';
import type { TemplateSyncDeps } from './handler';

/** One Content API read; a slow Twilio costs one template, not the run. */
const CONTENT_API_TIMEOUT_MS = 10_000;

/** Builds the template-sync job's dependencies once per container (cold start). */
export function createTemplateSyncDeps(env: TemplateSyncEnv): TemplateSyncDeps {
  const { logger, metrics } = createPowertools('whatsapp-template-sync');
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  return {
    businesses: new DynamoDbTemplateBusinesses(documents, env.TEMPLATES_TABLE),
    registry: new DynamoDbTemplateRegistry(documents, env.TEMPLATES_TABLE),
    approvals: new BspApprovalReader({
      connections: new DynamoDbConnectionDirectory(documents, env.CONNECTIONS_TABLE, { cacheTtlMs: 60_000 }),
      credentials: new SecretsCredentialsStore(new SecretsManagerClient({}), env.SECRETS_CACHE_TTL_SECONDS),
      contentApi: new TwilioContentApi({ fetch, contentBaseUrl: env.TWILIO_CONTENT_BASE_URL, timeoutMs: CONTENT_API_TIMEOUT_MS }),
    }),
    logger,
    metrics,
  };
}
