import { createConnectionHealthDeps } from './deps';
import { loadConnectionHealthEnv } from './env';
import { createConnectionHealthHandler } from './handler';

export const handler = createConnectionHealthHandler(createConnectionHealthDeps(loadConnectionHealthEnv()));
