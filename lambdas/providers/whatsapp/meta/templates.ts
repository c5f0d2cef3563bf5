import { SendFailedError } from '../../../shared/errors';
import type { ProviderCredentials } from '../provider';
import type { CloudApiAuthorization } from '../cloud-api/sender';
import { CloudApiTemplateBsp } from '../cloud-api/template-bsp';
import { CloudApiTemplateClient, type CloudApiTemplateEndpoint } from '../cloud-api/templates';
import { metaAuthorization } from './credentials';
import { META_GRAPH_BASE_URL, graphUrl } from './graph';

/**
 * Meta's templates: `/{version}/{waba_id}/message_templates`.
 * @example metaTemplateEndpoint().templatesUrl('1029') // 'https://graph.facebook.com/v23.0/1029/message_templates'
 */
export function metaTemplateEndpoint(graphBaseUrl: string = META_GRAPH_BASE_URL): CloudApiTemplateEndpoint {
  return {
    provider: 'meta',
    templatesUrl(wabaId: string | undefined): string {
      if (!wabaId) throw new SendFailedError('permanent', 'WABA_ID_MISSING', 'The connection has no WhatsApp Business Account ID.');
      return graphUrl(graphBaseUrl, `/${encodeURIComponent(wabaId)}/message_templates`);
    },
    authorize(credentials: ProviderCredentials): CloudApiAuthorization {
      return metaAuthorization(credentials);
    },
  };
}

/**
 * Templates of a Meta WhatsApp Business Account (pass the WABA id to `list` and `create`).
 * @example
 * const templates = new MetaTemplateClient({ fetch, timeoutMs: 10_000 });
 * await templates.list(credentials, connection.providerAccountId);
 */
export class MetaTemplateClient extends CloudApiTemplateClient {
  constructor(deps: { fetch: typeof fetch; timeoutMs: number; now?: () => Date; graphBaseUrl?: string; maxPages?: number }) {
    super({ fetch: deps.fetch, timeoutMs: deps.timeoutMs, now: deps.now, maxPages: deps.maxPages, endpoint: metaTemplateEndpoint(deps.graphBaseUrl) });
  }
}

/**
 * The template port for Meta connections: templates live in the connection's WhatsApp Business
 * Account (`connection.providerAccountId`, the WABA id; a connection without one is refused with
 * `WABA_ID_MISSING`).
 * @example
 * const meta = new MetaTemplateBsp({ fetch, timeoutMs: 10_000, graphBaseUrl: env.META_GRAPH_BASE_URL });
 * await meta.create(credentials, connection, reengagement); // { providerTemplateId: 'echo_reengagement', status: 'pending' }
 */
export class MetaTemplateBsp extends CloudApiTemplateBsp {
  constructor(deps: ConstructorParameters<typeof MetaTemplateClient>[0]) {
    super({ provider: 'meta', client: new MetaTemplateClient(deps), accountOf: (connection) => connection.providerAccountId });
  }
}
