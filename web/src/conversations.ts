/**
 * Conversations: the list (newest first, with each one's 24-hour window), the open thread with
 * delivery ticks, older pages on demand, and the reply form. Sending is shared with the template
 * form (`templates-section.ts`), which lives inside the thread.
 */
import type { ConversationsPage, ConversationView, MessagesPage, MessageView, PostMessageBody, SendAccepted } from '../../lambdas/domain/admin/contract';
import type { PageContext } from './context';
import { h, scrollBehavior, setAttr, setText, srOnly, syncList } from './dom';
import { formatCountdown, formatDateTime, formatMessageTime, formatRelative, tickFor, windowPhase } from './format';
import type { Translate } from './i18n';
import { failureDetails, failureKey, messageBody, type MessageBody } from './messages';
import { renderMedia } from './media-view';
import { templateDisplayName } from './templates-section';
import { handoffState, senderKey } from './handoff';
import { createHandoffBar } from './handoff-view';

/** A form that sends into the open thread: its pending idempotency key is kept per form. */
export interface SendForm {
  form: 'reply' | 'template';
  button: HTMLButtonElement;
  status: HTMLElement;
}

/** Sends `content` to the open conversation; true when the API accepted it. */
export type ThreadSender = (form: SendForm, content: PostMessageBody['content'], text?: string) => Promise<boolean>;

/** What the thread shows below the reply form when the window has closed (the template form). */
export interface ClosedWindowReply {
  readonly element: HTMLElement;
  update(view: ConversationView, closed: boolean): void;
}

export interface Conversations {
  readonly element: HTMLElement;
  load(): Promise<void>;
  /** Reloads the open thread's newest page (nothing when no thread is open). */
  loadMessages(): Promise<void>;
  /** Redraws the open thread's header: window countdown, what can be sent. */
  renderHeader(): void;
  /** Every second: countdowns and "x minutes ago" move without waiting for the next poll. */
  tick(): void;
}

interface Thread {
  conversationId: string;
  messages: Map<string, MessageView>;
  olderCursor?: string;
  firstPageLoaded: boolean;
}

export function createConversations(ctx: PageContext, options: { closedWindowReply(send: ThreadSender): ClosedWindowReply }): Conversations {
  const { t } = ctx;
  const state: {
    items: Map<string, ConversationView>;
    cursor?: string;
    pagedByUser: boolean;
    thread?: Thread;
    /**
     * The idempotency key of each form's last send that has not been accepted yet, with what it sent:
     * the same content retried after a failure keeps its key, so it is never sent twice.
     */
    pendingSends: Map<SendForm['form'], { conversationId: string; signature: string; idempotencyKey: string }>;
    /** Replies shown from the 202 answer, not yet listed by the API: message id → idempotency key. */
    optimistic: Map<string, string>;
  } = { items: new Map(), pagedByUser: false, pendingSends: new Map(), optimistic: new Map() };

  const list = h('ul', { class: 'conversation-list', 'aria-labelledby': 'conversations-title' });
  const empty = h('p', { class: 'muted' }, t('conversations.empty'));
  const more = h('button', { type: 'button', class: 'button', hidden: true, onclick: () => void loadMore() }, t('conversations.more'));
  const threadTitle = h('h3', { id: 'thread-title', tabindex: -1 });
  const threadNumber = h('p', { class: 'thread__number' });
  const countdown = h('p', { class: 'window', 'data-testid': 'window-countdown', id: 'thread-window' });
  const loadOlderButton = h('button', { type: 'button', class: 'button button--small', 'data-testid': 'load-older', hidden: true, onclick: () => void loadOlder() }, t('thread.loadOlder'));
  const messageList = h('ol', { class: 'messages', 'aria-labelledby': 'thread-title', tabindex: 0 });
  const replyText = h('textarea', {
    id: 'reply-text',
    name: 'reply',
    rows: 2,
    'data-testid': 'reply-text',
    'aria-describedby': 'reply-hint thread-window',
    onkeydown: (event: Event) => {
      const key = event as KeyboardEvent;
      if (key.key === 'Enter' && !key.shiftKey && !key.isComposing) {
        key.preventDefault();
        replyForm.requestSubmit();
      }
    },
  });
  const replySend = h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'reply-send' }, t('reply.send'));
  const replyStatus = h('p', { class: 'form-status', role: 'status' });
  const replyForm = h(
    'form',
    { class: 'reply', novalidate: true, onsubmit: (event: Event) => void sendReply(event) },
    h('label', { for: 'reply-text' }, t('reply.label')),
    h('p', { id: 'reply-hint', class: 'hint' }, t('reply.hint')),
    h('div', { class: 'reply__row' }, replyText, replySend),
    replyStatus,
  );
  // The AI/owner hand-off of the open conversation: "You're replying — AI paused until …", Resume / Pause AI.
  const handoff = createHandoffBar(ctx, {
    changed: (view) => {
      state.items.set(view.conversationId, view);
      renderList();
      renderHeader();
    },
  });
  const closedWindowReply = options.closedWindowReply((form, content, text) => (state.thread ? sendToThread(state.thread, form, content, text) : Promise.resolve(false)));
  const placeholder = h('p', { class: 'muted thread__placeholder' }, t('thread.pick'));
  const threadBody = h(
    'div',
    { class: 'thread__body', hidden: true },
    h('header', { class: 'thread__header' }, threadTitle, threadNumber, countdown, handoff.element),
    loadOlderButton,
    messageList,
    replyForm,
    closedWindowReply.element,
  );
  const threadPanel = h('section', { class: 'card thread', 'aria-label': t('thread.label') }, placeholder, threadBody);
  const element = h(
    'section',
    { id: 'conversations', class: 'conversations', 'aria-labelledby': 'conversations-title' },
    h('h2', { id: 'conversations-title' }, t('conversations.title')),
    h('p', { class: 'muted' }, t('conversations.intro')),
    h('div', { class: 'conversations__grid' }, h('div', { class: 'card conversation-panel' }, list, empty, more), threadPanel),
  );

  const handle = (error: unknown, status?: HTMLElement) => {
    if (ctx.session.handleError(error)) return;
    if (status) setText(status, ctx.problemText(error));
    else ctx.announce(ctx.problemText(error));
  };

  function renderList(): void {
    const now = Date.now();
    const items = [...state.items.values()].sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt));
    empty.hidden = items.length > 0;
    more.hidden = !state.cursor;
    syncList(
      list,
      items,
      (item) => item.conversationId,
      (item) => h('li', {}, h('button', { type: 'button', class: 'conversation', 'data-testid': 'conversation-item', onclick: () => void select(item.conversationId, true) })),
      (item, view) => {
        const button = item.firstElementChild as HTMLButtonElement;
        const { name, number } = customerLabel(view);
        const at = Date.parse(view.lastMessageAt);
        setAttr(button, 'aria-current', state.thread?.conversationId === view.conversationId ? 'true' : undefined);
        setAttr(button, 'data-conversation-id', view.conversationId);
        if (!button.querySelector('.conversation__name')) {
          button.replaceChildren(
            h('span', { class: 'conversation__top' }, h('span', { class: 'conversation__name' }), h('time', { class: 'conversation__time' })),
            h('span', { class: 'conversation__number' }),
            h('span', { class: 'conversation__window window', 'data-testid': 'conversation-window' }),
            h('span', { class: 'tag conversation__paused', 'data-testid': 'conversation-paused', hidden: true }, t('handoff.tag')),
          );
        }
        const paused = button.querySelector<HTMLElement>('.conversation__paused');
        if (paused) paused.hidden = !handoffState(view, now).paused;
        setText(button.querySelector('.conversation__name') as Element, name);
        setText(button.querySelector('.conversation__number') as Element, number ?? '');
        const time = button.querySelector('time') as HTMLTimeElement;
        setAttr(time, 'datetime', Number.isNaN(at) ? undefined : new Date(at).toISOString());
        setText(time, Number.isNaN(at) ? '' : formatRelative(at, now, ctx.locale));
        setAttr(time, 'title', Number.isNaN(at) ? undefined : formatDateTime(at, ctx.locale));
        renderWindow(t, button.querySelector('.conversation__window') as HTMLElement, view, now);
      },
    );
  }

  async function load(): Promise<void> {
    const api = ctx.session.api;
    if (!api) return;
    const page = await api.get<ConversationsPage>('conversations', { limit: 20 });
    for (const item of page.items) state.items.set(item.conversationId, item);
    if (!state.pagedByUser) state.cursor = page.nextCursor;
    renderList();
    renderHeader();
  }

  async function loadMore(): Promise<void> {
    const api = ctx.session.api;
    if (!api || !state.cursor) return;
    try {
      const page = await api.get<ConversationsPage>('conversations', { limit: 20, cursor: state.cursor });
      for (const item of page.items) state.items.set(item.conversationId, item);
      state.cursor = page.nextCursor;
      state.pagedByUser = true;
      renderList();
    } catch (error) {
      handle(error);
    }
  }

  async function select(conversationId: string, focus: boolean): Promise<void> {
    if (state.thread?.conversationId !== conversationId) {
      state.thread = { conversationId, messages: new Map(), firstPageLoaded: false };
      messageList.replaceChildren();
      setText(replyStatus, '');
    }
    placeholder.hidden = true;
    threadBody.hidden = false;
    renderList();
    renderHeader();
    if (focus) {
      threadTitle.focus({ preventScroll: true });
      threadPanel.scrollIntoView({ block: 'nearest', behavior: scrollBehavior() });
    }
    try {
      await loadMessages();
    } catch (error) {
      handle(error, replyStatus);
    }
  }

  function renderHeader(): void {
    if (!state.thread) return;
    const view = state.items.get(state.thread.conversationId);
    if (!view) return;
    const { name, number } = customerLabel(view);
    setText(threadTitle, name);
    setText(threadNumber, number ?? '');
    threadNumber.hidden = !number;
    renderWindow(t, countdown, view, Date.now());
    handoff.render(view, Date.now());
    const closed = windowPhase(view.window, Date.now()).phase === 'closed';
    replyText.disabled = closed;
    replySend.disabled = closed;
    closedWindowReply.update(view, closed);
  }

  async function loadMessages(): Promise<void> {
    const api = ctx.session.api;
    const current = state.thread;
    if (!api || !current) return;
    const page = await api.get<MessagesPage>(`conversations/${encodeURIComponent(current.conversationId)}/messages`, { limit: 50 });
    if (state.thread !== current) return;
    for (const item of page.items) current.messages.set(item.messageId, item);
    // A reply shown before the API listed it goes once the API lists it (same id, or same idempotency key).
    for (const [messageId, key] of state.optimistic) {
      const listed = page.items.find((item) => item.messageId === messageId || (key && item.idempotencyKey === key));
      if (!listed) continue;
      state.optimistic.delete(messageId);
      if (listed.messageId !== messageId) current.messages.delete(messageId);
    }
    if (!current.firstPageLoaded) {
      current.olderCursor = page.nextCursor;
      current.firstPageLoaded = true;
    }
    renderMessages(false);
  }

  async function loadOlder(): Promise<void> {
    const api = ctx.session.api;
    const current = state.thread;
    if (!api || !current?.olderCursor) return;
    try {
      const page = await api.get<MessagesPage>(`conversations/${encodeURIComponent(current.conversationId)}/messages`, { limit: 50, cursor: current.olderCursor });
      if (state.thread !== current) return;
      for (const item of page.items) current.messages.set(item.messageId, item);
      current.olderCursor = page.nextCursor;
      // Keep the messages on screen where they were while older ones appear above.
      const fromBottom = messageList.scrollHeight - messageList.scrollTop;
      renderMessages(false, true);
      messageList.scrollTop = messageList.scrollHeight - fromBottom;
    } catch (error) {
      handle(error, replyStatus);
    }
  }

  function renderMessages(scrollToEnd: boolean, keepScroll = false): void {
    const thread = state.thread;
    if (!thread) return;
    const nearBottom = messageList.scrollHeight - messageList.scrollTop - messageList.clientHeight < 80;
    const wasEmpty = messageList.children.length === 0;
    const now = Date.now();
    const items = [...thread.messages.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.messageId.localeCompare(b.messageId));
    loadOlderButton.hidden = !thread.olderCursor;
    syncList(
      messageList,
      items,
      (item) => item.messageId,
      () => h('li', { class: 'message', 'data-testid': 'message-item' }),
      (item, message) => {
        const status = message.direction === 'outbound' ? (message.status ?? 'queued') : (message.status ?? 'received');
        const signature = JSON.stringify([message.text, message.content, message.type, message.status, message.errorCode, message.errorReason, message.failureReason, message.createdAt, message.sentBy, message.imported, ctx.locale]);
        setAttr(item, 'data-direction', message.direction);
        setAttr(item, 'data-status', status);
        setAttr(item, 'data-message-id', message.messageId);
        item.className = `message message--${message.direction}${message.status === 'failed' || message.status === 'undelivered' ? ' message--failed' : ''}`;
        if (item.dataset.signature === signature) return;
        item.dataset.signature = signature;
        const at = Date.parse(message.createdAt);
        const tick = message.direction === 'outbound' ? tickFor(message.status) : undefined;
        const failed = message.status === 'failed' || message.status === 'undelivered';
        const body = messageBody(t, message, (name) => templateDisplayName(t, name));
        const sender = senderKey(message);
        setAttr(item, 'data-sent-by', message.sentBy);
        item.replaceChildren(
          h(
            'div',
            { class: 'bubble' },
            srOnly(`${t(message.direction === 'inbound' ? 'message.fromCustomer' : 'message.fromYou')}: `),
            body.label ? h('p', { class: 'bubble__label' }, body.label) : null,
            // A link that expired before it was used (15 minutes): drawn again with the next poll's.
            renderMedia(t, ctx.locale, message.media, { caption: body.text, onLinkExpired: () => delete item.dataset.signature }),
            body.text ? h('p', { class: 'bubble__text' }, body.text) : null,
            body.options ? renderOptions(t, body.options) : null,
            sender ? h('p', { class: 'bubble__sender', 'data-testid': 'message-sender' }, t(sender)) : null,
            h(
              'p',
              { class: 'bubble__meta' },
              h('time', { datetime: Number.isNaN(at) ? undefined : new Date(at).toISOString(), title: Number.isNaN(at) ? undefined : formatDateTime(at, ctx.locale) }, Number.isNaN(at) ? '' : formatMessageTime(at, now, ctx.locale)),
              tick ? h('span', { class: `tick tick--${tick.tone}`, role: 'img', 'aria-label': t(tick.label), title: t(tick.label) }, tick.symbol) : null,
            ),
            failed ? renderFailure(t, message) : null,
          ),
        );
      },
    );
    if (!keepScroll && (scrollToEnd || nearBottom || wasEmpty)) messageList.scrollTop = messageList.scrollHeight;
  }

  async function sendReply(event: Event): Promise<void> {
    event.preventDefault();
    const current = state.thread;
    if (!ctx.session.api || !current) return;
    const text = replyText.value.trim();
    if (!text) {
      setText(replyStatus, t('reply.empty'));
      replyStatus.className = 'form-status form-status--error';
      replyText.focus();
      return;
    }
    const sent = await sendToThread(current, { form: 'reply', button: replySend, status: replyStatus }, { type: 'text', text }, text);
    if (sent && replyText.value.trim() === text) replyText.value = '';
    renderHeader();
  }

  /**
   * Sends one message to the open conversation the way both forms do: the form's pending idempotency
   * key for the same content (a new one otherwise), the button busy meanwhile, the accepted message
   * shown at once with its ticks (until the API lists it), errors in the form's status line.
   * @returns true when the API accepted the message
   */
  async function sendToThread(current: Thread, form: SendForm, content: PostMessageBody['content'], text?: string): Promise<boolean> {
    const api = ctx.session.api;
    if (!api) return false;
    const signature = JSON.stringify(content);
    const pending = state.pendingSends.get(form.form);
    const idempotencyKey = pending && pending.signature === signature && pending.conversationId === current.conversationId ? pending.idempotencyKey : uuid();
    state.pendingSends.set(form.form, { conversationId: current.conversationId, signature, idempotencyKey });
    form.button.disabled = true;
    form.button.setAttribute('aria-busy', 'true');
    setText(form.status, '');
    try {
      const accepted = await api.send<SendAccepted>('POST', `conversations/${encodeURIComponent(current.conversationId)}/messages`, { content, idempotencyKey });
      state.pendingSends.delete(form.form);
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
        state.optimistic.set(accepted.messageId, accepted.idempotencyKey);
      }
      if (state.thread === current) renderMessages(true);
      ctx.announce(t('reply.sent'));
      return true;
    } catch (error) {
      if (ctx.session.handleError(error)) return false;
      setText(form.status, ctx.problemText(error));
      form.status.className = 'form-status form-status--error';
      return false;
    } finally {
      form.button.disabled = false;
      form.button.removeAttribute('aria-busy');
    }
  }

  return {
    element,
    load,
    loadMessages: () => (state.thread ? loadMessages() : Promise.resolve()),
    renderHeader,
    tick() {
      const now = Date.now();
      for (const button of Array.from(list.querySelectorAll<HTMLElement>('[data-conversation-id]'))) {
        const view = state.items.get(button.dataset.conversationId ?? '');
        const window = button.querySelector<HTMLElement>('.conversation__window');
        if (view && window) renderWindow(t, window, view, now);
      }
      renderHeader();
    },
  };
}

function customerLabel(view: ConversationView): { name: string; number?: string } {
  return view.customer.name ? { name: view.customer.name, number: view.customer.id } : { name: view.customer.id };
}

/** Text and phase of a conversation's window at `now`. */
function windowText(t: Translate, view: ConversationView, now: number): { phase: string; text: string } {
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

function renderWindow(t: Translate, element: HTMLElement, view: ConversationView, now: number): void {
  const { phase, text } = windowText(t, view, now);
  setAttr(element, 'data-phase', phase);
  setText(element, `${phase === 'warning' ? '⚠ ' : ''}${text}`);
}

/** The buttons or list rows a customer was offered, as they saw them. */
function renderOptions(t: Translate, options: NonNullable<MessageBody['options']>): HTMLElement {
  return h(
    'div',
    { class: 'bubble__options', 'data-testid': 'message-options', 'data-kind': options.kind },
    options.button ? h('p', { class: 'bubble__list-button' }, t('message.listButton', { button: options.button })) : null,
    h(
      'ul',
      { 'aria-label': t('message.options') },
      ...options.items.map((option) => h('li', { class: 'bubble__option' }, option.title, option.description ? h('span', { class: 'bubble__option-description' }, option.description) : null)),
    ),
  );
}

/** Why it failed, for the owner; what the BSP and our pipeline said behind "Details". */
function renderFailure(t: Translate, message: MessageView): HTMLElement {
  const details = failureDetails(t, message);
  return h(
    'div',
    { class: 'bubble__error' },
    h('p', { 'data-testid': 'failure-reason' }, t(failureKey(message))),
    details.length
      ? h('details', { class: 'bubble__details', 'data-testid': 'failure-details' }, h('summary', {}, t('message.details')), h('ul', {}, ...details.map((line) => h('li', {}, line))))
      : null,
  );
}

function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
