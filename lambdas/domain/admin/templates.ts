import type { Connection } from '../connection';
import { createAndSubmitTemplate, type TemplateCreationDeps, type TemplateFile } from '../template-creation';
import type { TemplateDefinition, TemplateRegistry } from '../templates';
import type { TemplatesList, TemplateView } from './contract';
import { AdminNotFoundError } from './errors';
import type { AdminConnectionStore } from './ports';

export function templateViewOf(definition: TemplateDefinition): TemplateView {
  return {
    name: definition.name,
    language: definition.language,
    contentSid: definition.providerTemplateId,
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
 * `npm run templates -- create`). Calling it again returns the template as it is unless it was
 * rejected (a new content is created) or made for a connection since replaced.
 */
export async function createReengagementTemplate(businessId: string, deps: TemplateAdminDeps): Promise<TemplateView> {
  const current = await deps.connections.current(businessId);
  if (!current || current.status !== 'active') throw new AdminNotFoundError('This business has no active WhatsApp connection.');
  const connection: Connection = {
    connectionId: current.connectionId,
    businessId: current.businessId,
    provider: current.provider,
    status: current.status,
    displayNumber: current.displayNumber,
    secretArn: current.secretArn,
  };
  const definition = await createAndSubmitTemplate(deps, { connection, template: deps.reengagement, onOtherConnection: 'replace' });
  return templateViewOf(definition);
}
