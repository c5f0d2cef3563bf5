/**
 * A counting pass-through in front of moto, for the benchmark: it forwards every request unchanged
 * and records which AWS action it was and how long moto took, so the report can say how many AWS
 * calls one outbound message costs and how busy moto (the local stand-in for DynamoDB, SQS,
 * EventBridge and Secrets Manager) was while the pipeline ran.
 */
import { createServer, request, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MeteredCall {
  action: string;
  startedAt: number;
  endedAt: number;
  /** moto's HTTP status. */
  status?: number;
  /** For `AWSEvents.PutEvents`: the events it carried. */
  entries?: number;
}

export interface MotoMeter {
  endpoint: string;
  /** Calls that ended since `from` (ms epoch). */
  callsSince(from: number): MeteredCall[];
  /**
   * Calls forwarded to moto whose answer has not ended yet (`endedAt` is undefined). A quiet-period
   * check must look at these too: a call that started and is still running (a PutEvents moto is slow
   * to answer) is work in progress, though no call has ended for a while.
   */
  inFlight(): Array<Omit<MeteredCall, 'endedAt'>>;
  stop(): Promise<void>;
}

/**
 * `DynamoDB_20120810.UpdateItem` → `DynamoDB.UpdateItem`; `AmazonSQS.SendMessage` → `SQS.SendMessage`;
 * S3's REST calls (no target, no `Action=`) by method: a `PUT` is the payload archive's `S3.PutObject`.
 */
function actionOf(target: string | undefined, body: Buffer, method: string | undefined): string {
  if (target) {
    const [service, operation] = target.split('.');
    const short = service.startsWith('DynamoDBStreams')
      ? 'DynamoDBStreams'
      : service.startsWith('DynamoDB')
        ? 'DynamoDB'
        : service.startsWith('AmazonSQS')
          ? 'SQS'
          : service.replace(/_\d+$/, '');
    return `${short}.${operation}`;
  }
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString('utf8'));
  if (action) return action[1];
  return method === 'PUT' ? 'S3.PutObject' : method === 'GET' ? 'S3.GetObject' : `S3.${method ?? 'other'}`;
}

function entriesOf(body: Buffer): number {
  try {
    return (JSON.parse(body.toString('utf8')) as { Entries?: unknown[] }).Entries?.length ?? 0;
  } catch {
    return 0;
  }
}

export async function startMotoMeter(motoEndpoint: string): Promise<MotoMeter> {
  const upstream = new URL(motoEndpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const calls: MeteredCall[] = [];
  const running = new Set<Omit<MeteredCall, 'endedAt'>>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const startedAt = Date.now();
      const action = actionOf(req.headers['x-amz-target'] as string | undefined, body, req.method);
      const call = { action, startedAt, ...(action === 'AWSEvents.PutEvents' && { entries: entriesOf(body) }) };
      running.add(call);
      const forward = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
        (upstreamResponse) => {
          res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
          upstreamResponse.pipe(res);
          upstreamResponse.on('end', () => {
            running.delete(call);
            calls.push({ ...call, endedAt: Date.now(), status: upstreamResponse.statusCode });
          });
        },
      );
      forward.on('error', () => {
        running.delete(call);
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    callsSince: (from) => calls.filter((call) => call.endedAt >= from),
    inFlight: () => [...running],
    stop: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Share of `[from, to]` during which at least one call was in flight at moto (0–1). */
export function busyFraction(calls: MeteredCall[], from: number, to: number): number {
  const intervals = calls
    .map((call) => [Math.max(call.startedAt, from), Math.min(call.endedAt, to)] as const)
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  let busy = 0;
  let cursorEnd = from;
  for (const [start, end] of intervals) {
    if (end <= cursorEnd) continue;
    busy += end - Math.max(start, cursorEnd);
    cursorEnd = end;
  }
  return to > from ? busy / (to - from) : 0;
}
