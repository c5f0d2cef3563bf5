/**
 * The webhook contract every BSP must pass, through the real webhook handler with its real DynamoDB
 * and SQS adapters against moto. One suite, one adapter per provider: the adapter only knows how its
 * BSP builds a request (signed inbound messages, statuses, forgeries, requests for another number);
 * every assertion is the same for all of them.
 *
 * Requests are built independently of the code under test: Twilio's with `test/support/twilio-webhook`
 * (its documented HMAC-SHA1), Meta's and 360dialog's with the local Cloud API simulator's builders
 * (Meta's `\uXXXX` body encoding and `X-Hub-Signature-256`; 360dialog's registered header).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DynamoDbOutboundStore } from '../../lambdas/adapters/dynamodb-outbound-store';
import { SqsInboundQueue } from '../../lambdas/adapters/sqs-inbound-queue';
import { encodeMessageKey, type MessageKey } from '../../lambdas/domain/bsp';
import { DELIVERY_STATUS_RANK } from '../../lambdas/domain/delivery-status';
import { conversationIdFor, newMessageId } from '../../lambdas/domain/ids';
import type { InboundQueueMessage } from '../../lambdas/domain/inbound-queue-message';
import type { InboundQueue, InboundRecord, MessageStore, StatusChange } from '../../lambdas/domain/ports';
import { PROVIDERS, PROVIDER_PROFILES, webhookPath, type ProviderName } from '../../lambdas/domain/providers';
import { DependencyUnavailableError } from '../../lambdas/shared/errors';
import { dialog360WebhookRequest, inboundPayload, metaWebhookRequest, type WebhookHttpRequest } from '../../local/cloud-api-simulator/inbound';
import {
  changeValue,
  envelope,
  statusObject,
  statusPayload,
  type CloudStatus,
  type CloudWebhookPayload,
  type StatusInput,
  type WebhookNumber,
} from '../../local/cloud-api-simulator/payloads';
import { RecordingEvents } from '../support/fakes';
import { httpApiEvent } from '../support/http-api-event';
import { inboundTextFields, randomSid, signedTwilioEvent, statusFields } from '../support/twilio-webhook';
import { createWebhookFixture, type WebhookFixture } from '../support/webhook-fixture';

jest.setTimeout(60_000);

/** One customer message, as the contract states it; each adapter puts it in its BSP's shape. */
interface CustomerMessage {
  /** E.164. */
  from: string;
  text: string;
}

type Status = 'sent' | 'delivered' | 'read' | 'failed';

interface StatusSpec {
  externalId: string;
  status: Status;
  /** Our key, echoed by the BSP (Twilio's callback URL, Cloud API's `biz_opaque_callback_data`); absent → found by the BSP's id. */
  key?: MessageKey;
  errorCode?: string;
  pricingCategory?: string;
}

interface ProviderAdapter {
  connectionId: string;
  businessId: string;
  /** The requests that carry these messages, in order (Twilio: one per message; Cloud API: one), and each message's BSP id. */
  inbound(messages: CustomerMessage[]): { requests: APIGatewayProxyEventV2[]; externalIds: string[] };
  status(spec: StatusSpec): APIGatewayProxyEventV2;
  /** Several statuses as the BSP delivers them together: one request each (Twilio) or one batched request (Cloud API). */
  statuses(specs: StatusSpec[]): APIGatewayProxyEventV2[];
  /** Requests with a bad signature or secret, by what is wrong with them. */
  forged(message: CustomerMessage): Record<string, APIGatewayProxyEventV2>;
  /** Correctly authenticated requests for another account or number, by what is foreign. */
  foreign(message: CustomerMessage): Record<string, APIGatewayProxyEventV2>;
  /** A GET on the connection's inbound path with this query. */
  get(query: Record<string, string>): APIGatewayProxyEventV2;
  /** Meta's verify token; undefined for BSPs without a handshake. */
  verifyToken?: string;
  /** What the BSP expects back once everything is stored. */
  ack: { contentType: string; body: RegExp };
  /** A BSP id for a message we send. */
  newOutboundId(): string;
  /** A failure code the BSP's table calls permanent (no fallback). */
  permanentFailureCode: string;
}

/** What each BSP can carry, known when the suite is defined. */
const CAPABILITIES: Record<ProviderName, { batches: boolean; pricing: boolean }> = {
  twilio: { batches: false, pricing: false },
  meta: { batches: true, pricing: true },
  '360dialog': { batches: true, pricing: true },
};

const newCustomer = () => `+52155${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
const randomDigits = (length: number) => `${randomInt(1, 10)}${Array.from({ length: length - 1 }, () => randomInt(0, 10)).join('')}`;

const textOf = (message: { content?: unknown }) => (message.content as { text: string }).text;

function queued(messages: Message[]): Array<{ group: string | undefined; body: InboundQueueMessage }> {
  return messages.map((message) => ({ group: message.Attributes?.MessageGroupId, body: JSON.parse(message.Body!) as InboundQueueMessage }));
}

/** JSON with sorted keys, so that two reads of the same items compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Set) return `set(${[...value].map(canonical).sort().join(',')})`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The deployment's message store, failing like an unreachable DynamoDB on the first write that
 * `failOn` picks: one message (`recordInbound`) or one batch transaction (`recordInboundBatch`).
 */
class FailingStore implements MessageStore {
  failed?: InboundRecord[];
  constructor(
    private readonly real: MessageStore,
    private readonly failOn: (records: InboundRecord[]) => boolean,
  ) {}
  private outage(records: InboundRecord[]): void {
    if (this.failed || !this.failOn(records)) return;
    this.failed = records;
    throw new DependencyUnavailableError('DynamoDB TransactWriteItems failed (injected)');
  }
  async recordInbound(record: InboundRecord) {
    this.outage([record]);
    return this.real.recordInbound(record);
  }
  async recordInboundBatch(records: InboundRecord[]) {
    this.outage(records);
    return this.real.recordInboundBatch(records);
  }
  applyStatus(change: StatusChange) {
    return this.real.applyStatus(change);
  }
}

/** The real inbound queue adapter on an SQS client whose `nth` call of `command` fails like a network outage. */
function queueFailingOn(queueUrl: string, command: 'SendMessageCommand' | 'SendMessageBatchCommand', nth: number): { queue: InboundQueue; client: SQSClient } {
  const client = new SQSClient({});
  let calls = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === command && ++calls === nth) throw new DependencyUnavailableError(`SQS ${command} failed (injected)`);
      return next(args);
    },
    { step: 'initialize', name: 'injectedOutage' },
  );
  return { queue: new SqsInboundQueue(client, queueUrl), client };
}

describe('every provider through the real webhook handler (against moto)', () => {
  let fx: WebhookFixture;
  let outbound: DynamoDbOutboundStore;
  let dynamodb: DynamoDBClient;
  let events: RecordingEvents;
  const adapters = {} as Record<ProviderName, ProviderAdapter>;

  beforeAll(async () => {
    // Connections do not change during the suite: a warm container's cache saves a read per request.
    fx = await createWebhookFixture({ configure: (env) => (env.CONNECTION_CACHE_TTL_SECONDS = '300') });
    dynamodb = new DynamoDBClient({});
    // Events are not part of this contract (the outbox owns them); in memory, they cost no moto call
    // and show what a rejected request published: nothing.
    events = new RecordingEvents();
    fx.deps.events = events;
    outbound = new DynamoDbOutboundStore(fx.documents, {
      messages: fx.env.MESSAGES_TABLE,
      dedupe: fx.env.DEDUPE_TABLE,
      conversations: fx.env.CONVERSATIONS_TABLE,
    });
    adapters.twilio = twilioAdapter(fx);
    const secrets = new SecretsManagerClient({});
    try {
      adapters.meta = await metaAdapter(fx, secrets);
      adapters['360dialog'] = await dialog360Adapter(fx, secrets);
    } finally {
      secrets.destroy();
    }
  });
  afterAll(async () => {
    dynamodb?.destroy();
    await fx?.close();
  });
  // Every test starts with an empty queue, whatever an earlier failure left behind.
  beforeEach(async () => {
    await drain();
  });

  const invoke = (event: APIGatewayProxyEventV2) => fx.invoke(structuredClone(event));
  async function invokeAll(events: APIGatewayProxyEventV2[]): Promise<number[]> {
    const codes: number[] = [];
    // In order: a BSP posts one request after the other.
    for (const event of events) codes.push((await invoke(event)).statusCode ?? 0);
    return codes;
  }

  /** Receives and deletes everything on the inbound queue, in the order SQS hands it out. */
  async function drain(): Promise<Message[]> {
    const all: Message[] = [];
    for (;;) {
      const batch = await fx.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: fx.env.INBOUND_QUEUE_URL, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['MessageGroupId'] }),
      );
      const messages = batch.Messages ?? [];
      if (messages.length === 0) return all;
      all.push(...messages);
      await fx.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: fx.env.INBOUND_QUEUE_URL, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }),
      );
    }
  }

  /** How many messages wait on the inbound queue, without receiving them (a receive would end moto's deduplication). */
  async function visibleMessages(): Promise<number> {
    const { Attributes } = await fx.sqs.send(new GetQueueAttributesCommand({ QueueUrl: fx.env.INBOUND_QUEUE_URL, AttributeNames: ['ApproximateNumberOfMessages'] }));
    return Number(Attributes?.ApproximateNumberOfMessages);
  }

  /** Every message stored once and enqueued once, each customer's in the order given (table and queue agree). */
  async function expectEachOnceInOrder(provider: ProviderName, texts: Map<string, string[]>, externalIds: string[]): Promise<void> {
    const adapter = adapters[provider];
    const sent = queued(await drain());
    expect(sent.map((m) => m.body.externalId).sort()).toEqual([...externalIds].sort());
    for (const [customer, list] of texts) {
      const conversationId = conversationIdFor(adapter.connectionId, customer);
      const stored = await fx.messagesOf(conversationId);
      expect(stored.map(textOf)).toEqual(list);
      const group = sent.filter((m) => m.body.customer.id === customer);
      expect(group.map((m) => textOf(m.body))).toEqual(list);
      expect(group.map((m) => m.body.messageId)).toEqual(stored.map((m) => m.messageId));
      expect(new Set(group.map((m) => m.group))).toEqual(new Set([conversationId]));
    }
  }

  /**
   * What "nothing written" is compared with: the item count of every table (any item created or
   * deleted anywhere) and, exactly, every item the request could have changed: the customers'
   * conversations and their messages, the messages named by key, and the connection itself. (A
   * full scan of every table says the same but costs seconds on moto as the tables grow.)
   */
  async function footprint(provider: ProviderName, scope: { customers?: string[]; keys?: MessageKey[] } = {}): Promise<Record<string, unknown>> {
    const adapter = adapters[provider];
    const names = [fx.env.MESSAGES_TABLE, fx.env.CONVERSATIONS_TABLE, fx.env.DEDUPE_TABLE, fx.env.CONNECTIONS_TABLE];
    const get = async (table: string, key: Record<string, string>) =>
      canonical((await fx.documents.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item ?? null);
    const [counts, conversations, keyed, connection] = await Promise.all([
      Promise.all(names.map(async (table) => (await dynamodb.send(new DescribeTableCommand({ TableName: table }))).Table?.ItemCount)),
      Promise.all(
        (scope.customers ?? []).map(async (customer) => {
          const conversationId = conversationIdFor(adapter.connectionId, customer);
          return [await get(fx.env.CONVERSATIONS_TABLE, { conversationId }), (await fx.messagesOf(conversationId)).map(canonical)];
        }),
      ),
      Promise.all((scope.keys ?? []).map((key) => get(fx.env.MESSAGES_TABLE, { ...key }))),
      get(fx.env.CONNECTIONS_TABLE, { connectionId: adapter.connectionId }),
    ]);
    return { counts: Object.fromEntries(names.map((table, i) => [table, counts[i]])), conversations, keyed, connection };
  }

  async function message(key: MessageKey): Promise<Record<string, unknown> | undefined> {
    const result = await fx.documents.send(new GetCommand({ TableName: fx.env.MESSAGES_TABLE, Key: key, ConsistentRead: true }));
    return result.Item;
  }

  /** An outbound message recorded and accepted the way the send Lambda does it (so the BSP-id mapping exists). */
  async function sentMessage(adapter: ProviderAdapter, provider: ProviderName): Promise<{ key: MessageKey; externalId: string }> {
    const now = new Date();
    const customer = newCustomer();
    const key = { conversationId: conversationIdFor(adapter.connectionId, customer), messageId: newMessageId(now) };
    const externalId = adapter.newOutboundId();
    const idempotencyKey = `contract-${randomBytes(6).toString('hex')}`;
    await outbound.record({
      dedupeKey: `outbound#${adapter.businessId}#${idempotencyKey}`,
      dedupeExpiresAt: new Date(now.getTime() + 86_400_000),
      messages: [
        {
          ...key,
          direction: 'outbound',
          businessId: adapter.businessId,
          connectionId: adapter.connectionId,
          provider,
          customerId: customer,
          idempotencyKey,
          content: { type: 'text', text: 'Su pedido está listo' },
          type: 'text',
          deliveryStatus: 'queued',
          deliveryStatusRank: DELIVERY_STATUS_RANK.queued,
          sendState: 'pending',
          attempts: 0,
          createdAt: now.toISOString(),
          updatedAt: now.toISOString(),
        },
      ],
    });
    expect(await outbound.claim(key, now, new Date(now.getTime() + 60_000))).toBe(true);
    await outbound.markAccepted(key, externalId, 'accepted', now, provider);
    return { key, externalId };
  }

  describe.each(PROVIDERS)('%s', (provider) => {
    let adapter: ProviderAdapter;
    beforeAll(() => {
      adapter = adapters[provider];
    });
    const conversationOf = (customer: string) => conversationIdFor(adapter.connectionId, customer);

    describe('inbound messages', () => {
      it('stores a message once and enqueues it once; the same request again answers 200 and doubles nothing', async () => {
        // Prepare
        const customer = newCustomer();
        const text = 'Hola, ¿mañana abren a las 9? 🌮 <3 50% @tienda';
        const { requests, externalIds } = adapter.inbound([{ from: customer, text }]);

        // Act
        const first = await invoke(requests[0]!);
        const afterFirst = await footprint(provider, { customers: [customer] });
        const replay = await invoke(requests[0]!);
        const afterReplay = await footprint(provider, { customers: [customer] });

        // Assess
        expect(first.statusCode).toBe(200);
        expect(first.headers?.['content-type']).toBe(adapter.ack.contentType);
        expect(first.body).toMatch(adapter.ack.body);
        expect(replay.statusCode).toBe(200);
        expect(afterReplay).toEqual(afterFirst);
        const stored = await fx.messagesOf(conversationOf(customer));
        expect(stored).toEqual([
          expect.objectContaining({
            direction: 'inbound',
            provider,
            externalId: externalIds[0],
            connectionId: adapter.connectionId,
            businessId: adapter.businessId,
            content: { type: 'text', text },
            customerId: customer,
          }),
        ]);
        expect(await fx.conversation(conversationOf(customer))).toMatchObject({ customerId: customer, windowState: 'open' });
        const sent = queued(await drain());
        expect(sent).toEqual([
          {
            group: conversationOf(customer),
            body: expect.objectContaining({ provider, externalId: externalIds[0], messageId: stored[0]!.messageId, content: { type: 'text', text } }),
          },
        ]);
      });

      it('stores messages of several customers in one go, each customer in order; the same again doubles nothing', async () => {
        // Prepare
        const customers = [newCustomer(), newCustomer(), newCustomer()];
        const textsOf = (c: number) => [0, 1].map((n) => `cliente ${c} mensaje ${n}`);
        const messages = [0, 1].flatMap((n) => customers.map((from, c) => ({ from, text: textsOf(c)[n]! })));
        const { requests, externalIds } = adapter.inbound(messages);

        // Act
        const codes = await invokeAll(requests);
        const afterFirst = await footprint(provider, { customers });
        const codesAgain = await invokeAll(requests);
        const afterReplay = await footprint(provider, { customers });

        // Assess
        expect([...codes, ...codesAgain]).toEqual([...requests, ...requests].map(() => 200));
        expect(afterReplay).toEqual(afterFirst);
        const sent = queued(await drain());
        expect(sent.map((m) => m.body.externalId).sort()).toEqual([...externalIds].sort());
        for (const [c, customer] of customers.entries()) {
          const stored = await fx.messagesOf(conversationOf(customer));
          expect(stored.map(textOf)).toEqual(textsOf(c));
          const group = sent.filter((m) => m.body.customer.id === customer);
          expect(group.map((m) => textOf(m.body))).toEqual(textsOf(c));
          expect(group.map((m) => m.body.messageId)).toEqual(stored.map((m) => m.messageId));
          expect(new Set(group.map((m) => m.group))).toEqual(new Set([conversationOf(customer)]));
        }
      });

      if (CAPABILITIES[provider].batches) {
        it('answers 5xx when the store fails for part of a batch, never stores a later part of a conversation first, and the retried batch stores each message once, in order', async () => {
          // Prepare: A's 50 messages need two transactions (49 + 1), B's a third. A's first one fails.
          const [a, b] = [newCustomer(), newCustomer()];
          const texts = new Map([
            [a, Array.from({ length: 50 }, (_, n) => `a${n}`)],
            [b, ['b0', 'b1']],
          ]);
          const messages = [...texts].flatMap(([from, list]) => list.map((text) => ({ from, text })));
          const { requests, externalIds } = adapter.inbound(messages);
          expect(requests).toHaveLength(1);
          const realStore = fx.deps.store;
          const store = new FailingStore(realStore, (records) => records.some((record) => record.message.customer.id === a));
          fx.deps.store = store;

          // Act
          let failed;
          try {
            failed = await invoke(requests[0]!);
          } finally {
            fx.deps.store = realStore;
          }
          const storedAfterFailure = await Promise.all([a, b].map(async (customer) => (await fx.messagesOf(conversationOf(customer))).map(textOf)));
          const retried = await invoke(requests[0]!);

          // Assess
          expect(failed.statusCode).toBeGreaterThanOrEqual(500);
          expect(store.failed?.map((record) => record.message.content)).toEqual(texts.get(a)!.slice(0, 49).map((text) => ({ type: 'text', text })));
          expect(storedAfterFailure).toEqual([[], texts.get(b)]);
          expect(retried.statusCode).toBe(200);
          await expectEachOnceInOrder(provider, texts, externalIds);
        });

        it('answers 5xx when the queue fails part-way through a batch, and the retried batch enqueues each message once, in order', async () => {
          // Prepare: 11 messages go to SQS 10 at a time; the second SendMessageBatch fails.
          const customers = [newCustomer(), newCustomer(), newCustomer()];
          const texts = new Map(customers.map((customer, i) => [customer, [0, 1, 2, 3].slice(0, i === 2 ? 3 : 4).map((n) => `c${i} m${n}`)]));
          const messages = [0, 1, 2, 3].flatMap((n) => customers.flatMap((from) => (texts.get(from)![n] ? [{ from, text: texts.get(from)![n]! }] : [])));
          const { requests, externalIds } = adapter.inbound(messages);
          const realQueue = fx.deps.queue;
          const failing = queueFailingOn(fx.env.INBOUND_QUEUE_URL, 'SendMessageBatchCommand', 2);
          fx.deps.queue = failing.queue;

          // Act
          let failed;
          try {
            failed = await invoke(requests[0]!);
          } finally {
            fx.deps.queue = realQueue;
            failing.client.destroy();
          }
          const storedAfterFailure = (await Promise.all(customers.map((customer) => fx.messagesOf(conversationOf(customer))))).flat();
          const queuedAfterFailure = await visibleMessages();
          const retried = await invoke(requests[0]!);

          // Assess
          expect(failed.statusCode).toBeGreaterThanOrEqual(500);
          expect(storedAfterFailure).toHaveLength(11);
          expect(queuedAfterFailure).toBe(10);
          expect(retried.statusCode).toBe(200);
          await expectEachOnceInOrder(provider, texts, externalIds);
        });
      } else {
        it.each([
          ['the store', 'store'],
          ['the queue', 'queue'],
        ] as const)('answers 5xx when %s fails; the same request again stores and enqueues the message once', async (_name, failing) => {
          // Prepare: one message per request is all this BSP carries
          const customer = newCustomer();
          const { requests, externalIds } = adapter.inbound([{ from: customer, text: 'uno' }]);
          const real = { store: fx.deps.store, queue: fx.deps.queue };
          const broken = queueFailingOn(fx.env.INBOUND_QUEUE_URL, 'SendMessageCommand', 1);
          if (failing === 'store') fx.deps.store = new FailingStore(real.store, () => true);
          else fx.deps.queue = broken.queue;

          // Act
          let failed;
          try {
            failed = await invoke(requests[0]!);
          } finally {
            Object.assign(fx.deps, real);
            broken.client.destroy();
          }
          const storedAfterFailure = await fx.messagesOf(conversationOf(customer));
          const retried = await invoke(requests[0]!);

          // Assess
          expect(failed.statusCode).toBeGreaterThanOrEqual(500);
          expect(storedAfterFailure).toHaveLength(failing === 'store' ? 0 : 1);
          expect(retried.statusCode).toBe(200);
          expect((await fx.messagesOf(conversationOf(customer))).map((m) => m.externalId)).toEqual(externalIds);
          expect(queued(await drain()).map((m) => m.body.externalId)).toEqual(externalIds);
        });
      }
    });

    describe('authentication and addressing', () => {
      it.each([
        ['a forged request', 'forged', 'forged'],
        ['an authentic request for another account or number', 'foreign', 'not for you'],
      ] as const)('answers 403 to %s and writes nothing', async (_, kind, text) => {
        // Prepare
        const customer = newCustomer();
        const requests = adapter[kind]({ from: customer, text });
        const before = await footprint(provider, { customers: [customer] });
        const publishedBefore = events.published.length;

        // Act
        const codes: Record<string, number | undefined> = {};
        for (const [name, request] of Object.entries(requests)) codes[name] = (await invoke(request)).statusCode;

        // Assess
        expect(Object.keys(codes).length).toBeGreaterThan(0);
        expect(codes).toEqual(Object.fromEntries(Object.keys(requests).map((name) => [name, 403])));
        expect(await footprint(provider, { customers: [customer] })).toEqual(before);
        expect(await drain()).toEqual([]);
        expect(events.published.length).toBe(publishedBefore);
      });

      if (PROVIDER_PROFILES[provider].routes.handshake) {
        it('answers the GET handshake with the challenge verbatim, as text/plain', async () => {
          // Prepare
          const before = await footprint(provider);

          // Act
          const answers = await Promise.all(
            ['1158201444', '00042', 'ch-ÄÖ_x'].map((challenge) =>
              invoke(adapter.get({ 'hub.mode': 'subscribe', 'hub.verify_token': adapter.verifyToken!, 'hub.challenge': challenge })),
            ),
          );

          // Assess
          expect(answers.map((a) => [a.statusCode, a.headers?.['content-type'], a.body])).toEqual([
            [200, 'text/plain', '1158201444'],
            [200, 'text/plain', '00042'],
            [200, 'text/plain', 'ch-ÄÖ_x'],
          ]);
          expect(await footprint(provider)).toEqual(before);
        });

        it('answers 403 to a handshake with a wrong token or mode and writes nothing', async () => {
          // Prepare
          const right = { 'hub.mode': 'subscribe', 'hub.verify_token': adapter.verifyToken!, 'hub.challenge': '1158201444' };
          const wrong = {
            'a wrong token': { ...right, 'hub.verify_token': `${adapter.verifyToken!}x` },
            'a token that only starts right': { ...right, 'hub.verify_token': adapter.verifyToken!.slice(0, 8) },
            'a wrong mode': { ...right, 'hub.mode': 'unsubscribe' },
            'no challenge': { 'hub.mode': 'subscribe', 'hub.verify_token': adapter.verifyToken! },
          };
          const before = await footprint(provider);

          // Act
          const codes: Record<string, number | undefined> = {};
          for (const [name, query] of Object.entries(wrong)) codes[name] = (await invoke(adapter.get(query))).statusCode;

          // Assess
          expect(codes).toEqual(Object.fromEntries(Object.keys(wrong).map((name) => [name, 403])));
          expect(await footprint(provider)).toEqual(before);
        });
      } else {
        it('answers 403 to a GET (this BSP has no handshake) and writes nothing', async () => {
          // Prepare
          const before = await footprint(provider);

          // Act
          const answer = await invoke(adapter.get({ 'hub.mode': 'subscribe', 'hub.verify_token': 'anything', 'hub.challenge': '1158201444' }));

          // Assess
          expect(answer.statusCode).toBe(403);
          expect(answer.body).not.toContain('1158201444');
          expect(await footprint(provider)).toEqual(before);
        });
      }
    });

    describe('statuses of our messages', () => {
      const orders: Status[][] = [
        ['sent', 'delivered', 'read'],
        ['sent', 'read', 'delivered'],
        ['delivered', 'sent', 'read'],
        ['delivered', 'read', 'sent'],
        ['read', 'sent', 'delivered'],
        ['read', 'delivered', 'sent'],
      ];

      it('ends at read whatever order sent, delivered and read arrive in', async () => {
        // Prepare
        const messages = await Promise.all(orders.map(() => sentMessage(adapter, provider)));

        // Act: the orders side by side, each order's statuses one after the other
        const codes = await Promise.all(
          orders.map(async (order, i) => {
            const { key, externalId } = messages[i]!;
            return invokeAll(order.map((status) => adapter.status({ externalId, status, key })));
          }),
        );

        // Assess
        expect(codes.flat()).toEqual(orders.flat().map(() => 200));
        const finals = Object.fromEntries(
          await Promise.all(orders.map(async (order, i) => [order.join('→'), (await message(messages[i]!.key))?.deliveryStatus])),
        );
        expect(finals).toEqual(Object.fromEntries(orders.map((order) => [order.join('→'), 'read'])));
        const inOrder = await message(messages[0]!.key);
        expect(inOrder).toMatchObject({ externalId: messages[0]!.externalId, sendState: 'accepted' });
        expect([inOrder!.sentAt, inOrder!.deliveredAt, inOrder!.readAt].every((at) => typeof at === 'string')).toBe(true);
        // Read before delivered: delivered is never applied after it.
        expect((await message(messages[4]!.key))!.deliveredAt).toBeUndefined();
      });

      it('ends at the furthest status when several statuses of several messages arrive together', async () => {
        // Prepare: Twilio posts them side by side; Cloud API batches them into one request
        const messages = await Promise.all([0, 1, 2].map(() => sentMessage(adapter, provider)));
        const specs = messages.flatMap(({ key, externalId }, i) =>
          (['read', 'sent', 'delivered'] as const).slice(0, i + 1).map((status) => ({ externalId, status, key })),
        );

        // Act
        const answers = await Promise.all(adapter.statuses(specs).map((request) => invoke(request)));

        // Assess
        expect(answers.map((answer) => answer.statusCode)).toEqual(answers.map(() => 200));
        const finals = await Promise.all(messages.map(async ({ key }) => (await message(key))?.deliveryStatus));
        expect(finals).toEqual(['read', 'read', 'read']);
      });

      it('keeps the failure code of a failed message', async () => {
        // Prepare
        const { key, externalId } = await sentMessage(adapter, provider);

        // Act
        const codes = await invokeAll([
          adapter.status({ externalId, status: 'sent', key }),
          adapter.status({ externalId, status: 'failed', key, errorCode: adapter.permanentFailureCode }),
        ]);

        // Assess
        expect(codes).toEqual([200, 200]);
        expect(await message(key)).toMatchObject({ deliveryStatus: 'failed', errorCode: adapter.permanentFailureCode });
      });

      it('never lets a failure that arrives after delivered overwrite it', async () => {
        // Prepare
        const { key, externalId } = await sentMessage(adapter, provider);

        // Act
        const codes = await invokeAll([
          adapter.status({ externalId, status: 'delivered', key }),
          adapter.status({ externalId, status: 'failed', key, errorCode: adapter.permanentFailureCode }),
        ]);

        // Assess
        expect(codes).toEqual([200, 200]);
        const stored = await message(key);
        expect(stored).toMatchObject({ deliveryStatus: 'delivered' });
        expect(stored!.errorCode).toBeUndefined();
        expect(stored!.failedAt).toBeUndefined();
      });

      it('answers 200 to a duplicate status and changes nothing', async () => {
        // Prepare
        const { key, externalId } = await sentMessage(adapter, provider);
        const delivered = adapter.status({ externalId, status: 'delivered', key });
        expect((await invoke(delivered)).statusCode).toBe(200);
        const before = await message(key);

        // Act
        const again = await invoke(delivered);

        // Assess
        expect(again.statusCode).toBe(200);
        expect(await message(key)).toEqual(before);
        expect(before).toMatchObject({ deliveryStatus: 'delivered' });
      });

      it('finds the message by the BSP id when the status does not carry our key', async () => {
        // Prepare
        const { key, externalId } = await sentMessage(adapter, provider);

        // Act
        const codes = await invokeAll([adapter.status({ externalId, status: 'delivered' }), adapter.status({ externalId, status: 'read' })]);

        // Assess
        expect(codes).toEqual([200, 200]);
        expect(await message(key)).toMatchObject({ deliveryStatus: 'read', externalId });
      });

      it('acknowledges a status for a message that is not ours and writes nothing', async () => {
        // Prepare
        const notOurs = { conversationId: 'cv_NOSUCHCONVERSATION', messageId: 'NOSUCHMESSAGE' };
        const before = await footprint(provider, { keys: [notOurs] });

        // Act
        const codes = await invokeAll([
          adapter.status({ externalId: adapter.newOutboundId(), status: 'delivered' }),
          adapter.status({ externalId: adapter.newOutboundId(), status: 'read', key: notOurs }),
        ]);

        // Assess
        expect(codes).toEqual([200, 200]);
        expect(await footprint(provider, { keys: [notOurs] })).toEqual(before);
      });

      if (CAPABILITIES[provider].pricing) {
        it('keeps the pricing category on the message', async () => {
          // Prepare
          const { key, externalId } = await sentMessage(adapter, provider);

          // Act
          const response = await invoke(adapter.status({ externalId, status: 'sent', key, pricingCategory: 'utility' }));

          // Assess
          expect(response.statusCode).toBe(200);
          expect(await message(key)).toMatchObject({ deliveryStatus: 'sent', pricingCategory: 'utility' });
        });
      }
    });
  });
});

// ── Adapters: how each BSP builds the requests the contract talks about.

function twilioAdapter(fx: WebhookFixture): ProviderAdapter {
  const { accountSid, authToken, number, path } = fx;
  const inboundEvent = (message: CustomerMessage, options: { to?: string; accountSid?: string; authToken?: string; signature?: string } = {}) => {
    const fields = inboundTextFields({ accountSid: options.accountSid ?? accountSid, to: options.to ?? number, from: message.from, body: message.text });
    return {
      fields,
      event: signedTwilioEvent({ path, fields, authToken: options.authToken ?? authToken, ...(options.signature !== undefined && { signature: options.signature }) }),
    };
  };
  return {
    connectionId: fx.connectionId,
    businessId: fx.businessId,
    inbound(messages) {
      // One message per request: Twilio's "batch" is N requests.
      const built = messages.map((message) => inboundEvent(message));
      return { requests: built.map((b) => b.event), externalIds: built.map((b) => b.fields.MessageSid!) };
    },
    status({ externalId, status, key, errorCode }) {
      return signedTwilioEvent({
        path: `${path}/status`,
        rawQueryString: key ? `c=${key.conversationId}&m=${key.messageId}` : '',
        fields: statusFields({ accountSid, messageSid: externalId, status, from: number, ...(errorCode !== undefined && { errorCode }) }),
        authToken,
      });
    },
    statuses(specs) {
      return specs.map((spec) => this.status(spec));
    },
    forged(message) {
      return {
        'a signature made with another auth token': inboundEvent(message, { authToken: randomBytes(16).toString('hex') }).event,
        'a signature that is not one': inboundEvent(message, { signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }).event,
      };
    },
    foreign(message) {
      // Signed with this connection's token, as a subaccount or a second number of the account would be.
      return {
        'another account': inboundEvent(message, { accountSid: `AC${randomBytes(16).toString('hex')}` }).event,
        'another number of the account': inboundEvent(message, { to: '+14155550100' }).event,
      };
    },
    get(query) {
      return httpApiEvent({ method: 'GET', path, rawQueryString: new URLSearchParams(query).toString() });
    },
    ack: { contentType: 'text/xml', body: /<Response\/>/ },
    newOutboundId: () => randomSid('SM'),
    permanentFailureCode: '63003',
  };
}

/** A Cloud API connection (Meta or 360dialog) seeded the way the admin API stores one. */
async function seedCloudConnection(
  fx: WebhookFixture,
  secrets: SecretsManagerClient,
  provider: 'meta' | '360dialog',
  secret: Record<string, string>,
  number: WebhookNumber,
): Promise<{ connectionId: string; businessId: string }> {
  const suffix = randomBytes(4).toString('hex');
  const connectionId = `cn_contract_${provider === 'meta' ? 'meta' : 'd360'}_${suffix}`;
  const businessId = `biz_contract_${suffix}`;
  const created = await secrets.send(new CreateSecretCommand({ Name: `echo-whatsapp-contract/connections/${connectionId}`, SecretString: JSON.stringify(secret) }));
  await fx.documents.send(
    new PutCommand({
      TableName: fx.env.CONNECTIONS_TABLE,
      Item: {
        connectionId,
        businessId,
        provider,
        status: 'active',
        displayNumber: number.displayNumber,
        // Meta routes by phone_number_id; 360dialog's key belongs to the number itself.
        providerNumberId: provider === 'meta' ? number.phoneNumberId : number.displayNumber,
        ...(provider === 'meta' && { providerAccountId: number.wabaId }),
        secretArn: created.ARN,
        verified: true,
      },
    }),
  );
  return { connectionId, businessId };
}

function statusInput({ externalId, status, key, errorCode, pricingCategory }: StatusSpec): StatusInput {
  return {
    id: externalId,
    status: status as CloudStatus,
    at: Date.now(),
    recipient: '5215512345678',
    ...(key && { callbackData: encodeMessageKey(key) }),
    ...(pricingCategory !== undefined && { pricing: { category: pricingCategory, type: 'regular' } }),
    ...(errorCode !== undefined && { errorCode: Number(errorCode) }),
  };
}

/** What Meta and 360dialog share: the payloads; they differ in how a request is authenticated. */
function cloudAdapter(
  provider: 'meta' | '360dialog',
  ids: { connectionId: string; businessId: string },
  number: WebhookNumber,
  authenticate: (payload: CloudWebhookPayload) => WebhookHttpRequest,
  extra: Pick<ProviderAdapter, 'forged' | 'foreign' | 'verifyToken'>,
): ProviderAdapter {
  const path = webhookPath(provider, ids.connectionId);
  const post = (request: WebhookHttpRequest) => httpApiEvent({ path, headers: request.headers, body: request.body });
  return {
    ...ids,
    ...extra,
    inbound(messages) {
      const { payload, messageIds } = inboundPayload(number, messages.map((m) => ({ from: m.from, text: m.text, name: 'Ana' })));
      return { requests: [post(authenticate(payload))], externalIds: messageIds };
    },
    status(spec) {
      return post(authenticate(statusPayload(number, statusInput(spec))));
    },
    statuses(specs) {
      // One change with every status, as Meta batches them.
      return [post(authenticate(envelope(number, [changeValue(number, { statuses: specs.map((spec) => statusObject(number, statusInput(spec))) })])))];
    },
    get(query) {
      return httpApiEvent({ method: 'GET', path, rawQueryString: new URLSearchParams(query).toString(), headers: { 'user-agent': 'facebookplatform/1.0' } });
    },
    ack: { contentType: 'text/plain', body: /^$/ },
    newOutboundId: () => `wamid.HBgL${randomBytes(24).toString('base64url')}`,
    permanentFailureCode: '131026',
  };
}

async function metaAdapter(fx: WebhookFixture, secrets: SecretsManagerClient): Promise<ProviderAdapter> {
  const credentials = { accessToken: `EAAG${randomBytes(24).toString('hex')}`, appSecret: randomBytes(16).toString('hex'), verifyToken: `vt_${randomBytes(12).toString('hex')}` };
  const number: WebhookNumber = { wabaId: randomDigits(15), phoneNumberId: randomDigits(15), displayNumber: '+15550100001' };
  const ids = await seedCloudConnection(fx, secrets, 'meta', credentials, number);
  const path = webhookPath('meta', ids.connectionId);
  const post = (request: WebhookHttpRequest) => httpApiEvent({ path, headers: request.headers, body: request.body });
  const payloadFor = (message: CustomerMessage, to: WebhookNumber = number) => inboundPayload(to, [{ from: message.from, text: message.text }]).payload;
  return cloudAdapter('meta', ids, number, (payload) => metaWebhookRequest(payload, credentials.appSecret), {
    verifyToken: credentials.verifyToken,
    forged(message) {
      const signedElsewhere = metaWebhookRequest(payloadFor(message), randomBytes(16).toString('hex'));
      const unsigned = metaWebhookRequest(payloadFor(message), credentials.appSecret);
      delete unsigned.headers['x-hub-signature-256'];
      const tampered = metaWebhookRequest(payloadFor(message), credentials.appSecret);
      const changed = tampered.body.replace(message.text, message.text.toUpperCase());
      if (changed === tampered.body) throw new Error('the forged message text must be plain ASCII in the body');
      return {
        'a signature made with another app secret': post(signedElsewhere),
        'no X-Hub-Signature-256 (the SHA-1 one alone)': post(unsigned),
        'a body changed after signing': post({ ...tampered, body: changed }),
      };
    },
    foreign(message) {
      return {
        'another phone_number_id': post(metaWebhookRequest(payloadFor(message, { ...number, phoneNumberId: randomDigits(15) }), credentials.appSecret)),
        'another WhatsApp Business Account': post(metaWebhookRequest(payloadFor(message, { ...number, wabaId: randomDigits(15) }), credentials.appSecret)),
      };
    },
  });
}

async function dialog360Adapter(fx: WebhookFixture, secrets: SecretsManagerClient): Promise<ProviderAdapter> {
  const credentials = { apiKey: randomBytes(16).toString('hex'), webhookSecret: `ws_${randomBytes(16).toString('hex')}` };
  const number: WebhookNumber = { wabaId: randomDigits(15), phoneNumberId: randomDigits(15), displayNumber: '+15550100002' };
  const ids = await seedCloudConnection(fx, secrets, '360dialog', credentials, number);
  const path = webhookPath('360dialog', ids.connectionId);
  const post = (request: WebhookHttpRequest) => httpApiEvent({ path, headers: request.headers, body: request.body });
  const registered = { 'X-Echo-Webhook-Token': credentials.webhookSecret };
  const payloadFor = (message: CustomerMessage, to: WebhookNumber = number) => inboundPayload(to, [{ from: message.from, text: message.text }]).payload;
  return cloudAdapter('360dialog', ids, number, (payload) => dialog360WebhookRequest(payload, registered), {
    forged(message) {
      return {
        'a wrong secret header': post(dialog360WebhookRequest(payloadFor(message), { 'X-Echo-Webhook-Token': `ws_${randomBytes(16).toString('hex')}` })),
        'the secret with a character missing': post(dialog360WebhookRequest(payloadFor(message), { 'X-Echo-Webhook-Token': credentials.webhookSecret.slice(0, -1) })),
        'no secret header': post(dialog360WebhookRequest(payloadFor(message), {})),
      };
    },
    foreign(message) {
      return {
        'another business number': post(dialog360WebhookRequest(payloadFor(message, { ...number, displayNumber: '+15550100999' }), registered)),
      };
    },
  });
}
