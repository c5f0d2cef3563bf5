/**
 * What a provider brings to the wizard, as data and pure functions: the words, links and fields of
 * its steps 2 to 5, how its credentials are checked and sent, what its webhooks step shows, and how
 * its connection test reads. The wizard (`wizard.ts`) renders it; nothing here touches the DOM, so
 * providers are unit-tested in Node and the Node type-check never sees DOM types.
 */
import type { ProviderConnectionView, PutConnectionBody, TestStep } from '../../../lambdas/domain/admin/contract';
import type { MessageKey, Translate } from '../i18n';
import type { FieldProblem } from '../validation';

/** A BSP the page can connect (the contract's provider names). */
export type ProviderId = ProviderConnectionView['provider'];

/** A link to a provider's page; one URL per distinct page (the unit tests hold providers to it). */
export interface Link {
  href: string;
  label: MessageKey;
}

/** A piece of a step's instructions. */
export type Block =
  /** A paragraph; `warning` and `notice` stand out. */
  | { kind: 'text'; text: MessageKey; tone?: 'notice' | 'warning'; testid?: string }
  /** Numbered things to do, each with the links that help do it. */
  | { kind: 'steps'; items: ReadonlyArray<{ text: MessageKey; links?: readonly Link[] }> }
  /** A list of further reading. */
  | { kind: 'links'; links: readonly Link[] };

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
  /** What comes above the form: where to find each value. */
  intro: readonly Block[];
  fields: readonly FieldSpec[];
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
  secrets: Readonly<Record<string, (view: ProviderConnectionView | undefined, t: Translate) => string | undefined>>;
  /** Said once the credentials are saved: what to do next. */
  savedText: MessageKey;
}

/** A read-only value of the webhooks step, with a Copy button. */
export interface CopySpec {
  id: string;
  label: MessageKey;
  where: MessageKey;
  testid: string;
  value(view: ProviderConnectionView | undefined): string | undefined;
}

export interface WebhooksSpec {
  before: readonly Block[];
  /** Shown until a connection of this provider is saved: the values below come from the save. */
  saveFirst?: MessageKey;
  copy: readonly CopySpec[];
  /** A status line under the values (360dialog: how registering our webhook went). */
  status?(view: ProviderConnectionView | undefined, t: Translate, locale: string): { text: string; ok?: boolean };
  after: readonly Block[];
}

export interface ProviderSetup {
  readonly id: ProviderId;
  readonly description: MessageKey;
  readonly recommended?: boolean;
  /** Every page the provider's steps link to. */
  readonly links: Readonly<Record<string, Link>>;
  /** The stepper's short label and the heading of each provider step. */
  readonly steps: Readonly<Record<'account' | 'approval' | 'credentials' | 'webhooks', { short: MessageKey; title: MessageKey }>>;
  readonly account: readonly Block[];
  readonly approval: readonly Block[];
  readonly credentials: CredentialsSpec;
  readonly webhooks: WebhooksSpec;
  /** The connection test's step names for this provider. */
  testLabel(id: TestStep['id']): MessageKey;
  /** A test step's explanation in the reader's language, when the page knows the outcome. */
  testDetail(step: Pick<TestStep, 'id' | 'ok' | 'code' | 'skipped'>): MessageKey | undefined;
}

/**
 * Every dictionary key a provider's steps use (the unit tests check each has a text in every language).
 */
export function providerTextKeys(setup: ProviderSetup): MessageKey[] {
  const ofBlocks = (blocks: readonly Block[]): MessageKey[] =>
    blocks.flatMap((block) => (block.kind === 'text' ? [block.text] : block.kind === 'steps' ? block.items.flatMap((item) => [item.text, ...(item.links ?? []).map((link) => link.label)]) : block.links.map((link) => link.label)));
  const { credentials, webhooks } = setup;
  return [
    setup.description,
    ...Object.values(setup.steps).flatMap((step) => [step.short, step.title]),
    ...ofBlocks(setup.account),
    ...ofBlocks(setup.approval),
    ...ofBlocks(credentials.intro),
    ...credentials.fields.flatMap((field) => [field.label, field.hint, credentials.errorText(field.name, 'format'), ...(field.optional ? [] : [credentials.errorText(field.name, 'required')])]),
    credentials.savedText,
    ...ofBlocks(webhooks.before),
    ...(webhooks.saveFirst ? [webhooks.saveFirst] : []),
    ...webhooks.copy.flatMap((copy) => [copy.label, copy.where]),
    ...ofBlocks(webhooks.after),
    ...(['credentials', 'sender', 'testMessage'] as const).map((id) => setup.testLabel(id)),
  ];
}
