import { createMediaDeps } from './deps';
import { loadMediaEnv } from './env';
import { createMediaHandler } from './handler';

export const handler = createMediaHandler(createMediaDeps(loadMediaEnv()));
