import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConnectionDirectory } from '../../adapters/dynamodb-connection-directory';
import { DynamoDbTemplateBusinesses } from '../../adapters/dynamodb-template-businesses';
import { DynamoDbTemplateRegistry } from '../../adapters/dynamodb-template-registry';
import { SecretsCredentialsStore } from '../../adapters/secrets-credentials-store';
import { BspApprovalReader } from '../../domain/template-approval';
import { createTemplateBsps } from '../../providers/whatsapp/templates';
import { createPowertools } from '../../shared/powertools';
import type { TemplateSyncEnv } from './env';
import type { TemplateSyncDeps } from './handler';
import { SERVICE } from '../../shared/telemetry';

/** One BSP read (a Content SID on Twilio, a list page on Cloud API); a slow BSP costs its templates, not the run. */
const BSP_TIMEOUT_MS = 10_000;

/** Builds the template-sync job's dependencies once per container (cold start). */
export function createTemplateSyncDeps(env: TemplateSyncEnv): TemplateSyncDeps {
  const { logger, metrics } = createPowertools(SERVICE.templateSync);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  return {
    businesses: new DynamoDbTemplateBusinesses(documents, env.TEMPLATES_TABLE),
    registry: new DynamoDbTemplateRegistry(documents, env.TEMPLATES_TABLE),
    approvals: new BspApprovalReader({
      connections: new DynamoDbConnectionDirectory(documents, env.CONNECTIONS_TABLE, { cacheTtlMs: 60_000 }),
      credentials: new SecretsCredentialsStore(new SecretsManagerClient({}), env.SECRETS_CACHE_TTL_SECONDS),
      bsps: createTemplateBsps({
        fetch,
        timeoutMs: BSP_TIMEOUT_MS,
        twilioContentBaseUrl: env.TWILIO_CONTENT_BASE_URL,
        metaGraphBaseUrl: env.META_GRAPH_BASE_URL,
        dialog360BaseUrl: env.DIALOG360_BASE_URL,
      }),
    }),
    logger,
    metrics,
  };
}
