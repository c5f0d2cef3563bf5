import type { Connection } from '../../../domain/connection';
import type { BspApproval, CreatedTemplate, TemplateBsp, TemplateReadScope } from '../../../domain/template-bsp';
import { plainTextBodyOf, UnsupportedTemplateContentError, type TemplateFile } from '../../../domain/template-creation';
import type { TemplateDefinition } from '../../../domain/templates';
import { RetryableError } from '../../../shared/errors';
import type { ProviderCredentials } from '../provider';
import type { CloudApiProvider } from './errors';
import { findTemplate, isDuplicateTemplateError, templateOf, type CloudApiTemplate, type CloudApiTemplateClient } from './templates';

/** What a Cloud API template port is made of. */
export interface CloudApiTemplateBspDeps {
  provider: CloudApiProvider;
  client: Pick<CloudApiTemplateClient, 'read' | 'create'>;
  /**
   * The account id the client's URL needs: Meta's WABA id (`connection.providerAccountId`);
   * undefined for 360dialog, whose API key is scoped to the number's account.
   */
  accountOf(connection: Connection): string | undefined;
}

/**
 * The template was not in an account list that could not be read to its end (more pages than
 * `maxPages`): it may exist, so the sync tries again next run instead of calling it deleted.
 */
export class TemplateNotListedError extends RetryableError {}

/**
 * Templates on Cloud API shapes (Meta, 360dialog). A template is its WhatsApp name and language;
 * one call creates and submits it (no draft), and a second create of the same name and language
 * answers the existing template. Approvals are read from the account's template list, once per
 * connection per read scope, and looked up by name and language.
 * @example
 * const meta = new CloudApiTemplateBsp({ provider: 'meta', client: new MetaTemplateClient({ fetch, timeoutMs }), accountOf: (c) => c.providerAccountId });
 * await meta.create(credentials, connection, reengagement); // { providerTemplateId: 'echo_reengagement', status: 'pending' }
 */
export class CloudApiTemplateBsp implements TemplateBsp {
  readonly provider: CloudApiProvider;

  constructor(private readonly deps: CloudApiTemplateBspDeps) {
    this.provider = deps.provider;
  }

  async create(credentials: ProviderCredentials, connection: Connection, template: TemplateFile): Promise<CreatedTemplate> {
    const body = plainTextBodyOf(template);
    if (body === undefined) {
      throw new UnsupportedTemplateContentError(
        `${template.name} has content types other than twilio/text (${Object.keys(template.types).join(', ')}); only plain-text templates can be created on ${this.provider}`,
      );
    }
    const account = this.deps.accountOf(connection);
    try {
      const created = await this.deps.client.create(
        credentials,
        { name: template.whatsappName, category: template.category, language: template.language, body, examples: template.variables },
        account,
      );
      const approval = templateOf({ name: template.whatsappName, language: template.language, status: created.providerStatus });
      return { providerTemplateId: template.whatsappName, status: approval.status, ...reasonOf(approval) };
    } catch (error) {
      if (!isDuplicateTemplateError(error)) throw error;
      // Created before (by us, with the registry write lost, or by hand): that one is the template.
      const { templates } = await this.deps.client.read(credentials, account);
      const existing = findTemplate(templates, template.whatsappName, template.language);
      if (!existing) throw error;
      return { providerTemplateId: existing.name, status: existing.status, ...reasonOf(existing), existing: true };
    }
  }

  async fetchApproval(credentials: ProviderCredentials, connection: Connection, definition: TemplateDefinition, scope?: TemplateReadScope): Promise<BspApproval> {
    const account = this.deps.accountOf(connection);
    const read = () => this.deps.client.read(credentials, account);
    const list = scope ? await scope.once(`${this.provider}:templates:${connection.connectionId}`, read) : await read();
    const found = findTemplate(list.templates, definition.providerTemplateId, definition.language);
    if (found) return { status: found.providerStatus, ...reasonOf(found) };
    if (!list.complete) {
      throw new TemplateNotListedError(`${definition.providerTemplateId} (${definition.language}) is not in the part of the template list that was read`);
    }
    // Not in the whole list: deleted (in WhatsApp Manager, or by Meta). Sending it would fail (132001).
    return { status: 'DELETED', rejectionReason: `${definition.providerTemplateId} (${definition.language}) is no longer in the WhatsApp Business Account` };
  }
}

function reasonOf(template: Pick<CloudApiTemplate, 'rejectionReason'>): { rejectionReason?: string } {
  return template.rejectionReason === undefined ? {} : { rejectionReason: template.rejectionReason };
}
