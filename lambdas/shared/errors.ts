/**
 * Every error we raise says whether trying again could help. Handlers map `retryable` errors to
 * answers that make the caller retry (5xx, SQS redelivery) and permanent ones to a clear 4xx or a
 * `failed` status.
 */
export abstract class EchoError extends Error {
  abstract readonly retryable: boolean;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A failure that may pass if the same work is tried again later (throttling, a 5xx, a timeout). */
export class RetryableError extends EchoError {
  readonly retryable = true;
}

/** A failure that will happen again for the same input; never retry it. */
export class PermanentError extends EchoError {
  readonly retryable = false;
}

/** The request is malformed (not a form body, missing fields). Maps to 400. */
export class MalformedRequestError extends PermanentError {}

/** The body is larger than we accept. Maps to 413. */
export class PayloadTooLargeError extends PermanentError {}

/**
 * The caller could not prove who it is: bad or missing signature, unknown or disabled connection,
 * wrong business number. Maps to 403, always with the same public message so that connection ids
 * cannot be enumerated.
 */
export class ForbiddenError extends PermanentError {}

/** A store or queue call failed in a way that a retry can fix. Maps to 5xx. */
export class DependencyUnavailableError extends RetryableError {}

/**
 * A BSP refused or may not have received a send. `kind` says what the send Lambda must do (see
 * `SendFailureKind`); `code` is the BSP's own error code, `reason` a sentence a business can read.
 */
export class SendFailedError extends EchoError {
  readonly retryable: boolean;
  constructor(
    readonly kind: 'retryable' | 'permanent' | 'window-closed' | 'content-rejected' | 'outcome-unknown',
    readonly code: string,
    readonly reason: string,
    /** `credentialsRejected`: the BSP refused the connection's credentials (Twilio 20003, Meta 190, 360dialog 401); no send passes until they are replaced. */
    readonly options: { retryAfterMs?: number; httpStatus?: number; cause?: unknown; credentialsRejected?: boolean } = {},
  ) {
    super(`${kind}: ${code} ${reason}`, { cause: options.cause });
    this.retryable = kind === 'retryable';
  }
}

/** The BSP could not be asked (unreachable, rate limiting, 5xx): the admin API answers 502. */
export class BspUnavailableError extends RetryableError {}
