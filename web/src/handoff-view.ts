/**
 * The hand-off on screen: in the open thread, "You're replying — AI paused until …" with "Resume
 * AI", or "Pause AI" (both through the admin API, which audits them); on the connection, Meta's
 * removal with its reason and the chat-history import's progress.
 */
import type { ConnectionView, ConversationView } from '../../lambdas/domain/admin/contract';
import type { PageContext } from './context';
import { h, setAttr, setText } from './dom';
import { formatDateTime } from './format';
import { connectionNotices, handoffState } from './handoff';

export interface HandoffBar {
  readonly element: HTMLElement;
  /** Shows `view`'s hand-off at `now` (a pause whose end passed reads as over). */
  render(view: ConversationView, now: number): void;
}

/**
 * @param hooks.changed gets the conversation as the API answered a pause or resume.
 */
export function createHandoffBar(ctx: PageContext, hooks: { changed(view: ConversationView): void }): HandoffBar {
  const { t } = ctx;
  let shown: ConversationView | undefined;
  const text = h('p', { class: 'handoff__text', 'data-testid': 'handoff-text' });
  const button = h('button', { type: 'button', class: 'button button--small', 'data-testid': 'pause-ai', onclick: () => void toggle() });
  const status = h('p', { class: 'form-status', role: 'status' });
  const element = h('div', { class: 'handoff', 'data-testid': 'handoff', role: 'group', 'aria-label': t('handoff.tag') }, text, button, status);

  async function toggle(): Promise<void> {
    const api = ctx.session.api;
    const view = shown;
    if (!api || !view) return;
    const pause = !handoffState(view, Date.now()).paused;
    button.disabled = true;
    setText(status, '');
    try {
      const path = `conversations/${encodeURIComponent(view.conversationId)}/${pause ? 'pause' : 'resume'}`;
      const answer = await api.send<ConversationView>('POST', path, pause ? {} : undefined);
      hooks.changed(answer);
      const state = handoffState(answer, Date.now());
      ctx.announce(state.paused && state.until !== undefined ? t('handoff.pausedAdmin', { time: formatDateTime(state.until, ctx.locale) }) : t('handoff.resumed'));
    } catch (error) {
      if (ctx.session.handleError(error)) return;
      setText(status, ctx.problemText(error));
      status.className = 'form-status form-status--error';
    } finally {
      button.disabled = false;
    }
  }

  return {
    element,
    render(view, now) {
      shown = view;
      const state = handoffState(view, now);
      setAttr(element, 'data-paused', String(state.paused));
      element.classList.toggle('handoff--paused', state.paused);
      setText(text, state.until !== undefined ? t(state.text, { time: formatDateTime(state.until, ctx.locale) }) : t(state.text, { time: '—' }));
      setAttr(button, 'data-testid', state.paused ? 'resume-ai' : 'pause-ai');
      setText(button, t(state.paused ? 'handoff.resume' : 'handoff.pause'));
    },
  };
}

export interface CoexistenceNotices {
  readonly element: HTMLElement;
  render(view: ConnectionView | undefined): void;
}

/** Why Meta disconnected the number, and how the chat-history import goes; hidden when neither applies. */
export function createCoexistenceNotices(ctx: PageContext): CoexistenceNotices {
  const { t } = ctx;
  const removed = h('p', { class: 'notice notice--warning', 'data-testid': 'partner-removed', hidden: true });
  const history = h('p', { class: 'notice', 'data-testid': 'history-import', role: 'status', hidden: true });
  const progress = h('progress', { class: 'history-progress', max: 100, value: 0, 'aria-hidden': 'true', hidden: true });
  const element = h('div', { class: 'coexistence-notices' }, removed, history, progress);
  return {
    element,
    render(view) {
      const notices = connectionNotices(view?.provider ? view : undefined);
      removed.hidden = !notices.removed;
      if (notices.removed) {
        const { at, reason } = notices.removed;
        setText(removed, t('disabled.partnerRemoved', { date: Number.isNaN(at) ? '—' : formatDateTime(at, ctx.locale), reason: t(reason.key, reason.code ? { code: reason.code } : undefined) }));
      }
      history.hidden = !notices.history;
      progress.hidden = notices.history?.key !== 'history.importing';
      if (notices.history) {
        setText(history, t(notices.history.key, { progress: notices.history.progress, messages: notices.history.messages }));
        setAttr(history, 'data-progress', String(notices.history.progress));
        progress.value = notices.history.progress;
      }
    },
  };
}
