import type { ConnectionAttention } from '../connection-attention';
import type { ProviderName } from '../providers';
import type { DisabledReason, DomainEvent, HandoffActor } from '../events';
import type { ConnectionFacts, HistoryImportView, LastTest, SetupResult } from './contract';

/**
 * A connection as the admin API stores it in the connections table: the attributes the webhook and
 * send Lambdas read (`connectionId`, `businessId`, `provider`, `status`, `displayNumber`,
 * `providerNumberId`, `providerAccountId`, `secretArn`, …; see `connectionRecordSchema`) plus what
 * only the admin API shows. Never a secret: last-4s only, and Meta's verify token, which the owner
 * must see (see `MetaCredentialsView`).
 */
export interface StoredConnection {
  connectionId: string;
  businessId: string;
  provider: ProviderName;
  status: 'active' | 'disabled';
  /**
   * The business number, E.164. Absent only on a Meta connection saved without a number and not
   * tested yet (the test reads it from Meta); such a connection cannot be `verified`.
   */
  displayNumber?: string;
  /** What the BSP identifies the number by: Meta's `phone_number_id`; Twilio and 360dialog: the E.164 number. */
  providerNumberId: string;
  /** The BSP account the number belongs to: Meta's WABA id, Twilio's Account SID; absent for 360dialog. */
  providerAccountId?: string;
  /** Twilio only: the Account SID again, for the readers that predate `providerAccountId`. */
  accountSid?: string;
  /** Twilio only. */
  messagingServiceSid?: string;
  /** Meta only: the webhook handshake's verify token (also in the secret, which the webhook reads). */
  verifyToken?: string;
  secretArn: string;
  /** The last 4 characters of each secret the owner gave: `{ authToken }`, `{ accessToken, appSecret }`, `{ apiKey }`. */
  secretLast4: Readonly<Record<string, string>>;
  verified: boolean;
  lastTest?: LastTest;
  /** What the last test learnt about the number. */
  facts?: ConnectionFacts;
  /** The save's own work at the BSP (360dialog: the webhook registration). */
  setup?: SetupResult;
  lastInboundAt?: string;
  /**
   * Set when the BSP refused the credentials (a send, or this API's test): the owner must paste new
   * ones. A save removes it, and so does a test the BSP accepts the credentials in.
   */
  attention?: ConnectionAttention;
  /** When the credentials were last saved: a test result is recorded only for the credentials it tested. */
  credentialsUpdatedAt: string;
  createdAt: string;
  updatedAt: string;
  /** `embedded-signup`: made through Echo's own Meta app (no pasted secrets; the app-level webhook). */
  onboarding?: 'embedded-signup';
  /** The number is also on the WhatsApp Business app (Meta's coexistence): paced at 20 msg/s, echoes and history come. */
  coexistence?: boolean;
  /** The business's hand-off pause, hours (absent: the default, 12). Kept across saves. */
  handoffPauseHours?: number;
  /** Why the BSP disabled the connection (Meta's `PARTNER_REMOVED`); removed by the next save. */
  disabledReason?: DisabledReason;
  /** The coexistence chat-history import (written by the webhook; kept across saves). */
  historyImport?: HistoryImportView;
}

/** What a `PUT connection` writes (the store keeps `createdAt` and `lastInboundAt`; a save drops the test, facts, setup and attention). */
export type ConnectionFields = Omit<
  StoredConnection,
  | 'lastTest'
  | 'lastInboundAt'
  | 'createdAt'
  | 'updatedAt'
  | 'status'
  | 'verified'
  | 'facts'
  | 'setup'
  | 'attention'
  // Written by the webhook (PARTNER_REMOVED, history) and the hand-off route, never by a save.
  | 'disabledReason'
  | 'historyImport'
  | 'handoffPauseHours'
>;

/** What a connection test records. */
export interface TestRecord {
  verified: boolean;
  lastTest: LastTest;
  /** Replaces the stored facts when present. */
  facts?: ConnectionFacts;
  /** Set only when the connection had none (a Meta number read by the test). */
  displayNumber?: string;
  /** The BSP accepted the credentials: the `attention` marker goes, in the same write. */
  clearAttention?: true;
}

/**
 * The admin API's view of the connections table: one current connection per business, and one
 * active connection per provider number across all businesses, both kept race-free by the store
 * (see `DynamoDbAdminConnectionStore`).
 */
export interface AdminConnectionStore {
  /** The business's current connection, or undefined (none, or its creation never completed). */
  current(businessId: string): Promise<StoredConnection | undefined>;
  /**
   * Makes `candidateId` the business's current connection id unless it already has one: resolves
   * with the id that is current afterwards and whether it is the candidate (a new connection).
   */
  claim(businessId: string, candidateId: string): Promise<{ connectionId: string; created: boolean }>;
  /**
   * Gives up a claim made by {@link claim} whose connection was never saved (the save lost the
   * number to another business): the business has no current connection again. No-op when the
   * business points elsewhere or the connection item exists.
   */
  abandon(businessId: string, connectionId: string): Promise<void>;
  /**
   * Writes the connection `active`, `verified=false`, without `lastTest`, `facts` or `setup`,
   * keeping `createdAt` and `lastInboundAt`, only while it is still the business's current
   * connection. In the same transaction it claims `(provider, providerNumberId)` for this
   * connection and releases the number it held before, if another.
   * Resolves with the stored connection, or `undefined` when it is no longer current (a DELETE got
   * in between). Throws `NumberInUseError` when another business's connection holds the number.
   * `event` is written as the connection's outbox entry (see `outbox.ts`) in the same transaction:
   * announced exactly when the save applied.
   */
  save(fields: ConnectionFields, at: Date, event?: DomainEvent): Promise<StoredConnection | undefined>;
  /**
   * Atomically: the business has no current connection any more, this one is `disabled` (with
   * `event` as its outbox entry), and its number is free. False when it was not current.
   */
  disable(businessId: string, connectionId: string, at: Date, event?: DomainEvent): Promise<boolean>;
  /**
   * Records a test result, only if the connection is still active with the credentials saved at
   * `credentialsUpdatedAt`, with `event` (when given) as the connection's outbox entry in the same
   * write. False otherwise (deleted or re-saved meanwhile), and nothing is written.
   */
  recordTest(connectionId: string, credentialsUpdatedAt: string, result: TestRecord, at: Date, event?: DomainEvent): Promise<boolean>;
  /** Records the save's work at the BSP, under the same condition as {@link recordTest}. */
  recordSetup(connectionId: string, credentialsUpdatedAt: string, setup: SetupResult, at: Date): Promise<boolean>;
  /**
   * The active connection that holds a provider number (Meta: by `phone_number_id`), whatever its
   * business; the Meta app-level webhook routes by it. Undefined when none holds it.
   */
  findByProviderNumber(provider: ProviderName, providerNumberId: string): Promise<StoredConnection | undefined>;
  /**
   * Sets the business's hand-off pause hours on its current connection; resolves with the
   * connection afterwards, or undefined when it has none.
   */
  setHandoffPauseHours(businessId: string, pauseHours: number, at: Date): Promise<StoredConnection | undefined>;
}

/** Writes connection secrets (Secrets Manager: one secret per connection, the stack's KMS key). */
export interface SecretWriter {
  /** Creates the secret, or writes a new version of it (rotation). Idempotent. Resolves with its ARN. */
  put(name: string, secretString: string): Promise<{ arn: string }>;
  /** Schedules the secret's deletion after the recovery window. Idempotent (already scheduled or gone is fine). */
  scheduleDeletion(secretId: string, recoveryWindowDays: number): Promise<void>;
}

/** A conversation item as the admin API reads it. */
export interface ConversationRecord {
  conversationId: string;
  businessId: string;
  connectionId: string;
  customerId: string;
  customerName?: string;
  lastMessageAt?: string;
  lastCustomerMessageAt?: string;
  windowExpiresAt?: string;
  windowState?: string;
  /** The owner's address-book name for the customer (Meta coexistence `smb_app_state_sync`). */
  contactName?: string;
  /** Hand-off: the AI stays out of the conversation until then (ISO). */
  aiPausedUntil?: string;
  pausedBy?: HandoffActor;
}

/** A page read from DynamoDB: `lastKey` is the key to start the next page after (absent: no more). */
export interface KeyPage<T> {
  items: T[];
  lastKey?: Record<string, string>;
}

export interface ConversationLister {
  /** A business's conversations, newest `lastMessageAt` first. */
  listByBusiness(businessId: string, limit: number, startKey?: Record<string, string>): Promise<KeyPage<ConversationRecord>>;
  get(conversationId: string): Promise<ConversationRecord | undefined>;
}

export interface MessageLister {
  /** A conversation's messages, newest first (the sort key is time-ordered). */
  list(conversationId: string, limit: number, startKey?: Record<string, string>): Promise<KeyPage<Record<string, unknown>>>;
}

export type AuditAction =
  | 'connection.put'
  | 'connection.delete'
  | 'connection.test'
  | 'connection.handoff'
  | 'connection.embedded-signup'
  | 'message.send'
  | 'template.create'
  | 'conversation.pause'
  | 'conversation.resume';

/** One audit record: who did what to which business, when, and how it ended. No secrets, no full numbers. */
export interface AuditRecord {
  businessId: string;
  /** `${ISO time}#${uuid}`: sorts by time within the business. */
  auditId: string;
  actor: string;
  action: AuditAction;
  at: string;
  outcome: 'success' | 'failure';
  status: number;
  requestId: string;
  /** Epoch seconds (the table's TTL attribute). */
  expiresAt: number;
  /** The connection or conversation acted on, when there is one. */
  target?: string;
  /** The connection's provider, on connection actions (when the request named or reached one). */
  provider?: ProviderName;
}

export interface AuditLog {
  write(record: AuditRecord): Promise<void>;
}

/** Who holds an admin send's idempotency key: the message id the 202 named, for one conversation. */
export interface SendClaim {
  messageId: string;
  conversationId: string;
}

/**
 * The admin API's claims on send idempotency keys (DynamoDB: an item in the dedupe table). The
 * first claim of a key wins and keeps its message id; every later claim of the key reads it.
 */
export interface SendClaimStore {
  /**
   * Claims `dedupeKey` for `claim` unless it is claimed already. Resolves with the claim that holds
   * afterwards (this one, or the earlier one) and whether it is this one.
   * @param expiresAt when the claim may be forgotten (the table's TTL).
   */
  claim(dedupeKey: string, claim: SendClaim, expiresAt: Date): Promise<{ claim: SendClaim; created: boolean }>;
}
