import * as z from 'zod';
import {
  SignupCodeRejectedError,
  type EmbeddedSignupGraph,
  type GraphAuth,
  type GraphStep,
  type MetaApp,
} from '../../../domain/admin/embedded-signup';
import { BspUnavailableError, PermanentError, SendFailedError } from '../../../shared/errors';
import { CloudApiErrorAnswer, callCloudApi, withQuery, type CloudApiHttpDeps } from '../cloud-api/http';
import { META_GRAPH_BASE_URL, appSecretProof, graphUrl } from './graph';

/**
 * Echo's Meta app refused its own credentials in the code exchange (wrong app id or secret in the
 * deployment's `meta-app` secret): our configuration, not the owner's signup. The admin API answers 500.
 */
export class MetaAppRejectedError extends PermanentError {}

export interface MetaEmbeddedSignupGraphDeps extends CloudApiHttpDeps {
  /** @default META_GRAPH_BASE_URL */
  graphBaseUrl?: string;
}

const tokenSchema = z.object({ access_token: z.string().min(1) });
const phoneNumbersSchema = z.object({
  data: z
    .array(z.object({ id: z.union([z.string(), z.number()]).transform(String), display_phone_number: z.string().optional(), verified_name: z.string().optional() }))
    .default([]),
});

/**
 * The Graph calls of Embedded Signup's onboarding (Meta's "Onboarding business customers as a Tech
 * Provider"; see the domain module for the order): the code exchange with the app's id and secret,
 * then every call with the business token as bearer and its `appsecret_proof`. Meta giving no
 * verdict (429, 5xx, timeouts) is `BspUnavailableError`; a refusal is a failed `GraphStep` with
 * Meta's code and a sentence for the owner.
 * @example
 * const graph = new MetaEmbeddedSignupGraph({ fetch, timeoutMs: 8_000 });
 * const token = await graph.exchangeCode({ appId, appSecret }, code);
 */
export class MetaEmbeddedSignupGraph implements EmbeddedSignupGraph {
  private readonly base: string;

  constructor(private readonly deps: MetaEmbeddedSignupGraphDeps) {
    this.base = deps.graphBaseUrl ?? META_GRAPH_BASE_URL;
  }

  async exchangeCode(app: Pick<MetaApp, 'appId' | 'appSecret'>, code: string): Promise<string> {
    let body: Record<string, unknown>;
    try {
      // Query parameters, as Meta documents the exchange; the URL is never logged or put in an error.
      ({ body } = await callCloudApi(this.deps, {
        method: 'GET',
        url: withQuery(graphUrl(this.base, '/oauth/access_token'), { client_id: app.appId, client_secret: app.appSecret, code }),
        headers: {},
        context: { provider: 'meta' },
      }));
    } catch (error) {
      const refusal = refusalOf(error);
      const message = refusal.answer?.metaError.message ?? '';
      // 100 is Meta's answer to a code that is used, expired, malformed or another app's.
      if (refusal.code === '100' && !/application|client_id|client secret/i.test(message)) {
        throw new SignupCodeRejectedError('Meta refused the signup code', { cause: error });
      }
      throw new MetaAppRejectedError(`Meta refused Echo's app credentials in the code exchange (${refusal.code})`, { cause: error });
    }
    const parsed = tokenSchema.safeParse(body);
    if (!parsed.success) throw new BspUnavailableError('Meta answered the code exchange without a token');
    return parsed.data.access_token;
  }

  async phoneNumber(auth: GraphAuth, wabaId: string, phoneNumberId: string): Promise<{ displayNumber?: string; verifiedName?: string } | undefined> {
    let body: Record<string, unknown>;
    try {
      ({ body } = await this.call(auth, 'GET', `/${encodeURIComponent(wabaId)}/phone_numbers`, undefined, { fields: 'id,display_phone_number,verified_name', limit: '100' }));
    } catch (error) {
      // The token may not read that WABA (or it does not exist): the ids the page sent are not this signup's.
      refusalOf(error);
      return undefined;
    }
    const parsed = phoneNumbersSchema.safeParse(body);
    if (!parsed.success) throw new BspUnavailableError("Meta answered the WABA's phone numbers with an unreadable body");
    const number = parsed.data.data.find((candidate) => candidate.id === phoneNumberId);
    if (!number) return undefined;
    return { ...(number.display_phone_number && { displayNumber: number.display_phone_number }), ...(number.verified_name && { verifiedName: number.verified_name }) };
  }

  subscribeApp(auth: GraphAuth, wabaId: string): Promise<GraphStep> {
    return this.step(auth, `/${encodeURIComponent(wabaId)}/subscribed_apps`, undefined);
  }

  register(auth: GraphAuth, phoneNumberId: string, pin: string): Promise<GraphStep> {
    return this.step(auth, `/${encodeURIComponent(phoneNumberId)}/register`, { messaging_product: 'whatsapp', pin });
  }

  startSync(auth: GraphAuth, phoneNumberId: string, syncType: 'smb_app_state_sync' | 'history'): Promise<GraphStep> {
    return this.step(auth, `/${encodeURIComponent(phoneNumberId)}/smb_app_data`, { messaging_product: 'whatsapp', sync_type: syncType });
  }

  private async step(auth: GraphAuth, path: string, json: unknown): Promise<GraphStep> {
    try {
      await this.call(auth, 'POST', path, json);
      return { ok: true };
    } catch (error) {
      const refusal = refusalOf(error);
      const said = refusal.answer?.metaError.message;
      // Meta's own sentence helps the owner (e.g. a two-step verification PIN already set); it carries no secret.
      return { ok: false, code: refusal.code, detail: said ? `Meta said: “${said.slice(0, 200)}” (${refusal.code}).` : `Meta refused it (${refusal.code}).` };
    }
  }

  private call(auth: GraphAuth, method: 'GET' | 'POST', path: string, json: unknown, query: Record<string, string> = {}) {
    return callCloudApi(this.deps, {
      method,
      url: withQuery(graphUrl(this.base, path), { ...query, appsecret_proof: appSecretProof(auth.accessToken, auth.appSecret) }),
      headers: { Authorization: `Bearer ${auth.accessToken}` },
      ...(json !== undefined && { json }),
      context: { provider: 'meta' },
      emptySuccess: true,
    });
  }
}

/**
 * A failed call's code and Meta's answer when Meta gave a verdict; otherwise (429, 5xx, timeout,
 * an unexpected error) throws: `BspUnavailableError` for Meta's silence, the error itself else.
 */
function refusalOf(error: unknown): { code: string; answer?: CloudApiErrorAnswer } {
  if (!(error instanceof SendFailedError)) throw error;
  if (error.retryable || error.kind === 'outcome-unknown') throw new BspUnavailableError(`Meta could not be asked (${error.code})`, { cause: error });
  const answer = error.options.cause instanceof CloudApiErrorAnswer ? error.options.cause : undefined;
  return { code: error.code, ...(answer && { answer }) };
}
