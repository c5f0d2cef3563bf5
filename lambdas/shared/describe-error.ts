import { SendFailedError } from './errors';

/** What a log line may say about an error. */
export interface DescribedError {
  name: string;
  message: string;
  /** A BSP failure's own code, kind and HTTP status. */
  code?: string;
  kind?: string;
  httpStatus?: number;
}

// What must never reach a log line even when a library puts it into an error message:
// bearer tokens (JWTs, Meta Graph access tokens `EAA…`), 32+ hex-digit secrets (a Twilio auth token
// and a Meta app secret are 32), 360dialog API keys (letters and digits ending in `AK`, 26 in the
// keys seen), and phone numbers (masked to their last 4 digits). Twilio SIDs (`SM`/`AC` + 32 hex)
// keep their prefix letters, so the secret pattern, anchored on a word boundary, leaves them readable.
const JWT = /\beyJ[\w-]*\.[\w-]+\.[\w-]*/g;
const META_TOKEN = /\bEAA[A-Za-z0-9]{20,}/g;
const DIALOG360_KEY = /(?<![\w.])[A-Za-z0-9]{20,}AK\b/g;
const HEX_SECRET = /\b[0-9a-fA-F]{32,}\b/g;
// A run of 7–15 digits standing on its own (not inside an id such as a SID or a UUID).
const PHONE = /(?<![\w+])\+?\d(?:[\s-]?\d){6,14}(?!\w)/g;

/**
 * Removes tokens, secrets and full phone numbers from free text.
 * @example scrubSensitive('To +5215512345678 refused') // 'To ***5678 refused'
 */
export function scrubSensitive(text: string): string {
  return text
    .replace(JWT, '[token]')
    .replace(META_TOKEN, '[token]')
    .replace(DIALOG360_KEY, '[secret]')
    .replace(HEX_SECRET, '[secret]')
    .replace(PHONE, (number) => `***${number.replace(/\D/g, '').slice(-4)}`);
}

/**
 * An error as a log field: its name, its scrubbed message, and a BSP failure's code, kind and
 * status. `bspCall: 'read'` words a BSP failure as a failed read (the send table's sentences
 * describe sends).
 * @example describeError(new Error('bad To +5215512345678')) // { name: 'Error', message: 'bad To ***5678' }
 */
export function describeError(error: unknown, options: { bspCall?: 'send' | 'read' } = {}): DescribedError {
  if (error instanceof SendFailedError) {
    return {
      name: error.name,
      message: options.bspCall === 'read' ? 'the BSP call failed' : scrubSensitive(error.message),
      code: error.code,
      kind: error.kind,
      ...(error.options.httpStatus !== undefined && { httpStatus: error.options.httpStatus }),
    };
  }
  if (error instanceof Error) return { name: error.name, message: scrubSensitive(error.message) };
  return { name: 'Unknown', message: scrubSensitive(String(error)) };
}
