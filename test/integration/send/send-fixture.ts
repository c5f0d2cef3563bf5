import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent, Context } from 'aws-lambda';
import { DynamoDbOutboundStore } from '../../../lambdas/adapters/dynamodb-outbound-store';
import { DynamoDbTemplateRegistry } from '../../../lambdas/adapters/dynamodb-template-registry';
import { SqsOutboundQueue } from '../../../lambdas/adapters/sqs-outbound-queue';
import type { DomainEvent } from '../../../lambdas/domain/events';
import { conversationIdFor } from '../../../lambdas/domain/ids';
import type { OutboundMessage } from '../../../lambdas/domain/outbound/contract';
import { createSendDeps } from '../../../lambdas/handlers/send/deps';
import { loadSendEnv } from '../../../lambdas/handlers/send/env';
import { createSendHandler, type SendHandlerDeps } from '../../../lambdas/handlers/send/handler';
import { startGateway, type Gateway } from '../../../local/gateway';
import { createSqsPoller, type SqsPoller } from '../../../local/sqs-poller';
import type { TwilioSimulator } from '../../../local/twilio-simulator';
import { createWebhookFixture, type WebhookFixture } from '../../support/webhook-fixture';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The simulator is another engineer's work in progress: these tests need its entry point. */
export const SIMULATOR_ENTRY = join(__dirname, '..', '..', '..', 'local', 'twilio-simulator', 'index.ts');

/** Waits (a while) for the simulator's entry point, and fails clearly if it never appears. */
export async function requireSimulator(timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(SIMULATOR_ENTRY)) {
    if (Date.now() > deadline) throw new Error(`the Twilio simulator is missing: ${SIMULATOR_ENTRY}`);
    await sleep(1_000);
  }
}

export interface SendFixture {
  fx: WebhookFixture;
  simulator: TwilioSimulator;
  gateway: Gateway;
  /** The outbound queue of this fixture (its own, with `maxReceiveCount`). */
  queueUrl: string;
  dlqUrl: string;
  deps: SendHandlerDeps;
  handler: (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;
  poller: SqsPoller;
  store: DynamoDbOutboundStore;
  templates: DynamoDbTemplateRegistry;
  queue: SqsOutboundQueue;
  /** Every event the send Lambda and the webhook published. */
  events: DomainEvent[];
  conversationOf(customer: string): string;
  /** A conversation whose customer last wrote `hoursAgo` hours ago (24+ = window closed). */
  putConversation(customer: string, hoursAgo: number): Promise<string>;
  enqueue(message: Omit<OutboundMessage, 'version' | 'businessId'> & { businessId?: string }): Promise<void>;
  /** Polls the outbound queue until `done()` holds (checked when the queue is momentarily empty). */
  drain(done: () => Promise<boolean> | boolean, timeoutMs?: number): Promise<{ batches: number; failedRecords: number }>;
  deadLetters(): Promise<Message[]>;
  /** Messages on the outbound queue, visible or in flight. */
  queueDepth(): Promise<number>;
  close(): Promise<void>;
}

export interface SendFixtureOptions {
  maxReceiveCount?: number;
  /** Handler env overrides (e.g. backoff). */
  env?: Record<string, string>;
}

/**
 * The send path end to end, in-process: the real send handler (real adapters against moto, the
 * Twilio sender against the local simulator), driven by the local SQS poller, with the real webhook
 * behind a local gateway so that the simulator's signed status callbacks land where they would in
 * AWS. The outbound queue is the fixture's own, so a test can choose `maxReceiveCount`.
 */
export async function createSendFixture(options: SendFixtureOptions = {}): Promise<SendFixture> {
  const { startTwilioSimulator } = (await import('../../../local/twilio-simulator')) as typeof import('../../../local/twilio-simulator');
  const maxReceiveCount = options.maxReceiveCount ?? 5;
  const suffix = randomBytes(4).toString('hex');

  let queueUrl = '';
  let dlqUrl = '';
  const fx = await createWebhookFixture();
  const createQueue = async (name: string, attributes: Record<string, string>) =>
    (await fx.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { FifoQueue: 'true', ...attributes } }))).QueueUrl!;
  dlqUrl = await createQueue(`send-dlq-${suffix}.fifo`, {});
  const dlqArn = (await fx.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
  queueUrl = await createQueue(`send-${suffix}.fifo`, {
    VisibilityTimeout: '180',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
  });
  // The webhook's status fallbacks go to this fixture's queue too.
  fx.deps.statusFallback &&= { ...fx.deps.statusFallback, queue: new SqsOutboundQueue(fx.sqs, queueUrl) };

  const simulator = await startTwilioSimulator({
    accounts: { [fx.accountSid]: fx.authToken },
    callbackDelaysMs: { sent: 50, delivered: 100, read: 150 },
    faults: { retryAfterSeconds: 0 },
  });
  const gateway = await startGateway({
    port: 0,
    log: () => undefined,
    routes: ['POST /webhook/whatsapp/twilio/{connectionId}', 'POST /webhook/whatsapp/twilio/{connectionId}/status'].map((routeKey) => ({
      routeKey,
      functionName: 'webhook',
      handler: (event) => fx.invoke(event),
      timeoutSeconds: 10,
    })),
  });

  const env = loadSendEnv({
    ...fx.resources.functionEnv.send,
    OUTBOUND_QUEUE_URL: queueUrl,
    WEBHOOK_BASE_URL: gateway.url,
    TWILIO_API_BASE_URL: simulator.url,
    TWILIO_CONTENT_BASE_URL: simulator.url,
    MAX_RECEIVE_COUNT: String(maxReceiveCount),
    SEND_TIMEOUT_MS: '5000',
    SEND_BACKOFF_BASE_MS: '200',
    SEND_BACKOFF_CAP_MS: '1000',
    // The simulator lists a message the moment it accepts it: ask its list at once.
    SEND_LOOKUP_AFTER_MS: '0',
    SEND_RESOLVE_DELAY_MS: '1000',
    CONNECTION_CACHE_TTL_SECONDS: '0',
    ...options.env,
  });
  const deps = createSendDeps(env);
  const events: DomainEvent[] = [];
  const record = (publisher: { publish(events: DomainEvent[]): Promise<void> }) => ({
    publish: async (batch: DomainEvent[]) => {
      events.push(...batch);
      await publisher.publish(batch);
    },
  });
  deps.send.events = record(deps.send.events);
  fx.deps.events = record(fx.deps.events);
  const handler = createSendHandler(deps);
  const poller = createSqsPoller({ sqs: fx.sqs, queueUrl, handler, waitTimeSeconds: 0, functionName: 'send' });
  const store = new DynamoDbOutboundStore(fx.documents, {
    messages: env.MESSAGES_TABLE,
    dedupe: env.DEDUPE_TABLE,
    conversations: env.CONVERSATIONS_TABLE,
    connections: env.CONNECTIONS_TABLE,
  });
  const templates = new DynamoDbTemplateRegistry(fx.documents, env.TEMPLATES_TABLE);
  const queue = new SqsOutboundQueue(fx.sqs, queueUrl);
  const conversationOf = (customer: string) => conversationIdFor(fx.connectionId, customer);

  return {
    fx,
    simulator,
    gateway,
    queueUrl,
    dlqUrl,
    deps,
    handler,
    poller,
    store,
    templates,
    queue,
    events,
    conversationOf,
    async putConversation(customer, hoursAgo) {
      const conversationId = conversationOf(customer);
      const last = new Date(Date.now() - hoursAgo * 3_600_000).toISOString();
      await fx.documents.send(
        new PutCommand({
          TableName: env.CONVERSATIONS_TABLE,
          Item: {
            conversationId,
            businessId: fx.businessId,
            connectionId: fx.connectionId,
            provider: 'twilio',
            customerId: customer,
            customerIsPhoneNumber: true,
            lastCustomerMessageAt: last,
            lastMessageAt: last,
            createdAt: last,
          },
        }),
      );
      return conversationId;
    },
    async enqueue(message) {
      const full = { version: 1, businessId: fx.businessId, ...message } as OutboundMessage;
      const groupId = full.conversationId ?? conversationOf(full.to!);
      await queue.enqueue(full, groupId);
    },
    async drain(done, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let batches = 0;
      let failedRecords = 0;
      for (;;) {
        const { received, failed } = await poller.pollOnce();
        if (received > 0) {
          batches++;
          failedRecords += failed;
          continue;
        }
        if (await done()) return { batches, failedRecords };
        if (Date.now() > deadline) throw new Error(`drain timed out after ${batches} batches`);
        await sleep(100);
      }
    },
    async queueDepth() {
      const attributes = await fx.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    },
    async deadLetters() {
      const result = await fx.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      return result.Messages ?? [];
    },
    async close() {
      await poller.stop();
      await simulator.stop();
      await gateway.stop();
      await fx.close();
    },
  };
}
