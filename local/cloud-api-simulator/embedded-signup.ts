/**
 * Embedded Signup, as Meta's side of it behaves, for the Meta simulator: the Facebook JS SDK's
 * `FB.login` (a local stand-in script), the signup dialog (a popup page) that ends by posting the
 * `WA_EMBEDDED_SIGNUP` session event and the login's code to the opener, and the single-use code
 * that `GET /{version}/oauth/access_token?client_id&client_secret&code` exchanges for a business
 * token. The number onboarded becomes a number of the simulator, on the app's webhook, with the app
 * NOT yet subscribed to its WABA and (for a new number) NOT yet registered: the partner's onboarding
 * calls (`subscribed_apps`, `register`, `smb_app_data`) are what make it usable, as at Meta.
 *
 * What was confirmed (search tool, 2026-xx; Meta's "Implementation", "Onboarding business
 * customers as a Tech Provider", "Onboarding WhatsApp Business app users (aka Coexistence)" and
 * "Versions" pages, and open-source integrations reading the same events):
 * - `FB.login(callback, { config_id, response_type: 'code', override_default_response_type: true,
 *   extras })`; the callback receives `response.authResponse.code`.
 * - Coexistence: `extras.featureType = 'whatsapp_business_app_onboarding'` (with `setup: {}` and
 *   `sessionInfoVersion: '3'` in the published snippets; v4 sends session info for every flow).
 * - Session logging: a `message` event from `https://www.facebook.com` (some integrations also
 *   accept `https://web.facebook.com`) whose data is a JSON string `{ type: 'WA_EMBEDDED_SIGNUP',
 *   event: 'FINISH' | 'FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING' | 'FINISH_ONLY_WABA' | 'CANCEL' |
 *   'ERROR', data: { phone_number_id, waba_id, business_id } }` (CANCEL: `current_step`; ERROR:
 *   `error_message`).
 * - Onboarding (server to server): exchange the code, subscribe the app to the WABA
 *   (`POST /{waba-id}/subscribed_apps`), register the number (`POST /{phone-number-id}/register`
 *   `{ messaging_product: 'whatsapp', pin }`) — skipped for WhatsApp Business app numbers, which
 *   are registered already — and, for those, start the one-time contact and history sync
 *   (`POST /{phone-number-id}/smb_app_data` `{ messaging_product: 'whatsapp', sync_type:
 *   'smb_app_state_sync' | 'history' }`).
 * Not confirmed, and the simulator's own choices: the exact error Graph answers to registering a
 * coexistence number (the simulator refuses it, so a test proves the onboarding skips it), the
 * code's lifetime (`codeTtlMs`), and the error texts of a used or unknown code.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { CLOUD_CODES, CloudApiError, invalidParameter } from './errors';

/** Echo's Meta app, as Embedded Signup knows it. */
export interface EmbeddedSignupApp {
  /** The app id (`client_id` of the exchange, `appId` of `FB.init`). */
  appId: string;
  /** The app secret (`client_secret` of the exchange; signs the app's webhooks). */
  appSecret: string;
  /** The Facebook Login for Business configuration id (`config_id` of `FB.login`). */
  configId: string;
  /** The app's webhook callback URL: every number onboarded through the app posts there. */
  webhookUrl?: string;
  /** @default 'Echo' */
  appName?: string;
}

/** What the owner enters in the signup dialog. */
export interface SignupInput {
  /** The business number, E.164. */
  displayNumber: string;
  /** True when the number stays on the WhatsApp Business app (coexistence). */
  coexistence: boolean;
  /** @default 'Echo Signup Business' */
  verifiedName?: string;
}

/** A finished signup: the ids the session event carries, and the code `FB.login` answers. */
export interface CompletedSignup {
  code: string;
  phoneNumberId: string;
  wabaId: string;
  businessId: string;
  displayNumber: string;
  verifiedName: string;
  coexistence: boolean;
  /** The session event as posted to the opener. */
  sessionEvent: SessionEvent;
}

export interface SessionEvent {
  type: 'WA_EMBEDDED_SIGNUP';
  event: 'FINISH' | 'FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING' | 'CANCEL';
  data: Record<string, string>;
}

/** The type of the simulator's own login message (the real SDK calls back in-process). */
export const SIMULATED_LOGIN_MESSAGE = 'ECHO_SIMULATED_FB_LOGIN';

/** Paths of the signup pages on the simulator (no auth: they stand for facebook.com). */
export const SIGNUP_PATHS = {
  sdk: '/_simulator/embedded-signup/sdk.js',
  dialog: '/_simulator/embedded-signup/dialog',
  complete: '/_simulator/embedded-signup/complete',
} as const;

/** The featureType of the coexistence flow. */
export const COEXISTENCE_FEATURE_TYPE = 'whatsapp_business_app_onboarding';

interface IssuedCode {
  signup: CompletedSignup;
  issuedAt: number;
  used: boolean;
}

const E164 = /^\+[1-9]\d{6,14}$/;

/** A numeric Graph id of 15 digits. */
function graphId(): string {
  return `${randomInt(1, 10)}${Array.from({ length: 14 }, () => randomInt(0, 10)).join('')}`;
}

/** JSON safe inside an inline `<script>`. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** An `http(s)` origin (scheme, host, port), or undefined. */
function originOf(value: string | null): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin === value ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Meta's Embedded Signup state: codes issued by finished dialogs, and their exchange.
 * @example
 * const flow = new EmbeddedSignupFlow(app);
 * const signup = flow.complete({ displayNumber: '+15550100077', coexistence: false });
 * flow.exchange({ clientId: app.appId, clientSecret: app.appSecret, code: signup.code }); // { signup, token }
 */
export class EmbeddedSignupFlow {
  private codes = new Map<string, IssuedCode>();

  constructor(
    readonly app: EmbeddedSignupApp,
    private readonly options: {
      now: () => number;
      codeTtlMs?: number;
      /**
       * The ids a number already has on the simulator: a number onboarded before keeps them (a second
       * signup issues a new token); `'taken'` refuses a number configured otherwise.
       */
      existingIds?: (displayNumber: string) => { phoneNumberId: string; wabaId: string; businessId: string } | 'taken' | undefined;
    } = { now: Date.now },
  ) {}

  /** Forgets every code. */
  reset(): void {
    this.codes.clear();
  }

  /** Finishes a signup as the dialog does: new WABA and number ids, a code. Throws `Error` on bad input. */
  complete(input: SignupInput): CompletedSignup {
    if (!E164.test(input.displayNumber)) throw new Error('the phone number must be E.164, e.g. +15550100077');
    const existing = this.options.existingIds?.(input.displayNumber);
    if (existing === 'taken') throw new Error('this phone number is already on the simulator outside Embedded Signup');
    // One number has one phone number id, whether or not an earlier signup's code was exchanged yet.
    const earlier = [...this.codes.values()].find((issued) => issued.signup.displayNumber === input.displayNumber)?.signup;
    const { phoneNumberId, wabaId, businessId } = existing ?? earlier ?? { phoneNumberId: graphId(), wabaId: graphId(), businessId: graphId() };
    const verifiedName = input.verifiedName?.trim() || 'Echo Signup Business';
    const sessionEvent: SessionEvent = {
      type: 'WA_EMBEDDED_SIGNUP',
      event: input.coexistence ? 'FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING' : 'FINISH',
      data: { phone_number_id: phoneNumberId, waba_id: wabaId, business_id: businessId },
    };
    // Codes look like Meta's (long, URL-safe); only the simulator knows what they mean.
    const code = `AQ${randomBytes(48).toString('base64url')}`;
    const signup: CompletedSignup = { code, phoneNumberId, wabaId, businessId, displayNumber: input.displayNumber, verifiedName, coexistence: input.coexistence, sessionEvent };
    this.codes.set(code, { signup, issuedAt: this.options.now(), used: false });
    return signup;
  }

  /**
   * `GET /oauth/access_token`: the app's id and secret and an unused, unexpired code → the signup
   * and a new business token. Throws `CloudApiError` as Graph answers.
   */
  exchange(params: { clientId: string | null; clientSecret: string | null; code: string | null }): { signup: CompletedSignup; token: string } {
    if (!params.clientId || !params.clientSecret || !params.code) {
      throw invalidParameter('client_id, client_secret and code are required', '(#100) Missing parameter');
    }
    if (params.clientId !== this.app.appId) throw new CloudApiError(CLOUD_CODES.invalidParameter, 'Error validating application. Invalid application ID.', { subcode: 33 });
    if (params.clientSecret !== this.app.appSecret) throw new CloudApiError(1, 'Error validating client secret.');
    const issued = this.codes.get(params.code);
    if (!issued) throw new CloudApiError(CLOUD_CODES.invalidParameter, 'Invalid verification code format.', { subcode: 36007 });
    if (issued.used) throw new CloudApiError(CLOUD_CODES.invalidParameter, 'This authorization code has been used.', { subcode: 36009 });
    if (this.options.now() - issued.issuedAt > (this.options.codeTtlMs ?? 10 * 60_000)) {
      throw new CloudApiError(CLOUD_CODES.invalidParameter, 'This authorization code has expired.', { subcode: 36007 });
    }
    issued.used = true;
    return { signup: issued.signup, token: `EAA${randomBytes(45).toString('base64url').replace(/[-_]/g, 'x')}` };
  }

  /**
   * The stand-in for `https://connect.facebook.net/<locale>/sdk.js`: `window.FB` with `init` and
   * `login`, which opens the simulator's dialog in a popup and calls back with the code the dialog
   * posts; `window.fbAsyncInit` is called once loaded, as the real SDK does.
   */
  sdkScript(simulatorUrl: string): string {
    return `/* Meta simulator: a local stand-in for the Facebook JS SDK (FB.init, FB.login with Embedded Signup). */
(function () {
  var SIMULATOR = ${scriptJson(simulatorUrl)};
  var settings = {};
  function login(callback, options) {
    options = options || {};
    var params = new URLSearchParams({
      app_id: settings.appId || '',
      config_id: options.config_id || '',
      response_type: options.response_type || '',
      override_default_response_type: String(!!options.override_default_response_type),
      extras: JSON.stringify(options.extras || {}),
      origin: window.location.origin
    });
    var popup = window.open(SIMULATOR + ${scriptJson(SIGNUP_PATHS.dialog)} + '?' + params.toString(), 'echo_embedded_signup', 'width=600,height=760');
    if (!popup) { callback({ status: 'unknown', authResponse: null }); return; }
    var done = false;
    function finish(response) {
      if (done) return;
      done = true;
      window.removeEventListener('message', onMessage);
      window.clearInterval(watch);
      callback(response);
    }
    function onMessage(event) {
      if (event.origin !== SIMULATOR) return;
      var data = event.data;
      if (!data || data.type !== ${scriptJson(SIMULATED_LOGIN_MESSAGE)}) return;
      finish(data.code ? { status: 'connected', authResponse: { code: data.code, userID: '', expiresIn: 0 } } : { status: 'unknown', authResponse: null });
    }
    window.addEventListener('message', onMessage);
    // Closed without finishing: the real SDK calls back without an authResponse.
    var watch = window.setInterval(function () {
      if (popup.closed) window.setTimeout(function () { finish({ status: 'unknown', authResponse: null }); }, 300);
    }, 250);
  }
  window.FB = {
    init: function (options) { settings = options || {}; },
    login: login,
    getLoginStatus: function (callback) { callback({ status: 'unknown', authResponse: null }); }
  };
  if (typeof window.fbAsyncInit === 'function') window.fbAsyncInit();
})();
`;
  }

  /** The signup dialog (`FB.login`'s popup). Its form posts to {@link SIGNUP_PATHS.complete}. */
  dialogPage(query: URLSearchParams): { status: number; html: string } {
    const origin = originOf(query.get('origin'));
    if (query.get('app_id') !== this.app.appId) return { status: 400, html: this.errorPage('Invalid App ID: the app_id is not this app’s.') };
    if (query.get('config_id') !== this.app.configId) return { status: 400, html: this.errorPage('Invalid configuration: the config_id is not one of this app’s Facebook Login for Business configurations.') };
    if (query.get('response_type') !== 'code' || query.get('override_default_response_type') !== 'true') {
      return { status: 400, html: this.errorPage('Embedded Signup needs response_type=code and override_default_response_type=true.') };
    }
    if (!origin) return { status: 400, html: this.errorPage('The page that opened the dialog has no http(s) origin.') };
    let featureType = '';
    try {
      const extras = JSON.parse(query.get('extras') ?? '{}') as { featureType?: unknown };
      featureType = typeof extras.featureType === 'string' ? extras.featureType : '';
    } catch {
      return { status: 400, html: this.errorPage('extras is not JSON.') };
    }
    const coexistence = featureType === COEXISTENCE_FEATURE_TYPE;
    const appName = escapeHtml(this.app.appName ?? 'Echo');
    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Connect WhatsApp — Meta simulator</title>
<style>body{font:16px system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1c1e21}label{display:block;margin:1rem 0 .25rem;font-weight:600}input[type=tel],input[type=text]{width:100%;padding:.5rem;font:inherit}.buttons{margin-top:1.5rem;display:flex;gap:.75rem}button{font:inherit;padding:.5rem 1rem}.note{color:#606770}</style></head>
<body>
<h1>${appName} wants to connect your WhatsApp</h1>
<p class="note">Meta simulator: this page stands for Facebook’s Embedded Signup. Nothing here reaches Meta.</p>
<p data-testid="signup-flow">${coexistence ? 'Connect your WhatsApp Business app number: you keep using the app on your phone.' : 'Add a new number for the WhatsApp Business Platform.'}</p>
<form method="post" action="${SIGNUP_PATHS.complete}">
<input type="hidden" name="origin" value="${escapeHtml(origin)}">
<input type="hidden" name="feature_type" value="${escapeHtml(featureType)}">
<label for="display_number">WhatsApp business phone number</label>
<input id="display_number" name="display_number" type="tel" required placeholder="+15550100077" data-testid="signup-number">
<label for="verified_name">Display name</label>
<input id="verified_name" name="verified_name" type="text" value="Echo Signup Business" data-testid="signup-name">
<div class="buttons"><button type="submit" name="action" value="finish" data-testid="signup-finish">Finish</button>
<button type="submit" name="action" value="cancel" formnovalidate data-testid="signup-cancel">Cancel</button></div>
</form>
</body></html>`;
    return { status: 200, html };
  }

  /**
   * The dialog's form: finishes (or cancels) the signup and answers the page that posts the session
   * event and the code to the opener, then closes.
   */
  completePage(body: string): { status: number; html: string; signup?: CompletedSignup } {
    const form = new URLSearchParams(body);
    const origin = originOf(form.get('origin'));
    if (!origin) return { status: 400, html: this.errorPage('The page that opened the dialog has no http(s) origin.') };
    const coexistence = form.get('feature_type') === COEXISTENCE_FEATURE_TYPE;
    if (form.get('action') === 'cancel') {
      const cancel: SessionEvent = { type: 'WA_EMBEDDED_SIGNUP', event: 'CANCEL', data: { current_step: 'PHONE_NUMBER_SETUP' } };
      return { status: 200, html: this.postToOpener(origin, cancel, undefined) };
    }
    let signup: CompletedSignup;
    try {
      signup = this.complete({ displayNumber: (form.get('display_number') ?? '').trim(), coexistence, verifiedName: form.get('verified_name') ?? undefined });
    } catch (error) {
      return { status: 400, html: this.errorPage((error as Error).message) };
    }
    return { status: 200, html: this.postToOpener(origin, signup.sessionEvent, signup.code), signup };
  }

  private postToOpener(origin: string, session: SessionEvent, code: string | undefined): string {
    // Meta posts the session event as a JSON string; the login result reaches FB.login's callback.
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Done — Meta simulator</title></head><body>
<p data-testid="signup-done">${session.event === 'CANCEL' ? 'Cancelled.' : 'Done: you can close this window.'}</p>
<script>
(function () {
  var origin = ${scriptJson(origin)};
  if (window.opener) {
    window.opener.postMessage(${scriptJson(JSON.stringify(session))}, origin);
    window.opener.postMessage(${scriptJson({ type: SIMULATED_LOGIN_MESSAGE, code: code ?? null })}, origin);
  }
  window.setTimeout(function () { window.close(); }, 100);
})();
</script></body></html>`;
  }

  private errorPage(message: string): string {
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error — Meta simulator</title></head><body><h1>Something went wrong</h1><p data-testid="signup-error">${escapeHtml(message)}</p></body></html>`;
  }
}
