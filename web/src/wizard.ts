/**
 * The connect-a-number wizard: six steps (provider → account → number approval → credentials →
 * webhooks → test) with a stepper, all on screen at once. The wizard owns the machinery every
 * provider shares (the stepper and where it points, the credentials form with its validation and
 * save, copyable read-only values, the connection test); a provider (`providers/*.ts`) brings the
 * words, links and fields of its steps 2 to 5 as a `ProviderSetup`.
 */
import type { ConnectionView, ProviderConnectionView, PutConnectionBody, TestConnectionResult, TestStep } from '../../lambdas/domain/admin/contract';
import { ApiError } from './api';
import { activeConnection, type ConnectionStore, type PageContext } from './context';
import { h, scrollBehavior, setAttr, setText, srOnly, syncList, type Child } from './dom';
import { formatDateTime, stepDetailKey } from './format';
import type { MessageKey, Translate } from './i18n';
import { normalizeNumber, validateSendTo, type FieldProblem } from './validation';

export const STEPS = ['provider', 'account', 'approval', 'credentials', 'webhooks', 'test'] as const;
export type StepId = (typeof STEPS)[number];
/** The steps whose words and fields depend on the provider. */
export type ProviderStepId = Exclude<StepId, 'provider' | 'test'>;
export type ProviderId = 'twilio';

const stepIndex = (id: StepId) => STEPS.indexOf(id);

/** One input of a provider's credentials form. */
export interface FieldSpec {
  /** The value's name in the form, and the last segment of the API's `errors[].path` for it. */
  name: string;
  label: MessageKey;
  hint: MessageKey;
  testid: string;
  type?: 'text' | 'password' | 'tel';
  inputmode?: string;
  placeholder?: string;
  autocomplete?: string;
  optional?: boolean;
}

/** A provider's credentials form: its fields, what is wrong with them, and the PUT body they make. */
export interface CredentialsSpec {
  /** The paragraph above the form. */
  intro: MessageKey;
  fields: FieldSpec[];
  /** The trimmed, normalized values the form sends (and shows back once saved). */
  normalize(values: Record<string, string>): Record<string, string>;
  validate(values: Record<string, string>): Partial<Record<string, FieldProblem>>;
  errorText(field: string, problem: FieldProblem): MessageKey;
  body(values: Record<string, string>): PutConnectionBody;
  /** What the saved connection puts back into the form (never a secret). */
  saved(view: ProviderConnectionView): Record<string, string | undefined>;
  /**
   * The secret fields: cleared once saved, since the API only ever shows their last 4 characters;
   * each one's hint says so once a connection is saved.
   */
  secrets: Record<string, (view: ProviderConnectionView | undefined, t: Translate) => string | undefined>;
  /** Said once the credentials are saved: what to do next. */
  savedText: MessageKey;
}

/** The helpers a provider builds its steps with. */
export interface StepKit {
  readonly t: Translate;
  externalLink(href: string, label: MessageKey): HTMLAnchorElement;
  /** A read-only value with a Copy button (a webhook URL, a verify token…). */
  copyField(options: { id: string; label: MessageKey; where: MessageKey; testid: string }): CopyField;
}

export interface CopyField {
  readonly element: HTMLElement;
  /** The value to show and copy; `undefined` empties it and disables Copy. */
  set(value: string | undefined): void;
}

export interface ProviderSetup {
  readonly id: ProviderId;
  readonly name: MessageKey;
  readonly description: MessageKey;
  /** The stepper's short label and the heading of each provider step. */
  readonly steps: Record<ProviderStepId, { short: MessageKey; title: MessageKey }>;
  readonly credentials: CredentialsSpec;
  account(kit: StepKit): Child[];
  approval(kit: StepKit): Child[];
  /** The webhooks step, and how it shows the saved connection (URLs to paste, or none). */
  webhooks(kit: StepKit): { body: Child[]; render(view: ProviderConnectionView | undefined): void };
}

export interface Wizard {
  readonly element: HTMLElement;
  render(view: ConnectionView | undefined): void;
  /** Fills the form from the saved connection once, without overwriting what the person typed. */
  prefill(view: ConnectionView | undefined): void;
  /** Forgets the test result on screen (after a disconnect). */
  clearTest(): void;
}

interface BuiltField {
  element: HTMLElement;
  input: HTMLInputElement;
  hint: HTMLElement;
  setError(message: string | undefined): void;
}

/** One labelled input with its hint and an error line (empty when valid). */
function buildField(t: Translate, id: string, spec: FieldSpec): BuiltField {
  const hint = h('p', { id: `${id}-hint`, class: 'hint' }, t(spec.hint));
  // Always present (empty when valid) so aria-describedby never points at nothing.
  const error = h('p', { id: `${id}-error`, class: 'field-error' });
  const input = h('input', {
    id,
    name: spec.name,
    type: spec.type ?? 'text',
    inputmode: spec.inputmode,
    autocomplete: spec.autocomplete ?? 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    placeholder: spec.placeholder,
    required: !spec.optional,
    'aria-describedby': `${id}-hint ${id}-error`,
    'data-testid': spec.testid,
    oninput: () => setError(undefined),
  });
  function setError(message: string | undefined): void {
    setText(error, message ?? '');
    setAttr(input, 'aria-invalid', message ? 'true' : undefined);
  }
  const element = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, t(spec.label), spec.optional ? h('span', { class: 'optional' }, ` (${t('form.optional')})`) : null),
    hint,
    input,
    error,
  );
  return { element, input, hint, setError };
}

export function createWizard(ctx: PageContext, connection: ConnectionStore, providers: readonly ProviderSetup[]): Wizard {
  const { t } = ctx;
  const state: {
    currentStep: number;
    stepChosenByUser: boolean;
    /** The result shown in step 6: the last run on this page, else the stored `lastTest`; cleared by a save. */
    shownTest?: { ok: boolean; steps: TestStep[]; at?: string };
    testClearedBySave: boolean;
    /** The form is filled from the saved connection once; later polls never touch what the person typed. */
    prefilled: boolean;
  } = { currentStep: 0, stepChosenByUser: false, testClearedBySave: false, prefilled: false };
  const provider = providers[0];

  const kit: StepKit = { t, externalLink: (href, label) => externalLink(t, href, label), copyField: (options) => copyField(ctx, options) };

  // --- Stepper and sections -------------------------------------------------------------------
  const links: HTMLAnchorElement[] = [];
  const sections: HTMLElement[] = [];
  const headings: HTMLElement[] = [];
  const stepper = h('ol', { class: 'stepper' });
  const shortLabel = (id: StepId): MessageKey => (id === 'provider' || id === 'test' ? (`step.${id}.short` as MessageKey) : provider.steps[id].short);
  const title = (id: StepId): MessageKey => (id === 'provider' || id === 'test' ? (`step.${id}.title` as MessageKey) : provider.steps[id].title);
  STEPS.forEach((id, index) => {
    const link = h(
      'a',
      { href: `#step-${id}`, onclick: (event: Event) => (event.preventDefault(), goToStep(index, true)) },
      h('span', { class: 'stepper__number', 'aria-hidden': 'true' }, String(index + 1)),
      h('span', { class: 'stepper__label' }, t(shortLabel(id))),
      h('span', { class: 'stepper__state sr-only' }),
    );
    links.push(link);
    stepper.append(h('li', {}, link));
  });

  const continueButton = (index: number) => h('button', { type: 'button', class: 'button button--primary', onclick: () => goToStep(index + 1, true) }, t('step.continue'));
  const form = credentialsForm();
  const webhooks = provider.webhooks(kit);
  const test = testStep();
  const bodies: Record<StepId, Child[]> = {
    provider: providerStep(),
    account: [...provider.account(kit), h('div', { class: 'actions' }, continueButton(stepIndex('account')))],
    approval: [...provider.approval(kit), h('div', { class: 'actions' }, continueButton(stepIndex('approval')))],
    credentials: form.body,
    webhooks: [...webhooks.body, h('div', { class: 'actions' }, continueButton(stepIndex('webhooks')))],
    test: test.body,
  };
  STEPS.forEach((id, index) => {
    const heading = h('h3', { id: `step-${id}-title`, tabindex: -1 }, h('span', { class: 'step__number', 'aria-hidden': 'true' }, String(index + 1)), h('span', {}, t(title(id))), h('span', { class: 'step__done' }));
    sections.push(h('section', { id: `step-${id}`, class: 'card step', 'data-testid': `step-${id}`, 'aria-labelledby': `step-${id}-title` }, heading, ...bodies[id]));
    headings.push(heading);
  });
  const element = h(
    'section',
    { id: 'setup', class: 'setup', 'aria-labelledby': 'setup-title' },
    h('h2', { id: 'setup-title' }, t('setup.title')),
    h('p', { class: 'muted' }, t('setup.intro')),
    h('nav', { 'aria-label': t('setup.progress') }, stepper),
    ...sections,
  );

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
        option(provider.id, provider.name, provider.description, true),
        option('360dialog', 'provider.360dialog', 'provider.360dialog.description', false),
        option('meta', 'provider.meta', 'provider.meta.description', false),
      ),
      h('div', { class: 'actions' }, continueButton(0)),
    ];
  }

  // --- Credentials ----------------------------------------------------------------------------
  function credentialsForm() {
    const spec = provider.credentials;
    const fields = new Map<string, BuiltField>();
    for (const field of spec.fields) fields.set(field.name, buildField(t, `field-${field.name}`, field));
    const saveButton = h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'save-credentials' }, t('form.save'));
    const status = h('p', { class: 'form-status', role: 'status' });
    const formElement = h(
      'form',
      { class: 'form', novalidate: true, 'aria-labelledby': 'step-credentials-title', onsubmit: (event: Event) => void save(event) },
      ...[...fields.values()].map((field) => field.element),
      h('div', { class: 'actions' }, saveButton),
      status,
    );
    const values = () => Object.fromEntries([...fields].map(([name, field]) => [name, field.input.value]));

    async function save(event: Event): Promise<void> {
      event.preventDefault();
      const api = ctx.session.api;
      if (!api) return;
      const input = values();
      const problems = spec.validate(input);
      for (const [name, field] of fields) {
        const problem = problems[name];
        field.setError(problem ? t(spec.errorText(name, problem)) : undefined);
      }
      const firstInvalid = [...fields.keys()].find((name) => problems[name]);
      if (firstInvalid) {
        setText(status, t('form.fixErrors'));
        status.className = 'form-status form-status--error';
        fields.get(firstInvalid)?.input.focus();
        return;
      }
      const normalized = spec.normalize(input);
      saveButton.disabled = true;
      saveButton.setAttribute('aria-busy', 'true');
      setText(saveButton, t('form.saving'));
      try {
        const view = await api.send<ConnectionView>('PUT', 'connection', spec.body(normalized));
        // Secrets are not kept on the page once saved; the API only ever shows their last 4 characters.
        for (const [name, field] of fields) field.input.value = name in spec.secrets ? '' : normalized[name];
        state.shownTest = undefined;
        state.testClearedBySave = true;
        connection.set(view);
        setText(status, t(spec.savedText));
        status.className = 'form-status form-status--ok';
        goToStep(stepIndex('webhooks'), true);
        ctx.announce(t(spec.savedText));
      } catch (error) {
        if (ctx.session.handleError(error)) return;
        let mapped = false;
        if (error instanceof ApiError && error.status === 400) {
          for (const problem of error.problem?.errors ?? []) {
            const name = problem.path.split(/[./]/).filter(Boolean).pop() ?? '';
            const field = fields.get(name);
            if (field) {
              field.setError(t(spec.errorText(name, 'format')));
              mapped = true;
            }
          }
        }
        setText(status, mapped ? t('form.fixErrors') : ctx.problemText(error));
        status.className = 'form-status form-status--error';
        [...fields.values()].find((field) => field.input.getAttribute('aria-invalid') === 'true')?.input.focus();
      } finally {
        saveButton.disabled = false;
        saveButton.removeAttribute('aria-busy');
        setText(saveButton, t('form.save'));
      }
    }

    return {
      body: [h('p', {}, t(spec.intro)), formElement] as Child[],
      render(view: ProviderConnectionView | undefined) {
        for (const [name, savedHint] of Object.entries(spec.secrets)) {
          const field = fields.get(name);
          const specField = spec.fields.find((candidate) => candidate.name === name);
          if (field && specField) setText(field.hint, savedHint(view, t) ?? t(specField.hint));
        }
      },
      prefill(view: ProviderConnectionView | undefined) {
        if (!view || state.prefilled) return;
        state.prefilled = true;
        for (const [name, value] of Object.entries(spec.saved(view))) {
          const input = fields.get(name)?.input;
          if (input && value && !input.value && document.activeElement !== input) input.value = value;
        }
      },
    };
  }

  // --- Test -----------------------------------------------------------------------------------
  function testStep() {
    const button = h('button', { type: 'button', class: 'button button--primary', 'data-testid': 'run-test', onclick: () => void run() }, t('test.run'));
    const summary = h('p', { class: 'form-status', role: 'status' });
    const list = h('ul', { class: 'test-results', 'aria-label': t('test.results') });
    const sendTo = buildField(t, 'field-sendTo', { name: 'sendTo', label: 'test.sendTo', hint: 'test.sendTo.hint', testid: 'test-send-to', type: 'tel', inputmode: 'tel', optional: true, placeholder: '+5215512345678' });

    async function run(): Promise<void> {
      const api = ctx.session.api;
      if (!api) return;
      if (connection.view?.status !== 'active') {
        setText(summary, t('test.needsCredentials'));
        summary.className = 'form-status form-status--error';
        return;
      }
      const problem = validateSendTo(sendTo.input.value);
      sendTo.setError(problem ? t('error.sendTo.format') : undefined);
      if (problem) return sendTo.input.focus();
      const to = normalizeNumber(sendTo.input.value);
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      setText(button, t('test.running'));
      setText(summary, t('test.running'));
      summary.className = 'form-status';
      try {
        const result = await api.send<TestConnectionResult>('POST', 'connection/test', to ? { sendTo: to } : {});
        state.shownTest = { ok: result.ok, steps: result.steps, at: new Date().toISOString() };
        state.testClearedBySave = false;
        if (result.verified) state.currentStep = STEPS.length - 1;
        render();
        await connection.reload();
      } catch (error) {
        if (ctx.session.handleError(error)) return;
        if (error instanceof ApiError && error.status === 400) {
          for (const item of error.problem?.errors ?? []) if (item.path.split(/[./]/).filter(Boolean).pop() === 'sendTo') sendTo.setError(t('error.sendTo.format'));
        }
        setText(summary, ctx.problemText(error));
        summary.className = 'form-status form-status--error';
      } finally {
        button.disabled = false;
        button.removeAttribute('aria-busy');
        setText(button, t('test.run'));
      }
    }

    function render(): void {
      const result = state.shownTest;
      if (!result) {
        list.replaceChildren();
        if (button.getAttribute('aria-busy') !== 'true' && !summary.classList.contains('form-status--error')) setText(summary, '');
        return;
      }
      const order: TestStep['id'][] = ['credentials', 'sender', 'testMessage'];
      const steps = [...result.steps].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
      syncList(
        list,
        steps,
        (step) => step.id,
        () => h('li', { class: 'test-step' }),
        (item, step) => {
          const outcome: MessageKey = step.skipped ? 'test.skipped' : step.ok ? 'test.passed' : 'test.failed';
          item.className = `test-step test-step--${step.skipped ? 'skipped' : step.ok ? 'ok' : 'failed'}`;
          setAttr(item, 'data-testid', `test-step-${step.id}`);
          setAttr(item, 'data-ok', String(step.ok));
          setAttr(item, 'data-skipped', step.skipped ? 'true' : undefined);
          item.replaceChildren(
            h('span', { class: 'test-step__icon', 'aria-hidden': 'true' }, step.skipped ? '–' : step.ok ? '✓' : '✗'),
            h(
              'span',
              { class: 'test-step__text' },
              h('strong', {}, t(`test.step.${step.id}` as MessageKey)),
              ' — ',
              h('span', { class: 'test-step__outcome' }, t(outcome)),
              testStepDetail(t, step),
            ),
          );
        },
      );
      const at = result.at ? Date.parse(result.at) : NaN;
      setText(summary, t(result.ok ? 'test.summary.ok' : 'test.summary.failed') + (Number.isNaN(at) ? '' : ` · ${formatDateTime(at, ctx.locale)}`));
      summary.className = `form-status ${result.ok ? 'form-status--ok' : 'form-status--error'}`;
    }

    return {
      body: [h('p', {}, t('step.test.body')), sendTo.element, h('div', { class: 'actions' }, button), summary, list] as Child[],
      render,
    };
  }

  // --- Where the wizard stands ----------------------------------------------------------------
  function stepDone(index: number): boolean {
    const view = connection.view;
    const active = view?.status === 'active';
    switch (STEPS[index]) {
      case 'provider':
      case 'account':
      case 'approval':
        return active || state.currentStep > index;
      case 'credentials':
        return active;
      case 'webhooks':
        return active && (state.currentStep > index || !!view?.verified);
      case 'test':
        return !!view?.connected;
    }
  }

  function renderSteps(): void {
    const view = connection.view;
    if (!state.stepChosenByUser && view) state.currentStep = view.status !== 'active' ? 0 : view.verified ? stepIndex('test') : stepIndex('webhooks');
    STEPS.forEach((_, index) => {
      const done = stepDone(index);
      const link = links[index];
      setAttr(link, 'aria-current', index === state.currentStep ? 'step' : undefined);
      link.classList.toggle('is-done', done);
      setText(link.querySelector('.stepper__state') as Element, done ? ` (${t('step.done')})` : '');
      sections[index].classList.toggle('step--current', index === state.currentStep);
      sections[index].classList.toggle('step--done', done);
      setText(headings[index].querySelector('.step__done') as Element, done ? t('step.done') : '');
    });
  }

  function goToStep(index: number, focus: boolean): void {
    state.currentStep = Math.max(0, Math.min(STEPS.length - 1, index));
    state.stepChosenByUser = true;
    renderSteps();
    if (focus) {
      const heading = headings[state.currentStep];
      heading.focus({ preventScroll: true });
      heading.scrollIntoView({ block: 'start', behavior: scrollBehavior() });
    }
  }

  return {
    element,
    render(view) {
      const active = activeConnection(view);
      webhooks.render(active);
      form.render(active);
      if (!state.shownTest && active?.lastTest && !state.testClearedBySave) state.shownTest = active.lastTest;
      test.render();
      renderSteps();
    },
    prefill: (view) => form.prefill(activeConnection(view)),
    clearTest() {
      state.shownTest = undefined;
    },
  };
}

export function externalLink(t: Translate, href: string, label: MessageKey): HTMLAnchorElement {
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, t(label), srOnly(` (${t('link.newTab')})`), h('span', { 'aria-hidden': 'true' }, ' ↗'));
}

function copyField(ctx: PageContext, options: { id: string; label: MessageKey; where: MessageKey; testid: string }): CopyField {
  const { t } = ctx;
  const { id } = options;
  const input = h('input', { id, type: 'text', readonly: true, class: 'url', 'data-testid': options.testid, 'aria-describedby': `${id}-where`, placeholder: t('webhooks.placeholder'), onfocus: (event: Event) => (event.target as HTMLInputElement).select() });
  const button = h('button', { type: 'button', class: 'button', 'aria-label': `${t('webhooks.copy')}: ${t(options.label)}`, disabled: true }, t('webhooks.copy'));
  button.addEventListener('click', () => void copy(ctx, input, button, t(options.label)));
  return {
    element: h('div', { class: 'field' }, h('label', { for: id }, t(options.label)), h('p', { id: `${id}-where`, class: 'hint' }, t(options.where)), h('div', { class: 'copy-row' }, input, button)),
    set(value) {
      input.value = value ?? '';
      button.disabled = !value;
    },
  };
}

async function copy(ctx: PageContext, input: HTMLInputElement, button: HTMLButtonElement, what: string): Promise<void> {
  const { t } = ctx;
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
    ctx.announce(t('webhooks.copiedAnnouncement', { what }));
    window.setTimeout(() => {
      setText(button, t('webhooks.copy'));
      button.classList.remove('button--done');
    }, 2000);
  } else {
    input.focus();
    input.select();
    ctx.announce(t('webhooks.copyFailed'));
  }
}

/** A step's explanation in the reader's language when the page knows the outcome, else the API's own words; with the BSP's code. */
function testStepDetail(t: Translate, step: TestStep): HTMLElement | null {
  const key = stepDetailKey(step);
  const text = key ? t(key) : step.detail;
  if (!text) return null;
  return h('span', { class: 'test-step__detail' }, text, step.code && !text.includes(step.code) ? ` (${step.code})` : '');
}
