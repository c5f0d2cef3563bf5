/**
 * Fault injection for the Cloud API simulators, pure: which sends are refused (synchronously, as
 * HTTP errors), which are accepted but answered as if the answer got lost, and which are accepted
 * and then failed by a `failed` status webhook.
 *
 * - `rate429`: 429 with Meta code 130429 ("throughput reached"); the send is never accepted.
 * - `rate5xx`: 500 (131000) or 503 (131016), half each; never accepted.
 * - `rateLostAnswer`: the send IS accepted (recorded, its statuses will be posted) and then the
 *   answer is lost: a 500 (131000) or a destroyed socket, half each. This is the outcome-unknown
 *   case the send Lambda must settle without sending twice.
 * - `rate131047` and `closedWindowRecipients`: a non-template send is accepted (200 with a wamid),
 *   then a `failed` status with 131047 ("re-engagement message") arrives, as Meta reports a closed
 *   24-hour window.
 *
 * Determinism: each rate consumes exactly one `random()` draw, and only when that rate is > 0, in
 * this order: `rate429`, `rate5xx`, `rateLostAnswer` (before acceptance), then `rate131047` (only for
 * non-template sends no other rule failed). The 5xx and lost-answer halves are decided by the same
 * draw (below half the rate: the first kind). A test that sets one rate can script `random` draw by draw.
 */
import { CLOUD_CODES, CloudApiError } from './errors';

export interface CloudFaults {
  /** Fraction of sends answered 429 / 130429 with `Retry-After`. */
  rate429?: number;
  /** Fraction answered 500 / 131000 or 503 / 131016 (half each). Never accepted. */
  rate5xx?: number;
  /** Fraction accepted and then answered 500 or with a destroyed socket (half each). */
  rateLostAnswer?: number;
  /** Fraction of non-template sends accepted and then failed with 131047. */
  rate131047?: number;
  /** Recipients (digits, with or without `+`) whose window is closed: non-template sends fail with 131047. */
  closedWindowRecipients?: string[];
  /** The `Retry-After` value (seconds) sent with 429s. @default 1 */
  retryAfterSeconds?: number;
}

/** How the answer to an accepted send is lost. */
export type LostAnswer = 'status-500' | 'socket-destroyed';

const RATES = ['rate429', 'rate5xx', 'rateLostAnswer', 'rate131047'] as const;
const KNOWN = new Set<string>([...RATES, 'closedWindowRecipients', 'retryAfterSeconds']);

/** The synchronous refusal for this send, if any. */
export function chooseSyncFault(faults: CloudFaults, random: () => number): CloudApiError | undefined {
  if ((faults.rate429 ?? 0) > 0 && random() < faults.rate429!) {
    return new CloudApiError(CLOUD_CODES.throughput, '(#130429) Rate limit hit', {
      status: 429,
      details: 'Cloud API message throughput has been reached.',
      headers: { 'Retry-After': String(faults.retryAfterSeconds ?? 1) },
    });
  }
  const rate5xx = faults.rate5xx ?? 0;
  if (rate5xx > 0) {
    const draw = random();
    if (draw < rate5xx) return draw < rate5xx / 2 ? serverError() : serviceUnavailable();
  }
  return undefined;
}

/** 500 / 131000, transient. */
export function serverError(): CloudApiError {
  return new CloudApiError(CLOUD_CODES.genericError, '(#131000) Something went wrong', { status: 500, details: 'Something went wrong', transient: true });
}

function serviceUnavailable(): CloudApiError {
  return new CloudApiError(CLOUD_CODES.serviceUnavailable, '(#131016) Service unavailable', { status: 503, details: 'A service is temporarily unavailable.', transient: true });
}

/** Whether (and how) the answer to this accepted send is lost. */
export function chooseLostAnswer(faults: CloudFaults, random: () => number): LostAnswer | undefined {
  const rate = faults.rateLostAnswer ?? 0;
  if (rate <= 0) return undefined;
  const draw = random();
  if (draw >= rate) return undefined;
  return draw < rate / 2 ? 'status-500' : 'socket-destroyed';
}

function digits(recipient: string): string {
  return recipient.replace(/^\+/, '');
}

/** The asynchronous failure code for this accepted send, if any. */
export function chooseAsyncFailure(send: { recipient: string; isTemplate: boolean }, faults: CloudFaults, random: () => number): number | undefined {
  if (send.isTemplate) return undefined;
  if (faults.closedWindowRecipients?.some((recipient) => digits(recipient) === digits(send.recipient))) return CLOUD_CODES.reEngagement;
  if ((faults.rate131047 ?? 0) > 0 && random() < faults.rate131047!) return CLOUD_CODES.reEngagement;
  return undefined;
}

/**
 * Validates a faults object (`PUT /_simulator/faults`, the constructor). Throws `Error` on bad input.
 * @example parseCloudFaults({ rate429: 0.3 }) // { rate429: 0.3 }
 */
export function parseCloudFaults(value: unknown): CloudFaults {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('faults must be a JSON object');
  const input = value as Record<string, unknown>;
  const unknown = Object.keys(input).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) throw new Error(`unknown fault settings: ${unknown.join(', ')}`);
  const faults: CloudFaults = {};
  for (const key of RATES) {
    const rate = input[key];
    if (rate === undefined) continue;
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw new Error(`${key} must be a number between 0 and 1`);
    faults[key] = rate;
  }
  if (input.closedWindowRecipients !== undefined) {
    const recipients = input.closedWindowRecipients;
    if (!Array.isArray(recipients) || !recipients.every((recipient) => typeof recipient === 'string')) {
      throw new Error('closedWindowRecipients must be an array of strings');
    }
    faults.closedWindowRecipients = [...recipients] as string[];
  }
  if (input.retryAfterSeconds !== undefined) {
    const seconds = input.retryAfterSeconds;
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) throw new Error('retryAfterSeconds must be a non-negative integer');
    faults.retryAfterSeconds = seconds;
  }
  return faults;
}
