/**
 * The status card: Connected / Not connected, the number and its provider, what the BSP says about
 * it (verified name, quality rating), when the last customer message arrived, and Disconnect
 * (confirmed inline).
 */
import type { ConnectionView } from '../../lambdas/domain/admin/contract';
import { attentionNotice } from './attention';
import { activeConnection, PROVIDER_NAMES, type ConnectionStore, type PageContext } from './context';
import { h, setAttr, setText } from './dom';
import { formatDateTime, formatRelative } from './format';
import type { MessageKey } from './i18n';

/** Meta's quality ratings, in words. */
const QUALITY: Readonly<Record<string, MessageKey>> = { GREEN: 'quality.GREEN', YELLOW: 'quality.YELLOW', RED: 'quality.RED', UNKNOWN: 'quality.UNKNOWN' };

export interface StatusCard {
  readonly element: HTMLElement;
  /** `next`: the wizard's current step, which the "credentials saved" line names. */
  render(view: ConnectionView | undefined, next: { number: number; title: string }): void;
  /** Every second: "x minutes ago" moves between polls. */
  tick(): void;
}

export function createStatusCard(ctx: PageContext, connection: ConnectionStore, hooks: { onDisconnected(): void }): StatusCard {
  const { t } = ctx;
  const badge = h('p', { class: 'badge badge--off', role: 'status', 'data-testid': 'connection-status' }, t('status.notConnected'));
  const detail = h('p', { class: 'status-detail', 'data-testid': 'status-detail' }, t('status.loading'));
  // The BSP refused the credentials: why, when, and what to do (the badge says "Needs attention").
  const attentionReason = h('p', { 'data-testid': 'attention-reason' });
  const attentionRemedy = h('p', { 'data-testid': 'attention-remedy' });
  const attention = h('div', { class: 'notice notice--warning status-attention', 'data-testid': 'connection-attention', hidden: true }, attentionReason, attentionRemedy);
  const number = h('dd', {}, '—');
  const lastInbound = h('dd', { 'data-testid': 'last-inbound' }, '—');
  const fact = (label: MessageKey, testid: string) => {
    const value = h('dd', { 'data-testid': testid });
    return { row: h('div', { hidden: true }, h('dt', {}, t(label)), value), value };
  };
  const provider = fact('status.provider', 'connection-provider');
  const verifiedName = fact('status.verifiedName', 'verified-name');
  const quality = fact('status.quality', 'quality-rating');
  const disconnectButton = h('button', { type: 'button', class: 'button button--danger-outline', 'data-testid': 'disconnect', hidden: true, onclick: () => openConfirm() }, t('disconnect.button'));
  const cancel = h('button', { type: 'button', class: 'button', onclick: () => closeConfirm(true) }, t('disconnect.cancel'));
  const confirm = h(
    'div',
    { class: 'confirm', role: 'group', 'aria-labelledby': 'disconnect-question', 'data-testid': 'disconnect-confirm', hidden: true, onkeydown: (event: Event) => (event as KeyboardEvent).key === 'Escape' && closeConfirm(true) },
    h('p', { id: 'disconnect-question' }, t('disconnect.question')),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button button--danger', onclick: () => void disconnect() }, t('disconnect.confirm')), cancel),
  );
  const disconnectStatus = h('p', { class: 'form-status', role: 'status' });
  const element = h(
    'section',
    { class: 'card status-card', 'aria-labelledby': 'status-title' },
    h('div', { class: 'status-card__head' }, h('h2', { id: 'status-title', tabindex: -1 }, t('status.title')), badge),
    detail,
    attention,
    h(
      'dl',
      { class: 'facts' },
      h('div', {}, h('dt', {}, t('status.number')), number),
      h('div', {}, h('dt', {}, t('status.lastInbound')), lastInbound),
      provider.row,
      verifiedName.row,
      quality.row,
    ),
    h('div', { class: 'actions' }, disconnectButton),
    confirm,
    disconnectStatus,
  );

  function renderLastInbound(): void {
    const view = connection.view;
    const at = view?.provider && view.lastInboundAt ? Date.parse(view.lastInboundAt) : NaN;
    if (Number.isNaN(at)) {
      setText(lastInbound, t('status.noMessages'));
      return;
    }
    const text = `${formatDateTime(at, ctx.locale)} (${formatRelative(at, Date.now(), ctx.locale)})`;
    let time = lastInbound.querySelector('time');
    if (!time) {
      time = h('time', {});
      lastInbound.replaceChildren(time);
    }
    setAttr(time, 'datetime', new Date(at).toISOString());
    setText(time, text);
  }

  function openConfirm(): void {
    confirm.hidden = false;
    cancel.focus();
  }

  function closeConfirm(returnFocus: boolean): void {
    confirm.hidden = true;
    if (returnFocus && !disconnectButton.hidden) disconnectButton.focus();
  }

  async function disconnect(): Promise<void> {
    const api = ctx.session.api;
    if (!api) return;
    try {
      await api.send('DELETE', 'connection');
      closeConfirm(false);
      hooks.onDisconnected();
      setText(disconnectStatus, t('disconnect.done'));
      await connection.reload();
      document.getElementById('status-title')?.focus();
    } catch (error) {
      if (!ctx.session.handleError(error)) setText(disconnectStatus, ctx.problemText(error));
    }
  }

  return {
    element,
    render(view, next) {
      const connected = !!view?.connected;
      const notice = attentionNotice(view, t, ctx.locale);
      setText(badge, notice ? t('status.needsAttention') : connected ? t('status.connected') : t('status.notConnected'));
      badge.className = `badge ${notice ? 'badge--attention' : connected ? 'badge--on' : 'badge--off'}`;
      attention.hidden = !notice;
      setText(attentionReason, notice?.reason ?? '');
      setText(attentionRemedy, notice?.remedy ?? '');
      const active = activeConnection(view);
      const key: MessageKey = !active ? 'status.detail.none' : active.verified ? 'status.detail.connected' : 'status.detail.unverified';
      setText(detail, t(key, active ? { provider: t(PROVIDER_NAMES[active.provider]), step: next.title, n: next.number } : undefined));
      setText(number, active?.displayNumber ?? '—');
      const show = (item: ReturnType<typeof fact>, text: string | undefined) => {
        item.row.hidden = !text;
        setText(item.value, text ?? '');
      };
      show(provider, active && t(PROVIDER_NAMES[active.provider]));
      show(verifiedName, active?.facts?.verifiedName);
      const rating = active?.facts?.qualityRating?.toUpperCase();
      show(quality, rating && t(QUALITY[rating] ?? 'quality.UNKNOWN'));
      renderLastInbound();
      disconnectButton.hidden = view?.status !== 'active';
      if (disconnectButton.hidden) confirm.hidden = true;
    },
    tick: renderLastInbound,
  };
}
