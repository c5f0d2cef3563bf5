/**
 * What went wrong with an admin API call, said to a business owner in their language. No DOM:
 * unit-tested in Node.
 */
import { ApiError, NetworkError } from './api';
import type { Translate } from './i18n';

/** What went wrong with an API call, in the reader's language. */
export function problemText(t: Translate, error: unknown): string {
  if (error instanceof NetworkError) return t('error.network');
  if (error instanceof ApiError) {
    switch (error.status) {
      case 400:
        return t('error.validation');
      case 404:
        return t('error.notFound');
      case 409:
        // Two different 409s an owner must not confuse: the number is someone else's, or the feature is not there yet.
        if (error.slug === 'number-in-use') return t('error.numberInUse');
        if (error.slug === 'not-supported') return t('error.notSupported');
        return t('error.conflict');
      case 413:
        return t('error.tooLarge');
      case 429:
        return t('error.throttled');
      case 502:
      case 503:
      case 504:
        return t('error.bspUnavailable');
      default:
        return t('error.generic');
    }
  }
  return t('error.generic');
}
