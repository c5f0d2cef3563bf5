/**
 * `npm run capacity`: each stage's ceiling in messages per second, read from the synthesized
 * template (route throttles, reserved concurrency, event source mappings, tables, GSIs and their
 * write shards) against the default AWS account quotas, and the first bottleneck.
 *
 * A "message" here is one conversation turn at full load: one inbound customer message and one
 * reply, whose three status callbacks (sent, delivered, read) come back to the webhook. Design
 * durations (how long a batch or request takes in AWS) come from lib/scaling.ts; everything else
 * comes from the template. Quotas are the documented defaults of us-east-1; `--region-quotas=low`
 * uses the lower defaults of most other regions.
 *
 * Usage: npm run capacity [-- --json] [-- --region-quotas=low]
 */
import { AI_SCALING, EVENT_RELAY_DEFAULTS, LAMBDA_ACCOUNT_CONCURRENCY, SEND_SCALING, WEBHOOK_SCALING } from '../lib/scaling';
import { OUTCOME_PENDING_SHARDS, WINDOW_EXPIRY_SHARDS } from '../lambdas/domain/write-shards';
import { synthesizeTemplates } from '../local/synth';
import { eventSourceMappingsOf, functionsOf, type CfnTemplate } from '../local/template';

/** Default service quotas (per account and region) this product meets first. */
export const DEFAULT_QUOTAS = {
  standard: {
    lambdaConcurrency: LAMBDA_ACCOUNT_CONCURRENCY.total,
    /** API Gateway: requests per second across all APIs of the account. */
    apiGatewayRps: 10_000,
    /** SQS FIFO high-throughput mode: API calls per second per action per queue. */
    fifoHighThroughputTps: 70_000,
    /** A FIFO message group. */
    fifoPerGroupTps: 300,
    /** DynamoDB on-demand: write request units per second per table. */
    dynamoTableWru: 40_000,
    /** One partition (of a table or a GSI). */
    dynamoPartitionWru: 1_000,
    /** EventBridge PutEvents (counted per entry here, the conservative reading). */
    putEventsTps: 10_000,
    secretsManagerTps: 10_000,
  },
  low: {
    lambdaConcurrency: LAMBDA_ACCOUNT_CONCURRENCY.total,
    apiGatewayRps: 10_000,
    fifoHighThroughputTps: 9_000,
    fifoPerGroupTps: 300,
    dynamoTableWru: 40_000,
    dynamoPartitionWru: 1_000,
    putEventsTps: 400,
    secretsManagerTps: 10_000,
  },
} as const;

/** What one BSP number may send (messages per second): WhatsApp's default and coexistence rates. */
export const BSP_NUMBER_RATE = { default: 80, coexistence: 20 } as const;

/** Status callbacks per sent message. */
const STATUSES = 3;

/**
 * DynamoDB write request units one conversation turn costs, per table (items ≤ 1 KB count 1 WRU,
 * 2 KB items 2; a transaction writes each item twice). The messages table: the inbound message (2 KB
 * with its outbox entry, in a transaction: 4), the reply recorded and claimed (4), accepted with its
 * BSP-id mapping (transaction: 4), three status updates (2 each: 6) → 18.
 */
const WRU_PER_TURN = { messages: 18, conversations: 2 * 1, dedupe: 2 * 1 + 2 * 1 + 1 } as const;

export interface Stage {
  name: string;
  /** Turns (messages in and out) per second the stage can carry. */
  perSecond: number;
  /** How the figure was reached. */
  basis: string;
  /** The quota or setting to raise first. */
  raise: string;
}

function resourcesOfType(template: CfnTemplate, type: string) {
  return Object.entries(template.Resources ?? {}).filter(([, resource]) => resource.Type === type);
}

/**
 * The stages of the pipeline with their ceilings, from the templates.
 * @example stagesOf(synthesizeTemplates()).sort((a, b) => a.perSecond - b.perSecond)[0] // the first bottleneck
 */
export function stagesOf(templates: { stateful: CfnTemplate; stateless: CfnTemplate }, quotas: (typeof DEFAULT_QUOTAS)['standard' | 'low'] = DEFAULT_QUOTAS.standard): Stage[] {
  const { stateless, stateful } = templates;
  const functions = functionsOf(stateless);
  const byName = (name: string) => functions.find((fn) => fn.name === name);
  const reservedOf = (name: string) => {
    const fn = byName(name);
    const resource = fn ? stateless.Resources?.[fn.logicalId] : undefined;
    return resource?.Properties?.ReservedConcurrentExecutions as number | undefined;
  };
  const mappings = eventSourceMappingsOf(stateless);
  const mappingOf = (name: string) => mappings.filter((mapping) => mapping.functionLogicalId === byName(name)?.logicalId);

  // Route throttles of the webhook API's stage.
  const stage = resourcesOfType(stateless, 'AWS::ApiGatewayV2::Stage').find(([, resource]) =>
    Object.keys((resource.Properties?.RouteSettings as object | undefined) ?? {}).some((key) => key.includes('/webhook/')),
  )?.[1];
  const routes = (stage?.Properties?.RouteSettings ?? {}) as Record<string, { ThrottlingRateLimit?: number }>;
  const rate = (predicate: (key: string) => boolean) =>
    Object.entries(routes).filter(([key]) => predicate(key)).reduce((sum, [, value]) => sum + (value.ThrottlingRateLimit ?? 0), 0);
  const twilioInbound = rate((key) => key === 'POST /webhook/whatsapp/twilio/{connectionId}');
  const twilioStatus = rate((key) => key.endsWith('/status'));
  const cloudPosts = Object.entries(routes).filter(([key]) => key.startsWith('POST') && !key.includes('/twilio/'));

  const stages: Stage[] = [];
  stages.push({
    name: 'webhook routes (inbound, per provider)',
    perSecond: Math.min(twilioInbound, twilioStatus / STATUSES, ...cloudPosts.map(([, value]) => (value.ThrottlingRateLimit ?? 0) / (1 + STATUSES))),
    basis:
      `Twilio inbound ${twilioInbound}/s and /status ${twilioStatus}/s (3 per reply); ` +
      `Cloud API POST ${cloudPosts.map(([, value]) => value.ThrottlingRateLimit).join('/')}/s carries a message and its 3 statuses`,
    raise: 'the webhookThrottle prop (WEBHOOK_SCALING.throttle); the account limit below first',
  });
  const webhookReserved = reservedOf('webhook') ?? 0;
  const webhookRps = (webhookReserved * 1000) / WEBHOOK_SCALING.p99DurationMs;
  stages.push({
    name: 'webhook function',
    perSecond: webhookRps / (1 + STATUSES),
    basis: `${webhookReserved} reserved executions / ${WEBHOOK_SCALING.p99DurationMs} ms p99 = ${Math.round(webhookRps)} requests/s, 4 per turn`,
    raise: 'WEBHOOK_SCALING.reservedConcurrency, after the Lambda concurrency quota',
  });
  stages.push({
    name: 'API Gateway (account)',
    perSecond: quotas.apiGatewayRps / (1 + STATUSES),
    basis: `${quotas.apiGatewayRps} requests/s per account and region, 4 per turn`,
    raise: 'Service Quotas: API Gateway "Throttle rate"',
  });
  const highThroughput = resourcesOfType(stateful, 'AWS::SQS::Queue').filter(([, queue]) => queue.Properties?.FifoThroughputLimit === 'perMessageGroupId');
  stages.push({
    name: 'inbound and outbound FIFO queues',
    perSecond: highThroughput.length >= 2 ? quotas.fifoHighThroughputTps / 2 : 300 / 2,
    basis: `${highThroughput.length} queues in high-throughput mode: ${quotas.fifoHighThroughputTps} calls/s per action; a turn sends and deletes on each (per conversation ≤ ${quotas.fifoPerGroupTps}/s)`,
    raise: 'none needed (AWS raises FIFO high-throughput limits on request)',
  });
  const [ai] = mappingOf('ai');
  const aiConcurrency = ai?.maximumConcurrency ?? quotas.lambdaConcurrency;
  stages.push({
    name: 'inbound queue → AI',
    perSecond: (aiConcurrency * (ai?.batchSize ?? 10) * 1000) / AI_SCALING.batchDurationMs,
    basis: `${aiConcurrency} concurrent batches of ${ai?.batchSize ?? 10} / ${AI_SCALING.batchDurationMs} ms (responder 'none'; an http responder's latency replaces it)`,
    raise: 'AI_SCALING.maxConcurrency, and the Echo AI endpoint',
  });
  const [send] = mappingOf('send');
  const sendConcurrency = send?.maximumConcurrency ?? quotas.lambdaConcurrency;
  stages.push({
    name: 'outbound queue → send',
    perSecond: (sendConcurrency * (send?.batchSize ?? 10) * 1000) / SEND_SCALING.batchDurationMs,
    basis:
      `${sendConcurrency} concurrent batches of ${send?.batchSize ?? 10} (conversations side by side) / ${SEND_SCALING.batchDurationMs} ms; ` +
      `each number ≤ ${BSP_NUMBER_RATE.default}/s (${BSP_NUMBER_RATE.coexistence}/s in coexistence): ≥ ${Math.ceil(1000 / BSP_NUMBER_RATE.default)} numbers for 1,000/s`,
    raise: 'SEND_SCALING.maxConcurrency (and more numbers: a number never exceeds its BSP rate)',
  });
  for (const [table, wru] of Object.entries(WRU_PER_TURN)) {
    stages.push({
      name: `DynamoDB ${table} table`,
      perSecond: quotas.dynamoTableWru / wru,
      basis: `${quotas.dynamoTableWru} WRU/s per on-demand table, ${wru} WRU per turn`,
      raise: 'Service Quotas: DynamoDB "Table-level write throughput limit"',
    });
  }
  stages.push({
    name: 'GSI byWindowExpiry',
    perSecond: WINDOW_EXPIRY_SHARDS * quotas.dynamoPartitionWru,
    basis: `${WINDOW_EXPIRY_SHARDS} write shards × ${quotas.dynamoPartitionWru} writes/s per partition, 1 write per inbound message`,
    raise: 'WINDOW_EXPIRY_SHARDS (readers first: see lambdas/domain/write-shards.ts)',
  });
  stages.push({
    name: 'GSI byOutcomeDeadline',
    perSecond: (OUTCOME_PENDING_SHARDS * quotas.dynamoPartitionWru) / 2,
    basis: `${OUTCOME_PENDING_SHARDS} write shards × ${quotas.dynamoPartitionWru} writes/s, a claim and its settling per reply`,
    raise: 'OUTCOME_PENDING_SHARDS (readers first)',
  });
  const relay = mappingOf('event-relay');
  const parallel = EVENT_RELAY_DEFAULTS.parallelizationFactor;
  stages.push({
    name: 'event relay (streams → bus)',
    perSecond: ((parallel * (relay[0]?.batchSize ?? EVENT_RELAY_DEFAULTS.batchSize) * 1000) / EVENT_RELAY_DEFAULTS.batchDurationMs) / (1 + STATUSES),
    basis: `per stream shard: ${parallel} batches of ${relay[0]?.batchSize ?? EVENT_RELAY_DEFAULTS.batchSize} / ${EVENT_RELAY_DEFAULTS.batchDurationMs} ms; 4 events per turn (more shards as the table grows)`,
    raise: 'none (shards follow the table); the bus below',
  });
  stages.push({
    name: 'EventBridge PutEvents',
    perSecond: quotas.putEventsTps / (1 + STATUSES),
    basis: `${quotas.putEventsTps}/s per account and region, counted per event (4 per turn); 10 per call makes it 10× in practice`,
    raise: 'Service Quotas: EventBridge "PutEvents throttle limit in transactions per second"',
  });
  stages.push({
    name: 'Secrets Manager',
    perSecond: quotas.secretsManagerTps * 300,
    basis: `${quotas.secretsManagerTps} GetSecretValue/s; each container reads a connection's secret once per 300 s (not per message)`,
    raise: 'none',
  });
  return stages;
}

/** The Lambda concurrency the template reserves or caps, against the account's quota. */
export function concurrencyBudget(stateless: CfnTemplate): { reserved: number; capped: number; total: number } {
  const reserved = resourcesOfType(stateless, 'AWS::Lambda::Function').reduce(
    (sum, [, fn]) => sum + ((fn.Properties?.ReservedConcurrentExecutions as number | undefined) ?? 0),
    0,
  );
  const capped = eventSourceMappingsOf(stateless).reduce((sum, mapping) => sum + (mapping.maximumConcurrency ?? 0), 0);
  return { reserved, capped, total: LAMBDA_ACCOUNT_CONCURRENCY.total };
}

function main(): void {
  const args = process.argv.slice(2);
  const quotas = args.includes('--region-quotas=low') ? DEFAULT_QUOTAS.low : DEFAULT_QUOTAS.standard;
  const templates = synthesizeTemplates();
  const stages = stagesOf(templates, quotas);
  const first = [...stages].sort((a, b) => a.perSecond - b.perSecond)[0]!;
  const budget = concurrencyBudget(templates.stateless);
  if (args.includes('--json')) {
    console.log(JSON.stringify({ stages, firstBottleneck: first.name, concurrency: budget }, null, 2));
    return;
  }
  const fmt = (value: number) => Math.floor(value).toLocaleString('en-US').padStart(9);
  console.log('Echo WhatsApp — capacity per stage (conversation turns per second: one message in, one reply out with 3 statuses)\n');
  for (const stage of stages) {
    const mark = stage === first ? '◀ first bottleneck' : stage.perSecond >= 1_000 ? '' : '✖ under 1,000/s';
    console.log(`${stage.name.padEnd(40)} ${fmt(stage.perSecond)}/s  ${mark}`);
    console.log(`${''.padEnd(40)}   ${stage.basis}`);
  }
  console.log(
    `\nLambda concurrency: ${budget.reserved} reserved (webhook) + ${budget.capped} capped by mappings (send, AI, …) ` +
      `of ${budget.total} per account; AWS keeps ${LAMBDA_ACCOUNT_CONCURRENCY.unreservedMinimum} unreserved.`,
  );
  const goal = first.perSecond >= 1_000;
  console.log(
    `\nFirst bottleneck: ${first.name} at ${Math.floor(first.perSecond).toLocaleString('en-US')}/s — ` +
      `${goal ? '✔ meets' : '✖ misses'} the goal of ≥ 1,000 inbound and ≥ 1,000 outbound messages/s across businesses.` +
      `\nTo go beyond it, raise: ${first.raise}.`,
  );
}

if (require.main === module) main();
