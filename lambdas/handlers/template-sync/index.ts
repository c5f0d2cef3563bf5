import { createTemplateSyncDeps } from './deps';
import { loadTemplateSyncEnv } from './env';
import { createTemplateSyncHandler } from './handler';

export const handler = createTemplateSyncHandler(createTemplateSyncDeps(loadTemplateSyncEnv()));
