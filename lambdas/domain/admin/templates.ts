import type { Connection } from '../connection';
import { createAndSubmitTemplate, type TemplateCreationDeps, type TemplateFile } from '../template-creation';
import type { TemplateDefinition, TemplateRegistry } from '../templates';
import type { TemplatesList, TemplateView } from './contract';
import { PROVIDER_PROFILES } from '../providers';
import { AdminConflictError, AdminNotFoundError, ProviderNotSupportedError } from './errors';
import type { AdminConnectionStore } from './ports';

/**
 * A registry template as the admin API shows it. `contentSid` is Twilio's Content SID only: a
 * Meta or 360dialog template's id is its WhatsApp name (lower case, so never `HX…`), which the
 * contract does not carry.
 * @example templateViewOf(definition).approvalStatus // 'approved'
 */
export function templateViewOf(definition: TemplateDefinition): TemplateView {
  return {
    name: definition.name,
    language: definition.language,
    ...(definition.providerTemplateId.startsWith('HX') && { contentSid: definition.providerTemplateId }),
    category: definition.category,
    approvalStatus: definition.approvalStatus,
    variables: definition.variables,
    ...(definition.updatedAt && { updatedAt: definition.updatedAt }),
  };
}

/** `GET templates`: every template of the business, by name then language. */
export async function listTemplates(businessId: string, deps: { registry: Pick<TemplateRegistry, 'list'> }): Promise<TemplatesList> {
  const definitions = await deps.registry.list(businessId);
  return { items: definitions.map(templateViewOf).sort((a, b) => (a.name + a.language < b.name + b.language ? -1 : 1)) };
}

export interface TemplateAdminDeps extends TemplateCreationDeps {
  connections: Pick<AdminConnectionStore, 'current'>;
  /** The definition `POST templates/reengagement` creates (templates/reengagement.json). */
  reengagement: TemplateFile;
}

/**
 * `POST templates/reengagement`: creates the re-engagement template in the business's current
 * connection's BSP account and submits it for WhatsApp approval (the same code as
 * `npm run templates -- create`), for every provider with a template port in `bsps` (Twilio,
 * Meta, 360dialog; 409 `not-supported` for one without). Calling it again returns the template as
 * it is unless it was rejected (Twilio: a new content; Meta and 360dialog answer the existing one)
 * or made for a connection since replaced.
 * @example const view = await createReengagementTemplate('acme', deps); // 202
 */
export async function createReengagementTemplate(businessId: string, deps: TemplateAdminDeps): Promise<TemplateView> {
  const current = await deps.connections.current(businessId);
  if (!current || current.status !== 'active') throw new AdminNotFoundError('This business has no active WhatsApp connection.');
  if (!deps.bsps[current.provider]) {
    throw new ProviderNotSupportedError(`Creating templates for a ${PROVIDER_PROFILES[current.provider].label} connection is not available yet.`);
  }
  // Templates belong to the BSP account, not to the number, but a Meta connection saved without
  // its number is not usable yet (its first test reads the number from Meta).
  if (!current.displayNumber) throw new AdminConflictError('Test the WhatsApp connection before creating templates.');
  const connection: Connection = {
    connectionId: current.connectionId,
    businessId: current.businessId,
    provider: current.provider,
    status: current.status,
    displayNumber: current.displayNumber,
    providerNumberId: current.providerNumberId,
    ...(current.providerAccountId !== undefined && { providerAccountId: current.providerAccountId }),
    secretArn: current.secretArn,
  };
  const definition = await createAndSubmitTemplate(deps, { connection, template: deps.reengagement, onOtherConnection: 'replace' });
  return templateViewOf(definition);
}
