import type { ProviderCredentials } from '../provider';
import type { CloudApiAuthorization } from '../cloud-api/sender';
import { joinUrl } from '../cloud-api/http';
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
