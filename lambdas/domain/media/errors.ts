/**
 * The outcomes of a media download that are not the file, owned by the domain so that the mirror
 * step can tell them apart whichever provider's fetcher raised them.
 */
import { PermanentError, RetryableError } from '../../shared/errors';

/** The file is larger than the cap for its kind: refused while streaming, never held whole. */
export class MediaTooLargeError extends PermanentError {}

/** The BSP pointed the download somewhere its credentials must not go, or the reference is unusable. */
export class MediaRefusedError extends PermanentError {}

/** The BSP could not serve the file just now (429, 5xx, a just-created file not there yet): try again later. */
export class MediaUnavailableError extends RetryableError {}
