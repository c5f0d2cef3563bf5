/**
 * Twilio Content API (`https://content.twilio.com/v1/Content`) as the simulator models it: pure
 * validation of the create body, the approval state machine and the rendering of a content's text.
 *
 * Facts this relies on (Twilio docs / SDK, checked):
 * - The create body is JSON with snake_case keys: `friendly_name`, `language` (required), `variables`
 *   (string → string), `types` (required; keys are content types such as `twilio/text`). Unknown keys
 *   are ignored, so a camelCase `friendlyName` silently leaves `friendly_name` empty, and camelCase
 *   type keys (`twilioText`) leave no valid type: "Invalid types. At least one content type definition
 *   is required" (twilio-node#1046).
 * - `twilio/quick-reply`: `body` ≤ 1024, 1–10 `actions` `{title, id}`; WhatsApp titles ≤ 20; only 3
 *   buttons may be sent in session without approval.
 * - `twilio/list-picker`: `body` ≤ 1024, `button`, 1–10 `items` `{id ≤ 200, item ≤ 24, description ≤ 72}`;
 *   in-session only and never approvable. (The docs mark `description` required, the SDK optional:
 *   we accept it missing.)
 * - Approval: `POST /v1/Content/{sid}/ApprovalRequests/whatsapp` `{name, category}` answers the
 *   approval_create shape `{name, category, content_type, status, rejection_reason,
 *   allow_category_change}`; `GET /v1/Content/{sid}/ApprovalRequests` answers `{sid, account_sid, url,
 *   whatsapp: {type: 'whatsapp', …same fields, flows}}`.
 */
import { TWILIO_CODES, TwilioApiError } from './errors';

export const KNOWN_CONTENT_TYPES = ['twilio/text', 'twilio/media', 'twilio/quick-reply', 'twilio/list-picker'] as const;
export const INTERACTIVE_CONTENT_TYPES = new Set(['twilio/quick-reply', 'twilio/list-picker']);
/** WhatsApp categories accepted by the approval request. */
export const APPROVAL_CATEGORIES = ['UTILITY', 'MARKETING', 'AUTHENTICATION'] as const;

export const CONTENT_LIMITS = {
  textBodyMax: 1600,
  richBodyMax: 1024,
  quickReplyActionsMax: 10,
  /** Buttons WhatsApp accepts in session for a content that is not approved. */
  quickReplyInSessionMax: 3,
  actionTitleMax: 20,
  actionIdMax: 200,
  listItemsMax: 10,
  listButtonMax: 20,
  listItemMax: 24,
  listIdMax: 200,
  listDescriptionMax: 72,
} as const;

export type ApprovalStatus = 'unsubmitted' | 'received' | 'pending' | 'approved' | 'rejected';

export interface ApprovalState {
  name: string;
  category: string;
  /** When the approval request was accepted (epoch ms). */
  submittedAt: number;
  /** Final verdict, once decided. */
  verdict?: 'approved' | 'rejected';
  rejectionReason?: string;
}

/** A created content, as `contents()` returns it. */
export interface SimulatedContent {
  sid: string;
  accountSid: string;
  friendlyName: string;
  language: string;
  variables: Record<string, string>;
  /** Exactly as posted (snake_case inner keys kept). */
  types: Record<string, unknown>;
  /** The keys of `types`, e.g. `['twilio/quick-reply', 'twilio/text']`. */
  contentTypes: string[];
  createdAt: number;
  approval?: ApprovalState;
  /** The status a GET of its approval requests would answer now. */
  approvalStatus: ApprovalStatus;
}

export interface ContentCreateRequest {
  friendlyName: string;
  language: string;
  variables: Record<string, string>;
  types: Record<string, unknown>;
  /** camelCase keys that Twilio would silently ignore (reported in the simulator's log). */
  ignoredKeys: string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function bad(message: string): TwilioApiError {
  return new TwilioApiError(TWILIO_CODES.contentBadRequest, message, 400);
}

function tooLong(field: string, max: number): TwilioApiError {
  return new TwilioApiError(TWILIO_CODES.parameterTooLong, `Parameter '${field}' exceeded the character limit of ${max}`, 400);
}

function requireString(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0) throw bad(`Invalid ${field}: a non-empty string is required`);
  if ([...value].length > max) throw tooLong(field, max);
  return value;
}

function optionalString(value: unknown, field: string, max: number): void {
  if (value === undefined) return;
  requireString(value, field, max);
}

function validateType(type: string, definition: unknown): void {
  if (!isRecord(definition)) throw bad(`Invalid types. '${type}' must be an object`);
  switch (type) {
    case 'twilio/text':
      requireString(definition.body, `${type}.body`, CONTENT_LIMITS.textBodyMax);
      return;
    case 'twilio/media': {
      optionalString(definition.body, `${type}.body`, CONTENT_LIMITS.textBodyMax);
      const media = definition.media;
      if (!Array.isArray(media) || media.length === 0 || !media.every((url) => typeof url === 'string' && url.length > 0)) {
        throw bad(`Invalid ${type}.media: an array of at least one URL is required`);
      }
      return;
    }
    case 'twilio/quick-reply': {
      requireString(definition.body, `${type}.body`, CONTENT_LIMITS.richBodyMax);
      const actions = definition.actions;
      if (!Array.isArray(actions) || actions.length < 1 || actions.length > CONTENT_LIMITS.quickReplyActionsMax) {
        throw bad(`Invalid ${type}.actions: between 1 and ${CONTENT_LIMITS.quickReplyActionsMax} actions are required`);
      }
      actions.forEach((action, index) => {
        if (!isRecord(action)) throw bad(`Invalid ${type}.actions[${index}]`);
        requireString(action.title, `${type}.actions[${index}].title`, CONTENT_LIMITS.actionTitleMax);
        optionalString(action.id, `${type}.actions[${index}].id`, CONTENT_LIMITS.actionIdMax);
      });
      return;
    }
    case 'twilio/list-picker': {
      requireString(definition.body, `${type}.body`, CONTENT_LIMITS.richBodyMax);
      requireString(definition.button, `${type}.button`, CONTENT_LIMITS.listButtonMax);
      const items = definition.items;
      if (!Array.isArray(items) || items.length < 1 || items.length > CONTENT_LIMITS.listItemsMax) {
        throw bad(`Invalid ${type}.items: between 1 and ${CONTENT_LIMITS.listItemsMax} items are required`);
      }
      items.forEach((item, index) => {
        if (!isRecord(item)) throw bad(`Invalid ${type}.items[${index}]`);
        requireString(item.id, `${type}.items[${index}].id`, CONTENT_LIMITS.listIdMax);
        requireString(item.item, `${type}.items[${index}].item`, CONTENT_LIMITS.listItemMax);
        optionalString(item.description, `${type}.items[${index}].description`, CONTENT_LIMITS.listDescriptionMax);
      });
      return;
    }
    default:
      // Other Twilio types (`twilio/card`, `twilio/call-to-action`, `whatsapp/card`, …) are stored as
      // given, without validation.
      return;
  }
}

/**
 * Validates a `POST /v1/Content` JSON body the way Twilio does. Throws `TwilioApiError`.
 * @example validateContentCreate({ language: 'en', types: { 'twilio/text': { body: 'Hi {{1}}' } } })
 */
export function validateContentCreate(body: unknown): ContentCreateRequest {
  if (!isRecord(body)) throw bad('Invalid request body: a JSON object is required');
  const ignoredKeys = Object.keys(body).filter((key) => /[A-Z]/.test(key));

  if (typeof body.language !== 'string' || body.language.trim() === '') throw bad('Invalid language: a language code is required');

  let friendlyName = '';
  if (body.friendly_name !== undefined && body.friendly_name !== null) {
    if (typeof body.friendly_name !== 'string') throw bad('Invalid friendly_name');
    friendlyName = body.friendly_name;
  }

  const variables: Record<string, string> = {};
  if (body.variables !== undefined && body.variables !== null) {
    if (!isRecord(body.variables)) throw bad('Invalid variables: an object of string values is required');
    for (const [key, value] of Object.entries(body.variables)) {
      if (typeof value !== 'string') throw bad(`Invalid variables: '${key}' must be a string`);
      variables[key] = value;
    }
  }

  const types = body.types;
  const typeKeys = isRecord(types) ? Object.keys(types) : [];
  const invalidKey = typeKeys.find((key) => !/^(twilio|whatsapp)\/[a-z-]+$/.test(key));
  if (!isRecord(types) || typeKeys.length === 0 || invalidKey !== undefined) {
    throw bad('Invalid types. At least one content type definition is required');
  }
  for (const key of typeKeys) validateType(key, types[key]);

  return { friendlyName, language: body.language, variables, types, ignoredKeys };
}

export interface ApprovalCreateRequest {
  name: string;
  category: string;
}

/** Validates `POST /v1/Content/{sid}/ApprovalRequests/whatsapp`. Throws `TwilioApiError`. */
export function validateApprovalCreate(body: unknown): ApprovalCreateRequest {
  if (!isRecord(body)) throw bad('Invalid request body: a JSON object is required');
  // WhatsApp template names: lower-case letters, digits and underscores.
  if (typeof body.name !== 'string' || !/^[a-z0-9_]{1,512}$/.test(body.name)) {
    throw bad('Invalid name: lower-case letters, digits and underscores are required');
  }
  const category = typeof body.category === 'string' ? body.category.toUpperCase() : '';
  if (!(APPROVAL_CATEGORIES as readonly string[]).includes(category)) {
    throw bad(`Invalid category: one of ${APPROVAL_CATEGORIES.join(', ')} is required`);
  }
  return { name: body.name, category };
}

/** The content type reported in approval responses: the richest type, else `twilio/text`. */
export function primaryContentType(contentTypes: readonly string[]): string {
  return contentTypes.find((type) => type !== 'twilio/text') ?? contentTypes[0] ?? 'twilio/text';
}

/** Why WhatsApp never approves a content, or undefined if it may. */
export function unapprovableReason(contentTypes: readonly string[]): string | undefined {
  if (contentTypes.includes('twilio/list-picker')) {
    return 'twilio/list-picker content is only available in session and cannot be approved for WhatsApp';
  }
  return undefined;
}

/**
 * The approval status a read sees at `now`: `received` is only ever answered by the submission
 * itself; reads answer `pending` until `approvalDelayMs` has passed, then the verdict.
 */
export function approvalStatusAt(approval: ApprovalState | undefined, now: number, approvalDelayMs: number): ApprovalStatus {
  if (!approval) return 'unsubmitted';
  if (approval.verdict !== undefined) return approval.verdict;
  if (now - approval.submittedAt >= approvalDelayMs) return 'approved';
  return 'pending';
}

/** Whether sending this content counts as a WhatsApp template (business-initiated) send. */
export function isApprovedTemplate(content: Pick<SimulatedContent, 'approval'>, now: number, approvalDelayMs: number): boolean {
  return approvalStatusAt(content.approval, now, approvalDelayMs) === 'approved';
}

/** The text a content renders to with the given variables (`{{1}}` → value, defaults from the content). */
export function renderContentBody(
  types: Record<string, unknown>,
  defaults: Record<string, string>,
  values: Record<string, string> | undefined,
): string {
  const text = types['twilio/text'];
  const first = Object.values(types)[0];
  const source = (isRecord(text) && typeof text.body === 'string' ? text.body : undefined) ??
    (isRecord(first) && typeof first.body === 'string' ? first.body : '');
  return source.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (match, key: string) => values?.[key] ?? defaults[key] ?? match);
}

/** The number of quick-reply actions, or 0 if the content has none. */
export function quickReplyActionCount(types: Record<string, unknown>): number {
  const quickReply = types['twilio/quick-reply'];
  return isRecord(quickReply) && Array.isArray(quickReply.actions) ? quickReply.actions.length : 0;
}
