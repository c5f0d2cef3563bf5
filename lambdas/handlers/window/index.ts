import { createWindowDeps } from './deps';
import { loadWindowEnv } from './env';
import { createWindowHandler } from './handler';

export const handler = createWindowHandler(createWindowDeps(loadWindowEnv()));
