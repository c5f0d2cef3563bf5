import type { InboundMessage, StatusUpdate } from '../../../domain/message';
import type { ProviderCredentials, WebhookRequest, WhatsAppProvider } from '../provider';
import { parseTwilioFields } from './form';
import { parseTwilioInbound } from './inbound';
import { verifyTwilioSignature } from './signature';
import { parseTwilioStatus } from './status';

export { parseFormBody, parseTwilioFields } from './form';
export { parseTwilioInbound } from './inbound';
export { mediaKindOf } from './media';
export { verifyTwilioSignature } from './signature';
export { parseTwilioStatus, twilioDeliveryStatus } from './status';
export * from './send';
export { TwilioConnectionTester, TWILIO_SANDBOX_NUMBER, messagingBaseUrlFor, type TwilioConnectionTesterDeps } from './connection-test';

/**
 * Twilio as a WhatsApp BSP: form-encoded webhooks signed with `X-Twilio-Signature`.
 *
 * Stateless and cheap to build; the webhook handler picks it by the connection's provider and
 * calls it in this order: parse the body, verify the signature over every field, then normalise.
 *
 * @example
 * const twilio = new TwilioProvider();
 * const request = { url: publicWebhookUrl(urlParts), headers, rawBody };
 * const fields = twilio.parseFields(request);
 * if (!twilio.verifySignature(request, fields, credentials)) throw new ForbiddenError('Forbidden');
 * const message = twilio.parseInbound(fields);
 */
export class TwilioProvider implements WhatsAppProvider {
  readonly name = 'twilio' as const;

  /** See {@link parseTwilioFields}. */
  parseFields(request: WebhookRequest): Record<string, string> {
    return parseTwilioFields(request);
  }

  /** See {@link verifyTwilioSignature}. */
  verifySignature(request: WebhookRequest, fields: Record<string, string>, credentials: ProviderCredentials): boolean {
    return verifyTwilioSignature(request, fields, credentials);
  }

  /** See {@link parseTwilioInbound}. */
  parseInbound(fields: Record<string, string>): InboundMessage {
    return parseTwilioInbound(fields);
  }

  /** See {@link parseTwilioStatus}. */
  parseStatus(fields: Record<string, string>): StatusUpdate {
    return parseTwilioStatus(fields);
  }
}
