/**
 * Outbound part of `npm run bench`: the send Lambda's throughput against the local Twilio
 * simulator with 100 conversations, next to the simulator's raw accept rate measured in the same
 * run, and the time from enqueue to the BSP accepting the message.
 *
 * Everything runs on this machine's two cores: moto, the simulator, the send handler (through the
 * same SQS pollers `npm run dev` uses) and the webhook receiving the simulator's status callbacks.
 */
import { request, Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ChangeMessageVisibilityCommand, DeleteMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SqsOutboundQueue } from '../lambdas/adapters/sqs-outbound-queue';
import { conversationIdFor } from '../lambdas/domain/ids';
import { windowAfter } from '../lambdas/domain/window';
import { startLocalRuntime } from '../local/runtime';
import type { MotoServer } from '../local/moto';
import { busyFraction, startMotoMeter, type MotoMeter } from './moto-meter';

const CONVERSATIONS = 100;
const BACKLOG_MESSAGES = Number(process.env.BENCH_OUTBOUND_MESSAGES ?? 300);
const PACED_MESSAGES = 60;
const PACED_INTERVAL_MS = 250;
const RAW_REQUESTS = 1000;
const RAW_CONCURRENCY = 10;
/** In AWS each message group can have its own invocation; locally, this many pollers stand in for that. */
const POLLERS = Number(process.env.BENCH_OUTBOUND_POLLERS ?? 8);

export interface OutboundFigures {
  rawAcceptPerSecond: number;
  pipelinePerSecond: number;
  ratio: number;
  enqueueToBspP50Ms: number;
  enqueueToBspP99Ms: number;
  consumers: number;
  /**
   * AWS calls per sent message, from the first send until every message's three status callbacks
   * were stored and their events relayed: the send path, the webhook's callbacks and the event
   * relay's PutEvents, amortized. Long-poll receives and the local stream poller's reads are left
   * out (in AWS, Lambda's pollers make those, not our functions).
   */
  motoCallsPerMessage: number;
  /** The calls behind that figure, by action, per message. */
  motoCallMix: Record<string, number>;
  /** The same figure without the payload archive's S3 PutObject (the audit log, issue #11). */
  motoCallsPerMessageWithoutArchive: number;
  /**
   * When the GetSecretValue calls of that window happened, in seconds after the first send: the
   * send Lambda and the webhook each cache the secret for 300 s, so every read is a cache miss.
   */
  secretReadsAtSeconds: number[];
  /** The PutEvents of that window and the events they carried (the relay batches up to 10 per call). */
  relayed: { calls: number; events: number; expected: number; caughtUp: boolean };
  /** Calls of that window moto answered with an error (stream reads and receives included), by action. */
  answeredWithError: Record<string, number>;
  /** Share of the drain during which moto had at least one of those calls in flight. */
  motoBusyFraction: number;
  /** Mean time moto took per call (ms). */
  motoMeanCallMs: number;
  /** Messages/s moto sustains for the send path's own call mix, replayed directly (same run, same concurrency). */
  motoCeilingPerSecond: number;
  /** `pipelinePerSecond / motoCeilingPerSecond` (goal ≥ 0.9). */
  ratioToMotoCeiling: number;
}

/**
 * Waits until the pipeline is quiet: no metered work call in flight, none started or ended for
 * `quietMs`, and every stream poller has read its stream again since the last one ended (`GetRecords`
 * calls started after it and answered). Keying on ended calls alone declared quiet while the event
 * relay was still reading the records of the last status callbacks (a GetRecords against a busy moto
 * takes longer than the quiet period), so its PutEvents fell outside the count.
 */
async function waitForQuiet(meter: MotoMeter, isWork: (call: { action: string }) => boolean, streamPollers: number, quietMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = Date.now();
    if (now > deadline) throw new Error(`the pipeline did not go quiet within ${timeoutMs} ms`);
    const busy = meter.inFlight().some(isWork);
    const recent = meter.callsSince(now - 120_000);
    const lastWork = Math.max(0, ...recent.filter(isWork).map((call) => call.endedAt), ...meter.inFlight().filter(isWork).map((call) => call.startedAt));
    const streamReadsSince = recent.filter((call) => call.action === 'DynamoDBStreams.GetRecords' && call.startedAt > lastWork).length;
    if (!busy && now - lastWork >= quietMs && streamReadsSince >= 2 * streamPollers) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * moto's ceiling for a call mix: per message, the same number of calls of each action the send
 * path made while draining (GetItem, UpdateItem, TransactWriteItems, SQS deletes and visibility
 * changes, PutEvents…), made directly with the SDK against the same tables, queue and bus, with
 * `concurrency` messages in flight. What it measures is moto's cost for that sequence; the pipeline
 * divided by it is how much our code, the simulator and the pollers add.
 */
async function motoCeiling(env: Record<string, string>, calls: Array<{ action: string }>, messages: number, concurrency: number): Promise<number> {
  const perMessage = new Map<string, number>();
  for (const call of calls) perMessage.set(call.action, (perMessage.get(call.action) ?? 0) + 1);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const sqs = new SQSClient({});
  const eventBridge = new EventBridgeClient({});
  const s3 = new S3Client({ forcePathStyle: true });
  const table = env.MESSAGES_TABLE!;
  const ops: Record<string, (i: number) => Promise<unknown>> = {
    'DynamoDB.GetItem': (i) => documents.send(new GetCommand({ TableName: table, Key: { conversationId: `ceil${i % 100}`, messageId: `m${i}` }, ConsistentRead: true })),
    'DynamoDB.PutItem': (i) => documents.send(new PutCommand({ TableName: table, Item: { conversationId: `ceil${i % 100}`, messageId: `m${i}`, text: 'x'.repeat(200) } })),
    'DynamoDB.UpdateItem': (i) =>
      documents.send(new UpdateCommand({ TableName: table, Key: { conversationId: `ceil${i % 100}`, messageId: `m${i}` }, UpdateExpression: 'SET s = :s', ExpressionAttributeValues: { ':s': i } })),
    'DynamoDB.Query': (i) => documents.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'conversationId = :c', ExpressionAttributeValues: { ':c': `ceil${i % 100}` }, Limit: 1 })),
    'DynamoDB.TransactWriteItems': (i) =>
      documents.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: env.DEDUPE_TABLE!, Item: { dedupeKey: `ceil#${i}#${Math.random()}` } } },
            { Put: { TableName: table, Item: { conversationId: `ceil${i % 100}`, messageId: `t${i}`, text: 'x'.repeat(200) } } },
          ],
        }),
      ),
    'SQS.DeleteMessageBatch': () => sqs.send(new DeleteMessageBatchCommand({ QueueUrl: env.OUTBOUND_QUEUE_URL!, Entries: [{ Id: '0', ReceiptHandle: 'none' }] })).catch(() => undefined),
    'SQS.ChangeMessageVisibility': () => sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: env.OUTBOUND_QUEUE_URL!, ReceiptHandle: 'none', VisibilityTimeout: 1 })).catch(() => undefined),
    'AWSEvents.PutEvents': () => eventBridge.send(new PutEventsCommand({ Entries: [{ EventBusName: env.EVENT_BUS_NAME!, Source: 'bench', DetailType: 'bench', Detail: '{}' }] })),
    // The payload archive's PutObject.
    'S3.PutObject': (i) =>
      env.ARCHIVE_BUCKET
        ? s3.send(new PutObjectCommand({ Bucket: env.ARCHIVE_BUCKET, Key: `bench/ceiling/${i}-${Math.random()}.json`, Body: 'x'.repeat(1_000) }))
        : Promise.resolve(),
  };
  // One message's sequence: its share of each action, rounded per message so the totals match.
  const sequence = (i: number): string[] =>
    [...perMessage].flatMap(([action, count]) => Array.from({ length: Math.floor(((i + 1) * count) / messages) - Math.floor((i * count) / messages) }, () => action));
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < messages) {
        const i = next++;
        for (const action of sequence(i)) await (ops[action] ?? ops['DynamoDB.GetItem']!)(i);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  documents.destroy();
  sqs.destroy();
  eventBridge.destroy();
  s3.destroy();
  return messages / seconds;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The simulator's ceiling: Messages.json POSTs straight from node:http with keep-alive. */
async function rawAcceptRate(url: string, accountSid: string, authToken: string, from: string): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: RAW_CONCURRENCY });
  const target = new URL(`/2010-04-01/Accounts/${accountSid}/Messages.json`, url);
  const auth = Buffer.from(`${accountSid}:${authToken}`).toString('base64');
  const post = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const body = new URLSearchParams({ To: `whatsapp:+52155${String(20_000_000 + i)}`, From: `whatsapp:${from}`, Body: `raw ${i}` }).toString();
      const req = request(
        target,
        { method: 'POST', agent, headers: { authorization: `Basic ${auth}`, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`raw send answered ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: RAW_CONCURRENCY }, async () => {
      while (next < RAW_REQUESTS) await post(next++);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return RAW_REQUESTS / seconds;
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function benchOutbound(moto: MotoServer): Promise<OutboundFigures> {
  // The handlers log JSON and EMF to stdout/stderr; keep them out of the report but pay their cost.
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return await measure(moto);
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

async function measure(moto: MotoServer): Promise<OutboundFigures> {
  // Every AWS call of the pipeline passes the meter, so the report can say where the time goes.
  const meter = await startMotoMeter(moto.endpoint);
  const runtime = await startLocalRuntime({
    motoEndpoint: meter.endpoint,
    port: 0,
    simulatorPort: 0,
    namePrefix: 'bench-out',
    pollQueues: false,
    scheduleIntervalMs: 0,
    stateFile: false,
    config: { RESPONDER: 'none' },
    consumerConcurrency: POLLERS,
  });
  try {
    const simulator = runtime.simulator;
    if (!simulator) throw new Error('the benchmark needs the Twilio simulator (unset TWILIO_* variables)');
    const { accountSid, whatsappNumber, connectionId, businessId } = runtime.demo;
    const authToken = runtime.config.DEV_TWILIO_AUTH_TOKEN;
    const raw = await rawAcceptRate(simulator.url, accountSid, authToken, whatsappNumber);
    simulator.reset();

    // 100 conversations whose 24-hour window is open, as if each customer had just written.
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const now = new Date();
    const customers = Array.from({ length: CONVERSATIONS }, (_, i) => `+52155${String(30_000_000 + i)}`);
    for (let i = 0; i < customers.length; i += 25) {
      await documents.send(
        new BatchWriteCommand({
          RequestItems: {
            [runtime.env.CONVERSATIONS_TABLE]: customers.slice(i, i + 25).map((customer) => ({
              PutRequest: {
                Item: {
                  conversationId: conversationIdFor(connectionId, customer),
                  businessId,
                  connectionId,
                  provider: 'twilio',
                  customerId: customer,
                  customerIsPhoneNumber: true,
                  lastCustomerMessageAt: now.toISOString(),
                  lastMessageAt: now.toISOString(),
                  ...windowAfter(now, conversationIdFor(connectionId, customer)),
                },
              },
            })),
          },
        }),
      );
    }
    documents.destroy();

    const sqs = new SQSClient({});
    const queue = new SqsOutboundQueue(sqs, runtime.env.OUTBOUND_QUEUE_URL);
    const enqueuedAt = new Map<string, number>();
    const enqueue = async (i: number) => {
      const customer = customers[i % CONVERSATIONS];
      const body = `bench ${i}`;
      enqueuedAt.set(body, Date.now());
      await queue.enqueue(
        { version: 1, businessId, connectionId, conversationId: conversationIdFor(connectionId, customer), idempotencyKey: `bench-${i}`, content: { type: 'text', text: body } },
        conversationIdFor(connectionId, customer),
      );
    };
    const sendConsumer = runtime.consumers.find((c) => c.handlerFolder === 'send');
    if (!sendConsumer) throw new Error('no send consumer in the template');
    // The event relay runs throughout: its PutEvents are part of what a message costs.
    for (const consumer of runtime.streamConsumers) consumer.poller.start();

    // Throughput: a backlog spread over 100 conversations, drained by the send pollers.
    for (let i = 0; i < BACKLOG_MESSAGES; i++) await enqueue(i);
    const started = Date.now();
    for (const poller of sendConsumer.pollers) poller.start();
    await waitFor(() => simulator.messages().length >= BACKLOG_MESSAGES, 600_000, 'the backlog to be sent');
    const ended = Date.now();
    const pipelinePerSecond = BACKLOG_MESSAGES / ((ended - started) / 1000);
    // Long-poll receives wait for messages rather than work, and stream reads are Lambda's own:
    // counted out of the load on moto.
    const isWork = (call: { action: string }) => call.action !== 'SQS.ReceiveMessage' && !call.action.startsWith('DynamoDBStreams.');
    const drainCalls = meter.callsSince(started).filter((call) => call.startedAt >= started && call.endedAt <= ended && isWork(call));
    // Every message's sent, delivered and read callbacks stored, and the relay quiet again.
    await waitFor(() => simulator.messages().slice(0, BACKLOG_MESSAGES).every((m) => m.status === 'read'), 120_000, 'the status callbacks');
    // A message's status moves to `read` when its last callback is scheduled, not when the webhook
    // has answered it: wait for the callbacks themselves, then for the relay to publish their events.
    await simulator.idle();
    // …and every one of their events (sent, delivered, read: three per message) relayed. Seen: the
    // relay still had a third of them to read when the pipeline looked quiet (a busy moto answers a
    // GetRecords in seconds), so the count waits for the events themselves, then for quiet.
    const relayedEvents = () => meter.callsSince(started).filter((call) => call.action === 'AWSEvents.PutEvents').reduce((sum, call) => sum + (call.entries ?? 0), 0);
    const relayCaughtUp = await waitFor(() => relayedEvents() >= 3 * BACKLOG_MESSAGES, 90_000, 'the relay').then(
      () => true,
      () => false,
    );
    await waitForQuiet(meter, isWork, runtime.streamConsumers.length, 750, 60_000);
    const settled = Date.now();
    const messageCalls = meter.callsSince(started).filter((call) => call.startedAt >= started && call.endedAt <= settled && isWork(call));
    const motoCallMix: Record<string, number> = {};
    for (const call of messageCalls) motoCallMix[call.action] = (motoCallMix[call.action] ?? 0) + 1 / BACKLOG_MESSAGES;
    const archiveWrites = messageCalls.filter((call) => call.action === 'S3.PutObject').length;
    const putEvents = messageCalls.filter((call) => call.action === 'AWSEvents.PutEvents');
    const relayed = { calls: putEvents.length, events: putEvents.reduce((sum, call) => sum + (call.entries ?? 0), 0) };
    const answeredWithError: Record<string, number> = {};
    for (const call of meter.callsSince(started)) {
      if (call.startedAt >= started && call.endedAt <= settled && (call.status ?? 200) >= 400) answeredWithError[call.action] = (answeredWithError[call.action] ?? 0) + 1;
    }
    const secretReadsAtSeconds = messageCalls.filter((call) => call.action === 'secretsmanager.GetSecretValue').map((call) => (call.startedAt - started) / 1000);
    // moto's own ceiling for the send path's calls: the same mix, straight from the SDK, at the
    // same concurrency, in this run.
    const ceiling = await motoCeiling(runtime.env, drainCalls, BACKLOG_MESSAGES, POLLERS);

    // Latency: messages enqueued at a steady pace while the pollers run.
    const before = simulator.messages().length;
    for (let i = 0; i < PACED_MESSAGES; i++) {
      await enqueue(BACKLOG_MESSAGES + i);
      await new Promise((r) => setTimeout(r, PACED_INTERVAL_MS));
    }
    await waitFor(() => simulator.messages().length >= before + PACED_MESSAGES, 120_000, 'the paced messages to be sent');
    const latencies = simulator
      .messages()
      .slice(before)
      .map((m) => m.acceptedAt - (enqueuedAt.get(m.body ?? '') ?? m.acceptedAt));
    sqs.destroy();
    return {
      rawAcceptPerSecond: raw,
      pipelinePerSecond,
      ratio: pipelinePerSecond / raw,
      enqueueToBspP50Ms: percentile(latencies, 50),
      enqueueToBspP99Ms: percentile(latencies, 99),
      consumers: sendConsumer.pollers.length,
      motoCallsPerMessage: messageCalls.length / BACKLOG_MESSAGES,
      motoCallsPerMessageWithoutArchive: (messageCalls.length - archiveWrites) / BACKLOG_MESSAGES,
      secretReadsAtSeconds,
      relayed: { ...relayed, expected: 3 * BACKLOG_MESSAGES, caughtUp: relayCaughtUp },
      answeredWithError,
      motoCeilingPerSecond: ceiling,
      ratioToMotoCeiling: pipelinePerSecond / ceiling,
      motoCallMix,
      motoBusyFraction: busyFraction(drainCalls, started, ended),
      motoMeanCallMs: drainCalls.reduce((sum, call) => sum + call.endedAt - call.startedAt, 0) / Math.max(1, drainCalls.length),
    };
  } finally {
    await runtime.stop();
    await meter.stop();
  }
}
