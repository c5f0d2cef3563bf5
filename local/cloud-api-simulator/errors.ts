/**
 * The error shapes the Cloud API simulators answer with, and the codes they use.
 *
 * Meta's Graph API answers every error as `{ error: { message, type, code, error_data?,
 * error_subcode?, fbtrace_id } }` (CLOUD_API.md §4: build on `code` + `error_data.details`, never on
 * the message). 360dialog relays Meta's errors for what reaches Meta (validation, throughput) and
 * answers its own shape `{ meta: { success: false, http_code, developer_message, details? } }` for
 * what it decides itself (API key, webhook configuration; CLOUD_API.md §7 and 360dialog's
 * "Set webhook URL" reference).
 */
import { randomBytes } from 'node:crypto';

/** The Graph API's error body. */
export interface GraphErrorBody {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product: 'whatsapp'; details: string };
    is_transient?: boolean;
    error_user_title?: string;
    error_user_msg?: string;
    fbtrace_id: string;
  };
}

/** 360dialog's own error body. */
export interface Dialog360ErrorBody {
  meta: { success: false; http_code: number; developer_message: string; details?: string[] };
}

/**
 * The codes the simulators answer with. Sources: Meta's error code table (CLOUD_API.md §5) and the
 * Graph API's authentication errors; where the HTTP status is ours rather than documented, it says so.
 */
export const CLOUD_CODES = {
  /** HTTP 400. Missing or malformed parameters; also "object does not exist or no permission" (subcode 33). */
  invalidParameter: 100,
  /** HTTP 401. The access token is invalid or expired (type `OAuthException`). */
  accessToken: 190,
  /** HTTP 400. A parameter's value is out of range (lengths, counts of buttons and rows). */
  parameterValueInvalid: 131009,
  /** "Cloud API message throughput has been reached". HTTP 429 here, as the brief of this simulator fixes it. */
  throughput: 130429,
  /** HTTP 500. "Something went wrong"; Meta suggests retrying. */
  genericError: 131000,
  /** HTTP 503. "Service temporarily unavailable". */
  serviceUnavailable: 131016,
  /** HTTP 400. The template does not exist in that language or is not approved. */
  templateNotFound: 132001,
  /** Async (a `failed` status). More than 24 hours since the customer last wrote. */
  reEngagement: 131047,
  /** The subcode Graph adds to 100 for an unknown object or one the token may not read. */
  objectNotFoundSubcode: 33,
} as const;

/** `error.type` as the Graph API writes it (authentication and validation errors alike). */
const OAUTH_EXCEPTION = 'OAuthException';

/** A 23-character trace id, as Graph puts on every error. */
export function fbtraceId(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '').slice(0, 23).padEnd(23, 'A');
}

/** An error answer of a simulator: HTTP status, body, optional headers. */
export class CloudApiError extends Error {
  readonly code: number;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly details?: string;
  readonly subcode?: number;
  readonly transient?: boolean;
  /** Rendered in 360dialog's own shape instead of Graph's (its key and webhook errors). */
  readonly dialog360?: boolean;
  /** Graph's `error.type`. @default 'OAuthException' */
  readonly type: string;

  constructor(
    code: number,
    message: string,
    options: { status?: number; details?: string; subcode?: number; headers?: Record<string, string>; transient?: boolean; dialog360?: boolean; type?: string } = {},
  ) {
    super(message);
    this.name = 'CloudApiError';
    this.code = code;
    this.status = options.status ?? 400;
    this.headers = options.headers ?? {};
    this.details = options.details;
    this.subcode = options.subcode;
    this.transient = options.transient;
    this.dialog360 = options.dialog360;
    this.type = options.type ?? OAUTH_EXCEPTION;
  }

  /** The Graph API body for this error. */
  toGraphBody(): GraphErrorBody {
    const error: Omit<GraphErrorBody['error'], 'fbtrace_id'> & { fbtrace_id?: string } = { message: this.message, type: this.type, code: this.code };
    if (this.subcode !== undefined) error.error_subcode = this.subcode;
    if (this.details !== undefined) error.error_data = { messaging_product: 'whatsapp', details: this.details };
    if (this.transient) error.is_transient = true;
    error.fbtrace_id = fbtraceId();
    return { error: error as GraphErrorBody['error'] };
  }

  /** 360dialog's own body for this error. */
  toDialog360Body(): Dialog360ErrorBody {
    return {
      meta: {
        success: false,
        http_code: this.status,
        developer_message: this.message,
        ...(this.details !== undefined && { details: [this.details] }),
      },
    };
  }
}

/** `(#100) …` with details, the Graph API's answer to a malformed request. */
export function invalidParameter(details: string, message = '(#100) Invalid parameter'): CloudApiError {
  return new CloudApiError(CLOUD_CODES.invalidParameter, message, { details });
}

/** `(#131009) Parameter value is not valid` with details. */
export function invalidValue(details: string): CloudApiError {
  return new CloudApiError(CLOUD_CODES.parameterValueInvalid, '(#131009) Parameter value is not valid', { details });
}

/** Graph's answer for an object that does not exist or that the token may not use. */
export function unknownObject(method: string, id: string): CloudApiError {
  return new CloudApiError(
    CLOUD_CODES.invalidParameter,
    `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, ` +
      'or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api',
    { subcode: CLOUD_CODES.objectNotFoundSubcode },
  );
}

/** 401 / 190, the Graph API's answer to a missing or unknown access token. */
export function invalidAccessToken(): CloudApiError {
  return new CloudApiError(CLOUD_CODES.accessToken, 'Invalid OAuth access token - Cannot parse access token', { status: 401 });
}

/** Graph's answer to an `appsecret_proof` that is not HMAC-SHA256(app secret, token) of the token's app. */
export function invalidAppSecretProof(): CloudApiError {
  return new CloudApiError(CLOUD_CODES.invalidParameter, 'Invalid appsecret_proof provided in the API argument', { type: 'GraphMethodException' });
}

/** Graph's answer to a call without `appsecret_proof` when the app requires one. */
export function missingAppSecretProof(): CloudApiError {
  return new CloudApiError(CLOUD_CODES.invalidParameter, 'API calls from the server require an appsecret_proof argument', { type: 'GraphMethodException' });
}

/** 401, 360dialog's answer to a missing or unknown `D360-API-KEY`. */
export function invalidApiKey(): CloudApiError {
  return new CloudApiError(401, 'Invalid api_key', { status: 401, dialog360: true });
}

/**
 * The texts of the asynchronous failures the simulators post on a `failed` status
 * (`errors[]{code, title, message, error_data.details, href}`).
 */
export const ASYNC_FAILURES: Record<number, { title: string; details: string }> = {
  [CLOUD_CODES.reEngagement]: {
    title: 'Re-engagement message',
    details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  },
};

export const ERROR_CODES_HREF = 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/';
