import { resolveFunctionEnvironments, type PlaceholderVariables } from '../../../local/resources';
import {
  TemplateResolutionError,
  exportsOf,
  functionsOf,
  localName,
  planStatefulResources,
  queueAttributes,
  resolveValue,
  routesOf,
  type CfnTemplate,
  type PhysicalResource,
  type ResolveContext,
} from '../../../local/template';
import statefulFixture from './fixtures/stateful.template.json';
import statelessFixture from './fixtures/stateless.template.json';

const stateful = statefulFixture as unknown as CfnTemplate;
const stateless = statelessFixture as unknown as CfnTemplate;
const region = 'us-east-1';
const accountId = '123456789012';

/** What provisioning would record for the fixture's stateful resources under the prefix `p`. */
function physicalFor(prefix: string): Record<string, PhysicalResource> {
  const plan = planStatefulResources(stateful, { namePrefix: prefix });
  const out: Record<string, PhysicalResource> = {};
  for (const table of plan.tables) {
    out[table.logicalId] = { type: 'AWS::DynamoDB::Table', ref: table.name, attributes: { Arn: `arn:aws:dynamodb:${region}:${accountId}:table/${table.name}` } };
  }
  for (const queue of plan.queues) {
    const url = `http://127.0.0.1:5005/${accountId}/${queue.name}`;
    out[queue.logicalId] = { type: 'AWS::SQS::Queue', ref: url, attributes: { Arn: `arn:aws:sqs:${region}:${accountId}:${queue.name}`, QueueUrl: url, QueueName: queue.name } };
  }
  for (const bus of plan.buses) {
    out[bus.logicalId] = { type: 'AWS::Events::EventBus', ref: bus.name, attributes: { Arn: `arn:aws:events:${region}:${accountId}:event-bus/${bus.name}`, Name: bus.name } };
  }
  return out;
}

describe('planStatefulResources', () => {
  it('plans every table with its keys, indexes and TTL, named after its logical id', () => {
    const plan = planStatefulResources(stateful, { namePrefix: 'echo-local' });

    expect(plan.tables.map((t) => t.name).sort()).toEqual([
      'echo-local-ConnectionsTable5B1EAA31',
      'echo-local-ConversationsTableAC3D71C5',
      'echo-local-DedupeTableF9DC8C8D',
      'echo-local-MessagesTableA255D91E',
    ]);
    const connections = plan.tables.find((t) => t.logicalId === 'ConnectionsTable5B1EAA31')!;
    expect(connections.keySchema).toEqual([{ AttributeName: 'connectionId', KeyType: 'HASH' }]);
    expect(connections.globalSecondaryIndexes.map((i) => i.IndexName)).toEqual(['byBusiness', 'byProviderNumber']);
    expect(plan.tables.find((t) => t.logicalId === 'DedupeTableF9DC8C8D')!.ttlAttribute).toBe('expiresAt');
    expect(plan.tables.find((t) => t.logicalId === 'MessagesTableA255D91E')!.keySchema).toEqual([
      { AttributeName: 'conversationId', KeyType: 'HASH' },
      { AttributeName: 'messageId', KeyType: 'RANGE' },
    ]);
  });

  it('plans FIFO queues with a .fifo name, each DLQ before the queue that redrives to it', () => {
    const plan = planStatefulResources(stateful, { namePrefix: 'echo-local' });

    const order = plan.queues.map((q) => q.logicalId);
    expect(order.indexOf('InboundQueueDeadLetterQueueCC807240')).toBeLessThan(order.indexOf('InboundQueue41AFADAD'));
    expect(order.indexOf('OutboundQueueDeadLetterQueueE8B1BCE9')).toBeLessThan(order.indexOf('OutboundQueue8AF83DE6'));
    expect(plan.queues.every((q) => q.fifo && q.name.endsWith('.fifo'))).toBe(true);
    expect(plan.queues.find((q) => q.logicalId === 'InboundQueue41AFADAD')!.dependsOn).toContain('InboundQueueDeadLetterQueueCC807240');
  });

  it('plans the event bus and lists what it does not create, ignoring keys, policies and alarms', () => {
    const plan = planStatefulResources(stateful, { namePrefix: 'echo-local' });

    expect(plan.buses).toEqual([{ logicalId: 'EventBusEEC924FB', name: 'echo-local-EventBusEEC924FB' }]);
    expect(plan.skipped.map((s) => s.type).sort()).toEqual(['AWS::Events::Archive', 'AWS::SNS::Topic']);
  });
});

describe('queueAttributes', () => {
  it('keeps SQS settings, serialises the resolved redrive policy and drops KMS settings', () => {
    const plan = planStatefulResources(stateful, { namePrefix: 'p' });
    const inbound = plan.queues.find((q) => q.logicalId === 'InboundQueue41AFADAD')!;
    const ctx: ResolveContext = { template: stateful, stackName: 'EchoWhatsAppStateful', region, accountId, resources: physicalFor('p') };

    const attributes = queueAttributes(resolveValue(inbound.properties, ctx) as Record<string, unknown>);

    expect(attributes).toEqual({
      ContentBasedDeduplication: 'false',
      DeduplicationScope: 'messageGroup',
      FifoQueue: 'true',
      FifoThroughputLimit: 'perMessageGroupId',
      MessageRetentionPeriod: '345600',
      VisibilityTimeout: '180',
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: `arn:aws:sqs:${region}:${accountId}:p-InboundQueueDeadLetterQueueCC807240.fifo`,
        maxReceiveCount: 5,
      }),
    });
  });
});

describe('localName', () => {
  it('is deterministic and keeps queue names within 80 characters including .fifo', () => {
    const long = 'A'.repeat(90);

    const name = localName('echo-test-1234abcd', long, 'queue', true);

    expect(name).toBe(localName('echo-test-1234abcd', long, 'queue', true));
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name.endsWith('.fifo')).toBe(true);
    expect(localName('echo-test-1234abcd', `${long}B`, 'queue', true)).not.toBe(name);
  });
});

describe('routes and functions of the stateless template', () => {
  it('finds each route and the function behind its integration', () => {
    expect(routesOf(stateless)).toEqual([
      { routeKey: 'POST /webhook/whatsapp/twilio/{connectionId}', functionLogicalId: 'WebhookFunction7D3F5A1B' },
      { routeKey: 'POST /webhook/whatsapp/twilio/{connectionId}/status', functionLogicalId: 'WebhookFunction7D3F5A1B' },
    ]);
  });

  it('names the function behind /webhook/ routes "webhook" and others after their construct path', () => {
    const functions = functionsOf(stateless);

    expect(functions.map((f) => [f.logicalId, f.name])).toEqual([
      ['WebhookFunction7D3F5A1B', 'webhook'],
      ['SendFunction9A8B7C6D', 'send'],
    ]);
    expect(functions[0]).toMatchObject({ timeoutSeconds: 10, memorySize: 512 });
  });
});

describe('resolveFunctionEnvironments', () => {
  const resolve = (prefix: string, warnings: string[] = [], placeholders: PlaceholderVariables[] = []) =>
    resolveFunctionEnvironments({
      stateful,
      stateless,
      statefulStackName: 'EchoWhatsAppStateful',
      statelessStackName: 'EchoWhatsAppStateless',
      region,
      accountId,
      namePrefix: prefix,
      physical: physicalFor(prefix),
      warnings,
      placeholders,
    });

  it('resolves imports of the stateful exports to the local names, URLs and ARNs', () => {
    const env = resolve('echo-local');

    expect(env.webhook).toEqual({
      CONNECTIONS_TABLE: 'echo-local-ConnectionsTable5B1EAA31',
      CONVERSATIONS_TABLE: 'echo-local-ConversationsTableAC3D71C5',
      MESSAGES_TABLE: 'echo-local-MessagesTableA255D91E',
      DEDUPE_TABLE: 'echo-local-DedupeTableF9DC8C8D',
      INBOUND_QUEUE_URL: 'http://127.0.0.1:5005/123456789012/echo-local-InboundQueue41AFADAD.fifo',
      INBOUND_QUEUE_ARN: 'arn:aws:sqs:us-east-1:123456789012:echo-local-InboundQueue41AFADAD.fifo',
      EVENT_BUS_NAME: 'echo-local-EventBusEEC924FB',
      SECRET_ARN_PATTERN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:echo-whatsapp/connections/*',
      PUBLIC_BASE_URL: '',
      SECRETS_CACHE_TTL_SECONDS: '300',
      POWERTOOLS_SERVICE_NAME: 'whatsapp-webhook',
      NODE_OPTIONS: '--enable-source-maps',
      AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
    });
    expect(env.WebhookFunction7D3F5A1B).toBe(env.webhook);
  });

  it('gives names from another prefix when a unique suffix is used, so parallel runs never share resources', () => {
    expect(resolve('echo-test-ab12cd34').webhook.MESSAGES_TABLE).toBe('echo-test-ab12cd34-MessagesTableA255D91E');
  });

  it('hands out stand-ins for resources that are not emulated and says so, naming the variables', () => {
    const warnings: string[] = [];
    const placeholders: PlaceholderVariables[] = [];

    const env = resolve('echo-local', warnings, placeholders);

    expect(env.send).toEqual({
      KEY_ARN: 'arn:aws:kms:us-east-1:123456789012:echo-local-EncryptionKey514CDF8F',
      API_URL: 'http://127.0.0.1',
      STAGE_NAME: 'EchoWhatsAppStateless-echo-local-HttpApiF5A9A8A7',
    });
    expect(warnings.sort()).toEqual([
      'send: API_URL, STAGE_NAME refer to HttpApiF5A9A8A7 (AWS::ApiGatewayV2::Api), which is not emulated; it gets a placeholder value',
      'send: KEY_ARN refers to EncryptionKey514CDF8F (AWS::KMS::Key) of the stateful stack, which is not emulated; it gets a placeholder value',
    ]);
    expect(placeholders.map((p) => [p.functionLogicalId, p.variables])).toEqual([
      ['SendFunction9A8B7C6D', ['KEY_ARN']],
      ['SendFunction9A8B7C6D', ['API_URL', 'STAGE_NAME']],
    ]);
    expect(placeholders.map((p) => p.warning).sort()).toEqual(warnings);
  });

  it('fails with the export name when an import has no matching export', () => {
    const broken: CfnTemplate = {
      Resources: {
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: { Environment: { Variables: { X: { 'Fn::ImportValue': 'EchoWhatsAppStateful:Missing' } } } },
        },
      },
    };

    expect(() =>
      resolveFunctionEnvironments({
        stateful,
        stateless: broken,
        statefulStackName: 'EchoWhatsAppStateful',
        statelessStackName: 'EchoWhatsAppStateless',
        region,
        accountId,
        namePrefix: 'p',
        physical: physicalFor('p'),
      }),
    ).toThrow(new TemplateResolutionError('Fn::ImportValue EchoWhatsAppStateful:Missing: no such export in the stateful stack'));
  });
});

describe('resolveValue', () => {
  const ctx: ResolveContext = {
    template: {
      Resources: { Table: { Type: 'AWS::DynamoDB::Table' } },
      Conditions: { IsUsEast1: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] } },
      Mappings: { Sizes: { 'us-east-1': { small: 1 } } },
    },
    stackName: 'S',
    region,
    accountId,
    resources: { Table: { type: 'AWS::DynamoDB::Table', ref: 'local-Table', attributes: { Arn: 'arn:table' } } },
  };

  it('handles Sub with attributes and literals, Select/Split, FindInMap, If and NoValue', () => {
    expect(resolveValue({ 'Fn::Sub': '${Table}|${Table.Arn}|${!Literal}|${AWS::Region}' }, ctx)).toBe(
      'local-Table|arn:table|${Literal}|us-east-1',
    );
    expect(resolveValue({ 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] }, ctx)).toBe('b');
    expect(resolveValue({ 'Fn::FindInMap': ['Sizes', { Ref: 'AWS::Region' }, 'small'] }, ctx)).toBe(1);
    expect(resolveValue({ 'Fn::If': ['IsUsEast1', 'yes', 'no'] }, ctx)).toBe('yes');
    expect(resolveValue({ A: { Ref: 'AWS::NoValue' }, B: [1, { Ref: 'AWS::NoValue' }] }, ctx)).toEqual({ B: [1] });
  });

  it('names the resource and attribute it cannot resolve', () => {
    expect(() => resolveValue({ 'Fn::GetAtt': ['Table', 'StreamArn'] }, ctx)).toThrow(
      'Fn::GetAtt Table.StreamArn: attribute not emulated for AWS::DynamoDB::Table (known: Arn)',
    );
    expect(() => resolveValue({ Ref: 'Nope' }, ctx)).toThrow('Ref Nope: no resource Nope in stack S');
  });
});

describe('exportsOf', () => {
  it('maps every export name of the stateful stack to its resolved value', () => {
    const exports = exportsOf({
      template: stateful,
      stackName: 'EchoWhatsAppStateful',
      region,
      accountId,
      resources: physicalFor('x'),
      standIn: () => ({ type: 'AWS::KMS::Key', ref: 'k', attributes: { Arn: 'arn:key' } }),
    });

    expect(exports['EchoWhatsAppStateful:ExportsOutputRefEventBusEEC924FB6E1B2A7D']).toBe('x-EventBusEEC924FB');
    expect(exports['EchoWhatsAppStateful:ExportsOutputFnGetAttEncryptionKey514CDF8FArn1A2B3C4D']).toBe('arn:key');
  });
});
