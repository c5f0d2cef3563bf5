import {
  buildHttpApiEvent,
  compileRoute,
  decodePath,
  isTextContentType,
  lambdaContext,
  matchRoute,
  queryParameters,
  toHttpResult,
  type GatewayRoute,
  type IncomingRequest,
} from '../../../local/gateway';

const handler = async () => ({ statusCode: 200 });
const inboundRoute: GatewayRoute = { routeKey: 'POST /webhook/whatsapp/twilio/{connectionId}', functionName: 'webhook', handler };
const statusRoute: GatewayRoute = { routeKey: 'POST /webhook/whatsapp/twilio/{connectionId}/status', functionName: 'webhook', handler };
const routes = [inboundRoute, statusRoute].map(compileRoute);

const form = 'Body=it%27s+1%2B1+%40+10%3A30&From=whatsapp%3A%2B5215512345678';

function request(overrides: Partial<IncomingRequest> = {}): IncomingRequest {
  return {
    method: 'POST',
    target: '/webhook/whatsapp/twilio/demo',
    rawHeaders: [
      'Host', '127.0.0.1:3000',
      'Content-Type', 'application/x-www-form-urlencoded',
      'X-Twilio-Signature', 'abc=',
      'User-Agent', 'TwilioProxy/1.1',
      'Connection', 'close',
    ],
    body: Buffer.from(form),
    sourceIp: '127.0.0.1',
    ...overrides,
  };
}

function event(overrides: Partial<IncomingRequest> = {}, rawPath?: 'decoded' | 'exact') {
  const req = request(overrides);
  const path = req.target.split('?')[0];
  const match = matchRoute(routes, req.method, rawPath === 'exact' ? path : decodePath(path));
  if (!match) throw new Error(`no route for ${req.target}`);
  return buildHttpApiEvent(req, match, { port: 3000, requestId: 'req-1', now: new Date('2026-02-24T22:19:21.493Z'), rawPath });
}

describe('buildHttpApiEvent', () => {
  it('builds a payload v2 event with route key, path parameters and request context like API Gateway', () => {
    const built = event();

    expect(built).toMatchObject({
      version: '2.0',
      routeKey: 'POST /webhook/whatsapp/twilio/{connectionId}',
      rawPath: '/webhook/whatsapp/twilio/demo',
      rawQueryString: '',
      pathParameters: { connectionId: 'demo' },
      requestContext: {
        domainName: '127.0.0.1',
        http: { method: 'POST', path: '/webhook/whatsapp/twilio/demo', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'TwilioProxy/1.1' },
        requestId: 'req-1',
        routeKey: 'POST /webhook/whatsapp/twilio/{connectionId}',
        stage: '$default',
        time: '24/Feb/2026:22:19:21 +0000',
        timeEpoch: Date.parse('2026-02-24T22:19:21.493Z'),
      },
    });
    expect(built).not.toHaveProperty('queryStringParameters');
  });

  it('base64-encodes a form body and flags it, as HTTP APIs do for non-text content types', () => {
    const built = event();

    expect(built.isBase64Encoded).toBe(true);
    expect(Buffer.from(built.body!, 'base64').toString('utf8')).toBe(form);
  });

  it('passes JSON and text bodies as text', () => {
    const built = event({
      rawHeaders: ['Host', '127.0.0.1:3000', 'Content-Type', 'application/json; charset=utf-8'],
      body: Buffer.from('{"a":"á"}'),
    });

    expect(built.isBase64Encoded).toBe(false);
    expect(built.body).toBe('{"a":"á"}');
  });

  it('omits the body of an empty request', () => {
    const built = event({ body: Buffer.alloc(0) });

    expect(built).not.toHaveProperty('body');
    expect(built.isBase64Encoded).toBe(false);
  });

  it("keeps the raw query string byte for byte: order, apostrophes, +, @, :, and escapes", () => {
    const raw = "z=1&c=cv_01&m=it's+a+test&at=a@b:c&pct=%27%2B%40%3A&a=2";

    const built = event({ target: `/webhook/whatsapp/twilio/demo/status?${raw}` });

    expect(built.rawQueryString).toBe(raw);
    expect(built.routeKey).toBe('POST /webhook/whatsapp/twilio/{connectionId}/status');
    expect(built.queryStringParameters).toEqual({ z: '1', c: 'cv_01', m: "it's a test", at: 'a@b:c', pct: "'+@:", a: '2' });
  });

  it('joins repeated query parameters with commas in queryStringParameters', () => {
    expect(queryParameters('a=1&a=2&b')).toEqual({ a: '1,2', b: '' });
  });

  it("keeps literal apostrophes, +, @ and : in the raw path", () => {
    const built = event({ target: "/webhook/whatsapp/twilio/o'neil+1@x:y" });

    expect(built.rawPath).toBe("/webhook/whatsapp/twilio/o'neil+1@x:y");
    expect(built.pathParameters).toEqual({ connectionId: "o'neil+1@x:y" });
  });

  it('percent-decodes the raw path like HTTP APIs do, or keeps it exact on request', () => {
    const target = '/webhook/whatsapp/twilio/a%40b%27c';

    expect(event({ target }).rawPath).toBe("/webhook/whatsapp/twilio/a@b'c");
    expect(event({ target }, 'exact').rawPath).toBe(target);
  });

  it('lower-cases header names, joins repeats, drops hop-by-hop headers and adds the forwarding headers', () => {
    const built = event({
      rawHeaders: ['Host', '127.0.0.1:3000', 'X-Twilio-Signature', 'abc=', 'Accept', 'a', 'ACCEPT', 'b', 'Connection', 'keep-alive', 'Cookie', 'a=1; b=2'],
    });

    expect(built.headers).toMatchObject({
      host: '127.0.0.1:3000',
      'x-twilio-signature': 'abc=',
      accept: 'a,b',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-port': '3000',
      'x-forwarded-proto': 'http',
    });
    expect(built.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(Object.keys(built.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(built.headers).not.toHaveProperty('connection');
    expect(built.headers).not.toHaveProperty('cookie');
    expect(built.cookies).toEqual(['a=1', 'b=2']);
  });
});

describe('matchRoute', () => {
  it('matches a path parameter to exactly one segment', () => {
    expect(matchRoute(routes, 'POST', '/webhook/whatsapp/twilio/demo/status')?.route).toBe(statusRoute);
    expect(matchRoute(routes, 'POST', '/webhook/whatsapp/twilio/')).toBeUndefined();
    expect(matchRoute(routes, 'POST', '/webhook/whatsapp/twilio/demo/extra/status')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/webhook/whatsapp/twilio/demo')).toBeUndefined();
  });

  it('prefers literal segments over parameters and parameters over greedy ones', () => {
    const literal: GatewayRoute = { routeKey: 'POST /webhook/whatsapp/twilio/fixed', functionName: 'f', handler };
    const greedy: GatewayRoute = { routeKey: 'ANY /webhook/{proxy+}', functionName: 'f', handler };
    const all = [greedy, inboundRoute, literal].map(compileRoute);

    expect(matchRoute(all, 'POST', '/webhook/whatsapp/twilio/fixed')?.route).toBe(literal);
    expect(matchRoute(all, 'POST', '/webhook/whatsapp/twilio/other')?.route).toBe(inboundRoute);
    expect(matchRoute(all, 'DELETE', '/webhook/a/b/c')).toEqual({ route: greedy, pathParameters: { proxy: 'a/b/c' } });
  });
});

describe('isTextContentType', () => {
  it.each([
    ['application/json', true],
    ['application/problem+json', true],
    ['text/xml; charset=utf-8', true],
    ['application/xml', true],
    ['application/x-www-form-urlencoded', false],
    ['multipart/form-data; boundary=x', false],
    [undefined, false],
  ])('%s → %s', (contentType, expected) => {
    expect(isTextContentType(contentType)).toBe(expected);
  });
});

describe('toHttpResult', () => {
  it('maps a structured result: status, lower-cased headers, cookies and base64 bodies', () => {
    const result = toHttpResult({
      statusCode: 200,
      headers: { 'Content-Type': 'text/xml', 'X-Count': 2 },
      cookies: ['a=1', 'b=2'],
      body: Buffer.from('<Response/>').toString('base64'),
      isBase64Encoded: true,
    });

    expect(result).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/xml', 'x-count': '2', 'set-cookie': ['a=1', 'b=2'] },
      body: Buffer.from('<Response/>'),
    });
  });

  it('sends anything without a statusCode as a 200 JSON body', () => {
    expect(toHttpResult({ ok: true })).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{"ok":true}'),
    });
  });
});

describe('lambdaContext', () => {
  it('reports the time left until the deadline', () => {
    const context = lambdaContext({ functionName: 'webhook', region: 'us-east-1', accountId: '123456789012', memorySize: 512, deadline: Date.now() + 10_000 });

    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(9_000);
    expect(context).toMatchObject({
      functionName: 'webhook',
      memoryLimitInMB: '512',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:webhook',
    });
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
