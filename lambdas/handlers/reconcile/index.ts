import { createReconcileDeps } from './deps';
import { loadReconcileEnv } from './env';
import { createReconcileHandler } from './handler';

export const handler = createReconcileHandler(createReconcileDeps(loadReconcileEnv()));
