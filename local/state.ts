/**
 * The file `npm run dev` leaves for `npm run simulate` (and any other local tool): what the running
 * runtime created and where it listens. Names and URLs only; no credentials.
 */
import { resolve } from 'node:path';
import type { LocalQueue, LocalTable } from './resources';

/** `.local/runtime.json` at the repository root (git-ignored); `LOCAL_STATE_FILE` overrides it. */
export const DEFAULT_STATE_FILE = process.env.LOCAL_STATE_FILE ?? resolve(__dirname, '..', '.local', 'runtime.json');

export interface RuntimeStateFile {
  /** 2 since the runtime runs the outbound loop (twilio, responder, consumers, schedules). */
  version: 2;
  pid: number;
  startedAt: string;
  /** The local HTTP API, `http://127.0.0.1:<port>`. */
  url: string;
  motoEndpoint: string;
  region: string;
  namePrefix: string;
  webhookUrls: { inbound: string; status: string };
  /** The same URLs as Twilio calls them through `PUBLIC_BASE_URL` (a tunnel), when it is set: what Twilio signs. */
  publicWebhookUrls?: { inbound: string; status: string };
  /** The demo connection: ids, the secret's name (not its value), and the Twilio account and number it uses. */
  demo: { businessId: string; connectionId: string; secretName: string; accountSid: string; whatsappNumber: string };
  /** The webhook function's resolved environment: table names, queue URL, bus name. */
  webhookEnv: Record<string, string>;
  tables: Record<string, LocalTable>;
  queues: Record<string, LocalQueue>;
  /** Whether the send Lambda talks to the local simulator or to real Twilio. */
  twilio: { mode: 'simulator' | 'real'; simulatorUrl?: string };
  /** The AI Lambda's responder. */
  responder: 'http' | 'none' | 'demo';
  /** Short names of the queue consumers and scheduled functions that run. */
  consumers: string[];
  schedules: string[];
  /** The settings page (sign in with `npm run token`). */
  settingsUrl?: string;
  /** The local OIDC issuer the admin API trusts; its key is in `.local/oidc-key.json`. */
  oidc?: { issuer: string; audience: string; businessClaim: string };
}
