import type { ProviderCredentials } from '../provider';
import type { CloudApiAuthorization } from '../cloud-api/sender';
import { joinUrl } from '../cloud-api/http';
import { CloudApiTemplateBsp } from '../cloud-api/template-bsp';
import { CloudApiTemplateClient, type CloudApiTemplateEndpoint } from '../cloud-api/templates';
import { DIALOG360_BASE_URL, dialog360Authorization } from './api';

/**
 * 360dialog's templates: `{base}/v1/configs/templates` (the key is scoped to one number's WABA).
 * @example dialog360TemplateEndpoint().templatesUrl(undefined) // 'https://waba-v2.360dialog.io/v1/configs/templates'
 */
export function dialog360TemplateEndpoint(baseUrl: string = DIALOG360_BASE_URL): CloudApiTemplateEndpoint {
  return {
    provider: '360dialog',
    templatesUrl: () => joinUrl(baseUrl, '/v1/configs/templates'),
    authorize(credentials: ProviderCredentials): CloudApiAuthorization {
      return dialog360Authorization(credentials);
    },
  };
}

/**
 * Templates of a 360dialog number's account.
 * @example
 * const templates = new Dialog360TemplateClient({ fetch, timeoutMs: 10_000 });
 * await templates.list(credentials);
 */
export class Dialog360TemplateClient extends CloudApiTemplateClient {
  constructor(deps: { fetch: typeof fetch; timeoutMs: number; now?: () => Date; baseUrl?: string; maxPages?: number }) {
    super({ fetch: deps.fetch, timeoutMs: deps.timeoutMs, now: deps.now, maxPages: deps.maxPages, endpoint: dialog360TemplateEndpoint(deps.baseUrl) });
  }
}

/**
 * The template port for 360dialog connections. The API key is per number and scoped to its
 * account, so no account id goes in the URL, and each connection lists with its own key.
 * @example
 * const dialog360 = new Dialog360TemplateBsp({ fetch, timeoutMs: 10_000, baseUrl: env.DIALOG360_BASE_URL });
 * await dialog360.create(credentials, connection, reengagement); // { providerTemplateId: 'echo_reengagement', status: 'submitted' }
 */
export class Dialog360TemplateBsp extends CloudApiTemplateBsp {
  constructor(deps: ConstructorParameters<typeof Dialog360TemplateClient>[0]) {
    super({ provider: '360dialog', client: new Dialog360TemplateClient(deps), accountOf: () => undefined });
  }
}
