import type { DomainEvent } from '../events';
import { newConnectionId } from '../ids';
import type { Clock, EventPublisher } from '../ports';
import type { ConnectionTester, ProviderCredentials } from '../../providers/whatsapp/provider';
import type { ConnectionView, LastTest, PutConnectionBody, TestConnectionBody, TestConnectionResult, TestStep } from './contract';
import { AdminConflictError, AdminNotFoundError } from './errors';
import type { AdminConnectionStore, SecretWriter, StoredConnection } from './ports';

export interface ConnectionAdminConfig {
  /** Public base URL of the webhook (no trailing slash): the URLs a business pastes into Twilio. */
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
  testers: { twilio: ConnectionTester };
  events: EventPublisher;
  clock: Clock;
  config: ConnectionAdminConfig;
  /** @default newConnectionId */
  newConnectionId?: () => string;
  /** Told when publishing `connection.changed` failed; the change itself is durable. */
  onEventPublishFailed?: (error: unknown) => void;
}

/** The text of the optional test message. */
export const TEST_MESSAGE_TEXT = 'Echo: this is a test message from your WhatsApp connection settings. ✅';

/** How often `save` may lose to a concurrent DELETE before the request gives up with 409. */
const MAX_SAVE_ATTEMPTS = 3;

/**
 * The URLs to paste into the BSP's console for a connection.
 * @example webhookUrlsFor('https://hooks.example.com', 'cn_01') // { incoming: 'https://hooks.example.com/webhook/whatsapp/twilio/cn_01', … }
 */
export function webhookUrlsFor(webhookBaseUrl: string, connectionId: string): NonNullable<ConnectionView['webhookUrls']> {
  const base = `${webhookBaseUrl.replace(/\/+$/, '')}/webhook/whatsapp/twilio/${encodeURIComponent(connectionId)}`;
  return { incoming: base, statusCallback: `${base}/status`, fallback: `${base}/fallback` };
}

/** The secret's name for a connection. */
export function connectionSecretName(prefix: string, connectionId: string): string {
  return `${prefix.replace(/\/+$/, '')}/connections/${connectionId}`;
}

/** What the API shows of a connection: everything but the secret, of which only the last 4 characters. */
export function connectionView(businessId: string, connection: StoredConnection | undefined, webhookBaseUrl: string): ConnectionView {
  if (!connection) return { businessId, connected: false, status: 'not_connected', verified: false };
  return {
    businessId,
    connected: connection.status === 'active' && connection.verified,
    status: connection.status,
    connectionId: connection.connectionId,
    provider: connection.provider,
    displayNumber: connection.displayNumber,
    verified: connection.verified,
    ...(connection.lastTest && { lastTest: connection.lastTest }),
    ...(connection.lastInboundAt && { lastInboundAt: connection.lastInboundAt }),
    updatedAt: connection.updatedAt,
    credentials: {
      accountSid: connection.accountSid,
      authTokenLast4: connection.authTokenLast4,
      ...(connection.messagingServiceSid && { messagingServiceSid: connection.messagingServiceSid }),
    },
    webhookUrls: webhookUrlsFor(webhookBaseUrl, connection.connectionId),
  };
}

/** `GET connection`. */
export async function getConnection(businessId: string, deps: Pick<ConnectionAdminDeps, 'connections' | 'config'>): Promise<ConnectionView> {
  return connectionView(businessId, await deps.connections.current(businessId), deps.config.webhookBaseUrl);
}

/**
 * `PUT connection`: creates the business's connection, or re-saves (rotates) the current one.
 *
 * Order, and why:
 * 1. claim the business's "current connection" pointer for a fresh random id (one conditional
 *    write): of two concurrent first PUTs exactly one claims it, the other reads the winner's id
 *    and re-saves that one, so the business ends with one connection;
 * 2. write the secret (create, or a new version of the same secret: rotation keeps the connection
 *    id, so the webhook URLs pasted into Twilio stay valid);
 * 3. write the connection item `active`, `verified=false`, only while the pointer still names it.
 * A crash between the steps leaves a pointer whose item is missing or stale; the next PUT
 * completes it (same id), and GET shows "not connected" meanwhile. A DELETE between 1 and 3 makes
 * step 3 refuse; the whole sequence then starts again with a new id. Two concurrent re-saves of
 * different credentials each write a secret version and the item; the last writer of each wins, so
 * `authTokenLast4` may briefly describe the other request's token until the next save (the test
 * always reads the secret itself).
 *
 * @example const { view, created } = await putConnection('acme', body, deps); // created → 201
 */
export async function putConnection(
  businessId: string,
  body: PutConnectionBody,
  deps: ConnectionAdminDeps,
): Promise<{ view: ConnectionView; created: boolean; connection: StoredConnection }> {
  const { twilio } = body;
  const makeId = deps.newConnectionId ?? (() => newConnectionId());
  for (let attempt = 1; attempt <= MAX_SAVE_ATTEMPTS; attempt++) {
    const { connectionId, created } = await deps.connections.claim(businessId, makeId());
    const secretString = JSON.stringify({
      accountSid: twilio.accountSid,
      authToken: twilio.authToken,
      ...(twilio.messagingServiceSid && { messagingServiceSid: twilio.messagingServiceSid }),
    });
    const { arn } = await deps.secrets.put(connectionSecretName(deps.config.secretNamePrefix, connectionId), secretString);
    const now = deps.clock.now();
    const saved = await deps.connections.save(
      {
        connectionId,
        businessId,
        provider: body.provider,
        displayNumber: twilio.whatsappNumber,
        providerNumberId: twilio.whatsappNumber,
        accountSid: twilio.accountSid,
        secretArn: arn,
        authTokenLast4: twilio.authToken.slice(-4),
        credentialsUpdatedAt: now.toISOString(),
        ...(twilio.messagingServiceSid && { messagingServiceSid: twilio.messagingServiceSid }),
      },
      now,
    );
    if (!saved) continue;
    await publish(deps, changedEvent(saved, 'saved', now));
    return { view: connectionView(businessId, saved, deps.config.webhookBaseUrl), created, connection: saved };
  }
  throw new AdminConflictError('The connection was deleted while it was being saved; try again.');
}

/**
 * `DELETE connection`: the connection is disabled (the webhook refuses it from then on) and stops
 * being the business's current one in one transaction, then its secret is scheduled for deletion
 * (recoverable for the recovery window). A failure to schedule the deletion is reported through
 * `onSecretDeletionFailed` and does not undo the disabling: the connection is gone for the business
 * either way, and an orphaned secret is only a cost.
 */
export async function deleteConnection(
  businessId: string,
  deps: ConnectionAdminDeps & { onSecretDeletionFailed?: (error: unknown) => void },
): Promise<{ connection: StoredConnection }> {
  const connection = await deps.connections.current(businessId);
  if (!connection || connection.status !== 'active') throw new AdminNotFoundError('This business has no WhatsApp connection.');
  const now = deps.clock.now();
  if (!(await deps.connections.disable(businessId, connection.connectionId, now))) {
    throw new AdminNotFoundError('This business has no WhatsApp connection.');
  }
  try {
    await deps.secrets.scheduleDeletion(connection.secretArn, deps.config.secretRecoveryWindowDays);
  } catch (error) {
    deps.onSecretDeletionFailed?.(error);
  }
  const disabled: StoredConnection = { ...connection, status: 'disabled', verified: false, updatedAt: now.toISOString() };
  await publish(deps, changedEvent(disabled, 'deleted', now));
  return { connection: disabled };
}

/**
 * `POST connection/test`: credentials, then sender, then (when asked) a test message, each only if
 * the ones before it passed. `verified` = credentials and sender passed. The result is recorded
 * only for the credentials it tested: a re-save or delete during the test makes it a 409.
 * Throws `BspUnavailableError` (502) when the BSP could not give a verdict; nothing is recorded then.
 */
export async function testConnection(
  businessId: string,
  body: TestConnectionBody,
  deps: ConnectionAdminDeps,
): Promise<{ result: TestConnectionResult; connection: StoredConnection }> {
  const connection = await deps.connections.current(businessId);
  if (!connection || connection.status !== 'active') throw new AdminNotFoundError('This business has no active WhatsApp connection.');
  const tester = deps.testers[connection.provider];
  // Fresh, not cached: the test must judge the credentials saved last, right after a rotation.
  const credentials = await deps.credentials.get(connection.secretArn, { refresh: true });

  const steps: TestStep[] = [];
  const credentialsCheck = await tester.checkCredentials(credentials);
  steps.push({ id: 'credentials', ...credentialsCheck });
  const skipped = (id: TestStep['id']): TestStep => ({ id, ok: false, skipped: true, detail: 'Skipped: an earlier step failed.' });

  let senderOk = false;
  if (credentialsCheck.ok) {
    const senderCheck = await tester.checkSender(credentials, connection.displayNumber);
    senderOk = senderCheck.ok;
    steps.push({ id: 'sender', ...senderCheck });
  } else {
    steps.push(skipped('sender'));
  }
  if (body.sendTo !== undefined) {
    if (credentialsCheck.ok && senderOk) {
      steps.push({ id: 'testMessage', ...(await tester.sendTestMessage(credentials, connection.displayNumber, body.sendTo, TEST_MESSAGE_TEXT)) });
    } else {
      steps.push(skipped('testMessage'));
    }
  }

  const verified = credentialsCheck.ok && senderOk;
  const ok = steps.every((step) => step.ok);
  const now = deps.clock.now();
  const lastTest: LastTest = { at: now.toISOString(), ok, steps };
  if (!(await deps.connections.recordTest(connection.connectionId, connection.credentialsUpdatedAt, { verified, lastTest }, now))) {
    throw new AdminConflictError('The connection changed while it was being tested; test it again.');
  }
  const tested: StoredConnection = { ...connection, verified, lastTest, updatedAt: now.toISOString() };
  if (verified !== connection.verified) await publish(deps, changedEvent(tested, 'tested', now));
  return { result: { ok, verified, steps }, connection: tested };
}

function changedEvent(connection: StoredConnection, change: 'saved' | 'tested' | 'deleted', at: Date): DomainEvent {
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

/** Events follow durable changes: a failed publish is reported, never turned into a failed request. */
async function publish(deps: Pick<ConnectionAdminDeps, 'events' | 'onEventPublishFailed'>, event: DomainEvent): Promise<void> {
  try {
    await deps.events.publish([event]);
  } catch (error) {
    deps.onEventPublishFailed?.(error);
  }
}
