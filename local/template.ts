/**
 * Reads synthesized CloudFormation templates: which tables, queues and buses the stateful stack
 * declares, which functions and routes the stateless stack declares, and what a function's
 * environment variables resolve to once those resources exist under local names.
 *
 * Pure: no AWS calls, no CDK import. `resources.ts` creates what this plans; tests feed it fixtures.
 */

/** The parts of a CloudFormation template this module reads. */
export interface CfnTemplate {
  Resources?: Record<string, CfnResource>;
  Outputs?: Record<string, CfnOutput>;
  Conditions?: Record<string, unknown>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Parameters?: Record<string, { Type?: string; Default?: unknown }>;
}

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  Condition?: string;
}

export interface CfnOutput {
  Value: unknown;
  Export?: { Name: unknown };
  Condition?: string;
}

/**
 * What a resource's `Ref` and `Fn::GetAtt` return once it exists: `ref` for `Ref`, `attributes`
 * for `Fn::GetAtt` (e.g. `Arn`, `QueueUrl`).
 */
export interface PhysicalResource {
  type: string;
  ref: string;
  attributes: Record<string, string>;
}

/** Raised when a template value cannot be resolved locally; the message names the value and why. */
export class TemplateResolutionError extends Error {}

/** moto's default account id: ARNs built here must match the ones moto returns. */
export const MOTO_ACCOUNT_ID = '123456789012';

export interface ResolveContext {
  template: CfnTemplate;
  stackName: string;
  region: string;
  accountId: string;
  /** Physical identities of this template's resources, by logical id. */
  resources: Record<string, PhysicalResource>;
  /** Export name → value, for `Fn::ImportValue` (the stateful stack's exports). */
  imports?: Record<string, string>;
  /**
   * Called for a `Ref`/`Fn::GetAtt` to a resource that is not in `resources` (something the local
   * runtime does not emulate, e.g. the HTTP API itself). Return a stand-in or undefined to fail.
   */
  standIn?: (logicalId: string, resource: CfnResource) => PhysicalResource | undefined;
}

const PSEUDO_PARAMETERS: Record<string, (ctx: ResolveContext) => string> = {
  'AWS::Region': (ctx) => ctx.region,
  'AWS::AccountId': (ctx) => ctx.accountId,
  'AWS::Partition': () => 'aws',
  'AWS::URLSuffix': () => 'amazonaws.com',
  'AWS::StackName': (ctx) => ctx.stackName,
  'AWS::StackId': (ctx) =>
    `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${ctx.stackName}/00000000-0000-0000-0000-000000000000`,
};

/** Marks `Ref: AWS::NoValue`: the property or list item is dropped. */
const NO_VALUE = Symbol('AWS::NoValue');

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function intrinsicOf(value: unknown): [string, unknown] | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0];
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::') ? [key, value[key]] : undefined;
}

function physicalOf(logicalId: string, ctx: ResolveContext, what: string): PhysicalResource {
  const known = ctx.resources[logicalId];
  if (known) return known;
  const resource = ctx.template.Resources?.[logicalId];
  if (!resource) {
    throw new TemplateResolutionError(`${what}: no resource ${logicalId} in stack ${ctx.stackName}`);
  }
  const standIn = ctx.standIn?.(logicalId, resource);
  if (standIn) return standIn;
  throw new TemplateResolutionError(
    `${what}: ${logicalId} (${resource.Type}) in stack ${ctx.stackName} is not created locally`,
  );
}

function asString(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TemplateResolutionError(`${what} did not resolve to a string (got ${JSON.stringify(value)})`);
}

function evaluateCondition(name: string, ctx: ResolveContext): boolean {
  const condition = ctx.template.Conditions?.[name];
  if (condition === undefined) throw new TemplateResolutionError(`unknown condition ${name}`);
  return Boolean(resolveAny(condition, ctx));
}

function substitute(template: string, variables: Record<string, unknown>, ctx: ResolveContext): string {
  return template.replace(/\$\{(!?)([^}]+)\}/g, (_match, bang: string, name: string) => {
    if (bang) return `\${${name}}`; // `${!Literal}` stands for the text `${Literal}`
    if (name in variables) return asString(resolveAny(variables[name], ctx), `Fn::Sub variable ${name}`);
    const [logicalId, attribute] = name.split(/\.(.*)/s);
    return asString(
      resolveAny(attribute ? { 'Fn::GetAtt': [logicalId, attribute] } : { Ref: logicalId }, ctx),
      `Fn::Sub \${${name}}`,
    );
  });
}

function resolveIntrinsic(name: string, argument: unknown, ctx: ResolveContext): unknown {
  switch (name) {
    case 'Ref': {
      const target = asString(argument, 'Ref');
      if (target === 'AWS::NoValue') return NO_VALUE;
      const pseudo = PSEUDO_PARAMETERS[target];
      if (pseudo) return pseudo(ctx);
      const parameter = ctx.template.Parameters?.[target];
      if (parameter) {
        if (parameter.Default === undefined) {
          throw new TemplateResolutionError(`Ref ${target}: parameter without a default`);
        }
        return parameter.Default;
      }
      return physicalOf(target, ctx, `Ref ${target}`).ref;
    }
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = Array.isArray(argument)
        ? [asString(argument[0], 'Fn::GetAtt'), asString(resolveAny(argument[1], ctx), 'Fn::GetAtt')]
        : asString(argument, 'Fn::GetAtt').split(/\.(.*)/s);
      const physical = physicalOf(logicalId, ctx, `Fn::GetAtt ${logicalId}.${attribute}`);
      const value = physical.attributes[attribute];
      if (value === undefined) {
        throw new TemplateResolutionError(
          `Fn::GetAtt ${logicalId}.${attribute}: attribute not emulated for ${physical.type} ` +
            `(known: ${Object.keys(physical.attributes).join(', ') || 'none'})`,
        );
      }
      return value;
    }
    case 'Fn::ImportValue': {
      const exportName = asString(resolveAny(argument, ctx), 'Fn::ImportValue');
      const value = ctx.imports?.[exportName];
      if (value === undefined) {
        throw new TemplateResolutionError(`Fn::ImportValue ${exportName}: no such export in the stateful stack`);
      }
      return value;
    }
    case 'Fn::Join': {
      if (!Array.isArray(argument) || argument.length !== 2) throw new TemplateResolutionError('Fn::Join: bad arguments');
      const separator = asString(argument[0], 'Fn::Join separator');
      const items = resolveAny(argument[1], ctx);
      if (!Array.isArray(items)) throw new TemplateResolutionError('Fn::Join: second argument is not a list');
      return items.map((item) => asString(item, 'Fn::Join item')).join(separator);
    }
    case 'Fn::Sub': {
      if (typeof argument === 'string') return substitute(argument, {}, ctx);
      if (Array.isArray(argument) && typeof argument[0] === 'string' && isObject(argument[1])) {
        return substitute(argument[0], argument[1], ctx);
      }
      throw new TemplateResolutionError('Fn::Sub: bad arguments');
    }
    case 'Fn::Select': {
      if (!Array.isArray(argument) || argument.length !== 2) throw new TemplateResolutionError('Fn::Select: bad arguments');
      const index = Number(resolveAny(argument[0], ctx));
      const list = resolveAny(argument[1], ctx);
      if (!Array.isArray(list) || !(index >= 0 && index < list.length)) {
        throw new TemplateResolutionError(`Fn::Select: index ${index} out of range`);
      }
      return list[index];
    }
    case 'Fn::Split': {
      if (!Array.isArray(argument) || argument.length !== 2) throw new TemplateResolutionError('Fn::Split: bad arguments');
      return asString(resolveAny(argument[1], ctx), 'Fn::Split source').split(asString(argument[0], 'Fn::Split delimiter'));
    }
    case 'Fn::FindInMap': {
      if (!Array.isArray(argument) || argument.length < 3) throw new TemplateResolutionError('Fn::FindInMap: bad arguments');
      const [map, top, second] = argument.slice(0, 3).map((part) => asString(resolveAny(part, ctx), 'Fn::FindInMap key'));
      const value = ctx.template.Mappings?.[map]?.[top]?.[second];
      if (value === undefined) throw new TemplateResolutionError(`Fn::FindInMap: no ${map}.${top}.${second}`);
      return resolveAny(value, ctx);
    }
    case 'Fn::If': {
      if (!Array.isArray(argument) || argument.length !== 3) throw new TemplateResolutionError('Fn::If: bad arguments');
      return resolveAny(evaluateCondition(asString(argument[0], 'Fn::If'), ctx) ? argument[1] : argument[2], ctx);
    }
    case 'Condition':
      return evaluateCondition(asString(argument, 'Condition'), ctx);
    case 'Fn::Equals': {
      if (!Array.isArray(argument) || argument.length !== 2) throw new TemplateResolutionError('Fn::Equals: bad arguments');
      return JSON.stringify(resolveAny(argument[0], ctx)) === JSON.stringify(resolveAny(argument[1], ctx));
    }
    case 'Fn::Not':
      return !(Array.isArray(argument) && resolveAny(argument[0], ctx));
    case 'Fn::And':
      return Array.isArray(argument) && argument.every((item) => Boolean(resolveAny(item, ctx)));
    case 'Fn::Or':
      return Array.isArray(argument) && argument.some((item) => Boolean(resolveAny(item, ctx)));
    default:
      throw new TemplateResolutionError(`${name} is not supported by the local runtime`);
  }
}

function resolveAny(value: unknown, ctx: ResolveContext): unknown {
  const intrinsic = intrinsicOf(value);
  if (intrinsic) return resolveIntrinsic(intrinsic[0], intrinsic[1], ctx);
  if (Array.isArray(value)) {
    return value.map((item) => resolveAny(item, ctx)).filter((item) => item !== NO_VALUE);
  }
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const resolved = resolveAny(item, ctx);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }
  return value;
}

/**
 * Resolves every intrinsic function in `value` (`Ref`, `Fn::GetAtt`, `Fn::ImportValue`, `Fn::Join`,
 * `Fn::Sub`, `Fn::Select`, `Fn::Split`, `Fn::FindInMap`, `Fn::If` and conditions).
 * @example
 * resolveValue({ 'Fn::GetAtt': ['InboundQueue', 'Arn'] }, ctx) // 'arn:aws:sqs:us-east-1:123456789012:…'
 */
export function resolveValue(value: unknown, ctx: ResolveContext): unknown {
  const resolved = resolveAny(value, ctx);
  return resolved === NO_VALUE ? undefined : resolved;
}

/**
 * The stack's exports (`Outputs.*.Export.Name` → resolved `Value`), which the other stack reads
 * with `Fn::ImportValue`. CDK turns every cross-stack reference into one of these.
 */
export function exportsOf(ctx: ResolveContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [outputId, output] of Object.entries(ctx.template.Outputs ?? {})) {
    if (!output.Export) continue;
    if (output.Condition && !evaluateCondition(output.Condition, ctx)) continue;
    const name = asString(resolveValue(output.Export.Name, ctx), `Outputs.${outputId}.Export.Name`);
    out[name] = asString(resolveValue(output.Value, ctx), `Outputs.${outputId}.Value`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Local names and physical identities
// ---------------------------------------------------------------------------------------------

/** AWS name length limits of what we create. A FIFO queue name includes its `.fifo` suffix. */
const NAME_LIMITS = { table: 255, queue: 80, bus: 256, bucket: 63 } as const;

function shortHash(text: string): string {
  // FNV-1a, 32 bits: deterministic and dependency-free; only used to keep truncated names unique.
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * The local name of a resource: `<prefix>-<logicalId>` (plus `.fifo` for FIFO queues), truncated
 * with a hash when it would exceed the service's limit. Deterministic: the same template and prefix
 * always give the same names, so a second run finds what the first created.
 * @example localName('echo-local', 'InboundQueue1A2B3C4D', 'queue', true) // 'echo-local-InboundQueue1A2B3C4D.fifo'
 */
export function localName(prefix: string, logicalId: string, kind: keyof typeof NAME_LIMITS, fifo = false): string {
  const suffix = fifo ? '.fifo' : '';
  const full = `${prefix}-${logicalId}`;
  const limit = NAME_LIMITS[kind] - suffix.length;
  if (full.length <= limit) return `${full}${suffix}`;
  return `${full.slice(0, limit - 9)}-${shortHash(full)}${suffix}`;
}

export function tableArn(region: string, accountId: string, name: string): string {
  return `arn:aws:dynamodb:${region}:${accountId}:table/${name}`;
}

export function queueArn(region: string, accountId: string, name: string): string {
  return `arn:aws:sqs:${region}:${accountId}:${name}`;
}

export function eventBusArn(region: string, accountId: string, name: string): string {
  return `arn:aws:events:${region}:${accountId}:event-bus/${name}`;
}

// ---------------------------------------------------------------------------------------------
// Stateful plan: what to create in moto
// ---------------------------------------------------------------------------------------------

export interface KeyElement {
  AttributeName: string;
  KeyType: 'HASH' | 'RANGE';
}

export interface TablePlan {
  logicalId: string;
  name: string;
  keySchema: KeyElement[];
  attributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  globalSecondaryIndexes: { IndexName: string; KeySchema: KeyElement[]; Projection: Record<string, unknown> }[];
  localSecondaryIndexes: { IndexName: string; KeySchema: KeyElement[]; Projection: Record<string, unknown> }[];
  streamViewType?: string;
  /** TTL attribute when the template enables TTL. */
  ttlAttribute?: string;
}

export interface QueuePlan {
  logicalId: string;
  name: string;
  fifo: boolean;
  /**
   * SQS attributes as CloudFormation gives them (may still hold intrinsics, e.g. the DLQ ARN in
   * `RedrivePolicy`); resolve once the queues they name exist.
   */
  properties: Record<string, unknown>;
  /** Logical ids this queue's properties refer to (its DLQ): create those first. */
  dependsOn: string[];
}

export interface EventBusPlan {
  logicalId: string;
  name: string;
}

/** An S3 bucket: only its name matters locally (S3 names are lower case, ≤ 63 characters). */
export interface BucketPlan {
  logicalId: string;
  name: string;
}

export interface StatefulPlan {
  tables: TablePlan[];
  queues: QueuePlan[];
  buses: EventBusPlan[];
  buckets: BucketPlan[];
  /** Resources deliberately not created locally (KMS keys, policies, alarms…), by type. */
  skipped: { logicalId: string; type: string }[];
}

export function referencedLogicalIds(value: unknown, into: Set<string> = new Set()): Set<string> {
  const intrinsic = intrinsicOf(value);
  if (intrinsic?.[0] === 'Ref' && typeof intrinsic[1] === 'string' && !intrinsic[1].startsWith('AWS::')) {
    into.add(intrinsic[1]);
  } else if (intrinsic?.[0] === 'Fn::GetAtt') {
    const argument = intrinsic[1];
    const id = Array.isArray(argument) ? argument[0] : typeof argument === 'string' ? argument.split('.')[0] : undefined;
    if (typeof id === 'string') into.add(id);
  } else if (Array.isArray(value)) {
    value.forEach((item) => referencedLogicalIds(item, into));
  } else if (isObject(value)) {
    Object.values(value).forEach((item) => referencedLogicalIds(item, into));
  }
  return into;
}

const TABLE_TYPES = new Set(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable']);

function planTable(logicalId: string, properties: Record<string, unknown>, prefix: string): TablePlan {
  const ttl = properties.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
  const stream = properties.StreamSpecification as { StreamViewType?: string; StreamEnabled?: boolean } | undefined;
  const indexes = (key: string) =>
    ((properties[key] as Record<string, unknown>[] | undefined) ?? []).map((index) => ({
      IndexName: index.IndexName as string,
      KeySchema: index.KeySchema as KeyElement[],
      Projection: (index.Projection as Record<string, unknown>) ?? { ProjectionType: 'ALL' },
    }));
  const keySchema = properties.KeySchema as KeyElement[] | undefined;
  if (!keySchema?.length) throw new TemplateResolutionError(`table ${logicalId} has no KeySchema`);
  return {
    logicalId,
    name: localName(prefix, logicalId, 'table'),
    keySchema,
    attributeDefinitions: (properties.AttributeDefinitions as TablePlan['attributeDefinitions']) ?? [],
    globalSecondaryIndexes: indexes('GlobalSecondaryIndexes'),
    localSecondaryIndexes: indexes('LocalSecondaryIndexes'),
    streamViewType: stream && stream.StreamEnabled !== false ? stream.StreamViewType : undefined,
    ttlAttribute: ttl?.Enabled && ttl.AttributeName ? ttl.AttributeName : undefined,
  };
}

/**
 * Queue properties that are not SQS attributes (name, tags) or that moto does not need (encryption).
 * Our names come from the logical id; KMS keys are not created locally.
 */
const QUEUE_PROPERTIES_NOT_EMULATED = new Set([
  'QueueName',
  'Tags',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
]);

/** Types the local runtime has no use for: encryption, policies, alarms, CDK bookkeeping. */
const IGNORED_TYPES = /^(AWS::KMS::|AWS::IAM::|AWS::SQS::QueuePolicy$|AWS::CloudWatch::|AWS::CDK::Metadata$|AWS::SNS::TopicPolicy$|AWS::Events::EventBusPolicy$)/;

/**
 * What the stateful stack declares that the local runtime creates in moto: DynamoDB tables (keys,
 * GSIs, LSIs, on-demand, TTL, streams), SQS queues (FIFO, dedup, timeouts, retention, redrive)
 * and EventBridge buses. Encryption and PITR settings are deliberately left out: moto does not need
 * them and they change nothing a handler can observe.
 * @example
 * const plan = planStatefulResources(template, { namePrefix: 'echo-local' });
 */
export function planStatefulResources(template: CfnTemplate, options: { namePrefix: string }): StatefulPlan {
  const plan: StatefulPlan = { tables: [], queues: [], buses: [], buckets: [], skipped: [] };
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const properties = resource.Properties ?? {};
    if (TABLE_TYPES.has(resource.Type)) {
      plan.tables.push(planTable(logicalId, properties, options.namePrefix));
    } else if (resource.Type === 'AWS::SQS::Queue') {
      const fifo = properties.FifoQueue === true || properties.FifoQueue === 'true';
      // Dropped before resolution: the KMS key they name is not created locally.
      const kept = Object.fromEntries(Object.entries(properties).filter(([key]) => !QUEUE_PROPERTIES_NOT_EMULATED.has(key)));
      plan.queues.push({
        logicalId,
        name: localName(options.namePrefix, logicalId, 'queue', fifo),
        fifo,
        properties: kept,
        dependsOn: [...referencedLogicalIds(kept)].filter((id) => id !== logicalId),
      });
    } else if (resource.Type === 'AWS::Events::EventBus') {
      plan.buses.push({ logicalId, name: localName(options.namePrefix, logicalId, 'bus') });
    } else if (resource.Type === 'AWS::S3::Bucket') {
      plan.buckets.push({ logicalId, name: localName(options.namePrefix, logicalId, 'bucket').toLowerCase() });
    } else if (!IGNORED_TYPES.test(resource.Type)) {
      plan.skipped.push({ logicalId, type: resource.Type });
    }
  }
  plan.queues = orderByDependencies(plan.queues);
  return plan;
}

function orderByDependencies(queues: QueuePlan[]): QueuePlan[] {
  const byId = new Map(queues.map((queue) => [queue.logicalId, queue]));
  const ordered: QueuePlan[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (queue: QueuePlan) => {
    if (state.get(queue.logicalId) === 'done') return;
    if (state.get(queue.logicalId) === 'visiting') {
      throw new TemplateResolutionError(`queues refer to each other in a cycle at ${queue.logicalId}`);
    }
    state.set(queue.logicalId, 'visiting');
    for (const id of queue.dependsOn) {
      const dependency = byId.get(id);
      if (dependency) visit(dependency);
    }
    state.set(queue.logicalId, 'done');
    ordered.push(queue);
  };
  queues.forEach(visit);
  return ordered;
}

/**
 * SQS `CreateQueue` attributes from a queue's (resolved) CloudFormation properties. The CloudFormation
 * property names equal the SQS attribute names except for the queue name and tags; KMS settings are
 * dropped (moto needs none).
 */
export function queueAttributes(resolvedProperties: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(resolvedProperties)) {
    if (QUEUE_PROPERTIES_NOT_EMULATED.has(key) || value === undefined || value === null) continue;
    out[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Stateless side: functions, routes, environments
// ---------------------------------------------------------------------------------------------

export interface RouteInfo {
  /** `POST /webhook/whatsapp/twilio/{connectionId}` */
  routeKey: string;
  functionLogicalId: string;
  /** `JWT` when the route has a JWT authorizer (its issuer and audience are the cloud's; locally the dev issuer's apply). */
  authorizationType?: string;
}

export interface FunctionInfo {
  logicalId: string;
  /**
   * A stable short name for the function: `webhook` for the function behind the `/webhook/` routes,
   * otherwise derived from its construct path (`EchoWhatsAppStateless/Send/Function` → `send`).
   */
  name: string;
  cdkPath?: string;
  handler?: string;
  timeoutSeconds: number;
  memorySize: number;
  /** `Environment.Variables` as in the template (intrinsics unresolved). */
  environment: Record<string, unknown>;
  routes: RouteInfo[];
  /** The resource's `Metadata` (construct path, and `echo:handler` when a construct sets it). */
  metadata?: Record<string, unknown>;
}

const FUNCTION_TYPES = new Set(['AWS::Lambda::Function']);

/** Follows `Ref`/`Fn::GetAtt` through aliases and versions to the function they point at. */
function functionBehind(value: unknown, template: CfnTemplate, depth = 0): string | undefined {
  if (depth > 5) return undefined;
  for (const id of referencedLogicalIds(value)) {
    const resource = template.Resources?.[id];
    if (!resource) continue;
    if (FUNCTION_TYPES.has(resource.Type)) return id;
    if (resource.Type === 'AWS::Lambda::Alias' || resource.Type === 'AWS::Lambda::Version') {
      const found = functionBehind(resource.Properties?.FunctionName, template, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** Every HTTP API route and the function its Lambda integration invokes. */
export function routesOf(template: CfnTemplate): RouteInfo[] {
  const resources = template.Resources ?? {};
  const routes: RouteInfo[] = [];
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::ApiGatewayV2::Route') continue;
    const routeKey = resource.Properties?.RouteKey;
    if (typeof routeKey !== 'string') continue;
    for (const integrationId of referencedLogicalIds(resource.Properties?.Target)) {
      const integration = resources[integrationId];
      if (integration?.Type !== 'AWS::ApiGatewayV2::Integration') continue;
      const functionLogicalId = functionBehind(integration.Properties?.IntegrationUri, template);
      const authorizationType = resource.Properties?.AuthorizationType;
      if (functionLogicalId) {
        routes.push({ routeKey, functionLogicalId, ...(typeof authorizationType === 'string' && authorizationType !== 'NONE' && { authorizationType }) });
      }
    }
  }
  return routes.sort((a, b) => a.routeKey.localeCompare(b.routeKey));
}

const GENERIC_SEGMENTS = /^(resource|function|handler|lambda|fn|default)$/i;

function nameFromPath(cdkPath: string | undefined, logicalId: string): string {
  const segments = (cdkPath ?? '').split('/').slice(1).filter((segment) => !GENERIC_SEGMENTS.test(segment));
  // Without path metadata, fall back to the logical id minus CDK's 8-hex-digit hash suffix.
  const base = segments[0] ?? logicalId.replace(/[0-9A-F]{8}$/, '');
  return base
    .replace(/(Function|Handler|Lambda|Fn)$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
}

/**
 * The Lambda functions of a template with their routes, sizes and unresolved environments.
 * CDK's own helper functions (custom resource providers, log retention) are included too; pick by
 * `name` or by route.
 */
export function functionsOf(template: CfnTemplate): FunctionInfo[] {
  const routes = routesOf(template);
  const functions: FunctionInfo[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (!FUNCTION_TYPES.has(resource.Type)) continue;
    const properties = resource.Properties ?? {};
    const cdkPath = resource.Metadata?.['aws:cdk:path'];
    const own = routes.filter((route) => route.functionLogicalId === logicalId);
    const isWebhook = own.some((route) => route.routeKey.split(' ')[1]?.startsWith('/webhook/'));
    functions.push({
      logicalId,
      name: isWebhook ? 'webhook' : nameFromPath(typeof cdkPath === 'string' ? cdkPath : undefined, logicalId),
      cdkPath: typeof cdkPath === 'string' ? cdkPath : undefined,
      handler: typeof properties.Handler === 'string' ? properties.Handler : undefined,
      timeoutSeconds: typeof properties.Timeout === 'number' ? properties.Timeout : 3,
      memorySize: typeof properties.MemorySize === 'number' ? properties.MemorySize : 128,
      environment: ((properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}),
      routes: own,
      ...(resource.Metadata && { metadata: resource.Metadata }),
    });
  }
  return functions;
}

/**
 * A function's environment with every value resolved to a string.
 * @example
 * resolveEnvironment(fn.environment, ctx) // { MESSAGES_TABLE_NAME: 'echo-local-MessagesTable…', … }
 */
export function resolveEnvironment(environment: Record<string, unknown>, ctx: ResolveContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(environment)) {
    const resolved = resolveValue(value, ctx);
    if (resolved === undefined) continue;
    out[key] = asString(resolved, `environment variable ${key}`);
  }
  return out;
}

/** Export names that `value` imports with `Fn::ImportValue` (literal names only, as CDK writes them). */
export function importedExportNames(value: unknown, into: Set<string> = new Set()): Set<string> {
  const intrinsic = intrinsicOf(value);
  if (intrinsic?.[0] === 'Fn::ImportValue' && typeof intrinsic[1] === 'string') {
    into.add(intrinsic[1]);
  } else if (Array.isArray(value)) {
    value.forEach((item) => importedExportNames(item, into));
  } else if (isObject(value)) {
    Object.values(value).forEach((item) => importedExportNames(item, into));
  }
  return into;
}

/** Service part of an ARN for a stand-in of a resource type (`AWS::ApiGatewayV2::Api` → `apigateway`). */
function serviceOf(type: string): string {
  const service = type.split('::')[1]?.toLowerCase() ?? 'local';
  return service === 'apigatewayv2' ? 'apigateway' : service;
}

/**
 * A deterministic stand-in for a resource the local runtime does not create (the HTTP API, another
 * function, a KMS key…), so an environment variable that mentions one still resolves. Callers
 * record which ones they handed out: a handler that really uses such a value will not work locally.
 */
export function standInFor(
  logicalId: string,
  resource: CfnResource,
  options: { region: string; accountId: string; prefix: string; apiEndpoint?: string },
): PhysicalResource {
  const name = `${options.prefix}-${logicalId}`;
  const arn =
    resource.Type === 'AWS::Lambda::Function'
      ? `arn:aws:lambda:${options.region}:${options.accountId}:function:${name}`
      : `arn:aws:${serviceOf(resource.Type)}:${options.region}:${options.accountId}:${name}`;
  return {
    type: resource.Type,
    ref: name,
    attributes: { Arn: arn, Name: name, ApiId: name, KeyId: name, ApiEndpoint: options.apiEndpoint ?? 'http://127.0.0.1' },
  };
}

// ---------------------------------------------------------------------------------------------
// Event sources and schedules: what invokes the functions that no route serves
// ---------------------------------------------------------------------------------------------

/** An `AWS::Lambda::EventSourceMapping`: a queue (or stream) and the function it invokes. */
export interface EventSourceMappingInfo {
  logicalId: string;
  functionLogicalId: string;
  /** `EventSourceArn` as in the template (intrinsics unresolved: usually an `Fn::ImportValue`). */
  eventSourceArn: unknown;
  /** Records per invocation. @default 10 (Lambda's default for SQS) */
  batchSize: number;
  /** `MaximumBatchingWindowInSeconds`. @default 0 */
  maximumBatchingWindowSeconds: number;
  /** `FunctionResponseTypes` contains `ReportBatchItemFailures`. */
  reportBatchItemFailures: boolean;
  /** `ScalingConfig.MaximumConcurrency`, when set. */
  maximumConcurrency?: number;
  /** `Enabled` (default true). */
  enabled: boolean;
  /** `FilterCriteria.Filters[].Pattern` (JSON strings): a record is delivered when any matches. */
  filterPatterns: string[];
  /** `StartingPosition` of a stream mapping (`TRIM_HORIZON`, `LATEST`). */
  startingPosition?: string;
  /** `MaximumRetryAttempts` of a stream mapping (-1: until the record expires). */
  maximumRetryAttempts?: number;
}

/** One target of a scheduled `AWS::Events::Rule` that is a function of the template. */
export interface ScheduleTargetInfo {
  functionLogicalId: string;
  /** The target's `Id`. */
  id?: string;
  /** The target's constant `Input` (a JSON string) when set: EventBridge then sends it instead of the event. */
  input?: string;
}

/** An `AWS::Events::Rule` with a `ScheduleExpression` (rules matching event patterns are not schedules). */
export interface ScheduleRuleInfo {
  logicalId: string;
  /** The rule's `Name` when the template gives a literal one. */
  name?: string;
  /** `rate(5 minutes)`, `cron(0 * * * ? *)`… as in the template. */
  scheduleExpression: string;
  /** `State` is `ENABLED` (or absent). */
  enabled: boolean;
  targets: ScheduleTargetInfo[];
}

function numberOf(value: unknown): number | undefined {
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(parsed) ? parsed : undefined;
}

/**
 * Every event source mapping of a template whose function is in the template. Queue ARNs stay
 * unresolved here; `resources.ts` resolves them against the queues it created.
 * @example
 * eventSourceMappingsOf(stateless) // [{ functionLogicalId: 'SendHandlerFunction…', batchSize: 10, … }]
 */
export function eventSourceMappingsOf(template: CfnTemplate): EventSourceMappingInfo[] {
  const out: EventSourceMappingInfo[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    const properties = resource.Properties ?? {};
    const functionLogicalId = functionBehind(properties.FunctionName, template);
    if (!functionLogicalId) {
      throw new TemplateResolutionError(`event source mapping ${logicalId}: FunctionName is not a function of the template`);
    }
    const types = Array.isArray(properties.FunctionResponseTypes) ? properties.FunctionResponseTypes : [];
    const scaling = properties.ScalingConfig as { MaximumConcurrency?: unknown } | undefined;
    const filters = (properties.FilterCriteria as { Filters?: Array<{ Pattern?: unknown }> } | undefined)?.Filters ?? [];
    out.push({
      logicalId,
      functionLogicalId,
      eventSourceArn: properties.EventSourceArn,
      batchSize: numberOf(properties.BatchSize) ?? 10,
      maximumBatchingWindowSeconds: numberOf(properties.MaximumBatchingWindowInSeconds) ?? 0,
      reportBatchItemFailures: types.includes('ReportBatchItemFailures'),
      maximumConcurrency: numberOf(scaling?.MaximumConcurrency),
      enabled: properties.Enabled !== false && properties.Enabled !== 'false',
      filterPatterns: filters.flatMap((filter) => (typeof filter.Pattern === 'string' ? [filter.Pattern] : [])),
      ...(typeof properties.StartingPosition === 'string' && { startingPosition: properties.StartingPosition }),
      ...(numberOf(properties.MaximumRetryAttempts) !== undefined && { maximumRetryAttempts: numberOf(properties.MaximumRetryAttempts) }),
    });
  }
  return out.sort((a, b) => a.logicalId.localeCompare(b.logicalId));
}

/**
 * Every scheduled rule of a template with the functions it targets (targets that are not functions
 * of the template, such as a queue or another account's bus, are left out).
 * @example
 * scheduleRulesOf(stateless) // [{ scheduleExpression: 'rate(5 minutes)', targets: [{ functionLogicalId: 'Window…' }], … }]
 */
export function scheduleRulesOf(template: CfnTemplate): ScheduleRuleInfo[] {
  const out: ScheduleRuleInfo[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::Events::Rule') continue;
    const properties = resource.Properties ?? {};
    if (typeof properties.ScheduleExpression !== 'string') continue;
    const targets: ScheduleTargetInfo[] = [];
    for (const target of (Array.isArray(properties.Targets) ? properties.Targets : []) as Record<string, unknown>[]) {
      const functionLogicalId = functionBehind(target.Arn, template);
      if (!functionLogicalId) continue;
      targets.push({
        functionLogicalId,
        ...(typeof target.Id === 'string' && { id: target.Id }),
        ...(typeof target.Input === 'string' && { input: target.Input }),
      });
    }
    out.push({
      logicalId,
      ...(typeof properties.Name === 'string' && { name: properties.Name }),
      scheduleExpression: properties.ScheduleExpression,
      enabled: properties.State === undefined || properties.State === 'ENABLED',
      targets,
    });
  }
  return out.sort((a, b) => a.logicalId.localeCompare(b.logicalId));
}

/** Metadata key a construct may set on a function to name its handler folder explicitly. */
export const HANDLER_METADATA_KEY = 'echo:handler';

function kebab(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
}

const ROLE_SUFFIXES = /-(function|handler|lambda|fn|consumer|worker|job|schedule|scheduler|processor)$/;

/**
 * Which `lambdas/handlers/<folder>` a function of the template runs. The template does not say it
 * directly (without bundling the code asset is the project root), so, in order:
 * 1. the function's `echo:handler` metadata, when its construct sets one;
 * 2. `webhook` for the function behind the `/webhook/` routes;
 * 3. a segment of its construct path, kebab-cased (`OutcomeWatchdog` → `outcome-watchdog`), or its
 *    `POWERTOOLS_SERVICE_NAME` minus a `whatsapp-` prefix: exact matches first, then without a role
 *    suffix (`SendHandler` → `send`), then a folder that is the segment's first words
 *    (`WindowExpiry` → `window`); at each step only when exactly one folder fits.
 * Returns undefined when no folder or more than one fits.
 * @example
 * handlerFolderOf({ name: 'send', cdkPath: 'EchoWhatsAppStateless/Send/Handler/Function/Resource', … }, ['send', 'webhook']) // 'send'
 */
export function handlerFolderOf(
  fn: Pick<FunctionInfo, 'name' | 'cdkPath' | 'environment'> & { metadata?: Record<string, unknown> },
  folders: readonly string[],
): string | undefined {
  const available = new Set(folders);
  const explicit = fn.metadata?.[HANDLER_METADATA_KEY];
  if (typeof explicit === 'string') return available.has(explicit) ? explicit : undefined;
  if (fn.name === 'webhook' && available.has('webhook')) return 'webhook';

  const segments = (fn.cdkPath ?? '').split('/').slice(1).map(kebab).filter(Boolean);
  const service = fn.environment.POWERTOOLS_SERVICE_NAME;
  const candidates = [...segments, fn.name];
  if (typeof service === 'string') candidates.push(kebab(service).replace(/^whats-?app-/, ''));
  const unique = (matches: string[]) => {
    const found = [...new Set(matches)];
    return found.length === 1 ? found[0] : undefined;
  };
  const exact = candidates.filter((candidate) => available.has(candidate));
  if (exact.length) return unique(exact);
  const stripped = candidates.map((candidate) => candidate.replace(ROLE_SUFFIXES, '')).filter((candidate) => available.has(candidate));
  if (stripped.length) return unique(stripped);
  // `WindowExpiry` → `window`, `AiResponder` → `ai`: a folder that is the first word(s) of a segment.
  return unique(folders.filter((folder) => candidates.some((candidate) => candidate.startsWith(`${folder}-`))));
}
