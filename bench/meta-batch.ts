/**
 * The Meta batch figure: one Cloud API POST carrying 50 messages (from 10 customers) against the same
 * 50 messages posted one per request, and against one single-message request, all through the
 * webhook bundle the stack deploys, warm, against moto. Goal: the batch is acknowledged in ≤ 3× one
 * message's warm latency (it stores 50 messages; the customers' lanes run side by side).
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PurgeQueueCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { inboundPayload, metaWebhookRequest, textBatch } from '../local/cloud-api-simulator/inbound';
import type { WebhookNumber } from '../local/cloud-api-simulator/payloads';
import { seedConnections, type SeedTarget } from '../local/seed';

type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export const META_BATCH_SIZE = 50;
const CUSTOMERS = 10;
const ROUNDS = Number(process.env.BENCH_META_ROUNDS ?? 5);

export interface MetaBatchFigures {
  batchSize: number;
  rounds: number;
  /** One POST of 50 messages: median ms. */
  batchMs: number;
  /** 50 POSTs of one message each, one after another: median ms of the whole series. */
  fiftySinglesMs: number;
  /** One POST of one message: median ms. */
  singleMs: number;
  /**
   * The floor under the batch: the same writes (2 TransactWriteItems of the batch's 110 items, 5
   * SendMessageBatch of 10) made directly with the SDK against the same moto: median ms. moto's
   * cost grows with the items written, not the calls made, so this is what a batch cannot beat here.
   */
  batchFloorMs: number;
}

/**
 * Empties the inbound queue between rounds, untimed: nothing consumes it here, and moto's FIFO
 * send slows down with every message a queue holds (SQS's does not), so a full queue would be
 * measured instead of the webhook.
 */
export function purgeBetweenRounds(queueUrl: string): () => Promise<void> {
  const sqs = new SQSClient({});
  return async () => {
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  };
}

/** The batch's own writes, without the handler: what moto charges for 50 messages in as few calls as allowed. */
export function rawBatchWrites(env: Record<string, string>): () => Promise<void> {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const sqs = new SQSClient({});
  let round = 0;
  return async () => {
    round += 1;
    const at = new Date().toISOString();
    const customers = Array.from({ length: CUSTOMERS }, (_, c) => `cv_FLOOR${round}x${c}`);
    const perCustomer = META_BATCH_SIZE / CUSTOMERS;
    const itemsOf = (conversationId: string, c: number) => [
      ...Array.from({ length: perCustomer }, (_, m) => {
        const id = `floor${round}x${c}x${m}x${randomBytes(4).toString('hex')}`;
        return [
          { Put: { TableName: env.DEDUPE_TABLE!, Item: { dedupeKey: `meta#${id}`, conversationId, messageId: id, receivedAt: at }, ConditionExpression: 'attribute_not_exists(dedupeKey)' } },
          { Put: { TableName: env.MESSAGES_TABLE!, Item: { conversationId, messageId: id, direction: 'inbound', content: { type: 'text', text: 'hola' } }, ConditionExpression: 'attribute_not_exists(messageId)' } },
        ];
      }).flat(),
      { Update: { TableName: env.CONVERSATIONS_TABLE!, Key: { conversationId }, UpdateExpression: 'SET lastCustomerMessageAt = :at', ExpressionAttributeValues: { ':at': at } } },
    ];
    const chunks = [customers.slice(0, 9), customers.slice(9)];
    for (const chunk of chunks) {
      await documents.send(new TransactWriteCommand({ TransactItems: chunk.flatMap((conversationId, c) => itemsOf(conversationId, c)) }));
    }
    for (let start = 0; start < META_BATCH_SIZE; start += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: env.INBOUND_QUEUE_URL!,
          Entries: Array.from({ length: 10 }, (_, i) => ({
            Id: String(i),
            MessageBody: JSON.stringify({ n: start + i }),
            MessageGroupId: customers[(start + i) % CUSTOMERS]!,
            MessageDeduplicationId: `floor-${round}-${start + i}`,
          })),
        }),
      );
    }
  };
}

const BENCH_META = { connectionId: 'bench-meta', appSecret: 'a1'.repeat(16), verifyToken: 'bench-verify-token-0123456789abcdef' };
const NUMBER: WebhookNumber = { wabaId: '102290129340398', phoneNumberId: '106540352242922', displayNumber: '+15550783881' };

function event(connectionId: string, request: { headers: Record<string, string>; body: string }): APIGatewayProxyEventV2 {
  const path = `/webhook/whatsapp/meta/${connectionId}`;
  const host = 'abc123.execute-api.us-east-1.amazonaws.com';
  return {
    version: '2.0',
    routeKey: 'POST /webhook/whatsapp/meta/{connectionId}',
    rawPath: path,
    rawQueryString: '',
    headers: { host, 'x-forwarded-proto': 'https', 'x-forwarded-port': '443', ...request.headers },
    pathParameters: { connectionId },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: host,
      domainPrefix: 'abc123',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '173.252.0.1', userAgent: 'facebookexternalua' },
      requestId: randomBytes(8).toString('hex'),
      routeKey: 'POST /webhook/whatsapp/meta/{connectionId}',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: request.body,
    isBase64Encoded: false,
  };
}

/** Seeds the bench's Meta connection beside the Twilio one. */
export async function seedMetaBench(target: SeedTarget): Promise<void> {
  await seedConnections(target, [
    {
      businessId: 'bench-meta',
      connectionId: BENCH_META.connectionId,
      provider: 'meta',
      secret: { accessToken: `EAAB${'x'.repeat(40)}`, appSecret: BENCH_META.appSecret, verifyToken: BENCH_META.verifyToken },
      last4Of: ['accessToken', 'appSecret'],
      displayNumber: NUMBER.displayNumber,
      providerNumberId: NUMBER.phoneNumberId,
      providerAccountId: NUMBER.wabaId,
      verified: true,
    },
  ]);
}

let customerBase = 5215500000000;

/** A fresh signed POST of `count` text messages from `customers` customers (new numbers each time: nothing is a duplicate). */
function signedBatch(count: number, customers: number): APIGatewayProxyEventV2 {
  const from = `+${(customerBase += 100)}`;
  const { payload } = inboundPayload(NUMBER, textBatch({ from, count, customers, text: 'hola' }));
  return event(BENCH_META.connectionId, metaWebhookRequest(payload, BENCH_META.appSecret));
}

async function timed(handler: Handler, events: APIGatewayProxyEventV2[]): Promise<number> {
  const started = process.hrtime.bigint();
  for (const request of events) {
    const response = await handler(request);
    if (response.statusCode !== 200) throw new Error(`webhook answered ${response.statusCode}: ${response.body}`);
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Interleaves the three series round by round, so that each sees moto in the same state (moto
 * slows down as its tables fill).
 */
export async function benchMetaBatch(handler: Handler, floor: () => Promise<void>, betweenRounds: () => Promise<void> = async () => undefined): Promise<MetaBatchFigures> {
  await timed(handler, [signedBatch(META_BATCH_SIZE, CUSTOMERS), signedBatch(1, 1)]);
  const batch: number[] = [];
  const singles: number[] = [];
  const single: number[] = [];
  const floors: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    batch.push(await timed(handler, [signedBatch(META_BATCH_SIZE, CUSTOMERS)]));
    const started = process.hrtime.bigint();
    await floor();
    floors.push(Number(process.hrtime.bigint() - started) / 1e6);
    singles.push(await timed(handler, Array.from({ length: META_BATCH_SIZE }, () => signedBatch(1, 1))));
    for (let i = 0; i < 5; i++) single.push(await timed(handler, [signedBatch(1, 1)]));
    await betweenRounds();
  }
  return {
    batchSize: META_BATCH_SIZE,
    rounds: ROUNDS,
    batchMs: median(batch),
    fiftySinglesMs: median(singles),
    singleMs: median(single),
    batchFloorMs: median(floors),
  };
}
