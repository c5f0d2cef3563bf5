import { createEventRelayDeps } from './deps';
import { loadEventRelayEnv } from './env';
import { createEventRelayHandler } from './handler';

export const handler = createEventRelayHandler(createEventRelayDeps(loadEventRelayEnv()));
