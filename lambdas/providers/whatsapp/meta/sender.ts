import type { ProviderCredentials, SenderNumber } from '../provider';
import { SendFailedError } from '../../../shared/errors';
import { CloudApiSender, type CloudApiAuthorization, type CloudApiEndpoint } from '../cloud-api/sender';
import { metaAuthorization } from './credentials';
import { META_GRAPH_BASE_URL, graphUrl } from './graph';

/**
 * Sending through Meta's Cloud API: `POST {graph}/{META_GRAPH_VERSION}/{phone_number_id}/messages`
 * with `Authorization: Bearer <token>` (CLOUD_API.md §4).
 * @example metaEndpoint().messagesUrl({ displayNumber: '+15550783881', providerNumberId: '1065' })
 * // 'https://graph.facebook.com/v23.0/1065/messages'
 */
export function metaEndpoint(graphBaseUrl: string = META_GRAPH_BASE_URL): CloudApiEndpoint {
  return {
    provider: 'meta',
    messagesUrl(from: SenderNumber): string {
      if (!from.providerNumberId) {
        throw new SendFailedError('permanent', 'SENDER_NOT_CONFIGURED', 'The connection has no Meta phone number ID: save the connection again.');
      }
      return graphUrl(graphBaseUrl, `/${encodeURIComponent(from.providerNumberId)}/messages`);
    },
    authorize(credentials: ProviderCredentials): CloudApiAuthorization {
      return metaAuthorization(credentials);
    },
  };
}

export interface MetaSenderDeps {
  fetch: typeof fetch;
  timeoutMs: number;
  now?: () => Date;
  /** `https://graph.facebook.com` in production; the simulator's URL locally. @default META_GRAPH_BASE_URL */
  graphBaseUrl?: string;
}

/**
 * The Cloud API sender pointed at Meta's Graph API.
 * @example
 * const sender = new MetaSender({ fetch, timeoutMs: 10_000, graphBaseUrl: process.env.META_GRAPH_BASE_URL });
 * await sender.send({ credentials, from: { displayNumber, providerNumberId }, to, content, callbackData, statusCallbackUrl: '', messageId });
 */
export class MetaSender extends CloudApiSender {
  constructor(deps: MetaSenderDeps) {
    super({ fetch: deps.fetch, timeoutMs: deps.timeoutMs, now: deps.now, endpoint: metaEndpoint(deps.graphBaseUrl) });
  }
}
