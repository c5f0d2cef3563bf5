/**
 * Archives what each send exchanged with its BSP, without the senders or the send use case knowing.
 *
 * The senders get a `fetch` that reports every call made inside a wrapped `send()`; the wrapped
 * sender opens a scope per call (AsyncLocalStorage, so the concurrent sends of one batch never mix),
 * collects the calls made inside it (Twilio's Content API create and the Messages API call of one
 * message land together), and writes one record once the BSP answered. The write never changes the
 * send's outcome: a failure is only reported. Media downloads use their own `fetch` and are not
 * archived here (their bytes go to the media bucket).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ARCHIVE_RECORD_VERSION, bspExchangeOf, type BspExchange, type PayloadArchive } from '../domain/archive';
import { decodeMessageKey, type SendRequest, type SendResult, type WhatsAppSender } from '../domain/bsp';
import type { Clock } from '../domain/ports';
import { WEBHOOK_PATH_PREFIX, type ProviderName } from '../domain/providers';
import { SendFailedError } from '../shared/errors';

export interface SendArchiverDeps {
  archive: PayloadArchive;
  /** The business a connection belongs to (the send Lambda's cached connection directory). */
  businessOf(connectionId: string): Promise<string | undefined>;
  clock: Clock;
  /** The archive write failed; the send's outcome stands. Count it (`ArchiveWriteFailed`) and log it. */
  onArchiveFailed(error: unknown): void;
  /** A record was written. */
  onArchived?(): void;
}

export interface SendArchiver {
  /** `inner` reporting the calls made inside a wrapped `send()`; give it to the senders as their `fetch`. */
  fetch(inner: typeof fetch): typeof fetch;
  /** The same sender, whose `send` archives its exchanges. */
  wrap(provider: ProviderName, sender: WhatsAppSender): WhatsAppSender;
}

/**
 * The connection id of a status callback URL (`…/webhook/whatsapp/<provider>/<connectionId>/status?…`),
 * which every send request carries: the sender interface needs no connection id of its own.
 * @example connectionIdOfCallbackUrl('https://x/webhook/whatsapp/twilio/cn_1/status?c=cv&m=01') // 'cn_1'
 */
export function connectionIdOfCallbackUrl(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const at = path.indexOf(`${WEBHOOK_PATH_PREFIX}/`);
  if (at < 0) return undefined;
  const [, connectionId] = path.slice(at + WEBHOOK_PATH_PREFIX.length + 1).split('/');
  return connectionId ? decodeURIComponent(connectionId) : undefined;
}

/** What a failed send is archived as: the classified kind and the BSP's code. */
function outcomeOf(error: unknown): string {
  return error instanceof SendFailedError ? `${error.kind}:${error.code}` : 'error';
}

/** A short code for a failed call or body read: never the error's message, which may quote data. */
function errorCodeOf(error: unknown): string {
  const name = (error as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'TIMEOUT';
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code ?? (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'NETWORK';
}

function headersOf(init: RequestInit | undefined): Record<string, string> {
  const headers = init?.headers;
  if (!headers) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  return headers as Record<string, string>;
}

function bodyOf(init: RequestInit | undefined): string | undefined {
  const body = init?.body;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  return body === undefined || body === null ? undefined : '(binary body)';
}

function urlOf(input: Parameters<typeof fetch>[0]): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

/**
 * @example
 * const archiver = createSendArchiver({ archive, businessOf, clock, onArchiveFailed });
 * const meta = archiver.wrap('meta', new MetaSender({ fetch: archiver.fetch(globalThis.fetch), timeoutMs }));
 */
export function createSendArchiver(deps: SendArchiverDeps): SendArchiver {
  const scope = new AsyncLocalStorage<Array<Promise<BspExchange>>>();

  async function write(provider: ProviderName, request: SendRequest, at: Date, outcome: string, pending: Array<Promise<BspExchange>>): Promise<void> {
    if (pending.length === 0) return;
    try {
      const exchanges = await Promise.all(pending);
      const connectionId = connectionIdOfCallbackUrl(request.statusCallbackUrl);
      const key = decodeMessageKey(request.callbackData);
      const businessId = connectionId === undefined ? undefined : await deps.businessOf(connectionId);
      if (!connectionId || !key || !businessId) throw new Error('send request without a resolvable connection, business or message key');
      await deps.archive.put({
        v: ARCHIVE_RECORD_VERSION,
        direction: 'outbound',
        provider,
        businessId,
        connectionId,
        conversationId: key.conversationId,
        messageId: key.messageId,
        at: at.toISOString(),
        outcome,
        exchanges,
      });
      deps.onArchived?.();
    } catch (error) {
      deps.onArchiveFailed(error);
    }
  }

  return {
    fetch(inner) {
      return async (input, init) => {
        const pending = scope.getStore();
        if (!pending) return inner(input, init);
        const started = performance.now();
        const call = { method: init?.method ?? 'GET', url: urlOf(input), headers: headersOf(init), body: bodyOf(init) };
        let response: Response;
        try {
          response = await inner(input, init);
        } catch (error) {
          pending.push(Promise.resolve(bspExchangeOf({ ...call, durationMs: performance.now() - started, error: errorCodeOf(error) })));
          throw error;
        }
        // The caller reads the original; the archive reads a copy of the same bytes.
        const status = response.status;
        pending.push(
          response
            .clone()
            .text()
            .then(
              (responseBody) => bspExchangeOf({ ...call, status, responseBody, durationMs: performance.now() - started }),
              (error: unknown) => bspExchangeOf({ ...call, status, durationMs: performance.now() - started, error: errorCodeOf(error) }),
            ),
        );
        return response;
      };
    },
    wrap(provider, sender) {
      const wrapped: WhatsAppSender = Object.create(sender) as WhatsAppSender;
      wrapped.send = async (request: SendRequest): Promise<SendResult> => {
        const pending: Array<Promise<BspExchange>> = [];
        const at = deps.clock.now();
        let result: SendResult;
        try {
          result = await scope.run(pending, () => sender.send(request));
        } catch (error) {
          await write(provider, request, at, outcomeOf(error), pending);
          throw error;
        }
        await write(provider, request, at, `accepted:${result.externalId}`, pending);
        return result;
      };
      return wrapped;
    },
  };
}
