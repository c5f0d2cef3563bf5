import { createSendDeps } from './deps';
import { loadSendEnv } from './env';
import { createSendHandler } from './handler';

export const handler = createSendHandler(createSendDeps(loadSendEnv()));
