/**
 * "Connect with Facebook" without the DOM: the configuration the page is given, the `FB.login`
 * options of each choice, and the reading of the `message` events Facebook's signup window posts.
 * `embedded-signup-view.ts` wires them to the SDK, the window and the admin API.
 *
 * Confirmed with Meta's Embedded Signup pages ("Implementation", "Onboarding WhatsApp Business app
 * users (aka Coexistence)", "Versions") and integrations that read the same events:
 * - `FB.login(callback, { config_id, response_type: 'code', override_default_response_type: true,
 *   extras })`; the callback's `authResponse.code` is the code the server exchanges;
 * - a number kept on the WhatsApp Business app uses `extras.featureType:
 *   'whatsapp_business_app_onboarding'` (published with `setup: {}` and `sessionInfoVersion: '3'`);
 *   a new number uses the regular flow (`extras: {}`: v4 sends the session info for every flow);
 * - the signup window posts a JSON string `{ type: 'WA_EMBEDDED_SIGNUP', event, data }` from
 *   `https://www.facebook.com` (some integrations also see `https://web.facebook.com`): `event` is
 *   `FINISH` (new number), `FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING` (coexistence),
 *   `FINISH_ONLY_WABA` (no number chosen), `CANCEL` (`data.current_step`) or `ERROR`
 *   (`data.error_message`); `data` carries `phone_number_id` and `waba_id`.
 */

/** `auth.metaSignup` of `/settings/config.json`: present when this deployment has Echo's Meta app. */
export interface MetaSignupConfig {
  /** Echo's Meta app id (`FB.init`). */
  appId: string;
  /** The Facebook Login for Business configuration id (`FB.login`'s `config_id`). */
  configId: string;
  /** The SDK: `https://connect.facebook.net/en_US/sdk.js` in AWS; the Meta simulator's stand-in locally. */
  sdkUrl: string;
  /** Origins whose `message` events are the signup's (Facebook's; the simulator's locally). */
  messageOrigins: string[];
  /** The Graph API version `FB.init` is given (`v23.0`). */
  graphVersion: string;
}

/** What the owner said about the number. */
export type SignupChoice = 'business-app' | 'new-number';

/** The featureType of the coexistence flow. */
export const COEXISTENCE_FEATURE_TYPE = 'whatsapp_business_app_onboarding';

/** The events of a finished signup, and whether each is a WhatsApp Business app number. */
const FINISH_EVENTS: Readonly<Record<string, boolean>> = { FINISH: false, FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING: true };

export interface FacebookLoginOptions {
  config_id: string;
  response_type: 'code';
  override_default_response_type: true;
  extras: Record<string, unknown>;
}

/** What a signup window told the page. */
export type SessionMessage =
  | { kind: 'finished'; phoneNumberId: string; wabaId: string; coexistence: boolean }
  /** Finished without a number (`FINISH_ONLY_WABA`): nothing to connect. */
  | { kind: 'no-number' }
  | { kind: 'cancelled'; step?: string }
  | { kind: 'error'; message?: string };

const ID = /^[1-9]\d{4,19}$/;

/**
 * The `FB.login` options for a choice.
 * @example loginOptions('800000000000001', 'business-app').extras.featureType // 'whatsapp_business_app_onboarding'
 */
export function loginOptions(configId: string, choice: SignupChoice): FacebookLoginOptions {
  return {
    config_id: configId,
    response_type: 'code',
    override_default_response_type: true,
    extras: choice === 'business-app' ? { setup: {}, featureType: COEXISTENCE_FEATURE_TYPE, sessionInfoVersion: '3' } : {},
  };
}

/**
 * The signup's session event in a `message` event, or undefined when the event is not one (another
 * origin, another kind of message, malformed ids).
 * @example readSessionMessage('https://www.facebook.com', '{"type":"WA_EMBEDDED_SIGNUP","event":"CANCEL","data":{}}', ['https://www.facebook.com']) // { kind: 'cancelled' }
 */
export function readSessionMessage(origin: string, data: unknown, allowedOrigins: readonly string[]): SessionMessage | undefined {
  if (!allowedOrigins.includes(origin)) return undefined;
  let value = data;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (!value || typeof value !== 'object') return undefined;
  const { type, event, data: details } = value as { type?: unknown; event?: unknown; data?: unknown };
  if (type !== 'WA_EMBEDDED_SIGNUP' || typeof event !== 'string') return undefined;
  const fields = (details && typeof details === 'object' ? details : {}) as Record<string, unknown>;
  const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string) : undefined);
  if (event in FINISH_EVENTS) {
    const phoneNumberId = text('phone_number_id');
    const wabaId = text('waba_id');
    if (!phoneNumberId || !wabaId || !ID.test(phoneNumberId) || !ID.test(wabaId)) return { kind: 'no-number' };
    return { kind: 'finished', phoneNumberId, wabaId, coexistence: FINISH_EVENTS[event] === true };
  }
  if (event === 'FINISH_ONLY_WABA') return { kind: 'no-number' };
  if (event === 'CANCEL') return { kind: 'cancelled', ...(text('current_step') && { step: text('current_step') }) };
  if (event === 'ERROR') return { kind: 'error', ...(text('error_message') && { message: text('error_message') }) };
  return undefined;
}

/**
 * The configuration as `config.json` gives it, or undefined when absent or unusable (the page then
 * offers only the manual steps).
 */
export function metaSignupConfigOf(value: unknown): MetaSignupConfig | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const config = value as Partial<MetaSignupConfig>;
  const httpUrl = (url: unknown) => typeof url === 'string' && /^https?:\/\/[^\s]+$/.test(url);
  if (typeof config.appId !== 'string' || !/^\d{5,20}$/.test(config.appId)) return undefined;
  if (typeof config.configId !== 'string' || !/^\d{5,20}$/.test(config.configId)) return undefined;
  if (!httpUrl(config.sdkUrl) || !Array.isArray(config.messageOrigins) || !config.messageOrigins.every(httpUrl)) return undefined;
  return {
    appId: config.appId,
    configId: config.configId,
    sdkUrl: config.sdkUrl as string,
    messageOrigins: config.messageOrigins as string[],
    graphVersion: typeof config.graphVersion === 'string' && /^v\d+\.\d+$/.test(config.graphVersion) ? config.graphVersion : 'v23.0',
  };
}

/** The body of `POST connection/embedded-signup` once both halves are known. */
export interface SignupRequest {
  code: string;
  phoneNumberId: string;
  wabaId: string;
  coexistence: boolean;
}

/**
 * Joins the two halves of a signup, which arrive in either order: the code (the `FB.login`
 * callback) and the session event (the window's message). `request()` is the API body once both
 * are there; the event decides `coexistence` (it says which flow Meta actually ran).
 * @example const signup = signupCollector(); signup.code('AQ…'); signup.session(finished); signup.request() // { code, … }
 */
export function signupCollector() {
  let code: string | undefined;
  let session: SessionMessage | undefined;
  return {
    code(value: string | undefined) {
      code = value || undefined;
    },
    session(message: SessionMessage) {
      // A later FINISH wins over an earlier progress of the same window; a cancel after a finish does not undo it.
      if (session?.kind === 'finished' && message.kind !== 'finished') return;
      session = message;
    },
    get state(): SessionMessage | undefined {
      return session;
    },
    request(): SignupRequest | undefined {
      if (!code || session?.kind !== 'finished') return undefined;
      return { code, phoneNumberId: session.phoneNumberId, wabaId: session.wabaId, coexistence: session.coexistence };
    },
  };
}
