/**
 * Settings → WhatsApp (`/settings/whatsapp`): connect a number through a step-by-step wizard, see
 * whether it is connected and when the last message arrived, and follow conversations with their
 * delivery ticks and 24-hour window countdown. No framework: a few DOM helpers, state in this
 * module, and the admin API polled every 3 s while the tab is visible.
 *
 * Stable hooks for browser tests. Prefer roles and labels (every control has one); these
 * `data-testid`s are kept stable for what tests need to pin down:
 *   connection-status        status badge; text starts with "Connected" or reads "Not connected" (en)
 *   last-inbound             "Last message received" value, or "No messages yet"
 *   step-provider, step-account, step-approval, step-credentials, step-webhooks, step-test
 *                            the six wizard step <section>s (all rendered and visible at once)
 *   account-sid, auth-token, whatsapp-number, messaging-service-sid
 *                            credentials form inputs
 *   save-credentials         credentials form submit button
 *   webhook-incoming, webhook-status, webhook-fallback
 *                            read-only webhook URL inputs (empty until credentials are saved)
 *   test-send-to             optional "send a test message to" input
 *   run-test                 connection test button
 *   test-step-credentials, test-step-sender, test-step-testMessage
 *                            test results, attribute data-ok="true|false" (data-skipped="true" when skipped)
 *   disconnect               disconnect button (asks for confirmation inline: "disconnect-confirm")
 *   conversation-item        each conversation button in the list (contains the customer's name/number)
 *   conversation-window      window state inside each conversation item
 *   window-countdown         the selected conversation's window state/countdown (thread header),
 *                            attribute data-phase="open|warning|closed|unknown"
 *   message-item             each message, attributes data-direction="inbound|outbound",
 *                            data-status="queued|sent|delivered|read|failed|undelivered" (inbound: "received"),
 *                            data-message-id
 *   load-older               "Load older" messages button
 *   reply-text, reply-send   reply textarea and its send button
 *   templates-section        the Templates section (hidden without an active connection)
 *   template-item            each template in it, attribute data-status="draft|submitted|pending|approved|rejected"
 *   create-reengagement      "Create the re-engagement template" (shown when none exists or it was rejected)
 *   template-send            in a closed-window conversation, the button sending the approved re-engagement template
 *   template-var-1, template-var-2, …
 *                            that template's variable inputs ({{1}} prefilled with the customer's first name)
 *   session-expired          the "session expired, sign in again" panel (auth panel has data-state too)
 */
import type {
  ConnectionView,
  ConversationsPage,
  ConversationView,
  MessagesPage,
  MessageView,
  PostMessageBody,
  SendAccepted,
  TemplatesList,
  TemplateView,
  TestConnectionResult,
  TestStep,
} from '../../lambdas/domain/admin/contract';
import { ApiError, createApi, NetworkError, SessionExpiredError, type Api } from './api';
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
import { formatCountdown, formatDateTime, formatMessageTime, formatRelative, stepDetailKey, tickFor, windowPhase } from './format';
import { chooseLocale, translate, type Locale, type MessageKey } from './i18n';
import {
  canCreateReengagement,
  missingVariables,
  prefillVariables,
  REENGAGEMENT_NAME,
  sendableReengagement,
  templateStatusKey,
  templateVariableNames,
  variableLabelKey,
} from './templates';
import {
  fieldForProblemPath,
  normalizeCredentials,
  normalizeNumber,
  validateCredentials,
  validateSendTo,
  type CredentialField,
  type FormField,
} from './validation';

// -----------------------------------------------------------------------------------------------
// DOM helpers
// -----------------------------------------------------------------------------------------------

type AttrValue = string | number | boolean | undefined | null | ((event: Event) => void);
type Child = Node | string | null | undefined | false;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, AttrValue> = {}, ...children: Array<Child | Child[]>): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = String(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/** Writes text only when it changed, so live regions do not re-announce the same words. */
function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

function setAttr(element: Element, name: string, value: string | undefined): void {
  if (value === undefined) element.removeAttribute(name);
  else if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

/**
 * Keeps `container`'s children in the order of `items`, reusing the element of each key so that
 * polling does not rebuild (and steal focus from) what is already on screen.
 */
function syncList<T>(container: HTMLElement, items: T[], key: (item: T) => string, create: (item: T) => HTMLElement, update: (element: HTMLElement, item: T) => void): void {
  const existing = new Map<string, HTMLElement>();
  for (const child of Array.from(container.children) as HTMLElement[]) if (child.dataset.key) existing.set(child.dataset.key, child);
  const keep = new Set<string>();
  items.forEach((item, index) => {
    const id = key(item);
    keep.add(id);
    let element = existing.get(id);
    if (!element) {
      element = create(item);
      element.dataset.key = id;
    }
    update(element, item);
    if (container.children[index] !== element) container.insertBefore(element, container.children[index] ?? null);
  });
  for (const [id, element] of existing) if (!keep.has(id)) element.remove();
}

const srOnly = (text: string) => h('span', { class: 'sr-only' }, text);
const reducedMotion = () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

// -----------------------------------------------------------------------------------------------
// State
// -----------------------------------------------------------------------------------------------

const POLL_MS = 3000;
const STEPS = ['provider', 'account', 'approval', 'credentials', 'webhooks', 'test'] as const;
type StepId = (typeof STEPS)[number];

const TWILIO_LINKS = {
  signUp: 'https://www.twilio.com/try-twilio',
  console: 'https://console.twilio.com/',
  selfSignUp: 'https://www.twilio.com/docs/whatsapp/self-sign-up',
  numberRequirements: 'https://help.twilio.com/articles/360026678054',
  sendersApi: 'https://www.twilio.com/docs/whatsapp/register-senders-using-api',
  fallback: 'https://www.twilio.com/docs/usage/security/availability-reliability',
};

let locale: Locale = 'en';
const t = (key: MessageKey, params?: Record<string, string | number>) => translate(locale, key, params);

let config: SettingsConfig | undefined;
let api: Api | undefined;
let connection: ConnectionView | undefined;
let currentStep = 0;
let stepChosenByUser = false;
/** The result shown in step 6: the last run on this page, else the stored `lastTest`; cleared by a save. */
let shownTest: { ok: boolean; steps: TestStep[]; at?: string } | undefined;
let testClearedBySave = false;
/** The form is filled from the saved connection once; later polls never touch what the person typed. */
let credentialsPrefilled = false;

const conversations = new Map<string, ConversationView>();
let conversationsCursor: string | undefined;
let conversationsPagedByUser = false;

interface Thread {
  conversationId: string;
  messages: Map<string, MessageView>;
  olderCursor?: string;
  firstPageLoaded: boolean;
}
let thread: Thread | undefined;
/**
 * The idempotency key of each form's last send that has not been accepted yet, with what it sent:
 * the same content retried after a failure keeps its key, so it is never sent twice.
 */
const pendingSends = new Map<'reply' | 'template', { conversationId: string; signature: string; idempotencyKey: string }>();
/** Replies shown from the 202 answer, not yet listed by the API: message id → idempotency key. */
const optimistic = new Map<string, string>();
/** The business's templates; undefined until the first load. */
let templates: TemplateView[] | undefined;
/** Which conversation and template the template fields were built for (rebuilt only when it changes). */
let templateFormKey = '';

let pollTimer: number | undefined;
let tickTimer: number | undefined;
let expiryTimer: number | undefined;
let refreshing = false;

// Elements built once by `renderShell`/`renderApp` (module variables, so the minifier shortens them).
let uiRoot!: HTMLElement;
let uiLayout!: HTMLElement;
let uiAuthPanel!: HTMLElement;
let uiApp!: HTMLElement;
let uiAnnouncer!: HTMLElement;
let uiPollNotice!: HTMLElement;
let uiBadge!: HTMLElement;
let uiStatusDetail!: HTMLElement;
let uiNumber!: HTMLElement;
let uiLastInbound!: HTMLElement;
let uiDisconnect!: HTMLButtonElement;
let uiDisconnectConfirm!: HTMLElement;
let uiDisconnectCancel!: HTMLButtonElement;
let uiDisconnectStatus!: HTMLElement;
let uiStepLinks!: HTMLAnchorElement[];
let uiStepSections!: HTMLElement[];
let uiStepHeadings!: HTMLElement[];
let uiInputs!: Record<FormField, HTMLInputElement>;
let uiErrors!: Record<FormField, HTMLElement>;
let uiTokenHint!: HTMLElement;
let uiSaveButton!: HTMLButtonElement;
let uiFormStatus!: HTMLElement;
let uiWebhookInputs!: Record<'incoming' | 'statusCallback' | 'fallback', HTMLInputElement>;
let uiCopyButtons!: HTMLButtonElement[];
let uiWebhooksNote!: HTMLElement;
let uiTestButton!: HTMLButtonElement;
let uiTestSummary!: HTMLElement;
let uiTestList!: HTMLUListElement;
let uiConversationList!: HTMLUListElement;
let uiConversationsEmpty!: HTMLElement;
let uiMoreConversations!: HTMLButtonElement;
let uiThreadPanel!: HTMLElement;
let uiThreadPlaceholder!: HTMLElement;
let uiThreadBody!: HTMLElement;
let uiThreadTitle!: HTMLElement;
let uiThreadNumber!: HTMLElement;
let uiWindowCountdown!: HTMLElement;
let uiLoadOlder!: HTMLButtonElement;
let uiMessageList!: HTMLOListElement;
let uiReplyForm!: HTMLFormElement;
let uiReplyText!: HTMLTextAreaElement;
let uiReplySend!: HTMLButtonElement;
let uiReplyStatus!: HTMLElement;
let uiTemplatesSection!: HTMLElement;
let uiTemplateList!: HTMLUListElement;
let uiTemplatesEmpty!: HTMLElement;
let uiCreateTemplate!: HTMLButtonElement;
let uiCreateTemplateRow!: HTMLElement;
let uiTemplatesStatus!: HTMLElement;
let uiTemplateReply!: HTMLElement;
let uiTemplateForm!: HTMLFormElement;
let uiTemplateFields!: HTMLElement;
let uiTemplateSend!: HTMLButtonElement;
let uiTemplateStatus!: HTMLElement;
let uiTemplateUnavailable!: HTMLElement;
let uiNavTemplates!: HTMLAnchorElement;

// -----------------------------------------------------------------------------------------------
// Boot and sign-in
// -----------------------------------------------------------------------------------------------

async function boot(): Promise<void> {
  const languages = navigator.languages?.length ? navigator.languages : [navigator.language];
  locale = chooseLocale(languages);
  document.documentElement.lang = locale;
  document.title = t('page.title');
  renderShell();

  try {
    const response = await fetch('/settings/config.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
    config = (await response.json()) as SettingsConfig;
  } catch {
    showAuthPanel('configError');
    return;
  }

  const fromFragment = parseFragmentToken(location.hash);
  if (fromFragment) sessionStorage.setItem(TOKEN_STORAGE_KEY, fromFragment);
  // The token must not stay in the address bar (history, screenshots, shoulder surfing).
  if (location.hash) history.replaceState(history.state, '', location.pathname + location.search);

  if (config.auth.type === 'oidc') {
    const query = new URLSearchParams(location.search);
    if (query.has('code') || query.has('error')) {
      const ok = await completeSignIn(config.auth, query);
      if (!ok) {
        showAuthPanel('signInFailed');
        return;
      }
    }
  }
  startSession();
}

function startSession(): void {
  if (!config) return;
  const token = sessionStorage.getItem(TOKEN_STORAGE_KEY) ?? undefined;
  if (!token) return showAuthPanel('signedOut');
  const payload = decodeJwtPayload(token);
  if (!payload) {
    sessionStorage.removeItem(TOKEN_STORAGE_KEY);
    return showAuthPanel('signedOut');
  }
  if (isExpired(payload, Date.now())) return sessionExpired();
  const businessId = businessIdFrom(payload, config.businessClaim);
  if (!businessId) return showAuthPanel('noBusiness');

  api = createApi({ baseUrl: config.apiBaseUrl, businessId, token: () => sessionStorage.getItem(TOKEN_STORAGE_KEY) ?? undefined });
  if (typeof payload.exp === 'number') {
    const delay = Math.min(payload.exp * 1000 - Date.now(), 2 ** 31 - 1);
    expiryTimer = window.setTimeout(sessionExpired, Math.max(0, delay));
  }
  uiAuthPanel.hidden = true;
  renderApp();
  uiApp.hidden = false;
  void refresh();
  pollTimer = window.setInterval(() => {
    if (!document.hidden) void refresh();
  }, POLL_MS);
  tickTimer = window.setInterval(tick, 1000);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && api) void refresh();
  });
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

function sessionExpired(): void {
  window.clearInterval(pollTimer);
  window.clearInterval(tickTimer);
  window.clearTimeout(expiryTimer);
  pollTimer = tickTimer = expiryTimer = undefined;
  api = undefined;
  sessionStorage.removeItem(TOKEN_STORAGE_KEY);
  if (uiApp) uiApp.hidden = true;
  showAuthPanel('expired');
}

type AuthState = 'signedOut' | 'expired' | 'noBusiness' | 'configError' | 'signInFailed';

function showAuthPanel(state: AuthState): void {
  const oidc = config?.auth.type === 'oidc' ? config.auth : undefined;
  const titles: Record<AuthState, MessageKey> = {
    signedOut: 'auth.signedOut.title',
    expired: 'auth.expired.title',
    noBusiness: 'auth.noBusiness.title',
    configError: 'auth.configError.title',
    signInFailed: 'auth.signInFailed.title',
  };
  const bodies: Record<AuthState, MessageKey> = {
    signedOut: oidc ? 'auth.signedOut.oidc' : 'auth.signedOut.token',
    expired: oidc ? 'auth.expired.oidc' : 'auth.expired.token',
    noBusiness: 'auth.noBusiness.body',
    configError: 'auth.configError.body',
    signInFailed: 'auth.signInFailed.body',
  };
  const heading = h('h2', { id: 'auth-title', tabindex: -1 }, t(titles[state]));
  const button =
    oidc && state !== 'configError'
      ? h('button', { type: 'button', class: 'button button--primary', onclick: () => void startSignIn(oidc) }, t('auth.signIn'))
      : null;
  uiAuthPanel.replaceChildren(heading, h('p', {}, t(bodies[state])), ...(button ? [button] : []));
  uiAuthPanel.dataset.state = state;
  if (state === 'expired') uiAuthPanel.setAttribute('data-testid', 'session-expired');
  else uiAuthPanel.removeAttribute('data-testid');
  uiAuthPanel.hidden = false;
  heading.focus();
}

// -----------------------------------------------------------------------------------------------
// Page skeleton
// -----------------------------------------------------------------------------------------------

function renderShell(): void {
  uiRoot = document.getElementById('root') ?? document.body;
  uiAnnouncer = h('div', { class: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'true' });
  uiAuthPanel = h('section', { class: 'card auth', 'aria-labelledby': 'auth-title', hidden: true });
  uiApp = h('div', { class: 'app', hidden: true });
  uiRoot.replaceChildren(
    h('a', { class: 'skip-link', href: '#main' }, t('nav.skip')),
    h(
      'header',
      { class: 'page-header' },
      h('div', { class: 'page-header__inner' }, h('p', { class: 'eyebrow' }, t('page.eyebrow')), h('h1', {}, t('page.heading')), h('p', { class: 'lead' }, t('page.lead'))),
    ),
    h('main', { id: 'main', tabindex: -1 }, uiAuthPanel, uiApp),
    uiAnnouncer,
  );
}

function announce(text: string): void {
  // Cleared first so the same words said twice are announced twice.
  uiAnnouncer.textContent = '';
  window.setTimeout(() => (uiAnnouncer.textContent = text), 50);
}

function renderApp(): void {
  uiPollNotice = h('p', { class: 'notice notice--warning', role: 'status', hidden: true });
  uiApp.replaceChildren(
    uiPollNotice,
    renderStatusCard(),
    h(
      'nav',
      { class: 'section-nav', 'aria-label': t('nav.sections') },
      h('a', { href: '#setup' }, t('nav.setup')),
      h('a', { href: '#conversations' }, t('nav.conversations')),
      (uiNavTemplates = h('a', { href: '#templates', hidden: true }, t('nav.templates'))),
    ),
    (uiLayout = h('div', { class: 'layout' }, renderWizard(), h('div', { class: 'layout__side' }, renderConversations(), renderTemplates()))),
  );
}

// -----------------------------------------------------------------------------------------------
// Status card
// -----------------------------------------------------------------------------------------------

function renderStatusCard(): HTMLElement {
  uiBadge = h('p', { class: 'badge badge--off', role: 'status', 'data-testid': 'connection-status' }, t('status.notConnected'));
  uiStatusDetail = h('p', { class: 'status-detail' }, t('status.loading'));
  uiNumber = h('dd', {}, '—');
  uiLastInbound = h('dd', { 'data-testid': 'last-inbound' }, '—');
  uiDisconnect = h('button', { type: 'button', class: 'button button--danger-outline', 'data-testid': 'disconnect', hidden: true, onclick: () => openDisconnect() }, t('disconnect.button'));
  uiDisconnectCancel = h('button', { type: 'button', class: 'button', onclick: () => closeDisconnect(true) }, t('disconnect.cancel'));
  uiDisconnectConfirm = h(
    'div',
    { class: 'confirm', role: 'group', 'aria-labelledby': 'disconnect-question', 'data-testid': 'disconnect-confirm', hidden: true, onkeydown: (event: Event) => (event as KeyboardEvent).key === 'Escape' && closeDisconnect(true) },
    h('p', { id: 'disconnect-question' }, t('disconnect.question')),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button button--danger', onclick: () => void disconnect() }, t('disconnect.confirm')), uiDisconnectCancel),
  );
  uiDisconnectStatus = h('p', { class: 'form-status', role: 'status' });
  return h(
    'section',
    { class: 'card status-card', 'aria-labelledby': 'status-title' },
    h('div', { class: 'status-card__head' }, h('h2', { id: 'status-title', tabindex: -1 }, t('status.title')), uiBadge),
    uiStatusDetail,
    h('dl', { class: 'facts' }, h('div', {}, h('dt', {}, t('status.number')), uiNumber), h('div', {}, h('dt', {}, t('status.lastInbound')), uiLastInbound)),
    h('div', { class: 'actions' }, uiDisconnect),
    uiDisconnectConfirm,
    uiDisconnectStatus,
  );
}

function renderConnection(): void {
  const view = connection;
  const connected = !!view?.connected;
  setText(uiBadge, connected ? t('status.connected') : t('status.notConnected'));
  uiBadge.className = `badge ${connected ? 'badge--on' : 'badge--off'}`;
  uiLayout.classList.toggle('layout--connected', connected);
  const detail: MessageKey = !view || view.status !== 'active' ? 'status.detail.none' : view.verified ? 'status.detail.connected' : 'status.detail.unverified';
  setText(uiStatusDetail, t(detail));
  setText(uiNumber, view?.status === 'active' && view.displayNumber ? view.displayNumber : '—');
  renderLastInbound();
  uiDisconnect.hidden = view?.status !== 'active';
  if (uiDisconnect.hidden) uiDisconnectConfirm.hidden = true;

  const urls = view?.status === 'active' ? view.webhookUrls : undefined;
  uiWebhookInputs.incoming.value = urls?.incoming ?? '';
  uiWebhookInputs.statusCallback.value = urls?.statusCallback ?? '';
  uiWebhookInputs.fallback.value = urls?.fallback ?? '';
  for (const button of uiCopyButtons) button.disabled = !urls;
  uiWebhooksNote.hidden = !!urls;

  const creds = view?.status === 'active' ? view.credentials : undefined;
  setText(uiTokenHint, creds ? t('form.authToken.savedHint', { last4: creds.authTokenLast4 }) : t('form.authToken.hint'));
  if (!shownTest && view?.lastTest && !testClearedBySave && view.status === 'active') shownTest = view.lastTest;
  renderTest();
  renderSteps();
}

function renderLastInbound(): void {
  const at = connection?.lastInboundAt ? Date.parse(connection.lastInboundAt) : NaN;
  if (Number.isNaN(at)) {
    setText(uiLastInbound, t('status.noMessages'));
    return;
  }
  const text = `${formatDateTime(at, locale)} (${formatRelative(at, Date.now(), locale)})`;
  let time = uiLastInbound.querySelector('time');
  if (!time) {
    time = h('time', {});
    uiLastInbound.replaceChildren(time);
  }
  setAttr(time, 'datetime', new Date(at).toISOString());
  setText(time, text);
}

function openDisconnect(): void {
  uiDisconnectConfirm.hidden = false;
  uiDisconnectCancel.focus();
}

function closeDisconnect(returnFocus: boolean): void {
  uiDisconnectConfirm.hidden = true;
  if (returnFocus && !uiDisconnect.hidden) uiDisconnect.focus();
}

async function disconnect(): Promise<void> {
  if (!api) return;
  try {
    await api.send('DELETE', 'connection');
    closeDisconnect(false);
    shownTest = undefined;
    setText(uiDisconnectStatus, t('disconnect.done'));
    await loadConnection();
    document.getElementById('status-title')?.focus();
  } catch (error) {
    if (!handleSessionError(error)) setText(uiDisconnectStatus, problemText(error));
  }
}

// -----------------------------------------------------------------------------------------------
// Wizard
// -----------------------------------------------------------------------------------------------

function renderWizard(): HTMLElement {
  uiStepLinks = [];
  uiStepSections = [];
  uiStepHeadings = [];
  const stepper = h('ol', { class: 'stepper' });
  STEPS.forEach((id, index) => {
    const link = h('a', { href: `#step-${id}`, onclick: (event: Event) => (event.preventDefault(), goToStep(index, true)) }, h('span', { class: 'stepper__number', 'aria-hidden': 'true' }, String(index + 1)), h('span', { class: 'stepper__label' }, t(`step.${id}.short` as MessageKey)), h('span', { class: 'stepper__state sr-only' }));
    uiStepLinks.push(link);
    stepper.append(h('li', {}, link));
  });
  const bodies: Record<StepId, () => Child[]> = {
    provider: providerStep,
    account: accountStep,
    approval: approvalStep,
    credentials: credentialsStep,
    webhooks: webhooksStep,
    test: testStep,
  };
  const sections = STEPS.map((id, index) => {
    const heading = h('h3', { id: `step-${id}-title`, tabindex: -1 }, h('span', { class: 'step__number', 'aria-hidden': 'true' }, String(index + 1)), h('span', {}, t(`step.${id}.title` as MessageKey)), h('span', { class: 'step__done' }));
    const section = h('section', { id: `step-${id}`, class: 'card step', 'data-testid': `step-${id}`, 'aria-labelledby': `step-${id}-title` }, heading, ...bodies[id]());
    uiStepHeadings.push(heading);
    uiStepSections.push(section);
    return section;
  });
  return h(
    'section',
    { id: 'setup', class: 'setup', 'aria-labelledby': 'setup-title' },
    h('h2', { id: 'setup-title' }, t('setup.title')),
    h('p', { class: 'muted' }, t('setup.intro')),
    h('nav', { 'aria-label': t('setup.progress') }, stepper),
    ...sections,
  );
}

function continueButton(index: number): HTMLButtonElement {
  return h('button', { type: 'button', class: 'button button--primary', onclick: () => goToStep(index + 1, true) }, t('step.continue'));
}

function externalLink(href: string, label: MessageKey): HTMLAnchorElement {
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, t(label), srOnly(` (${t('link.newTab')})`), h('span', { 'aria-hidden': 'true' }, ' ↗'));
}

function providerStep(): Child[] {
  const option = (value: string, name: MessageKey, description: MessageKey, available: boolean) =>
    h(
      'label',
      { class: `choice${available ? '' : ' choice--disabled'}` },
      h('input', { type: 'radio', name: 'provider', value, checked: available, disabled: !available }),
      h(
        'span',
        { class: 'choice__text' },
        h('span', { class: 'choice__name' }, t(name), ' ', h('span', { class: available ? 'tag tag--ok' : 'tag' }, t(available ? 'provider.recommended' : 'provider.comingSoon'))),
        h('span', { class: 'choice__description' }, t(description)),
      ),
    );
  return [
    h('p', {}, t('step.provider.body')),
    h(
      'fieldset',
      { class: 'choices' },
      h('legend', {}, t('provider.legend')),
      option('twilio', 'provider.twilio', 'provider.twilio.description', true),
      option('360dialog', 'provider.360dialog', 'provider.360dialog.description', false),
      option('meta', 'provider.meta', 'provider.meta.description', false),
    ),
    h('div', { class: 'actions' }, continueButton(0)),
  ];
}

function accountStep(): Child[] {
  return [
    h('p', {}, t('step.account.body')),
    h(
      'ol',
      { class: 'instructions' },
      h('li', {}, t('step.account.item1'), ' ', externalLink(TWILIO_LINKS.signUp, 'link.signUp')),
      h('li', {}, t('step.account.item2')),
      h('li', {}, t('step.account.item3'), ' ', externalLink(TWILIO_LINKS.console, 'link.console')),
      h('li', {}, t('step.account.item4'), ' ', externalLink(TWILIO_LINKS.selfSignUp, 'link.selfSignUp')),
    ),
    h('div', { class: 'actions' }, continueButton(1)),
  ];
}

function approvalStep(): Child[] {
  return [
    h('p', {}, t('step.approval.body1')),
    h('p', {}, t('step.approval.body2')),
    h(
      'ul',
      { class: 'links' },
      h('li', {}, externalLink(TWILIO_LINKS.selfSignUp, 'link.approval')),
      h('li', {}, externalLink(TWILIO_LINKS.numberRequirements, 'link.numberRequirements')),
      h('li', {}, externalLink(TWILIO_LINKS.sendersApi, 'link.sendersApi')),
    ),
    h('div', { class: 'actions' }, continueButton(2)),
  ];
}

function inputField(
  field: FormField,
  options: { label: MessageKey; hint: MessageKey; testid: string; type?: string; inputmode?: string; optional?: boolean; placeholder?: string; autocomplete?: string },
): HTMLElement {
  const id = `field-${field}`;
  const hint = h('p', { id: `${id}-hint`, class: 'hint' }, t(options.hint));
  // Always present (empty when valid) so aria-describedby never points at nothing.
  const error = h('p', { id: `${id}-error`, class: 'field-error' });
  const input = h('input', {
    id,
    name: field,
    type: options.type ?? 'text',
    inputmode: options.inputmode,
    autocomplete: options.autocomplete ?? 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    placeholder: options.placeholder,
    required: !options.optional,
    'aria-describedby': `${id}-hint ${id}-error`,
    'data-testid': options.testid,
    oninput: () => setFieldError(field, undefined),
  });
  uiInputs[field] = input;
  uiErrors[field] = error;
  if (field === 'authToken') uiTokenHint = hint;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, t(options.label), options.optional ? h('span', { class: 'optional' }, ` (${t('form.optional')})`) : null),
    hint,
    input,
    error,
  );
}

function setFieldError(field: FormField, message: string | undefined): void {
  setText(uiErrors[field], message ?? '');
  setAttr(uiInputs[field], 'aria-invalid', message ? 'true' : undefined);
}

function credentialsStep(): Child[] {
  uiInputs = {} as typeof uiInputs;
  uiErrors = {} as typeof uiErrors;
  uiSaveButton = h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'save-credentials' }, t('form.save'));
  uiFormStatus = h('p', { class: 'form-status', role: 'status' });
  const form = h(
    'form',
    { class: 'form', novalidate: true, 'aria-labelledby': 'step-credentials-title', onsubmit: (event: Event) => void saveCredentials(event) },
    inputField('accountSid', { label: 'form.accountSid', hint: 'form.accountSid.hint', testid: 'account-sid', placeholder: 'AC…' }),
    inputField('authToken', { label: 'form.authToken', hint: 'form.authToken.hint', testid: 'auth-token', type: 'password', autocomplete: 'new-password' }),
    inputField('whatsappNumber', { label: 'form.whatsappNumber', hint: 'form.whatsappNumber.hint', testid: 'whatsapp-number', type: 'tel', inputmode: 'tel', placeholder: '+14155238886', autocomplete: 'off' }),
    inputField('messagingServiceSid', { label: 'form.messagingServiceSid', hint: 'form.messagingServiceSid.hint', testid: 'messaging-service-sid', optional: true, placeholder: 'MG…' }),
    h('div', { class: 'actions' }, uiSaveButton),
    uiFormStatus,
  );
  return [h('p', {}, t('step.credentials.body')), form];
}

/** Fills the form from the saved connection once, without overwriting what the person typed. */
function prefillCredentials(): void {
  const creds = connection?.status === 'active' ? connection.credentials : undefined;
  if (!creds || credentialsPrefilled) return;
  credentialsPrefilled = true;
  const fill = (field: CredentialField, value: string | undefined) => {
    if (value && !uiInputs[field].value && document.activeElement !== uiInputs[field]) uiInputs[field].value = value;
  };
  fill('accountSid', creds.accountSid);
  fill('whatsappNumber', connection?.displayNumber);
  fill('messagingServiceSid', creds.messagingServiceSid);
}

async function saveCredentials(event: Event): Promise<void> {
  event.preventDefault();
  if (!api) return;
  const fields: CredentialField[] = ['accountSid', 'authToken', 'whatsappNumber', 'messagingServiceSid'];
  const input = {
    accountSid: uiInputs.accountSid.value,
    authToken: uiInputs.authToken.value,
    whatsappNumber: uiInputs.whatsappNumber.value,
    messagingServiceSid: uiInputs.messagingServiceSid.value,
  };
  const problems = validateCredentials(input);
  for (const field of fields) setFieldError(field, problems[field] ? t(`error.${field}.${problems[field]}` as MessageKey) : undefined);
  const firstInvalid = fields.find((field) => problems[field]);
  if (firstInvalid) {
    setText(uiFormStatus, t('form.fixErrors'));
    uiFormStatus.className = 'form-status form-status--error';
    uiInputs[firstInvalid].focus();
    return;
  }
  const values = normalizeCredentials(input);
  uiSaveButton.disabled = true;
  uiSaveButton.setAttribute('aria-busy', 'true');
  setText(uiSaveButton, t('form.saving'));
  try {
    const view = await api.send<ConnectionView>('PUT', 'connection', {
      provider: 'twilio',
      twilio: {
        accountSid: values.accountSid,
        authToken: values.authToken,
        whatsappNumber: values.whatsappNumber,
        ...(values.messagingServiceSid ? { messagingServiceSid: values.messagingServiceSid } : {}),
      },
    });
    // The token is not kept on the page once saved; the API only ever shows its last 4 characters.
    uiInputs.authToken.value = '';
    uiInputs.whatsappNumber.value = values.whatsappNumber;
    shownTest = undefined;
    testClearedBySave = true;
    connection = view;
    renderConnection();
    setText(uiFormStatus, t('form.saved'));
    uiFormStatus.className = 'form-status form-status--ok';
    goToStep(4, true);
    announce(t('form.saved'));
  } catch (error) {
    if (handleSessionError(error)) return;
    let mapped = false;
    if (error instanceof ApiError && error.status === 400) {
      for (const problem of error.problem?.errors ?? []) {
        const field = fieldForProblemPath(problem.path);
        if (field && field !== 'sendTo') {
          setFieldError(field, t(`error.${field}.format` as MessageKey));
          mapped = true;
        }
      }
    }
    setText(uiFormStatus, mapped ? t('form.fixErrors') : problemText(error));
    uiFormStatus.className = 'form-status form-status--error';
    const first = fields.find((field) => uiInputs[field].getAttribute('aria-invalid') === 'true');
    if (first) uiInputs[first].focus();
  } finally {
    uiSaveButton.disabled = false;
    uiSaveButton.removeAttribute('aria-busy');
    setText(uiSaveButton, t('form.save'));
  }
}

function webhooksStep(): Child[] {
  uiCopyButtons = [];
  uiWebhookInputs = {} as typeof uiWebhookInputs;
  const row = (key: 'incoming' | 'statusCallback' | 'fallback', label: MessageKey, where: MessageKey, testid: string) => {
    const id = `webhook-${key}`;
    const input = h('input', { id, type: 'text', readonly: true, class: 'url', 'data-testid': testid, 'aria-describedby': `${id}-where`, placeholder: t('webhooks.placeholder'), onfocus: (event: Event) => (event.target as HTMLInputElement).select() });
    const button = h('button', { type: 'button', class: 'button', 'aria-label': `${t('webhooks.copy')}: ${t(label)}`, disabled: true }, t('webhooks.copy'));
    button.addEventListener('click', () => void copy(input, button, t(label)));
    uiWebhookInputs[key] = input;
    uiCopyButtons.push(button);
    return h('div', { class: 'field' }, h('label', { for: id }, t(label)), h('p', { id: `${id}-where`, class: 'hint' }, t(where)), h('div', { class: 'copy-row' }, input, button));
  };
  uiWebhooksNote = h('p', { class: 'notice' }, t('webhooks.saveFirst'));
  return [
    h('p', {}, t('step.webhooks.body')),
    h('ol', { class: 'instructions' }, h('li', {}, t('step.webhooks.item1'), ' ', externalLink(TWILIO_LINKS.console, 'link.console')), h('li', {}, t('step.webhooks.item2')), h('li', {}, t('step.webhooks.item3'))),
    uiWebhooksNote,
    row('incoming', 'webhooks.incoming', 'webhooks.incoming.where', 'webhook-incoming'),
    row('statusCallback', 'webhooks.status', 'webhooks.status.where', 'webhook-status'),
    row('fallback', 'webhooks.fallback', 'webhooks.fallback.where', 'webhook-fallback'),
    h('p', { class: 'muted' }, externalLink(TWILIO_LINKS.fallback, 'link.fallback')),
    h('div', { class: 'actions' }, continueButton(4)),
  ];
}

async function copy(input: HTMLInputElement, button: HTMLButtonElement, what: string): Promise<void> {
  const text = input.value;
  if (!text) return;
  let copied = false;
  try {
    await navigator.clipboard.writeText(text);
    copied = true;
  } catch {
    // No Clipboard API (insecure context, permission refused): the old way, from a selection.
    input.focus();
    input.select();
    try {
      copied = document.execCommand('copy');
    } catch {
      copied = false;
    }
  }
  if (copied) {
    setText(button, t('webhooks.copied'));
    button.classList.add('button--done');
    announce(t('webhooks.copiedAnnouncement', { what }));
    window.setTimeout(() => {
      setText(button, t('webhooks.copy'));
      button.classList.remove('button--done');
    }, 2000);
  } else {
    input.focus();
    input.select();
    announce(t('webhooks.copyFailed'));
  }
}

function testStep(): Child[] {
  uiTestButton = h('button', { type: 'button', class: 'button button--primary', 'data-testid': 'run-test', onclick: () => void runTest() }, t('test.run'));
  uiTestSummary = h('p', { class: 'form-status', role: 'status' });
  uiTestList = h('ul', { class: 'test-results', 'aria-label': t('test.results') });
  return [
    h('p', {}, t('step.test.body')),
    inputField('sendTo', { label: 'test.sendTo', hint: 'test.sendTo.hint', testid: 'test-send-to', type: 'tel', inputmode: 'tel', optional: true, placeholder: '+5215512345678' }),
    h('div', { class: 'actions' }, uiTestButton),
    uiTestSummary,
    uiTestList,
  ];
}

async function runTest(): Promise<void> {
  if (!api) return;
  if (connection?.status !== 'active') {
    setText(uiTestSummary, t('test.needsCredentials'));
    uiTestSummary.className = 'form-status form-status--error';
    return;
  }
  const problem = validateSendTo(uiInputs.sendTo.value);
  setFieldError('sendTo', problem ? t('error.sendTo.format') : undefined);
  if (problem) return uiInputs.sendTo.focus();
  const sendTo = normalizeNumber(uiInputs.sendTo.value);
  uiTestButton.disabled = true;
  uiTestButton.setAttribute('aria-busy', 'true');
  setText(uiTestButton, t('test.running'));
  setText(uiTestSummary, t('test.running'));
  uiTestSummary.className = 'form-status';
  try {
    const result = await api.send<TestConnectionResult>('POST', 'connection/test', sendTo ? { sendTo } : {});
    shownTest = { ok: result.ok, steps: result.steps, at: new Date().toISOString() };
    testClearedBySave = false;
    if (result.verified) currentStep = STEPS.length - 1;
    renderTest();
    await loadConnection();
  } catch (error) {
    if (handleSessionError(error)) return;
    if (error instanceof ApiError && error.status === 400) {
      for (const item of error.problem?.errors ?? []) if (fieldForProblemPath(item.path) === 'sendTo') setFieldError('sendTo', t('error.sendTo.format'));
    }
    setText(uiTestSummary, problemText(error));
    uiTestSummary.className = 'form-status form-status--error';
  } finally {
    uiTestButton.disabled = false;
    uiTestButton.removeAttribute('aria-busy');
    setText(uiTestButton, t('test.run'));
  }
}

function renderTest(): void {
  const result = shownTest;
  if (!result) {
    uiTestList.replaceChildren();
    if (uiTestButton.getAttribute('aria-busy') !== 'true' && !uiTestSummary.classList.contains('form-status--error')) setText(uiTestSummary, '');
    return;
  }
  const order: TestStep['id'][] = ['credentials', 'sender', 'testMessage'];
  const steps = [...result.steps].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  syncList(
    uiTestList,
    steps,
    (step) => step.id,
    () => h('li', { class: 'test-step' }),
    (element, step) => {
      const outcome: MessageKey = step.skipped ? 'test.skipped' : step.ok ? 'test.passed' : 'test.failed';
      element.className = `test-step test-step--${step.skipped ? 'skipped' : step.ok ? 'ok' : 'failed'}`;
      setAttr(element, 'data-testid', `test-step-${step.id}`);
      setAttr(element, 'data-ok', String(step.ok));
      setAttr(element, 'data-skipped', step.skipped ? 'true' : undefined);
      element.replaceChildren(
        h('span', { class: 'test-step__icon', 'aria-hidden': 'true' }, step.skipped ? '–' : step.ok ? '✓' : '✗'),
        h(
          'span',
          { class: 'test-step__text' },
          h('strong', {}, t(`test.step.${step.id}` as MessageKey)),
          ' — ',
          h('span', { class: 'test-step__outcome' }, t(outcome)),
          testStepDetail(step),
        ),
      );
    },
  );
  const at = result.at ? Date.parse(result.at) : NaN;
  const summary = t(result.ok ? 'test.summary.ok' : 'test.summary.failed') + (Number.isNaN(at) ? '' : ` · ${formatDateTime(at, locale)}`);
  setText(uiTestSummary, summary);
  uiTestSummary.className = `form-status ${result.ok ? 'form-status--ok' : 'form-status--error'}`;
}

function stepDone(index: number): boolean {
  const active = connection?.status === 'active';
  switch (STEPS[index]) {
    case 'provider':
    case 'account':
    case 'approval':
      return active || currentStep > index;
    case 'credentials':
      return active;
    case 'webhooks':
      return active && (currentStep > index || !!connection?.verified);
    case 'test':
      return !!connection?.connected;
  }
}

function renderSteps(): void {
  if (!stepChosenByUser && connection) currentStep = connection.status !== 'active' ? 0 : connection.verified ? 5 : 4;
  STEPS.forEach((_, index) => {
    const done = stepDone(index);
    const link = uiStepLinks[index];
    setAttr(link, 'aria-current', index === currentStep ? 'step' : undefined);
    link.classList.toggle('is-done', done);
    setText(link.querySelector('.stepper__state') as Element, done ? ` (${t('step.done')})` : '');
    uiStepSections[index].classList.toggle('step--current', index === currentStep);
    uiStepSections[index].classList.toggle('step--done', done);
    setText(uiStepHeadings[index].querySelector('.step__done') as Element, done ? t('step.done') : '');
  });
}

function goToStep(index: number, focus: boolean): void {
  currentStep = Math.max(0, Math.min(STEPS.length - 1, index));
  stepChosenByUser = true;
  renderSteps();
  if (focus) {
    const heading = uiStepHeadings[currentStep];
    heading.focus({ preventScroll: true });
    heading.scrollIntoView({ block: 'start', behavior: reducedMotion() ? 'auto' : 'smooth' });
  }
}

// -----------------------------------------------------------------------------------------------
// Conversations
// -----------------------------------------------------------------------------------------------

function renderConversations(): HTMLElement {
  uiConversationList = h('ul', { class: 'conversation-list', 'aria-labelledby': 'conversations-title' });
  uiConversationsEmpty = h('p', { class: 'muted' }, t('conversations.empty'));
  uiMoreConversations = h('button', { type: 'button', class: 'button', hidden: true, onclick: () => void loadMoreConversations() }, t('conversations.more'));

  uiThreadTitle = h('h3', { id: 'thread-title', tabindex: -1 });
  uiThreadNumber = h('p', { class: 'thread__number' });
  uiWindowCountdown = h('p', { class: 'window', 'data-testid': 'window-countdown', id: 'thread-window' });
  uiLoadOlder = h('button', { type: 'button', class: 'button button--small', 'data-testid': 'load-older', hidden: true, onclick: () => void loadOlder() }, t('thread.loadOlder'));
  uiMessageList = h('ol', { class: 'messages', 'aria-labelledby': 'thread-title', tabindex: 0 });
  uiReplyText = h('textarea', {
    id: 'reply-text',
    name: 'reply',
    rows: 2,
    'data-testid': 'reply-text',
    'aria-describedby': 'reply-hint thread-window',
    onkeydown: (event: Event) => {
      const key = event as KeyboardEvent;
      if (key.key === 'Enter' && !key.shiftKey && !key.isComposing) {
        key.preventDefault();
        uiReplyForm.requestSubmit();
      }
    },
  });
  uiReplySend = h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'reply-send' }, t('reply.send'));
  uiReplyStatus = h('p', { class: 'form-status', role: 'status' });
  uiReplyForm = h(
    'form',
    { class: 'reply', novalidate: true, onsubmit: (event: Event) => void sendReply(event) },
    h('label', { for: 'reply-text' }, t('reply.label')),
    h('p', { id: 'reply-hint', class: 'hint' }, t('reply.hint')),
    h('div', { class: 'reply__row' }, uiReplyText, uiReplySend),
    uiReplyStatus,
  );
  uiThreadPlaceholder = h('p', { class: 'muted thread__placeholder' }, t('thread.pick'));
  uiThreadBody = h(
    'div',
    { class: 'thread__body', hidden: true },
    h('header', { class: 'thread__header' }, uiThreadTitle, uiThreadNumber, uiWindowCountdown),
    uiLoadOlder,
    uiMessageList,
    uiReplyForm,
    renderTemplateReply(),
  );
  uiThreadPanel = h('section', { class: 'card thread', 'aria-label': t('thread.label') }, uiThreadPlaceholder, uiThreadBody);

  return h(
    'section',
    { id: 'conversations', class: 'conversations', 'aria-labelledby': 'conversations-title' },
    h('h2', { id: 'conversations-title' }, t('conversations.title')),
    h('p', { class: 'muted' }, t('conversations.intro')),
    h('div', { class: 'conversations__grid' }, h('div', { class: 'card conversation-panel' }, uiConversationList, uiConversationsEmpty, uiMoreConversations), uiThreadPanel),
  );
}

function customerLabel(view: ConversationView): { name: string; number?: string } {
  return view.customer.name ? { name: view.customer.name, number: view.customer.id } : { name: view.customer.id };
}

/** Text and phase of a conversation's window at `now`. */
function windowText(view: ConversationView, now: number): { phase: string; text: string } {
  const { phase, remainingMs } = windowPhase(view.window, now);
  switch (phase) {
    case 'closed':
      return { phase, text: t('window.closed') };
    case 'warning':
      return { phase, text: remainingMs === undefined ? t('window.expiringSoon') : t('window.warning', { time: formatCountdown(remainingMs) }) };
    case 'open':
      return { phase, text: t('window.open', { time: formatCountdown(remainingMs ?? 0) }) };
    default:
      return { phase, text: t('window.openNoExpiry') };
  }
}

function renderWindow(element: HTMLElement, view: ConversationView, now: number): void {
  const { phase, text } = windowText(view, now);
  setAttr(element, 'data-phase', phase);
  setText(element, `${phase === 'warning' ? '⚠ ' : ''}${text}`);
}

function renderConversationList(): void {
  const now = Date.now();
  const items = [...conversations.values()].sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt));
  uiConversationsEmpty.hidden = items.length > 0;
  uiMoreConversations.hidden = !conversationsCursor;
  syncList(
    uiConversationList,
    items,
    (item) => item.conversationId,
    (item) => {
      const button = h('button', { type: 'button', class: 'conversation', 'data-testid': 'conversation-item', onclick: () => void selectConversation(item.conversationId, true) });
      return h('li', {}, button);
    },
    (element, item) => {
      const button = element.firstElementChild as HTMLButtonElement;
      const { name, number } = customerLabel(item);
      const at = Date.parse(item.lastMessageAt);
      setAttr(button, 'aria-current', thread?.conversationId === item.conversationId ? 'true' : undefined);
      setAttr(button, 'data-conversation-id', item.conversationId);
      if (!button.querySelector('.conversation__name')) {
        button.replaceChildren(
          h('span', { class: 'conversation__top' }, h('span', { class: 'conversation__name' }), h('time', { class: 'conversation__time' })),
          h('span', { class: 'conversation__number' }),
          h('span', { class: 'conversation__window window', 'data-testid': 'conversation-window' }),
        );
      }
      setText(button.querySelector('.conversation__name') as Element, name);
      setText(button.querySelector('.conversation__number') as Element, number ?? '');
      const time = button.querySelector('time') as HTMLTimeElement;
      setAttr(time, 'datetime', Number.isNaN(at) ? undefined : new Date(at).toISOString());
      setText(time, Number.isNaN(at) ? '' : formatRelative(at, now, locale));
      setAttr(time, 'title', Number.isNaN(at) ? undefined : formatDateTime(at, locale));
      renderWindow(button.querySelector('.conversation__window') as HTMLElement, item, now);
    },
  );
}

async function loadConversations(): Promise<void> {
  if (!api) return;
  const page = await api.get<ConversationsPage>('conversations', { limit: 20 });
  for (const item of page.items) conversations.set(item.conversationId, item);
  if (!conversationsPagedByUser) conversationsCursor = page.nextCursor;
  renderConversationList();
  renderThreadHeader();
}

async function loadMoreConversations(): Promise<void> {
  if (!api || !conversationsCursor) return;
  try {
    const page = await api.get<ConversationsPage>('conversations', { limit: 20, cursor: conversationsCursor });
    for (const item of page.items) conversations.set(item.conversationId, item);
    conversationsCursor = page.nextCursor;
    conversationsPagedByUser = true;
    renderConversationList();
  } catch (error) {
    handleSessionError(error) || announce(problemText(error));
  }
}

async function selectConversation(conversationId: string, focus: boolean): Promise<void> {
  if (thread?.conversationId !== conversationId) {
    thread = { conversationId, messages: new Map(), firstPageLoaded: false };
    uiMessageList.replaceChildren();
    setText(uiReplyStatus, '');
  }
  uiThreadPlaceholder.hidden = true;
  uiThreadBody.hidden = false;
  renderConversationList();
  renderThreadHeader();
  if (focus) {
    uiThreadTitle.focus({ preventScroll: true });
    uiThreadPanel.scrollIntoView({ block: 'nearest', behavior: reducedMotion() ? 'auto' : 'smooth' });
  }
  try {
    await loadMessages();
  } catch (error) {
    handleSessionError(error) || setText(uiReplyStatus, problemText(error));
  }
}

function renderThreadHeader(): void {
  if (!thread) return;
  const view = conversations.get(thread.conversationId);
  if (!view) return;
  const { name, number } = customerLabel(view);
  setText(uiThreadTitle, name);
  setText(uiThreadNumber, number ?? '');
  uiThreadNumber.hidden = !number;
  renderWindow(uiWindowCountdown, view, Date.now());
  const closed = windowPhase(view.window, Date.now()).phase === 'closed';
  uiReplyText.disabled = closed;
  uiReplySend.disabled = closed;
  updateTemplateReply(view, closed);
}

async function loadMessages(): Promise<void> {
  if (!api || !thread) return;
  const current = thread;
  const page = await api.get<MessagesPage>(`conversations/${encodeURIComponent(current.conversationId)}/messages`, { limit: 50 });
  if (thread !== current) return;
  for (const item of page.items) current.messages.set(item.messageId, item);
  // A reply shown before the API listed it goes once the API lists it (same id, or same idempotency key).
  for (const [messageId, key] of optimistic) {
    const listed = page.items.find((item) => item.messageId === messageId || (key && item.idempotencyKey === key));
    if (!listed) continue;
    optimistic.delete(messageId);
    if (listed.messageId !== messageId) current.messages.delete(messageId);
  }
  if (!current.firstPageLoaded) {
    current.olderCursor = page.nextCursor;
    current.firstPageLoaded = true;
  }
  renderMessages(false);
}

async function loadOlder(): Promise<void> {
  if (!api || !thread?.olderCursor) return;
  const current = thread;
  try {
    const page = await api.get<MessagesPage>(`conversations/${encodeURIComponent(current.conversationId)}/messages`, { limit: 50, cursor: current.olderCursor });
    if (thread !== current) return;
    for (const item of page.items) current.messages.set(item.messageId, item);
    current.olderCursor = page.nextCursor;
    // Keep the messages on screen where they were while older ones appear above.
    const fromBottom = uiMessageList.scrollHeight - uiMessageList.scrollTop;
    renderMessages(false, true);
    uiMessageList.scrollTop = uiMessageList.scrollHeight - fromBottom;
  } catch (error) {
    handleSessionError(error) || setText(uiReplyStatus, problemText(error));
  }
}

function renderMessages(scrollToEnd: boolean, keepScroll = false): void {
  if (!thread) return;
  const list = uiMessageList;
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const wasEmpty = list.children.length === 0;
  const now = Date.now();
  const items = [...thread.messages.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.messageId.localeCompare(b.messageId));
  uiLoadOlder.hidden = !thread.olderCursor;
  syncList(
    list,
    items,
    (item) => item.messageId,
    () => h('li', { class: 'message', 'data-testid': 'message-item' }),
    (element, item) => {
      const status = item.direction === 'outbound' ? (item.status ?? 'queued') : (item.status ?? 'received');
      const signature = JSON.stringify([messageText(item), item.type, item.status, item.errorCode, item.errorReason, item.createdAt, locale]);
      setAttr(element, 'data-direction', item.direction);
      setAttr(element, 'data-status', status);
      setAttr(element, 'data-message-id', item.messageId);
      element.className = `message message--${item.direction}${item.status === 'failed' || item.status === 'undelivered' ? ' message--failed' : ''}`;
      if (element.dataset.signature === signature) return;
      element.dataset.signature = signature;
      const at = Date.parse(item.createdAt);
      const tick = item.direction === 'outbound' ? tickFor(item.status) : undefined;
      const failed = item.status === 'failed' || item.status === 'undelivered';
      element.replaceChildren(
        h(
          'div',
          { class: 'bubble' },
          srOnly(`${t(item.direction === 'inbound' ? 'message.fromCustomer' : 'message.fromYou')}: `),
          h('p', { class: 'bubble__text' }, messageText(item)),
          h(
            'p',
            { class: 'bubble__meta' },
            h('time', { datetime: Number.isNaN(at) ? undefined : new Date(at).toISOString(), title: Number.isNaN(at) ? undefined : formatDateTime(at, locale) }, Number.isNaN(at) ? '' : formatMessageTime(at, now, locale)),
            tick ? h('span', { class: `tick tick--${tick.tone}`, role: 'img', 'aria-label': t(tick.label), title: t(tick.label) }, tick.symbol) : null,
          ),
          failed
            ? h('p', { class: 'bubble__error' }, t('message.failedReason', { reason: item.errorReason ?? t('message.unknownReason') }), item.errorCode ? ` (${item.errorCode})` : '')
            : null,
        ),
      );
    },
  );
  if (!keepScroll && (scrollToEnd || nearBottom || wasEmpty)) list.scrollTop = list.scrollHeight;
}

function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function sendReply(event: Event): Promise<void> {
  event.preventDefault();
  if (!api || !thread) return;
  const current = thread;
  const text = uiReplyText.value.trim();
  if (!text) {
    setText(uiReplyStatus, t('reply.empty'));
    uiReplyStatus.className = 'form-status form-status--error';
    uiReplyText.focus();
    return;
  }
  const sent = await sendToThread(current, { form: 'reply', button: uiReplySend, status: uiReplyStatus }, { type: 'text', text }, text);
  if (sent && uiReplyText.value.trim() === text) uiReplyText.value = '';
  renderThreadHeader();
}

/**
 * Sends one message to the open conversation the way both forms do: the form's pending idempotency
 * key for the same content (a new one otherwise), the button busy meanwhile, the accepted message
 * shown at once with its ticks (until the API lists it), errors in the form's status line.
 * @returns true when the API accepted the message
 */
async function sendToThread(
  current: Thread,
  form: { form: 'reply' | 'template'; button: HTMLButtonElement; status: HTMLElement },
  content: PostMessageBody['content'],
  text?: string,
): Promise<boolean> {
  if (!api) return false;
  const signature = JSON.stringify(content);
  const pending = pendingSends.get(form.form);
  const idempotencyKey =
    pending && pending.signature === signature && pending.conversationId === current.conversationId ? pending.idempotencyKey : uuid();
  pendingSends.set(form.form, { conversationId: current.conversationId, signature, idempotencyKey });
  form.button.disabled = true;
  form.button.setAttribute('aria-busy', 'true');
  setText(form.status, '');
  try {
    const accepted = await api.send<SendAccepted>('POST', `conversations/${encodeURIComponent(current.conversationId)}/messages`, {
      content,
      idempotencyKey,
    });
    pendingSends.delete(form.form);
    if (!current.messages.has(accepted.messageId)) {
      current.messages.set(accepted.messageId, {
        messageId: accepted.messageId,
        direction: 'outbound',
        type: content.type,
        ...(text !== undefined && { text }),
        content,
        createdAt: new Date().toISOString(),
        status: 'queued',
        idempotencyKey: accepted.idempotencyKey,
      });
      optimistic.set(accepted.messageId, accepted.idempotencyKey);
    }
    if (thread === current) renderMessages(true);
    announce(t('reply.sent'));
    return true;
  } catch (error) {
    if (handleSessionError(error)) return false;
    setText(form.status, problemText(error));
    form.status.className = 'form-status form-status--error';
    return false;
  } finally {
    form.button.disabled = false;
    form.button.removeAttribute('aria-busy');
  }
}

// -----------------------------------------------------------------------------------------------
// Refresh, errors
// -----------------------------------------------------------------------------------------------

async function loadConnection(): Promise<void> {
  if (!api) return;
  connection = await api.get<ConnectionView>('connection');
  renderConnection();
  prefillCredentials();
}

async function refresh(): Promise<void> {
  if (refreshing || !api) return;
  refreshing = true;
  try {
    const results = await Promise.allSettled([loadConnection().then(loadTemplates), loadConversations(), thread ? loadMessages() : Promise.resolve()]);
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) {
      if (handleSessionError(failure.reason)) return;
      setText(uiPollNotice, failure.reason instanceof NetworkError ? t('poll.offline') : t('poll.failed'));
      uiPollNotice.hidden = false;
    } else {
      uiPollNotice.hidden = true;
    }
  } finally {
    refreshing = false;
  }
}

/** Every second: countdowns and "x minutes ago" move without waiting for the next poll. */
function tick(): void {
  if (!api) return;
  renderLastInbound();
  const now = Date.now();
  for (const button of Array.from(uiConversationList.querySelectorAll<HTMLElement>('[data-conversation-id]'))) {
    const view = conversations.get(button.dataset.conversationId ?? '');
    const window = button.querySelector<HTMLElement>('.conversation__window');
    if (view && window) renderWindow(window, view, now);
  }
  renderThreadHeader();
}

function handleSessionError(error: unknown): boolean {
  if (error instanceof SessionExpiredError) {
    sessionExpired();
    return true;
  }
  return false;
}

function problemText(error: unknown): string {
  if (error instanceof NetworkError) return t('error.network');
  if (error instanceof ApiError) {
    switch (error.status) {
      case 400:
        return t('error.validation');
      case 404:
        return t('error.notFound');
      case 409:
        return t('error.conflict');
      case 413:
        return t('error.tooLarge');
      case 429:
        return t('error.throttled');
      case 502:
      case 503:
      case 504:
        return t('error.bspUnavailable');
      default:
        return t('error.generic');
    }
  }
  return t('error.generic');
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => void boot());
else void boot();

/** A step's explanation in the reader's language when the page knows the outcome, else the API's own words; with the BSP's code. */
function testStepDetail(step: TestStep): HTMLElement | null {
  const key = stepDetailKey(step);
  const text = key ? t(key) : step.detail;
  if (!text) return null;
  return h('span', { class: 'test-step__detail' }, text, step.code && !text.includes(step.code) ? ` (${step.code})` : '');
}

// -----------------------------------------------------------------------------------------------
// Templates
// -----------------------------------------------------------------------------------------------

/** A template's name for people: the re-engagement template in the reader's language, others as registered. */
function templateDisplayName(name: string): string {
  return name === REENGAGEMENT_NAME ? t('templates.name.reengagement') : name;
}

/** A message's line: template sends say which template in the reader's language. */
function messageText(item: MessageView): string {
  if (item.type === 'template') {
    const content = item.content as { template?: { name?: unknown } } | undefined;
    const name = typeof content?.template?.name === 'string' ? content.template.name : undefined;
    if (name) return t('message.template', { name: templateDisplayName(name) });
  }
  return item.text ?? t('message.nonText', { type: item.type });
}

function renderTemplates(): HTMLElement {
  uiTemplateList = h('ul', { class: 'template-list', 'aria-labelledby': 'templates-title' });
  uiTemplatesEmpty = h('p', { class: 'muted' }, t('templates.loading'));
  uiCreateTemplate = h('button', { type: 'button', class: 'button button--primary', 'data-testid': 'create-reengagement', 'aria-describedby': 'create-template-hint', onclick: () => void createReengagement() }, t('templates.create'));
  uiCreateTemplateRow = h('div', { class: 'template-create', hidden: true }, h('p', { id: 'create-template-hint', class: 'hint' }, t('templates.createHint')), h('div', { class: 'actions' }, uiCreateTemplate));
  uiTemplatesStatus = h('p', { class: 'form-status', role: 'status' });
  uiTemplatesSection = h(
    'section',
    { id: 'templates', class: 'card templates', 'aria-labelledby': 'templates-title', 'data-testid': 'templates-section', tabindex: -1, hidden: true },
    h('h2', { id: 'templates-title' }, t('templates.title')),
    h('p', { class: 'muted' }, t('templates.intro')),
    uiTemplateList,
    uiTemplatesEmpty,
    uiCreateTemplateRow,
    uiTemplatesStatus,
  );
  return uiTemplatesSection;
}

async function loadTemplates(): Promise<void> {
  if (!api) return;
  if (connection?.status !== 'active') {
    templates = undefined;
  } else {
    const list = await api.get<TemplatesList>('templates');
    templates = list.items;
  }
  renderTemplateList();
  renderThreadHeader();
}

function renderTemplateList(): void {
  const active = connection?.status === 'active';
  uiTemplatesSection.hidden = !active;
  uiNavTemplates.hidden = !active;
  if (!active) return;
  const items = templates ?? [];
  setText(uiTemplatesEmpty, templates ? t('templates.empty') : t('templates.loading'));
  uiTemplatesEmpty.hidden = items.length > 0;
  uiCreateTemplateRow.hidden = !templates || !canCreateReengagement(items);
  // "Created and submitted" is old news once the template is approved.
  if (uiTemplatesStatus.classList.contains('form-status--ok') && sendableReengagement(items)) setText(uiTemplatesStatus, '');
  syncList(
    uiTemplateList,
    items,
    (item) => `${item.name}#${item.language}`,
    () =>
      h(
        'li',
        { class: 'template', 'data-testid': 'template-item' },
        h('span', { class: 'template__name' }),
        h('span', { class: 'template__status' }),
        h('span', { class: 'template__meta' }),
      ),
    (element, item) => {
      const status = item.approvalStatus;
      setAttr(element, 'data-status', status);
      setText(element.querySelector('.template__name') as Element, templateDisplayName(item.name));
      const badge = element.querySelector('.template__status') as HTMLElement;
      setText(badge, t(templateStatusKey(status)));
      badge.className = `template__status template__status--${status === 'approved' ? 'ok' : status === 'rejected' ? 'error' : 'wait'}`;
      const at = item.updatedAt ? Date.parse(item.updatedAt) : NaN;
      const meta = [t('templates.language', { language: item.language })];
      if (!Number.isNaN(at)) meta.push(t('templates.updated', { time: formatDateTime(at, locale) }));
      setText(element.querySelector('.template__meta') as Element, meta.join(' · '));
    },
  );
}

async function createReengagement(): Promise<void> {
  if (!api) return;
  uiCreateTemplate.disabled = true;
  uiCreateTemplate.setAttribute('aria-busy', 'true');
  setText(uiTemplatesStatus, '');
  try {
    const view = await api.send<TemplateView>('POST', 'templates/reengagement');
    templates = [...(templates ?? []).filter((item) => !(item.name === view.name && item.language === view.language)), view];
    setText(uiTemplatesStatus, t('templates.created'));
    uiTemplatesStatus.className = 'form-status form-status--ok';
    renderTemplateList();
    renderThreadHeader();
  } catch (error) {
    if (handleSessionError(error)) return;
    setText(uiTemplatesStatus, problemText(error));
    uiTemplatesStatus.className = 'form-status form-status--error';
  } finally {
    uiCreateTemplate.disabled = false;
    uiCreateTemplate.removeAttribute('aria-busy');
  }
}

function renderTemplateReply(): HTMLElement {
  uiTemplateFields = h('div', { class: 'template-fields' });
  uiTemplateSend = h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'template-send' }, t('template.send'));
  uiTemplateStatus = h('p', { class: 'form-status', role: 'status' });
  uiTemplateForm = h(
    'form',
    { class: 'template-form', novalidate: true, 'aria-labelledby': 'template-title', hidden: true, onsubmit: (event: Event) => void sendTemplate(event) },
    h('h4', { id: 'template-title' }, t('template.title')),
    h('p', { class: 'hint' }, t('template.intro')),
    uiTemplateFields,
    h('div', { class: 'actions' }, uiTemplateSend),
    uiTemplateStatus,
  );
  uiTemplateUnavailable = h(
    'div',
    { class: 'notice template-unavailable', hidden: true },
    h('p', {}, t('template.unavailable')),
    h('a', { href: '#templates', onclick: (event: Event) => (event.preventDefault(), uiTemplatesSection.scrollIntoView({ block: 'start', behavior: reducedMotion() ? 'auto' : 'smooth' }), uiTemplatesSection.focus({ preventScroll: true })) }, t('template.goToTemplates')),
  );
  uiTemplateReply = h('div', { class: 'template-reply' }, uiTemplateForm, uiTemplateUnavailable);
  return uiTemplateReply;
}

/** In a closed window: the approved re-engagement template's form, or why nothing can be sent. */
function updateTemplateReply(view: ConversationView, closed: boolean): void {
  const template = closed && templates ? sendableReengagement(templates) : undefined;
  uiTemplateForm.hidden = !template;
  uiTemplateUnavailable.hidden = !closed || !templates || !!template;
  if (!template) return;
  const names = templateVariableNames(template);
  const key = JSON.stringify([view.conversationId, template.name, template.language, names, locale]);
  if (key === templateFormKey) return;
  templateFormKey = key;
  setText(uiTemplateStatus, '');
  const values = prefillVariables(template, view.customer.name);
  uiTemplateFields.replaceChildren(
    ...names.map((name) => {
      const id = `template-var-${name}`;
      return h(
        'div',
        { class: 'field' },
        h('label', { for: id }, t(variableLabelKey(template.name, name), { n: name })),
        h('input', {
          id,
          name: `var-${name}`,
          type: 'text',
          required: true,
          maxlength: 1024,
          autocomplete: 'off',
          value: values[name],
          'data-variable': name,
          'data-testid': id,
          'aria-describedby': `${id}-error`,
          oninput: (event: Event) => setTemplateFieldError(event.target as HTMLInputElement, false),
        }),
        h('p', { id: `${id}-error`, class: 'field-error' }),
      );
    }),
  );
}

function setTemplateFieldError(input: HTMLInputElement, invalid: boolean): void {
  setAttr(input, 'aria-invalid', invalid ? 'true' : undefined);
  const error = document.getElementById(`${input.id}-error`);
  if (error) setText(error, invalid ? t('template.missing') : '');
}

async function sendTemplate(event: Event): Promise<void> {
  event.preventDefault();
  if (!api || !thread || !templates) return;
  const template = sendableReengagement(templates);
  if (!template) return;
  const current = thread;
  const inputs = Array.from(uiTemplateFields.querySelectorAll<HTMLInputElement>('input[data-variable]'));
  const values: Record<string, string> = {};
  for (const input of inputs) values[input.dataset.variable ?? ''] = input.value;
  const missing = missingVariables(values);
  for (const input of inputs) setTemplateFieldError(input, missing.includes(input.dataset.variable ?? ''));
  if (missing.length > 0) {
    setText(uiTemplateStatus, t('template.missing'));
    uiTemplateStatus.className = 'form-status form-status--error';
    inputs.find((input) => input.dataset.variable === missing[0])?.focus();
    return;
  }
  const variables = Object.fromEntries(Object.entries(values).map(([name, value]) => [name, value.trim()]));
  const content = { type: 'template' as const, template: { name: template.name, language: template.language, variables } };
  await sendToThread(current, { form: 'template', button: uiTemplateSend, status: uiTemplateStatus }, content);
}
