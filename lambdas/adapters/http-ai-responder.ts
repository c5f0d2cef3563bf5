import * as z from 'zod';
import {
  ResponderPermanentError,
  ResponderRetryableError,
  type ReplyOptions,
  type Responder,
  type ResponderInput,
} from '../domain/ai/responder';
import { MAX_REPLIES_PER_MESSAGE } from '../domain/ai/respond-to-inbound';
import { outboundContentSchema, type OutboundContent } from '../domain/outbound/contract';

/**
 * Version of the request body (`version`); see `lambdas/domain/ai/HTTP_RESPONDER.md`. 2: a media
 * item's `url` is our presigned link (it was the BSP's, which needs our credentials), with
 * `urlExpiresAt`, `mirrorStatus`, `size` and `sha256` beside it.
 */
export const HTTP_RESPONDER_CONTRACT_VERSION = 2;

/** The endpoint's answer: `{ replies: [<outbound content>…] }` (see HTTP_RESPONDER.md). */
export const httpResponderAnswerSchema = z.object({
  replies: z.array(outboundContentSchema).max(MAX_REPLIES_PER_MESSAGE),
});

/** Larger answers are refused unread: a few replies are a few KB. */
const MAX_ANSWER_BYTES = 256 * 1024;

export interface HttpAiResponderOptions {
  /** `AI_ENDPOINT_URL`. */
  url: string;
  /** Budget of one attempt (`AI_ENDPOINT_TIMEOUT_MS`). */
  timeoutMs: number;
  /** Attempts after the first, on 5xx, 429, timeouts and network errors. @default 2 */
  retries?: number;
  /** First backoff; doubled per retry, with jitter. @default 250 */
  backoffBaseMs?: number;
  /** Never start an attempt with less than this left before the deadline. @default 1000 */
  minAttemptMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

type AttemptOutcome =
  | { ok: true; replies: OutboundContent[] }
  | { ok: false; retryable: boolean; reason: string; retryAfterMs?: number };

/**
 * The `http` responder: POSTs the conversation to the Echo AI endpoint and reads back the replies.
 *
 * Retries inside the invocation (2 by default, exponential backoff with jitter) absorb a blip of the
 * endpoint; after that the error is retryable and the inbound message goes back to its queue, whose
 * visibility timeout and `maxReceiveCount` pace and bound the rest. 4xx answers (except 429) and
 * answers that break the contract are permanent: asking again would get the same answer.
 * @example
 * const responder = new HttpAiResponder({ url: 'https://ai.echo.example/whatsapp', timeoutMs: 8000 });
 * const replies = await responder.reply(input, { deadline });
 */
export class HttpAiResponder implements Responder {
  readonly name = 'http' as const;
  private readonly retries: number;
  private readonly backoffBaseMs: number;
  private readonly minAttemptMs: number;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly options: HttpAiResponderOptions) {
    this.retries = options.retries ?? 2;
    this.backoffBaseMs = options.backoffBaseMs ?? 250;
    this.minAttemptMs = options.minAttemptMs ?? 1000;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  async reply(input: ResponderInput, replyOptions: ReplyOptions = {}): Promise<OutboundContent[]> {
    const body = JSON.stringify(requestBody(input));
    const deadline = replyOptions.deadline?.getTime() ?? Number.POSITIVE_INFINITY;
    let last: Extract<AttemptOutcome, { ok: false }> | undefined;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) {
        const exponential = this.backoffBaseMs * 2 ** (attempt - 1);
        // Equal jitter: at least half the exponential delay, so retries spread but never bunch up.
        const backoff = exponential / 2 + this.random() * (exponential / 2);
        const delay = Math.max(backoff, last?.retryAfterMs ?? 0);
        if (this.now() + delay + this.minAttemptMs > deadline) break;
        await this.sleep(delay);
      }
      const budget = Math.min(this.options.timeoutMs, deadline - this.now());
      if (budget < this.minAttemptMs) break;
      const outcome = await this.attempt(body, input.message.messageId, budget);
      if (outcome.ok) return outcome.replies;
      if (!outcome.retryable) throw new ResponderPermanentError(`AI endpoint: ${outcome.reason}`);
      last = outcome;
    }
    throw new ResponderRetryableError(`AI endpoint: ${last?.reason ?? 'no time left for an attempt'}`);
  }

  private async attempt(body: string, messageId: string, timeoutMs: number): Promise<AttemptOutcome> {
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          // The same for every attempt and every redelivery: the endpoint may cache its answer by it.
          'idempotency-key': messageId,
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      return { ok: false, retryable: true, reason: timedOut ? `timed out after ${timeoutMs} ms` : `network error (${name})` };
    }

    if (response.status === 429 || response.status >= 500) {
      const retryAfterMs = retryAfter(response.headers.get('retry-after'), this.now());
      return { ok: false, retryable: true, reason: `HTTP ${response.status}`, ...(retryAfterMs !== undefined && { retryAfterMs }) };
    }
    if (response.status === 204) return { ok: true, replies: [] };
    if (response.status < 200 || response.status >= 300) return { ok: false, retryable: false, reason: `HTTP ${response.status}` };
    if (Buffer.byteLength(text, 'utf8') > MAX_ANSWER_BYTES) {
      return { ok: false, retryable: false, reason: `answer larger than ${MAX_ANSWER_BYTES} bytes` };
    }

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, retryable: false, reason: 'answer is not JSON' };
    }
    const parsed = httpResponderAnswerSchema.safeParse(json);
    if (!parsed.success) {
      // Paths and messages only: never the reply text itself.
      const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(answer)'}: ${issue.message}`);
      return { ok: false, retryable: false, reason: `answer breaks the contract: ${problems.join('; ')}` };
    }
    return { ok: true, replies: parsed.data.replies };
  }
}

/** The request body of the contract (version {@link HTTP_RESPONDER_CONTRACT_VERSION}). */
export function requestBody(input: ResponderInput) {
  return {
    version: HTTP_RESPONDER_CONTRACT_VERSION,
    businessId: input.businessId,
    connectionId: input.connectionId,
    conversationId: input.conversationId,
    message: input.message,
    history: input.history.map(({ messageId, direction, type, content, at }) => ({ messageId, direction, type, content, at })),
  };
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now; capped at 10 s. */
function retryAfter(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 10_000) : undefined;
}
