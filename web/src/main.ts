/**
 * Settings → WhatsApp (`/settings/whatsapp`): connect a number through a step-by-step wizard, see
 * whether it is connected and when the last message arrived, and follow conversations with their
 * delivery ticks and 24-hour window countdown. No framework: a few DOM helpers (`dom.ts`), each
 * part built by a factory that keeps its own state (`session`, `status`, `wizard` with one module
 * per provider in `providers/`, `conversations`, `templates-section`), and the admin API polled
 * every 3 s while the tab is visible. This module signs in, composes the parts and polls.
 *
 * Stable hooks for browser tests. Prefer roles and labels (every control has one); these
 * `data-testid`s are kept stable for what tests need to pin down:
 *   connection-status        status badge; text starts with "Connected" or reads "Not connected" or "Needs attention" (en)
 *   connection-attention     the BSP refused the credentials: "attention-reason" (code, date) and "attention-remedy"
 *   last-inbound             "Last message received" value, or "No messages yet"
 *   connection-provider, verified-name, quality-rating
 *                            status card facts (hidden until the connection has them)
 *   step-provider, step-account, step-approval, step-credentials, step-webhooks, step-test
 *                            the six wizard step <section>s (all rendered and visible at once)
 *   provider-twilio, provider-meta, provider-360dialog
 *                            the provider radios of step 1; "provider-switch-note" when another provider is connected
 *   account-sid, auth-token, messaging-service-sid (Twilio); phone-number-id, waba-id, access-token,
 *   app-secret (Meta); api-key (360dialog, with its warning "api-key-warning"); whatsapp-number (all)
 *                            credentials form inputs of the chosen provider (only its form is in the page)
 *   save-credentials, save-status
 *                            credentials form submit button and its status line
 *   webhook-incoming         the URL to paste (Twilio's incoming, Meta's Callback URL) or 360dialog's registered one
 *   webhook-status, webhook-fallback (Twilio), verify-token (Meta)
 *                            the other read-only values of step 5 (empty until credentials are saved)
 *   webhook-registration     360dialog: how registering our webhook went, data-ok="true|false" once saved
 *   test-send-to             optional "send a test message to" input
 *   run-test, test-summary   connection test button and its summary line
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
 *   message-options          the buttons or list rows offered in a message, attribute data-kind="buttons|list"
 *   failure-reason           a failed message's reason, worded for the owner
 *   failure-details          its "Details" toggle (<details>): the API's reason, the code, our machine reason
 *   load-older               "Load older" messages button
 *   reply-text, reply-send   reply textarea and its send button
 *   templates-section        the Templates section (hidden without an active connection)
 *   template-item            each template in it, attribute data-status="draft|submitted|pending|approved|rejected"
 *   create-reengagement      "Create the re-engagement template" (shown when none exists or it was rejected)
 *   template-send            in a closed-window conversation, the button sending the approved re-engagement template
 *   template-var-1, template-var-2, …
 *                            that template's variable inputs ({{1}} prefilled with the customer's first name)
 *   session-expired          the "session expired, sign in again" panel (auth panel has data-state too)
 *   embedded-signup          Meta's "Connect with Facebook" card (shown when config.json has metaSignup), with
 *                            signup-choice-business-app / signup-choice-new-number, connect-facebook, signup-status
 *                            and signup-retry ("Finish the setup" after Meta failed it)
 *   handoff, handoff-text    the open thread's hand-off line, data-paused="true|false"; its button is
 *                            pause-ai or resume-ai; conversation-paused is the list item's "AI paused" tag
 *   message-sender           "Sent from the WhatsApp Business app" / "AI reply" / "Imported…" under a message
 *                            (message-item also has data-sent-by="owner-app|owner-page|ai|echo-service")
 *   partner-removed, history-import
 *                            Meta's removal with its reason; the chat-history import (data-progress="0..100")
 */
import type { ConnectionView } from '../../lambdas/domain/admin/contract';
import { NetworkError } from './api';
import type { ConnectionStore, PageContext } from './context';
import { createConversations } from './conversations';
import { createSignupCard } from './embedded-signup-view';
import { createCoexistenceNotices } from './handoff-view';
import { h, setText } from './dom';
import { chooseLocale, translator, type Translate } from './i18n';
import { dialog360 } from './providers/dialog360';
import { meta } from './providers/meta';
import { twilio } from './providers/twilio';
import { problemText } from './problems';
import { createAuthPanel, openSession, type AuthPanel } from './session';
import { createStatusCard } from './status';
import { createTemplatesSection } from './templates-section';
import { createWizard } from './wizard';

const POLL_MS = 3000;

async function boot(): Promise<void> {
  const languages = navigator.languages?.length ? navigator.languages : [navigator.language];
  const locale = chooseLocale(languages);
  const t = translator(locale);
  document.documentElement.lang = locale;
  document.title = t('page.title');
  const shell = renderShell(t);

  const session = await openSession(shell.authPanel);
  if (!session) return;
  const ctx: PageContext = { locale, t, session, announce: shell.announce, problemText: (error) => problemText(t, error) };
  const page = composePage(ctx, shell.app);
  session.onEnd(() => {
    page.stop();
    shell.app.hidden = true;
  });
  shell.authPanel.hide();
  shell.app.hidden = false;
  page.start();
}

function renderShell(t: Translate): { authPanel: AuthPanel; app: HTMLElement; announce(text: string): void } {
  const root = document.getElementById('root') ?? document.body;
  const announcer = h('div', { class: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const authPanel = createAuthPanel(t);
  const app = h('div', { class: 'app', hidden: true });
  root.replaceChildren(
    h('a', { class: 'skip-link', href: '#main' }, t('nav.skip')),
    h('header', { class: 'page-header' }, h('div', { class: 'page-header__inner' }, h('p', { class: 'eyebrow' }, t('page.eyebrow')), h('h1', {}, t('page.heading')), h('p', { class: 'lead' }, t('page.lead')))),
    h('main', { id: 'main', tabindex: -1 }, authPanel.element, app),
    announcer,
  );
  return {
    authPanel,
    app,
    announce(text) {
      // Cleared first so the same words said twice are announced twice.
      announcer.textContent = '';
      window.setTimeout(() => (announcer.textContent = text), 50);
    },
  };
}

/** Builds the signed-in page into `app`; `start` loads it and polls until `stop`. */
function composePage(ctx: PageContext, app: HTMLElement): { start(): void; stop(): void } {
  const { t } = ctx;
  const state: { view?: ConnectionView; refreshing: boolean; pollTimer?: number; tickTimer?: number } = { refreshing: false };

  const connection: ConnectionStore = {
    get view() {
      return state.view;
    },
    set(view) {
      state.view = view;
      wizard.render(view);
      status.render(view, wizard.next());
      notices.render(view);
      layout.classList.toggle('layout--connected', !!view.connected);
    },
    async reload() {
      const api = ctx.session.api;
      if (!api) return;
      connection.set(await api.get<ConnectionView>('connection'));
      wizard.prefill(state.view);
    },
  };
  const status = createStatusCard(ctx, connection, { onDisconnected: () => wizard.clearTest() });
  const notices = createCoexistenceNotices(ctx);
  const wizard = createWizard(ctx, connection, [twilio, meta, dialog360], {
    onStepChange: () => status.render(state.view, wizard.next()),
    // "Connect with Facebook" (Embedded Signup) heads Meta's steps when this deployment has Echo's Meta app.
    providerIntro: (id) => (id === 'meta' ? createSignupCard(ctx, connection, { onConnected: () => wizard.testNow() }).element : null),
  });
  const templates = createTemplatesSection(ctx, connection, { onChange: () => conversations.renderHeader() });
  const conversations = createConversations(ctx, { closedWindowReply: (send) => templates.closedWindowReply(send) });
  const pollNotice = h('p', { class: 'notice notice--warning', role: 'status', hidden: true });
  const layout = h('div', { class: 'layout' }, wizard.element, h('div', { class: 'layout__side' }, conversations.element, templates.element));
  app.replaceChildren(
    pollNotice,
    status.element,
    notices.element,
    h('nav', { class: 'section-nav', 'aria-label': t('nav.sections') }, h('a', { href: '#setup' }, t('nav.setup')), h('a', { href: '#conversations' }, t('nav.conversations')), templates.navLink),
    layout,
  );

  async function refresh(): Promise<void> {
    if (state.refreshing || !ctx.session.api) return;
    state.refreshing = true;
    try {
      const results = await Promise.allSettled([connection.reload().then(templates.load), conversations.load(), conversations.loadMessages()]);
      const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failure) {
        if (ctx.session.handleError(failure.reason)) return;
        setText(pollNotice, failure.reason instanceof NetworkError ? t('poll.offline') : t('poll.failed'));
        pollNotice.hidden = false;
      } else {
        pollNotice.hidden = true;
      }
    } finally {
      state.refreshing = false;
    }
  }

  return {
    start() {
      void refresh();
      state.pollTimer = window.setInterval(() => {
        if (!document.hidden) void refresh();
      }, POLL_MS);
      state.tickTimer = window.setInterval(() => {
        if (!ctx.session.api) return;
        status.tick();
        conversations.tick();
      }, 1000);
      document.addEventListener('visibilitychange', () => {
        if (!document.hidden && ctx.session.api) void refresh();
      });
    },
    stop() {
      window.clearInterval(state.pollTimer);
      window.clearInterval(state.tickTimer);
      state.pollTimer = state.tickTimer = undefined;
    },
  };
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => void boot());
else void boot();
