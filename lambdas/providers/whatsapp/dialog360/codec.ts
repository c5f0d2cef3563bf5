import type { Connection } from '../../../domain/connection';
import { PROVIDER_PROFILES } from '../../../domain/providers';
import type { ProviderCredentials, WebhookAck, WebhookCodec, WebhookEvent, WebhookRequest } from '../provider';
import { secretsEqual } from '../cloud-api/constant-time';
import { assertAddressedTo, cloudApiEvents, readCloudApiBody, type CloudApiBody } from '../cloud-api/webhook-payload';
import { DIALOG360_WEBHOOK_TOKEN_HEADER } from './api';
import { dialog360CredentialsSchema } from './credentials';

const E164 = /^\+[1-9]\d{1,14}$/;
const TOKEN_HEADER = DIALOG360_WEBHOOK_TOKEN_HEADER.toLowerCase();

/**
 * 360dialog's webhook: no handshake (the URL is registered through the API), no signature on
 * client-level webhooks; instead the secret header we registered with the URL
 * (`X-Echo-Webhook-Token`), compared in constant time. The body is Meta's, read by the shared
 * Cloud API parser.
 *
 * Addressing: 360dialog identifies a number by the number itself (its API key is scoped to one),
 * and we may not know Meta's `phone_number_id` behind it. So every change's
 * `metadata.display_phone_number` must have the digits of the connection's display number; when
 * the connection's `providerNumberId` is not an E.164 number (a `phone_number_id` was recorded),
 * `metadata.phone_number_id` must equal it too.
 *
 * @example
 * const codec = new Dialog360WebhookCodec();
 * const body = codec.readBody(request);
 * if (!codec.authenticate(request, body, credentials)) throw new ForbiddenError('Forbidden');
 * const events = codec.parse(request, body, connection, credentials);
 */
export class Dialog360WebhookCodec implements WebhookCodec<CloudApiBody> {
  readonly provider = '360dialog' as const;
  readonly maxBodyBytes = PROVIDER_PROFILES['360dialog'].maxWebhookBodyBytes;

  /** See {@link readCloudApiBody}. */
  readBody(request: WebhookRequest): CloudApiBody {
    return readCloudApiBody(request.rawBody);
  }

  authenticate(request: WebhookRequest, _body: CloudApiBody, credentials: ProviderCredentials): boolean {
    const parsed = dialog360CredentialsSchema.safeParse(credentials);
    if (!parsed.success) return false;
    return secretsEqual(request.headers[TOKEN_HEADER], parsed.data.webhookSecret);
  }

  parse(_request: WebhookRequest, body: CloudApiBody, connection: Connection, _credentials?: ProviderCredentials): WebhookEvent[] {
    const { providerNumberId } = connection;
    assertAddressedTo(body, {
      ...(connection.displayNumber ? { displayNumber: connection.displayNumber } : {}),
      ...(providerNumberId && !E164.test(providerNumberId) ? { providerNumberId } : {}),
    });
    return cloudApiEvents(body, { provider: '360dialog' });
  }

  /** 360dialog wants a 200 quickly (median ≤ 250 ms); the body is ignored. */
  acknowledge(): WebhookAck {
    return { statusCode: 200, contentType: 'text/plain', body: '' };
  }
}
