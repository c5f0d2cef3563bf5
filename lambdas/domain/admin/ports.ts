import type { ProviderName } from '../message';
import type { LastTest } from './contract';

/**
 * A connection as the admin API stores it in the connections table: the attributes the webhook and
 * send Lambdas read (`connectionId`, `businessId`, `provider`, `status`, `displayNumber`,
 * `secretArn`, …) plus what only the admin API shows. Never a secret: `authTokenLast4` only.
 */
export interface StoredConnection {
  connectionId: string;
  businessId: string;
  provider: ProviderName;
  status: 'active' | 'disabled';
  /** The business number, E.164. */
  displayNumber: string;
  /** What the BSP identifies the number by (Twilio: the number itself; Meta: phone_number_id). */
  providerNumberId: string;
  accountSid: string;
  secretArn: string;
  verified: boolean;
  authTokenLast4: string;
  messagingServiceSid?: string;
  lastTest?: LastTest;
  lastInboundAt?: string;
  /** When the credentials were last saved: a test result is recorded only for the credentials it tested. */
  credentialsUpdatedAt: string;
  createdAt: string;
  updatedAt: string;
}

/** What a `PUT connection` writes (the store keeps `createdAt` and `lastInboundAt`). */
export type ConnectionFields = Omit<StoredConnection, 'lastTest' | 'lastInboundAt' | 'createdAt' | 'updatedAt' | 'status' | 'verified'>;

/**
 * The admin API's view of the connections table: one current connection per business, kept
 * race-free by the store (see `DynamoDbAdminConnectionStore`).
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
   * Writes the connection `active`, `verified=false`, without `lastTest`, keeping `createdAt` and
   * `lastInboundAt`, only while it is still the business's current connection. Resolves with the
   * stored connection, or `undefined` when it is no longer current (a DELETE got in between).
   */
  save(fields: ConnectionFields, at: Date): Promise<StoredConnection | undefined>;
  /** Atomically: the business has no current connection any more, and this one is `disabled`. False when it was not current. */
  disable(businessId: string, connectionId: string, at: Date): Promise<boolean>;
  /**
   * Records a test result, only if the connection is still active with the credentials saved at
   * `credentialsUpdatedAt`. False otherwise (deleted or re-saved meanwhile).
   */
  recordTest(connectionId: string, credentialsUpdatedAt: string, result: { verified: boolean; lastTest: LastTest }, at: Date): Promise<boolean>;
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

export type AuditAction = 'connection.put' | 'connection.delete' | 'connection.test' | 'message.send' | 'template.create';

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
