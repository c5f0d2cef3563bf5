import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbOutboundStore } from '../../adapters/dynamodb-outbound-store';
import { createPowertools } from '../../shared/powertools';
import type { OutcomeWatchdogEnv } from './env';
import type { OutcomeWatchdogDeps } from './handler';
import { SERVICE } from '../../shared/telemetry';

/** Builds the watchdog's dependencies once per container. */
export function createOutcomeWatchdogDeps(env: OutcomeWatchdogEnv): OutcomeWatchdogDeps {
  const { logger, metrics } = createPowertools(SERVICE.outcomeWatchdog);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  return {
    // The watchdog touches the messages table only; the other names are never used by it.
    store: new DynamoDbOutboundStore(documents, { messages: env.MESSAGES_TABLE, dedupe: '', conversations: '' }),
    clock: { now: () => new Date() },
    logger,
    metrics,
  };
}
