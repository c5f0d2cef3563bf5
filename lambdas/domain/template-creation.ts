/**
 * Creating a business's WhatsApp template in its BSP and submitting it for approval: shared by
 * `npm run templates -- create` (scripts/templates.ts) and the admin API's
 * `POST templates/reengagement`.
 */
import * as z from 'zod';
import type { ProviderCredentials } from './bsp';
import { PermanentError } from '../shared/errors';
import type { Connection } from './connection';
import { registryStatusOf } from './template-approval';
import { TEMPLATE_CATEGORIES, type TemplateCategory, type TemplateDefinition, type TemplateRegistry } from './templates';

const PLACEHOLDER = /\{\{\s*([0-9]{1,2})\s*\}\}/g;

/** A template definition (`templates/<name>.json`). */
export const templateFileSchema = z
  .object({
    $comment: z.string().optional(),
    /** Registry name (with `language`, the registry key) and what producers put in `template.name`. */
    name: z.string().regex(/^[a-z0-9_]{1,64}$/),
    /** The WhatsApp template name submitted for approval: lower-case letters, digits, underscores. */
    whatsappName: z.string().regex(/^[a-z0-9_]{1,512}$/),
    /** Twilio's `friendly_name` of the content. */
    friendlyName: z.string().min(1).max(64),
    /** WhatsApp language code, e.g. `es_MX`. */
    language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/),
    category: z.enum(TEMPLATE_CATEGORIES as [TemplateCategory, ...TemplateCategory[]]),
    /** Sample values of the numbered variables (WhatsApp reviews the template with them). */
    variables: z.record(z.string().regex(/^[0-9]{1,2}$/), z.string().trim().min(1)),
    /** Twilio content types, e.g. `{ "twilio/text": { "body": "Hola {{1}}" } }`. */
    types: z.record(z.string().regex(/^(twilio|whatsapp)\/[a-z-]+$/), z.record(z.string(), z.unknown())),
  })
  .superRefine((file, ctx) => {
    if (Object.keys(file.types).length === 0) ctx.addIssue({ code: 'custom', path: ['types'], message: 'at least one content type is required' });
    const used = new Set<string>();
    for (const [type, definition] of Object.entries(file.types)) {
      if (typeof definition.body === 'string') for (const match of definition.body.matchAll(PLACEHOLDER)) used.add(String(Number(match[1])));
      if (type === 'twilio/text' && typeof definition.body !== 'string') {
        ctx.addIssue({ code: 'custom', path: ['types', type, 'body'], message: 'twilio/text needs a body' });
      }
    }
    for (const n of used) {
      if (file.variables[n] === undefined) ctx.addIssue({ code: 'custom', path: ['variables', n], message: `{{${n}}} is used but has no sample value` });
    }
    for (const n of Object.keys(file.variables)) {
      if (!used.has(String(Number(n)))) ctx.addIssue({ code: 'custom', path: ['variables', n], message: `variable ${n} is not used in any body` });
    }
    // WhatsApp numbers variables 1..n without gaps.
    const numbers = [...used].map(Number).sort((a, b) => a - b);
    if (numbers.some((n, i) => n !== i + 1)) ctx.addIssue({ code: 'custom', path: ['variables'], message: 'variables must be numbered 1, 2, 3… without gaps' });
  });

export type TemplateFile = z.infer<typeof templateFileSchema>;

type Credentials = ProviderCredentials;

/** The BSP calls template creation makes (Twilio: `TwilioContentApi`). */
export interface TemplateContentApi {
  createContent(
    credentials: Credentials,
    definition: { friendlyName: string; language: string; variables: Record<string, string>; types: Record<string, unknown> },
  ): Promise<{ sid: string }>;
  submitWhatsAppApproval(
    credentials: Credentials,
    contentSid: string,
    request: { name: string; category: TemplateCategory },
  ): Promise<{ status: string }>;
}

export interface TemplateCreationDeps {
  registry: Pick<TemplateRegistry, 'get' | 'put' | 'setApprovalStatus'>;
  credentials: { get(secretId: string): Promise<Credentials> };
  contentApi: TemplateContentApi;
  now: () => Date;
  /** One line per thing done. @default ignored */
  log?: (line: string) => void;
}

/** The template already exists on another of the business's connections (and replacing was not asked for). */
export class TemplateOnOtherConnectionError extends PermanentError {}
/** The connection's BSP cannot hold templates this code knows how to create. */
export class UnsupportedTemplateProviderError extends PermanentError {}

export interface CreateTemplateOptions {
  connection: Connection;
  template: TemplateFile;
  /** Create a new content even when one is submitted or approved. */
  force?: boolean;
  /**
   * What to do when the registry holds the template for another connection of the business (one
   * deleted and replaced, say): `fail` (the command's default: a person decides) or `replace`
   * (the admin API: the business's current connection is the one that sends).
   * @default 'fail'
   */
  onOtherConnection?: 'fail' | 'replace';
}

/**
 * Creates a template in the connection's BSP account, submits it for approval, records it.
 * The registry item is written as `draft` right after the content exists, so a failed submission
 * leaves a record that the next call submits again instead of creating a second content. Run
 * again, it does not create a second content: a `draft` is submitted again, a submitted or
 * approved one is returned as it is (`force` creates a new one), a rejected one is replaced.
 * @example
 * const definition = await createAndSubmitTemplate(deps, { connection, template: reengagement });
 * definition.approvalStatus // 'submitted'
 */
export async function createAndSubmitTemplate(deps: TemplateCreationDeps, options: CreateTemplateOptions): Promise<TemplateDefinition> {
  const { template, connection } = options;
  const log = deps.log ?? (() => undefined);
  if (connection.provider !== 'twilio') throw new UnsupportedTemplateProviderError(`connection ${connection.connectionId} is not a Twilio connection`);
  const businessId = connection.businessId;
  const label = `${template.name} (${template.language})`;

  const existing = await deps.registry.get(businessId, template.name, template.language);
  const otherConnection = existing !== undefined && existing.connectionId !== connection.connectionId;
  const force = options.force === true || (otherConnection && options.onOtherConnection === 'replace');
  if (existing && !force) {
    if (otherConnection) {
      throw new TemplateOnOtherConnectionError(
        `${label} already exists for business ${businessId} on connection ${existing.connectionId}; --force replaces it`,
      );
    }
    if (existing.approvalStatus === 'submitted' || existing.approvalStatus === 'pending' || existing.approvalStatus === 'approved') {
      log(`${label} already exists (${existing.providerTemplateId}, ${existing.approvalStatus}): nothing to create; run \`sync\` for its status, or --force for a new content`);
      return existing;
    }
  }

  const credentials = await deps.credentials.get(connection.secretArn);
  let definition: TemplateDefinition;
  if (existing && !force && existing.approvalStatus === 'draft') {
    log(`${label} was created (${existing.providerTemplateId}) but never submitted: submitting it now`);
    definition = existing;
  } else {
    if (existing?.approvalStatus === 'rejected') log(`${label} was rejected (${existing.rejectionReason ?? 'no reason'}): creating a new content`);
    const { sid } = await deps.contentApi.createContent(credentials, {
      friendlyName: template.friendlyName,
      language: template.language,
      variables: template.variables,
      types: template.types,
    });
    definition = {
      businessId,
      name: template.name,
      language: template.language,
      providerTemplateId: sid,
      category: template.category,
      approvalStatus: 'draft',
      variables: template.variables,
      connectionId: connection.connectionId,
      updatedAt: deps.now().toISOString(),
    };
    await deps.registry.put(definition);
    log(`created ${label} in Twilio: ${sid}`);
  }

  const submitted = await deps.contentApi.submitWhatsAppApproval(credentials, definition.providerTemplateId, {
    name: template.whatsappName,
    category: template.category,
  });
  // A submission answered without a status is at least `submitted`.
  const next = registryStatusOf(submitted);
  const status = next.status === 'draft' ? 'submitted' : next.status;
  await deps.registry.setApprovalStatus(businessId, template.name, template.language, status, next.reason);
  log(`submitted ${label} for WhatsApp approval as "${template.whatsappName}" (${template.category}): ${status}`);
  return { ...definition, approvalStatus: status, updatedAt: deps.now().toISOString(), ...(next.reason !== undefined && { rejectionReason: next.reason }) };
}
