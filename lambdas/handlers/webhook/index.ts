import { createWebhookDeps } from './deps';
import { loadWebhookEnv } from './env';
import { createWebhookHandler } from './handler';

export const handler = createWebhookHandler(createWebhookDeps(loadWebhookEnv()));
