import { DependencyUnavailableError } from '../shared/errors';

/** The SDK's error name, whatever shape the error has. */
export function awsErrorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : undefined;
}

/**
 * Wraps an AWS call failure that the SDK's own retries did not absorb. Throttling, timeouts and
 * 5xx all look the same to the webhook: answer 5xx and let the BSP (or the reconciler) retry.
 */
export function unavailable(service: string, error: unknown): DependencyUnavailableError {
  return new DependencyUnavailableError(`${service} call failed: ${awsErrorName(error) ?? 'unknown error'}`, {
    cause: error,
  });
}
