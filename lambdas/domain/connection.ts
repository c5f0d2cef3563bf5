import type { ProviderName } from './message';
import { connectionRecordSchema, type ConnectionRecord } from './providers';

/** A business's WhatsApp number as the webhook needs to know it. Credentials live in a secret. */
export interface Connection {
  connectionId: string;
  businessId: string;
  provider: ProviderName;
  status: 'active' | 'disabled';
  /** The business number, E.164. Inbound `To` must equal it. */
  displayNumber: string;
  /** What the BSP identifies the number by (Meta's `phone_number_id`); absent where the number itself is used. */
  providerNumberId?: string;
  /** The BSP account the number belongs to (Twilio's Account SID, Meta's WABA id), when known. */
  providerAccountId?: string;
  /** Secrets Manager ARN (or name) of the connection's BSP credentials. */
  secretArn: string;
  lastInboundAt?: string;
  /** Also on the WhatsApp Business app (Meta's coexistence): paced at a lower rate. */
  coexistence?: boolean;
  /** `embedded-signup`: made through Echo's own Meta app (its webhooks come to the app-level route). */
  onboarding?: 'embedded-signup';
  /** The business's hand-off pause after an owner reply, hours (default `DEFAULT_HANDOFF_PAUSE_HOURS`). */
  handoffPauseHours?: number;
}

/** Reads connections. Implementations may cache for a short TTL. */
export interface ConnectionDirectory {
  get(connectionId: string): Promise<Connection | undefined>;
  /**
   * Records that a message arrived. Throttled to once a minute per connection and kept out of the
   * ingestion transaction, so a busy business never contends on its own connection item.
   */
  touchLastInbound(connectionId: string, at: Date): Promise<void>;
}

/**
 * A connection item as every reader of the connections table sees it: validated with the one
 * connection schema (`connectionRecordSchema`), or undefined when the item is not a connection
 * (a business's pointer item, or a malformed one).
 * @example connectionFromItem(await getItem(connectionId)) // Connection | undefined
 */
export function connectionFromItem(item: unknown): Connection | undefined {
  const parsed = connectionRecordSchema.safeParse(item);
  return parsed.success ? connectionFromRecord(parsed.data) : undefined;
}

function connectionFromRecord(record: ConnectionRecord): Connection {
  const providerAccountId = record.providerAccountId ?? record.accountSid;
  return {
    connectionId: record.connectionId,
    businessId: record.businessId,
    provider: record.provider,
    status: record.status,
    displayNumber: record.displayNumber,
    secretArn: record.secretArn,
    ...(record.providerNumberId !== undefined && { providerNumberId: record.providerNumberId }),
    ...(providerAccountId !== undefined && { providerAccountId }),
    ...(record.lastInboundAt !== undefined && { lastInboundAt: record.lastInboundAt }),
    ...(record.coexistence !== undefined && { coexistence: record.coexistence }),
    ...(record.onboarding !== undefined && { onboarding: record.onboarding }),
    ...(record.handoffPauseHours !== undefined && { handoffPauseHours: record.handoffPauseHours }),
  };
}
