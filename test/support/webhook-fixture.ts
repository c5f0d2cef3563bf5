import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createWebhookDeps } from '../../lambdas/handlers/webhook/deps';
import { loadWebhookEnv } from '../../lambdas/handlers/webhook/env';
import { createWebhookHandler, type WebhookDeps } from '../../lambdas/handlers/webhook/handler';
import { motoClientEnv } from '../../local/moto';
import { provisionFromTemplates, type ProvisionedResources } from '../../local/resources';
import { seedDemo } from '../../local/seed';
import { synthesizedTemplates } from './templates';
import { inboundTextFields, signedTwilioEvent, statusFields } from './twilio-webhook';
import { captureProcessOutput } from './capture-output';

export interface WebhookFixture {
  endpoint: string;
  resources: ProvisionedResources;
  env: Record<string, string>;
  deps: WebhookDeps;
  invoke(event: APIGatewayProxyEventV2): ReturnType<ReturnType<typeof createWebhookHandler>>;
  connectionId: string;
  businessId: string;
  accountSid: string;
  authToken: string;
  number: string;
  path: string;
  documents: DynamoDBDocumentClient;
  sqs: SQSClient;
  /** Log lines the handler wrote while the fixture was alive. */
  logLines: string[];
  inboundEvent(fields?: Partial<Parameters<typeof inboundTextFields>[0]>): { event: APIGatewayProxyEventV2; fields: Record<string, string> };
  statusEvent(key: { conversationId: string; messageId: string }, messageSid: string, status: string, errorCode?: string): APIGatewayProxyEventV2;
  messagesOf(conversationId: string): Promise<Record<string, unknown>[]>;
  messagesWithExternalId(externalId: string): Promise<Record<string, unknown>[]>;
  conversation(conversationId: string): Promise<Record<string, unknown> | undefined>;
  /** Receives (and deletes) everything currently on the inbound queue. */
  drainInboundQueue(): Promise<Message[]>;
  /** Puts an outbound message item as the send Lambda records it before calling the BSP. */
  putOutboundMessage(conversationId: string, messageId: string, externalId?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Provisions the stack's tables, queues and bus in the shared moto server (from the synthesized
 * templates, with a unique prefix), seeds one connection, and builds the real webhook handler with
 * its real dependencies pointed at moto.
 */
export async function createWebhookFixture(options: { configure?: (env: Record<string, string>) => void } = {}): Promise<WebhookFixture> {
  const endpoint = process.env.MOTO_ENDPOINT;
  if (!endpoint) throw new Error('MOTO_ENDPOINT is not set: run integration tests through jest --selectProjects integration');
  Object.assign(process.env, motoClientEnv(endpoint));
  const { stateful, stateless } = synthesizedTemplates();
  const resources = await provisionFromTemplates({ stateful, stateless, endpoint, uniqueSuffix: true });
  const env: Record<string, string> = { ...resources.functionEnv.webhook, CONNECTION_CACHE_TTL_SECONDS: '0' };
  options.configure?.(env);

  const suffix = randomBytes(4).toString('hex');
  const connectionId = `conn${suffix}`;
  const businessId = `biz${suffix}`;
  const accountSid = `AC${randomBytes(16).toString('hex')}`;
  const authToken = randomBytes(16).toString('hex');
  const number = '+14155238886';
  await seedDemo({
    endpoint,
    region: resources.region,
    connectionsTable: env.CONNECTIONS_TABLE,
    accountSid,
    authToken,
    whatsappNumber: number,
    secretPrefix: 'echo-whatsapp',
    connectionId,
    businessId,
  });

  const output = captureProcessOutput();
  const logLines = output.lines;

  const deps = createWebhookDeps(loadWebhookEnv(env));
  const handler = createWebhookHandler(deps);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const sqs = new SQSClient({});
  const path = `/webhook/whatsapp/twilio/${connectionId}`;

  const fixture: WebhookFixture = {
    endpoint,
    resources,
    env,
    deps,
    invoke: (event) => handler(event),
    connectionId,
    businessId,
    accountSid,
    authToken,
    number,
    path,
    documents,
    sqs,
    logLines,
    inboundEvent(overrides = {}) {
      const fields = inboundTextFields({ accountSid, to: number, ...overrides });
      return { fields, event: signedTwilioEvent({ path, fields, authToken }) };
    },
    statusEvent(key, messageSid, status, errorCode) {
      const fields = statusFields({ accountSid, messageSid, status, from: number, errorCode });
      return signedTwilioEvent({
        path: `${path}/status`,
        rawQueryString: `c=${key.conversationId}&m=${key.messageId}`,
        fields,
        authToken,
      });
    },
    async messagesOf(conversationId) {
      const result = await documents.send(
        new QueryCommand({
          TableName: env.MESSAGES_TABLE,
          KeyConditionExpression: 'conversationId = :c',
          ExpressionAttributeValues: { ':c': conversationId },
          ConsistentRead: true,
        }),
      );
      return result.Items ?? [];
    },
    async messagesWithExternalId(externalId) {
      const result = await documents.send(
        new ScanCommand({
          TableName: env.MESSAGES_TABLE,
          FilterExpression: 'externalId = :x',
          ExpressionAttributeValues: { ':x': externalId },
        }),
      );
      return result.Items ?? [];
    },
    async conversation(conversationId) {
      const result = await documents.send(
        new GetCommand({ TableName: env.CONVERSATIONS_TABLE, Key: { conversationId }, ConsistentRead: true }),
      );
      return result.Item;
    },
    async drainInboundQueue() {
      const all: Message[] = [];
      for (;;) {
        const batch = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: env.INBOUND_QUEUE_URL,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
          }),
        );
        const messages = batch.Messages ?? [];
        if (messages.length === 0) return all;
        all.push(...messages);
        for (const message of messages) {
          await sqs.send(new DeleteMessageCommand({ QueueUrl: env.INBOUND_QUEUE_URL, ReceiptHandle: message.ReceiptHandle }));
        }
      }
    },
    async putOutboundMessage(conversationId, messageId, externalId) {
      await documents.send(
        new PutCommand({
          TableName: env.MESSAGES_TABLE,
          Item: {
            conversationId,
            messageId,
            connectionId,
            businessId,
            direction: 'outbound',
            provider: 'twilio',
            deliveryStatus: 'queued',
            deliveryStatusRank: 10,
            ...(externalId !== undefined && { externalId }),
          },
        }),
      );
    },
    async close() {
      output.restore();
      documents.destroy();
      sqs.destroy();
    },
  };
  return fixture;
}
