import { createAdminDeps } from './deps';
import { loadAdminEnv } from './env';
import { createAdminHandler } from './handler';

export const handler = createAdminHandler(createAdminDeps(loadAdminEnv()));
