import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One webhook POST as the receiver got it: raw body bytes and headers. */
export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed. */
  json: {
    entry: Array<{ id: string; changes: Array<{ field: string; value: Record<string, unknown> & { statuses?: Array<Record<string, unknown>>; messages?: Array<Record<string, unknown>> } }> }>;
  };
}

/**
 * A node:http server standing in for our webhook: records every POST and answers with the next
 * status of `answers` (then 200), so a test can make deliveries fail and watch the retries.
 */
export interface WebhookReceiver {
  base: string;
  received: ReceivedWebhook[];
  /** Status codes for the next requests, in order; once used up, 200. */
  answers: number[];
  /** The statuses (`statuses[]` entries) received so far, in order. */
  statuses(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const answers: number[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ path: request.url ?? '/', headers: request.headers, body, json: JSON.parse(body) as ReceivedWebhook['json'] });
      response.writeHead(answers.shift() ?? 200);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const receiver: WebhookReceiver = {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    answers,
    statuses: () => received.flatMap((webhook) => webhook.json.entry.flatMap((entry) => entry.changes.flatMap((change) => change.value.statuses ?? []))),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return receiver;
}
