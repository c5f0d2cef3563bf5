import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { DynamoDbConversationReader } from '../../../lambdas/adapters/dynamodb-conversation-reader';
import { outboundDeduplicationId } from '../../../lambdas/adapters/sqs-outbound-queue';
import { conversationIdFor, newMessageId } from '../../../lambdas/domain/ids';
import type { InboundQueueMessage } from '../../../lambdas/domain/inbound-queue-message';
import { outboundMessageSchema, type OutboundMessage } from '../../../lambdas/domain/outbound/contract';
import { createAiDeps } from '../../../lambdas/handlers/ai/deps';
import { loadAiEnv } from '../../../lambdas/handlers/ai/env';
import { createAiHandler } from '../../../lambdas/handlers/ai/handler';
import { motoClientEnv } from '../../../local/moto';
import { provisionFromTemplates } from '../../../local/resources';
import { createSqsPoller } from '../../../local/sqs-poller';
import { silentPowertools } from '../../support/fakes';
import { synthesizedTemplates } from '../../support/templates';

jest.setTimeout(60_000);

const BUSINESS = 'acme';
const CONNECTION = 'conn1';

describe('AI Lambda against moto (demo responder)', () => {
  let env: Record<string, string>;
  let inboundUrl: string;
  let documents: DynamoDBDocumentClient;
  let sqs: SQSClient;
  let handler: ReturnType<typeof createAiHandler>;

  beforeAll(async () => {
    const endpoint = process.env.MOTO_ENDPOINT as string;
    Object.assign(process.env, motoClientEnv(endpoint));
    const { stateful, stateless } = synthesizedTemplates();
    const resources = await provisionFromTemplates({ stateful, stateless, endpoint, uniqueSuffix: true });
    env = { ...(resources.functionEnv.ai as Record<string, string>), RESPONDER: 'demo' };
    inboundUrl = (resources.functionEnv.webhook as Record<string, string>).INBOUND_QUEUE_URL as string;
    handler = createAiHandler({ ...createAiDeps(loadAiEnv(env)), ...silentPowertools() });
    documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    sqs = new SQSClient({});
  });
  afterAll(() => {
    documents?.destroy();
    sqs?.destroy();
  });

  /** Stores an inbound message as the webhook does and returns its queue message. */
  async function storedInbound(customer: string, text: string, at: Date): Promise<InboundQueueMessage> {
    const conversationId = conversationIdFor(CONNECTION, customer);
    const messageId = newMessageId(at);
    const content = { type: 'text', text };
    await documents.send(
      new PutCommand({
        TableName: env.MESSAGES_TABLE,
        Item: { conversationId, messageId, direction: 'inbound', type: 'text', content, businessId: BUSINESS, connectionId: CONNECTION, createdAt: at.toISOString(), receivedAt: at.toISOString() },
      }),
    );
    return {
      version: 1,
      kind: 'inbound.message',
      businessId: BUSINESS,
      connectionId: CONNECTION,
      conversationId,
      messageId,
      provider: 'twilio',
      externalId: `SM${messageId}`,
      receivedAt: at.toISOString(),
      customer: { id: customer, isPhoneNumber: true, profileName: 'Ana' },
      content,
    };
  }

  async function drain(url: string): Promise<Message[]> {
    const all: Message[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'] }),
      );
      if (Messages.length === 0) return all;
      all.push(...Messages);
      for (const m of Messages) await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  }

  it('takes an inbound queue message and puts the replies on the outbound queue, in the conversation group, with derived keys', async () => {
    // Prepare
    const message = await storedInbound('+5215511111111', 'Hola', new Date());
    await sqs.send(new SendMessageCommand({ QueueUrl: inboundUrl, MessageBody: JSON.stringify(message), MessageGroupId: message.conversationId, MessageDeduplicationId: message.messageId }));
    const poller = createSqsPoller({ sqs, queueUrl: inboundUrl, handler, waitTimeSeconds: 0 });

    // Act
    const polled = await poller.pollOnce();
    const outbound = await drain(env.OUTBOUND_QUEUE_URL as string);

    // Assess
    expect(polled).toEqual({ received: 1, failed: 0 });
    const bodies = outbound.map((m) => outboundMessageSchema.parse(JSON.parse(m.Body as string)) as OutboundMessage);
    expect(bodies.map((b) => [b.idempotencyKey, b.content.type])).toEqual([
      [`${message.messageId}:r0`, 'text'],
      [`${message.messageId}:r1`, 'buttons'],
    ]);
    expect(bodies.every((b) => b.conversationId === message.conversationId && b.businessId === BUSINESS && b.connectionId === CONNECTION)).toBe(true);
    expect(outbound.map((m) => m.Attributes?.MessageGroupId)).toEqual([message.conversationId, message.conversationId]);
    expect(outbound.map((m) => m.Attributes?.MessageDeduplicationId)).toEqual(bodies.map((b) => outboundDeduplicationId(BUSINESS, b.idempotencyKey)));
    expect(await drain(inboundUrl)).toEqual([]);
  });

  it('a retried invocation (same record delivered again) produces the same keys and deduplication ids, never new ones', async () => {
    // Prepare
    const message = await storedInbound('+5215522222222', 'Quiero pedir', new Date());
    const event: SQSEvent = {
      Records: [
        {
          messageId: 'm-1',
          receiptHandle: 'rh',
          body: JSON.stringify(message),
          attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0', MessageGroupId: message.conversationId },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:inbound.fifo',
          awsRegion: 'us-east-1',
        },
      ],
    };

    // Act
    await handler(event);
    await handler({ Records: [{ ...event.Records[0]!, attributes: { ...event.Records[0]!.attributes, ApproximateReceiveCount: '2' } }] });
    const outbound = await drain(env.OUTBOUND_QUEUE_URL as string);

    // Assess
    const keys = outbound.map((m) => (JSON.parse(m.Body as string) as OutboundMessage).idempotencyKey);
    const dedupIds = new Set(outbound.map((m) => m.Attributes?.MessageDeduplicationId));
    expect(new Set(keys)).toEqual(new Set([`${message.messageId}:r0`, `${message.messageId}:r1`]));
    expect(dedupIds.size).toBe(2);
  });

  it('understands a bare option number as the numbered option and clears the pending options', async () => {
    // Prepare
    const customer = '+5215533333333';
    const conversationId = conversationIdFor(CONNECTION, customer);
    const optionsAt = new Date(Date.now() - 60_000);
    const optionsMessageId = newMessageId(optionsAt);
    await documents.send(
      new PutCommand({
        TableName: env.CONVERSATIONS_TABLE,
        Item: {
          conversationId,
          businessId: BUSINESS,
          connectionId: CONNECTION,
          windowState: 'open',
          pendingOptions: { messageId: optionsMessageId, options: [{ n: 1, id: 'demo_yes', title: 'Sí' }, { n: 2, id: 'demo_no', title: 'No' }] },
        },
      }),
    );
    const message = await storedInbound(customer, ' 2. ', new Date());
    await sqs.send(new SendMessageCommand({ QueueUrl: inboundUrl, MessageBody: JSON.stringify(message), MessageGroupId: conversationId, MessageDeduplicationId: message.messageId }));

    // Act
    await createSqsPoller({ sqs, queueUrl: inboundUrl, handler, waitTimeSeconds: 0 }).pollOnce();
    const outbound = await drain(env.OUTBOUND_QUEUE_URL as string);
    const conversation = (await documents.send(new GetCommand({ TableName: env.CONVERSATIONS_TABLE, Key: { conversationId }, ConsistentRead: true }))).Item;

    // Assess: "2" was the demo's "No" button, which the demo answers with one closing text
    const bodies = outbound.map((m) => JSON.parse(m.Body as string) as OutboundMessage);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]?.content).toEqual({ type: 'text', text: expect.stringContaining('Gracias') });
    expect(conversation?.pendingOptions).toBeUndefined();
    expect(conversation?.windowState).toBe('open');
  });

  it('reads only the messages before the one answered, newest N, oldest first', async () => {
    // Prepare
    const customer = '+5215544444444';
    const conversationId = conversationIdFor(CONNECTION, customer);
    const base = Date.now() - 10 * 60_000;
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const at = new Date(base + i * 1000);
      const messageId = newMessageId(at);
      ids.push(messageId);
      await documents.send(
        new PutCommand({
          TableName: env.MESSAGES_TABLE,
          Item: { conversationId, messageId, direction: i % 2 ? 'outbound' : 'inbound', type: 'text', content: { type: 'text', text: `m${i}` }, createdAt: at.toISOString() },
        }),
      );
    }
    const reader = new DynamoDbConversationReader(documents, { conversations: env.CONVERSATIONS_TABLE as string, messages: env.MESSAGES_TABLE as string });

    // Act
    const history = await reader.historyBefore(conversationId, ids[4] as string, 3);

    // Assess
    expect(history.map((h) => [h.direction, h.content.text])).toEqual([
      ['outbound', 'm1'],
      ['inbound', 'm2'],
      ['outbound', 'm3'],
    ]);
    expect(history[0]).toEqual(expect.objectContaining({ messageId: ids[1], type: 'text', at: expect.any(String) }));
  });

  it('leaves newer pending options in place when clearing older ones', async () => {
    // Prepare
    const conversationId = conversationIdFor(CONNECTION, '+5215555555555');
    const newer = newMessageId(new Date());
    await documents.send(
      new PutCommand({ TableName: env.CONVERSATIONS_TABLE, Item: { conversationId, pendingOptions: { messageId: newer, options: [{ n: 1, id: 'a', title: 'A' }] } } }),
    );
    const reader = new DynamoDbConversationReader(documents, { conversations: env.CONVERSATIONS_TABLE as string, messages: env.MESSAGES_TABLE as string });

    // Act
    const cleared = await reader.clearPendingOptions(conversationId, 'OLDER');
    const snapshot = await reader.get(conversationId);

    // Assess
    expect(cleared).toBe(false);
    expect(snapshot?.pendingOptions?.messageId).toBe(newer);
  });
});
