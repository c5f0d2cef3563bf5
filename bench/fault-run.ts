/**
 * Fault run of `npm run bench`: replies sent through the local runtime (the send Lambda from the
 * synthesized template, its real outbound queue and DLQ, the webhook taking the status callbacks,
 * the event relay) while the Twilio simulator refuses 30% of sends with 429, 10% with a 5xx, and
 * accepts 10% and then loses the answer. Counted from what the simulator accepted: each reply sent
 * exactly once, in order per conversation, none lost; and from our side: the DLQ empty and no
 * message left `failed`.
 *
 * It runs in a child process (`tsx bench/fault-run.ts <out.json>`): the runtime loads each handler
 * once per process with that process's environment, so the shortened send backoff below must be in
 * place before the send handler loads, and must not leak into the outbound figures.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { SqsOutboundQueue } from '../lambdas/adapters/sqs-outbound-queue';
import { conversationIdFor } from '../lambdas/domain/ids';
import { windowAfter } from '../lambdas/domain/window';
import { startMoto } from '../local/moto';
import { startLocalRuntime } from '../local/runtime';
import type { SimulatorFaults } from '../local/twilio-simulator';

const CONVERSATIONS = 10;
const MESSAGES_PER_CONVERSATION = 6;
const POLLERS = 4;
const DRAIN_TIMEOUT_MS = Number(process.env.BENCH_FAULT_TIMEOUT_MS ?? 120_000);
const FAULTS: SimulatorFaults = {
  rate429: 0.3,
  rate5xx: 0.1,
  rateLostAnswer: 0.1,
  // Twilio's usual Retry-After; the send path never comes back sooner and pauses the number for it.
  retryAfterSeconds: Number(process.env.BENCH_FAULT_RETRY_AFTER_SECONDS ?? 1),
};
/**
 * The send Lambda's retry timings, shortened as the send fixture shortens them so the run fits in a
 * minute (defaults: 2 s base, 15 min cap, lookup after 5 s, resolve delay 5 s). The simulator lists
 * a message the moment it accepts it, so its list can be asked at once.
 */
const SEND_ENV = {
  SEND_BACKOFF_BASE_MS: '200',
  SEND_BACKOFF_CAP_MS: '1000',
  SEND_LOOKUP_AFTER_MS: '0',
  SEND_RESOLVE_DELAY_MS: '1000',
};

export interface FaultRunFigures {
  conversations: number;
  messages: number;
  faults: SimulatorFaults;
  sendEnv: Record<string, string>;
  /** Replies the simulator accepted exactly once. */
  sentOnce: number;
  /** Conversations whose accepted replies came in the order they were enqueued. */
  conversationsInOrder: number;
  /** For each conversation out of order: its replies in the order the simulator accepted them. */
  outOfOrder: string[][];
  /** Replies the simulator never accepted. */
  lost: number;
  /** Extra acceptances of a reply already accepted. */
  duplicates: number;
  /** Messages on the outbound queue's DLQ (visible or not). */
  dlqDepth: number;
  /** Replies whose stored record ended `failed`. */
  failed: number;
  /** Replies whose stored record is not `accepted` (pending, sending, failed). */
  notAccepted: number;
  /** The simulator's counts: 429s, refused 5xx (500 + 503), accepted sends whose answer was lost. */
  simulator: { requests: number; accepted: number; rejected429: number; refused5xx: number; lostAnswers: number };
  /** From the first enqueue until every reply was accepted and the queue was empty. */
  drainSeconds: number;
  /** True when the drain hit `DRAIN_TIMEOUT_MS` (the counts then say what was missing). */
  timedOut: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(): Promise<FaultRunFigures> {
  Object.assign(process.env, SEND_ENV);
  const moto = await startMoto();
  const runtime = await startLocalRuntime({
    motoEndpoint: moto.endpoint,
    port: 0,
    simulatorPort: 0,
    namePrefix: 'bench-fault',
    pollQueues: false,
    scheduleIntervalMs: 0,
    stateFile: false,
    config: { RESPONDER: 'none' },
    consumerConcurrency: POLLERS,
    simulator: { callbackDelaysMs: { sent: 50, delivered: 100, read: 150 } },
  }).catch(async (error: unknown) => {
    await moto.stop();
    throw error;
  });
  try {
    const simulator = runtime.simulator;
    if (!simulator) throw new Error('the fault run needs the Twilio simulator (unset TWILIO_* variables)');
    const { connectionId, businessId } = runtime.demo;
    const sendConsumer = runtime.consumers.find((c) => c.handlerFolder === 'send');
    if (!sendConsumer) throw new Error('no send consumer in the template');
    const dlq = sendConsumer.queue.deadLetterQueue ? runtime.resources.queues[sendConsumer.queue.deadLetterQueue] : undefined;
    if (!dlq) throw new Error('the outbound queue has no DLQ in the template');

    // Conversations whose 24-hour window is open, as if each customer had just written.
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const now = new Date();
    const customers = Array.from({ length: CONVERSATIONS }, (_, i) => `+52155${String(40_000_000 + i)}`);
    const conversationIds = customers.map((customer) => conversationIdFor(connectionId, customer));
    await documents.send(
      new BatchWriteCommand({
        RequestItems: {
          [runtime.env.CONVERSATIONS_TABLE]: customers.map((customer, i) => ({
            PutRequest: {
              Item: {
                conversationId: conversationIds[i],
                businessId,
                connectionId,
                provider: 'twilio',
                customerId: customer,
                customerIsPhoneNumber: true,
                lastCustomerMessageAt: now.toISOString(),
                lastMessageAt: now.toISOString(),
                ...windowAfter(now, conversationIds[i]),
              },
            },
          })),
        },
      }),
    );

    const sqs = new SQSClient({});
    const depth = async (url: string) => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      );
      return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0);
    };
    const body = (c: number, m: number) => `fault c${c} m${m}`;
    const expected = conversationIds.flatMap((_, c) => Array.from({ length: MESSAGES_PER_CONVERSATION }, (__, m) => body(c, m)));

    simulator.reset();
    simulator.setFaults(FAULTS);
    for (const consumer of runtime.streamConsumers) consumer.poller.start();
    for (const poller of sendConsumer.pollers) poller.start();
    const started = Date.now();
    // Interleaved across conversations, as the AI Lambda's replies would arrive.
    const queue = new SqsOutboundQueue(sqs, runtime.env.OUTBOUND_QUEUE_URL);
    for (let m = 0; m < MESSAGES_PER_CONVERSATION; m++) {
      for (let c = 0; c < CONVERSATIONS; c++) {
        await queue.enqueue(
          { version: 1, businessId, connectionId, conversationId: conversationIds[c], idempotencyKey: `fault-${c}-${m}`, content: { type: 'text', text: body(c, m) } },
          conversationIds[c],
        );
      }
    }

    const deadline = started + DRAIN_TIMEOUT_MS;
    let timedOut = false;
    for (;;) {
      const accepted = new Set(simulator.messages().map((message) => message.body));
      if (expected.every((text) => accepted.has(text)) && (await depth(runtime.env.OUTBOUND_QUEUE_URL)) === 0) break;
      if (Date.now() > deadline) {
        timedOut = true;
        break;
      }
      await sleep(250);
    }
    const drainSeconds = (Date.now() - started) / 1000;
    // A late duplicate would come from a record still on its way; none is, but let the last
    // callbacks land so the stored states are final.
    simulator.setFaults({});
    await simulator.idle();
    for (const poller of sendConsumer.pollers) await poller.stop();

    const accepted = simulator.messages();
    let sentOnce = 0;
    let lost = 0;
    let duplicates = 0;
    let conversationsInOrder = 0;
    const outOfOrder: string[][] = [];
    for (const [c, customer] of customers.entries()) {
      // messages() lists acceptances in the order the simulator accepted them.
      const bodies = accepted.filter((message) => message.to === `whatsapp:${customer}`).map((message) => message.body ?? '');
      const wanted = Array.from({ length: MESSAGES_PER_CONVERSATION }, (_, m) => body(c, m));
      for (const text of wanted) {
        const count = bodies.filter((b) => b === text).length;
        if (count === 0) lost++;
        else if (count === 1) sentOnce++;
        else duplicates += count - 1;
      }
      const firsts = bodies.filter((text, i) => bodies.indexOf(text) === i);
      if (firsts.length === wanted.length && firsts.every((text, i) => text === wanted[i])) conversationsInOrder++;
      else outOfOrder.push(bodies);
    }

    let failed = 0;
    let notAccepted = 0;
    for (const conversationId of conversationIds) {
      const { Items = [] } = await documents.send(
        new QueryCommand({ TableName: runtime.env.MESSAGES_TABLE, KeyConditionExpression: 'conversationId = :c', ExpressionAttributeValues: { ':c': conversationId }, ConsistentRead: true }),
      );
      const outbound = Items.filter((item) => item.sendState !== undefined);
      failed += outbound.filter((item) => item.sendState === 'failed').length;
      notAccepted += outbound.filter((item) => item.sendState !== 'accepted').length;
      notAccepted += Math.max(0, MESSAGES_PER_CONVERSATION - outbound.length);
    }
    const dlqDepth = await depth(dlq.url);
    const stats = simulator.stats();
    documents.destroy();
    sqs.destroy();
    return {
      conversations: CONVERSATIONS,
      messages: expected.length,
      faults: FAULTS,
      sendEnv: SEND_ENV,
      sentOnce,
      conversationsInOrder,
      outOfOrder,
      lost,
      duplicates,
      dlqDepth,
      failed,
      notAccepted,
      simulator: {
        requests: stats.requests,
        accepted: stats.accepted,
        rejected429: stats.rejected['20429'] ?? 0,
        refused5xx: (stats.rejected['20500'] ?? 0) + (stats.rejected['20503'] ?? 0),
        lostAnswers: stats.lostAnswers,
      },
      drainSeconds,
      timedOut,
    };
  } finally {
    await runtime.stop();
    await moto.stop();
  }
}

/**
 * Runs the fault run in a fresh process and returns its figures.
 * @example
 * const fault = await benchFaultRun(); // fault.lost === 0 && fault.duplicates === 0
 */
export async function benchFaultRun(): Promise<FaultRunFigures> {
  const root = resolve(__dirname, '..');
  const out = join(root, 'bench', 'out', 'fault-run.json');
  rmSync(out, { force: true });
  const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'bench', 'fault-run.ts'), out], {
    cwd: root,
    env: process.env,
    // The handlers' JSON logs and metrics go nowhere; a failure's message comes back on stderr.
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4_000)));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  if (code !== 0) throw new Error(`the fault run failed (exit ${code}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
  return JSON.parse(readFileSync(out, 'utf8')) as FaultRunFigures;
}

if (require.main === module) {
  const out = process.argv[2];
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const errWrite = process.stderr.write.bind(process.stderr);
  // The handlers log to stdout and stderr; only this script's own failure is worth reading.
  process.stderr.write = (() => true) as typeof process.stderr.write;
  measure()
    .then((figures) => {
      if (out) writeFileSync(out, `${JSON.stringify(figures, null, 2)}\n`);
      else process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
      process.exit(0);
    })
    .catch((error: unknown) => {
      errWrite(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    });
}
