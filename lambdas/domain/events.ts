import type { Customer, DeliveryStatus, InboundContent, MediaMirrorStatus } from './message';

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
    }
  | {
      detailType: 'send.failed';
      detail: {
        version: 1;
        businessId: string;
        connectionId?: string;
        conversationId?: string;
        messageId?: string;
        idempotencyKey: string;
        /** `retryable-exhausted`, `permanent`, `window-closed`, `outcome-unknown`, `invalid-message`, … */
        reason: string;
        errorCode?: string;
        errorMessage?: string;
        metadata?: Record<string, string>;
        at: string;
      };
    }
  | {
      /** A business's WhatsApp connection was saved, tested (verified changed) or deleted (admin API), or needs attention (send, connection test). */
      detailType: 'connection.changed';
      detail: {
        version: 1;
        businessId: string;
        connectionId: string;
        provider: string;
        /**
         * `needs-attention`: the BSP refused the connection's credentials; `attention` says why.
         * `disabled`: the BSP took the number away from us (Meta's `PARTNER_REMOVED`); `disabledReason` says why.
         */
        change: 'saved' | 'tested' | 'deleted' | 'needs-attention' | 'disabled';
        status: 'active' | 'disabled';
        verified: boolean;
        /** Present with `needs-attention`. */
        attention?: { reason: 'credentials-rejected'; code: string };
        /** Present with `disabled`. */
        disabledReason?: DisabledReason;
        at: string;
      };
    }
  | {
      /**
       * Every media item of an inbound message reached a final state (issue #10): stored in the
       * media bucket, or why not. At-least-once; `messageId` is its idempotency key.
       */
      detailType: 'message.media.stored';
      detail: {
        version: 1;
        businessId: string;
        connectionId: string;
        conversationId: string;
        messageId: string;
        provider: string;
        media: Array<{
          index: number;
          kind: string;
          status: MediaMirrorStatus;
          contentType: string;
          /** S3 key in the media bucket, when stored. */
          key?: string;
          size?: number;
          sha256?: string;
          reason?: string;
        }>;
        at: string;
      };
    }
  | {
      /**
       * The AI stepped back from a conversation (`paused`: the owner replied from the WhatsApp
       * Business app or the settings page, or an admin paused it) or took it back (`resumed`).
       * While paused, messages are still stored and published; only the AI does not answer.
       */
      detailType: 'conversation.handoff';
      detail: {
        version: 1;
        businessId: string;
        connectionId: string;
        conversationId: string;
        state: 'paused' | 'resumed';
        /** With `paused`. */
        pausedBy?: HandoffActor;
        /** With `paused`: when the AI answers again by itself. */
        aiPausedUntil?: string;
        at: string;
      };
    }
  | {
      detailType: 'window.expiring';
      detail: {
        version: 1;
        businessId: string;
        connectionId: string;
        conversationId: string;
        windowExpiresAt: string;
        at: string;
      };
    };

/** Who paused the AI for a conversation: the owner from the WhatsApp Business app or the settings page, or an admin. */
export type HandoffActor = 'owner-app' | 'owner-page' | 'admin';

/** Why a connection was disabled by the BSP rather than by its business (Meta's `PARTNER_REMOVED`). */
export interface DisabledReason {
  code: 'partner-removed';
  /** Meta's `disconnection_info.reason` (`PRIMARY_INACTIVITY`, `COMPANION_INACTIVITY`, `BUSINESS_DOWNGRADE`, …). */
  metaReason?: string;
  /** Meta's `disconnection_info.initiated_by` (`USER` or `SYSTEM`). */
  initiatedBy?: string;
  at: string;
}

/** The `source` of every event this product publishes. */
export const EVENT_SOURCE = 'echo.whatsapp';
