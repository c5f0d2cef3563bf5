/**
 * The connect-a-number wizard: six steps (provider → account → number → credentials → webhooks →
 * test) with a stepper, all on screen at once. The wizard owns the machinery every provider shares
 * (the stepper and where it points, the credentials form with its validation and save, copyable
 * read-only values, the connection test); a provider (`providers/*.ts`) brings the words, links and
 * fields of its steps 2 to 5 and the wording of its test as a `ProviderSetup`. Choosing another
 * provider in step 1 swaps steps 2 to 5; each provider's steps are built once, so what was typed
 * in them survives switching back and forth.
 */
import type { ConnectionView, ProviderConnectionView, TestConnectionResult, TestStep } from '../../lambdas/domain/admin/contract';
import { ApiError } from './api';
import { activeConnection, PROVIDER_NAMES, type ConnectionStore, type PageContext } from './context';
import { h, scrollBehavior, setAttr, setText, srOnly, syncList, type Child } from './dom';
import { formatDateTime } from './format';
import type { MessageKey, Translate } from './i18n';
import type { Block, FieldSpec, Link, ProviderId, ProviderSetup } from './providers/types';
import { normalizeNumber, validateSendTo } from './validation';

export const STEPS = ['provider', 'account', 'approval', 'credentials', 'webhooks', 'test'] as const;
export type StepId = (typeof STEPS)[number];
/** The steps whose words and fields depend on the provider. */
export type ProviderStepId = Exclude<StepId, 'provider' | 'test'>;
const PROVIDER_STEPS: readonly ProviderStepId[] = ['account', 'approval', 'credentials', 'webhooks'];

const stepIndex = (id: StepId) => STEPS.indexOf(id);

/** The helpers the wizard builds a provider's steps with. */
interface StepKit {
  readonly t: Translate;
  externalLink(link: Link): HTMLAnchorElement;
  /** A read-only value with a Copy button (a webhook URL, a verify token…). */
  copyField(options: { id: string; label: MessageKey; where: MessageKey; testid: string }): CopyField;
}

interface CopyField {
  readonly element: HTMLElement;
  /** The value to show and copy; `undefined` empties it and disables Copy. */
  set(value: string | undefined): void;
}

export interface Wizard {
  readonly element: HTMLElement;
  render(view: ConnectionView | undefined): void;
  /** Fills the form from the saved connection once, without overwriting what the person typed. */
  prefill(view: ConnectionView | undefined): void;
  /** Forgets the test result on screen (after a disconnect). */
  clearTest(): void;
  /** The step the owner is on (the stepper's highlighted one): what the status card names. */
  next(): { number: number; title: string };
  /** Goes to the test step and runs the connection test (after "Connect with Facebook" saved one). */
  testNow(): Promise<void>;
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

/** A provider's steps 2 to 5, built once. */
interface BuiltProvider {
  setup: ProviderSetup;
  bodies: Record<ProviderStepId, HTMLElement>;
  form: { render(view: ProviderConnectionView | undefined): void; prefill(view: ProviderConnectionView): void };
  webhooks: { render(view: ProviderConnectionView | undefined): void };
}

export function createWizard(
  ctx: PageContext,
  connection: ConnectionStore,
  providers: readonly ProviderSetup[],
  hooks: {
    onStepChange(): void;
    /** What comes first in a provider's account step (Meta: the "Connect with Facebook" card), built with its steps. */
    providerIntro?(id: ProviderId): HTMLElement | null;
  },
): Wizard {
  const { t } = ctx;
  const state: {
    provider: ProviderSetup;
    providerChosenByUser: boolean;
    currentStep: number;
    stepChosenByUser: boolean;
    /** The result shown in step 6: the last run on this page, else the stored `lastTest`; cleared by a save. */
    shownTest?: { ok: boolean; steps: TestStep[]; at?: string };
    testClearedBySave: boolean;
    /** The form is filled from the saved connection once; later polls never touch what the person typed. */
    prefilled: boolean;
    /** Once connected the steps fold into a summary; "Edit" opens them until the next successful test. */
    expandedByUser: boolean;
  } = { provider: providers[0], providerChosenByUser: false, currentStep: 0, stepChosenByUser: false, testClearedBySave: false, prefilled: false, expandedByUser: false };
  const built = new Map<ProviderId, BuiltProvider>();

  const kit: StepKit = { t, externalLink: (link) => externalLink(t, link), copyField: (options) => copyField(ctx, options) };
  /** The active connection when it is the chosen provider's: the steps are done only for that one. */
  const ownConnection = () => {
    const active = activeConnection(connection.view);
    return active?.provider === state.provider.id ? active : undefined;
  };

  // --- Stepper and sections -------------------------------------------------------------------
  const links: HTMLAnchorElement[] = [];
  const sections: HTMLElement[] = [];
  const headings: HTMLElement[] = [];
  const slots = new Map<ProviderStepId, HTMLElement>();
  const stepper = h('ol', { class: 'stepper' });
  STEPS.forEach((id, index) => {
    const link = h(
      'a',
      { href: `#step-${id}`, onclick: (event: Event) => (event.preventDefault(), goToStep(index, true)) },
      h('span', { class: 'stepper__number', 'aria-hidden': 'true' }, String(index + 1)),
      h('span', { class: 'stepper__label' }, id === 'provider' || id === 'test' ? t(`step.${id}.short`) : ''),
      h('span', { class: 'stepper__state sr-only' }),
    );
    links.push(link);
    stepper.append(h('li', {}, link));
  });

  const continueButton = (index: number) => h('button', { type: 'button', class: 'button button--primary', onclick: () => goToStep(index + 1, true) }, t('step.continue'));
  const switchNote = h('p', { class: 'notice', 'data-testid': 'provider-switch-note', hidden: true });
  const test = testStep();
  STEPS.forEach((id, index) => {
    const heading = h(
      'h3',
      { id: `step-${id}-title`, tabindex: -1 },
      h('span', { class: 'step__number', 'aria-hidden': 'true' }, String(index + 1)),
      h('span', { class: 'step__title' }, id === 'provider' || id === 'test' ? t(`step.${id}.title`) : ''),
      h('span', { class: 'step__done' }),
    );
    let body: Child[];
    if (id === 'provider') body = providerStep();
    else if (id === 'test') body = test.body;
    else {
      const slot = h('div', { class: 'step__body' });
      slots.set(id, slot);
      body = [slot];
    }
    sections.push(h('section', { id: `step-${id}`, class: 'card step', 'data-testid': `step-${id}`, 'aria-labelledby': `step-${id}-title` }, heading, ...body));
    headings.push(heading);
  });
  const folded = setupSummary();
  const hideSteps = h('button', { type: 'button', class: 'button button--small', 'data-testid': 'collapse-setup', hidden: true, 'aria-controls': 'setup-steps', onclick: () => setExpanded(false) }, t('setup.hide'));
  const steps = h(
    'div',
    { id: 'setup-steps' },
    h('p', { class: 'muted' }, t('setup.intro')),
    h('div', { class: 'actions' }, hideSteps),
    h('nav', { 'aria-label': t('setup.progress') }, stepper),
    ...sections,
  );
  const element = h('section', { id: 'setup', class: 'setup', 'aria-labelledby': 'setup-title' }, h('h2', { id: 'setup-title' }, t('setup.title')), folded.element, steps);
  showProvider(state.provider);

  /** What replaces the steps once connected: the number, its provider, the last test, and Edit. */
  function setupSummary() {
    const title = h('h3', { id: 'setup-summary-title', tabindex: -1 }, t('setup.summary.title'));
    const body = h('p', {});
    const tested = h('p', { class: 'muted' });
    const edit = h('button', { type: 'button', class: 'button', 'data-testid': 'edit-setup', 'aria-controls': 'setup-steps', 'aria-expanded': 'false', onclick: () => setExpanded(true) }, t('setup.edit'));
    return {
      element: h('div', { class: 'card setup-summary', 'data-testid': 'setup-summary', hidden: true, role: 'group', 'aria-labelledby': 'setup-summary-title' }, title, body, tested, h('div', { class: 'actions' }, edit)),
      title,
      render(own: ProviderConnectionView) {
        const provider = t(PROVIDER_NAMES[own.provider]);
        setText(body, own.displayNumber ? t('setup.summary.body', { number: own.displayNumber, provider }) : t('setup.summary.provider', { provider }));
        const at = own.lastTest?.ok ? Date.parse(own.lastTest.at) : NaN;
        setText(tested, Number.isNaN(at) ? '' : t('setup.summary.tested', { time: formatDateTime(at, ctx.locale) }));
        tested.hidden = Number.isNaN(at);
      },
    };
  }

  /** Folds the steps once this provider's connection works, unless the person opened them. */
  function renderCollapse(): void {
    const own = ownConnection();
    const collapsed = !!own?.connected && !state.expandedByUser;
    if (own?.connected) folded.render(own);
    folded.element.hidden = !collapsed;
    steps.hidden = collapsed;
    hideSteps.hidden = !own?.connected;
    setAttr(folded.element.querySelector('[data-testid="edit-setup"]') as Element, 'aria-expanded', String(!collapsed));
  }

  function setExpanded(expanded: boolean): void {
    state.expandedByUser = expanded;
    renderCollapse();
    if (expanded) {
      const heading = headings[state.currentStep];
      heading.focus({ preventScroll: true });
      heading.scrollIntoView({ block: 'start', behavior: scrollBehavior() });
    } else {
      folded.title.focus({ preventScroll: true });
      element.scrollIntoView({ block: 'start', behavior: scrollBehavior() });
    }
  }

  function providerStep(): Child[] {
    const option = (setup: ProviderSetup) =>
      h(
        'label',
        { class: 'choice' },
        h('input', {
          type: 'radio',
          name: 'provider',
          value: setup.id,
          checked: setup === state.provider,
          'data-testid': `provider-${setup.id}`,
          onchange: () => {
            state.providerChosenByUser = true;
            showProvider(setup);
            renderSteps();
            hooks.onStepChange();
          },
        }),
        h(
          'span',
          { class: 'choice__text' },
          h('span', { class: 'choice__name' }, t(PROVIDER_NAMES[setup.id]), setup.recommended ? [' ', h('span', { class: 'tag tag--ok' }, t('provider.recommended'))] : null),
          h('span', { class: 'choice__description' }, t(setup.description)),
        ),
      );
    return [
      h('p', {}, t('step.provider.body')),
      h('fieldset', { class: 'choices' }, h('legend', {}, t('provider.legend')), ...providers.map(option)),
      switchNote,
      h('div', { class: 'actions' }, continueButton(0)),
    ];
  }

  /** Puts `setup`'s steps 2 to 5 on screen (building them the first time). */
  function showProvider(setup: ProviderSetup): void {
    state.provider = setup;
    let steps = built.get(setup.id);
    if (!steps) {
      steps = buildProvider(setup);
      built.set(setup.id, steps);
    }
    for (const id of PROVIDER_STEPS) {
      const index = stepIndex(id);
      setText(links[index].querySelector('.stepper__label') as Element, t(setup.steps[id].short));
      setText(headings[index].querySelector('.step__title') as Element, t(setup.steps[id].title));
      const slot = slots.get(id) as HTMLElement;
      if (slot.firstChild !== steps.bodies[id]) slot.replaceChildren(steps.bodies[id]);
    }
    for (const input of Array.from(element.querySelectorAll<HTMLInputElement>('input[name="provider"]'))) input.checked = input.value === setup.id;
    const active = activeConnection(connection.view);
    steps.form.render(active);
    steps.webhooks.render(active);
    renderSwitchNote();
    test.render();
  }

  function renderSwitchNote(): void {
    const active = activeConnection(connection.view);
    const other = active && active.provider !== state.provider.id ? active.provider : undefined;
    switchNote.hidden = !other;
    if (other) setText(switchNote, t('provider.switchNote', { current: t(PROVIDER_NAMES[other]) }));
  }

  function buildProvider(setup: ProviderSetup): BuiltProvider {
    const form = credentialsForm(setup);
    const webhooks = webhooksStep(setup);
    const body = (children: Child[], index: number | undefined) =>
      h('div', {}, ...children, index === undefined ? null : h('div', { class: 'actions' }, continueButton(index)));
    return {
      setup,
      bodies: {
        account: body([hooks.providerIntro?.(setup.id) ?? null, ...renderBlocks(kit, setup.account)], stepIndex('account')),
        approval: body(renderBlocks(kit, setup.approval), stepIndex('approval')),
        credentials: body(form.body, undefined),
        webhooks: body(webhooks.body, stepIndex('webhooks')),
      },
      form,
      webhooks,
    };
  }

  /** The values to paste (or the registration done for the owner) once this provider's connection is saved. */
  function webhooksStep(setup: ProviderSetup) {
    const spec = setup.webhooks;
    const copies = spec.copy.map((copy) => ({ copy, field: kit.copyField(copy) }));
    const note = spec.saveFirst ? h('p', { class: 'notice' }, t(spec.saveFirst)) : null;
    const status = spec.status ? h('p', { class: 'form-status', role: 'status', 'data-testid': 'webhook-registration' }) : null;
    return {
      body: [...renderBlocks(kit, spec.before), note, ...copies.map(({ field }) => field.element), status, ...renderBlocks(kit, spec.after)] as Child[],
      render(view: ProviderConnectionView | undefined) {
        const own = view?.provider === setup.id ? view : undefined;
        for (const { copy, field } of copies) field.set(copy.value(own));
        if (note) note.hidden = !!own;
        if (status && spec.status) {
          const { text, ok } = spec.status(own, t, ctx.locale);
          setText(status, text);
          setAttr(status, 'data-ok', ok === undefined ? undefined : String(ok));
          status.className = `form-status${ok === undefined ? '' : ok ? ' form-status--ok' : ' form-status--error'}`;
        }
      },
    };
  }

  // --- Credentials ----------------------------------------------------------------------------
  function credentialsForm(setup: ProviderSetup) {
    const spec = setup.credentials;
    const fields = new Map<string, BuiltField>();
    for (const field of spec.fields) fields.set(field.name, buildField(t, `field-${field.name}`, field));
    const saveButton = h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'save-credentials' }, t('form.save'));
    const status = h('p', { class: 'form-status', role: 'status', 'data-testid': 'save-status' });
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
        const view = await api.send<ProviderConnectionView>('PUT', 'connection', spec.body(normalized));
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
      body: [...renderBlocks(kit, spec.intro), formElement] as Child[],
      render(view: ProviderConnectionView | undefined) {
        for (const [name, savedHint] of Object.entries(spec.secrets)) {
          const field = fields.get(name);
          const specField = spec.fields.find((candidate) => candidate.name === name);
          if (field && specField) setText(field.hint, savedHint(view, t) ?? t(specField.hint));
        }
      },
      prefill(view: ProviderConnectionView) {
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
    const summary = h('p', { class: 'form-status', role: 'status', 'data-testid': 'test-summary' });
    const list = h('ul', { class: 'test-results', 'aria-label': t('test.results') });
    const sendTo = buildField(t, 'field-sendTo', { name: 'sendTo', label: 'test.sendTo', hint: 'test.sendTo.hint', testid: 'test-send-to', type: 'tel', inputmode: 'tel', optional: true, placeholder: '+5215512345678' });

    async function run(): Promise<void> {
      const api = ctx.session.api;
      if (!api) return;
      if (!ownConnection()) {
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
        if (result.verified) {
          state.currentStep = STEPS.length - 1;
          state.expandedByUser = false;
        }
        render();
        await connection.reload();
        if (result.verified && ownConnection()?.connected) {
          // The steps just folded away: focus goes to what replaced them, and the reader hears it.
          folded.title.focus({ preventScroll: true });
          ctx.announce(`${t('test.summary.ok')} ${folded.element.querySelector('p')?.textContent ?? ''}`);
        }
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
      // A result belongs to the saved connection: it is shown under that connection's provider only.
      const result = ownConnection() ? state.shownTest : undefined;
      if (!result) {
        list.replaceChildren();
        if (button.getAttribute('aria-busy') !== 'true' && !summary.classList.contains('form-status--error')) setText(summary, '');
        return;
      }
      const setup = state.provider;
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
            h('span', { class: 'test-step__text' }, h('strong', {}, t(setup.testLabel(step.id))), ' — ', h('span', { class: 'test-step__outcome' }, t(outcome)), testStepDetail(t, setup, step)),
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
      run,
    };
  }

  // --- Where the wizard stands ----------------------------------------------------------------
  function stepDone(index: number): boolean {
    const own = ownConnection();
    switch (STEPS[index]) {
      case 'provider':
        return !!own || state.currentStep > index;
      case 'account':
      case 'approval':
        return !!own || state.currentStep > index;
      case 'credentials':
        return !!own;
      case 'webhooks':
        return !!own && (state.currentStep > index || own.verified);
      case 'test':
        return !!own?.connected;
    }
  }

  function renderSteps(): void {
    const own = ownConnection();
    // Saved but not working yet: the webhooks step until a test has run, then the test (to run it again).
    if (!state.stepChosenByUser && connection.view) state.currentStep = !own ? 0 : own.verified || own.lastTest ? stepIndex('test') : stepIndex('webhooks');
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
    hooks.onStepChange();
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
      // The saved connection's provider is the one shown, until the person picks another.
      if (!state.providerChosenByUser && view?.provider && view.provider !== state.provider.id) {
        const setup = providers.find((candidate) => candidate.id === view.provider);
        if (setup) showProvider(setup);
      }
      const steps = built.get(state.provider.id);
      steps?.webhooks.render(active);
      steps?.form.render(active);
      if (!state.shownTest && active?.lastTest && !state.testClearedBySave) state.shownTest = active.lastTest;
      renderSwitchNote();
      test.render();
      renderSteps();
      renderCollapse();
    },
    prefill(view) {
      const active = activeConnection(view);
      if (!active || state.prefilled) return;
      state.prefilled = true;
      built.get(active.provider)?.form.prefill(active);
    },
    clearTest() {
      state.shownTest = undefined;
    },
    testNow() {
      goToStep(stepIndex('test'), true);
      return test.run();
    },
    next() {
      const id = STEPS[state.currentStep];
      const title: MessageKey = id === 'provider' || id === 'test' ? `step.${id}.title` : state.provider.steps[id].title;
      return { number: state.currentStep + 1, title: t(title) };
    },
  };
}

/** A provider's instructions on screen: paragraphs, numbered things to do with their links, further reading. */
function renderBlocks(kit: StepKit, blocks: readonly Block[]): Child[] {
  const { t } = kit;
  const linksOf = (links: readonly Link[] | undefined) => (links ?? []).flatMap((link, index) => [index === 0 ? ' ' : ' · ', kit.externalLink(link)]);
  return blocks.map((block) => {
    switch (block.kind) {
      case 'text':
        return h('p', { class: block.tone === 'warning' ? 'notice notice--warning' : block.tone === 'notice' ? 'notice' : undefined, 'data-testid': block.testid }, t(block.text));
      case 'steps':
        return h('ol', { class: 'instructions' }, ...block.items.map((item) => h('li', {}, t(item.text), ...linksOf(item.links))));
      case 'links':
        return h('ul', { class: 'links' }, ...block.links.map((link) => h('li', {}, kit.externalLink(link))));
    }
  });
}

export function externalLink(t: Translate, link: Link): HTMLAnchorElement {
  return h('a', { href: link.href, target: '_blank', rel: 'noopener noreferrer' }, t(link.label), srOnly(` (${t('link.newTab')})`), h('span', { 'aria-hidden': 'true' }, ' ↗'));
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
function testStepDetail(t: Translate, setup: ProviderSetup, step: TestStep): HTMLElement | null {
  const key = setup.testDetail(step);
  const text = key ? t(key) : step.detail;
  if (!text) return null;
  return h('span', { class: 'test-step__detail' }, text, step.code && !text.includes(step.code) ? ` (${step.code})` : '');
}
