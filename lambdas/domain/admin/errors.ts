import { PermanentError } from '../../shared/errors';

/**
 * The admin API's own failures; `problemOf` (problems.ts) turns each into RFC 9457 problem details.
 */

/** Nothing there for this business, or it belongs to another one (never told apart: 404). */
export class AdminNotFoundError extends PermanentError {}

/** No (usable) authorizer context on the request: 401. */
export class AdminUnauthorizedError extends PermanentError {}

/** The request does not follow the contract: 400 with one entry per problem. */
export class AdminValidationError extends PermanentError {
  constructor(
    message: string,
    readonly errors: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

/** The state changed under the request (a concurrent save or delete): 409. */
export class AdminConflictError extends PermanentError {}

/** The body is not JSON (or has another media type): 415. */
export class UnsupportedMediaTypeError extends PermanentError {}

/**
 * Another business's active connection holds the number (same provider, same
 * `providerNumberId`): 409 `number-in-use`. Nothing about the other business is told.
 */
export class NumberInUseError extends AdminConflictError {}

/** The route is not available for the connection's provider yet (templates on Meta or 360dialog): 409 `not-supported`. */
export class ProviderNotSupportedError extends PermanentError {}
