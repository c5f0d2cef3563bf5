import type { ProviderName } from '../../domain/providers';
import type { TemplateBsp } from '../../domain/template-bsp';
import { Dialog360TemplateBsp } from './dialog360/templates';
import { MetaTemplateBsp } from './meta/templates';
import { TwilioContentApi } from './twilio/send/content-api';
import { TwilioTemplateBsp } from './twilio/templates';

/** Where each BSP's template API is (the local simulators stand in through the same settings). */
export interface TemplateBspsConfig {
  fetch: typeof fetch;
  /** Budget of one BSP call. */
  timeoutMs: number;
  /** `TWILIO_CONTENT_BASE_URL`: https://content.twilio.com */
  twilioContentBaseUrl: string;
  /** `META_GRAPH_BASE_URL`: https://graph.facebook.com (the Graph version is pinned in code). */
  metaGraphBaseUrl: string;
  /** `DIALOG360_BASE_URL`: https://waba-v2.360dialog.io */
  dialog360BaseUrl: string;
}

/**
 * The template port of every provider, built once per container (or per command run): what the
 * template-sync Lambda, the admin API and `npm run templates` choose from by `connection.provider`.
 * @example
 * const bsps = createTemplateBsps({ fetch, timeoutMs: 10_000, twilioContentBaseUrl: env.TWILIO_CONTENT_BASE_URL,
 *   metaGraphBaseUrl: env.META_GRAPH_BASE_URL, dialog360BaseUrl: env.DIALOG360_BASE_URL });
 * bsps.meta // MetaTemplateBsp
 */
export function createTemplateBsps(config: TemplateBspsConfig): Readonly<Record<ProviderName, TemplateBsp>> {
  const http = { fetch: config.fetch, timeoutMs: config.timeoutMs };
  return {
    twilio: new TwilioTemplateBsp(new TwilioContentApi({ ...http, contentBaseUrl: config.twilioContentBaseUrl })),
    meta: new MetaTemplateBsp({ ...http, graphBaseUrl: config.metaGraphBaseUrl }),
    '360dialog': new Dialog360TemplateBsp({ ...http, baseUrl: config.dialog360BaseUrl }),
  };
}
