/**
 * Pure logic of the Templates section and the template reply (no DOM): which re-engagement
 * template is on file, whether it can be sent or (re)created, the variables to ask for and their
 * first values, and the dictionary key of each approval status.
 */
import type { TemplateView } from '../../lambdas/domain/admin/contract';
import type { MessageKey } from './i18n';

/** The registry name of templates/reengagement.json. */
export const REENGAGEMENT_NAME = 'reengagement';

export type ApprovalStatus = 'draft' | 'submitted' | 'pending' | 'approved' | 'rejected';
const STATUSES: readonly string[] = ['draft', 'submitted', 'pending', 'approved', 'rejected'];

/**
 * The dictionary key of an approval status; anything else reads "unknown".
 * @example templateStatusKey('pending') // 'templates.status.pending'
 */
export function templateStatusKey(status: string): MessageKey {
  return (STATUSES.includes(status) ? `templates.status.${status}` : 'templates.status.unknown') as MessageKey;
}

/** The re-engagement templates on file (one per language), approved ones first. */
function reengagementTemplates(items: readonly TemplateView[]): TemplateView[] {
  return items.filter((item) => item.name === REENGAGEMENT_NAME).sort((a, b) => Number(b.approvalStatus === 'approved') - Number(a.approvalStatus === 'approved'));
}

/** The re-engagement template that can be sent now: an `approved` one, else none. */
export function sendableReengagement(items: readonly TemplateView[]): TemplateView | undefined {
  return reengagementTemplates(items).find((item) => item.approvalStatus === 'approved');
}

/**
 * Whether to offer "Create the re-engagement template": none exists yet, or every one on file was
 * rejected (the API then creates a new content).
 */
export function canCreateReengagement(items: readonly TemplateView[]): boolean {
  const existing = reengagementTemplates(items);
  return existing.length === 0 || existing.every((item) => item.approvalStatus === 'rejected');
}

/**
 * The template's variable numbers in order.
 * @example templateVariableNames({ variables: { '2': 'x', '1': 'y', '10': 'z' } }) // ['1', '2', '10']
 */
export function templateVariableNames(template: Pick<TemplateView, 'variables'>): string[] {
  return Object.keys(template.variables ?? {})
    .filter((name) => /^\d{1,2}$/.test(name))
    .sort((a, b) => Number(a) - Number(b));
}

/**
 * The customer's first name from the conversation's customer name: the first word, unless the
 * "name" is only a phone number or empty.
 * @example firstName('  Lucía Fernández ') // 'Lucía'
 */
export function firstName(customerName: string | undefined): string {
  const word = (customerName ?? '').trim().split(/\s+/)[0] ?? '';
  return /\p{L}/u.test(word) ? word : '';
}

/**
 * What each variable of the re-engagement template means (templates/reengagement.json: {{1}} the
 * customer's first name, {{2}} the business name), as the key of its field label.
 */
export function variableLabelKey(templateName: string, variable: string): MessageKey {
  if (templateName === REENGAGEMENT_NAME && variable === '1') return 'template.var.firstName';
  if (templateName === REENGAGEMENT_NAME && variable === '2') return 'template.var.businessName';
  return 'template.var.other';
}

/**
 * The first values of the template's fields: {{1}} of the re-engagement template is the
 * customer's first name; the rest start empty (the person fills them; all are required).
 */
export function prefillVariables(template: Pick<TemplateView, 'name' | 'variables'>, customerName: string | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of templateVariableNames(template)) values[name] = template.name === REENGAGEMENT_NAME && name === '1' ? firstName(customerName) : '';
  return values;
}

/** The variables left empty (trimmed), in order: the send is refused until there are none. */
export function missingVariables(values: Record<string, string>): string[] {
  return Object.keys(values)
    .filter((name) => !values[name].trim())
    .sort((a, b) => Number(a) - Number(b));
}
