import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgeOutboxPublisher } from '../../adapters/eventbridge-outbox-publisher';
import { fastClientConfig } from '../../shared/aws-clients';
import { createPowertools } from '../../shared/powertools';
import type { EventRelayEnv } from './env';
import type { EventRelayDeps } from './handler';

/** `POWERTOOLS_SERVICE_NAME` of the event relay. */
export const EVENT_RELAY_SERVICE = 'whatsapp-event-relay';

/** Builds the relay's dependencies once per container (cold start). */
export function createEventRelayDeps(env: EventRelayEnv): EventRelayDeps {
  const { logger, metrics } = createPowertools(EVENT_RELAY_SERVICE);
  return {
    // Fast limits: a stalled call fails and is retried by the stream (the batch is redelivered)
    // rather than holding the shard for the function's whole timeout.
    publisher: new EventBridgeOutboxPublisher(new EventBridgeClient(fastClientConfig), env.EVENT_BUS_NAME),
    logger,
    metrics,
  };
}
