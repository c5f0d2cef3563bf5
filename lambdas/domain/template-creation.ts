/**
 * Creating a business's WhatsApp template in its BSP and submitting it for approval: shared by
 * `npm run templates -- create` (scripts/templates.ts) and the admin API's
 * `POST templates/reengagement`. Works for every provider through the template port
 * (`template-bsp.ts`).
 */
import * as z from 'zod';
import type { ProviderCredentials } from './bsp';
import { PermanentError } from '../shared/errors';
import type { Connection } from './connection';
import { PROVIDER_PROFILES } from './providers';
import { registryStatusOf } from './template-approval';
import { templateBspFor, UnsupportedTemplateContentError, UnsupportedTemplateProviderError, type TemplateBsps } from './template-bsp';
import { TEMPLATE_CATEGORIES, type TemplateCategory, type TemplateDefinition, type TemplateRegistry } from './templates';

// Where the command and the admin API have always imported them from.
export { UnsupportedTemplateContentError, UnsupportedTemplateProviderError };

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
    /**
     * Twilio content types, e.g. `{ "twilio/text": { "body": "Hola {{1}}" } }`. Cloud API BSPs
     * (Meta, 360dialog) take the `twilio/text` body as the template's BODY component, and only
     * files with no other type (see `plainTextBodyOf`).
     */
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

/** Twilio's plain-text content type: the one a Cloud API BODY component is built from. */
const PLAIN_TEXT_TYPE = 'twilio/text';

/**
 * The template's body when it is plain text only (one `twilio/text` type): what BSPs that take
 * WhatsApp's own components (Cloud API) submit as the BODY. Undefined for files with buttons,
 * media or other types, which would need components this code does not build: submitting only
 * their text would get a different template approved than the one Twilio sends.
 * @example plainTextBodyOf(loadTemplateFile('reengagement')) // 'Hola {{1}}, te escribimos de {{2}}…'
 */
export function plainTextBodyOf(template: Pick<TemplateFile, 'types'>): string | undefined {
  const types = Object.keys(template.types);
  const body = template.types[PLAIN_TEXT_TYPE]?.body;
  return types.length === 1 && types[0] === PLAIN_TEXT_TYPE && typeof body === 'string' ? body : undefined;
}

type Credentials = ProviderCredentials;

export interface TemplateCreationDeps {
  registry: Pick<TemplateRegistry, 'get' | 'put' | 'setApprovalStatus'>;
  credentials: { get(secretId: string): Promise<Credentials> };
  /** The template port of each provider; a connection of a provider without one is refused (`UnsupportedTemplateProviderError`). */
  bsps: TemplateBsps;
  now: () => Date;
  /** One line per thing done. @default ignored */
  log?: (line: string) => void;
}

/** The template already exists on another of the business's connections (and replacing was not asked for). */
export class TemplateOnOtherConnectionError extends PermanentError {}

export interface CreateTemplateOptions {
  connection: Connection;
  template: TemplateFile;
  /** Create a new content even when one is submitted or approved (Twilio; Cloud API answers the existing template). */
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
 *
 * Twilio (create, then submit): the registry item is written as `draft` right after the content
 * exists, so a failed submission leaves a record that the next call submits again instead of
 * creating a second content. Cloud API (Meta, 360dialog: one call creates and submits): the item
 * is written once, with the status the BSP answered; if that write is lost, the next call finds
 * the template at the BSP by name and language and records it, so there is still one template.
 *
 * Run again, it does not create a second template: a `draft` is submitted again, a submitted or
 * approved one is returned as it is (`force` creates a new Twilio content), a rejected one is
 * replaced (Twilio: a new content; Cloud API: the BSP keeps one template per name and language, so
 * the rejected one is answered again: edit it in WhatsApp Manager or give the file a new
 * `whatsappName`).
 * @example
 * const definition = await createAndSubmitTemplate(deps, { connection, template: reengagement });
 * definition.approvalStatus // 'submitted' (Twilio), 'pending' (Meta)
 */
export async function createAndSubmitTemplate(deps: TemplateCreationDeps, options: CreateTemplateOptions): Promise<TemplateDefinition> {
  const { template, connection } = options;
  const log = deps.log ?? (() => undefined);
  const bsp = templateBspFor(deps.bsps, connection);
  const businessId = connection.businessId;
  const label = `${template.name} (${template.language})`;
  const where = PROVIDER_PROFILES[connection.provider].label;

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
      // Only a BSP with drafts (Twilio) can hold a second content for one name and language.
      const forceHint = bsp.submit ? ', or --force for a new content' : '';
      log(`${label} already exists (${existing.providerTemplateId}, ${existing.approvalStatus}): nothing to create; run \`sync\` for its status${forceHint}`);
      return existing;
    }
  }

  const credentials = await deps.credentials.get(connection.secretArn);
  let definition: TemplateDefinition;
  if (existing && !force && existing.approvalStatus === 'draft' && bsp.submit) {
    log(`${label} was created (${existing.providerTemplateId}) but never submitted: submitting it now`);
    definition = existing;
  } else {
    if (existing?.approvalStatus === 'rejected') log(`${label} was rejected (${existing.rejectionReason ?? 'no reason'}): creating it again`);
    const created = await bsp.create(credentials, connection, template);
    definition = {
      businessId,
      name: template.name,
      language: template.language,
      providerTemplateId: created.providerTemplateId,
      category: template.category,
      approvalStatus: created.status,
      ...(created.rejectionReason !== undefined && { rejectionReason: created.rejectionReason }),
      variables: template.variables,
      connectionId: connection.connectionId,
      updatedAt: deps.now().toISOString(),
    };
    await deps.registry.put(definition);
    if (created.existing) {
      log(`${label} already exists in ${where} as "${created.providerTemplateId}" (${created.status}): recorded it`);
      if (created.status === 'rejected') {
        log(`${where} keeps one template per name and language: edit "${created.providerTemplateId}" in WhatsApp Manager, or give the file a new whatsappName`);
      }
    } else {
      log(`created ${label} in ${where}: ${created.providerTemplateId} (${created.status})`);
    }
    // Cloud API created and submitted it in one call: nothing more to do.
    if (created.status !== 'draft') return definition;
  }

  if (!bsp.submit) throw new UnsupportedTemplateProviderError(`${where} left ${label} as a draft but cannot submit it`);
  const submitted = await bsp.submit(credentials, connection, definition.providerTemplateId, template);
  // A submission answered without a status is at least `submitted`.
  const next = registryStatusOf(submitted);
  const status = next.status === 'draft' ? 'submitted' : next.status;
  await deps.registry.setApprovalStatus(businessId, template.name, template.language, status, next.reason);
  log(`submitted ${label} for WhatsApp approval as "${template.whatsappName}" (${template.category}): ${status}`);
  const { rejectionReason: _previous, ...rest } = definition;
  return { ...rest, approvalStatus: status, updatedAt: deps.now().toISOString(), ...(next.reason !== undefined && { rejectionReason: next.reason }) };
}
