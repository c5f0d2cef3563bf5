import type { ProviderCredentials } from '../provider';
import { CloudApiSender, type CloudApiAuthorization, type CloudApiEndpoint } from '../cloud-api/sender';
import { joinUrl } from '../cloud-api/http';
import { DIALOG360_BASE_URL, dialog360Authorization } from './api';

/**
 * Sending through 360dialog: `POST {base}/messages` with `D360-API-KEY`, Meta's body unchanged.
 * The key belongs to one number, so no number id is in the path (CLOUD_API.md §7).
 * @example dialog360Endpoint().messagesUrl({ displayNumber: '+15550783881' }) // 'https://waba-v2.360dialog.io/messages'
 */
export function dialog360Endpoint(baseUrl: string = DIALOG360_BASE_URL): CloudApiEndpoint {
  return {
    provider: '360dialog',
    messagesUrl: () => joinUrl(baseUrl, '/messages'),
    authorize(credentials: ProviderCredentials): CloudApiAuthorization {
      return dialog360Authorization(credentials);
    },
  };
}

export interface Dialog360SenderDeps {
  fetch: typeof fetch;
  timeoutMs: number;
  now?: () => Date;
  /** `https://waba-v2.360dialog.io` in production; the simulator's URL locally. @default DIALOG360_BASE_URL */
  baseUrl?: string;
}

/**
 * The Cloud API sender pointed at 360dialog.
 * @example
 * const sender = new Dialog360Sender({ fetch, timeoutMs: 10_000, baseUrl: process.env.DIALOG360_BASE_URL });
 */
export class Dialog360Sender extends CloudApiSender {
  constructor(deps: Dialog360SenderDeps) {
    super({ fetch: deps.fetch, timeoutMs: deps.timeoutMs, now: deps.now, endpoint: dialog360Endpoint(deps.baseUrl) });
  }
}
