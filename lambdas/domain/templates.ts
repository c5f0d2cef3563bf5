/**
 * The per-business WhatsApp template registry. A template is created in the BSP (Twilio: a
 * Content API item, `HX…`), submitted for WhatsApp approval, and only `approved` ones may be sent.
 * The send Lambda resolves `template` content and `fallbackTemplate` through it; the template
 * command and the approval sync job write it.
 */

import { PermanentError } from '../shared/errors';

export type TemplateCategory = 'UTILITY' | 'MARKETING' | 'AUTHENTICATION';

/** `draft`: created in the BSP, not submitted; `submitted`/`pending`: waiting for WhatsApp. */
export type TemplateApprovalStatus = 'draft' | 'submitted' | 'pending' | 'approved' | 'rejected';

export const TEMPLATE_CATEGORIES: readonly TemplateCategory[] = ['UTILITY', 'MARKETING', 'AUTHENTICATION'];
export const TEMPLATE_APPROVAL_STATUSES: readonly TemplateApprovalStatus[] = ['draft', 'submitted', 'pending', 'approved', 'rejected'];

export interface TemplateDefinition {
  businessId: string;
  /** Registry name, e.g. `reengagement`; with `language` it identifies the template. */
  name: string;
  /** WhatsApp language code, e.g. `es_MX`. */
  language: string;
  /** The BSP's template id (Twilio Content SID `HX…`). */
  providerTemplateId: string;
  category: TemplateCategory;
  approvalStatus: TemplateApprovalStatus;
  /** WhatsApp's reason, when `rejected`. */
  rejectionReason?: string;
  /** The template's numbered variables with their sample/default values: `{ "1": "Ana" }`. */
  variables: Record<string, string>;
  /** The connection (BSP account) the template was created in. */
  connectionId: string;
  updatedAt: string;
}

/** The registry's sort key: one item per name and language. */
export function templateKeyOf(name: string, language: string): string {
  return `${name}#${language}`;
}

/** Reads and writes template definitions. */
export interface TemplateRegistry {
  get(businessId: string, name: string, language: string): Promise<TemplateDefinition | undefined>;
  /** Creates or replaces the definition. */
  put(definition: TemplateDefinition): Promise<void>;
  /** Every template of the business (all languages and statuses). */
  list(businessId: string): Promise<TemplateDefinition[]>;
  /**
   * Sets the approval status and `updatedAt` (and the rejection reason, removed unless given).
   * Throws `TemplateNotFoundError` when there is no such template.
   */
  setApprovalStatus(
    businessId: string,
    name: string,
    language: string,
    status: TemplateApprovalStatus,
    reason?: string,
  ): Promise<void>;
}

/** `setApprovalStatus` on a template the registry does not hold. */
export class TemplateNotFoundError extends PermanentError {}
