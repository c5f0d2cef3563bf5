import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startLocalRuntime, type LocalRuntime } from '../../../local/runtime';
import { inboundFields } from '../../../local/simulate';
import { synthesizedTemplates } from '../../support/templates';
import { twilioSignature } from '../../support/twilio-webhook';

jest.setTimeout(90_000);

const authToken = randomBytes(16).toString('hex');
const accountSid = `AC${randomBytes(16).toString('hex')}`;
const number = '+14155238886';

describe('local runtime (npm run dev, in-process, against the shared moto)', () => {
  let runtime: LocalRuntime;
  let documents: DynamoDBDocumentClient;
  let sqs: SQSClient;

  beforeAll(async () => {
    const endpoint = process.env.MOTO_ENDPOINT;
    if (!endpoint) throw new Error('MOTO_ENDPOINT is not set: run through jest --selectProjects integration');
    runtime = await startLocalRuntime({
      motoEndpoint: endpoint,
      port: 0,
      simulatorPort: 0,
      // This file checks the webhook's side: nothing may consume the inbound queue before the test reads it.
      pollQueues: false,
      scheduleIntervalMs: 0,
      uniqueSuffix: true,
      secretPrefix: `echo-test-${randomBytes(4).toString('hex')}`,
      templates: synthesizedTemplates(),
      config: { DEV_TWILIO_ACCOUNT_SID: accountSid, DEV_TWILIO_AUTH_TOKEN: authToken, DEV_WHATSAPP_NUMBER: number },
    });
    const client = { endpoint, region: runtime.config.AWS_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    documents = DynamoDBDocumentClient.from(new DynamoDBClient(client));
    sqs = new SQSClient(client);
  });

  afterAll(async () => {
    await runtime?.stop();
    documents?.destroy();
    sqs?.destroy();
  });

  async function postSigned(url: string, fields: Record<string, string>, signature = twilioSignature(url, fields, authToken)) {
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature, 'user-agent': 'TwilioProxy/1.1' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  it('reports healthy once moto, resources and seed are ready', async () => {
    const response = await fetch(`${runtime.url}/health`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(runtime.ownsMoto).toBe(false);
  });

  it('answers a signed inbound webhook with empty TwiML, stores the message and queues it', async () => {
    // Prepare
    const fields = inboundFields({ from: '+5215512345678', text: "Hola, it's 1+1 @ 10:30", name: 'Ana' }, runtime.config);

    // Act
    const response = await postSigned(runtime.webhookUrls.inbound, fields);

    // Assess
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<Response/>');
    const env = runtime.resources.functionEnv.webhook;
    const { Items = [] } = await documents.send(
      new ScanCommand({ TableName: env.MESSAGES_TABLE, FilterExpression: 'externalId = :x', ExpressionAttributeValues: { ':x': fields.MessageSid } }),
    );
    expect(Items).toHaveLength(1);
    expect(Items[0]).toMatchObject({
      businessId: 'demo',
      connectionId: 'demo',
      direction: 'inbound',
      content: { type: 'text', text: "Hola, it's 1+1 @ 10:30" },
    });
    const conversation = await documents.send(
      new GetCommand({ TableName: env.CONVERSATIONS_TABLE, Key: { conversationId: Items[0].conversationId } }),
    );
    expect(conversation.Item).toMatchObject({ businessId: 'demo', customerName: 'Ana' });

    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: env.INBOUND_QUEUE_URL, MaxNumberOfMessages: 10, VisibilityTimeout: 5, MessageSystemAttributeNames: ['MessageGroupId'] }),
    );
    for (const message of Messages) {
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: env.INBOUND_QUEUE_URL, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }));
    }
    const queued = Messages.find((message) => JSON.parse(message.Body!).externalId === fields.MessageSid);
    expect(queued?.Attributes?.MessageGroupId).toBe(Items[0].conversationId);
  });

  it('refuses a webhook signed with another token, as in AWS', async () => {
    const fields = inboundFields({ from: '+5215500000001', text: 'x', name: 'N' }, runtime.config);

    const response = await postSigned(runtime.webhookUrls.inbound, fields, twilioSignature(runtime.webhookUrls.inbound, fields, 'f'.repeat(32)));

    expect(response.status).toBe(403);
  });

  it('answers an unknown route like API Gateway', async () => {
    const response = await fetch(`${runtime.url}/webhook/whatsapp/unknown/demo`, { method: 'POST' });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
  });

  it('seeds the Twilio demo connection verified, with its secret ARN and last 4 of the token only', async () => {
    const env = runtime.resources.functionEnv.webhook;

    const { Item } = await documents.send(new GetCommand({ TableName: env.CONNECTIONS_TABLE, Key: { connectionId: 'demo' } }));

    expect(Item).toMatchObject({
      connectionId: 'demo',
      businessId: 'demo',
      provider: 'twilio',
      status: 'active',
      displayNumber: number,
      providerNumberId: number,
      providerAccountId: accountSid,
      accountSid,
      secretArn: runtime.demo.secretArn,
      secretLast4: { authToken: authToken.slice(-4) },
      verified: true,
    });
    expect(JSON.stringify(Item)).not.toContain(authToken);
    expect(runtime.demo.secretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:echo-test-[0-9a-f]{8}\/connections\/demo-/);
  });

  it('seeds demo-meta and demo-360dialog, each with its own secret, verified, and points the functions at their simulators', async () => {
    // Prepare
    const env = runtime.resources.functionEnv.webhook;
    const { config } = runtime;

    // Act
    const meta = (await documents.send(new GetCommand({ TableName: env.CONNECTIONS_TABLE, Key: { connectionId: 'demo-meta' } }))).Item;
    const dialog360 = (await documents.send(new GetCommand({ TableName: env.CONNECTIONS_TABLE, Key: { connectionId: 'demo-360dialog' } }))).Item;
    const secrets = new SecretsManagerClient({ endpoint: runtime.motoEndpoint, region: config.AWS_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const secretOf = async (arn: string) => JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString!) as Record<string, string>;
    const metaSecret = await secretOf(String(meta?.secretArn));
    const dialog360Secret = await secretOf(String(dialog360?.secretArn));
    secrets.destroy();

    // Assess
    expect(meta).toMatchObject({
      businessId: 'demo-meta',
      provider: 'meta',
      status: 'active',
      verified: true,
      displayNumber: config.DEV_META_NUMBER,
      providerNumberId: config.DEV_META_PHONE_NUMBER_ID,
      providerAccountId: config.DEV_META_WABA_ID,
      secretLast4: { accessToken: config.DEV_META_ACCESS_TOKEN.slice(-4), appSecret: config.DEV_META_APP_SECRET.slice(-4) },
    });
    expect(metaSecret).toEqual({ accessToken: config.DEV_META_ACCESS_TOKEN, appSecret: config.DEV_META_APP_SECRET, verifyToken: config.DEV_META_VERIFY_TOKEN });
    expect(dialog360).toMatchObject({
      businessId: 'demo-360dialog',
      provider: '360dialog',
      verified: true,
      displayNumber: config.DEV_360DIALOG_NUMBER,
      providerNumberId: config.DEV_360DIALOG_NUMBER,
      secretLast4: { apiKey: config.DEV_360DIALOG_API_KEY.slice(-4) },
    });
    expect(dialog360Secret).toEqual({ apiKey: config.DEV_360DIALOG_API_KEY, webhookSecret: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) });
    expect(runtime.demos.meta.webhookUrl).toBe(`${runtime.url}/webhook/whatsapp/meta/demo-meta`);
    // The 360dialog number's webhook was registered at start-up, with the secret the webhook checks.
    expect(runtime.simulators.dialog360.webhookOf()).toEqual({
      url: `${runtime.url}/webhook/whatsapp/360dialog/demo-360dialog`,
      headers: { 'X-Echo-Webhook-Token': dialog360Secret.webhookSecret },
    });
    expect(runtime.env).toMatchObject({ META_GRAPH_BASE_URL: runtime.simulators.meta.url, DIALOG360_BASE_URL: runtime.simulators.dialog360.url });
    // The project's re-engagement template exists, approved, at both Cloud API simulators.
    expect(runtime.simulators.meta.templates()).toEqual([expect.objectContaining({ name: 'echo_reengagement', language: 'es_MX', status: 'APPROVED' })]);
    expect(runtime.simulators.dialog360.templates()).toEqual([expect.objectContaining({ name: 'echo_reengagement', status: 'APPROVED' })]);
  });
});
