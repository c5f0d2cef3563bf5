import { BspUnavailableError, PayloadTooLargeError, SendFailedError } from '../../shared/errors';
import { UnsupportedTemplateProviderError } from '../template-creation';
import { PROBLEM_TYPE_BASE, type ProblemDetails, type ProblemSlug } from './contract';
import {
  AdminConflictError,
  AdminNotFoundError,
  AdminUnauthorizedError,
  AdminValidationError,
  NumberInUseError,
  ProviderNotSupportedError,
  UnsupportedMediaTypeError,
} from './errors';

const TITLES: Record<ProblemSlug, { status: number; title: string }> = {
  'not-found': { status: 404, title: 'Not Found' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  'validation-failed': { status: 400, title: 'Validation Failed' },
  conflict: { status: 409, title: 'Conflict' },
  'number-in-use': { status: 409, title: 'Number Already Connected' },
  'not-supported': { status: 409, title: 'Not Supported For This Provider' },
  'bsp-unavailable': { status: 502, title: 'BSP Unavailable' },
  internal: { status: 500, title: 'Internal Server Error' },
  'payload-too-large': { status: 413, title: 'Payload Too Large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported Media Type' },
};

/**
 * RFC 9457 problem details.
 * @example problem('not-found', 'No WhatsApp connection.', '/businesses/acme/whatsapp/connection')
 */
export function problem(slug: ProblemSlug, detail: string, instance?: string, errors?: ProblemDetails['errors']): ProblemDetails {
  const { status, title } = TITLES[slug];
  return {
    type: `${PROBLEM_TYPE_BASE}${slug}`,
    title,
    status,
    detail,
    ...(instance !== undefined && { instance }),
    ...(errors !== undefined && { errors }),
  };
}

/**
 * The problem a failure is answered with. Our own errors carry a detail written for the caller;
 * anything unexpected becomes a generic 500 whose detail says nothing about the internals.
 */
export function problemOf(error: unknown, instance?: string): ProblemDetails {
  if (error instanceof AdminNotFoundError) return problem('not-found', error.message, instance);
  if (error instanceof AdminUnauthorizedError) return problem('unauthorized', error.message, instance);
  if (error instanceof AdminValidationError) return problem('validation-failed', error.message, instance, error.errors);
  if (error instanceof NumberInUseError) return problem('number-in-use', error.message, instance);
  if (error instanceof AdminConflictError) return problem('conflict', error.message, instance);
  if (error instanceof ProviderNotSupportedError) return problem('not-supported', error.message, instance);
  if (error instanceof UnsupportedTemplateProviderError) return problem('not-supported', 'Templates are not available for this provider yet.', instance);
  if (error instanceof PayloadTooLargeError) return problem('payload-too-large', error.message, instance);
  if (error instanceof UnsupportedMediaTypeError) return problem('unsupported-media-type', error.message, instance);
  if (error instanceof BspUnavailableError) return problem('bsp-unavailable', 'The BSP could not be reached; try again in a moment.', instance);
  if (error instanceof SendFailedError) return problem('bsp-unavailable', error.reason, instance);
  return problem('internal', 'Something went wrong on our side; try again later.', instance);
}
