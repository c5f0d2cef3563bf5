import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export interface HttpApiEventOptions {
  method?: 'GET' | 'POST';
  /** `/webhook/whatsapp/{provider}/{connectionId}[/status]`. */
  path: string;
  /** Exactly as the BSP put it on the URL. */
  rawQueryString?: string;
  /** Any case: API Gateway lower-cases header names, and so does this builder. */
  headers?: Record<string, string>;
  /** Passed as text, as API Gateway passes JSON bodies (`isBase64Encoded: false`). */
  body?: string;
  host?: string;
}

/**
 * An API Gateway HTTP API (payload v2) event for a webhook request that is not a Twilio form:
 * Meta's and 360dialog's JSON POSTs and Meta's GET handshake. Header names are lower-cased and the
 * query string decoded into `queryStringParameters` the way API Gateway does it.
 * @example
 * const request = metaWebhookRequest(payload, appSecret);
 * httpApiEvent({ path: '/webhook/whatsapp/meta/cn_1', headers: request.headers, body: request.body });
 */
export function httpApiEvent(options: HttpApiEventOptions): APIGatewayProxyEventV2 {
  const method = options.method ?? 'POST';
  const host = options.host ?? 'abc123.execute-api.us-east-1.amazonaws.com';
  const query = options.rawQueryString ?? '';
  const headers: Record<string, string> = {
    host,
    'x-forwarded-proto': 'https',
    'x-forwarded-port': '443',
    ...Object.fromEntries(Object.entries(options.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value])),
  };
  const match = /^\/webhook\/whatsapp\/([^/]+)\/([^/]+)(\/[a-z]+)?$/.exec(options.path);
  const queryStringParameters = query ? Object.fromEntries(new URLSearchParams(query).entries()) : undefined;
  const routeKey = `${method} /webhook/whatsapp/${match?.[1] ?? 'unknown'}/{connectionId}${match?.[3] ?? ''}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: options.path,
    rawQueryString: query,
    headers,
    ...(queryStringParameters && { queryStringParameters }),
    pathParameters: match ? { connectionId: decodeURIComponent(match[2]!) } : undefined,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: host,
      domainPrefix: 'abc123',
      http: { method, path: options.path, protocol: 'HTTP/1.1', sourceIp: '173.252.88.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomBytes(8).toString('hex'),
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(options.body !== undefined && { body: options.body }),
    isBase64Encoded: false,
  };
}
