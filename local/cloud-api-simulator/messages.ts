/**
 * Validation of a Cloud API send body (`POST /{phone-number-id}/messages` at Meta,
 * `POST /messages` at 360dialog), pure. Both take the same JSON (CLOUD_API.md §4, §7).
 *
 * Limits (CLOUD_API.md §4, from WAJS `src/messages/interactive.ts`, Meta's Node SDK docs and
 * 360dialog's interactive page): text body ≤ 4096; reply buttons 1–3 with `reply.id` ≤ 256 and
 * `reply.title` ≤ 20, unique; list `action.button` ≤ 20, 1–10 sections, ≤ 10 rows in total, row
 * `id` ≤ 200, `title` ≤ 24, `description` ≤ 72, section `title` ≤ 24 and required with more than one
 * section; interactive `body.text` ≤ 1024, `footer.text` and a text `header` ≤ 60; media by `id` or
 * an http(s) `link`, captions ≤ 1024; `biz_opaque_callback_data` ≤ 512.
 *
 * Error codes: a missing or mistyped parameter is `100` ("(#100) The parameter … is required",
 * "(#100) Invalid parameter"), a value out of range `131009` ("Parameter value is not valid"), both
 * with `error_data.details` saying which rule failed. Meta's exact messages vary by field and are
 * not documented; clients must act on `code` (CLOUD_API.md §4), and the texts here only help a reader.
 * Lengths count characters (code points), not bytes.
 */
import { invalidParameter, invalidValue, type CloudApiError } from './errors';

export const SEND_LIMITS = {
  textBodyMax: 4096,
  captionMax: 1024,
  interactiveBodyMax: 1024,
  headerTextMax: 60,
  footerTextMax: 60,
  buttonsMin: 1,
  buttonsMax: 3,
  buttonTitleMax: 20,
  buttonIdMax: 256,
  listButtonMax: 20,
  sectionsMax: 10,
  rowsMax: 10,
  rowIdMax: 200,
  rowTitleMax: 24,
  rowDescriptionMax: 72,
  sectionTitleMax: 24,
  callbackDataMax: 512,
} as const;

export const MESSAGE_TYPES = ['text', 'image', 'audio', 'video', 'document', 'sticker', 'interactive', 'template', 'location', 'contacts', 'reaction'] as const;
export type CloudMessageType = (typeof MESSAGE_TYPES)[number];

const MEDIA_TYPES = new Set<string>(['image', 'audio', 'video', 'document', 'sticker']);
const CAPTIONED = new Set<string>(['image', 'video', 'document']);

/** A phone number as `to` takes it: digits, optionally with a leading `+`. */
const PHONE = /^\+?[1-9][0-9]{6,14}$/;
/** A business-scoped user id (`US.13491208655302741918`, `US.ENT.…`), CLOUD_API.md §2.2. */
export const BUSINESS_SCOPED_USER_ID = /^[A-Z]{2}(?:\.[A-Z]+)?\.[0-9A-Za-z]{1,128}$/;

/** A validated send. */
export interface CloudSend {
  kind: 'message';
  /** `to` or `recipient`, exactly as given. */
  recipient: string;
  /** `phone`: `to` with a number; `user_id`: `recipient` with a BSUID; `user_id_in_to`: a BSUID in `to`. */
  recipientKind: 'phone' | 'user_id' | 'user_id_in_to';
  type: CloudMessageType;
  /** The request body as parsed. */
  body: Record<string, unknown>;
  callbackData?: string;
  /** `context.message_id`, the message this one replies to. */
  replyTo?: string;
  template?: { name: string; language: string };
  /** The text a reader would see (text body, caption, interactive body), for logs and control views. */
  preview: string;
}

/** A validated mark-read (optionally with a typing indicator). */
export interface CloudMarkRead {
  kind: 'read';
  messageId: string;
  typing: boolean;
}

export type CloudRequest = CloudSend | CloudMarkRead;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function chars(value: string): number {
  return [...value].length;
}

function missing(path: string): CloudApiError {
  return invalidParameter(`${path} is required`, `(#100) The parameter ${path} is required.`);
}

function string(container: Json, key: string, path: string, options: { required?: boolean; max?: number; min?: number } = {}): string | undefined {
  const value = container[key];
  if (value === undefined || value === null) {
    if (options.required) throw missing(path);
    return undefined;
  }
  if (typeof value !== 'string') throw invalidParameter(`${path} must be a string`);
  if (options.required && value === '') throw missing(path);
  if (options.max !== undefined && chars(value) > options.max) {
    throw invalidValue(`${path} length invalid. Min length: ${options.min ?? 1}, Max length: ${options.max}`);
  }
  return value;
}

function object(container: Json, key: string, path: string, isRequired = true): Json | undefined {
  const value = container[key];
  if (value === undefined || value === null) {
    if (isRequired) throw missing(path);
    return undefined;
  }
  if (!isObject(value)) throw invalidParameter(`${path} must be an object`);
  return value;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function validateMedia(type: string, media: Json): string {
  const id = string(media, 'id', `${type}['id']`);
  const link = string(media, 'link', `${type}['link']`);
  if ((id === undefined) === (link === undefined)) {
    throw invalidParameter(`${type} must have exactly one of id or link`, `(#100) Param ${type} must contain either id or link`);
  }
  if (link !== undefined && !isHttpUrl(link)) throw invalidParameter(`${type}['link'] is not a valid http or https URL`);
  const caption = CAPTIONED.has(type) ? string(media, 'caption', `${type}['caption']`, { max: SEND_LIMITS.captionMax }) : undefined;
  return caption ?? '';
}

function validateButtons(action: Json): void {
  const buttons = action.buttons;
  if (!Array.isArray(buttons)) throw invalidParameter("interactive['action']['buttons'] must be an array", "(#100) The parameter interactive['action']['buttons'] is required.");
  if (buttons.length < SEND_LIMITS.buttonsMin || buttons.length > SEND_LIMITS.buttonsMax) {
    throw invalidValue(`Buttons count invalid. Min: ${SEND_LIMITS.buttonsMin}, Max: ${SEND_LIMITS.buttonsMax}`);
  }
  const ids = new Set<string>();
  const titles = new Set<string>();
  buttons.forEach((button: unknown, index) => {
    const path = `interactive['action']['buttons'][${index}]`;
    if (!isObject(button)) throw invalidParameter(`${path} must be an object`);
    if (button.type !== 'reply') throw invalidParameter(`${path}['type'] must be reply`);
    const reply = object(button, 'reply', `${path}['reply']`) as Json;
    const id = string(reply, 'id', `${path}['reply']['id']`, { required: true, max: SEND_LIMITS.buttonIdMax }) as string;
    const title = string(reply, 'title', `${path}['reply']['title']`, { required: true, max: SEND_LIMITS.buttonTitleMax }) as string;
    if (ids.has(id)) throw invalidValue('Button IDs must be unique');
    if (titles.has(title)) throw invalidValue('Button titles must be unique');
    ids.add(id);
    titles.add(title);
  });
}

function validateList(action: Json): void {
  string(action, 'button', "interactive['action']['button']", { required: true, max: SEND_LIMITS.listButtonMax });
  const sections = action.sections;
  if (!Array.isArray(sections)) throw invalidParameter("interactive['action']['sections'] must be an array", "(#100) The parameter interactive['action']['sections'] is required.");
  if (sections.length < 1 || sections.length > SEND_LIMITS.sectionsMax) throw invalidValue(`Sections count invalid. Min: 1, Max: ${SEND_LIMITS.sectionsMax}`);
  const rowIds = new Set<string>();
  let rows = 0;
  sections.forEach((section: unknown, index) => {
    const path = `interactive['action']['sections'][${index}]`;
    if (!isObject(section)) throw invalidParameter(`${path} must be an object`);
    string(section, 'title', `${path}['title']`, { required: sections.length > 1, max: SEND_LIMITS.sectionTitleMax });
    if (!Array.isArray(section.rows) || section.rows.length === 0) throw invalidParameter(`${path}['rows'] must be a non-empty array`);
    section.rows.forEach((row: unknown, rowIndex) => {
      const rowPath = `${path}['rows'][${rowIndex}]`;
      if (!isObject(row)) throw invalidParameter(`${rowPath} must be an object`);
      const id = string(row, 'id', `${rowPath}['id']`, { required: true, max: SEND_LIMITS.rowIdMax }) as string;
      string(row, 'title', `${rowPath}['title']`, { required: true, max: SEND_LIMITS.rowTitleMax });
      string(row, 'description', `${rowPath}['description']`, { max: SEND_LIMITS.rowDescriptionMax });
      if (rowIds.has(id)) throw invalidValue('Row IDs must be unique');
      rowIds.add(id);
    });
    rows += section.rows.length;
  });
  if (rows > SEND_LIMITS.rowsMax) throw invalidValue(`Total row count exceed max allowed count: ${SEND_LIMITS.rowsMax}`);
}

function validateInteractive(interactive: Json): string {
  const type = string(interactive, 'type', "interactive['type']", { required: true }) as string;
  const header = object(interactive, 'header', "interactive['header']", false);
  if (header?.type === 'text') string(header, 'text', "interactive['header']['text']", { required: true, max: SEND_LIMITS.headerTextMax });
  const footer = object(interactive, 'footer', "interactive['footer']", false);
  if (footer) string(footer, 'text', "interactive['footer']['text']", { required: true, max: SEND_LIMITS.footerTextMax });
  const body = object(interactive, 'body', "interactive['body']", type === 'button' || type === 'list');
  const text = body ? (string(body, 'text', "interactive['body']['text']", { required: true, max: SEND_LIMITS.interactiveBodyMax }) as string) : '';
  const action = object(interactive, 'action', "interactive['action']") as Json;
  if (type === 'button') validateButtons(action);
  else if (type === 'list') validateList(action);
  // cta_url, flow, product, product_list, location_request_message: accepted as they come.
  return text;
}

function validateTemplate(template: Json): { name: string; language: string } {
  const name = string(template, 'name', "template['name']", { required: true }) as string;
  const language = object(template, 'language', "template['language']") as Json;
  const code = string(language, 'code', "template['language']['code']", { required: true }) as string;
  if (template.components !== undefined && !Array.isArray(template.components)) throw invalidParameter("template['components'] must be an array");
  return { name, language: code };
}

/**
 * Validates a send or mark-read body. Throws `CloudApiError` (100 / 131009) with `error_data.details`.
 * Order: body → messaging_product → mark-read → recipient → recipient_type → type → the type's
 * object → context → biz_opaque_callback_data.
 * @example validateCloudRequest({ messaging_product: 'whatsapp', to: '5215512345678', type: 'text', text: { body: 'Hola' } })
 * // { kind: 'message', recipient: '5215512345678', recipientKind: 'phone', type: 'text', … }
 */
export function validateCloudRequest(input: unknown): CloudRequest {
  if (!isObject(input)) throw invalidParameter('the request body must be a JSON object');
  const product = input.messaging_product;
  if (product === undefined || product === null || product === '') {
    throw invalidParameter('messaging_product is required', '(#100) The parameter messaging_product is required.');
  }
  if (product !== 'whatsapp') throw invalidParameter(`messaging_product must be whatsapp, got ${JSON.stringify(product)}`, '(#100) Param messaging_product must be one of {WHATSAPP}');

  if (input.status !== undefined) {
    if (input.status !== 'read') throw invalidParameter(`status must be read, got ${JSON.stringify(input.status)}`);
    const messageId = string(input, 'message_id', 'message_id', { required: true }) as string;
    const typing = object(input, 'typing_indicator', 'typing_indicator', false);
    if (typing && typing.type !== 'text') throw invalidParameter("typing_indicator['type'] must be text");
    return { kind: 'read', messageId, typing: typing !== undefined };
  }

  const to = string(input, 'to', 'to');
  const recipientField = string(input, 'recipient', 'recipient');
  if (to === undefined && recipientField === undefined) throw invalidParameter('to or recipient is required', '(#100) The parameter to is required.');
  let recipient: string;
  let recipientKind: CloudSend['recipientKind'];
  if (recipientField !== undefined) {
    if (!BUSINESS_SCOPED_USER_ID.test(recipientField)) throw invalidParameter('recipient must be a business-scoped user id');
    recipient = recipientField;
    recipientKind = 'user_id';
  } else if (BUSINESS_SCOPED_USER_ID.test(to as string)) {
    recipient = to as string;
    recipientKind = 'user_id_in_to';
  } else {
    if (!PHONE.test(to as string)) throw invalidParameter('to must be a phone number (digits, optionally with +) or a business-scoped user id');
    recipient = to as string;
    recipientKind = 'phone';
  }
  if (input.recipient_type !== undefined && input.recipient_type !== 'individual') {
    throw invalidParameter(`recipient_type must be individual, got ${JSON.stringify(input.recipient_type)}`);
  }

  const type = (input.type ?? 'text') as string;
  if (typeof type !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(type)) {
    throw invalidParameter(`type must be one of ${MESSAGE_TYPES.join(', ')}`, `(#100) Param type must be one of {${MESSAGE_TYPES.map((t) => t.toUpperCase()).join(', ')}}`);
  }
  const payload = object(input, type, type) as Json;
  let preview = '';
  let template: CloudSend['template'];
  if (type === 'text') {
    const body = string(payload, 'body', "text['body']", { required: true }) as string;
    if (chars(body) > SEND_LIMITS.textBodyMax) {
      throw invalidParameter(`text['body'] is ${chars(body)} characters long; at most ${SEND_LIMITS.textBodyMax}`, `(#100) Param text['body'] must be at most ${SEND_LIMITS.textBodyMax} characters long.`);
    }
    if (payload.preview_url !== undefined && typeof payload.preview_url !== 'boolean') throw invalidParameter("text['preview_url'] must be a boolean");
    preview = body;
  } else if (MEDIA_TYPES.has(type)) {
    preview = validateMedia(type, payload);
  } else if (type === 'interactive') {
    preview = validateInteractive(payload);
  } else if (type === 'template') {
    template = validateTemplate(payload);
    preview = `template ${template.name} (${template.language})`;
  }

  const context = object(input, 'context', 'context', false);
  const replyTo = context ? (string(context, 'message_id', "context['message_id']", { required: true }) as string) : undefined;
  const callbackData = input.biz_opaque_callback_data;
  if (callbackData !== undefined && typeof callbackData !== 'string') throw invalidParameter('biz_opaque_callback_data must be a string');
  if (typeof callbackData === 'string' && chars(callbackData) > SEND_LIMITS.callbackDataMax) {
    throw invalidParameter(`biz_opaque_callback_data is longer than ${SEND_LIMITS.callbackDataMax} characters`);
  }

  const send: CloudSend = { kind: 'message', recipient, recipientKind, type: type as CloudMessageType, body: input, preview };
  if (typeof callbackData === 'string' && callbackData !== '') send.callbackData = callbackData;
  if (replyTo !== undefined) send.replyTo = replyTo;
  if (template) send.template = template;
  return send;
}

/** The `wa_id` Meta answers for a phone recipient: its digits. */
export function waIdOf(recipient: string): string {
  return recipient.replace(/^\+/, '');
}
