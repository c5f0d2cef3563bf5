/**
 * Creates in moto what the synthesized stateful template declares, and resolves each function's
 * environment against what was created. Local and cloud read the same templates, so a table,
 * index, queue setting or environment variable cannot exist in one and not in the other.
 */
import { randomBytes } from 'node:crypto';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type Projection,
} from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient, ResourceAlreadyExistsException } from '@aws-sdk/client-eventbridge';
import { BucketAlreadyOwnedByYou, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueNameExists,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createEventRules, planEventRules } from './event-rules';
import {
  MOTO_ACCOUNT_ID,
  TemplateResolutionError,
  eventBusArn,
  eventSourceMappingsOf,
  exportsOf,
  functionsOf,
  importedExportNames,
  referencedLogicalIds,
  planStatefulResources,
  queueAttributes,
  resolveEnvironment,
  resolveValue,
  scheduleRulesOf,
  standInFor,
  tableArn,
  type CfnTemplate,
  type FunctionInfo,
  type PhysicalResource,
  type ResolveContext,
  type TablePlan,
} from './template';

export interface LocalTable {
  logicalId: string;
  name: string;
  arn: string;
  /** Partition and sort key attribute names, as the template declares them. */
  partitionKey: string;
  sortKey?: string;
  indexes: string[];
  ttlAttribute?: string;
  /** The table's DynamoDB stream, when the template gives it one (the event relay reads it). */
  streamArn?: string;
}

export interface LocalQueue {
  logicalId: string;
  name: string;
  url: string;
  arn: string;
  fifo: boolean;
  /** Logical id of the queue this one redrives to, if any. */
  deadLetterQueue?: string;
}

export interface LocalEventBus {
  logicalId: string;
  name: string;
  arn: string;
}

export interface LocalBucket {
  logicalId: string;
  name: string;
  arn: string;
}

/** Variables of one function that refer to something not emulated and so got a placeholder value. */
export interface PlaceholderVariables {
  functionLogicalId: string;
  variables: string[];
  /** The line in `ProvisionedResources.warnings` that reports them. */
  warning: string;
}

/** A queue → function event source mapping of the template, with the queue resolved to a local one. */
export interface LocalEventSource {
  /** Logical id of the `AWS::Lambda::EventSourceMapping`. */
  logicalId: string;
  functionLogicalId: string;
  /** The function's short name (`send`, `ai`…). */
  functionName: string;
  /** Logical id of the queue in `queues`. */
  queueLogicalId: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  maximumConcurrency?: number;
  enabled: boolean;
}

/** A table stream → function event source mapping of the template (the event relay's). */
export interface LocalStreamSource {
  logicalId: string;
  functionLogicalId: string;
  functionName: string;
  /** Logical id of the table in `tables`. */
  tableLogicalId: string;
  streamArn: string;
  batchSize: number;
  reportBatchItemFailures: boolean;
  /** JSON filter patterns: only matching records are delivered (none: every record). */
  filterPatterns: string[];
  /** Attempts of a failing batch before it is given up (the template's MaximumRetryAttempts; -1: no limit). */
  maximumRetryAttempts: number;
  enabled: boolean;
}

/** One function target of a scheduled EventBridge rule of the template. */
export interface LocalSchedule {
  /** Logical id of the `AWS::Events::Rule`. */
  ruleLogicalId: string;
  /** The rule's name: its literal `Name`, else `<namePrefix>-<logicalId>`. */
  ruleName: string;
  /** What scheduled events carry in `resources`. */
  ruleArn: string;
  /** As in the template (`rate(5 minutes)`…); locally every schedule fires on one interval. */
  scheduleExpression: string;
  enabled: boolean;
  functionLogicalId: string;
  functionName: string;
  /** The target's constant `Input`, when set: sent instead of the scheduled event. */
  input?: string;
}

export interface ProvisionOptions {
  /** Synthesized template of the stateful stack (tables, queues, bus, exports). */
  stateful: CfnTemplate;
  /** Synthesized template of the stateless stack (functions, routes). */
  stateless: CfnTemplate;
  statefulStackName?: string;
  statelessStackName?: string;
  /** moto's endpoint, e.g. `http://127.0.0.1:5005`. */
  endpoint: string;
  region?: string;
  /** Account id moto uses in ARNs. @default '123456789012' */
  accountId?: string;
  /** Every created name starts with this. @default 'echo-local' */
  namePrefix?: string;
  /**
   * Appends a random (`true`) or given suffix to `namePrefix`, so test files sharing one moto server
   * never see each other's resources. @default false
   */
  uniqueSuffix?: boolean | string;
  /** Where progress lines go. @default no output */
  log?: (line: string) => void;
}

export interface ProvisionedResources {
  /** The prefix actually used (with the unique suffix, if any). */
  namePrefix: string;
  region: string;
  accountId: string;
  /** By logical id. */
  tables: Record<string, LocalTable>;
  queues: Record<string, LocalQueue>;
  buses: Record<string, LocalEventBus>;
  /** S3 buckets (the payload archive…), by logical id; created without encryption or lifecycle. */
  buckets: Record<string, LocalBucket>;
  /** The custom event bus, when the stateful stack declares exactly one. */
  bus?: LocalEventBus;
  functions: FunctionInfo[];
  /**
   * Each function's resolved environment, by logical id and by its short name (`webhook`, …).
   * Does not include AWS's own variables (region, credentials): add `motoClientEnv(endpoint)`.
   */
  functionEnv: Record<string, Record<string, string>>;
  /** Variables that got a placeholder value (a caller that sets them itself may drop their warning). */
  placeholders: PlaceholderVariables[];
  /** Queue consumers declared by the stateless template (its event source mappings). */
  eventSources: LocalEventSource[];
  /** Table stream consumers declared by the stateless template (the event relay). */
  streamSources: LocalStreamSource[];
  /** Scheduled functions declared by the stateless template (its scheduled rules), one per target. */
  schedules: LocalSchedule[];
  /** Things a reader should know: skipped resource types, stand-ins used in environments. */
  warnings: string[];
}

function clientConfig(endpoint: string, region: string) {
  return {
    endpoint,
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}

/** Creates (or finds) a table; returns its stream's ARN when the template gives it a stream. */
async function createTable(client: DynamoDBClient, plan: TablePlan): Promise<string | undefined> {
  const indexProjection = (projection: Record<string, unknown>) => projection as Projection;
  const input: CreateTableCommandInput = {
    TableName: plan.name,
    KeySchema: plan.keySchema,
    AttributeDefinitions: plan.attributeDefinitions,
    // Every table of ours is on-demand; moto ignores capacity anyway.
    BillingMode: 'PAY_PER_REQUEST',
    GlobalSecondaryIndexes: plan.globalSecondaryIndexes.length
      ? plan.globalSecondaryIndexes.map((index) => ({ ...index, Projection: indexProjection(index.Projection) }))
      : undefined,
    LocalSecondaryIndexes: plan.localSecondaryIndexes.length
      ? plan.localSecondaryIndexes.map((index) => ({ ...index, Projection: indexProjection(index.Projection) }))
      : undefined,
    StreamSpecification: plan.streamViewType
      ? { StreamEnabled: true, StreamViewType: plan.streamViewType as 'NEW_AND_OLD_IMAGES' }
      : undefined,
  };
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    await assertSameKeys(client, plan);
  }
  let streamArn: string | undefined;
  if (plan.streamViewType) {
    streamArn = (await client.send(new DescribeTableCommand({ TableName: plan.name }))).Table?.LatestStreamArn;
    // A table left by a run of a template without the stream: the event relay needs it now.
    if (!streamArn) {
      const updated = await client.send(
        new UpdateTableCommand({ TableName: plan.name, StreamSpecification: { StreamEnabled: true, StreamViewType: plan.streamViewType as 'NEW_AND_OLD_IMAGES' } }),
      );
      streamArn = updated.TableDescription?.LatestStreamArn;
    }
  }
  if (plan.ttlAttribute) {
    try {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: plan.name,
          TimeToLiveSpecification: { AttributeName: plan.ttlAttribute, Enabled: true },
        }),
      );
    } catch (error) {
      // A second run finds TTL already enabled, which DynamoDB (and moto) report as an error.
      if (!/already enabled/i.test(String((error as Error).message))) throw error;
    }
  }
  return streamArn;
}

/**
 * A table left by an earlier run with another key schema or other indexes would make handlers fail
 * in confusing ways; say so plainly instead.
 */
async function assertSameKeys(client: DynamoDBClient, plan: TablePlan): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: plan.name }));
  const keys = (schema: { AttributeName?: string; KeyType?: string }[] | undefined) =>
    JSON.stringify((schema ?? []).map((key) => `${key.KeyType}:${key.AttributeName}`).sort());
  const indexNames = (indexes: { IndexName?: string }[] | undefined) =>
    JSON.stringify((indexes ?? []).map((index) => index.IndexName).sort());
  if (
    keys(Table?.KeySchema) !== keys(plan.keySchema) ||
    indexNames(Table?.GlobalSecondaryIndexes) !== indexNames(plan.globalSecondaryIndexes)
  ) {
    throw new TemplateResolutionError(
      `table ${plan.name} already exists in moto with other keys or indexes than the template declares: ` +
        'restart moto (or reset it with `curl -X POST <moto>/moto-api/reset`) and run again',
    );
  }
}

function firstKey(plan: TablePlan, type: 'HASH' | 'RANGE'): string | undefined {
  return plan.keySchema.find((key) => key.KeyType === type)?.AttributeName;
}

/**
 * Creates (or finds, on a second run) every table, queue and event bus of the stateful template in
 * moto, and resolves every function's environment of the stateless template against them.
 * Idempotent: running it twice against the same moto with the same prefix is safe.
 * @example
 * const local = await provisionFromTemplates({ stateful, stateless, endpoint: moto.endpoint });
 * local.functionEnv.webhook // { MESSAGES_TABLE_NAME: 'echo-local-MessagesTable…', … }
 */
export async function provisionFromTemplates(options: ProvisionOptions): Promise<ProvisionedResources> {
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const accountId = options.accountId ?? MOTO_ACCOUNT_ID;
  const suffix =
    options.uniqueSuffix === true ? randomBytes(4).toString('hex') : options.uniqueSuffix ? options.uniqueSuffix : '';
  const namePrefix = `${options.namePrefix ?? 'echo-local'}${suffix ? `-${suffix}` : ''}`;
  const log = options.log ?? (() => undefined);
  const statefulStackName = options.statefulStackName ?? 'EchoWhatsAppStateful';
  const statelessStackName = options.statelessStackName ?? 'EchoWhatsAppStateless';
  const config = clientConfig(options.endpoint, region);
  const warnings: string[] = [];

  const plan = planStatefulResources(options.stateful, { namePrefix });
  // Pattern rules into the template's queues (the media step's trigger) are created below.
  const rules = planEventRules(options.stateful, namePrefix);
  for (const skipped of plan.skipped) {
    if (rules.some((rule) => rule.logicalId === skipped.logicalId)) continue;
    warnings.push(`not created locally: ${skipped.logicalId} (${skipped.type})`);
  }

  const physical: Record<string, PhysicalResource> = {};
  const tables: Record<string, LocalTable> = {};
  const queues: Record<string, LocalQueue> = {};
  const buses: Record<string, LocalEventBus> = {};
  const buckets: Record<string, LocalBucket> = {};

  const dynamodb = new DynamoDBClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const sqs = new SQSClient(config);
  const events = new EventBridgeClient(config);
  try {
    await Promise.all(
      plan.tables.map(async (table) => {
        const streamArn = await createTable(dynamodb, table);
        const arn = tableArn(region, accountId, table.name);
        physical[table.logicalId] = {
          type: 'AWS::DynamoDB::Table',
          ref: table.name,
          attributes: { Arn: arn, ...(streamArn && { StreamArn: streamArn }) },
        };
        tables[table.logicalId] = {
          logicalId: table.logicalId,
          name: table.name,
          arn,
          partitionKey: firstKey(table, 'HASH') as string,
          sortKey: firstKey(table, 'RANGE'),
          indexes: table.globalSecondaryIndexes.map((index) => index.IndexName),
          ttlAttribute: table.ttlAttribute,
          ...(streamArn && { streamArn }),
        };
        log(`table   ${table.name}`);
      }),
    );

    const statefulContext: ResolveContext = {
      template: options.stateful,
      stackName: statefulStackName,
      region,
      accountId,
      resources: physical,
    };

    // In dependency order: a queue's RedrivePolicy names its DLQ's ARN, which must exist first.
    for (const queue of plan.queues) {
      const properties = resolveValue(queue.properties, statefulContext) as Record<string, unknown>;
      const attributes = queueAttributes(properties);
      let url: string;
      try {
        url = (await sqs.send(new CreateQueueCommand({ QueueName: queue.name, Attributes: attributes }))).QueueUrl as string;
      } catch (error) {
        // Same name, other attributes (the template changed since the last run): update in place.
        if (!(error instanceof QueueNameExists)) throw error;
        url = (await sqs.send(new GetQueueUrlCommand({ QueueName: queue.name }))).QueueUrl as string;
        const { FifoQueue: _fifo, ...changeable } = attributes;
        await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: changeable }));
      }
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
      const arn = Attributes?.QueueArn as string;
      physical[queue.logicalId] = {
        type: 'AWS::SQS::Queue',
        ref: url,
        attributes: { Arn: arn, QueueName: queue.name, QueueUrl: url },
      };
      const redrive = properties.RedrivePolicy as { deadLetterTargetArn?: string } | undefined;
      queues[queue.logicalId] = {
        logicalId: queue.logicalId,
        name: queue.name,
        url,
        arn,
        fifo: queue.fifo,
        deadLetterQueue: Object.values(queues).find((other) => other.arn === redrive?.deadLetterTargetArn)?.logicalId,
      };
      log(`queue   ${queue.name}`);
    }

    for (const bus of plan.buses) {
      try {
        await events.send(new CreateEventBusCommand({ Name: bus.name }));
      } catch (error) {
        if (!(error instanceof ResourceAlreadyExistsException)) throw error;
      }
      const arn = eventBusArn(region, accountId, bus.name);
      physical[bus.logicalId] = { type: 'AWS::Events::EventBus', ref: bus.name, attributes: { Arn: arn, Name: bus.name } };
      buses[bus.logicalId] = { logicalId: bus.logicalId, name: bus.name, arn };
      log(`bus     ${bus.name}`);
    }

    await createEventRules(events, rules, { buses, queues }, log);

    for (const bucket of plan.buckets) {
      try {
        await s3.send(new CreateBucketCommand({ Bucket: bucket.name }));
      } catch (error) {
        if (!(error instanceof BucketAlreadyOwnedByYou)) throw error;
      }
      const arn = `arn:aws:s3:::${bucket.name}`;
      physical[bucket.logicalId] = {
        type: 'AWS::S3::Bucket',
        ref: bucket.name,
        attributes: { Arn: arn, DomainName: `${bucket.name}.s3.amazonaws.com`, RegionalDomainName: `${bucket.name}.s3.${region}.amazonaws.com` },
      };
      buckets[bucket.logicalId] = { logicalId: bucket.logicalId, name: bucket.name, arn };
      log(`bucket  ${bucket.name}`);
    }

    const functions = functionsOf(options.stateless);
    const placeholders: PlaceholderVariables[] = [];
    // What both resolutions read: the templates, where they run, and what was created for them.
    const resolution = {
      stateful: options.stateful,
      stateless: options.stateless,
      statefulStackName,
      statelessStackName,
      region,
      accountId,
      namePrefix,
      physical,
      functions,
      warnings,
    };
    const functionEnv = resolveFunctionEnvironments({ ...resolution, placeholders });
    const { eventSources, streamSources, schedules } = resolveInvocations({ ...resolution, queues, tables });

    const busList = Object.values(buses);
    return {
      namePrefix,
      region,
      accountId,
      tables,
      queues,
      buses,
      buckets,
      bus: busList.length === 1 ? busList[0] : undefined,
      functions,
      functionEnv,
      placeholders,
      eventSources,
      streamSources,
      schedules,
      warnings,
    };
  } finally {
    dynamodb.destroy();
    sqs.destroy();
    events.destroy();
    s3.destroy();
  }
}

/**
 * Resolves every function's `Environment.Variables`: stateful resources by their local identity
 * (through the stateful stack's exports for `Fn::ImportValue`), anything not emulated by a stand-in
 * that is reported in `warnings`. Pure, so it is unit-tested with a fixture template.
 */
export function resolveFunctionEnvironments(input: {
  stateful: CfnTemplate;
  stateless: CfnTemplate;
  statefulStackName: string;
  statelessStackName: string;
  region: string;
  accountId: string;
  namePrefix: string;
  /** Local identities of the stateful stack's resources, by logical id. */
  physical: Record<string, PhysicalResource>;
  functions?: FunctionInfo[];
  warnings?: string[];
  /** Collects, per function, the variables that got a placeholder (each also in `warnings`). */
  placeholders?: PlaceholderVariables[];
}): Record<string, Record<string, string>> {
  const warnings = input.warnings ?? [];
  const imports = exportsOf({
    template: input.stateful,
    stackName: input.statefulStackName,
    region: input.region,
    accountId: input.accountId,
    resources: input.physical,
    standIn: (logicalId, resource) =>
      standInFor(logicalId, resource, { region: input.region, accountId: input.accountId, prefix: input.namePrefix }),
  });
  // Exports whose value names a stateful resource that is not created locally (the KMS key…):
  // a function importing one gets a stand-in, and the reader should know.
  const standInExports = new Map<string, string>();
  for (const output of Object.values(input.stateful.Outputs ?? {})) {
    if (typeof output.Export?.Name !== 'string') continue;
    for (const id of referencedLogicalIds(output.Value)) {
      const resource = input.stateful.Resources?.[id];
      if (resource && !input.physical[id]) standInExports.set(output.Export.Name, `${id} (${resource.Type})`);
    }
  }
  const functions = input.functions ?? functionsOf(input.stateless);
  const nameCounts = new Map<string, number>();
  functions.forEach((fn) => nameCounts.set(fn.name, (nameCounts.get(fn.name) ?? 0) + 1));

  const out: Record<string, Record<string, string>> = {};
  for (const fn of functions) {
    const env: Record<string, string> = {};
    /** Stand-in → the variables that use it. */
    const standIns = new Map<string, string[]>();
    const note = (standIn: string, variable: string) => standIns.set(standIn, [...(standIns.get(standIn) ?? []), variable]);
    // Variable by variable, so that a warning can say which variables got a placeholder.
    for (const [variable, value] of Object.entries(fn.environment)) {
      const used = new Set<string>();
      Object.assign(
        env,
        resolveEnvironment(
          { [variable]: value },
          {
            template: input.stateless,
            stackName: input.statelessStackName,
            region: input.region,
            accountId: input.accountId,
            resources: {},
            imports,
            standIn: (logicalId, resource) => {
              used.add(`${logicalId} (${resource.Type})`);
              return standInFor(logicalId, resource, { region: input.region, accountId: input.accountId, prefix: input.namePrefix });
            },
          },
        ),
      );
      for (const exportName of importedExportNames(value)) {
        const standIn = standInExports.get(exportName);
        if (standIn) used.add(`${standIn} of the stateful stack`);
      }
      used.forEach((standIn) => note(standIn, variable));
    }
    for (const [standIn, variables] of standIns) {
      const warning =
        `${fn.name}: ${variables.join(', ')} ${variables.length === 1 ? 'refers' : 'refer'} to ${standIn}, ` +
        'which is not emulated; it gets a placeholder value';
      warnings.push(warning);
      input.placeholders?.push({ functionLogicalId: fn.logicalId, variables, warning });
    }
    out[fn.logicalId] = env;
    // A short name shared by two functions would be ambiguous: those are reachable by logical id only.
    if (nameCounts.get(fn.name) === 1) out[fn.name] = env;
  }
  return out;
}

/**
 * What invokes the functions that no route serves, from the stateless template: each SQS event
 * source mapping with its queue resolved to the local queue of the same ARN, and each scheduled
 * rule's function targets. Pure, so it is unit-tested with a fixture template.
 * @example
 * resolveInvocations({ ...input, queues }).eventSources // [{ functionName: 'send', queueLogicalId: 'OutboundQueue…', batchSize: 10, … }]
 */
export function resolveInvocations(input: {
  stateful: CfnTemplate;
  stateless: CfnTemplate;
  statefulStackName: string;
  statelessStackName: string;
  region: string;
  accountId: string;
  namePrefix: string;
  physical: Record<string, PhysicalResource>;
  /** The local queues, by logical id (an event source is matched to one by ARN). */
  queues: Record<string, LocalQueue>;
  /** The local tables, by logical id (a stream event source is matched to one by its stream ARN). */
  tables?: Record<string, LocalTable>;
  functions?: FunctionInfo[];
  warnings?: string[];
}): { eventSources: LocalEventSource[]; streamSources: LocalStreamSource[]; schedules: LocalSchedule[] } {
  const warnings = input.warnings ?? [];
  const functions = input.functions ?? functionsOf(input.stateless);
  const nameOf = (logicalId: string) => functions.find((fn) => fn.logicalId === logicalId)?.name ?? logicalId;
  const standIn = (logicalId: string, resource: Parameters<typeof standInFor>[1]) =>
    standInFor(logicalId, resource, { region: input.region, accountId: input.accountId, prefix: input.namePrefix });
  const imports = exportsOf({
    template: input.stateful,
    stackName: input.statefulStackName,
    region: input.region,
    accountId: input.accountId,
    resources: input.physical,
    standIn,
  });
  const ctx: ResolveContext = {
    template: input.stateless,
    stackName: input.statelessStackName,
    region: input.region,
    accountId: input.accountId,
    resources: {},
    imports,
    standIn,
  };

  const eventSources: LocalEventSource[] = [];
  const streamSources: LocalStreamSource[] = [];
  for (const mapping of eventSourceMappingsOf(input.stateless)) {
    const arn = resolveValue(mapping.eventSourceArn, ctx);
    const queue = Object.values(input.queues).find((candidate) => candidate.arn === arn);
    const table = Object.values(input.tables ?? {}).find((candidate) => candidate.streamArn !== undefined && candidate.streamArn === arn);
    if (!queue && table) {
      streamSources.push({
        logicalId: mapping.logicalId,
        functionLogicalId: mapping.functionLogicalId,
        functionName: nameOf(mapping.functionLogicalId),
        tableLogicalId: table.logicalId,
        streamArn: table.streamArn as string,
        batchSize: mapping.batchSize,
        reportBatchItemFailures: mapping.reportBatchItemFailures,
        filterPatterns: mapping.filterPatterns,
        maximumRetryAttempts: mapping.maximumRetryAttempts ?? -1,
        enabled: mapping.enabled,
      });
      continue;
    }
    if (!queue) {
      warnings.push(`${nameOf(mapping.functionLogicalId)}: event source ${String(arn)} is not a local queue; it is not polled`);
      continue;
    }
    eventSources.push({
      logicalId: mapping.logicalId,
      functionLogicalId: mapping.functionLogicalId,
      functionName: nameOf(mapping.functionLogicalId),
      queueLogicalId: queue.logicalId,
      batchSize: mapping.batchSize,
      maximumBatchingWindowSeconds: mapping.maximumBatchingWindowSeconds,
      reportBatchItemFailures: mapping.reportBatchItemFailures,
      ...(mapping.maximumConcurrency !== undefined && { maximumConcurrency: mapping.maximumConcurrency }),
      enabled: mapping.enabled,
    });
  }

  const schedules: LocalSchedule[] = [];
  for (const rule of scheduleRulesOf(input.stateless)) {
    const ruleName = rule.name ?? `${input.namePrefix}-${rule.logicalId}`;
    for (const target of rule.targets) {
      schedules.push({
        ruleLogicalId: rule.logicalId,
        ruleName,
        ruleArn: `arn:aws:events:${input.region}:${input.accountId}:rule/${ruleName}`,
        scheduleExpression: rule.scheduleExpression,
        enabled: rule.enabled,
        functionLogicalId: target.functionLogicalId,
        functionName: nameOf(target.functionLogicalId),
        ...(target.input !== undefined && { input: target.input }),
      });
    }
  }
  return { eventSources, streamSources, schedules };
}
