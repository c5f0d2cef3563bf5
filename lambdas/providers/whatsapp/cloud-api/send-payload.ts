import type { SendableContent } from '../provider';
import { SendFailedError } from '../../../shared/errors';

/**
 * The JSON bodies of `POST …/messages` on the Cloud API, shared by Meta and 360dialog (which takes
 * Meta's body unchanged, `messaging_product` included). Shapes and limits: `shared/CLOUD_API.md` §4
 * (Meta's send reference; limits cross-checked with whatsapp-api-js `src/messages/interactive.ts`
 * and the official Node SDK types) and §2.2 (BSUID recipients).
 *
 * Content that breaks a WhatsApp limit is refused here, before any call: buttons and lists as
 * `content-rejected` (the send Lambda then sends them as numbered plain text, which loses nothing,
 * where truncating a title would silently change what the customer reads); text and templates as
 * `permanent` (no other form of them exists).
 */

/** The longest text body Meta accepts (courier `maxMsgLength`); longer texts are split before sending. */
export const CLOUD_API_MAX_TEXT_LENGTH = 4096;

/** WhatsApp's limits for interactive messages, in characters (§4, §10 item 7). */
export const INTERACTIVE_LIMITS = {
  bodyText: 1024,
  buttonsMin: 1,
  buttonsMax: 3,
  buttonId: 256,
  buttonTitle: 20,
  listButton: 20,
  /** Meta caps the rows of all sections together. */
  listRowsMax: 10,
  rowId: 200,
  rowTitle: 24,
  rowDescription: 72,
} as const;

/** `biz_opaque_callback_data` is at most 512 characters (Meta send reference). */
export const CALLBACK_DATA_MAX_LENGTH = 512;

/** A business-scoped user id: a country code, a dot, up to 128 letters and digits (`US.1349…`, `US.ENT.…`). */
const BSUID = /^[A-Z]{2}\.[A-Za-z0-9.]{1,140}$/;
/** A phone number with or without its `+`: Cloud API takes the digits. */
const PHONE = /^\+?[1-9]\d{4,14}$/;

/** Who the message goes to, as the body addresses them. */
export type CloudApiRecipient = { to: string } | { recipient: string };

/**
 * How the Cloud API addresses a customer: `to` with the digits of a phone number, or `recipient`
 * with a business-scoped user id (a BSUID in `to` is reportedly accepted and silently dropped,
 * CLOUD_API.md §2.2).
 * @example cloudApiRecipient('+5215512345678') // { to: '5215512345678' }
 * @example cloudApiRecipient('US.13491208655302741918') // { recipient: 'US.13491208655302741918' }
 */
export function cloudApiRecipient(customer: string): CloudApiRecipient {
  const value = customer.trim();
  if (PHONE.test(value)) return { to: value.replace(/^\+/, '') };
  if (BSUID.test(value)) return { recipient: value };
  throw new SendFailedError('permanent', 'RECIPIENT_INVALID', 'The customer address is neither a phone number nor a WhatsApp user id.');
}

/** Characters as the customer sees them (code points): an emoji counts once. */
function length(text: string): number {
  return [...text].length;
}

function rejectInteractive(detail: string): never {
  throw new SendFailedError('content-rejected', 'INTERACTIVE_LIMITS', `The message exceeds a WhatsApp limit for interactive messages: ${detail}.`);
}

function interactiveOf(content: Extract<SendableContent, { type: 'buttons' | 'list' }>): Record<string, unknown> {
  const L = INTERACTIVE_LIMITS;
  if (content.body.trim() === '') rejectInteractive('the body is empty');
  if (length(content.body) > L.bodyText) rejectInteractive(`the body is longer than ${L.bodyText} characters`);

  if (content.type === 'buttons') {
    const { buttons } = content;
    if (buttons.length < L.buttonsMin || buttons.length > L.buttonsMax) rejectInteractive(`${buttons.length} buttons (1 to 3 allowed)`);
    for (const button of buttons) {
      if (button.id === '' || length(button.id) > L.buttonId) rejectInteractive(`a button id is empty or longer than ${L.buttonId} characters`);
      if (button.title.trim() === '' || length(button.title) > L.buttonTitle) rejectInteractive(`a button title is empty or longer than ${L.buttonTitle} characters`);
    }
    if (new Set(buttons.map((b) => b.id)).size !== buttons.length) rejectInteractive('two buttons share an id');
    if (new Set(buttons.map((b) => b.title)).size !== buttons.length) rejectInteractive('two buttons share a title');
    return {
      type: 'button',
      body: { text: content.body },
      action: { buttons: buttons.map((button) => ({ type: 'reply', reply: { id: button.id, title: button.title } })) },
    };
  }

  const { rows } = content;
  if (content.button.trim() === '' || length(content.button) > L.listButton) rejectInteractive(`the list button is empty or longer than ${L.listButton} characters`);
  if (rows.length < 1 || rows.length > L.listRowsMax) rejectInteractive(`${rows.length} rows (1 to ${L.listRowsMax} allowed)`);
  for (const row of rows) {
    if (row.id === '' || length(row.id) > L.rowId) rejectInteractive(`a row id is empty or longer than ${L.rowId} characters`);
    if (row.title.trim() === '' || length(row.title) > L.rowTitle) rejectInteractive(`a row title is empty or longer than ${L.rowTitle} characters`);
    if (row.description !== undefined && length(row.description) > L.rowDescription) rejectInteractive(`a row description is longer than ${L.rowDescription} characters`);
  }
  if (new Set(rows.map((r) => r.id)).size !== rows.length) rejectInteractive('two rows share an id');
  return {
    type: 'list',
    body: { text: content.body },
    // One section: a title is required only when there are several (§4).
    action: {
      button: content.button,
      sections: [
        {
          rows: rows.map((row) => ({
            id: row.id,
            title: row.title,
            ...(row.description !== undefined && row.description !== '' && { description: row.description }),
          })),
        },
      ],
    },
  };
}

/**
 * The body parameters of a template, in the order of their numbers. The keys must be exactly
 * `1..n`: Cloud API parameters are positional, so a gap would shift every later value.
 */
function templateParameters(variables: Record<string, string> | undefined): Array<{ type: 'text'; text: string }> {
  const entries = Object.entries(variables ?? {});
  const numbers = entries.map(([key]) => (/^[1-9]\d*$/.test(key) ? Number(key) : NaN)).sort((a, b) => a - b);
  if (numbers.some((n, index) => n !== index + 1)) {
    throw new SendFailedError('permanent', 'TEMPLATE_VARIABLES_INVALID', 'The template variables must be numbered 1, 2, 3… without gaps.');
  }
  return entries
    .map(([key, text]) => ({ n: Number(key), text }))
    .sort((a, b) => a.n - b.n)
    .map(({ text }) => ({ type: 'text' as const, text }));
}

function contentFields(content: SendableContent): Record<string, unknown> {
  switch (content.type) {
    case 'text':
      if (content.text.trim() === '') throw new SendFailedError('permanent', 'TEXT_EMPTY', 'The message text is empty.');
      if (length(content.text) > CLOUD_API_MAX_TEXT_LENGTH) {
        throw new SendFailedError('permanent', 'TEXT_TOO_LONG', `The message text is longer than ${CLOUD_API_MAX_TEXT_LENGTH} characters.`);
      }
      return { type: 'text', text: { body: content.text } };
    case 'image':
      return { type: 'image', image: { link: content.url, ...(content.caption ? { caption: content.caption } : {}) } };
    case 'buttons':
    case 'list':
      return { type: 'interactive', interactive: interactiveOf(content) };
    case 'template': {
      if (!content.language) {
        throw new SendFailedError('permanent', 'TEMPLATE_LANGUAGE_MISSING', 'The template has no language; WhatsApp needs the language it was approved in.');
      }
      const parameters = templateParameters(content.variables);
      return {
        type: 'template',
        template: {
          name: content.providerTemplateId,
          language: { code: content.language },
          ...(parameters.length > 0 && { components: [{ type: 'body', parameters }] }),
        },
      };
    }
  }
}

export interface CloudApiMessageInput {
  /** The customer: E.164 number or business-scoped user id. */
  to: string;
  content: SendableContent;
  /** Echoed on every status as `biz_opaque_callback_data` (our message key). */
  callbackData?: string;
}

/**
 * The `POST …/messages` body for one message.
 *
 * @throws SendFailedError `permanent` for an empty or too long text, a template without language
 *   or with gapped variables, an unusable recipient; `content-rejected` for buttons or lists that
 *   break a WhatsApp limit.
 * @example
 * buildMessagePayload({ to: '+5215512345678', content: { type: 'text', text: 'Hola' }, callbackData: 'cv_1.01J' });
 * // { messaging_product: 'whatsapp', recipient_type: 'individual', to: '5215512345678', type: 'text',
 * //   text: { body: 'Hola' }, biz_opaque_callback_data: 'cv_1.01J' }
 */
export function buildMessagePayload(input: CloudApiMessageInput): Record<string, unknown> {
  const callbackData = input.callbackData ?? '';
  if (length(callbackData) > CALLBACK_DATA_MAX_LENGTH) {
    throw new SendFailedError('permanent', 'CALLBACK_DATA_TOO_LONG', `The message key is longer than ${CALLBACK_DATA_MAX_LENGTH} characters.`);
  }
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    ...cloudApiRecipient(input.to),
    ...contentFields(input.content),
    ...(callbackData !== '' && { biz_opaque_callback_data: callbackData }),
  };
}

/**
 * The body that marks a customer's message read and, by default, shows "typing…" until we reply
 * or 25 s pass (CLOUD_API.md §11; courier `NewTypingRequest`).
 * @example buildMarkReadPayload('wamid.HBgM') // { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.HBgM', typing_indicator: { type: 'text' } }
 */
export function buildMarkReadPayload(messageId: string, options: { typing?: boolean } = {}): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    status: 'read',
    message_id: messageId,
    ...((options.typing ?? true) && { typing_indicator: { type: 'text' } }),
  };
}
