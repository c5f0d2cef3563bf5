import { resolveInvocations, type LocalQueue } from '../../../local/resources';
import {
  TemplateResolutionError,
  eventSourceMappingsOf,
  functionsOf,
  handlerFolderOf,
  planStatefulResources,
  scheduleRulesOf,
  type CfnTemplate,
  type PhysicalResource,
} from '../../../local/template';
import statefulFixture from './fixtures/stateful.template.json';

const region = 'us-east-1';
const accountId = '123456789012';
const moto = 'http://127.0.0.1:5005';

// The fixture's stateful stack, exporting both queue ARNs as CDK does for a cross-stack reference.
const stateful: CfnTemplate = {
  ...(statefulFixture as unknown as CfnTemplate),
  Outputs: {
    ...(statefulFixture as unknown as CfnTemplate).Outputs,
    ExportsOutputFnGetAttOutboundQueueArn: {
      Value: { 'Fn::GetAtt': ['OutboundQueue8AF83DE6', 'Arn'] },
      Export: { Name: 'EchoWhatsAppStateful:ExportsOutputFnGetAttOutboundQueue8AF83DE6ArnB1C2D3E4' },
    },
  },
};

const fn = (path: string, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::Lambda::Function',
  Properties: { Handler: 'index.handler', Timeout: 30, MemorySize: 512, ...extra },
  Metadata: { 'aws:cdk:path': path },
});

/** Shaped like CDK's output for FIFO consumers (EventSourceMapping) and scheduled functions (Rule → Lambda). */
const stateless: CfnTemplate = {
  Resources: {
    SendHandlerFunction1A2B3C4D: fn('EchoWhatsAppStateless/Send/Handler/Function/Resource'),
    SendHandlerQueueEventSource5E6F7A8B: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        BatchSize: 5,
        EventSourceArn: { 'Fn::ImportValue': 'EchoWhatsAppStateful:ExportsOutputFnGetAttOutboundQueue8AF83DE6ArnB1C2D3E4' },
        FunctionName: { Ref: 'SendHandlerFunction1A2B3C4D' },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 4 },
      },
    },
    AiHandlerFunction9C8D7E6F: fn('EchoWhatsAppStateless/AiResponder/Handler/Function/Resource'),
    AiHandlerQueueEventSourceAABBCCDD: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        EventSourceArn: { 'Fn::ImportValue': 'EchoWhatsAppStateful:ExportsOutputFnGetAttInboundQueue41AFADADArn7C2E1F3A' },
        FunctionName: { Ref: 'AiHandlerFunction9C8D7E6F' },
        Enabled: false,
      },
    },
    WindowHandlerFunction11223344: fn('EchoWhatsAppStateless/WindowExpiry/Handler/Function/Resource'),
    WindowScheduleRule55667788: {
      Type: 'AWS::Events::Rule',
      Properties: {
        ScheduleExpression: 'rate(5 minutes)',
        State: 'ENABLED',
        Targets: [
          { Arn: { 'Fn::GetAtt': ['WindowHandlerFunction11223344', 'Arn'] }, Id: 'Target0' },
          { Arn: 'arn:aws:sqs:us-east-1:123456789012:elsewhere', Id: 'Target1' },
        ],
      },
    },
    SyncHandlerFunction99AABBCC: fn('EchoWhatsAppStateless/TemplateSync/Handler/Function/Resource'),
    SyncAlias: { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: 'SyncHandlerFunction99AABBCC' }, Name: 'live' } },
    SyncScheduleRuleDDEEFF00: {
      Type: 'AWS::Events::Rule',
      Properties: {
        Name: 'template-sync-hourly',
        ScheduleExpression: 'rate(1 hour)',
        State: 'DISABLED',
        Targets: [{ Arn: { Ref: 'SyncAlias' }, Id: 'Target0', Input: '{"full":true}' }],
      },
    },
    PatternRule12345678: {
      Type: 'AWS::Events::Rule',
      Properties: { EventPattern: { source: ['echo.whatsapp'] }, Targets: [{ Arn: { 'Fn::GetAtt': ['SendHandlerFunction1A2B3C4D', 'Arn'] }, Id: 'T' }] },
    },
  },
};

/** The local queues provisioning would create for the stateful fixture under the prefix `p`. */
function localQueues(prefix: string): { physical: Record<string, PhysicalResource>; queues: Record<string, LocalQueue> } {
  const physical: Record<string, PhysicalResource> = {};
  const queues: Record<string, LocalQueue> = {};
  for (const queue of planStatefulResources(stateful, { namePrefix: prefix }).queues) {
    const url = `${moto}/${accountId}/${queue.name}`;
    const arn = `arn:aws:sqs:${region}:${accountId}:${queue.name}`;
    physical[queue.logicalId] = { type: 'AWS::SQS::Queue', ref: url, attributes: { Arn: arn, QueueUrl: url, QueueName: queue.name } };
    queues[queue.logicalId] = { logicalId: queue.logicalId, name: queue.name, url, arn, fifo: queue.fifo };
  }
  return { physical, queues };
}

describe('eventSourceMappingsOf', () => {
  it('finds each queue mapping with its function, batch size, partial batch responses and concurrency', () => {
    const mappings = eventSourceMappingsOf(stateless);

    expect(mappings).toEqual([
      {
        logicalId: 'AiHandlerQueueEventSourceAABBCCDD',
        functionLogicalId: 'AiHandlerFunction9C8D7E6F',
        eventSourceArn: { 'Fn::ImportValue': 'EchoWhatsAppStateful:ExportsOutputFnGetAttInboundQueue41AFADADArn7C2E1F3A' },
        batchSize: 10,
        maximumBatchingWindowSeconds: 0,
        reportBatchItemFailures: false,
        enabled: false,
        filterPatterns: [],
      },
      {
        logicalId: 'SendHandlerQueueEventSource5E6F7A8B',
        functionLogicalId: 'SendHandlerFunction1A2B3C4D',
        eventSourceArn: { 'Fn::ImportValue': 'EchoWhatsAppStateful:ExportsOutputFnGetAttOutboundQueue8AF83DE6ArnB1C2D3E4' },
        batchSize: 5,
        maximumBatchingWindowSeconds: 0,
        reportBatchItemFailures: true,
        maximumConcurrency: 4,
        enabled: true,
        filterPatterns: [],
      },
    ]);
  });

  it('names the mapping whose function is not in the template', () => {
    const broken: CfnTemplate = {
      Resources: { M: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { FunctionName: 'arn:aws:lambda:us-east-1:1:function:x' } } },
    };

    expect(() => eventSourceMappingsOf(broken)).toThrow(
      new TemplateResolutionError('event source mapping M: FunctionName is not a function of the template'),
    );
  });
});

describe('scheduleRulesOf', () => {
  it('finds scheduled rules and their function targets (through aliases), ignoring pattern rules and other targets', () => {
    const rules = scheduleRulesOf(stateless);

    expect(rules).toEqual([
      {
        logicalId: 'SyncScheduleRuleDDEEFF00',
        name: 'template-sync-hourly',
        scheduleExpression: 'rate(1 hour)',
        enabled: false,
        targets: [{ functionLogicalId: 'SyncHandlerFunction99AABBCC', id: 'Target0', input: '{"full":true}' }],
      },
      {
        logicalId: 'WindowScheduleRule55667788',
        scheduleExpression: 'rate(5 minutes)',
        enabled: true,
        targets: [{ functionLogicalId: 'WindowHandlerFunction11223344', id: 'Target0' }],
      },
    ]);
  });
});

describe('resolveInvocations', () => {
  const resolve = (warnings: string[] = [], queuesOverride?: Record<string, LocalQueue>) => {
    const { physical, queues } = localQueues('echo-local');
    return resolveInvocations({
      stateful,
      stateless,
      statefulStackName: 'EchoWhatsAppStateful',
      statelessStackName: 'EchoWhatsAppStateless',
      region,
      accountId,
      namePrefix: 'echo-local',
      physical,
      queues: queuesOverride ?? queues,
      warnings,
    });
  };

  it('matches each event source to the local queue with the same ARN', () => {
    const { eventSources } = resolve();

    expect(eventSources.map((source) => [source.functionName, source.queueLogicalId, source.batchSize, source.enabled])).toEqual([
      ['ai-responder', 'InboundQueue41AFADAD', 10, false],
      ['send', 'OutboundQueue8AF83DE6', 5, true],
    ]);
  });

  it('gives every schedule target a local rule ARN, from the literal name or the prefix and logical id', () => {
    const { schedules } = resolve();

    expect(schedules).toEqual([
      {
        ruleLogicalId: 'SyncScheduleRuleDDEEFF00',
        ruleName: 'template-sync-hourly',
        ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/template-sync-hourly',
        scheduleExpression: 'rate(1 hour)',
        enabled: false,
        functionLogicalId: 'SyncHandlerFunction99AABBCC',
        functionName: 'template-sync',
        input: '{"full":true}',
      },
      {
        ruleLogicalId: 'WindowScheduleRule55667788',
        ruleName: 'echo-local-WindowScheduleRule55667788',
        ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/echo-local-WindowScheduleRule55667788',
        scheduleExpression: 'rate(5 minutes)',
        enabled: true,
        functionLogicalId: 'WindowHandlerFunction11223344',
        functionName: 'window-expiry',
      },
    ]);
  });

  it('skips, with a warning, an event source that is not one of the local queues', () => {
    const warnings: string[] = [];
    const { queues } = localQueues('echo-local');
    const { OutboundQueue8AF83DE6: _outbound, ...withoutOutbound } = queues;

    const { eventSources } = resolve(warnings, withoutOutbound);

    expect(eventSources.map((source) => source.functionName)).toEqual(['ai-responder']);
    expect(warnings).toEqual([
      'send: event source arn:aws:sqs:us-east-1:123456789012:echo-local-OutboundQueue8AF83DE6.fifo is not a local queue; it is not polled',
    ]);
  });
});

describe('handlerFolderOf', () => {
  const folders = ['ai', 'outcome-watchdog', 'send', 'template-sync', 'webhook', 'window'];
  const byPath = (cdkPath: string, environment: Record<string, unknown> = {}) => ({ name: 'x', cdkPath, environment });

  it('finds the folder of each function of the fixture from its construct path', () => {
    const found = functionsOf(stateless).map((info) => [info.logicalId, handlerFolderOf(info, folders)]);

    expect(found).toEqual([
      ['SendHandlerFunction1A2B3C4D', 'send'],
      ['AiHandlerFunction9C8D7E6F', 'ai'],
      ['WindowHandlerFunction11223344', 'window'],
      ['SyncHandlerFunction99AABBCC', 'template-sync'],
    ]);
  });

  it('prefers an exact segment, then one without a role suffix, then the first words of a segment', () => {
    expect(handlerFolderOf(byPath('S/Outbound/OutcomeWatchdog/Handler/Function/Resource'), folders)).toBe('outcome-watchdog');
    expect(handlerFolderOf(byPath('S/SendConsumer/Function/Resource'), folders)).toBe('send');
    expect(handlerFolderOf(byPath('S/WindowExpiryJob/Function/Resource'), folders)).toBe('window');
  });

  it('uses the Powertools service name, and the explicit echo:handler metadata above all', () => {
    expect(handlerFolderOf(byPath('S/Thing/Function/Resource', { POWERTOOLS_SERVICE_NAME: 'whatsapp-send' }), folders)).toBe('send');
    expect(handlerFolderOf({ ...byPath('S/Send/Function/Resource'), metadata: { 'echo:handler': 'ai' } }, folders)).toBe('ai');
    expect(handlerFolderOf({ ...byPath('S/Send/Function/Resource'), metadata: { 'echo:handler': 'nope' } }, folders)).toBeUndefined();
  });

  it('answers undefined rather than guess between two folders or from nothing', () => {
    expect(handlerFolderOf(byPath('S/SendWindow/Send/Window/Function/Resource'), folders)).toBeUndefined();
    expect(handlerFolderOf(byPath('S/Reconciler/Function/Resource'), folders)).toBeUndefined();
  });
});
