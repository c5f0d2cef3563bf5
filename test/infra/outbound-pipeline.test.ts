/**
 * The outbound pipeline's functions (send, ai, window, outcome-watchdog, template-sync): event
 * sources, schedules, environments, least-privilege grants and alarms, one decision per test.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { EchoFunction } from '../../lib/constructs/echo-function';
import {
  AI_DEFAULTS,
  CONSUMER_TIMEOUT_SECONDS,
  OUTBOUND_MAX_RECEIVE_COUNT,
  SCHEDULES,
  SEND_DEFAULTS,
  VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT,
} from '../../lib/config';
import { createApp } from '../../lib/app';
import {
  actionsOf,
  environmentOf,
  identityStatements,
  isImportOf,
  logicalIdOf,
  resourceOf,
  resourcesOf,
  SYNTH_TIMEOUT_MS,
  synthesizeWithoutBundling,
  type PolicyStatement,
  type SynthesizedApp,
} from './synth';
import { SDK_TIMEOUT_VARIABLES } from '../../lambdas/shared/aws-clients';

// Powertools' settings and the AWS SDK limits: what EchoFunction gives every function.
const POWERTOOLS_ENV_NAMES = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_LOG_LEVEL', ...Object.values(SDK_TIMEOUT_VARIABLES)];

/** The environment contracts with `lambdas/handlers/<name>/env.ts`. */
const ENV_NAMES = {
  send: [
    'CONNECTIONS_TABLE',
    'CONVERSATIONS_TABLE',
    'MESSAGES_TABLE',
    'DEDUPE_TABLE',
    'TEMPLATES_TABLE',
    'CONTENT_CACHE_TABLE',
    'OUTBOUND_QUEUE_URL',
    'EVENT_BUS_NAME',
    'WEBHOOK_BASE_URL',
    'TWILIO_API_BASE_URL',
    'TWILIO_CONTENT_BASE_URL',
    'META_GRAPH_BASE_URL',
    'DIALOG360_BASE_URL',
    'MAX_RECEIVE_COUNT',
    'SECRETS_CACHE_TTL_SECONDS',
    'SEND_TIMEOUT_MS',
    // The payload archive: every BSP exchange of a send is kept (issue #11).
    'ARCHIVE_BUCKET',
  ],
  ai: [
    'CONNECTIONS_TABLE',
    'CONVERSATIONS_TABLE',
    'MESSAGES_TABLE',
    'OUTBOUND_QUEUE_URL',
    'EVENT_BUS_NAME',
    'RESPONDER',
    'AI_ENDPOINT_TIMEOUT_MS',
    'AI_HISTORY_LIMIT',
    'SECRETS_CACHE_TTL_SECONDS',
    'META_GRAPH_BASE_URL',
    'DIALOG360_BASE_URL',
    // Inbound media (issue #10): presigned links to our copy, and the queue whose record waits for it.
    'MEDIA_BUCKET',
    'INBOUND_QUEUE_URL',
  ],
  window: ['CONVERSATIONS_TABLE', 'EVENT_BUS_NAME', 'WINDOW_LEAD_MINUTES'],
  outcomeWatchdog: ['MESSAGES_TABLE', 'EVENT_BUS_NAME'],
  templateSync: ['TEMPLATES_TABLE', 'CONNECTIONS_TABLE', 'TWILIO_CONTENT_BASE_URL', 'META_GRAPH_BASE_URL', 'DIALOG360_BASE_URL', 'SECRETS_CACHE_TTL_SECONDS'],
} as const;

type Construct = { node: { defaultChild?: unknown } };

describe('outbound pipeline', () => {
  let synthesized: SynthesizedApp;
  let template: Template;
  let functions: Record<keyof typeof ENV_NAMES, EchoFunction>;
  const id = (construct: Construct) => logicalIdOf(construct);

  beforeAll(() => {
    synthesized = synthesizeWithoutBundling();
    template = synthesized.statelessTemplate;
    const { stateless } = synthesized;
    functions = {
      send: stateless.send.echoFunction,
      ai: stateless.ai.echoFunction,
      window: stateless.window.echoFunction,
      outcomeWatchdog: stateless.outcomeWatchdog.echoFunction,
      templateSync: stateless.templateSync.echoFunction,
    };
  }, SYNTH_TIMEOUT_MS);

  /** Statements of a function's role. */
  const statementsOf = (fn: EchoFunction): PolicyStatement[] => identityStatements(template, id(fn.role));
  /** Actions a function may take on a stateful resource, optionally on a path below it (`/index/x`). */
  const actionsOn = (fn: EchoFunction, resource: Construct, suffix?: string): string[] =>
    statementsOf(fn)
      .filter((statement) =>
        resourcesOf(statement).some((value) =>
          suffix === undefined ? isImportOf(value, id(resource)) : isIndexOf(value, id(resource), suffix),
        ),
      )
      .flatMap(actionsOf)
      .sort();
  const env = (fn: EchoFunction) => environmentOf(template, fn.function);

  describe('every new function', () => {
    it.each(Object.keys(ENV_NAMES) as (keyof typeof ENV_NAMES)[])(
      '%s: Node.js 22 on arm64, active tracing, its own log group, exactly its env contract',
      (name) => {
        const fn = functions[name];
        expect(resourceOf(template, fn.function).Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogGroup: { Ref: id(fn.logGroup) } },
        });
        expect(Object.keys(env(fn)).sort()).toEqual([...ENV_NAMES[name], ...POWERTOOLS_ENV_NAMES].sort());
      },
    );

    it('are direct children of the stack named after their handler folder (the local runtime finds them so)', () => {
      const folderOf = (fn: EchoFunction) =>
        fn.node.path
          .split('/')[1]!
          .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
          .toLowerCase();
      expect(Object.values(functions).map(folderOf)).toEqual([
        'send',
        'ai',
        'window',
        'outcome-watchdog',
        'template-sync',
      ]);
    });
  });

  describe('FIFO consumers', () => {
    it.each([
      ['send', 'outboundQueue', CONSUMER_TIMEOUT_SECONDS.outbound],
      ['ai', 'inboundQueue', CONSUMER_TIMEOUT_SECONDS.inbound],
    ] as const)(
      '%s: consumes the %s in batches of 10 with partial batch responses, and no batching window (FIFO)',
      (name, queueName, timeoutSeconds) => {
        const fn = functions[name];
        const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter(
          (mapping) => mapping.Properties.FunctionName.Ref === id(fn.function),
        );
        expect(mappings).toHaveLength(1);
        const properties = mappings[0]!.Properties;
        expect(properties).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
        expect(properties.MaximumBatchingWindowInSeconds).toBeUndefined();
        expect(isImportOf(properties.EventSourceArn, id(synthesized.stateful[queueName]))).toBe(true);
        expect(resourceOf(template, fn.function).Properties.Timeout).toBe(timeoutSeconds);
      },
    );

    it.each([
      ['send', SEND_DEFAULTS.maxConcurrency],
      ['ai', AI_DEFAULTS.maxConcurrency],
    ] as const)('%s: runs at most %i invocations at once, so a burst does not become a burst on the BSP or the AI endpoint', (name, limit) => {
      const fn = functions[name];
      const [mapping] = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter(
        (candidate) => candidate.Properties.FunctionName.Ref === id(fn.function),
      );
      expect(mapping?.Properties.ScalingConfig).toEqual({ MaximumConcurrency: limit });
      expect(limit).toBeGreaterThanOrEqual(2);
    });

    it.each([
      ['send', 'outboundQueue'],
      ['ai', 'inboundQueue'],
    ] as const)("%s: the %s's visibility timeout is still 6 × the consumer's timeout", (name, queueName) => {
      const queue = resourceOf(synthesized.statefulTemplate, synthesized.stateful[queueName]);
      const timeout = resourceOf(template, functions[name].function).Properties.Timeout as number;
      expect(queue.Properties.VisibilityTimeout).toBe(VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT * timeout);
    });

    it('the mapping is created after the role policy that lets Lambda receive from the queue', () => {
      for (const name of ['send', 'ai'] as const) {
        const fn = functions[name];
        const policies = Object.entries(template.findResources('AWS::IAM::Policy'))
          .filter(([, policy]) => policy.Properties.Roles.some((role: { Ref?: string }) => role.Ref === id(fn.role)))
          .map(([logicalId]) => logicalId);
        expect(resourceOf(template, fn.function).DependsOn).toEqual(expect.arrayContaining(policies));
      }
    });
  });

  describe('send function', () => {
    it('gets the tables, queue, bus, webhook base URL, Twilio endpoints and retry budget', () => {
      const { stateful, stateless } = synthesized;
      const environment = env(functions.send);
      const imports: [string, Construct][] = [
        ['CONNECTIONS_TABLE', stateful.tables.connections],
        ['CONVERSATIONS_TABLE', stateful.tables.conversations],
        ['MESSAGES_TABLE', stateful.tables.messages],
        ['DEDUPE_TABLE', stateful.tables.dedupe],
        ['TEMPLATES_TABLE', stateful.tables.templates],
        ['CONTENT_CACHE_TABLE', stateful.tables.contentCache],
        ['OUTBOUND_QUEUE_URL', stateful.outboundQueue],
        ['EVENT_BUS_NAME', stateful.eventBus],
      ];
      for (const [name, construct] of imports) expect([name, isImportOf(environment[name], id(construct))]).toEqual([name, true]);
      expect(environment).toMatchObject({
        // The HTTP API's endpoint: no trailing slash, and the `$default` stage adds no path.
        WEBHOOK_BASE_URL: { 'Fn::GetAtt': [id(stateless.webhookApi.api), 'ApiEndpoint'] },
        TWILIO_API_BASE_URL: 'https://api.twilio.com',
        TWILIO_CONTENT_BASE_URL: 'https://content.twilio.com',
        META_GRAPH_BASE_URL: 'https://graph.facebook.com',
        DIALOG360_BASE_URL: 'https://waba-v2.360dialog.io',
        // The outbound queue's own safety net; the retry budget is on the record (env defaults).
        MAX_RECEIVE_COUNT: String(OUTBOUND_MAX_RECEIVE_COUNT),
        SECRETS_CACHE_TTL_SECONDS: '300',
        SEND_TIMEOUT_MS: '10000',
        POWERTOOLS_SERVICE_NAME: 'whatsapp-send',
      });
    });

    it('DynamoDB: per table, only what recording, checking and sending need', () => {
      const { tables } = synthesized.stateful;
      const send = functions.send;
      // UpdateItem: only the `attention` marker when the BSP refuses a connection's credentials.
      expect(actionsOn(send, tables.connections)).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
      expect(actionsOn(send, tables.connections, '/index/byBusiness')).toEqual(['dynamodb:Query']);
      expect(actionsOn(send, tables.conversations)).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
      // The record transaction is Put + Put + Update: no ConditionCheckItem anywhere.
      expect(actionsOn(send, tables.messages)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
      expect(actionsOn(send, tables.dedupe)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
      expect(actionsOn(send, tables.templates)).toEqual(['dynamodb:GetItem']);
      expect(actionsOn(send, tables.contentCache)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    });

    it('SQS: receive, delete and back off (ChangeMessageVisibility) on the outbound queue only; never enqueue', () => {
      const sqsStatements = statementsOf(functions.send).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('sqs:')),
      );
      expect(sqsStatements).toHaveLength(1);
      expect(actionsOf(sqsStatements[0]!).sort()).toEqual([
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
      ]);
      expect(resourcesOf(sqsStatements[0]!)).toHaveLength(1);
      expect(isImportOf(sqsStatements[0]!.Resource, id(synthesized.stateful.outboundQueue))).toBe(true);
    });

    it('EventBridge: PutEvents on our bus; Secrets Manager: GetSecretValue under the connection prefix only', () => {
      const { stateful } = synthesized;
      expect(actionsOn(functions.send, stateful.eventBus)).toEqual(['events:PutEvents']);
      const secretStatements = statementsOf(functions.send).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('secretsmanager:')),
      );
      expect(secretStatements).toHaveLength(1);
      expect(secretStatements[0]!.Action).toBe('secretsmanager:GetSecretValue');
      expect(JSON.stringify(secretStatements[0]!.Resource)).toMatch(/:secret:echo-whatsapp\/connections\/\*"\]\]\}$/);
    });

    it('alarms on failed batches, and on many SendFailed metrics of the send Lambda, the watchdog and the webhook (failed statuses) together', () => {
      const topic = Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('AlarmsTopic') });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(functions.send.function) } }],
        Threshold: 1,
        AlarmActions: [topic],
      });
      const sendFailed = (metricId: string, service: string) =>
        Match.objectLike({
          Id: metricId,
          ReturnData: false,
          MetricStat: {
            Metric: { Namespace: 'EchoWhatsApp', MetricName: 'SendFailed', Dimensions: [{ Name: 'service', Value: service }] },
            Period: 300,
            Stat: 'Sum',
          },
        });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'SUM([s0, s1, s2])' }),
          sendFailed('s0', 'whatsapp-send'),
          sendFailed('s1', 'whatsapp-outcome-watchdog'),
          sendFailed('s2', 'whatsapp-webhook'),
        ]),
        Threshold: 10,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic],
      });
    });
  });

  describe('ai function', () => {
    it("answers with no responder unless configured (RESPONDER 'none', no AI endpoint)", () => {
      const environment = env(functions.ai);
      expect(environment).toMatchObject({
        RESPONDER: 'none',
        AI_ENDPOINT_TIMEOUT_MS: '8000',
        AI_HISTORY_LIMIT: '20',
        POWERTOOLS_SERVICE_NAME: 'whatsapp-ai',
      });
      expect(environment.AI_ENDPOINT_URL).toBeUndefined();
      expect(isImportOf(environment.OUTBOUND_QUEUE_URL, id(synthesized.stateful.outboundQueue))).toBe(true);
    });

    it('reads history by query, updates only the conversation, sends only to the outbound queue, reads a connection for read receipts', () => {
      const { tables, inboundQueue, outboundQueue } = synthesized.stateful;
      const ai = functions.ai;
      expect(actionsOn(ai, tables.conversations)).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
      // GetItem: whether a message's media is mirrored yet (issue #10).
      expect(actionsOn(ai, tables.messages)).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
      // ChangeMessageVisibility: a message whose media is still being mirrored comes back shortly.
      expect(actionsOn(ai, inboundQueue)).toEqual(['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage']);
      expect(actionsOn(ai, outboundQueue)).toEqual(['sqs:SendMessage']);
      // Read receipts: the message's connection and its secret (read only); it publishes nothing.
      expect(actionsOn(ai, tables.connections)).toEqual(['dynamodb:GetItem']);
      for (const table of [tables.dedupe, tables.templates, tables.contentCache]) {
        expect(actionsOn(ai, table)).toEqual([]);
      }
      expect(JSON.stringify(statementsOf(ai))).not.toMatch(/events:|secretsmanager:(Put|Create|Delete|Update)/);
    });

    it('alarms on failed batches', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(functions.ai.function) } }],
      });
    });
  });

  describe('scheduled functions', () => {
    const cases = [
      ['window', 'rate(5 minutes)', SCHEDULES.window],
      ['outcomeWatchdog', 'rate(5 minutes)', SCHEDULES.outcomeWatchdog],
      ['templateSync', 'rate(1 hour)', SCHEDULES.templateSync],
    ] as const;

    it.each(cases)('%s: runs on %s, retries within one period, timeout as configured', (name, expression, schedule) => {
      const fn = functions[name];
      const period = schedule.everyMinutes * 60;
      const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((rule) =>
        rule.Properties.Targets.some((target: { Arn: unknown }) =>
          JSON.stringify(target.Arn) === JSON.stringify({ 'Fn::GetAtt': [id(fn.function), 'Arn'] }),
        ),
      );
      expect(rules).toHaveLength(1);
      expect(rules[0]!.Properties).toMatchObject({
        ScheduleExpression: expression,
        State: 'ENABLED',
        Targets: [expect.objectContaining({ RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: period } })],
      });
      expect(rules[0]!.Properties.EventBusName).toBeUndefined(); // schedules run on the default bus
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: id(fn.function) },
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: period,
      });
      expect(resourceOf(template, fn.function).Properties.Timeout).toBe(schedule.timeoutSeconds);
    });

    it.each(cases)('%s: a run that fails every attempt goes to the encrypted scheduled-runs DLQ, and alarms', (name) => {
      const fn = functions[name];
      const dlq = synthesized.stateless.scheduledDeadLetterQueue;
      expect(resourceOf(template, fn.function).Properties.DeadLetterConfig).toEqual({
        TargetArn: { 'Fn::GetAtt': [id(dlq), 'Arn'] },
      });
      const sendToDlq = statementsOf(fn).filter(
        (statement) => JSON.stringify(statement.Resource) === JSON.stringify({ 'Fn::GetAtt': [id(dlq), 'Arn'] }),
      );
      expect(sendToDlq.flatMap(actionsOf)).toEqual(['sqs:SendMessage']);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(fn.function) } }],
        Threshold: 1,
      });
    });

    it('the scheduled-runs DLQ is KMS-encrypted with our key, SSL-only, kept 14 days, and alarms on any message', () => {
      const dlq = synthesized.stateless.scheduledDeadLetterQueue;
      expect(resourceOf(template, dlq).Properties.MessageRetentionPeriod).toBe(14 * 24 * 60 * 60);
      expect(isImportOf(resourceOf(template, dlq).Properties.KmsMasterKeyId, id(synthesized.stateful.encryptionKey))).toBe(
        true,
      );
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id(dlq) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id(dlq), 'QueueName'] } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    it('window: queries the byWindowExpiry index only (no table read), updates conversations, publishes nothing directly', () => {
      const { tables, eventBus } = synthesized.stateful;
      const fn = functions.window;
      expect(actionsOn(fn, tables.conversations, '/index/byWindowExpiry')).toEqual(['dynamodb:Query']);
      expect(actionsOn(fn, tables.conversations)).toEqual(['dynamodb:UpdateItem']);
      // window.expiring rides on the expiring mark (outbox): no PutEvents.
      expect(actionsOn(fn, eventBus)).toEqual([]);
      expect(env(fn).WINDOW_LEAD_MINUTES).toBe('60');
      expect(dynamoResourcesOf(fn)).toHaveLength(2);
    });

    it('outcome watchdog: queries the byOutcomeDeadline index only, updates messages, publishes nothing directly', () => {
      const { tables, eventBus } = synthesized.stateful;
      const fn = functions.outcomeWatchdog;
      expect(actionsOn(fn, tables.messages, '/index/byOutcomeDeadline')).toEqual(['dynamodb:Query']);
      expect(actionsOn(fn, tables.messages)).toEqual(['dynamodb:UpdateItem']);
      // send.failed rides on the failed mark (outbox): no PutEvents.
      expect(actionsOn(fn, eventBus)).toEqual([]);
      expect(dynamoResourcesOf(fn)).toHaveLength(2);
    });

    it("template sync: finds businesses (Scan), lists and updates their templates, reads each template's connection and secret", () => {
      const { tables } = synthesized.stateful;
      const fn = functions.templateSync;
      expect(actionsOn(fn, tables.templates)).toEqual(['dynamodb:Query', 'dynamodb:Scan', 'dynamodb:UpdateItem']);
      expect(actionsOn(fn, tables.connections)).toEqual(['dynamodb:GetItem']);
      expect(dynamoResourcesOf(fn)).toHaveLength(2);
      expect(statementsOf(fn).flatMap(actionsOf)).toContain('secretsmanager:GetSecretValue');
      expect(JSON.stringify(statementsOf(fn))).not.toContain('events:');
    });
  });

  describe('least privilege across the stateless stack', () => {
    const everyStatement = () => identityStatements(template).filter((statement) => statement.Effect === 'Allow');

    it('Scan only on the templates table for the template sync and on the connections table for the reconciler and the connection health check (each run visits every item anyway)', () => {
      const scans = everyStatement().filter((statement) => actionsOf(statement).includes('dynamodb:Scan'));
      expect(scans).toHaveLength(3);
      for (const scan of scans) expect(resourcesOf(scan)).toHaveLength(1);
      const templates = scans.find((scan) => isImportOf(scan.Resource, id(synthesized.stateful.tables.templates)));
      const connections = scans.filter((scan) => isImportOf(scan.Resource, id(synthesized.stateful.tables.connections)));
      expect(statementsOf(functions.templateSync)).toContainEqual(templates);
      expect(connections).toHaveLength(2);
      expect([...statementsOf(synthesized.stateless.reconcile.echoFunction), ...statementsOf(synthesized.stateless.connectionHealth.echoFunction)]).toEqual(
        expect.arrayContaining(connections),
      );
    });

    it('ChangeMessageVisibility only for a queue consumer, and only on its own queue', () => {
      const statements = everyStatement().filter((statement) =>
        actionsOf(statement).includes('sqs:ChangeMessageVisibility'),
      );
      const { stateful, stateless } = synthesized;
      const owners: Array<[EchoFunction, { node: { defaultChild?: unknown } }]> = [
        [functions.send, stateful.outboundQueue],
        [functions.ai, stateful.inboundQueue],
        [stateless.media.echoFunction, stateful.mediaQueue.queue],
      ];
      expect(statements).toHaveLength(owners.length);
      for (const [fn, queue] of owners) {
        const own = statementsOf(fn).filter((statement) => actionsOf(statement).includes('sqs:ChangeMessageVisibility'));
        expect(own).toHaveLength(1);
        expect(resourcesOf(own[0]!)).toHaveLength(1);
        expect(isImportOf(own[0]!.Resource, id(queue))).toBe(true);
      }
    });

    it('no wildcard actions, no index wildcards, no deletes but the admin API\'s connection pointer', () => {
      const actions = everyStatement().flatMap(actionsOf);
      expect(actions.filter((action) => action === '*' || action.endsWith(':*'))).toEqual([]);
      expect(actions.filter((action) => /^dynamodb:(BatchWriteItem|DeleteTable)$/.test(action))).toEqual([]);
      // DELETE connection removes the business's current-connection pointer item (connections table).
      const deletes = everyStatement().filter((statement) => actionsOf(statement).includes('dynamodb:DeleteItem'));
      expect(deletes).toHaveLength(1);
      expect(statementsOf(synthesized.stateless.admin.echoFunction)).toContainEqual(deletes[0]);
      expect(resourcesOf(deletes[0]!)).toHaveLength(1);
      expect(isImportOf(deletes[0]!.Resource, id(synthesized.stateful.tables.connections))).toBe(true);
      expect(JSON.stringify(everyStatement())).not.toContain('/index/*');
    });

    it('every KMS statement goes through DynamoDB, SQS, Secrets Manager or S3 (kms:ViaService), never the key directly', () => {
      const kmsStatements = everyStatement().filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('kms:')),
      );
      expect(kmsStatements.length).toBeGreaterThan(0);
      for (const statement of kmsStatements) {
        expect(isImportOf(statement.Resource, id(synthesized.stateful.encryptionKey))).toBe(true);
        const via = statement.Condition?.StringEquals?.['kms:ViaService'] as { 'Fn::Join': [string, unknown[]] };
        // s3.: the media bucket and the payload archive (issues #10 and #11).
        expect(['dynamodb.', 'sqs.', 'secretsmanager.', 's3.']).toContain(via['Fn::Join'][1][0]);
      }
    });

    it('only the send function, the AI (read receipts), the template sync, the reconciler, the webhook, the admin API and the media function may read connection secrets', () => {
      const readers = Object.entries(template.findResources('AWS::IAM::Policy'))
        .filter(([, policy]) => JSON.stringify(policy.Properties.PolicyDocument).includes('secretsmanager:GetSecretValue'))
        .map(([, policy]) => (policy.Properties.Roles as { Ref: string }[]).map((role) => role.Ref))
        .flat()
        .sort();
      const { stateless } = synthesized;
      expect(readers).toEqual(
        [
          stateless.webhook.echoFunction.role,
          functions.send.role,
          functions.ai.role,
          functions.templateSync.role,
          stateless.reconcile.echoFunction.role,
          stateless.admin.echoFunction.role,
          // Downloads a customer's file with the connection's BSP credentials (issue #10).
          stateless.media.echoFunction.role,
        ]
          .map(id)
          .sort(),
      );
    });
  });

  /** DynamoDB resources a function's role names (tables and indexes). */
  function dynamoResourcesOf(fn: EchoFunction): string[] {
    return [
      ...new Set(
        statementsOf(fn)
          .filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')))
          .flatMap(resourcesOf)
          .map((resource) => JSON.stringify(resource)),
      ),
    ];
  }
});

describe('outbound pipeline context', () => {
  it('responder, AI endpoint, window lead time and public base URL reach the functions', () => {
    const synthesized = synthesizeWithoutBundling({
      responder: 'http',
      aiEndpointUrl: 'https://ai.echo.example/whatsapp',
      windowLeadMinutes: '30',
      publicBaseUrl: 'https://hooks.example.com/wa/',
    });
    const { statelessTemplate: template, stateless } = synthesized;
    expect(environmentOf(template, stateless.ai.function)).toMatchObject({
      RESPONDER: 'http',
      AI_ENDPOINT_URL: 'https://ai.echo.example/whatsapp',
    });
    expect(environmentOf(template, stateless.window.echoFunction.function).WINDOW_LEAD_MINUTES).toBe('30');
    // The webhook normalises PUBLIC_BASE_URL itself; status callback URLs need no trailing slash.
    expect(environmentOf(template, stateless.webhook.function).PUBLIC_BASE_URL).toBe('https://hooks.example.com/wa/');
    expect(environmentOf(template, stateless.send.function).WEBHOOK_BASE_URL).toBe('https://hooks.example.com/wa');
  }, SYNTH_TIMEOUT_MS);

  it.each([
    [{ responder: 'http' }, /"responder" is "http" but "aiEndpointUrl" is not set/],
    [{ responder: 'gpt' }, /"responder" must be one of http, none, demo/],
    [{ responder: 'http', aiEndpointUrl: 'ai.echo.example' }, /"aiEndpointUrl" must be an absolute http\(s\) URL/],
    [{ aiEndpointUrl: 'ftp://ai.echo.example' }, /"aiEndpointUrl" must be an http\(s\) URL/],
    [{ windowLeadMinutes: 'soon' }, /"windowLeadMinutes" must be a whole number of minutes/],
    [{ windowLeadMinutes: '1440' }, /"windowLeadMinutes" must be a whole number of minutes/],
  ])('refuses to synthesize with %j', (context, message) => {
    expect(() => createApp({ skipBundling: true, context })).toThrow(message);
  });
});

/** `value` is `Fn::Join` of the import of `producerLogicalId` and `suffix` (an index ARN). */
function isIndexOf(value: unknown, producerLogicalId: string, suffix: string): boolean {
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })?.['Fn::Join'];
  if (!join || join[0] !== '') return false;
  const [head, tail, ...rest] = join[1];
  return rest.length === 0 && tail === suffix && isImportOf(head, producerLogicalId);
}
