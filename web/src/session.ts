/**
 * Who is signed in, for which business, and the admin API client that goes with it: reads
 * `/settings/config.json`, takes the token from the URL fragment (local runtime, `npm run token`)
 * or completes an OIDC authorization-code + PKCE sign-in, and ends the session when the token
 * expires or the API answers 401. The sign-in panel is this module's only UI.
 */
import { createApi, SessionExpiredError, type Api } from './api';
import {
  authorizeUrl,
  businessIdFrom,
  decodeJwtPayload,
  isExpired,
  parseFragmentToken,
  pkceChallenge,
  PKCE_STORAGE_KEY,
  randomUrlSafe,
  tokenRequestBody,
  TOKEN_STORAGE_KEY,
  type OidcAuth,
  type SettingsConfig,
} from './auth';
import { h } from './dom';
import type { MessageKey, Translate } from './i18n';

export interface Session {
  /** The admin API of the signed-in business; `undefined` once the session has ended. */
  readonly api: Api | undefined;
  /** Ends the session when `error` says it has ended (a 401): true when it did. */
  handleError(error: unknown): boolean;
  /** `listener` runs once when the session ends, before the sign-in panel shows. */
  onEnd(listener: () => void): void;
}

type AuthState = 'signedOut' | 'expired' | 'noBusiness' | 'configError' | 'signInFailed';

const TITLES: Record<AuthState, MessageKey> = {
  signedOut: 'auth.signedOut.title',
  expired: 'auth.expired.title',
  noBusiness: 'auth.noBusiness.title',
  configError: 'auth.configError.title',
  signInFailed: 'auth.signInFailed.title',
};

export interface AuthPanel {
  readonly element: HTMLElement;
  show(state: AuthState, oidc?: OidcAuth): void;
  hide(): void;
}

export function createAuthPanel(t: Translate): AuthPanel {
  const element = h('section', { class: 'card auth', 'aria-labelledby': 'auth-title', hidden: true });
  return {
    element,
    show(state, oidc) {
      const bodies: Record<AuthState, MessageKey> = {
        signedOut: oidc ? 'auth.signedOut.oidc' : 'auth.signedOut.token',
        expired: oidc ? 'auth.expired.oidc' : 'auth.expired.token',
        noBusiness: 'auth.noBusiness.body',
        configError: 'auth.configError.body',
        signInFailed: 'auth.signInFailed.body',
      };
      const heading = h('h2', { id: 'auth-title', tabindex: -1 }, t(TITLES[state]));
      const button =
        oidc && state !== 'configError'
          ? h('button', { type: 'button', class: 'button button--primary', onclick: () => void startSignIn(oidc) }, t('auth.signIn'))
          : null;
      element.replaceChildren(heading, h('p', {}, t(bodies[state])), ...(button ? [button] : []));
      element.dataset.state = state;
      if (state === 'expired') element.setAttribute('data-testid', 'session-expired');
      else element.removeAttribute('data-testid');
      element.hidden = false;
      heading.focus();
    },
    hide() {
      element.hidden = true;
    },
  };
}

/**
 * Signs in from what the page was opened with. Shows the panel that says why when there is no
 * usable session (and resolves `undefined`).
 */
export async function openSession(panel: AuthPanel): Promise<Session | undefined> {
  let config: SettingsConfig;
  try {
    const response = await fetch('/settings/config.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
    config = (await response.json()) as SettingsConfig;
  } catch {
    panel.show('configError');
    return undefined;
  }
  const oidc = config.auth.type === 'oidc' ? config.auth : undefined;

  const fromFragment = parseFragmentToken(location.hash);
  if (fromFragment) sessionStorage.setItem(TOKEN_STORAGE_KEY, fromFragment);
  // The token must not stay in the address bar (history, screenshots, shoulder surfing).
  if (location.hash) history.replaceState(history.state, '', location.pathname + location.search);
  // Another sign-in link opened in this tab changes only the fragment (no page load): start over with it.
  window.addEventListener('hashchange', () => {
    if (parseFragmentToken(location.hash)) location.reload();
  });

  if (oidc) {
    const query = new URLSearchParams(location.search);
    if (query.has('code') || query.has('error')) {
      const ok = await completeSignIn(oidc, query);
      if (!ok) {
        panel.show('signInFailed', oidc);
        return undefined;
      }
    }
  }

  const token = sessionStorage.getItem(TOKEN_STORAGE_KEY) ?? undefined;
  if (!token) return void panel.show('signedOut', oidc);
  const payload = decodeJwtPayload(token);
  if (!payload) {
    sessionStorage.removeItem(TOKEN_STORAGE_KEY);
    return void panel.show('signedOut', oidc);
  }
  if (isExpired(payload, Date.now())) {
    sessionStorage.removeItem(TOKEN_STORAGE_KEY);
    return void panel.show('expired', oidc);
  }
  const businessId = businessIdFrom(payload, config.businessClaim);
  if (!businessId) return void panel.show('noBusiness', oidc);

  const state: { api?: Api; expiryTimer?: number; listeners: Array<() => void> } = {
    api: createApi({ baseUrl: config.apiBaseUrl, businessId, token: () => sessionStorage.getItem(TOKEN_STORAGE_KEY) ?? undefined }),
    listeners: [],
  };
  const end = () => {
    window.clearTimeout(state.expiryTimer);
    state.expiryTimer = undefined;
    state.api = undefined;
    sessionStorage.removeItem(TOKEN_STORAGE_KEY);
    for (const listener of state.listeners.splice(0)) listener();
    panel.show('expired', oidc);
  };
  if (typeof payload.exp === 'number') {
    const delay = Math.min(payload.exp * 1000 - Date.now(), 2 ** 31 - 1);
    state.expiryTimer = window.setTimeout(end, Math.max(0, delay));
  }
  return {
    get api() {
      return state.api;
    },
    handleError(error) {
      if (!(error instanceof SessionExpiredError)) return false;
      if (state.api) end();
      return true;
    },
    onEnd(listener) {
      state.listeners.push(listener);
    },
  };
}

async function startSignIn(auth: OidcAuth): Promise<void> {
  const verifier = randomUrlSafe(crypto);
  const state = randomUrlSafe(crypto, 16);
  const nonce = randomUrlSafe(crypto, 16);
  const challenge = await pkceChallenge(verifier, crypto);
  sessionStorage.setItem(PKCE_STORAGE_KEY, JSON.stringify({ verifier, state, nonce }));
  location.assign(authorizeUrl(auth, { redirectUri: redirectUri(auth), state, nonce, challenge }));
}

function redirectUri(auth: OidcAuth): string {
  return new URL(auth.redirectPath, location.origin).toString();
}

/** Back from the identity provider: trade the code (with the PKCE verifier) for an id_token. */
async function completeSignIn(auth: OidcAuth, query: URLSearchParams): Promise<boolean> {
  const saved = sessionStorage.getItem(PKCE_STORAGE_KEY);
  sessionStorage.removeItem(PKCE_STORAGE_KEY);
  history.replaceState(history.state, '', location.pathname);
  if (!saved || query.has('error')) return false;
  const pkce = JSON.parse(saved) as { verifier: string; state: string; nonce: string };
  const code = query.get('code');
  if (!code || query.get('state') !== pkce.state) return false;
  try {
    const response = await fetch(auth.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: tokenRequestBody(auth, { code, redirectUri: redirectUri(auth), verifier: pkce.verifier }),
    });
    if (!response.ok) return false;
    const tokens = (await response.json()) as { id_token?: string };
    const payload = tokens.id_token ? decodeJwtPayload(tokens.id_token) : undefined;
    if (!tokens.id_token || !payload || (payload.nonce !== undefined && payload.nonce !== pkce.nonce)) return false;
    sessionStorage.setItem(TOKEN_STORAGE_KEY, tokens.id_token);
    return true;
  } catch {
    return false;
  }
}
