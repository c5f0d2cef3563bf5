import { randomInt } from 'node:crypto';
import * as z from 'zod';
import { PermanentError } from '../../shared/errors';
import { connectionView, numberInUse, saveConnection, type ConnectionAdminDeps, type SavePlan } from './connections';
import { E164_PATTERN, type ConnectionView, type SetupResult } from './contract';
import { AdminValidationError, ProviderNotSupportedError } from './errors';
import type { StoredConnection } from './ports';

/**
 * "Connect with Facebook": a Meta connection made through Echo's own Meta app (Tech Provider,
 * Embedded Signup) instead of pasted credentials. The settings page runs Facebook's signup and
 * sends what it returned; the server does the rest (Meta's "Onboarding business customers as a
 * Tech Provider" steps, server to server):
 * 1. the single-use code is exchanged for a business token (`GET /oauth/access_token` with the
 *    app's id and secret: only the server knows the secret);
 * 2. the number must be one of the WABA's, as the token sees it (the ids came from the browser);
 * 3. the connection is saved like a `PUT connection` (same races, claim of the number and undo),
 *    with the secret `{ accessToken, appSecret, verifyToken }` of Echo's app (so sending, the
 *    connection test, media and the app-level webhook work as for any Meta connection) and
 *    `onboarding: 'embedded-signup'`, `coexistence`;
 * 4. setup at Meta, recorded as the connection's `setup`: our app is subscribed to the WABA; a new
 *    number is registered for Cloud API with a 6-digit PIN (kept in the secret: it becomes the
 *    number's two-step verification PIN); a WhatsApp Business app number (coexistence) is NOT
 *    registered — the app registered it — and its contacts and chat history sync is started
 *    (`smb_app_data`, once per kind, within 24 hours of onboarding).
 * A failed setup step does not undo the save: the code cannot be used twice, and sending the same
 * request again finishes it (below).
 *
 * Idempotent: the same request again finds its code used at Meta, and answers the connection it
 * made (200), finishing a setup that had failed with the stored token. Another business's number
 * is refused (409) before the code is spent; a refused code or a number outside the WABA is a 400
 * and writes nothing.
 */

/** Meta's object ids are decimal strings (64-bit). */
const metaIdSchema = (what: string) => z.string().regex(/^[1-9]\d{4,19}$/, `must be the ${what} that Facebook's signup returned (digits)`);

/**
 * `POST connection/embedded-signup`: what Facebook's signup returned to the page. `code` is the
 * `FB.login` answer's `authResponse.code`; the ids come from the `WA_EMBEDDED_SIGNUP` message
 * event; `coexistence` is the owner's answer to "is this number on the WhatsApp Business app?"
 * (the `whatsapp_business_app_onboarding` flow).
 */
export const embeddedSignupBodySchema = z.strictObject({
  code: z.string().min(16, 'must be the code Facebook returned').max(2048).regex(/^[A-Za-z0-9_\-.#~|=]+$/, 'must be the code Facebook returned'),
  phoneNumberId: metaIdSchema('phone number id'),
  wabaId: metaIdSchema('WhatsApp Business Account id'),
  coexistence: z.boolean(),
});

export type EmbeddedSignupBody = z.infer<typeof embeddedSignupBodySchema>;

/** Echo's own Meta app, as the exchange and the stored secret need it. */
export interface MetaApp {
  appId: string;
  appSecret: string;
  /** The app-level webhook's verify token (the per-connection secret carries it like a pasted connection's). */
  verifyToken: string;
}

/** Meta refused the code (used, expired, not this app's): the owner must run the signup again. */
export class SignupCodeRejectedError extends PermanentError {}

/** How a Graph call with the business token is authenticated (bearer and `appsecret_proof`). */
export interface GraphAuth {
  accessToken: string;
  appSecret: string;
}

/** A setup call's verdict; `code` is Meta's. Meta giving no verdict (5xx, timeout) throws `BspUnavailableError` instead. */
export type GraphStep = { ok: true } | { ok: false; code: string; detail: string };

/** The Graph calls of the onboarding (implemented in `providers/whatsapp/meta/embedded-signup.ts`). */
export interface EmbeddedSignupGraph {
  /** The business token for a code. Throws `SignupCodeRejectedError`, `BspUnavailableError`. */
  exchangeCode(app: Pick<MetaApp, 'appId' | 'appSecret'>, code: string): Promise<string>;
  /** The number as the WABA lists it for the token, or undefined when it is not there (or the token may not read the WABA). */
  phoneNumber(auth: GraphAuth, wabaId: string, phoneNumberId: string): Promise<{ displayNumber?: string; verifiedName?: string } | undefined>;
  /** `POST /{waba-id}/subscribed_apps`. */
  subscribeApp(auth: GraphAuth, wabaId: string): Promise<GraphStep>;
  /** `POST /{phone-number-id}/register` with the PIN. */
  register(auth: GraphAuth, phoneNumberId: string, pin: string): Promise<GraphStep>;
  /** `POST /{phone-number-id}/smb_app_data` (coexistence: contacts, then chat history). */
  startSync(auth: GraphAuth, phoneNumberId: string, syncType: 'smb_app_state_sync' | 'history'): Promise<GraphStep>;
}

export interface EmbeddedSignupDeps extends ConnectionAdminDeps {
  /**
   * Echo's Meta app; resolving undefined (no app in this deployment, or its secret not filled in)
   * — or no `metaApp`/`signupGraph` at all — answers 409 `not-supported`.
   */
  metaApp?: () => Promise<MetaApp | undefined>;
  signupGraph?: EmbeddedSignupGraph;
  /** @default 6 random digits */
  newPin?: () => string;
}

export interface EmbeddedSignupResult {
  view: ConnectionView;
  /** A new connection (201), or the business's connection saved again / found again (200). */
  created: boolean;
  /** The request was a repeat of one that already made the connection (its code was used). */
  replayed: boolean;
  connection: StoredConnection;
}

/** A 6-digit PIN, uniformly random. */
export function newPin(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * `POST connection/embedded-signup` (see the module comment for the steps and why).
 * @example const { view, created } = await connectWithEmbeddedSignup('acme', { code, phoneNumberId, wabaId, coexistence: true }, deps);
 */
export async function connectWithEmbeddedSignup(businessId: string, body: EmbeddedSignupBody, deps: EmbeddedSignupDeps): Promise<EmbeddedSignupResult> {
  const app = await deps.metaApp?.();
  const graph = deps.signupGraph;
  if (!app || !graph) throw new ProviderNotSupportedError('Connect with Facebook is not set up in this deployment: connect the number with your own Meta app’s credentials instead.');
  // Before the code is spent: a number another business holds is refused as PUT connection refuses it.
  const holder = await deps.connections.findByProviderNumber('meta', body.phoneNumberId);
  if (holder && holder.businessId !== businessId) throw numberInUse();

  let accessToken: string;
  try {
    accessToken = await graph.exchangeCode(app, body.code);
  } catch (error) {
    if (!(error instanceof SignupCodeRejectedError)) throw error;
    const replay = await replayOf(businessId, body, graph, deps);
    if (replay) return replay;
    throw new AdminValidationError('Facebook’s sign-in code was not accepted (it was used already or has expired): connect with Facebook again.', [
      { path: 'code', message: 'used or expired: run the signup again' },
    ]);
  }
  const auth: GraphAuth = { accessToken, appSecret: app.appSecret };
  const number = await graph.phoneNumber(auth, body.wabaId, body.phoneNumberId);
  if (!number) {
    throw new AdminValidationError('The signup’s phone number is not in its WhatsApp Business Account: connect with Facebook again.', [
      { path: 'phoneNumberId', message: 'not a number of that WhatsApp Business Account for this sign-in' },
    ]);
  }
  const displayNumber = e164Of(number.displayNumber);

  let pin: string | undefined;
  const planFor = (previous: StoredConnection | undefined, previousSecret: Record<string, unknown> | undefined): SavePlan => {
    // The same number onboarded again keeps its PIN: registration set it as its two-step verification PIN.
    const keptPin = previous?.providerNumberId === body.phoneNumberId && typeof previousSecret?.pin === 'string' ? previousSecret.pin : undefined;
    pin = body.coexistence ? undefined : (keptPin ?? (deps.newPin ?? newPin)());
    return {
      fields: {
        provider: 'meta',
        ...(displayNumber && { displayNumber }),
        providerNumberId: body.phoneNumberId,
        providerAccountId: body.wabaId,
        // No `verifyToken` on the item: the owner pastes nothing, and the app's token is not shown to every business.
        secretLast4: { accessToken: accessToken.slice(-4) },
        onboarding: 'embedded-signup',
        coexistence: body.coexistence,
      },
      secret: { accessToken, appSecret: app.appSecret, verifyToken: app.verifyToken, ...(pin !== undefined && { pin }) },
    };
  };
  const saved = await saveConnection(businessId, { provider: 'meta', providerNumberId: body.phoneNumberId }, planFor, deps);
  const connection = await finishSetup(deps, graph, saved.connection, auth, { coexistence: body.coexistence, pin });
  return { view: connectionView(businessId, connection, deps.config.webhookBaseUrl), created: saved.created, replayed: false, connection };
}

/**
 * The connection an earlier request with this signup made, when the business's current connection
 * is that number made through Embedded Signup; its setup is finished now if it had failed.
 */
async function replayOf(businessId: string, body: EmbeddedSignupBody, graph: EmbeddedSignupGraph, deps: EmbeddedSignupDeps): Promise<EmbeddedSignupResult | undefined> {
  const current = await deps.connections.current(businessId);
  if (
    !current ||
    current.status !== 'active' ||
    current.onboarding !== 'embedded-signup' ||
    current.providerNumberId !== body.phoneNumberId ||
    current.providerAccountId !== body.wabaId
  ) {
    return undefined;
  }
  let connection = current;
  if (!current.setup?.ok) {
    const secret = await deps.credentials.get(current.secretArn, { refresh: true });
    const { accessToken, appSecret, pin } = secret as { accessToken?: unknown; appSecret?: unknown; pin?: unknown };
    if (typeof accessToken === 'string' && typeof appSecret === 'string') {
      connection = await finishSetup(deps, graph, current, { accessToken, appSecret }, { coexistence: current.coexistence === true, pin: typeof pin === 'string' ? pin : undefined });
    }
  }
  return { view: connectionView(businessId, connection, deps.config.webhookBaseUrl), created: false, replayed: true, connection };
}

/**
 * The setup at Meta, in order, stopping at the first refusal; recorded as `setup` for the
 * credentials just saved. The syncs of a coexistence number are best effort (they only fill the
 * past in): their refusal is told in the detail, not a failed setup.
 */
async function finishSetup(
  deps: EmbeddedSignupDeps,
  graph: EmbeddedSignupGraph,
  connection: StoredConnection,
  auth: GraphAuth,
  options: { coexistence: boolean; pin: string | undefined },
): Promise<StoredConnection> {
  let result: Omit<SetupResult, 'at'>;
  try {
    result = await (async (): Promise<Omit<SetupResult, 'at'>> => {
      const subscribed = await graph.subscribeApp(auth, connection.providerAccountId ?? '');
      if (!subscribed.ok) return refused(subscribed, 'Echo’s app could not be subscribed to your WhatsApp Business Account, so messages would not reach us');
      if (!options.coexistence) {
        const registered = await graph.register(auth, connection.providerNumberId, options.pin ?? newPin());
        if (!registered.ok) return refused(registered, 'The number could not be registered for the WhatsApp Business Platform');
        return { ok: true, detail: 'Echo’s app receives this number’s messages, and the number is registered: messages flow.' };
      }
      const refusedSyncs: string[] = [];
      for (const syncType of ['smb_app_state_sync', 'history'] as const) {
        const started = await graph.startSync(auth, connection.providerNumberId, syncType);
        if (!started.ok) refusedSyncs.push(`${syncType === 'history' ? 'chat history' : 'contacts'} (${started.code})`);
      }
      return {
        ok: true,
        detail:
          'Echo’s app receives this number’s messages; you keep the WhatsApp Business app. ' +
          (refusedSyncs.length === 0
            ? 'Your contacts and chat history were requested from the app.'
            : `Meta did not start the sync of: ${refusedSyncs.join(', ')}.`),
      };
    })();
  } catch (error) {
    deps.onSetupFailed?.(error);
    result = { ok: false, code: 'BSP_UNAVAILABLE', detail: 'Meta could not be reached to finish the setup: try again in a moment.' };
  }
  const now = deps.clock.now();
  const setup: SetupResult = { at: now.toISOString(), ...result };
  // Not recorded when a save got in meanwhile: that save has its own setup.
  if (!(await deps.connections.recordSetup(connection.connectionId, connection.credentialsUpdatedAt, setup, now))) return connection;
  return { ...connection, setup, updatedAt: now.toISOString() };
}

function refused(step: { code: string; detail: string }, what: string): Omit<SetupResult, 'at'> {
  return { ok: false, code: step.code, detail: `${what}: ${step.detail}` };
}

/** `+1 555-010-0077`, `15550100077` → `+15550100077`; undefined when it is not a phone number. */
function e164Of(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const candidate = `+${raw.replace(/\D/g, '')}`;
  return E164_PATTERN.test(candidate) ? candidate : undefined;
}
