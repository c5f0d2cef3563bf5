import type { ProviderName } from './message';

/** A business's WhatsApp number as the webhook needs to know it. Credentials live in a secret. */
export interface Connection {
  connectionId: string;
  businessId: string;
  provider: ProviderName;
  status: 'active' | 'disabled';
  /** The business number, E.164. Inbound `To` must equal it. */
  displayNumber: string;
  /** Secrets Manager ARN (or name) of the connection's BSP credentials. */
  secretArn: string;
  lastInboundAt?: string;
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
