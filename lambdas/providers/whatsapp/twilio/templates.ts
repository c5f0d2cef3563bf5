import type { Connection } from '../../../domain/connection';
import type { BspApproval, CreatedTemplate, TemplateBsp } from '../../../domain/template-bsp';
import type { TemplateFile } from '../../../domain/template-creation';
import type { TemplateDefinition } from '../../../domain/templates';
import type { ProviderCredentials } from '../provider';
import type { TwilioContentApi } from './send/content-api';

/** The Content API calls templates need (`TwilioContentApi`; tests pass a fake). */
export type TwilioTemplateContentApi = Pick<TwilioContentApi, 'createContent' | 'submitWhatsAppApproval' | 'fetchWhatsAppApproval'>;

/**
 * Twilio's templates: a Content API item (`HX…`) created from the file's `types`, then submitted
 * for WhatsApp approval under the file's `whatsappName` (two calls, so `create` answers a
 * `draft`), and read back per Content SID.
 * @example
 * const twilio = new TwilioTemplateBsp(new TwilioContentApi({ fetch, contentBaseUrl, timeoutMs: 10_000 }));
 * const { providerTemplateId } = await twilio.create(credentials, connection, reengagement); // 'HX…', 'draft'
 * await twilio.submit(credentials, connection, providerTemplateId, reengagement); // { status: 'received' }
 */
export class TwilioTemplateBsp implements TemplateBsp {
  readonly provider = 'twilio' as const;

  constructor(private readonly contentApi: TwilioTemplateContentApi) {}

  async create(credentials: ProviderCredentials, _connection: Connection, template: TemplateFile): Promise<CreatedTemplate> {
    const { sid } = await this.contentApi.createContent(credentials, {
      friendlyName: template.friendlyName,
      language: template.language,
      variables: template.variables,
      types: template.types,
    });
    return { providerTemplateId: sid, status: 'draft' };
  }

  submit(credentials: ProviderCredentials, _connection: Connection, providerTemplateId: string, template: TemplateFile): Promise<BspApproval> {
    return this.contentApi.submitWhatsAppApproval(credentials, providerTemplateId, { name: template.whatsappName, category: template.category });
  }

  /** One read per Content SID: Twilio has no account-wide approval list worth sharing. */
  fetchApproval(credentials: ProviderCredentials, _connection: Connection, definition: TemplateDefinition): Promise<BspApproval> {
    return this.contentApi.fetchWhatsAppApproval(credentials, definition.providerTemplateId);
  }
}
