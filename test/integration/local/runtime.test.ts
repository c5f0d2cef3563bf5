import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
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

  it('seeds the demo connection with its secret ARN, idempotently', async () => {
    const env = runtime.resources.functionEnv.webhook;

    const { Item } = await documents.send(new GetCommand({ TableName: env.CONNECTIONS_TABLE, Key: { connectionId: 'demo' } }));

    expect(Item).toMatchObject({
      connectionId: 'demo',
      businessId: 'demo',
      provider: 'twilio',
      status: 'active',
      displayNumber: number,
      providerNumberId: number,
      accountSid,
      secretArn: runtime.demo.secretArn,
      verified: false,
    });
    expect(runtime.demo.secretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:echo-test-[0-9a-f]{8}\/connections\/demo-/);
  });
});
