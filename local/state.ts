/**
 * The file `npm run dev` leaves for `npm run simulate` (and any other local tool): what the running
 * runtime created and where it listens. Names and URLs only; no credentials.
 */
import { resolve } from 'node:path';
import type { LocalQueue, LocalTable } from './resources';

/** `.local/runtime.json` at the repository root (git-ignored); `LOCAL_STATE_FILE` overrides it. */
export const DEFAULT_STATE_FILE = process.env.LOCAL_STATE_FILE ?? resolve(__dirname, '..', '.local', 'runtime.json');

export interface RuntimeStateFile {
  version: 1;
  pid: number;
  startedAt: string;
  /** The local HTTP API, `http://127.0.0.1:<port>`. */
  url: string;
  motoEndpoint: string;
  region: string;
  namePrefix: string;
  webhookUrls: { inbound: string; status: string };
  demo: { businessId: string; connectionId: string; secretName: string };
  /** The webhook function's resolved environment: table names, queue URL, bus name. */
  webhookEnv: Record<string, string>;
  tables: Record<string, LocalTable>;
  queues: Record<string, LocalQueue>;
}
