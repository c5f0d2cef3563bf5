/**
 * A local stand-in for the API Gateway HTTP API: a node:http server that turns each request into
 * the payload v2 event API Gateway would build, invokes the same handler that runs in Lambda, and
 * maps its result back to HTTP the way API Gateway does.
 *
 * Faithfulness notes (what API Gateway does, and so what we do):
 * - `rawQueryString` is the query string exactly as the client sent it (no `?`), never re-encoded.
 * - `rawPath` is **percent-decoded** by HTTP APIs (`/a%40b` arrives as `/a@b`), unlike REST APIs
 *   and function URLs. Pass `rawPath: 'exact'` to keep the bytes as sent instead.
 * - Bodies with a non-text content type (form posts included) arrive base64 encoded with
 *   `isBase64Encoded: true`; JSON, XML, JavaScript and `text/*` arrive as text.
 * - Header names are lower-cased, repeated headers joined with commas, cookies moved to `cookies`.
 * - Limits: 10 MB request body (413, text), 6 MB Lambda invoke payload (413 `Request Too Long`),
 *   30 s integration timeout (503), handler errors and Lambda timeouts (500).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { JwtAuthorization } from './jwt-authorizer';

/** How long `stop` waits for invocations still running. */
const STOP_GRACE_MS = 10_000;

/** What a Lambda handler behind an HTTP API looks like to the gateway. */
export type HttpApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export interface GatewayRoute {
  /** Exactly as in the template: `POST /webhook/whatsapp/twilio/{connectionId}`. `ANY` matches any method. */
  routeKey: string;
  /** The function's name, used in the context and the logs. */
  functionName: string;
  /** Called once per request. May load the handler lazily. */
  handler: HttpApiHandler;
  /** Lambda timeout of the function. @default 3 */
  timeoutSeconds?: number;
  /** @default 128 */
  memorySize?: number;
  /**
   * The route's JWT authorizer: without it the route is open (`AuthorizationType: NONE`). A
   * refusal answers 401 without invoking the handler, as API Gateway does.
   */
  authorize?: (authorization: string | undefined) => JwtAuthorization;
}

/** API Gateway's limits that a handler can observe. */
export const LIMITS = {
  /** HTTP API maximum request body. */
  requestBodyBytes: 10 * 1024 * 1024,
  /** Lambda's synchronous invocation payload limit (request and response). */
  invokePayloadBytes: 6 * 1024 * 1024,
  /** HTTP API maximum integration timeout. */
  integrationTimeoutMs: 30_000,
} as const;

// ---------------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------------

type Segment = { literal: string } | { parameter: string; greedy: boolean };

export interface CompiledRoute {
  route: GatewayRoute;
  method: string;
  segments: Segment[];
}

/** Parses `POST /a/{b}/{rest+}` into method and segments. */
export function compileRoute(route: GatewayRoute): CompiledRoute {
  const [method, path] = route.routeKey.split(' ');
  if (!method || !path?.startsWith('/')) throw new Error(`bad route key: ${route.routeKey}`);
  const segments = path
    .split('/')
    .slice(1)
    .map((segment): Segment => {
      const parameter = /^\{([^}]+?)(\+)?\}$/.exec(segment);
      return parameter ? { parameter: parameter[1], greedy: parameter[2] === '+' } : { literal: segment };
    });
  return { route, method: method.toUpperCase(), segments };
}

function specificity(route: CompiledRoute): number[] {
  // Literal segments beat parameters, which beat greedy parameters; earlier segments weigh more.
  return route.segments.map((segment) => ('literal' in segment ? 2 : segment.greedy ? 0 : 1));
}

function compareSpecificity(a: CompiledRoute, b: CompiledRoute): number {
  const sa = specificity(a);
  const sb = specificity(b);
  for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
    const diff = (sb[i] ?? -1) - (sa[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return a.method === 'ANY' ? 1 : b.method === 'ANY' ? -1 : 0;
}

export interface RouteMatch {
  route: GatewayRoute;
  pathParameters?: Record<string, string>;
}

/**
 * The most specific route for a method and a (decoded) path, as HTTP APIs choose it.
 * @example matchRoute(routes, 'POST', '/webhook/whatsapp/twilio/demo') // { route, pathParameters: { connectionId: 'demo' } }
 */
export function matchRoute(routes: CompiledRoute[], method: string, path: string): RouteMatch | undefined {
  const parts = path.split('/').slice(1);
  const candidates = routes.filter((route) => route.method === method.toUpperCase() || route.method === 'ANY');
  for (const route of [...candidates].sort(compareSpecificity)) {
    const parameters: Record<string, string> = {};
    let matched = true;
    for (let i = 0; i < route.segments.length; i++) {
      const segment = route.segments[i];
      if ('literal' in segment) {
        if (parts[i] !== segment.literal) {
          matched = false;
          break;
        }
      } else if (segment.greedy) {
        if (i >= parts.length) matched = false;
        else parameters[segment.parameter] = parts.slice(i).join('/');
        break;
      } else {
        if (!parts[i]) {
          matched = false;
          break;
        }
        parameters[segment.parameter] = parts[i];
      }
    }
    const last = route.segments[route.segments.length - 1];
    const greedy = last && 'greedy' in last && last.greedy;
    if (matched && (greedy || parts.length === route.segments.length)) {
      return { route: route.route, pathParameters: Object.keys(parameters).length ? parameters : undefined };
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Event building
// ---------------------------------------------------------------------------------------------

/** A request as it arrived, before any parsing. */
export interface IncomingRequest {
  method: string;
  /** The request target exactly as sent (`req.url`): raw path plus `?` and raw query string. */
  target: string;
  /** Header names and values in arrival order (`req.rawHeaders`). */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  /** `HTTP/1.1` */
  protocol?: string;
}

export interface EventOptions {
  /** `'decoded'` (API Gateway HTTP API behaviour) or `'exact'` (bytes as sent). @default 'decoded' */
  rawPath?: 'decoded' | 'exact';
  /** Port the gateway listens on, for `x-forwarded-port`. */
  port: number;
  accountId?: string;
  apiId?: string;
  requestId?: string;
  now?: Date;
}

/** Percent-decodes a path, leaving malformed escapes as they are (`%zz`, a lone `%`). */
export function decodePath(path: string): string {
  return path.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

function decodeQueryComponent(value: string): string {
  const spaced = value.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** `queryStringParameters`: decoded, repeated names joined with commas; undefined when empty. */
export function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const out: Record<string, string> = {};
  for (const pair of rawQueryString.split('&')) {
    if (!pair) continue;
    const at = pair.indexOf('=');
    const name = decodeQueryComponent(at === -1 ? pair : pair.slice(0, at));
    const value = at === -1 ? '' : decodeQueryComponent(pair.slice(at + 1));
    out[name] = name in out ? `${out[name]},${value}` : value;
  }
  return Object.keys(out).length ? out : undefined;
}

/** Hop-by-hop headers never reach the integration. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function collectHeaders(rawHeaders: string[]): { headers: Record<string, string>; cookies?: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    const value = rawHeaders[i + 1];
    if (HOP_BY_HOP.has(name)) continue;
    if (name === 'cookie') {
      cookies.push(...value.split(';').map((cookie) => cookie.trim()).filter(Boolean));
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return { headers, cookies: cookies.length ? cookies : undefined };
}

/** True when API Gateway passes a body of this content type as text rather than base64. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type.startsWith('text/') || /[/+](json|xml|javascript)$/.test(type);
}

function apiGatewayTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** An id shaped like API Gateway's (`TqW4hgaOvHcEMcg=`). */
export function newApiGatewayRequestId(): string {
  return randomBytes(11).toString('base64');
}

function traceId(now: Date): string {
  return `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

/**
 * The HTTP API payload v2 event for a request and its matched route.
 * @example
 * buildHttpApiEvent({ method: 'POST', target: '/webhook/whatsapp/twilio/demo?x=1', rawHeaders, body, sourceIp },
 *   { route, pathParameters: { connectionId: 'demo' } }, { port: 3000 })
 */
export function buildHttpApiEvent(request: IncomingRequest, match: RouteMatch, options: EventOptions): APIGatewayProxyEventV2 {
  const now = options.now ?? new Date();
  const queryAt = request.target.indexOf('?');
  const targetPath = queryAt === -1 ? request.target : request.target.slice(0, queryAt);
  const rawQueryString = queryAt === -1 ? '' : request.target.slice(queryAt + 1);
  const rawPath = options.rawPath === 'exact' ? targetPath : decodePath(targetPath);

  const { headers, cookies } = collectHeaders(request.rawHeaders);
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${request.sourceIp}` : request.sourceIp;
  headers['x-forwarded-port'] = String(options.port);
  // The local gateway speaks plain HTTP; handlers rebuilding a signed URL must see `http`.
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] ??= traceId(now);

  const host = headers.host ?? `127.0.0.1:${options.port}`;
  const domainName = host.replace(/:\d+$/, '');
  const requestId = options.requestId ?? newApiGatewayRequestId();

  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: match.route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(queryParameters(rawQueryString) ? { queryStringParameters: queryParameters(rawQueryString) } : {}),
    ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
    requestContext: {
      accountId: options.accountId ?? '123456789012',
      apiId: options.apiId ?? 'local',
      domainName,
      domainPrefix: domainName.split('.')[0],
      http: {
        method: request.method.toUpperCase(),
        path: rawPath,
        protocol: request.protocol ?? 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: match.route.routeKey,
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (request.body.length > 0) {
    const asText = isTextContentType(headers['content-type']) ? request.body.toString('utf8') : undefined;
    // Text that is not valid UTF-8 cannot travel as a JSON string: API Gateway base64-encodes it too.
    if (asText !== undefined && Buffer.from(asText, 'utf8').equals(request.body)) {
      event.body = asText;
    } else {
      event.body = request.body.toString('base64');
      event.isBase64Encoded = true;
    }
  }
  return event;
}

// ---------------------------------------------------------------------------------------------
// Result mapping
// ---------------------------------------------------------------------------------------------

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/**
 * Maps a handler's return value to HTTP as HTTP APIs do for payload v2: a structured result
 * (`statusCode`, `headers`, `cookies`, `body`, `isBase64Encoded`) is used as is; anything else is
 * sent as a 200 JSON body.
 */
export function toHttpResult(result: unknown): HttpResult {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const structured = result as {
      statusCode: number;
      headers?: Record<string, string | number | boolean>;
      cookies?: string[];
      body?: string;
      isBase64Encoded?: boolean;
    };
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name.toLowerCase()] = String(value);
    if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
    const body = structured.body ?? '';
    return {
      statusCode: Number(structured.statusCode),
      headers,
      body: structured.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8'),
    };
  }
  const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body, 'utf8') };
}

// ---------------------------------------------------------------------------------------------
// Lambda context
// ---------------------------------------------------------------------------------------------

/** A Lambda-like context: request id, names, memory, and the remaining time of this invocation. */
export function lambdaContext(input: {
  functionName: string;
  region: string;
  accountId: string;
  memorySize: number;
  deadline: number;
}): Context {
  const now = new Date();
  const day = now.toISOString().slice(0, 10).replace(/-/g, '/');
  const unsupported = () => {
    throw new Error('callback-style completion (done/succeed/fail) is not supported: return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: input.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${input.region}:${input.accountId}:function:${input.functionName}`,
    memoryLimitInMB: String(input.memorySize),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${input.functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, input.deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

export interface StartGatewayOptions {
  /**
   * The routes to serve. Leave out to start listening before they are known (`/health` answers,
   * everything else 503) and call `setRoutes` later.
   */
  routes?: GatewayRoute[];
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  region?: string;
  accountId?: string;
  /** @see EventOptions.rawPath */
  rawPath?: 'decoded' | 'exact';
  /** `GET /health` answers 200 only when this returns true. @default always ready */
  isReady?: () => boolean | Promise<boolean>;
  /** One line per request and per handler failure. @default console.log */
  log?: (line: string) => void;
  /**
   * Answers requests that are not API routes (the settings page, the local OIDC issuer): called
   * before routing; `undefined` passes the request on to the routes.
   */
  serveLocal?: (method: string, path: string) => HttpResult | undefined | Promise<HttpResult | undefined>;
}

export interface Gateway {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  server: Server;
  /** Replaces the served routes. */
  setRoutes(routes: GatewayRoute[]): void;
  stop(): Promise<void>;
}

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return reject(new BodyTooLargeError());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, result: HttpResult, extraHeaders: Record<string, string> = {}): void {
  const headers = { ...result.headers, ...extraHeaders, 'content-length': String(result.body.length) };
  res.writeHead(result.statusCode, headers);
  res.end(result.body);
}

function json(statusCode: number, value: unknown): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(value)) };
}

class InvocationTimeoutError extends Error {
  constructor(readonly kind: 'lambda' | 'integration', readonly ms: number) {
    super(kind === 'lambda' ? `Task timed out after ${(ms / 1000).toFixed(2)} seconds` : `integration timed out after ${ms} ms`);
  }
}

async function invokeWithTimeout(route: GatewayRoute, event: unknown, context: Context, lambdaTimeoutMs: number): Promise<unknown> {
  const limit = Math.min(lambdaTimeoutMs, LIMITS.integrationTimeoutMs);
  const kind = lambdaTimeoutMs <= LIMITS.integrationTimeoutMs ? 'lambda' : 'integration';
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      route.handler(event as APIGatewayProxyEventV2, context),
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new InvocationTimeoutError(kind, limit)), limit);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts the local HTTP API on `host:port` serving `routes`, plus `GET /health`.
 * @example
 * const gateway = await startGateway({ port: 3000, routes: [{ routeKey: 'POST /hello', functionName: 'hello', handler }] });
 * // curl -X POST http://127.0.0.1:3000/hello
 * await gateway.stop();
 */
export async function startGateway(options: StartGatewayOptions): Promise<Gateway> {
  let compiled = options.routes?.map(compileRoute);
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const log = options.log ?? ((line: string) => console.log(line));
  let port = options.port ?? 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const target = req.url ?? '/';
    const requestId = newApiGatewayRequestId();
    const done = (result: HttpResult, note = '') => {
      send(res, result, { 'apigw-requestid': requestId });
      log(`${method} ${target.split('?')[0]} → ${result.statusCode} (${Date.now() - started} ms)${note}`);
    };

    if (method === 'GET' && target.split('?')[0] === '/health') {
      const ready = (await options.isReady?.()) ?? true;
      send(res, json(ready ? 200 : 503, { status: ready ? 'ok' : 'starting' }));
      return;
    }

    const local = await options.serveLocal?.(method, target.split('?')[0]);
    if (local) return done(local);

    if (!compiled) return done(json(503, { message: 'Service Unavailable' }), ' [still starting]');

    let body: Buffer;
    try {
      body = await readBody(req, LIMITS.requestBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      // API Gateway answers before reading the rest: close the connection so the client stops sending.
      res.setHeader('connection', 'close');
      done({
        statusCode: 413,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: Buffer.from(`HTTP content length exceeded ${LIMITS.requestBodyBytes} bytes.`),
      });
      req.destroy();
      return;
    }

    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    const match = matchRoute(compiled, method, options.rawPath === 'exact' ? path : decodePath(path));
    if (!match) return done(json(404, { message: 'Not Found' }));

    const event = buildHttpApiEvent(
      {
        method,
        target,
        rawHeaders: req.rawHeaders,
        body,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        protocol: `HTTP/${req.httpVersion}`,
      },
      match,
      { rawPath: options.rawPath, port, accountId, requestId },
    );
    if (match.route.authorize) {
      const authorization = match.route.authorize(req.headers.authorization);
      if (!authorization.ok) {
        return done(
          { statusCode: 401, headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }, body: Buffer.from('{"message":"Unauthorized"}') },
          ` [${authorization.reason}]`,
        );
      }
      (event.requestContext as APIGatewayProxyEventV2['requestContext'] & { authorizer?: unknown }).authorizer = {
        jwt: { claims: authorization.claims, scopes: authorization.scopes ?? null },
      };
    }
    // Lambda receives JSON, not our object: serialise like it does, and hold it to the same limit.
    const payload = JSON.stringify(event);
    if (Buffer.byteLength(payload) > LIMITS.invokePayloadBytes) return done(json(413, { message: 'Request Too Long' }));

    const timeoutMs = (match.route.timeoutSeconds ?? 3) * 1000;
    const context = lambdaContext({
      functionName: match.route.functionName,
      region,
      accountId,
      memorySize: match.route.memorySize ?? 128,
      deadline: Date.now() + timeoutMs,
    });
    let result: unknown;
    try {
      result = await invokeWithTimeout(match.route, JSON.parse(payload), context, timeoutMs);
    } catch (error) {
      if (error instanceof InvocationTimeoutError && error.kind === 'integration') {
        return done(json(503, { message: 'Service Unavailable' }), ` [${match.route.functionName}: ${error.message}]`);
      }
      log(`${match.route.functionName} failed (${context.awsRequestId}): ${(error as Error)?.stack ?? String(error)}`);
      return done(json(500, { message: 'Internal Server Error' }));
    }
    const serialised = result === undefined ? 'null' : JSON.stringify(result);
    if (Buffer.byteLength(serialised) > LIMITS.invokePayloadBytes) {
      log(`${match.route.functionName}: response larger than Lambda's 6 MB limit`);
      return done(json(500, { message: 'Internal Server Error' }));
    }
    done(toHttpResult(JSON.parse(serialised)));
  };

  // Invocations still running: `stop` waits for them, so no handler outlives the runtime that
  // started it (a test file ending mid-call would otherwise leave it writing to torn-down mocks).
  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const call = handle(req, res)
      .catch((error: unknown) => {
        log(`gateway error: ${(error as Error)?.stack ?? String(error)}`);
        if (!res.headersSent) send(res, json(500, { message: 'Internal Server Error' }));
        else res.destroy();
      })
      .finally(() => inFlight.delete(call));
    inFlight.add(call);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    setRoutes: (routes) => {
      compiled = routes.map(compileRoute);
    },
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      // Bounded: a handler stuck on a dead dependency must not hang the shutdown.
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref())]);
      await closed;
    },
  };
}
