import type { Connection } from '../connection';
import { createAndSubmitTemplate, type TemplateCreationDeps, type TemplateFile } from '../template-creation';
import type { TemplateDefinition, TemplateRegistry } from '../templates';
import type { TemplatesList, TemplateView } from './contract';
import { PROVIDER_PROFILES, type ProviderName } from '../providers';
import { AdminNotFoundError, ProviderNotSupportedError } from './errors';
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

export interface TemplateAdminDeps extends Omit<TemplateCreationDeps, 'contentApi'> {
  connections: Pick<AdminConnectionStore, 'current'>;
  /**
   * The template API of each provider this deployment can create templates with (Twilio's Content
   * API today). A connection of another provider is answered 409 `not-supported`, never a crash.
   */
  contentApis: Readonly<Partial<Record<ProviderName, TemplateCreationDeps['contentApi']>>>;
  /** The definition `POST templates/reengagement` creates (templates/reengagement.json). */
  reengagement: TemplateFile;
}

/**
 * `POST templates/reengagement`: creates the re-engagement template in the business's current
 * connection's BSP account and submits it for WhatsApp approval (the same code as
 * `npm run templates -- create`). Calling it again returns the template as it is unless it was
 * rejected (a new content is created) or made for a connection since replaced. Only for
 * providers with a template API in `contentApis` (409 `not-supported` otherwise).
 * @example const view = await createReengagementTemplate('acme', deps); // 202
 */
export async function createReengagementTemplate(businessId: string, deps: TemplateAdminDeps): Promise<TemplateView> {
  const current = await deps.connections.current(businessId);
  if (!current || current.status !== 'active') throw new AdminNotFoundError('This business has no active WhatsApp connection.');
  const contentApi = deps.contentApis[current.provider];
  if (!contentApi || !current.displayNumber) {
    throw new ProviderNotSupportedError(`Creating templates for a ${PROVIDER_PROFILES[current.provider].label} connection is not available yet.`);
  }
  const connection: Connection = {
    connectionId: current.connectionId,
    businessId: current.businessId,
    provider: current.provider,
    status: current.status,
    displayNumber: current.displayNumber,
    secretArn: current.secretArn,
  };
  const definition = await createAndSubmitTemplate({ ...deps, contentApi }, { connection, template: deps.reengagement, onOtherConnection: 'replace' });
  return templateViewOf(definition);
}
