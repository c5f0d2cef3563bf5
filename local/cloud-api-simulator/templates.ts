/**
 * Message templates as both simulators model them, pure: validation of a create body, the approval
 * state (`PENDING` until `approvalDelayMs` has passed or a control call decides), and the two list
 * shapes.
 *
 * - Meta: `POST /{waba-id}/message_templates` `{ name, category, language, components,
 *   parameter_format?, allow_category_change? }` answers `{ id, status: 'PENDING', category }`;
 *   `GET` answers `{ data: [{ name, parameter_format, components, language, status, category, id }],
 *   paging: { cursors: { before, after }, next? } }` (`limit` default 25, `after` cursor; `name`,
 *   `status`, `language`, `category` filter exactly; `fields` picks fields, `id` always included).
 * - 360dialog (CLOUD_API.md §7): `POST /v1/configs/templates` with the same body answers the template;
 *   `GET` answers `{ count, filters, limit, offset, sort, total, waba_templates: [{ category,
 *   components, id, language, name, namespace, rejected_reason, status }] }`, `status` in lower case
 *   (`submitted`, `approved`, `rejected`) as 360dialog's examples show it; `limit` (default 1000) and
 *   `offset` page it.
 * - Templates belong to the WABA: every number of one WABA sees the same ones.
 * - Name rules: lower-case letters, digits and `_`, ≤ 512 characters; one template per name and
 *   language (100 / subcode 2388024 otherwise).
 */
import { createHash } from 'node:crypto';
import { CLOUD_CODES, CloudApiError, invalidParameter } from './errors';

export const TEMPLATE_CATEGORIES = ['AUTHENTICATION', 'MARKETING', 'UTILITY'] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];
export type TemplateStatus = 'PENDING' | 'APPROVED' | 'REJECTED';

/** A template as the simulators store it. */
export interface SimulatedTemplate {
  id: string;
  wabaId: string;
  name: string;
  language: string;
  category: TemplateCategory;
  components: unknown[];
  /** Epoch ms. */
  createdAt: number;
  /** A decision taken by a control call or a seed; without one, the delay decides. */
  verdict?: { status: 'APPROVED' | 'REJECTED'; reason?: string };
  /** Stays `PENDING` until a control call decides, whatever the delay. */
  manualReview?: true;
  /** The status now (computed when read). */
  status: TemplateStatus;
}

export interface TemplateCreate {
  name: string;
  language: string;
  category: TemplateCategory;
  components: unknown[];
}

/** Meta's subcode for "a template with this name and language already exists". */
export const DUPLICATE_TEMPLATE_SUBCODE = 2388024;

const NAME = /^[a-z0-9_]{1,512}$/;
const LANGUAGE = /^[a-z]{2,3}(_[A-Z]{2})?$/;

/**
 * Validates a template create body. Throws `CloudApiError` (100) with details.
 * @example validateTemplateCreate({ name: 'echo_reengagement', language: 'es_MX', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hola {{1}}' }] })
 */
export function validateTemplateCreate(body: unknown): TemplateCreate {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidParameter('the request body must be a JSON object');
  const input = body as Record<string, unknown>;
  if (typeof input.name !== 'string' || !NAME.test(input.name)) {
    throw invalidParameter('name must be 1 to 512 lower-case letters, digits or underscores');
  }
  if (typeof input.language !== 'string' || !LANGUAGE.test(input.language)) throw invalidParameter('language must be a language code such as en_US');
  const category = typeof input.category === 'string' ? input.category.toUpperCase() : '';
  if (!(TEMPLATE_CATEGORIES as readonly string[]).includes(category)) {
    throw invalidParameter(`category must be one of ${TEMPLATE_CATEGORIES.join(', ')}`);
  }
  if (!Array.isArray(input.components)) throw invalidParameter('components must be an array');
  const hasBody = input.components.some(
    (component) => typeof component === 'object' && component !== null && String((component as { type?: unknown }).type).toUpperCase() === 'BODY' && typeof (component as { text?: unknown }).text === 'string',
  );
  if (!hasBody) throw invalidParameter('components must contain a BODY component with text');
  return { name: input.name, language: input.language, category: category as TemplateCategory, components: input.components };
}

/** The duplicate-name answer. */
export function duplicateTemplate(name: string, language: string): CloudApiError {
  return new CloudApiError(CLOUD_CODES.invalidParameter, 'Invalid parameter', {
    subcode: DUPLICATE_TEMPLATE_SUBCODE,
    details: `Content in this language already exists: ${name} (${language})`,
  });
}

/** A stable numeric id, as Meta's template ids look. */
export function templateId(wabaId: string, name: string, language: string): string {
  const hex = createHash('sha256').update(`${wabaId}:${name}:${language}`).digest('hex').slice(0, 13);
  return String(BigInt(`0x${hex}`)).padStart(16, '1').slice(0, 16);
}

/** The status of a template at `now`. */
export function templateStatusAt(template: Pick<SimulatedTemplate, 'verdict' | 'createdAt' | 'manualReview'>, now: number, approvalDelayMs: number): TemplateStatus {
  if (template.verdict) return template.verdict.status;
  if (template.manualReview) return 'PENDING';
  return now - template.createdAt >= approvalDelayMs ? 'APPROVED' : 'PENDING';
}

function metaItem(template: SimulatedTemplate): Record<string, unknown> {
  return {
    name: template.name,
    parameter_format: 'POSITIONAL',
    components: template.components,
    language: template.language,
    status: template.status,
    category: template.category,
    ...(template.verdict?.reason !== undefined && { rejected_reason: template.verdict.reason }),
    id: template.id,
  };
}

function cursorOf(index: number): string {
  return Buffer.from(`index:${index}`).toString('base64url');
}

function indexOf(cursor: string | null): number {
  if (!cursor) return 0;
  const match = /^index:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw invalidParameter('after is not a cursor of this list');
  return Number(match[1]);
}

/**
 * One page of Meta's template list. `pageUrl(after)` builds the `paging.next` URL.
 * @example metaTemplatesPage(templates, new URLSearchParams('limit=2'), (after) => `${base}?limit=2&after=${after}`)
 */
export function metaTemplatesPage(templates: SimulatedTemplate[], query: URLSearchParams, pageUrl: (after: string) => string): Record<string, unknown> {
  const limit = query.get('limit') === null ? 25 : Number(query.get('limit'));
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalidParameter('limit must be between 1 and 1000');
  const filters: Array<[string, (template: SimulatedTemplate) => string]> = [
    ['name', (t) => t.name],
    ['status', (t) => t.status],
    ['language', (t) => t.language],
    ['category', (t) => t.category],
  ];
  const matching = templates.filter((template) => filters.every(([key, read]) => query.get(key) === null || read(template) === query.get(key)));
  const start = indexOf(query.get('after'));
  const slice = matching.slice(start, start + limit);
  const fields = query.get('fields')?.split(',').map((field) => field.trim()).filter(Boolean);
  const data = slice.map((template) => {
    const item = metaItem(template);
    return fields ? Object.fromEntries(Object.entries(item).filter(([key]) => key === 'id' || fields.includes(key))) : item;
  });
  const after = cursorOf(start + slice.length);
  const paging: Record<string, unknown> = { cursors: { before: cursorOf(start), after } };
  if (start + slice.length < matching.length) paging.next = pageUrl(after);
  return { data, paging };
}

/** A template as 360dialog lists it (status in lower case; `PENDING` reads `submitted`). */
export function dialog360Item(template: SimulatedTemplate): Record<string, unknown> {
  return {
    category: template.category,
    components: template.components,
    id: template.id,
    language: template.language,
    name: template.name,
    namespace: `echo_sim_${template.wabaId}`,
    rejected_reason: template.verdict?.reason ?? 'NONE',
    status: template.status === 'PENDING' ? 'submitted' : template.status.toLowerCase(),
  };
}

/**
 * 360dialog's template list (`waba_templates`), paged by `limit` and `offset`.
 * @example dialog360TemplatesList(templates, new URLSearchParams('limit=10')).total
 */
export function dialog360TemplatesList(templates: SimulatedTemplate[], query: URLSearchParams): Record<string, unknown> {
  const limit = query.get('limit') === null ? 1000 : Number(query.get('limit'));
  const offset = query.get('offset') === null ? 0 : Number(query.get('offset'));
  if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0) {
    throw new CloudApiError(400, 'limit and offset must be non-negative integers', { dialog360: true });
  }
  const slice = templates.slice(offset, offset + limit);
  return { count: slice.length, filters: {}, limit, offset, sort: ['business_templates.name'], total: templates.length, waba_templates: slice.map(dialog360Item) };
}
