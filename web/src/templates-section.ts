/**
 * The Templates section (the business's templates with their approval status, and "Create the
 * re-engagement template") and, inside a closed-window thread, the form that sends the approved
 * re-engagement template. The rules behind both are pure, in `templates.ts`.
 */
import type { ConversationView, TemplatesList, TemplateView } from '../../lambdas/domain/admin/contract';
import { ApiError } from './api';
import { activeConnection, PROVIDER_NAMES, type ConnectionStore, type PageContext } from './context';
import type { ClosedWindowReply, ThreadSender } from './conversations';
import { h, scrollBehavior, setAttr, setText, syncList } from './dom';
import { formatDateTime } from './format';
import type { Translate } from './i18n';
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

/** A template's name for people: the re-engagement template in the reader's language, others as registered. */
export function templateDisplayName(t: Translate, name: string): string {
  return name === REENGAGEMENT_NAME ? t('templates.name.reengagement') : name;
}

export interface TemplatesSection {
  readonly element: HTMLElement;
  /** The nav link to the section, shown with it. */
  readonly navLink: HTMLAnchorElement;
  /** Reads the templates (none without an active connection) and shows them. */
  load(): Promise<void>;
  /** The template form a closed-window thread shows; `send` sends into that thread. */
  closedWindowReply(send: ThreadSender): ClosedWindowReply;
}

export function createTemplatesSection(ctx: PageContext, connection: ConnectionStore, hooks: { onChange(): void }): TemplatesSection {
  const { t } = ctx;
  /** The business's templates (undefined until the first load); `unsupported` when its provider has none in Echo yet. */
  const state: { templates?: TemplateView[]; unsupported: boolean } = { unsupported: false };

  const list = h('ul', { class: 'template-list', 'aria-labelledby': 'templates-title' });
  const empty = h('p', { class: 'muted' }, t('templates.loading'));
  const create = h('button', { type: 'button', class: 'button button--primary', 'data-testid': 'create-reengagement', 'aria-describedby': 'create-template-hint', onclick: () => void createReengagement() }, t('templates.create'));
  const createRow = h('div', { class: 'template-create', hidden: true }, h('p', { id: 'create-template-hint', class: 'hint' }, t('templates.createHint')), h('div', { class: 'actions' }, create));
  const status = h('p', { class: 'form-status', role: 'status' });
  const element = h(
    'section',
    { id: 'templates', class: 'card templates', 'aria-labelledby': 'templates-title', 'data-testid': 'templates-section', tabindex: -1, hidden: true },
    h('h2', { id: 'templates-title' }, t('templates.title')),
    h('p', { class: 'muted' }, t('templates.intro')),
    list,
    empty,
    createRow,
    status,
  );
  const navLink = h('a', { href: '#templates', hidden: true }, t('nav.templates'));

  function renderList(): void {
    const active = connection.view?.status === 'active';
    element.hidden = !active;
    navLink.hidden = !active;
    if (!active) return;
    const items = state.templates ?? [];
    const provider = activeConnection(connection.view)?.provider;
    setText(empty, state.unsupported && provider ? t('templates.notSupported', { provider: t(PROVIDER_NAMES[provider]) }) : state.templates ? t('templates.empty') : t('templates.loading'));
    empty.hidden = items.length > 0;
    createRow.hidden = !state.templates || state.unsupported || !canCreateReengagement(items);
    // "Created and submitted" is old news once the template is approved.
    if (status.classList.contains('form-status--ok') && sendableReengagement(items)) setText(status, '');
    syncList(
      list,
      items,
      (item) => `${item.name}#${item.language}`,
      () => h('li', { class: 'template', 'data-testid': 'template-item' }, h('span', { class: 'template__name' }), h('span', { class: 'template__status' }), h('span', { class: 'template__meta' })),
      (item, template) => {
        const approval = template.approvalStatus;
        setAttr(item, 'data-status', approval);
        setText(item.querySelector('.template__name') as Element, templateDisplayName(t, template.name));
        const badge = item.querySelector('.template__status') as HTMLElement;
        setText(badge, t(templateStatusKey(approval)));
        badge.className = `template__status template__status--${approval === 'approved' ? 'ok' : approval === 'rejected' ? 'error' : 'wait'}`;
        const at = template.updatedAt ? Date.parse(template.updatedAt) : NaN;
        const meta = [t('templates.language', { language: template.language })];
        if (!Number.isNaN(at)) meta.push(t('templates.updated', { time: formatDateTime(at, ctx.locale) }));
        setText(item.querySelector('.template__meta') as Element, meta.join(' · '));
      },
    );
  }

  async function createReengagement(): Promise<void> {
    const api = ctx.session.api;
    if (!api) return;
    create.disabled = true;
    create.setAttribute('aria-busy', 'true');
    setText(status, '');
    try {
      const view = await api.send<TemplateView>('POST', 'templates/reengagement');
      state.templates = [...(state.templates ?? []).filter((item) => !(item.name === view.name && item.language === view.language)), view];
      setText(status, t('templates.created'));
      status.className = 'form-status form-status--ok';
      renderList();
      hooks.onChange();
    } catch (error) {
      if (ctx.session.handleError(error)) return;
      setText(status, ctx.problemText(error));
      status.className = 'form-status form-status--error';
    } finally {
      create.disabled = false;
      create.removeAttribute('aria-busy');
    }
  }

  function closedWindowReply(send: ThreadSender): ClosedWindowReply {
    /** Which conversation and template the fields were built for (rebuilt only when it changes). */
    let formKey = '';
    const fields = h('div', { class: 'template-fields' });
    const sendButton = h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'template-send' }, t('template.send'));
    const formStatus = h('p', { class: 'form-status', role: 'status' });
    const form = h(
      'form',
      { class: 'template-form', novalidate: true, 'aria-labelledby': 'template-title', hidden: true, onsubmit: (event: Event) => void sendTemplate(event) },
      h('h4', { id: 'template-title' }, t('template.title')),
      h('p', { class: 'hint' }, t('template.intro')),
      fields,
      h('div', { class: 'actions' }, sendButton),
      formStatus,
    );
    const unavailable = h(
      'div',
      { class: 'notice template-unavailable', hidden: true },
      h('p', {}, t('template.unavailable')),
      h('a', { href: '#templates', onclick: (event: Event) => (event.preventDefault(), element.scrollIntoView({ block: 'start', behavior: scrollBehavior() }), element.focus({ preventScroll: true })) }, t('template.goToTemplates')),
    );

    function setFieldError(input: HTMLInputElement, invalid: boolean): void {
      setAttr(input, 'aria-invalid', invalid ? 'true' : undefined);
      const error = document.getElementById(`${input.id}-error`);
      if (error) setText(error, invalid ? t('template.missing') : '');
    }

    async function sendTemplate(event: Event): Promise<void> {
      event.preventDefault();
      if (!ctx.session.api || !state.templates) return;
      const template = sendableReengagement(state.templates);
      if (!template) return;
      const inputs = Array.from(fields.querySelectorAll<HTMLInputElement>('input[data-variable]'));
      const values: Record<string, string> = {};
      for (const input of inputs) values[input.dataset.variable ?? ''] = input.value;
      const missing = missingVariables(values);
      for (const input of inputs) setFieldError(input, missing.includes(input.dataset.variable ?? ''));
      if (missing.length > 0) {
        setText(formStatus, t('template.missing'));
        formStatus.className = 'form-status form-status--error';
        inputs.find((input) => input.dataset.variable === missing[0])?.focus();
        return;
      }
      const variables = Object.fromEntries(Object.entries(values).map(([name, value]) => [name, value.trim()]));
      await send({ form: 'template', button: sendButton, status: formStatus }, { type: 'template', template: { name: template.name, language: template.language, variables } });
    }

    return {
      element: h('div', { class: 'template-reply' }, form, unavailable),
      /** In a closed window: the approved re-engagement template's form, or why nothing can be sent. */
      update(view: ConversationView, closed: boolean) {
        const template = closed && state.templates ? sendableReengagement(state.templates) : undefined;
        form.hidden = !template;
        unavailable.hidden = !closed || !state.templates || !!template;
        if (!template) return;
        const names = templateVariableNames(template);
        const key = JSON.stringify([view.conversationId, template.name, template.language, names, ctx.locale]);
        if (key === formKey) return;
        formKey = key;
        setText(formStatus, '');
        const values = prefillVariables(template, view.customer.name);
        fields.replaceChildren(
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
                oninput: (input: Event) => setFieldError(input.target as HTMLInputElement, false),
              }),
              h('p', { id: `${id}-error`, class: 'field-error' }),
            );
          }),
        );
      },
    };
  }

  return {
    element,
    navLink,
    async load() {
      const api = ctx.session.api;
      if (!api) return;
      state.unsupported = false;
      if (connection.view?.status !== 'active') {
        state.templates = undefined;
      } else {
        try {
          state.templates = (await api.get<TemplatesList>('templates')).items;
        } catch (error) {
          // Not an outage: templates are not available for this provider yet, which the section says.
          if (!(error instanceof ApiError && error.slug === 'not-supported')) throw error;
          state.templates = [];
          state.unsupported = true;
        }
      }
      renderList();
      hooks.onChange();
    },
    closedWindowReply,
  };
}
