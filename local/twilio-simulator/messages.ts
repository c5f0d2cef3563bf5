/**
 * Validation of `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (form-encoded), pure.
 *
 * Parameter names and codes are Twilio's (docs + twilio-node 6): `To`, `From` or
 * `MessagingServiceSid`, `Body` (≤ 1600 characters), repeated `MediaUrl`, `ContentSid`,
 * `ContentVariables` (a JSON string), `StatusCallback`, `ValidityPeriod`. Unknown parameters are
 * ignored, as Twilio does. Twilio checks parameters in an order it does not document; ours is
 * fixed and listed in `validateSendForm`.
 */
import { TWILIO_CODES, TwilioApiError } from './errors';

export const WHATSAPP_PREFIX = 'whatsapp:';
export const BODY_MAX = 1600;
export const STATUS_CALLBACK_MAX = 4000;

const E164 = /^\+[1-9][0-9]{6,14}$/;
/**
 * Meta's business-scoped user id for WhatsApp username users (`US.13491208655302741918`, seen in
 * BSP payloads): Twilio addresses them as `whatsapp:<id>`.
 */
const BUSINESS_SCOPED_USER_ID = /^[A-Z]{2}(?:\.[A-Z]+)?\.[0-9]{6,32}$/;
const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
export const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;

export interface SendRequest {
  to: string;
  from?: string;
  messagingServiceSid?: string;
  body?: string;
  mediaUrls: string[];
  contentSid?: string;
  contentVariables?: Record<string, string>;
  statusCallback?: string;
  validityPeriod?: number;
}

/** What the validator needs to know about a `ContentSid`. */
export type ContentLookup = (contentSid: string) => { accountSid: string } | undefined;

function invalid(code: number, message: string): TwilioApiError {
  return new TwilioApiError(code, message, 400);
}

/** A value, or undefined when absent or empty (Twilio treats `Body=` as no body). */
function field(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name);
  return value === null || value === '' ? undefined : value;
}

export function isValidWhatsAppRecipient(address: string): boolean {
  return E164.test(address) || BUSINESS_SCOPED_USER_ID.test(address);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** `StatusCallback` must be an absolute http(s) URL of at most 4000 characters, no `_` in the host. */
function isValidStatusCallback(value: string): boolean {
  if (value.length > STATUS_CALLBACK_MAX) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0 && !url.hostname.includes('_');
  } catch {
    return false;
  }
}

/**
 * Parses `ContentVariables`: a JSON object whose values are non-empty strings (21656 otherwise:
 * "not a JSON String", or a variable "set to null or empty string at time of send").
 */
export function parseContentVariables(raw: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid(TWILIO_CODES.invalidContentVariables, 'The Content Variables parameter is invalid.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid(TWILIO_CODES.invalidContentVariables, 'The Content Variables parameter is invalid.');
  }
  const variables: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string' || value === '' || key === '') {
      throw invalid(TWILIO_CODES.invalidContentVariables, 'The Content Variables parameter is invalid.');
    }
    variables[key] = value;
  }
  return variables;
}

/**
 * Validates a send request for account `accountSid`. Throws `TwilioApiError` with Twilio's code.
 * Order: To → From/MessagingServiceSid → channel pair → addresses → Body → MediaUrl →
 * StatusCallback → ContentVariables/ContentSid → something to send.
 * @example validateSendForm(new URLSearchParams('To=whatsapp:%2B5215512345678&From=whatsapp:%2B14155238886&Body=Hi'), 'AC…', () => undefined)
 */
export function validateSendForm(params: URLSearchParams, accountSid: string, lookupContent: ContentLookup): SendRequest {
  const to = field(params, 'To');
  if (to === undefined) throw invalid(TWILIO_CODES.toRequired, "A 'To' phone number is required.");
  const from = field(params, 'From');
  const messagingServiceSid = field(params, 'MessagingServiceSid');
  if (from === undefined && messagingServiceSid === undefined) {
    throw invalid(TWILIO_CODES.fromRequired, "A 'From' or 'MessagingServiceSid' parameter is required to send a message");
  }
  if (messagingServiceSid !== undefined && !MESSAGING_SERVICE_SID.test(messagingServiceSid)) {
    throw invalid(TWILIO_CODES.invalidMessagingService, `The Messaging Service Sid ${messagingServiceSid} is invalid.`);
  }

  const toIsWhatsApp = to.startsWith(WHATSAPP_PREFIX);
  const fromIsWhatsApp = from === undefined || from.startsWith(WHATSAPP_PREFIX);
  if (toIsWhatsApp !== fromIsWhatsApp) {
    throw invalid(TWILIO_CODES.channelMismatch, "Invalid From and To pair. From and To should be of the same channel");
  }
  // The simulator models the WhatsApp channel only: an SMS-style `To` is answered as invalid.
  if (!toIsWhatsApp || !isValidWhatsAppRecipient(to.slice(WHATSAPP_PREFIX.length))) {
    throw invalid(TWILIO_CODES.invalidTo, `The 'To' number ${to} is not a valid phone number.`);
  }
  if (from !== undefined && !E164.test(from.slice(WHATSAPP_PREFIX.length))) {
    throw invalid(TWILIO_CODES.invalidFrom, `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`);
  }
  if (from === to) throw invalid(TWILIO_CODES.sameFromAndTo, "Channels message cannot have same 'From' and 'To'");

  const body = field(params, 'Body');
  if (body !== undefined && [...body].length > BODY_MAX) {
    throw invalid(TWILIO_CODES.bodyTooLong, 'The concatenated message body exceeds the 1600 character limit.');
  }
  const mediaUrls = params.getAll('MediaUrl').filter((url) => url !== '');
  if (!mediaUrls.every(isHttpUrl)) throw invalid(TWILIO_CODES.invalidMediaUrl, 'Invalid media URL(s)');

  const statusCallback = field(params, 'StatusCallback');
  if (statusCallback !== undefined && !isValidStatusCallback(statusCallback)) {
    throw invalid(TWILIO_CODES.invalidStatusCallback, `The StatusCallback URL ${statusCallback} is not a valid URL.`);
  }

  const contentSid = field(params, 'ContentSid');
  const rawVariables = field(params, 'ContentVariables');
  if (rawVariables !== undefined && contentSid === undefined) {
    throw invalid(TWILIO_CODES.contentSidRequired, 'A ContentSid must be specified if ContentVariables are provided in the request.');
  }
  if (contentSid !== undefined) {
    const content = CONTENT_SID.test(contentSid) ? lookupContent(contentSid) : undefined;
    if (!content || content.accountSid !== accountSid) throw invalid(TWILIO_CODES.invalidContentSid, 'The ContentSid is Invalid.');
  }
  const contentVariables = rawVariables === undefined ? undefined : parseContentVariables(rawVariables);

  if (body === undefined && mediaUrls.length === 0 && contentSid === undefined) {
    throw invalid(TWILIO_CODES.bodyOrMediaRequired, 'A text message body or media urls must be specified.');
  }

  const validity = field(params, 'ValidityPeriod');
  const request: SendRequest = { to, mediaUrls };
  if (from !== undefined) request.from = from;
  if (messagingServiceSid !== undefined) request.messagingServiceSid = messagingServiceSid;
  if (body !== undefined) request.body = body;
  if (contentSid !== undefined) request.contentSid = contentSid;
  if (contentVariables !== undefined) request.contentVariables = contentVariables;
  if (statusCallback !== undefined) request.statusCallback = statusCallback;
  if (validity !== undefined && /^[0-9]+$/.test(validity)) request.validityPeriod = Number(validity);
  return request;
}
