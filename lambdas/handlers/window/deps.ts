import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbWindowStore } from '../../adapters/dynamodb-window-store';
import { createPowertools } from '../../shared/powertools';
import type { WindowEnv } from './env';
import type { WindowDeps } from './handler';
import { SERVICE } from '../../shared/telemetry';

/** Builds the window job's dependencies once per container (cold start). */
export function createWindowDeps(env: WindowEnv): WindowDeps {
  const { logger, metrics } = createPowertools(SERVICE.window);
  // A scheduled job has minutes, not milliseconds: the SDK's default timeouts and retries suit it.
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return {
    store: new DynamoDbWindowStore(documents, env.CONVERSATIONS_TABLE),
    clock: { now: () => new Date() },
    logger,
    metrics,
    config: { leadMs: env.WINDOW_LEAD_MINUTES * 60_000 },
  };
}
