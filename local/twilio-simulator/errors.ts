/**
 * Twilio's REST error shape and the error codes the simulator answers with.
 *
 * Every code below was checked against Twilio's error pages (`https://www.twilio.com/docs/errors/<code>`);
 * the notes say where the synchronous/asynchronous split or the HTTP status comes from observation
 * rather than from the documentation.
 */

/** The JSON body of every Twilio REST error. */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

/** A REST error the simulator answers with (HTTP status + Twilio body + optional headers). */
export class TwilioApiError extends Error {
  readonly code: number;
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(code: number, message: string, status = 400, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'TwilioApiError';
    this.code = code;
    this.status = status;
    this.headers = headers;
  }

  toBody(): TwilioErrorBody {
    return errorBody(this.code, this.message, this.status);
  }
}

export function errorBody(code: number, message: string, status: number): TwilioErrorBody {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

/**
 * The codes used by the simulator. Synchronous ones are HTTP errors on the request; asynchronous
 * ones (`63xxx`) arrive later as a `failed` status callback with `ErrorCode`, which is how Twilio
 * reports what WhatsApp itself rejects (Twilio maps WhatsApp's 470 to 63016, 1001/408/410 to 63021,
 * 1002/1026 to 63024: docs "List of Corresponding Twilio and WhatsApp Error Codes").
 */
export const TWILIO_CODES = {
  /** HTTP 401, message "Authenticate" (seen). */
  authenticate: 20003,
  /** HTTP 404. */
  notFound: 20404,
  /** HTTP 405. */
  methodNotAllowed: 20004,
  /** HTTP 429; "never processed, always safe to retry". */
  tooManyRequests: 20429,
  /** HTTP 500; a send may or may not have happened at the real Twilio (the simulator never accepts). */
  internalServerError: 20500,
  /** HTTP 503. */
  serviceUnavailable: 20503,
  invalidTo: 21211,
  invalidFrom: 21212,
  fromRequired: 21603,
  toRequired: 21604,
  invalidStatusCallback: 21609,
  bodyTooLong: 21617,
  /** "A text message body or media urls must be specified." (the message Twilio really answers with). */
  bodyOrMediaRequired: 21619,
  invalidMediaUrl: 21620,
  contentSidRequired: 21654,
  invalidContentSid: 21655,
  invalidContentVariables: 21656,
  /** Content API: a field longer than its limit. */
  parameterTooLong: 21658,
  invalidMessagingService: 21705,
  channelMismatch: 21910,
  sameFromAndTo: 63031,
  /** Async: freeform message outside the 24 h window (WhatsApp 470). */
  outsideWindow: 63016,
  /** Async: content the channel rejects or does not support. */
  invalidContent: 63021,
  /**
   * Content API request bodies that are malformed (missing `language`, no valid `types`). Twilio's
   * exact code for these was not found in its documentation; its newer JSON APIs answer HTTP 400 with
   * `code: 400` (seen in twilio-node#946), which is what we do.
   */
  contentBadRequest: 400,
} as const;

/** Human-readable texts for the async error codes, posted as `ErrorMessage`. */
export const ASYNC_ERROR_MESSAGES: Record<number, string> = {
  [TWILIO_CODES.outsideWindow]: 'Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.',
  [TWILIO_CODES.invalidContent]: 'Channel invalid content error',
};
