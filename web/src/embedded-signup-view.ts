/**
 * The "Connect with Facebook" card of the Meta steps: the owner says whether the number stays on
 * the WhatsApp Business app, Facebook's signup window does the rest, and the page hands the code
 * and ids to the admin API (`POST connection/embedded-signup`), then tests the connection.
 *
 * Shown only when `/settings/config.json` has `metaSignup` (Echo's Meta app is configured). The SDK
 * (`metaSignup.sdkUrl`: Facebook's, or the Meta simulator's stand-in locally) is loaded when the
 * card is built, so that the click calls `FB.login` at once: a popup opened after an `await` is
 * blocked by browsers.
 */
import type { ProviderConnectionView } from '../../lambdas/domain/admin/contract';
import type { ConnectionStore, PageContext } from './context';
import { h, setAttr, setText } from './dom';
import {
  loginOptions,
  metaSignupConfigOf,
  readSessionMessage,
  signupCollector,
  type FacebookLoginOptions,
  type MetaSignupConfig,
  type SignupChoice,
  type SignupRequest,
} from './embedded-signup';
import type { MessageKey } from './i18n';

interface FacebookLoginResponse {
  status?: string;
  authResponse?: { code?: string } | null;
}

interface FacebookSdk {
  init(options: { appId: string; autoLogAppEvents?: boolean; xfbml?: boolean; version: string }): void;
  login(callback: (response: FacebookLoginResponse) => void, options: FacebookLoginOptions): void;
}

type SdkWindow = Window & { FB?: FacebookSdk; fbAsyncInit?: () => void };

/** How long the session event may trail the login callback (they come from two channels). */
const SESSION_GRACE_MS = 3000;

export interface SignupCard {
  readonly element: HTMLElement;
}

/**
 * @param hooks.onConnected runs once the connection is saved and set up: the page tests it.
 * @example wizardHooks.providerIntro = (id) => (id === 'meta' ? createSignupCard(ctx, connection, { onConnected }).element : null);
 */
export function createSignupCard(ctx: PageContext, connection: ConnectionStore, hooks: { onConnected(): Promise<void> }): SignupCard {
  const { t } = ctx;
  let config: MetaSignupConfig | undefined;
  let sdk: FacebookSdk | undefined;
  let collector: ReturnType<typeof signupCollector> | undefined;
  let lastRequest: SignupRequest | undefined;

  const choice = (value: SignupChoice, label: MessageKey, description: MessageKey, checked: boolean) =>
    h(
      'label',
      { class: 'choice' },
      h('input', { type: 'radio', name: 'signup-choice', value, checked, 'data-testid': `signup-choice-${value}` }),
      h('span', { class: 'choice__text' }, h('span', { class: 'choice__name' }, t(label)), h('span', { class: 'choice__description' }, t(description))),
    );
  const button = h('button', { type: 'button', class: 'button button--primary button--facebook', 'data-testid': 'connect-facebook', disabled: true, onclick: () => start() }, t('signup.button'));
  const retry = h('button', { type: 'button', class: 'button', 'data-testid': 'signup-retry', hidden: true, onclick: () => lastRequest && void submit(lastRequest) }, t('signup.retry'));
  const status = h('p', { class: 'form-status', role: 'status', 'data-testid': 'signup-status' }, t('signup.loading'));
  const element = h(
    'div',
    { class: 'signup card card--inset', 'data-testid': 'embedded-signup', hidden: true, role: 'group', 'aria-labelledby': 'signup-title' },
    h('h4', { id: 'signup-title' }, t('signup.title')),
    h('p', {}, t('signup.intro')),
    h(
      'fieldset',
      { class: 'choices' },
      h('legend', {}, t('signup.question')),
      choice('business-app', 'signup.choice.businessApp', 'signup.choice.businessApp.description', true),
      choice('new-number', 'signup.choice.newNumber', 'signup.choice.newNumber.description', false),
    ),
    h('div', { class: 'actions' }, button, retry),
    status,
    h('p', { class: 'muted' }, t('signup.manual')),
  );

  const say = (text: string, tone?: 'ok' | 'error') => {
    setText(status, text);
    status.className = `form-status${tone ? ` form-status--${tone}` : ''}`;
  };

  window.addEventListener('message', (event: MessageEvent) => {
    if (!config || !collector) return;
    const message = readSessionMessage(event.origin, event.data, config.messageOrigins);
    if (message) collector.session(message);
  });

  void (async () => {
    try {
      const response = await fetch('/settings/config.json', { cache: 'no-store' });
      config = metaSignupConfigOf(((await response.json()) as { metaSignup?: unknown }).metaSignup);
    } catch {
      config = undefined;
    }
    if (!config) return;
    element.hidden = false;
    try {
      sdk = await loadSdk(config);
      button.disabled = false;
      say('');
    } catch {
      say(t('signup.sdkFailed'), 'error');
    }
  })();

  function start(): void {
    if (!sdk || !config) return;
    const picked = element.querySelector<HTMLInputElement>('input[name="signup-choice"]:checked')?.value === 'new-number' ? 'new-number' : 'business-app';
    const current = signupCollector();
    collector = current;
    button.disabled = true;
    retry.hidden = true;
    say(t('signup.waiting'));
    // Synchronously in the click: the signup window is a popup.
    sdk.login((response) => void finish(current, response), loginOptions(config.configId, picked));
  }

  async function finish(current: ReturnType<typeof signupCollector>, response: FacebookLoginResponse): Promise<void> {
    current.code(response?.authResponse?.code);
    const deadline = Date.now() + SESSION_GRACE_MS;
    while (!current.request() && !current.state && Date.now() < deadline) await new Promise((resolve) => window.setTimeout(resolve, 100));
    const request = current.request();
    button.disabled = false;
    if (request) return submit(request);
    const state = current.state;
    if (state?.kind === 'no-number') say(t('signup.noNumber'), 'error');
    else if (state?.kind === 'error') say(state.message ? t('signup.error', { message: state.message }) : t('signup.errorUnknown'), 'error');
    else say(t('signup.cancelled'));
  }

  async function submit(request: SignupRequest): Promise<void> {
    const api = ctx.session.api;
    if (!api) return;
    lastRequest = request;
    button.disabled = true;
    retry.hidden = true;
    setAttr(button, 'aria-busy', 'true');
    say(t('signup.saving'));
    try {
      const view = await api.send<ProviderConnectionView>('POST', 'connection/embedded-signup', request);
      connection.set(view);
      if (view.setup && !view.setup.ok) {
        say(t('signup.setupFailed', { detail: view.setup.detail }), 'error');
        retry.hidden = false;
        return;
      }
      say(t('signup.connected'), 'ok');
      ctx.announce(t('signup.connected'));
      await hooks.onConnected();
    } catch (error) {
      if (ctx.session.handleError(error)) return;
      say(ctx.problemText(error), 'error');
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }

  return { element };
}

/** Loads the SDK once and initialises it with Echo's app (the SDK calls `fbAsyncInit` when loaded). */
function loadSdk(config: MetaSignupConfig): Promise<FacebookSdk> {
  const win = window as SdkWindow;
  if (win.FB) return Promise.resolve(win.FB);
  return new Promise((resolve, reject) => {
    win.fbAsyncInit = () => {
      if (!win.FB) return reject(new Error('the SDK did not define FB'));
      win.FB.init({ appId: config.appId, autoLogAppEvents: true, xfbml: false, version: config.graphVersion });
      resolve(win.FB);
    };
    const script = document.createElement('script');
    script.src = config.sdkUrl;
    script.async = true;
    script.onerror = () => reject(new Error('the SDK could not be loaded'));
    document.head.append(script);
  });
}
