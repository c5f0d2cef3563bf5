import { randomBytes } from 'node:crypto';
import type { ConnectionCheck, ConnectionTester, ProviderCredentials, TestTarget } from '../bsp';
import { reportCredentialsRejected, type ConnectionAttention, type ConnectionAttentionStore } from '../connection-attention';
import type { DomainEvent } from '../events';
import { newConnectionId } from '../ids';
import type { Clock } from '../ports';
import { handoffPauseHoursOf } from '../handoff';
import { META_APP_WEBHOOK_PATH, webhookPath, type ProviderName } from '../providers';
import { RetryableError } from '../../shared/errors';
import {
  E164_PATTERN,
  type CloudApiWebhookUrls,
  type ConnectionFacts,
  type ConnectionView,
  type LastTest,
  type PutConnectionBody,
  type SetupResult,
  type TestConnectionBody,
  type TestConnectionResult,
  type TestStep,
  type TwilioWebhookUrls,
} from './contract';
import { AdminConflictError, AdminNotFoundError, NumberInUseError, ProviderNotSupportedError } from './errors';
import type { AdminConnectionStore, ConnectionFields, SecretWriter, StoredConnection } from './ports';

export interface ConnectionAdminConfig {
  /** Public base URL of the webhook (no trailing slash): the URLs a business pastes into its BSP's console. */
  webhookBaseUrl: string;
  /** Secret names are `${secretNamePrefix}/connections/${connectionId}`. */
  secretNamePrefix: string;
  /** Days Secrets Manager keeps a deleted connection's secret recoverable (7–30). */
  secretRecoveryWindowDays: number;
}

export interface ConnectionAdminDeps {
  connections: AdminConnectionStore;
  secrets: SecretWriter;
  /** Reads a connection's credentials; `refresh` bypasses any cache (a test must use the saved ones). */
  credentials: { get(secretId: string, options?: { refresh?: boolean }): Promise<ProviderCredentials> };
  /** One tester per provider this deployment wires; a provider without one cannot be tested (409 `not-supported`). */
  testers: Readonly<Partial<Record<ProviderName, ConnectionTester>>>;
  clock: Clock;
  config: ConnectionAdminConfig;
  /** @default newConnectionId */
  newConnectionId?: () => string;
  /** Meta's verify token and 360dialog's webhook secret. @default 32 URL-safe random characters */
  newSecretToken?: () => string;
  /** Told when undoing the writes of a save that lost its number to another business failed. */
  onCleanupFailed?: (error: unknown) => void;
  /** Told when the save's work at the BSP (360dialog webhook registration) threw; the save stands. */
  onSetupFailed?: (error: unknown) => void;
  /**
   * Marks a connection whose credentials the test saw the BSP refuse (the send Lambda's adapter,
   * same conditional write). Absent: the test marks nothing (it still clears a marker it disproves).
   */
  attention?: ConnectionAttentionStore;
  /** Told of every refusal a test saw, marked or not (the `ConnectionCredentialsRejected` metric). */
  onCredentialsRejected?: (connection: Pick<StoredConnection, 'connectionId' | 'provider'>, code: string) => void;
  /** Told when the attention marker could not be written; the test's verdict is recorded anyway. */
  onAttentionMarkFailed?: (error: unknown) => void;
}

/** The text of the optional test message. */
export const TEST_MESSAGE_TEXT = 'Echo: this is a test message from your WhatsApp connection settings. ✅';

/** How often `save` may lose to a concurrent DELETE before the request gives up with 409. */
const MAX_SAVE_ATTEMPTS = 3;

/**
 * 32 URL-safe random characters (24 bytes, 192 bits): Meta's verify token, 360dialog's webhook secret.
 * @example newSecretToken() // 'q3V0…' (32 characters of A–Z a–z 0–9 - _)
 */
export function newSecretToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The webhook URLs of a connection as its BSP must call them: Twilio's three (pasted into the
 * sender's configuration), Meta's Callback URL, 360dialog's (registered by us).
 * @example webhookUrlsFor('https://hooks.example.com', 'meta', 'cn_01') // { incoming: 'https://hooks.example.com/webhook/whatsapp/meta/cn_01' }
 */
export function webhookUrlsFor(webhookBaseUrl: string, provider: 'twilio', connectionId: string): TwilioWebhookUrls;
export function webhookUrlsFor(webhookBaseUrl: string, provider: ProviderName, connectionId: string): TwilioWebhookUrls | CloudApiWebhookUrls;
export function webhookUrlsFor(webhookBaseUrl: string, provider: ProviderName, connectionId: string): TwilioWebhookUrls | CloudApiWebhookUrls {
  const base = webhookBaseUrl.replace(/\/+$/, '');
  const incoming = `${base}${webhookPath(provider, connectionId)}`;
  if (provider !== 'twilio') return { incoming };
  return { incoming, statusCallback: `${base}${webhookPath(provider, connectionId, 'status')}`, fallback: `${base}${webhookPath(provider, connectionId, 'fallback')}` };
}

/** The secret's name for a connection. */
export function connectionSecretName(prefix: string, connectionId: string): string {
  return `${prefix.replace(/\/+$/, '')}/connections/${connectionId}`;
}

/**
 * What the API shows of a connection: everything but the secrets, of which the last 4 characters
 * (Meta's verify token excepted, see `MetaCredentialsView`).
 * @example connectionView('acme', await store.current('acme'), 'https://hooks.example.com').connected // false
 */
export function connectionView(businessId: string, connection: StoredConnection | undefined, webhookBaseUrl: string): ConnectionView {
  if (!connection) return { businessId, connected: false, status: 'not_connected', verified: false };
  const common = {
    businessId,
    connected: connection.status === 'active' && connection.verified,
    status: connection.status,
    connectionId: connection.connectionId,
    ...(connection.displayNumber && { displayNumber: connection.displayNumber }),
    verified: connection.verified,
    ...(connection.lastTest && { lastTest: connection.lastTest }),
    ...(connection.facts && Object.keys(connection.facts).length > 0 && { facts: connection.facts }),
    ...(connection.setup && { setup: connection.setup }),
    ...(connection.lastInboundAt && { lastInboundAt: connection.lastInboundAt }),
    ...(connection.attention && { attention: { reason: connection.attention.reason, code: connection.attention.code, at: connection.attention.at } }),
    updatedAt: connection.updatedAt,
    ...(connection.onboarding && { onboarding: connection.onboarding }),
    ...(connection.coexistence && { coexistence: true }),
    ...(connection.status === 'disabled' && connection.disabledReason && { disabledReason: connection.disabledReason }),
    ...(connection.historyImport && { historyImport: connection.historyImport }),
    handoff: { pauseHours: handoffPauseHoursOf(connection) },
  };
  const last4 = (name: string) => connection.secretLast4[name] ?? '';
  // A connection made through Echo's own Meta app is called on the app-level webhook (routed by number).
  const incoming =
    connection.onboarding === 'embedded-signup'
      ? `${webhookBaseUrl.replace(/\/+$/, '')}${META_APP_WEBHOOK_PATH}`
      : webhookUrlsFor(webhookBaseUrl, connection.provider, connection.connectionId).incoming;
  switch (connection.provider) {
    case 'twilio':
      return {
        ...common,
        provider: 'twilio',
        credentials: {
          accountSid: connection.accountSid ?? connection.providerAccountId ?? '',
          authTokenLast4: last4('authToken'),
          ...(connection.messagingServiceSid && { messagingServiceSid: connection.messagingServiceSid }),
        },
        webhookUrls: webhookUrlsFor(webhookBaseUrl, 'twilio', connection.connectionId),
      };
    case 'meta':
      return {
        ...common,
        provider: 'meta',
        credentials: {
          phoneNumberId: connection.providerNumberId,
          wabaId: connection.providerAccountId ?? '',
          accessTokenLast4: last4('accessToken'),
          appSecretLast4: last4('appSecret'),
          verifyToken: connection.verifyToken ?? '',
        },
        webhookUrls: { incoming },
      };
    case '360dialog':
      return { ...common, provider: '360dialog', credentials: { apiKeyLast4: last4('apiKey') }, webhookUrls: { incoming } };
  }
}

/** `GET connection`. */
export async function getConnection(businessId: string, deps: Pick<ConnectionAdminDeps, 'connections' | 'config'>): Promise<ConnectionView> {
  return connectionView(businessId, await deps.connections.current(businessId), deps.config.webhookBaseUrl);
}

/** What a save writes for one provider: the item's public facts and the secret's JSON. */
export interface SavePlan {
  fields: Omit<ConnectionFields, 'connectionId' | 'businessId' | 'secretArn' | 'credentialsUpdatedAt'>;
  secret: Record<string, string>;
}

/**
 * The item facts and secret of a `PUT connection` body. `kept` are the values generated on an
 * earlier save of the same provider (Meta's verify token, 360dialog's webhook secret): the owner
 * pasted the verify token into Meta's dashboard, so rotating the token or App Secret keeps it.
 */
function planSave(body: PutConnectionBody, previous: StoredConnection | undefined, kept: ProviderCredentials | undefined, makeToken: () => string): SavePlan {
  const keptString = (name: string): string | undefined => {
    const value = kept?.[name];
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  };
  switch (body.provider) {
    case 'twilio': {
      const { accountSid, authToken, whatsappNumber, messagingServiceSid } = body.twilio;
      return {
        fields: {
          provider: 'twilio',
          displayNumber: whatsappNumber,
          providerNumberId: whatsappNumber,
          providerAccountId: accountSid,
          accountSid,
          secretLast4: { authToken: authToken.slice(-4) },
          ...(messagingServiceSid && { messagingServiceSid }),
        },
        secret: { accountSid, authToken, ...(messagingServiceSid && { messagingServiceSid }) },
      };
    }
    case 'meta': {
      const { phoneNumberId, wabaId, accessToken, appSecret, whatsappNumber } = body.meta;
      const verifyToken = keptString('verifyToken') ?? makeToken();
      // A re-save of the same number without a number keeps the one the last test read from Meta.
      const displayNumber =
        whatsappNumber ?? (previous?.provider === 'meta' && previous.providerNumberId === phoneNumberId ? previous.displayNumber : undefined);
      return {
        fields: {
          provider: 'meta',
          ...(displayNumber && { displayNumber }),
          providerNumberId: phoneNumberId,
          providerAccountId: wabaId,
          verifyToken,
          secretLast4: { accessToken: accessToken.slice(-4), appSecret: appSecret.slice(-4) },
        },
        secret: { accessToken, appSecret, verifyToken },
      };
    }
    case '360dialog': {
      const { apiKey, whatsappNumber } = body.dialog360;
      return {
        fields: { provider: '360dialog', displayNumber: whatsappNumber, providerNumberId: whatsappNumber, secretLast4: { apiKey: apiKey.slice(-4) } },
        secret: { apiKey, webhookSecret: keptString('webhookSecret') ?? makeToken() },
      };
    }
  }
}

/**
 * `PUT connection`: creates the business's connection, or re-saves (rotates) the current one,
 * for any provider (switching provider keeps the connection id; the webhook URL changes with it).
 *
 * Order, and why:
 * 0. the number must not be another business's: `findByProviderNumber` answers 409 before
 *    anything is written (the store's transaction decides the races this read cannot see);
 * 1. claim the business's "current connection" pointer for a fresh random id (one conditional
 *    write): of two concurrent first PUTs exactly one claims it, the other reads the winner's id
 *    and re-saves that one, so the business ends with one connection;
 * 2. read the previous secret of a re-save (fresh): it keeps Meta's verify token and 360dialog's
 *    webhook secret, and is what is written back if step 4 loses the number;
 * 3. write the secret (create, or a new version of the same secret: rotation keeps the connection
 *    id, so the webhook URLs pasted into the BSP's console stay valid);
 * 4. write the connection item `active`, `verified=false`, only while the pointer still names it,
 *    claiming the number and releasing the one it held before in the same transaction;
 * 5. 360dialog: register our webhook URL and secret header (`onSaved`); its failure is recorded
 *    as `setup` and shown, never a failed save (the test's sender step registers again).
 * A crash between the steps leaves a pointer whose item is missing or stale; the next PUT
 * completes it (same id), and GET shows "not connected" meanwhile. A DELETE between 1 and 4 makes
 * step 4 refuse; the whole sequence then starts again with a new id. Losing the number at step 4
 * (another business won a race for it) undoes steps 1–3 as far as it can: a new connection's
 * pointer is given up and its secret scheduled for deletion, a re-saved one's secret gets its
 * previous value back; then 409.
 *
 * @example const { view, created } = await putConnection('acme', body, deps); // created → 201
 */
export async function putConnection(
  businessId: string,
  body: PutConnectionBody,
  deps: ConnectionAdminDeps,
): Promise<{ view: ConnectionView; created: boolean; connection: StoredConnection }> {
  const makeToken = deps.newSecretToken ?? newSecretToken;
  return saveConnection(
    businessId,
    { provider: body.provider, providerNumberId: providerNumberIdOf(body) },
    (previous, previousSecret) => planSave(body, previous, previous?.provider === body.provider ? previousSecret : undefined, makeToken),
    deps,
  );
}

/**
 * The save sequence of {@link putConnection} (steps 0 to 5, races and undo included) with the
 * item and secret that `planFor` makes from the connection being replaced and its secret (read
 * fresh): `PUT connection` plans from the owner's input, Embedded Signup from the code exchange.
 * @example const { created } = await saveConnection('acme', { provider: 'meta', providerNumberId }, () => plan, deps);
 */
export async function saveConnection(
  businessId: string,
  number: { provider: ProviderName; providerNumberId: string },
  planFor: (previous: StoredConnection | undefined, previousSecret: ProviderCredentials | undefined) => SavePlan,
  deps: ConnectionAdminDeps,
): Promise<{ view: ConnectionView; created: boolean; connection: StoredConnection }> {
  const makeId = deps.newConnectionId ?? (() => newConnectionId());
  const holder = await deps.connections.findByProviderNumber(number.provider, number.providerNumberId);
  if (holder && holder.businessId !== businessId) throw numberInUse();

  for (let attempt = 1; attempt <= MAX_SAVE_ATTEMPTS; attempt++) {
    const { connectionId, created } = await deps.connections.claim(businessId, makeId());
    const previous = created ? undefined : await deps.connections.current(businessId);
    const previousSecret = previous ? await readPreviousSecret(deps, previous.secretArn) : undefined;
    const plan = planFor(previous, previousSecret);
    const secretName = connectionSecretName(deps.config.secretNamePrefix, connectionId);
    const { arn } = await deps.secrets.put(secretName, JSON.stringify(plan.secret));
    const now = deps.clock.now();
    // Announced by the save's own write (the connection's outbox entry): a save that applied is
    // announced even if this function dies right after, and one that did not is not.
    const savedEvent = changedEvent({ businessId, connectionId, provider: plan.fields.provider, status: 'active', verified: false }, 'saved', now);
    let saved: StoredConnection | undefined;
    try {
      saved = await deps.connections.save({ ...plan.fields, connectionId, businessId, secretArn: arn, credentialsUpdatedAt: now.toISOString() }, now, savedEvent);
    } catch (error) {
      if (error instanceof NumberInUseError) await undoLostSave(deps, { businessId, connectionId, created, arn, secretName, previousSecret });
      throw error;
    }
    if (!saved) continue;
    saved = await runSetup(deps, saved, plan.secret);
    return { view: connectionView(businessId, saved, deps.config.webhookBaseUrl), created, connection: saved };
  }
  throw new AdminConflictError('The connection was deleted while it was being saved; try again.');
}

/** 409 `number-in-use`: another business's active connection holds the number. */
export function numberInUse(): NumberInUseError {
  return new NumberInUseError('This WhatsApp number is already connected to another business. Disconnect it there first.');
}

function providerNumberIdOf(body: PutConnectionBody): string {
  switch (body.provider) {
    case 'twilio':
      return body.twilio.whatsappNumber;
    case 'meta':
      return body.meta.phoneNumberId;
    case '360dialog':
      return body.dialog360.whatsappNumber;
  }
}

/**
 * The secret of the connection being re-saved. A secret that is gone or unreadable (a hand-edited
 * one) reads as none, so that a re-save can repair it; a transient failure fails the save rather
 * than silently replacing the verify token the owner pasted into Meta.
 */
async function readPreviousSecret(deps: ConnectionAdminDeps, secretArn: string): Promise<ProviderCredentials | undefined> {
  try {
    return await deps.credentials.get(secretArn, { refresh: true });
  } catch (error) {
    if (error instanceof RetryableError) throw error;
    return undefined;
  }
}

async function undoLostSave(
  deps: ConnectionAdminDeps,
  lost: { businessId: string; connectionId: string; created: boolean; arn: string; secretName: string; previousSecret: ProviderCredentials | undefined },
): Promise<void> {
  try {
    if (lost.created) {
      await deps.connections.abandon(lost.businessId, lost.connectionId);
      await deps.secrets.scheduleDeletion(lost.arn, deps.config.secretRecoveryWindowDays);
    } else if (lost.previousSecret) {
      await deps.secrets.put(lost.secretName, JSON.stringify(lost.previousSecret));
    }
  } catch (error) {
    deps.onCleanupFailed?.(error);
  }
}

/** Runs the provider's `onSaved` and records its verdict on the connection (only for these credentials). */
async function runSetup(deps: ConnectionAdminDeps, saved: StoredConnection, secret: Record<string, string>): Promise<StoredConnection> {
  const tester = deps.testers[saved.provider];
  if (!tester?.onSaved) {
    if (saved.provider !== '360dialog') return saved;
    // 360dialog cannot call us until the webhook is registered: say so rather than stay silent.
    return recordSetup(deps, saved, { ok: false, code: 'NOT_WIRED', detail: 'The webhook could not be registered: 360dialog is not set up in this deployment.' });
  }
  let check: ConnectionCheck;
  try {
    check = await tester.onSaved(secret, targetOf(saved, deps.config.webhookBaseUrl));
  } catch (error) {
    deps.onSetupFailed?.(error);
    check = {
      ok: false,
      code: 'BSP_UNAVAILABLE',
      detail: 'The webhook could not be registered now; run the connection test to register it again.',
    };
  }
  return recordSetup(deps, saved, check);
}

async function recordSetup(deps: ConnectionAdminDeps, saved: StoredConnection, check: ConnectionCheck): Promise<StoredConnection> {
  const now = deps.clock.now();
  const setup: SetupResult = { at: now.toISOString(), ok: check.ok, ...(check.code && { code: check.code }), detail: check.detail };
  // Not recorded when a re-save got in meanwhile: that save records its own.
  if (!(await deps.connections.recordSetup(saved.connectionId, saved.credentialsUpdatedAt, setup, now))) return saved;
  return { ...saved, setup, updatedAt: now.toISOString() };
}

/** The connection as a tester sees it. `number.displayNumber` is empty while a Meta number is not known yet. */
function targetOf(connection: StoredConnection, webhookBaseUrl: string): TestTarget {
  return {
    connectionId: connection.connectionId,
    number: { displayNumber: connection.displayNumber ?? '', providerNumberId: connection.providerNumberId },
    ...(connection.providerAccountId && { providerAccountId: connection.providerAccountId }),
    webhookUrl: webhookUrlsFor(webhookBaseUrl, connection.provider, connection.connectionId).incoming,
  };
}

/**
 * `DELETE connection`: the connection is disabled (the webhook refuses it from then on), stops
 * being the business's current one and frees its number, in one transaction; then its secret is
 * scheduled for deletion (recoverable for the recovery window). A failure to schedule the
 * deletion is reported through `onSecretDeletionFailed` and does not undo the disabling: the
 * connection is gone for the business either way, and an orphaned secret is only a cost.
 * @example await deleteConnection('acme', deps); // 204
 */
export async function deleteConnection(
  businessId: string,
  deps: ConnectionAdminDeps & { onSecretDeletionFailed?: (error: unknown) => void },
): Promise<{ connection: StoredConnection }> {
  const connection = await deps.connections.current(businessId);
  if (!connection || connection.status !== 'active') throw new AdminNotFoundError('This business has no WhatsApp connection.');
  const now = deps.clock.now();
  const disabled: StoredConnection = { ...connection, status: 'disabled', verified: false, updatedAt: now.toISOString() };
  if (!(await deps.connections.disable(businessId, connection.connectionId, now, changedEvent(disabled, 'deleted', now)))) {
    throw new AdminNotFoundError('This business has no WhatsApp connection.');
  }
  try {
    await deps.secrets.scheduleDeletion(connection.secretArn, deps.config.secretRecoveryWindowDays);
  } catch (error) {
    deps.onSecretDeletionFailed?.(error);
  }
  return { connection: disabled };
}

/**
 * `POST connection/test`: credentials, then sender, then (when asked) a test message, each only if
 * the ones before it passed, with the tester of the connection's provider. `verified` =
 * credentials and sender passed; the credentials step passes only when the number is known (a
 * Meta connection saved without one learns it from that step's `facts`). The result is recorded only for the credentials
 * it tested: a re-save or delete during the test makes it a 409.
 * The `attention` marker follows the credentials step: the BSP refusing credentials that had passed
 * before (`credentialsRejected` on a verified connection) marks the connection like a refused send does (one conditional write, for these credentials only;
 * `connection.changed` needs-attention only when this test marked it); the BSP accepting them
 * removes the marker in the test's own write (announced as `tested`).
 * Throws `BspUnavailableError` (502) when the BSP could not give a verdict; nothing is recorded then.
 * @example const { result } = await testConnection('acme', { sendTo: '+5215599999999' }, deps);
 */
export async function testConnection(
  businessId: string,
  body: TestConnectionBody,
  deps: ConnectionAdminDeps,
): Promise<{ result: TestConnectionResult; connection: StoredConnection }> {
  const connection = await deps.connections.current(businessId);
  if (!connection || connection.status !== 'active') throw new AdminNotFoundError('This business has no active WhatsApp connection.');
  const tester = deps.testers[connection.provider];
  if (!tester) throw new ProviderNotSupportedError(`Connection tests for ${connection.provider} are not available in this deployment yet.`);
  // Fresh, not cached: the test must judge the credentials saved last, right after a rotation.
  const credentials = await deps.credentials.get(connection.secretArn, { refresh: true });
  let target = targetOf(connection, deps.config.webhookBaseUrl);

  const steps: TestStep[] = [];
  let facts: ConnectionFacts = {};
  let learntNumber: string | undefined;
  const take = (id: TestStep['id'], check: ConnectionCheck): boolean => {
    steps.push({ id, ok: check.ok, ...(check.code && { code: check.code }), detail: check.detail });
    const { displayNumber, ...rest } = check.facts ?? {};
    facts = { ...facts, ...definedOnly(rest) };
    const number = e164Of(displayNumber);
    if (!connection.displayNumber && !learntNumber && number) {
      learntNumber = number;
      target = { ...target, number: { ...target.number, displayNumber: number } };
    }
    return check.ok;
  };
  const skipped = (id: TestStep['id'], detail = 'Skipped: an earlier step failed.'): TestStep => ({ id, ok: false, skipped: true, detail });

  const credentialsCheck = await tester.checkCredentials(credentials, target);
  let credentialsOk = take('credentials', credentialsCheck);
  if (credentialsOk && target.number.displayNumber === '') {
    // Nothing can be sent or shown without the number: the credentials step fails with a remedy.
    steps[0] = {
      id: 'credentials',
      ok: false,
      code: 'NUMBER_UNKNOWN',
      detail: 'The credentials work, but the BSP did not tell the WhatsApp number: enter it and save again.',
    };
    credentialsOk = false;
  }
  let senderOk = false;
  if (credentialsOk) senderOk = take('sender', await tester.checkSender(credentials, target));
  else steps.push(skipped('sender'));
  if (body.sendTo !== undefined) {
    if (credentialsOk && senderOk) take('testMessage', await tester.sendTestMessage(credentials, target, body.sendTo, TEST_MESSAGE_TEXT));
    else steps.push(skipped('testMessage'));
  }

  const verified = credentialsOk && senderOk;
  const ok = steps.every((step) => step.ok);
  const now = deps.clock.now();
  // Before the test's own write: for items seeded without `credentialsUpdatedAt`, both writes'
  // "same credentials" condition reads `updatedAt`, which the test's write moves.
  // Only credentials that worked before: a typo while setting up a number is the wizard's failed
  // step, not a connection that needs attention (nor an operator alarm).
  const marked =
    credentialsCheck.credentialsRejected && connection.verified
      ? await markRejected(deps, connection, credentialsCheck.code ?? 'CREDENTIALS_REJECTED', now)
      : undefined;
  // The BSP accepted these credentials (a later step may still fail): a refusal marker is stale.
  const clearAttention = credentialsCheck.ok;
  const lastTest: LastTest = { at: now.toISOString(), ok, steps };
  const hasFacts = Object.keys(facts).length > 0;
  const record = {
    verified,
    lastTest,
    ...(hasFacts && { facts }),
    ...(learntNumber && { displayNumber: learntNumber }),
    ...(clearAttention && { clearAttention: true as const }),
  };
  const { attention: previousAttention, ...unmarked } = connection;
  // Readers care about `verified`, the number and the attention marker; a test that changed none is
  // no event. One that did is announced by the test's own write (the connection's outbox entry).
  const cleared = clearAttention && previousAttention !== undefined;
  const announce = verified !== connection.verified || learntNumber !== undefined || cleared;
  const testedEvent = announce ? changedEvent({ ...connection, verified }, 'tested', now) : undefined;
  if (!(await deps.connections.recordTest(connection.connectionId, connection.credentialsUpdatedAt, record, now, testedEvent))) {
    throw new AdminConflictError('The connection changed while it was being tested; test it again.');
  }
  const attention = clearAttention ? undefined : (marked ?? previousAttention);
  const tested: StoredConnection = {
    ...unmarked,
    verified,
    lastTest,
    ...(hasFacts && { facts }),
    ...(learntNumber && { displayNumber: learntNumber }),
    ...(attention && { attention }),
    updatedAt: now.toISOString(),
  };
  const displayNumber = tested.displayNumber;
  return { result: { ok, verified, steps, ...(displayNumber && { displayNumber }), ...(hasFacts && { facts }) }, connection: tested };
}

/**
 * Marks the tested connection as needing attention (see `reportCredentialsRejected`): resolves with
 * the marker when this test wrote it. A failed write is reported and never fails the test.
 */
async function markRejected(deps: ConnectionAdminDeps, connection: StoredConnection, code: string, now: Date): Promise<ConnectionAttention | undefined> {
  deps.onCredentialsRejected?.(connection, code);
  if (!deps.attention) return undefined;
  try {
    const outcome = await reportCredentialsRejected(
      connection,
      code,
      { attention: deps.attention, clock: { now: () => now } },
      { credentialsUpdatedAt: connection.credentialsUpdatedAt },
    );
    return outcome === 'marked' ? { reason: 'credentials-rejected', code, at: now.toISOString() } : undefined;
  } catch (error) {
    deps.onAttentionMarkFailed?.(error);
    return undefined;
  }
}

/**
 * A display number as a BSP writes it (`+52 1 55 1234 5678`, `15551234567`) in E.164, or
 * undefined when it is not a phone number at all.
 */
function e164Of(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const digits = raw.replace(/[\s().-]/g, '');
  const candidate = digits.startsWith('+') ? digits : `+${digits}`;
  return E164_PATTERN.test(candidate) ? candidate : undefined;
}

function definedOnly<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'string' && v.length > 0)) as Partial<T>;
}

function changedEvent(
  connection: Pick<StoredConnection, 'businessId' | 'connectionId' | 'provider' | 'status' | 'verified'>,
  change: 'saved' | 'tested' | 'deleted',
  at: Date,
): DomainEvent {
  return {
    detailType: 'connection.changed',
    detail: {
      version: 1,
      businessId: connection.businessId,
      connectionId: connection.connectionId,
      provider: connection.provider,
      change,
      status: connection.status,
      verified: connection.verified,
      at: at.toISOString(),
    },
  };
}
