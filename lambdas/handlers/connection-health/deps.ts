import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConnectionActivity } from '../../adapters/dynamodb-connection-activity';
import { DEFAULT_QUIET_RULES } from '../../domain/connection-health';
import { createPowertools } from '../../shared/powertools';
import { SERVICE } from '../../shared/telemetry';
import type { ConnectionHealthEnv } from './env';
import type { ConnectionHealthDeps } from './handler';

/** Builds the connection health check's dependencies once per container (cold start). */
export function createConnectionHealthDeps(env: ConnectionHealthEnv): ConnectionHealthDeps {
  const { logger, metrics } = createPowertools(SERVICE.connectionHealth);
  // A scheduled job has minutes, not milliseconds: the SDK's default timeouts and retries suit it.
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return {
    store: new DynamoDbConnectionActivity(documents, env.CONNECTIONS_TABLE),
    clock: { now: () => new Date() },
    logger,
    metrics,
    rules: { ...DEFAULT_QUIET_RULES, quietAfterHours: env.QUIET_AFTER_HOURS, baselineDays: env.QUIET_BASELINE_DAYS },
  };
}
