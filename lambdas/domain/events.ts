import type { Customer, DeliveryStatus, InboundContent } from './message';

/**
 * Events on the bus for other Echo services. `detailType` is the EventBridge `detail-type`;
 * `detail.version` changes only when a field changes meaning or disappears.
 */
export type DomainEvent =
  | {
      detailType: 'message.received';
      detail: {
        version: 1;
        businessId: string;
        connectionId: string;
        conversationId: string;
        messageId: string;
        provider: string;
        externalId: string;
        receivedAt: string;
        customer: Customer;
        content: InboundContent;
        replyToExternalId?: string;
      };
    }
  | {
      detailType: 'message.status';
      detail: {
        version: 1;
        businessId?: string;
        connectionId: string;
        conversationId: string;
        messageId: string;
        provider: string;
        externalId: string;
        status: DeliveryStatus;
        errorCode?: string;
        at: string;
      };
    };

/** The `source` of every event this product publishes. */
export const EVENT_SOURCE = 'echo.whatsapp';
