import { request, type IncomingHttpHeaders } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LIMITS, startGateway, type Gateway, type HttpApiHandler } from '../../../local/gateway';

/** POSTs with the request target exactly as given. */
function rawPost(port: number, path: string, body: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The local HTTP API over real sockets (loopback only), with fake handlers. */
describe('startGateway', () => {
  let gateway: Gateway;
  let lastEvent: APIGatewayProxyEventV2 | undefined;
  let behaviour: HttpApiHandler;
  const lines: string[] = [];

  beforeAll(async () => {
    gateway = await startGateway({
      port: 0,
      log: (line) => lines.push(line),
      routes: [
        {
          routeKey: 'POST /hooks/{id}',
          functionName: 'fake',
          timeoutSeconds: 1,
          handler: (event, context) => {
            lastEvent = event;
            return behaviour(event, context);
          },
        },
      ],
    });
  });

  afterAll(async () => gateway?.stop());

  beforeEach(() => {
    lastEvent = undefined;
    behaviour = async () => ({ statusCode: 200, headers: { 'Content-Type': 'text/xml' }, body: '<Response/>' });
  });

  it('hands the handler the request target as sent and maps its result back', async () => {
    // node:http, not fetch: fetch would normalise the URL (`'` → `%27`) before it leaves the client.
    const response = await rawPost(gateway.port, "/hooks/a1?b=it's+x&a=%40", 'k=v+w', {
      'content-type': 'application/x-www-form-urlencoded',
      'X-Custom': 'v',
    });

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/xml');
    expect(response.headers['apigw-requestid']).toBeTruthy();
    expect(response.body).toBe('<Response/>');
    expect(lastEvent).toMatchObject({
      rawPath: '/hooks/a1',
      rawQueryString: "b=it's+x&a=%40",
      pathParameters: { id: 'a1' },
      isBase64Encoded: true,
      headers: { host: `127.0.0.1:${gateway.port}`, 'x-custom': 'v', 'x-forwarded-port': String(gateway.port) },
    });
    expect(Buffer.from(lastEvent!.body!, 'base64').toString()).toBe('k=v+w');
  });

  it('answers 404 JSON for an unknown route, without invoking anything', async () => {
    const response = await fetch(`${gateway.url}/hooks/a/b`, { method: 'POST' });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
    expect(lastEvent).toBeUndefined();
  });

  it('refuses bodies over 10 MB before invoking the handler', async () => {
    const response = await fetch(`${gateway.url}/hooks/a`, { method: 'POST', body: Buffer.alloc(LIMITS.requestBodyBytes + 1) });

    expect(response.status).toBe(413);
    expect(lastEvent).toBeUndefined();
  });

  it('answers 500 like API Gateway when the handler throws or times out', async () => {
    behaviour = async () => {
      throw new Error('boom');
    };
    const thrown = await fetch(`${gateway.url}/hooks/a`, { method: 'POST' });
    behaviour = () => new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200 }), 1_500));
    const timedOut = await fetch(`${gateway.url}/hooks/a`, { method: 'POST' });

    expect(thrown.status).toBe(500);
    expect(await thrown.json()).toEqual({ message: 'Internal Server Error' });
    expect(timedOut.status).toBe(500);
    expect(lines.some((line) => line.includes('Task timed out after 1.00 seconds'))).toBe(true);
  });

  it('answers /health', async () => {
    const response = await fetch(`${gateway.url}/health`);

    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

describe('startGateway while the runtime starts', () => {
  it('answers /health 503 until ready and every route 503 until routes are set', async () => {
    let ready = false;
    const gateway = await startGateway({ port: 0, isReady: () => ready, log: () => undefined });
    try {
      const early = await fetch(`${gateway.url}/health`);
      const earlyRoute = await fetch(`${gateway.url}/hooks/a`, { method: 'POST' });
      gateway.setRoutes([{ routeKey: 'POST /hooks/{id}', functionName: 'f', handler: async () => ({ statusCode: 204 }) }]);
      ready = true;

      expect(early.status).toBe(503);
      expect(await early.json()).toEqual({ status: 'starting' });
      expect(earlyRoute.status).toBe(503);
      expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
      expect((await fetch(`${gateway.url}/hooks/a`, { method: 'POST' })).status).toBe(204);
    } finally {
      await gateway.stop();
    }
  });
});
