import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Connection } from '../../../lambdas/domain/connection';
import { createWebhookDeps } from '../../../lambdas/handlers/webhook/deps';
import { loadWebhookEnv } from '../../../lambdas/handlers/webhook/env';
import { createWebhookHandler } from '../../../lambdas/handlers/webhook/handler';
import { fastClientConfig, SDK_TIMEOUT_VARIABLES, sdkTimeoutsFrom } from '../../../lambdas/shared/aws-clients';
import { CachedCredentials, FixedDirectory, silentPowertools } from '../../support/fakes';
import { inboundTextFields, signedTwilioEvent } from '../../support/twilio-webhook';

const ACCOUNT = 'AC' + 'a'.repeat(32);
const TOKEN = 'b'.repeat(32);
const NUMBER = '+14155238886';

describe('SDK timeouts', () => {
  it('read the four variables, and keep the old, unenforced limits when none is set', () => {
    // Prepare / Act
    const set = sdkTimeoutsFrom({
      SDK_CONNECTION_TIMEOUT_MS: '1000',
      SDK_REQUEST_TIMEOUT_MS: '3000',
      SDK_MAX_ATTEMPTS: '2',
      SDK_THROW_ON_REQUEST_TIMEOUT: 'true',
    });
    const unset = sdkTimeoutsFrom({});

    // Assess
    expect(set).toEqual({ connectionTimeoutMs: 1000, requestTimeoutMs: 3000, maxAttempts: 2, throwOnRequestTimeout: true });
    expect(unset.throwOnRequestTimeout).toBe(false);
  });

  it('refuse a value that is not a limit, naming the variable', () => {
    expect(() => sdkTimeoutsFrom({ SDK_REQUEST_TIMEOUT_MS: 'soon' })).toThrow(/SDK_REQUEST_TIMEOUT_MS/);
    expect(() => sdkTimeoutsFrom({ SDK_THROW_ON_REQUEST_TIMEOUT: 'yes' })).toThrow(/SDK_THROW_ON_REQUEST_TIMEOUT/);
  });

  describe('a store that accepts the connection and never answers', () => {
    let stalled: Server;
    const sockets: Socket[] = [];
    const saved: Record<string, string | undefined> = {};
    const variables = {
      AWS_ENDPOINT_URL: '',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      [SDK_TIMEOUT_VARIABLES.connectionTimeoutMs]: '200',
      [SDK_TIMEOUT_VARIABLES.requestTimeoutMs]: '250',
      [SDK_TIMEOUT_VARIABLES.maxAttempts]: '2',
      [SDK_TIMEOUT_VARIABLES.throwOnRequestTimeout]: 'true',
    };

    beforeAll(async () => {
      stalled = createServer((socket) => {
        sockets.push(socket);
        socket.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
      variables.AWS_ENDPOINT_URL = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`;
      for (const [key, value] of Object.entries(variables)) {
        saved[key] = process.env[key];
        process.env[key] = value;
      }
    });

    afterAll(async () => {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      sockets.forEach((socket) => socket.destroy());
      await new Promise<void>((resolve) => stalled.close(() => resolve()));
    });

    it('gives each client its own HTTP handler with the limits of the moment', () => {
      // Prepare / Act
      const first = fastClientConfig.requestHandler;
      const second = fastClientConfig.requestHandler;

      // Assess
      expect(first).not.toBe(second);
      expect(fastClientConfig.maxAttempts).toBe(2);
    });

    it('makes the webhook answer 503 within the budget instead of hanging until the Lambda timeout', async () => {
      // Prepare: the real dependencies (SDK clients, DynamoDB store, SQS queue) against the stalled
      // endpoint; only the connection and its secret are in memory, so the first AWS call is the
      // ingestion transaction.
      const connection: Connection = {
        connectionId: 'acme',
        businessId: 'acme-business',
        provider: 'twilio',
        status: 'active',
        displayNumber: NUMBER,
        secretArn: 'arn:secret:acme',
      };
      const env = loadWebhookEnv({
        CONNECTIONS_TABLE: 'connections',
        CONVERSATIONS_TABLE: 'conversations',
        MESSAGES_TABLE: 'messages',
        DEDUPE_TABLE: 'dedupe',
        INBOUND_QUEUE_URL: `${variables.AWS_ENDPOINT_URL}/123456789012/inbound.fifo`,
        EVENT_BUS_NAME: 'bus',
      });
      const handler = createWebhookHandler({
        ...createWebhookDeps(env),
        connections: new FixedDirectory([connection]),
        credentials: new CachedCredentials({ 'arn:secret:acme': { accountSid: ACCOUNT, authToken: TOKEN } }),
        ...silentPowertools(),
      });
      const event = signedTwilioEvent({
        path: '/webhook/whatsapp/twilio/acme',
        fields: inboundTextFields({ accountSid: ACCOUNT, to: NUMBER }),
        authToken: TOKEN,
      });

      // Act
      const started = Date.now();
      const response = await handler(event);
      const elapsed = Date.now() - started;

      // Assess: 2 attempts × 250 ms plus the SDK's backoff, far from the 10 s Lambda timeout.
      expect(response.statusCode).toBe(503);
      expect(sockets.length).toBeGreaterThanOrEqual(2);
      expect(elapsed).toBeLessThan(3_000);
    });
  });
});
