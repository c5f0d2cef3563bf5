import type { Connection } from '../../../domain/connection';
import { PROVIDER_PROFILES } from '../../../domain/providers';
import type { ProviderCredentials, WebhookAck, WebhookCodec, WebhookEvent, WebhookRequest } from '../provider';
import { secretsEqual } from '../cloud-api/constant-time';
import { assertAddressedTo, cloudApiEvents, readCloudApiBody, type CloudApiBody } from '../cloud-api/webhook-payload';
import { coexistenceEvents } from './coexistence';
import { metaCredentialsSchema } from './credentials';
import { META_SIGNATURE_HEADER, verifyMetaSignature } from './signature';

/**
 * Meta's webhook (CLOUD_API.md §1–3):
 * - `GET` handshake: `hub.mode=subscribe` and `hub.verify_token` equal (constant time) to the
 *   connection's verify token → `200 text/plain` with `hub.challenge` exactly as sent;
 * - `POST`: `X-Hub-Signature-256` over the raw body with the app secret, then the shared Cloud
 *   API parser; every change must be for the connection's `phone_number_id` (and entry for its
 *   WABA, when the connection knows it), else `ForbiddenError`.
 *
 * Nothing is logged here: the headers, the tokens and the payload are all sensitive.
 *
 * @example
 * const codec = new MetaWebhookCodec();
 * const body = codec.readBody(request);
 * if (!codec.authenticate(request, body, credentials)) throw new ForbiddenError('Forbidden');
 * const events = codec.parse(request, body, connection, credentials);
 */
export class MetaWebhookCodec implements WebhookCodec<CloudApiBody> {
  readonly provider = 'meta' as const;
  readonly maxBodyBytes = PROVIDER_PROFILES.meta.maxWebhookBodyBytes;

  handshake(request: WebhookRequest, credentials: ProviderCredentials): WebhookAck | undefined {
    if (request.method.toUpperCase() !== 'GET') return undefined;
    const parsed = metaCredentialsSchema.safeParse(credentials);
    if (!parsed.success) return undefined;
    const mode = request.query['hub.mode'];
    const token = request.query['hub.verify_token'];
    const challenge = request.query['hub.challenge'];
    if (mode !== 'subscribe' || !challenge) return undefined;
    if (!secretsEqual(token, parsed.data.verifyToken)) return undefined;
    // Verbatim: Meta compares the body with the challenge it sent (not JSON, not a number).
    return { statusCode: 200, contentType: 'text/plain', body: challenge };
  }

  /** See {@link readCloudApiBody}. */
  readBody(request: WebhookRequest): CloudApiBody {
    return readCloudApiBody(request.rawBody);
  }

  authenticate(request: WebhookRequest, _body: CloudApiBody, credentials: ProviderCredentials): boolean {
    const parsed = metaCredentialsSchema.safeParse(credentials);
    // A secret we cannot read verifies nothing.
    if (!parsed.success) return false;
    return verifyMetaSignature(request.rawBody, request.headers[META_SIGNATURE_HEADER], parsed.data.appSecret);
  }

  parse(_request: WebhookRequest, body: CloudApiBody, connection: Connection, _credentials?: ProviderCredentials): WebhookEvent[] {
    const { providerNumberId, providerAccountId } = connection;
    // Meta routes by phone_number_id (§2.1): without it the connection cannot be checked, so
    // assertAddressedTo refuses (no number given), rather than trusting the display number.
    assertAddressedTo(body, {
      ...(providerNumberId ? { providerNumberId } : {}),
      ...(providerAccountId ? { wabaId: providerAccountId } : {}),
    });
    // Coexistence fields (echoes, history, contacts, PARTNER_REMOVED) may come to a number's own
    // webhook too (Meta sends `smb_message_echoes` to the phone number's webhook URL).
    const { events, rest } = coexistenceEvents(body);
    return [...events, ...cloudApiEvents(rest, { provider: 'meta' })];
  }

  /** Meta wants a 200 quickly; the body is ignored. */
  acknowledge(): WebhookAck {
    return { statusCode: 200, contentType: 'text/plain', body: '' };
  }
}
