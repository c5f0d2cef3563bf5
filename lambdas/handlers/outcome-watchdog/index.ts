import { createOutcomeWatchdogDeps } from './deps';
import { loadOutcomeWatchdogEnv } from './env';
import { createOutcomeWatchdogHandler } from './handler';

export const handler = createOutcomeWatchdogHandler(createOutcomeWatchdogDeps(loadOutcomeWatchdogEnv()));
