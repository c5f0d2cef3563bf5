import type { Connection } from '../../../domain/connection';
import { messageKeyFromQuery } from '../../../domain/apply-status';
import { PROVIDER_PROFILES } from '../../../domain/providers';
import { ForbiddenError } from '../../../shared/errors';
import type { ProviderCredentials, WebhookAck, WebhookCodec, WebhookEvent, WebhookRequest } from '../provider';
import { parseTwilioCredentials, type TwilioCredentials } from './credentials';
import { parseTwilioFields } from './form';
import { parseTwilioInbound } from './inbound';
import { verifyTwilioSignature } from './signature';
import { parseTwilioStatus } from './status';

/** Twilio expects TwiML back; an empty `<Response/>` means "nothing to reply in-band". */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * Twilio's webhooks: one form-encoded event per request, signed with `X-Twilio-Signature` over the
 * URL and every field; incoming messages on the connection's path (and its `/fallback`), delivery
 * statuses on `/status` with our message key in the callback URL's query (`?c=…&m=…`).
 *
 * @example
 * const codec = new TwilioWebhookCodec();
 * const fields = codec.readBody(request);
 * if (!codec.authenticate(request, fields, credentials)) throw new ForbiddenError('Forbidden');
 * const events = codec.parse(request, fields, connection, credentials); // one event
 */
export class TwilioWebhookCodec implements WebhookCodec<Record<string, string>> {
  readonly provider = 'twilio' as const;
  readonly maxBodyBytes = PROVIDER_PROFILES.twilio.maxWebhookBodyBytes;

  readBody(request: WebhookRequest): Record<string, string> {
    return parseTwilioFields(request);
  }

  authenticate(request: WebhookRequest, fields: Record<string, string>, credentials: ProviderCredentials): boolean {
    const twilio = readable(credentials);
    return twilio !== undefined && verifyTwilioSignature(request, fields, twilio);
  }

  /**
   * The signature proves Twilio sent it for *some* account holding this token; `AccountSid` and
   * `To` prove it is for this connection (a subaccount's token signs only its own traffic).
   */
  parse(request: WebhookRequest, fields: Record<string, string>, connection: Connection, credentials: ProviderCredentials): WebhookEvent[] {
    const { accountSid } = parseTwilioCredentials(credentials);
    if (request.route === 'status') {
      const update = parseTwilioStatus(fields);
      if (update.accountId !== accountSid) throw new ForbiddenError('account does not own the connection');
      const key = messageKeyFromQuery(request.query);
      return [{ kind: 'status', update, ...(key && { key }) }];
    }
    const message = parseTwilioInbound(fields);
    if (message.accountId !== accountSid) throw new ForbiddenError('account does not own the connection');
    if (message.to !== connection.displayNumber) throw new ForbiddenError('message is not addressed to the connection number');
    return [{ kind: 'inbound', message }];
  }

  acknowledge(): WebhookAck {
    return { statusCode: 200, contentType: 'text/xml', body: EMPTY_TWIML };
  }
}

function readable(credentials: ProviderCredentials): TwilioCredentials | undefined {
  try {
    return parseTwilioCredentials(credentials);
  } catch {
    return undefined;
  }
}
