import { createHash } from 'node:crypto';
import type { SendableContent } from '../../provider';

/**
 * Content API definitions for our interactive messages, and the hash they are cached by.
 *
 * Shapes checked against Twilio's Content API docs (`twilio/quick-reply`, `twilio/list-picker`)
 * and twilio-node's `ContentCreateRequest`: JSON with snake_case keys, `language` required.
 */

/**
 * The `language` of every Content resource we create for buttons and lists.
 *
 * Twilio requires a language on each Content resource, but it matters only to WhatsApp's review of
 * templates submitted for approval; buttons and lists are sent inside the 24-hour window without
 * approval (list pickers can never be approved), so WhatsApp never sees it. We do not know the
 * customer's language, and tagging by it would split the cache for identical content, so one
 * fixed ISO 639-1 code is used.
 */
export const INTERACTIVE_CONTENT_LANGUAGE = 'en';

/** What `POST /v1/Content` is given for one of our interactive messages (before snake_casing). */
export interface InteractiveContentDefinition {
  /** Content hash: the cache key within an account. */
  hash: string;
  friendlyName: string;
  language: string;
  types: Record<string, unknown>;
}

type Interactive = Extract<SendableContent, { type: 'buttons' | 'list' }>;

/**
 * The Content API `types` object for buttons (`twilio/quick-reply`) or a list (`twilio/list-picker`).
 *
 * A list row's `description` is optional for WhatsApp and in twilio-node's `ListItem`, so it is
 * left out when absent rather than sent empty.
 *
 * @example
 * contentTypesFor({ type: 'buttons', body: 'Pick one', buttons: [{ id: 'yes', title: 'Yes' }] });
 * // { 'twilio/quick-reply': { body: 'Pick one', actions: [{ title: 'Yes', id: 'yes' }] } }
 */
export function contentTypesFor(content: Interactive): Record<string, unknown> {
  if (content.type === 'buttons') {
    return {
      'twilio/quick-reply': {
        body: content.body,
        actions: content.buttons.map((button) => ({ title: button.title, id: button.id })),
      },
    };
  }
  return {
    'twilio/list-picker': {
      body: content.body,
      button: content.button,
      items: content.rows.map((row) => ({
        id: row.id,
        item: row.title,
        ...(row.description !== undefined && row.description !== '' && { description: row.description }),
      })),
    },
  };
}

/**
 * JSON with object keys sorted at every level, so equal content always hashes alike whatever
 * order its producer wrote the keys in. Array order is kept: it is the order the customer sees.
 * @example canonicalJson({ b: 1, a: [2, 1] }) // '{"a":[2,1],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 (hex) of the canonical JSON of what Twilio stores: language and types. */
export function contentHash(language: string, types: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson({ language, types }), 'utf8').digest('hex');
}

/**
 * The definition for one interactive message. The friendly name carries the hash prefix so the
 * resource can be recognised in Twilio's console; Twilio does not require it to be unique.
 * @example interactiveContentDefinition(buttons).friendlyName // 'echo_buttons_3f1a9c0d4e5b6a71'
 */
export function interactiveContentDefinition(content: Interactive): InteractiveContentDefinition {
  const types = contentTypesFor(content);
  const hash = contentHash(INTERACTIVE_CONTENT_LANGUAGE, types);
  return {
    hash,
    friendlyName: `echo_${content.type}_${hash.slice(0, 16)}`,
    language: INTERACTIVE_CONTENT_LANGUAGE,
    types,
  };
}
