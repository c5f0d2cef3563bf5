import { createHmac, randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * Builds Twilio-shaped webhooks for tests and the benchmark. The signature is computed here from
 * Twilio's documented algorithm (HMAC-SHA1 over the URL plus the sorted fields), independently of
 * the code under test, so a verification bug cannot hide behind a shared helper.
 */
export function twilioSignature(url: string, fields: Record<string, string>, authToken: string): string {
  const data = Object.keys(fields)
    .sort()
    .reduce((acc, key) => acc + key + fields[key], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

export function randomSid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

export interface InboundFieldsOptions {
  accountSid: string;
  to: string;
  from?: string;
  body?: string;
  messageSid?: string;
  profileName?: string;
  extra?: Record<string, string>;
}

/** The fields Twilio posts for a WhatsApp text message (as captured from real webhooks). */
export function inboundTextFields(options: InboundFieldsOptions): Record<string, string> {
  const from = options.from ?? '+5215512345678';
  const sid = options.messageSid ?? randomSid('SM');
  return {
    SmsMessageSid: sid,
    NumMedia: '0',
    ProfileName: options.profileName ?? 'María',
    MessageType: 'text',
    SmsSid: sid,
    WaId: from.replace(/^\+/, ''),
    SmsStatus: 'received',
    Body: options.body ?? 'Hola 👋',
    To: `whatsapp:${options.to}`,
    NumSegments: '1',
    ReferralNumMedia: '0',
    MessageSid: sid,
    AccountSid: options.accountSid,
    From: `whatsapp:${from}`,
    ApiVersion: '2010-04-01',
    ...options.extra,
  };
}

/** The fields of a Twilio status callback. */
export function statusFields(options: {
  accountSid: string;
  messageSid: string;
  status: string;
  to?: string;
  from?: string;
  errorCode?: string;
}): Record<string, string> {
  return {
    AccountSid: options.accountSid,
    ApiVersion: '2010-04-01',
    ChannelPrefix: 'whatsapp',
    ChannelToAddress: '+52155123XXXXX',
    From: `whatsapp:${options.from ?? '+14155238886'}`,
    MessageSid: options.messageSid,
    MessageStatus: options.status,
    SmsSid: options.messageSid,
    SmsStatus: options.status,
    To: `whatsapp:${options.to ?? '+5215512345678'}`,
    ...(options.errorCode !== undefined && { ErrorCode: options.errorCode }),
  };
}

export interface SignedEventOptions {
  host?: string;
  proto?: string;
  path: string;
  rawQueryString?: string;
  fields: Record<string, string>;
  authToken: string;
  /** Overrides the signature (forgeries); `null` omits the header. */
  signature?: string | null;
  base64?: boolean;
}

/** An API Gateway HTTP API (payload v2) event carrying a form body, signed like Twilio signs it. */
export function signedTwilioEvent(options: SignedEventOptions): APIGatewayProxyEventV2 {
  const host = options.host ?? 'abc123.execute-api.us-east-1.amazonaws.com';
  const proto = options.proto ?? 'https';
  const query = options.rawQueryString ?? '';
  const url = `${proto}://${host}${options.path}${query ? `?${query}` : ''}`;
  const body = new URLSearchParams(options.fields).toString();
  const signature = options.signature === undefined ? twilioSignature(url, options.fields, options.authToken) : options.signature;
  return apiGatewayEvent({ host, proto, path: options.path, rawQueryString: query, body, signature, base64: options.base64 ?? true });
}

export function apiGatewayEvent(options: {
  host?: string;
  proto?: string;
  path: string;
  rawQueryString?: string;
  body: string;
  signature?: string | null;
  contentType?: string;
  base64?: boolean;
}): APIGatewayProxyEventV2 {
  const host = options.host ?? 'abc123.execute-api.us-east-1.amazonaws.com';
  const query = options.rawQueryString ?? '';
  const match = /^\/webhook\/whatsapp\/([^/]+)\/([^/]+)(\/status)?$/.exec(options.path);
  const headers: Record<string, string> = {
    host,
    'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
    'x-forwarded-proto': options.proto ?? 'https',
    'x-forwarded-port': options.proto === 'http' ? '80' : '443',
    'user-agent': 'TwilioProxy/1.1',
    'i-twilio-idempotency-token': randomBytes(16).toString('hex'),
  };
  if (options.signature !== null && options.signature !== undefined) headers['x-twilio-signature'] = options.signature;
  const queryStringParameters = query
    ? Object.fromEntries(new URLSearchParams(query).entries())
    : undefined;
  return {
    version: '2.0',
    routeKey: match?.[3] ? 'POST /webhook/whatsapp/twilio/{connectionId}/status' : 'POST /webhook/whatsapp/twilio/{connectionId}',
    rawPath: options.path,
    rawQueryString: query,
    headers,
    ...(queryStringParameters && { queryStringParameters }),
    pathParameters: match ? { connectionId: decodeURIComponent(match[2]) } : undefined,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: host.split(':')[0],
      domainPrefix: 'abc123',
      http: { method: 'POST', path: options.path, protocol: 'HTTP/1.1', sourceIp: '54.172.60.1', userAgent: 'TwilioProxy/1.1' },
      requestId: randomBytes(8).toString('hex'),
      routeKey: 'POST /webhook/whatsapp/twilio/{connectionId}',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: options.base64 === false ? options.body : Buffer.from(options.body, 'utf8').toString('base64'),
    isBase64Encoded: options.base64 !== false,
  };
}
