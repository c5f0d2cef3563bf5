import * as z from 'zod';
import { registryStatusOf } from '../../../domain/template-approval';
import { TEMPLATE_CATEGORIES, type TemplateApprovalStatus, type TemplateCategory } from '../../../domain/templates';
import { BspUnavailableError, SendFailedError } from '../../../shared/errors';
import type { ProviderCredentials } from '../provider';
import type { CloudApiProvider } from './errors';
import { CloudApiErrorAnswer, callCloudApi, sameOrigin, withQuery, type CloudApiHttpDeps } from './http';
import type { CloudApiAuthorization } from './sender';

/**
 * WhatsApp message templates on Cloud API shapes: list with their approval status, and create
 * (submitting for approval). Meta: `GET|POST /{version}/{waba_id}/message_templates`, paged by
 * `paging.next`; 360dialog: `GET|POST {base}/v1/configs/templates`, listing under `waba_templates`
 * (legacy) or `data` (Meta-style) (CLOUD_API.md §7 "Templates"; chatwoot's template sync).
 *
 * Failures are classified `SendFailedError`s like every Cloud API call (`describeError(…, { bspCall:
 * 'read' })` words them as reads); an unreadable list is `BspUnavailableError`.
 */

/** One template as the registry needs it. */
export interface CloudApiTemplate {
  /** The template's name: what a Cloud API template send names it by (`providerTemplateId`). */
  name: string;
  language: string;
  status: TemplateApprovalStatus;
  /** The BSP's own status word (`APPROVED`, `PAUSED`, `IN_APPEAL`…), for audit. */
  providerStatus: string;
  category?: TemplateCategory;
  rejectionReason?: string;
  /** Meta's template id, where given. */
  id?: string;
}

/** A template to submit: one body with numbered variables and their examples. */
export interface NewCloudApiTemplate {
  /** Lower-case letters, digits and underscores (Meta's rule), at most 512 characters. */
  name: string;
  category: TemplateCategory;
  /** WhatsApp language code, e.g. `es_MX`. */
  language: string;
  /** The body text with `{{1}}`, `{{2}}`… placeholders. */
  body: string;
  /** An example per placeholder, `{ "1": "Ana" }`: Meta refuses templates without them. */
  examples?: Record<string, string>;
}

/** Where a provider keeps templates, and how its calls are authenticated. */
export interface CloudApiTemplateEndpoint {
  readonly provider: CloudApiProvider;
  /** The `message_templates` URL (Meta needs the WABA id; 360dialog's key is scoped to one). */
  templatesUrl(wabaId: string | undefined): string;
  authorize(credentials: ProviderCredentials): CloudApiAuthorization;
}

export interface CloudApiTemplateClientDeps extends CloudApiHttpDeps {
  endpoint: CloudApiTemplateEndpoint;
  /** Pages read at most. @default 20 */
  maxPages?: number;
}

const templateSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String).optional(),
  name: z.string().min(1),
  language: z.string().min(1),
  status: z.string().min(1),
  category: z.string().optional(),
  rejected_reason: z.string().optional(),
});

const count = z.number().int().min(0).optional().catch(undefined);
const pageSchema = z.object({
  data: z.array(z.unknown()).optional(),
  waba_templates: z.array(z.unknown()).optional(),
  paging: z.object({ next: z.string().optional() }).optional(),
  // 360dialog's `waba_templates` list pages by `offset` and tells the `total` instead of a link.
  offset: count,
  total: count,
});

/** A whole account's templates, and whether the list was read to its end. */
export interface CloudApiTemplateList {
  templates: CloudApiTemplate[];
  /**
   * False when pages were left unread (the `maxPages` bound, or a `paging.next` to another host):
   * a template missing from an incomplete list may still exist.
   */
  complete: boolean;
}

/** Templates per page we ask for: Meta's default is 25, and a sync reads the whole account. */
const PAGE_SIZE = 100;

/** Where the next page is; `dropped` when there is one we refuse to follow (another host). */
interface NextPage {
  url?: string;
  dropped?: true;
}

/**
 * The next page of a list: Meta's `paging.next` when it is on the first page's host (a link to
 * another host is dropped, never followed), else 360dialog's next `offset` while below `total`.
 */
function nextPageOf(page: z.infer<typeof pageSchema>, read: number, first: string, query: Record<string, string> | undefined): NextPage {
  const link = page.paging?.next;
  if (link) {
    const next = sameOrigin(link, first);
    // The proof is set again in case the link lacks it.
    return next === undefined ? { dropped: true } : { url: withQuery(next, query) };
  }
  if (page.total !== undefined && read > 0) {
    const offset = (page.offset ?? 0) + read;
    if (offset < page.total) return { url: withQuery(first, { ...query, offset: String(offset) }) };
  }
  return {};
}

/**
 * The template of that name and language, as WhatsApp identifies a template.
 * @example findTemplate(templates, 'echo_reengagement', 'es_MX')?.status // 'approved'
 */
export function findTemplate(templates: readonly CloudApiTemplate[], name: string, language: string): CloudApiTemplate | undefined {
  return templates.find((template) => template.name === name && template.language === language);
}

const createdSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String).optional(),
  status: z.string().optional(),
  category: z.string().optional(),
});

function categoryOf(value: string | undefined): TemplateCategory | undefined {
  const upper = value?.toUpperCase();
  return (TEMPLATE_CATEGORIES as readonly string[]).includes(upper ?? '') ? (upper as TemplateCategory) : undefined;
}

/**
 * A BSP template as the registry reads it. Meta writes `rejected_reason: "NONE"` on templates
 * that were not rejected; that is no reason.
 * @example templateOf({ name: 'promo', language: 'es', status: 'PAUSED' }) // { …, status: 'pending', rejectionReason: 'paused by WhatsApp' }
 */
export function templateOf(item: z.infer<typeof templateSchema>): CloudApiTemplate {
  const reason = item.rejected_reason && item.rejected_reason.toUpperCase() !== 'NONE' ? item.rejected_reason : undefined;
  const registry = registryStatusOf({ status: item.status, ...(reason !== undefined && { rejectionReason: reason }) });
  const category = categoryOf(item.category);
  return {
    name: item.name,
    language: item.language,
    status: registry.status,
    providerStatus: item.status,
    ...(category && { category }),
    ...(registry.reason !== undefined && { rejectionReason: registry.reason }),
    ...(item.id !== undefined && { id: item.id }),
  };
}

const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;

/** The BODY component with Meta's `example.body_text`, after checking every placeholder has an example. */
function bodyComponent(template: NewCloudApiTemplate): Record<string, unknown> {
  const placeholders = [...new Set([...template.body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((match) => Number(match[1])))].sort((a, b) => a - b);
  if (placeholders.some((n, index) => n !== index + 1)) {
    throw new SendFailedError('permanent', 'TEMPLATE_INVALID', 'The template placeholders must be numbered {{1}}, {{2}}… without gaps.');
  }
  if (placeholders.length === 0) return { type: 'BODY', text: template.body };
  const examples = placeholders.map((n) => template.examples?.[String(n)]);
  if (examples.some((example) => !example)) {
    throw new SendFailedError('permanent', 'TEMPLATE_INVALID', 'Every template placeholder needs an example value: WhatsApp refuses templates without them.');
  }
  return { type: 'BODY', text: template.body, example: { body_text: [examples] } };
}

/**
 * Lists and creates templates through one Cloud API provider.
 * @example
 * const templates = new CloudApiTemplateClient({ fetch, timeoutMs: 10_000, endpoint: metaTemplateEndpoint() });
 * await templates.list(credentials, wabaId); // [{ name: 'reengagement', language: 'es_MX', status: 'approved', … }]
 */
export class CloudApiTemplateClient {
  constructor(private readonly deps: CloudApiTemplateClientDeps) {}

  /** Every template of the account, following `paging.next` on the same host only. */
  async list(credentials: ProviderCredentials, wabaId?: string): Promise<CloudApiTemplate[]> {
    return (await this.read(credentials, wabaId)).templates;
  }

  /**
   * Every template of the account, and whether the list is complete: pages follow Meta's
   * `paging.next` (same host only: the credentials go nowhere else) or 360dialog's
   * `offset`/`total`, up to `maxPages`.
   */
  async read(credentials: ProviderCredentials, wabaId?: string): Promise<CloudApiTemplateList> {
    const auth = this.deps.endpoint.authorize(credentials);
    const first = withQuery(this.deps.endpoint.templatesUrl(wabaId), { limit: String(PAGE_SIZE) });
    const templates: CloudApiTemplate[] = [];
    let next: NextPage = { url: withQuery(first, auth.query) };
    for (let page = 0; next.url && page < (this.deps.maxPages ?? 20); page++) {
      const { body } = await callCloudApi(this.deps, { method: 'GET', url: next.url, headers: auth.headers, context: { provider: this.deps.endpoint.provider } });
      const parsed = pageSchema.safeParse(body);
      if (!parsed.success) throw new BspUnavailableError('the template list answer is unreadable');
      const items = parsed.data.data ?? parsed.data.waba_templates ?? [];
      for (const item of items) {
        const template = templateSchema.safeParse(item);
        // A template we cannot read is skipped, not a failed sync: the others still count.
        if (template.success) templates.push(templateOf(template.data));
      }
      next = nextPageOf(parsed.data, items.length, first, auth.query);
    }
    return { templates, complete: next.url === undefined && !next.dropped };
  }

  /**
   * Submits a template for WhatsApp's approval.
   * @throws SendFailedError `permanent` for a name or placeholders WhatsApp would refuse, or Meta's refusal.
   */
  async create(
    credentials: ProviderCredentials,
    template: NewCloudApiTemplate,
    wabaId?: string,
  ): Promise<{ id?: string; status: TemplateApprovalStatus; providerStatus: string }> {
    if (!TEMPLATE_NAME.test(template.name)) {
      throw new SendFailedError('permanent', 'TEMPLATE_INVALID', 'A template name has only lower-case letters, digits and underscores.');
    }
    const component = bodyComponent(template);
    const auth = this.deps.endpoint.authorize(credentials);
    const { body } = await callCloudApi(this.deps, {
      method: 'POST',
      url: withQuery(this.deps.endpoint.templatesUrl(wabaId), auth.query),
      headers: auth.headers,
      json: { name: template.name, category: template.category, language: template.language, components: [component] },
      context: { provider: this.deps.endpoint.provider, content: 'template' },
    });
    const created = createdSchema.safeParse(body);
    const providerStatus = (created.success && created.data.status) || 'PENDING';
    return {
      ...(created.success && created.data.id !== undefined && { id: created.data.id }),
      status: registryStatusOf({ status: providerStatus }).status,
      providerStatus,
    };
  }
}

/** Meta's `error_subcode` for "a template with this name and language already exists". */
export const DUPLICATE_TEMPLATE_SUBCODE = 2388024;

/**
 * True when a create failed because the account already has a template of that name and language
 * (Meta: code 100, subcode 2388024, "Content in this language already exists"; 360dialog relays
 * Meta's answer). The create was refused, so nothing new exists: the existing one is the answer.
 * @example isDuplicateTemplateError(await client.create(…).catch((e) => e)) // true on a second create
 */
export function isDuplicateTemplateError(error: unknown): boolean {
  if (!(error instanceof SendFailedError) || error.code !== '100') return false;
  const answer = error.options.cause;
  if (!(answer instanceof CloudApiErrorAnswer)) return false;
  // The subcode is what Meta documents; its words are the fallback for a relay that drops it.
  return answer.metaError.subcode === DUPLICATE_TEMPLATE_SUBCODE || /already exists/i.test(JSON.stringify(answer.body ?? {}));
}
