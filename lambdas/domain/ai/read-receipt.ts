import type { ProviderCredentials, WhatsAppSender } from '../bsp';
import type { Connection } from '../connection';
import type { InboundQueueMessage } from '../inbound-queue-message';
import type { ProviderName } from '../providers';

export interface ReadReceiptDeps {
  connections: { get(connectionId: string): Promise<Connection | undefined> };
  credentials: { get(secretId: string): Promise<ProviderCredentials> };
  /** Only BSPs with read receipts (Cloud API) have `markRead`; the others are simply skipped. */
  senders: Partial<Record<ProviderName, Pick<WhatsAppSender, 'markRead'>>>;
}

export type ReadReceiptOutcome = 'marked' | 'unsupported' | 'no-connection';

/**
 * Marks the customer's message read and shows "typing…" while the AI prepares its answer (Cloud
 * API: blue ticks, then the reply replaces the indicator within 25 s). Best effort by design: the
 * caller counts a failure and answers anyway, because a missing tick must never cost a reply.
 * @example
 * await markInboundRead(message, { connections, credentials, senders }); // 'marked' on Meta and 360dialog
 */
export async function markInboundRead(message: InboundQueueMessage, deps: ReadReceiptDeps): Promise<ReadReceiptOutcome> {
  const sender = deps.senders[message.provider];
  if (!sender?.markRead) return 'unsupported';
  const connection = await deps.connections.get(message.connectionId);
  if (!connection || connection.status !== 'active') return 'no-connection';
  const credentials = await deps.credentials.get(connection.secretArn);
  await sender.markRead(
    credentials,
    {
      displayNumber: connection.displayNumber,
      ...(connection.providerNumberId !== undefined && { providerNumberId: connection.providerNumberId }),
    },
    message.externalId,
  );
  return 'marked';
}
