import * as z from 'zod';
import type { DeliveryStatus, StatusUpdate } from '../../../domain/message';
import { MalformedRequestError } from '../../../shared/errors';
import { fieldValue } from './fields';

/**
 * Twilio's outbound message statuses (twilio-node `MessageStatus`) on our delivery scale.
 * Everything before "sent" is queued from our point of view; `canceled` (a scheduled message we
 * cancelled) never reaches the customer, so it is a failure; `partially_delivered` is a multi-part
 * message of which WhatsApp delivered some: the customer has it.
 * A Map, not an object literal, so that `constructor` or `__proto__` can never look like a status.
 */
const STATUS_MAP: ReadonlyMap<string, DeliveryStatus> = new Map<string, DeliveryStatus>([
  ['accepted', 'queued'],
  ['scheduled', 'queued'],
  ['queued', 'queued'],
  ['sending', 'queued'],
  ['sent', 'sent'],
  ['delivered', 'delivered'],
  ['partially_delivered', 'delivered'],
  ['read', 'read'],
  ['failed', 'failed'],
  ['canceled', 'failed'],
  ['undelivered', 'undelivered'],
]);

/** Statuses of messages customers send us: they can never describe one of our sends. */
const INBOUND_STATUSES: ReadonlySet<string> = new Set(['receiving', 'received']);

/** Built once at module load; extra fields (`ChannelToAddress`, `EventType`, …) pass untouched. */
const statusSchema = z.object({
  MessageSid: z.string().min(1),
  MessageStatus: z.string().min(1),
  AccountSid: z.string().min(1),
});

/**
 * Map a Twilio `MessageStatus` to our `DeliveryStatus`, or `undefined` if it is not an outbound
 * delivery status.
 *
 * @example
 * twilioDeliveryStatus('sending');     // 'queued'
 * twilioDeliveryStatus('canceled');    // 'failed'
 * twilioDeliveryStatus('received');    // undefined
 */
export function twilioDeliveryStatus(providerStatus: string): DeliveryStatus | undefined {
  return STATUS_MAP.get(providerStatus.trim().toLowerCase());
}

/**
 * Normalise a Twilio status callback into a `StatusUpdate`.
 *
 * The error code is kept as Twilio's string: callers branch on the code, never on ErrorMessage,
 * which Twilio words as it likes.
 *
 * @throws MalformedRequestError when MessageSid, MessageStatus or AccountSid is missing, or the status
 *   is not one Twilio uses for outbound messages.
 * @example
 * parseTwilioStatus({ MessageSid: 'SM0123', AccountSid: 'AC0123', MessageStatus: 'undelivered',
 *   ErrorCode: '63016', ErrorMessage: 'Outside the allowed window' });
 * // { provider: 'twilio', externalId: 'SM0123', accountId: 'AC0123', status: 'undelivered',
 * //   providerStatus: 'undelivered', errorCode: '63016', errorMessage: 'Outside the allowed window' }
 */
export function parseTwilioStatus(fields: Record<string, string>): StatusUpdate {
  const parsed = statusSchema.safeParse(fields);
  if (!parsed.success) {
    const names = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || 'body'))];
    throw new MalformedRequestError(`Twilio status callback has missing or invalid fields: ${names.join(', ')}`);
  }
  const { MessageSid, MessageStatus, AccountSid } = parsed.data;

  const status = twilioDeliveryStatus(MessageStatus);
  if (status === undefined) {
    const shown = JSON.stringify(MessageStatus.slice(0, 40));
    throw new MalformedRequestError(
      INBOUND_STATUSES.has(MessageStatus.trim().toLowerCase())
        ? `Twilio status ${shown} belongs to an inbound message, not to a delivery`
        : `Unknown Twilio message status ${shown}`,
    );
  }

  const update: StatusUpdate = {
    provider: 'twilio',
    externalId: MessageSid,
    accountId: AccountSid,
    status,
    providerStatus: MessageStatus,
  };
  const errorCode = fieldValue(fields, 'ErrorCode');
  if (errorCode) update.errorCode = errorCode;
  const errorMessage = fieldValue(fields, 'ErrorMessage');
  if (errorMessage) update.errorMessage = errorMessage;
  return update;
}
