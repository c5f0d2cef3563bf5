/**
 * Fault injection, pure: which sends the simulator refuses (synchronously, as HTTP errors) and which
 * it accepts and then fails (asynchronously, through a `failed` status callback), the way Twilio
 * splits them: rate limits and server errors are HTTP answers; what WhatsApp rejects (outside the
 * 24 h window, invalid content) arrives after a 201 as `MessageStatus=failed` with `ErrorCode`.
 *
 * Determinism: each rate consumes exactly one `random()` draw, and only when that rate is > 0, in
 * this order: `rate429`, `rate5xx` (on the accept path), `rateLostAnswer` (after acceptance),
 * `rate63016` (only for freeform sends that no other rule failed). A test that sets one rate can
 * script `random` draw by draw.
 */
import { TWILIO_CODES, TwilioApiError } from './errors';

export interface SimulatorFaults {
  /** Fraction of Messages.json POSTs answered 429 `{code: 20429}` with a `Retry-After` header. */
  rate429?: number;
  /** Fraction answered 500 `{code: 20500}` or 503 `{code: 20503}` (half each). Never accepted. */
  rate5xx?: number;
  /**
   * Fraction of sends that Twilio ACCEPTS (the message exists, is listed and gets its callbacks) and
   * whose answer is then lost: half answered 500 `{code: 20500}`, half with the connection cut. The
   * real case a sender must survive without sending twice.
   */
  rateLostAnswer?: number;
  /**
   * Fraction of freeform sends (anything but an approved ContentSid template) accepted with 201 and
   * then failed by a `failed` status callback with `ErrorCode=63016`.
   */
  rate63016?: number;
  /** Recipients (`+E164`, with or without `whatsapp:`) whose window is closed: freeform sends fail with 63016. */
  closedWindowRecipients?: string[];
  /**
   * Sends whose ContentSid is a `twilio/quick-reply` or `twilio/list-picker` content are accepted and
   * then failed with `ErrorCode=63021` ("Channel invalid content"), the code Twilio maps WhatsApp's
   * content rejections to. Asynchronous because the channel, not Twilio's API, rejects them.
   */
  rejectInteractive?: boolean;
  /** The `Retry-After` value (seconds) sent with 429s. @default 1 */
  retryAfterSeconds?: number;
}

export interface AsyncFailure {
  status: 'failed';
  errorCode: number;
}

/** What the fault rules need to know about one accepted send. */
export interface SendTraits {
  /** `whatsapp:+…` */
  to: string;
  /** True when the send is a ContentSid whose content is approved (a WhatsApp template). */
  isTemplate: boolean;
  /** Content types of the ContentSid's content; empty for Body/MediaUrl sends. */
  contentTypes: readonly string[];
  /** Number of quick-reply buttons of the content (0 if none). */
  quickReplyActions: number;
}

const INTERACTIVE = new Set(['twilio/quick-reply', 'twilio/list-picker']);
const IN_SESSION_BUTTONS_MAX = 3;

/** The sync fault for this POST, if any. */
export function chooseSyncFault(faults: SimulatorFaults, random: () => number): TwilioApiError | undefined {
  if ((faults.rate429 ?? 0) > 0 && random() < faults.rate429!) {
    const retryAfter = String(faults.retryAfterSeconds ?? 1);
    return new TwilioApiError(TWILIO_CODES.tooManyRequests, 'Too Many Requests', 429, { 'Retry-After': retryAfter });
  }
  const rate5xx = faults.rate5xx ?? 0;
  if (rate5xx > 0) {
    const draw = random();
    if (draw < rate5xx) {
      return draw < rate5xx / 2
        ? new TwilioApiError(TWILIO_CODES.internalServerError, 'Internal Server Error', 500)
        : new TwilioApiError(TWILIO_CODES.serviceUnavailable, 'Service Unavailable', 503);
    }
  }
  return undefined;
}

/** How the answer to an accepted send is lost, if it is. */
export type LostAnswer = 'status-500' | 'socket-destroyed';

/** Whether (and how) the answer to this accepted send is lost. */
export function chooseLostAnswer(faults: SimulatorFaults, random: () => number): LostAnswer | undefined {
  const rate = faults.rateLostAnswer ?? 0;
  if (rate <= 0) return undefined;
  const draw = random();
  if (draw >= rate) return undefined;
  return draw < rate / 2 ? 'status-500' : 'socket-destroyed';
}

function bare(address: string): string {
  return address.startsWith('whatsapp:') ? address.slice('whatsapp:'.length) : address;
}

/** The async failure an accepted send will get, if any. */
export function chooseAsyncFailure(send: SendTraits, faults: SimulatorFaults, random: () => number): AsyncFailure | undefined {
  const freeform = !send.isTemplate;
  if (freeform && faults.closedWindowRecipients?.some((recipient) => bare(recipient) === bare(send.to))) {
    return { status: 'failed', errorCode: TWILIO_CODES.outsideWindow };
  }
  const interactive = send.contentTypes.some((type) => INTERACTIVE.has(type));
  if (faults.rejectInteractive && interactive) return { status: 'failed', errorCode: TWILIO_CODES.invalidContent };
  // In session, WhatsApp takes at most 3 reply buttons unless the content is an approved template.
  if (freeform && send.quickReplyActions > IN_SESSION_BUTTONS_MAX) return { status: 'failed', errorCode: TWILIO_CODES.invalidContent };
  if (freeform && (faults.rate63016 ?? 0) > 0 && random() < faults.rate63016!) {
    return { status: 'failed', errorCode: TWILIO_CODES.outsideWindow };
  }
  return undefined;
}

/** Validates a faults object from the control endpoint (`PUT /_simulator/faults`). Throws on bad input. */
export function parseFaults(value: unknown): SimulatorFaults {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('faults must be a JSON object');
  const input = value as Record<string, unknown>;
  const known = new Set(['rate429', 'rate5xx', 'rateLostAnswer', 'rate63016', 'closedWindowRecipients', 'rejectInteractive', 'retryAfterSeconds']);
  const unknown = Object.keys(input).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new Error(`unknown fault settings: ${unknown.join(', ')}`);
  const faults: SimulatorFaults = {};
  for (const key of ['rate429', 'rate5xx', 'rateLostAnswer', 'rate63016'] as const) {
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
    faults.closedWindowRecipients = recipients as string[];
  }
  if (input.rejectInteractive !== undefined) {
    if (typeof input.rejectInteractive !== 'boolean') throw new Error('rejectInteractive must be a boolean');
    faults.rejectInteractive = input.rejectInteractive;
  }
  if (input.retryAfterSeconds !== undefined) {
    const seconds = input.retryAfterSeconds;
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) throw new Error('retryAfterSeconds must be a non-negative integer');
    faults.retryAfterSeconds = seconds;
  }
  return faults;
}
