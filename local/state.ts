/**
 * The file `npm run dev` leaves for `npm run simulate` (and any other local tool): what the running
 * runtime created and where it listens. Names and URLs only; no credentials.
 */
import { resolve } from 'node:path';
import type { ProviderName } from '../lambdas/domain/providers';
import type { LocalQueue, LocalTable } from './resources';

/** `.local/runtime.json` at the repository root (git-ignored); `LOCAL_STATE_FILE` overrides it. */
export const DEFAULT_STATE_FILE = process.env.LOCAL_STATE_FILE ?? resolve(__dirname, '..', '.local', 'runtime.json');

/** A demo connection as the state file describes it (ids, numbers and the secret's name, never its value). */
export interface DemoConnectionState {
  provider: ProviderName;
  businessId: string;
  connectionId: string;
  secretName: string;
  /** E.164. */
  displayNumber: string;
  /** Meta's phone number id; the E.164 number for Twilio and 360dialog. */
  providerNumberId: string;
  /** Meta's WABA id, Twilio's Account SID. */
  providerAccountId?: string;
  /** The connection's webhook on the local API (`/webhook/whatsapp/<provider>/<connectionId>`). */
  webhookUrl: string;
}

export interface RuntimeStateFile {
  /**
   * 2 since the runtime runs the outbound loop (twilio, responder, consumers, schedules); 3 since it
   * runs the Meta and 360dialog simulators (`simulators`, `demos`).
   */
  version: 3;
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
  /** The payload archive's bucket in moto (`npm run ops -- replay|audit`); absent before the archive existed. */
  archiveBucket?: string;
  tables: Record<string, LocalTable>;
  queues: Record<string, LocalQueue>;
  /** Whether the send Lambda talks to the local simulator or to real Twilio. */
  twilio: { mode: 'simulator' | 'real'; simulatorUrl?: string };
  /** The BSP simulators that run (`twilio` only without real Twilio credentials). */
  simulators: { twilio?: string; meta: string; dialog360: string };
  /** The three demo connections, by provider. */
  demos: Record<ProviderName, DemoConnectionState>;
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
