/**
 * The HTTP client that posts the simulators' webhooks: one POST per attempt with a timeout, keep-alive
 * agents, and every request in flight abortable at `close()`. Retries are the caller's (see
 * `server.ts`): Meta and 360dialog retry a failed delivery with backoff (CLOUD_API.md §11).
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** The result of one attempt: a 2xx is `ok`; `status` is absent when no answer came. */
export interface AttemptResult {
  ok: boolean;
  status?: number;
  /** The answer's first 2 KB (for the control view and `simulate`). */
  body?: string;
  /** Why no answer came (timeout, connection refused…). */
  error?: string;
}

const ANSWER_KEEP_BYTES = 2048;

export class WebhookPoster {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;
  private readonly inFlight = new Set<ClientRequest>();

  constructor(private readonly timeoutMs: number) {
    this.httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
    this.httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64 });
  }

  /** Posts `body` with `headers`; never rejects. */
  post(url: string, headers: Record<string, string>, body: string): Promise<AttemptResult> {
    return new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve({ ok: false, error: 'invalid URL' });
        return;
      }
      const isHttps = target.protocol === 'https:';
      let settled = false;
      const finish = (result: AttemptResult): void => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(request);
        resolve(result);
      };
      const request = (isHttps ? httpsRequest : httpRequest)(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          agent: isHttps ? this.httpsAgent : this.httpAgent,
          timeout: this.timeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          response.on('data', (chunk: Buffer) => {
            if (kept < ANSWER_KEEP_BYTES) {
              chunks.push(chunk);
              kept += chunk.length;
            }
          });
          response.on('error', (error) => finish({ ok: false, status: response.statusCode, error: error.message }));
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            finish({ ok: status >= 200 && status < 300, status, body: Buffer.concat(chunks).toString('utf8').slice(0, ANSWER_KEEP_BYTES) });
          });
        },
      );
      this.inFlight.add(request);
      request.on('timeout', () => request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      request.on('error', (error) => finish({ ok: false, error: error.message }));
      request.on('close', () => finish({ ok: false, error: 'connection closed before an answer' }));
      request.end(body);
    });
  }

  /** Aborts requests in flight and closes idle connections. */
  close(): void {
    for (const request of this.inFlight) request.destroy();
    this.inFlight.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
