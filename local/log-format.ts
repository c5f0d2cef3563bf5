/**
 * The readable local log of `npm run dev`: one human line per message event, instead of the
 * functions' JSON lines.
 *
 *   12:03:04 ← received   demo-meta   ***5678  text      01M91N…1A2B3C
 *   12:03:05 ⇢ queued     1 reply               cv_7GQ…
 *   12:03:05 → sent       cv_7GQ…  01JQ…
 *   12:03:07 ✓ delivered  cv_7GQ…  01JQ…
 *   12:03:09 ✓✓ read      cv_7GQ…  01JQ…
 *   12:03:10 ✗ failed     cv_7GQ…  01JQ…  131047 window closed
 *   12:04:00 ↺ replayed   demo-meta   ***5678  text      01JQ…
 *
 * Every other function line is hidden unless it is a warning or an error (then one line: service,
 * message, error). Metrics (EMF) lines are hidden. `LOG_FORMAT=json` keeps the raw JSON lines. The
 * settings page's polling (admin GETs) is not logged in either format. Numbers are already masked in
 * the functions' log fields (`maskIdentifier`); nothing here un-masks them.
 */

export type LogFormat = 'readable' | 'json';

/** `LOG_FORMAT=json` for the raw lines; anything else is the readable form. */
export function logFormatOf(env: NodeJS.ProcessEnv): LogFormat {
  return env.LOG_FORMAT?.toLowerCase() === 'json' ? 'json' : 'readable';
}

type Entry = Record<string, unknown>;

const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

function clock(entry: Entry): string {
  const at = typeof entry.timestamp === 'string' ? new Date(entry.timestamp) : new Date();
  const time = Number.isNaN(at.getTime()) ? new Date() : at;
  return time.toTimeString().slice(0, 8);
}

/**
 * A long id shortened for the eye: its head and its tail (a message id's head is its time, so two
 * messages of one request differ only in the tail).
 */
function short(id: unknown): string {
  const value = text(id);
  return value.length > 14 ? `${value.slice(0, 6)}…${value.slice(-6)}` : value;
}

function line(entry: Entry, symbol: string, word: string, ...fields: unknown[]): string {
  return `${clock(entry)} ${`${symbol} ${word}`.padEnd(12)} ${fields.map(text).filter((field) => field !== '').join('  ')}`;
}

function inboundLine(entry: Entry, symbol: string, word: string): string {
  return line(entry, symbol, word, text(entry.connectionId).padEnd(14), text(entry.customer).padEnd(8), text(entry.type).padEnd(8), short(entry.messageId));
}

/** Warnings and errors that are not message events: one line, never the whole JSON. */
function problemLine(entry: Entry): string {
  const error = entry.error as { name?: unknown; message?: unknown; code?: unknown } | undefined;
  const reason = error ? `${text(error.name)}${error.code ? ` ${text(error.code)}` : ''}: ${text(error.message)}` : text(entry.reason ?? '');
  const level = text(entry.level).toUpperCase() === 'WARN' ? '⚠ warning' : '✖ error';
  return line(entry, level.slice(0, 1), level.slice(2), `${text(entry.service)}:`, text(entry.message), reason);
}

/**
 * The human line for one function log entry, or undefined when it is not shown.
 * @example formatLogLine({ message: 'status callback handled', status: 'read', outcome: 'applied', conversationId: 'cv_1', messageId: '01J' }) // '12:03:09 ✓✓ read …'
 */
export function formatLogLine(entry: Entry): string | undefined {
  const level = text(entry.level).toUpperCase();
  switch (entry.message) {
    case 'inbound message handled':
      return entry.outcome === 'stored' ? inboundLine(entry, '←', 'received') : inboundLine(entry, '·', 'duplicate');
    case 'inbound message replayed':
      return inboundLine(entry, '↺', 'replayed');
    case 'inbound message answered': {
      const replies = Number(entry.replies ?? 0);
      return replies > 0 ? line(entry, '⇢', 'queued', `${replies} ${replies === 1 ? 'reply' : 'replies'}`.padEnd(14), short(entry.conversationId)) : undefined;
    }
    case 'message accepted for sending':
      return line(entry, '⇢', 'queued', 'admin send'.padEnd(14), short(entry.conversationId), short(entry.messageId));
    case 'outbound message':
      switch (entry.result) {
        case 'accepted':
          return line(entry, '→', 'sent', short(entry.conversationId), short(entry.messageId), entry.fallback ? `(fallback: ${text(entry.fallback)})` : '');
        case 'failed':
          return line(entry, '✗', 'failed', short(entry.conversationId), short(entry.messageId), text(entry.errorCode), text(entry.reason));
        case 'retry':
          return line(entry, '…', 'retry', short(entry.conversationId), short(entry.messageId), text(entry.errorCode), entry.retryInSeconds !== undefined ? `in ${text(entry.retryInSeconds)} s` : '');
        case 'outcome-unknown':
          return line(entry, '?', 'unknown', short(entry.conversationId), short(entry.messageId), 'outcome unknown: settled by the status or the watchdog');
        default:
          return undefined;
      }
    case 'status callback handled': {
      if (entry.outcome !== 'applied' && level !== 'WARN' && level !== 'ERROR') return undefined;
      const ids = [short(entry.conversationId), short(entry.messageId)];
      if (entry.status === 'delivered') return line(entry, '✓', 'delivered', ...ids);
      if (entry.status === 'read') return line(entry, '✓✓', 'read', ...ids);
      if (entry.status === 'failed' || entry.status === 'undelivered') {
        return line(entry, '✗', 'failed', ...ids, text(entry.errorCode), text(entry.providerStatus), entry.fallback ? `(fallback: ${text(entry.fallback)})` : '');
      }
      return level === 'WARN' || level === 'ERROR' ? line(entry, '⚠', 'status', ...ids, `${text(entry.status)}: ${text(entry.outcome)}`) : undefined;
    }
    default:
      return level === 'WARN' || level === 'ERROR' || level === 'CRITICAL' ? problemLine(entry) : undefined;
  }
}

/** A JSON object from one output line, or undefined for plain text. */
function jsonOf(raw: string): Entry | undefined {
  const trimmed = raw.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Entry) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What to print for one line the functions (or the runtime) wrote, in a format: the line itself, its
 * readable form, or undefined (hidden). Plain text passes unchanged; metrics (EMF) are hidden in the
 * readable form.
 */
export function formatOutputLine(raw: string, format: LogFormat): string | undefined {
  if (format === 'json') return raw;
  const entry = jsonOf(raw);
  if (!entry) return raw;
  if ('_aws' in entry) return undefined;
  return formatLogLine(entry);
}

/** The settings page's polling: an admin GET answered 2xx/304 (`GET /businesses/… → 200 (3 ms)`). */
const PAGE_POLLING = /^GET \/businesses\/\S* → (2\d\d|304) /;
/** Runtime lines that only say "all went well" (a webhook answered, a batch done, a scheduled run ok). */
const ROUTINE = [/^(GET|POST|PUT|DELETE|HEAD) \S+ → [23]\d\d /, /: batch of \d+ → \d+ done \(\d+ ms\)$/, /: scheduled run (ok|succeeded|done)\b/];

/**
 * What to print for one line of the runtime itself (gateway requests, consumer batches, scheduled
 * runs, startup progress), or undefined. The page's polling is never printed; the routine lines only
 * in the JSON format (where they were printed before).
 */
export function formatRuntimeLine(raw: string, format: LogFormat, ready: boolean): string | undefined {
  if (PAGE_POLLING.test(raw)) return undefined;
  if (format === 'json' || !ready) return raw;
  return ROUTINE.some((pattern) => pattern.test(raw)) ? undefined : raw;
}

/**
 * Routes what the process writes to a stream through {@link formatOutputLine}, line by line (the
 * functions run in this process and log to stdout and stderr). Returns the function that restores it.
 * @example const restore = installReadableOutput(process.stdout, 'readable');
 */
export function installReadableOutput(stream: NodeJS.WriteStream, format: LogFormat): () => void {
  const original = stream.write.bind(stream) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
  let pending = '';
  const replacement = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    const out = lines.map((raw) => formatOutputLine(raw, format)).filter((shown): shown is string => shown !== undefined);
    const callback = rest.find((value): value is () => void => typeof value === 'function');
    if (out.length === 0) {
      callback?.();
      return true;
    }
    return original(`${out.join('\n')}\n`, ...rest);
  };
  stream.write = replacement as typeof stream.write;
  return () => {
    stream.write = original as typeof stream.write;
  };
}
