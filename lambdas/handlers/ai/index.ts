import { createAiDeps } from './deps';
import { loadAiEnv } from './env';
import { createAiHandler } from './handler';

export const handler = createAiHandler(createAiDeps(loadAiEnv()));
