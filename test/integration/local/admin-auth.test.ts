/**
 * The admin API as a client meets it: through the local gateway, whose JWT authorizer follows API
 * Gateway's rules, in front of the real admin Lambda, against moto and the Twilio simulator.
 *
 * For every route: tokens that API Gateway refuses (none, expired, unsigned `alg: none`, signed by
 * another key, wrong audience, wrong issuer) get 401 and never reach the function; a valid token of
 * business A on business B's resources gets 404, and B's data is unchanged.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ADMIN_ROUTES } from '../../../lib/config';
import { signJwt } from '../../../local/oidc';
import type { LocalRuntime } from '../../../local/runtime';
import { startTestRuntime } from '../../support/local-runtime';
import { inboundTextFields, twilioSignature } from '../../support/twilio-webhook';

jest.setTimeout(120_000);

const accountSid = `AC${randomBytes(16).toString('hex')}`;
const authToken = randomBytes(16).toString('hex');
const number = '+14155238886';
const businessA = `biz-a-${randomBytes(3).toString('hex')}`;
const businessB = `biz-b-${randomBytes(3).toString('hex')}`;

describe('admin API through the local gateway: authentication and tenant isolation', () => {
  let runtime: LocalRuntime;
  let documents: DynamoDBDocumentClient;
  let sqs: SQSClient;
  let stdout: jest.SpyInstance;
  let stderr: jest.SpyInstance;
  let conversationB: string;
  const runtimeLog: string[] = [];

  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const response = await fetch(`${runtime.url}${path}`, {
      method,
      headers: {
        ...(token !== undefined && { authorization: `Bearer ${token}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, contentType: response.headers.get('content-type'), body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };

  /** Every route once, with a well-formed body where it takes one, against business B's resources. */
  const requestsOnB = () =>
    Object.values(ADMIN_ROUTES).map((routeKey) => {
      const [method, template] = routeKey.split(' ');
      const path = template.replace('{businessId}', businessB).replace('{conversationId}', conversationB);
      const body =
        method === 'PUT'
          ? { provider: 'twilio', twilio: { accountSid, authToken: randomBytes(16).toString('hex'), whatsappNumber: '+5215500000000' } }
          : routeKey === ADMIN_ROUTES.sendMessage
            ? { content: { type: 'text', text: 'not yours' }, idempotencyKey: 'intruder-1' }
            : method === 'POST'
              ? {}
              : undefined;
      return { routeKey, method, path, body };
    });

  /** What business B has: its connection items, its conversations and messages, and the outbound queue's depth. */
  async function stateOfB(): Promise<string> {
    const env = runtime.env;
    const connections = await documents.send(new ScanCommand({ TableName: env.CONNECTIONS_TABLE, ConsistentRead: true }));
    const conversations = await documents.send(
      new QueryCommand({ TableName: env.MESSAGES_TABLE, KeyConditionExpression: 'conversationId = :c', ExpressionAttributeValues: { ':c': conversationB }, ConsistentRead: true }),
    );
    const depth = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: env.OUTBOUND_QUEUE_URL, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return JSON.stringify({
      connections: (connections.Items ?? []).filter((item) => JSON.stringify(item).includes(businessB)),
      messages: conversations.Items,
      queue: depth.Attributes,
    });
  }

  beforeAll(async () => {
    const endpoint = process.env.MOTO_ENDPOINT;
    if (!endpoint) throw new Error('MOTO_ENDPOINT is not set: run through jest --selectProjects integration');
    // The functions' JSON logs (refusals are WARN lines on stderr) are not this test's output.
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    runtime = await startTestRuntime({
      account: { accountSid, authToken, whatsappNumber: number },
      // Nothing is consumed: the outbound queue's depth shows whether a refused send slipped through.
      pollQueues: false,
      log: (line) => runtimeLog.push(line),
    });
    const clientConfig = { endpoint, region: runtime.config.AWS_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    documents = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig));
    sqs = new SQSClient(clientConfig);

    // Business B connects a number and a customer writes to it.
    const tokenB = runtime.oidc.issueToken({ businessId: businessB });
    const put = await call('PUT', `/businesses/${businessB}/whatsapp/connection`, tokenB, {
      provider: 'twilio',
      twilio: { accountSid, authToken, whatsappNumber: number },
    });
    expect(put.status).toBe(201);
    const incoming = (put.body?.webhookUrls as { incoming: string }).incoming;
    const fields = inboundTextFields({ accountSid, to: number, from: '+5215511112222', body: 'hola' });
    const webhook = await fetch(incoming, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(incoming, fields, authToken) },
      body: new URLSearchParams(fields).toString(),
    });
    expect(webhook.status).toBe(200);
    const list = await call('GET', `/businesses/${businessB}/whatsapp/conversations`, tokenB);
    conversationB = (list.body?.items as { conversationId: string }[])[0].conversationId;
  });

  afterAll(async () => {
    await runtime?.stop();
    documents?.destroy();
    sqs?.destroy();
    stdout?.mockRestore();
    stderr?.mockRestore();
  });

  it('answers 401 without invoking the function for every token API Gateway refuses, on every route', async () => {
    const now = Math.floor(Date.now() / 1000);
    const kid = runtime.oidc.jwks.keys[0].kid;
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = { iss: runtime.oidc.issuer, aud: runtime.oidc.audience, sub: 'intruder', exp: now + 600, [runtime.oidc.businessClaim]: businessB };
    const { privateKey: foreignKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const refused: Record<string, string | undefined> = {
      'no token': undefined,
      expired: runtime.oidc.issueToken({ businessId: businessB, claims: { exp: now - 60, iat: now - 3600 } }),
      'alg none (unsigned)': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      'signed by another key': signJwt({ alg: 'RS256', kid, typ: 'JWT' }, claims, foreignKey),
      'wrong audience': runtime.oidc.issueToken({ businessId: businessB, claims: { aud: 'some-other-app' } }),
      'wrong issuer': runtime.oidc.issueToken({ businessId: businessB, claims: { iss: 'https://issuer.example' } }),
      garbage: 'not.a.jwt',
    };
    const before = await stateOfB();
    // The gateway notes the authorizer's reason on each refusal it answers itself.
    const refusedByAuthorizer = () => runtimeLog.filter((line) => / → 401 \(\d+ ms\) \[/.test(line)).length;
    const refusalsBefore = refusedByAuthorizer();
    for (const request of requestsOnB()) {
      for (const [kind, token] of Object.entries(refused)) {
        const response = await call(request.method, request.path, token, request.body);
        expect({ route: request.routeKey, kind, status: response.status }).toEqual({ route: request.routeKey, kind, status: 401 });
        expect(response.body).toEqual({ message: 'Unauthorized' });
      }
    }
    expect(await stateOfB()).toBe(before);
    expect(refusedByAuthorizer() - refusalsBefore).toBe(requestsOnB().length * Object.keys(refused).length);
  });

  it("answers 404 to business A's valid token on every one of business B's routes, and B's data is unchanged", async () => {
    const tokenA = runtime.oidc.issueToken({ businessId: businessA, subject: 'owner-of-a' });
    const before = await stateOfB();
    for (const request of requestsOnB()) {
      const response = await call(request.method, request.path, tokenA, request.body);
      expect({ route: request.routeKey, status: response.status }).toEqual({ route: request.routeKey, status: 404 });
      expect(response.contentType).toMatch(/application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 404, type: expect.stringContaining('not-found') });
      // Indistinguishable from a business that does not exist: nothing tells A that B is real.
      const nobody = await call(request.method, request.path.replace(businessB, 'biz-never-existed'), tokenA, request.body);
      const { instance: _bInstance, ...onB } = response.body ?? {};
      const { instance: _nobodyInstance, ...onNobody } = nobody.body ?? {};
      expect({ route: request.routeKey, body: onB }).toEqual({ route: request.routeKey, body: onNobody });
    }
    expect(await stateOfB()).toBe(before);
  });

  it("answers 404 when A names B's conversation under its own business", async () => {
    const tokenA = runtime.oidc.issueToken({ businessId: businessA });
    const before = await stateOfB();
    const read = await call('GET', `/businesses/${businessA}/whatsapp/conversations/${conversationB}/messages`, tokenA);
    const send = await call('POST', `/businesses/${businessA}/whatsapp/conversations/${conversationB}/messages`, tokenA, {
      content: { type: 'text', text: 'hijack' },
    });
    expect([read.status, send.status]).toEqual([404, 404]);
    expect(await stateOfB()).toBe(before);
  });

  it('lets B in with its own token, and never shows its auth token beyond the last 4 characters', async () => {
    const tokenB = runtime.oidc.issueToken({ businessId: businessB });
    const connection = await call('GET', `/businesses/${businessB}/whatsapp/connection`, tokenB);
    expect(connection.status).toBe(200);
    expect(connection.body).toMatchObject({ businessId: businessB, status: 'active', credentials: { authTokenLast4: authToken.slice(-4) } });
    expect(JSON.stringify(connection.body)).not.toContain(authToken);
    const messages = await call('GET', `/businesses/${businessB}/whatsapp/conversations/${conversationB}/messages`, tokenB);
    expect(messages.status).toBe(200);
    expect((messages.body?.items as { text?: string }[]).map((item) => item.text)).toContain('hola');
  });
});
