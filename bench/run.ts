/**
 * `npm run bench`: the figures behind the webhook's speed and size goals, each printed next to a
 * baseline measured in the same run on the same machine.
 *
 * 1. Bundle size: the webhook bundled exactly as the stack bundles it, and the same handler with
 *    the full `twilio` client instead of its webhooks module. Goal ≤ 800 KB minified.
 * 2. Cold module init: time to load each bundle in a fresh Node process (median), plus a bare
 *    `node -e ''` start. Goal: ours ≤ 0.5× the full-client bundle.
 * 3. Warm handler latency for signed inbound messages against moto (p50/p99), next to the two moto
 *    round trips the handler must make (TransactWriteItems + SendMessage). Goal: p99 ≤ 3×.
 * 4. Outbound throughput against the local Twilio simulator next to its raw accept rate, and the
 *    time from enqueue to the BSP accepting. Goal: ≥ 70% of the raw rate (see bench/outbound.ts).
 * 4b. A fault run: 60 replies in 10 conversations while the Twilio simulator answers 429, refused
 *    5xx and lost answers; every reply sent once, in order, none lost (see bench/fault-run.ts).
 * 5. The settings page's bundle, raw and gzipped (no goal given; printed so growth is seen).
 * 3b. A Meta batch of 50 messages in one POST against 50 single POSTs and one single POST (goal:
 *    the batch is acknowledged in ≤ 3× one message's warm latency; see bench/meta-batch.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { build, type Plugin } from 'esbuild';
import { WEBHOOK_BUNDLING } from '../lib/bundling';
import { LOCAL_SDK_TIMEOUTS, sdkTimeoutEnvironment } from '../lib/scaling';
import { motoClientEnv, startMoto } from '../local/moto';
import { benchMetaBatch, META_BATCH_SIZE, purgeBetweenRounds, rawBatchWrites, seedMetaBench, type MetaBatchFigures } from './meta-batch';
import { benchFaultRun } from './fault-run';
import { benchOutbound } from './outbound';
import { buildWeb } from '../web/build';
import { provisionFromTemplates } from '../local/resources';
import { seedDemo } from '../local/seed';
import { synthesizeTemplates } from '../local/synth';
import { inboundTextFields, randomSid, signedTwilioEvent } from '../test/support/twilio-webhook';

const ROOT = resolve(__dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const WEBHOOK_ENTRY = join(ROOT, 'lambdas/handlers/webhook/index.ts');
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);
const WARM_REQUESTS = Number(process.env.BENCH_WARM_REQUESTS ?? 300);
const WARMUP_REQUESTS = 30;

/** Swaps the webhooks module for the full client, leaving every other byte of the handler alone. */
const fullTwilioClient: Plugin = {
  name: 'full-twilio-client',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^twilio\/lib\/webhooks\/webhooks$/ }, () => ({
      path: join(ROOT, 'bench/full-twilio-webhooks.ts'),
    }));
  },
};

async function bundle(name: string, plugins: Plugin[] = []): Promise<{ file: string; bytes: number; byPart: Record<string, number> }> {
  const file = join(OUT, `${name}.js`);
  const result = await build({ ...WEBHOOK_BUNDLING, entryPoints: [WEBHOOK_ENTRY], outfile: file, plugins, logLevel: 'error', metafile: true });
  const inputs = Object.values(result.metafile.outputs)[0]?.inputs ?? {};
  const byPart: Record<string, number> = {};
  for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
    const part = partOf(input);
    byPart[part] = (byPart[part] ?? 0) + bytesInOutput;
  }
  return { file, bytes: statSync(file).size, byPart };
}

/**
 * Which part of the one webhook bundle an input belongs to. Every route (Twilio's three, Meta's GET
 * and POST, 360dialog's POST) is served by the same function, so each route's bundle is this one;
 * the split shows what each provider adds to it.
 */
function partOf(input: string): string {
  const provider = /lambdas\/providers\/whatsapp\/(twilio|meta|dialog360|cloud-api)\//.exec(input);
  if (provider) return `provider: ${provider[1]}`;
  if (input.includes('node_modules/twilio/')) return 'twilio webhooks module';
  if (input.includes('node_modules/@aws-sdk/') || input.includes('node_modules/@smithy/')) return 'AWS SDK v3';
  if (input.includes('node_modules/')) return 'other packages';
  return 'our code (domain, adapters, handler)';
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Configuration that lets the bundle's cold start validate its env without touching AWS. */
const COLD_ENV = {
  CONNECTIONS_TABLE: 'connections',
  CONVERSATIONS_TABLE: 'conversations',
  MESSAGES_TABLE: 'messages',
  DEDUPE_TABLE: 'dedupe',
  INBOUND_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/inbound.fifo',
  EVENT_BUS_NAME: 'bus',
  AWS_REGION: 'us-east-1',
  POWERTOOLS_SERVICE_NAME: 'bench',
};

/** Milliseconds to `require` a bundle in a fresh process: the module-init part of a cold start. */
function coldInit(file: string): number[] {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  return Array.from({ length: COLD_RUNS }, () => {
    const run = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ...COLD_ENV }, encoding: 'utf8', cwd: ROOT });
    if (run.status !== 0) throw new Error(`loading ${file} failed: ${run.stderr}`);
    return Number(run.stdout);
  });
}

/** Wall time of a process that does nothing: what every cold start pays before our code. */
function bareNodeStart(): number[] {
  return Array.from({ length: COLD_RUNS }, () => {
    const started = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', ''], { encoding: 'utf8' });
    return Number(process.hrtime.bigint() - started) / 1e6;
  });
}

async function warmLatency(
  bundleFile: string,
): Promise<{ handler: number[]; handlerWithoutArchive: number[]; roundTrips: number[]; metaBatch: MetaBatchFigures }> {
  const moto = await startMoto();
  try {
    Object.assign(process.env, motoClientEnv(moto.endpoint));
    const { stateful, stateless } = synthesizeTemplates();
    const resources = await provisionFromTemplates({ stateful, stateless, endpoint: moto.endpoint, namePrefix: 'bench' });
    const env = resources.functionEnv.webhook;
    const accountSid = `AC${'b'.repeat(32)}`;
    const authToken = 'c'.repeat(32);
    const number = '+14155238886';
    await seedDemo({
      endpoint: moto.endpoint,
      region: resources.region,
      connectionsTable: env.CONNECTIONS_TABLE,
      accountSid,
      authToken,
      whatsappNumber: number,
      secretPrefix: 'echo-whatsapp',
      connectionId: 'bench',
      businessId: 'bench',
    });
    await seedMetaBench({ endpoint: moto.endpoint, region: resources.region, connectionsTable: env.CONNECTIONS_TABLE, secretPrefix: 'echo-whatsapp' });
    // The deployed 3 s request timeout is enforced now; moto on a busy laptop (a 50-item transaction
    // of the Meta batch) needs the local runtime's limits, or the bench measures 503s.
    Object.assign(process.env, env, sdkTimeoutEnvironment(LOCAL_SDK_TIMEOUTS), { POWERTOOLS_SERVICE_NAME: 'bench' });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(bundleFile) as {
      handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
    };
    // The same bundle loaded again without ARCHIVE_BUCKET (a second cold start): archiving off. The
    // archive's added latency is the difference between the two, measured interleaved in one run.
    delete require.cache[require.resolve(bundleFile)];
    process.env.ARCHIVE_BUCKET = '';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler: withoutArchive } = require(bundleFile) as { handler: typeof handler };
    process.env.ARCHIVE_BUCKET = env.ARCHIVE_BUCKET;

    const invoke = async (i: number, target: typeof handler = handler): Promise<number> => {
      const fields = inboundTextFields({ accountSid, to: number, from: `+52155${String(10_000_000 + (i % 50))}`, body: `mensaje ${i}` });
      const event = signedTwilioEvent({ path: '/webhook/whatsapp/twilio/bench', fields, authToken });
      const started = process.hrtime.bigint();
      const response = await target(event);
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (response.statusCode !== 200) throw new Error(`webhook answered ${response.statusCode}: ${response.body}`);
      return elapsed;
    };

    // The floor: the same two calls, made directly with the same SDK against the same moto.
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const sqs = new SQSClient({});
    const roundTrip = async (i: number): Promise<number> => {
      const id = randomSid('SM');
      const conversationId = `cv_BENCH${i % 50}`;
      const started = process.hrtime.bigint();
      await documents.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: env.DEDUPE_TABLE, Item: { dedupeKey: `bench#${id}`, messageId: id }, ConditionExpression: 'attribute_not_exists(dedupeKey)' } },
            { Put: { TableName: env.MESSAGES_TABLE, Item: { conversationId, messageId: id, text: `mensaje ${i}` } } },
            {
              Update: {
                TableName: env.CONVERSATIONS_TABLE,
                Key: { conversationId },
                UpdateExpression: 'SET lastMessageAt = :at',
                ExpressionAttributeValues: { ':at': new Date().toISOString() },
              },
            },
          ],
        }),
      );
      await sqs.send(
        new SendMessageCommand({ QueueUrl: env.INBOUND_QUEUE_URL, MessageBody: JSON.stringify({ id }), MessageGroupId: conversationId, MessageDeduplicationId: id }),
      );
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    // Interleaved, so that both series see moto in the same state: moto slows down as its tables
    // and queues fill, and measuring one series after the other would favour the first.
    // The handler logs and emits metrics to stdout; keep them out of the report but still pay their cost.
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    const handlerTimes: number[] = [];
    const withoutArchiveTimes: number[] = [];
    const roundTrips: number[] = [];
    let metaBatch: MetaBatchFigures;
    try {
      for (let i = 0; i < WARMUP_REQUESTS; i++) {
        await invoke(i);
        await invoke(i, withoutArchive);
        await roundTrip(i);
      }
      for (let i = 0; i < WARM_REQUESTS; i++) {
        handlerTimes.push(await invoke(WARMUP_REQUESTS + i));
        withoutArchiveTimes.push(await invoke(WARMUP_REQUESTS + i, withoutArchive));
        roundTrips.push(await roundTrip(WARMUP_REQUESTS + i));
      }
      metaBatch = await benchMetaBatch(handler, rawBatchWrites(env), purgeBetweenRounds(env.INBOUND_QUEUE_URL));
    } finally {
      process.stdout.write = write;
    }
    documents.destroy();
    sqs.destroy();
    return { handler: handlerTimes, handlerWithoutArchive: withoutArchiveTimes, roundTrips, metaBatch };
  } finally {
    await moto.stop();
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const verdict = (ok: boolean) => (ok ? '✔ meets goal' : '✖ misses goal');

async function main(): Promise<void> {
  // Locally Node 20 is fine (Lambda runs 22); the SDK's notice about Node 20 would only be noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  mkdirSync(OUT, { recursive: true });
  console.log('Echo WhatsApp benchmark — webhook\n');

  const ours = await bundle('webhook');
  const full = await bundle('webhook-full-twilio-client', [fullTwilioClient]);
  console.log('1. Bundle size (minified, as deployed)');
  console.log(`   webhook bundle                 ${kb(ours.bytes).padStart(11)}   ${verdict(ours.bytes <= 800 * 1024)} (≤ 800 KB)`);
  console.log(`   baseline: with full twilio     ${kb(full.bytes).padStart(11)}`);
  console.log('   one function serves every route (Twilio inbound/status/fallback, Meta GET+POST, 360dialog POST); what each part adds:');
  for (const [part, bytes] of Object.entries(ours.byPart).sort((a, b) => b[1] - a[1])) {
    console.log(`     ${part.padEnd(38)} ${kb(bytes).padStart(10)}`);
  }
  console.log('');

  const bare = median(bareNodeStart());
  const oursInit = median(coldInit(ours.file));
  const fullInit = median(coldInit(full.file));
  console.log(`2. Cold module init (median of ${COLD_RUNS} fresh processes)`);
  console.log(`   webhook bundle                 ${ms(oursInit).padStart(11)}   ${(oursInit / fullInit).toFixed(2)}× the full-client bundle, ${verdict(oursInit <= 0.5 * fullInit)} (≤ 0.5×)`);
  console.log(`   baseline: with full twilio     ${ms(fullInit).padStart(11)}`);
  console.log(`   baseline: bare node start      ${ms(bare).padStart(11)}   (whole process, before any module)\n`);

  const warm = await warmLatency(ours.file);
  const handlerP50 = percentile(warm.handler, 50);
  const handlerP99 = percentile(warm.handler, 99);
  const floorP50 = percentile(warm.roundTrips, 50);
  const floorP99 = percentile(warm.roundTrips, 99);
  console.log(`3. Warm handler latency, signed inbound message against moto (${WARM_REQUESTS} requests, 50 conversations)`);
  console.log(`   webhook handler                p50 ${ms(handlerP50).padStart(9)}   p99 ${ms(handlerP99).padStart(9)}`);
  console.log(`   baseline: 2 moto round trips   p50 ${ms(floorP50).padStart(9)}   p99 ${ms(floorP99).padStart(9)}`);
  console.log(`   p99 ratio ${(handlerP99 / floorP99).toFixed(2)}×, ${verdict(handlerP99 <= 3 * floorP99)} (≤ 3×)`);
  const offP50 = percentile(warm.handlerWithoutArchive, 50);
  const offP99 = percentile(warm.handlerWithoutArchive, 99);
  const archiveP50 = handlerP50 - offP50;
  const archiveP99 = handlerP99 - offP99;
  console.log(`   archive added latency, warm webhook p50 ${ms(archiveP50).padStart(9)}   p99 ${ms(archiveP99).padStart(9)}   (archive on − off; off: p50 ${ms(offP50)}, p99 ${ms(offP99)})`);
  console.log(`   the S3 PutObject runs beside the DynamoDB transaction, ${verdict(archiveP50 <= 5)} (≤ 5 ms at p50)\n`);

  const meta = warm.metaBatch;
  console.log(`3b. Meta Cloud API batch, warm, against moto (median of ${meta.rounds} rounds; ${META_BATCH_SIZE} messages from 10 customers)`);
  console.log(`   one POST of ${META_BATCH_SIZE} messages          ${ms(meta.batchMs).padStart(11)}   ${(meta.batchMs / meta.singleMs).toFixed(2)}× one message, ${verdict(meta.batchMs <= 3 * meta.singleMs)} (≤ 3×)`);
  console.log(`   baseline: ${META_BATCH_SIZE} single POSTs          ${ms(meta.fiftySinglesMs).padStart(11)}   (the batch takes ${((meta.batchMs / meta.fiftySinglesMs) * 100).toFixed(0)}% of it)`);
  console.log(`   baseline: one single POST       ${ms(meta.singleMs).padStart(11)}`);
  console.log(`   floor: the batch's own writes   ${ms(meta.batchFloorMs).padStart(11)}   (2 TransactWriteItems + 5 SendMessageBatch, direct; the batch is ${(meta.batchMs / meta.batchFloorMs).toFixed(2)}× it)`);
  console.log("   moto's cost grows with the items written, not only with the calls, so beside the goal read the batch");
  console.log('   against its own floor. In DynamoDB a 100-item transaction is one round trip.\n');

  const outboundMoto = await startMoto();
  const outbound = await benchOutbound(outboundMoto).finally(() => outboundMoto.stop());
  console.log(`4. Outbound: send Lambda → Twilio simulator (100 conversations, ${outbound.consumers} local pollers)`);
  console.log(`   pipeline throughput            ${outbound.pipelinePerSecond.toFixed(1).padStart(8)} msg/s   ${(outbound.ratio * 100).toFixed(1)}% of the raw rate, ${verdict(outbound.ratio >= 0.7)} (≥ 70%)`);
  console.log(`   baseline: simulator raw accept ${outbound.rawAcceptPerSecond.toFixed(1).padStart(8)} msg/s`);
  console.log(`   enqueue → BSP accepted         p50 ${ms(outbound.enqueueToBspP50Ms).padStart(9)}   p99 ${ms(outbound.enqueueToBspP99Ms).padStart(9)}   (paced: 4 msg/s)`);
  const mix = Object.entries(outbound.motoCallMix)
    .sort((a, b) => b[1] - a[1])
    .map(([action, perMessage]) => `${action} ${perMessage.toFixed(1)}`)
    .join(', ');
  console.log(`   ÷ moto's own ceiling           ${outbound.motoCeilingPerSecond.toFixed(1).padStart(8)} msg/s   ratio ${outbound.ratioToMotoCeiling.toFixed(2)}, ${verdict(outbound.ratioToMotoCeiling >= 0.9)} (≥ 0.9; the send path's call mix replayed directly, same concurrency)`);
  console.log(`   AWS calls per sent message     ${outbound.motoCallsPerMessage.toFixed(1).padStart(8)}         ${verdict(outbound.motoCallsPerMessage <= 6)} (≤ 6; with its 3 status callbacks and the event relay's PutEvents)`);
  console.log(`   calls per sent message: ${outbound.motoCallsPerMessage.toFixed(1)} (${outbound.motoCallsPerMessageWithoutArchive.toFixed(1)} without the archive's S3 writes; the archive is issue #11's audit log)`);
  const secretReads = outbound.secretReadsAtSeconds;
  const early = secretReads.filter((at) => at < 5).length;
  const relay = outbound.relayed;
  console.log(`   event relay                    ${relay.events}/${relay.expected} status events in ${relay.calls} PutEvents${relay.caughtUp ? '' : ' (✖ the relay had not caught up after 90 s: the figure above undercounts its calls)'}`);
  const errors = Object.entries(outbound.answeredWithError).map(([action, count]) => `${action} ${count}`).join(', ');
  console.log(`   moto answered with an error     ${errors || 'none'}`);
  console.log(`   GetSecretValue                 ${secretReads.length} in the window (${early} in its first 5 s, ${secretReads.length - early} later; cache TTL 300 s)`);
  console.log(`   where the time goes: moto      ${ms(outbound.motoMeanCallMs)} per call on average, moto busy ${(outbound.motoBusyFraction * 100).toFixed(0)}% of the drain`);
  console.log(`                                  (${mix})\n`);

  const fault = await benchFaultRun();
  const f = fault.faults;
  console.log(`4b. Fault run: send Lambda → Twilio simulator, ${fault.conversations} conversations × ${fault.messages / fault.conversations} replies, interleaved`);
  console.log(`   faults: ${(f.rate429 ?? 0) * 100}% 429 (Retry-After ${f.retryAfterSeconds} s), ${(f.rate5xx ?? 0) * 100}% refused 5xx, ${(f.rateLostAnswer ?? 0) * 100}% lost answers`);
  console.log(`   send env: ${Object.entries(fault.sendEnv).map(([key, value]) => `${key}=${value}`).join(' ')}`);
  const faultOk = fault.sentOnce === fault.messages && fault.conversationsInOrder === fault.conversations && fault.lost === 0 && fault.duplicates === 0 && fault.dlqDepth === 0 && fault.failed === 0;
  console.log(`   sent once ${fault.sentOnce}/${fault.messages}   in order ${fault.conversationsInOrder}/${fault.conversations} conversations   lost ${fault.lost}   duplicates ${fault.duplicates}   DLQ ${fault.dlqDepth}   failed ${fault.failed}   not accepted ${fault.notAccepted}`);
  for (const bodies of fault.outOfOrder) console.log(`   out of order, as accepted: ${bodies.join(' → ')}`);
  console.log(`   simulator: ${fault.simulator.requests} requests, ${fault.simulator.accepted} accepted, ${fault.simulator.rejected429} × 429, ${fault.simulator.refused5xx} refused 5xx, ${fault.simulator.lostAnswers} lost answers`);
  console.log(`   drained in ${fault.drainSeconds.toFixed(1)} s${fault.timedOut ? ' (TIMED OUT)' : ''}, ${verdict(faultOk)} (every reply once, in order, none lost, DLQ empty, none failed)\n`);

  const page = settingsPageSize();
  console.log('5. Settings page (web/, minified, as CloudFront serves it)');
  console.log(`   app.js                          ${kb(page.js).padStart(10)}   ${kb(page.jsGzip)} gzipped`);
  console.log(`   app.css + index.html            ${kb(page.css + page.html).padStart(10)}   ${kb(page.cssGzip + page.htmlGzip)} gzipped\n`);

  const results = {
    measuredAt: new Date().toISOString(),
    node: process.version,
    bundleBytes: { webhook: ours.bytes, fullTwilioClient: full.bytes, webhookByPart: ours.byPart },
    metaBatch: warm.metaBatch,
    coldInitMs: { webhook: oursInit, fullTwilioClient: fullInit, bareNodeStart: bare },
    warmMs: {
      handlerP50,
      handlerP99,
      roundTripsP50: floorP50,
      roundTripsP99: floorP99,
      withoutArchiveP50: percentile(warm.handlerWithoutArchive, 50),
      withoutArchiveP99: percentile(warm.handlerWithoutArchive, 99),
    },
    outbound,
    faultRun: fault,
    settingsPageBytes: page,
  };
  writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`Figures also written to ${join('bench', 'out', 'results.json')}`);
}

main().catch((error: unknown) => {
  console.error(`✖ benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

/** The settings page as `buildWeb` writes it, raw and gzipped (what a phone downloads). */
function settingsPageSize() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-web-'));
  try {
    buildWeb(dir);
    const size = (file: string) => statSync(join(dir, file)).size;
    const gzipped = (file: string) => gzipSync(readFileSync(join(dir, file))).length;
    return {
      js: size('app.js'),
      jsGzip: gzipped('app.js'),
      css: size('app.css'),
      cssGzip: gzipped('app.css'),
      html: size('index.html'),
      htmlGzip: gzipped('index.html'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
