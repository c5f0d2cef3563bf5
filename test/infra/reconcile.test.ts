/**
 * The inbound reconciler's function: schedule, environment contract, least-privilege grants and its
 * alarm, one decision per test.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { SDK_TIMEOUT_VARIABLES } from '../../lambdas/shared/aws-clients';
import type { EchoFunction } from '../../lib/constructs/echo-function';
import { RECONCILE_DEFAULTS, SCHEDULES } from '../../lib/config';
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

type Construct = { node: { defaultChild?: unknown } };

describe('inbound reconciler', () => {
  let synthesized: SynthesizedApp;
  let template: Template;
  let fn: EchoFunction;
  const id = (construct: Construct) => logicalIdOf(construct);

  beforeAll(() => {
    synthesized = synthesizeWithoutBundling();
    template = synthesized.statelessTemplate;
    fn = synthesized.stateless.reconcile.echoFunction;
  }, SYNTH_TIMEOUT_MS);

  const statements = (): PolicyStatement[] => identityStatements(template, id(fn.role));
  const actionsOn = (resource: Construct): string[] =>
    statements()
      .filter((statement) => resourcesOf(statement).some((value) => isImportOf(value, id(resource))))
      .flatMap(actionsOf)
      .sort();

  it('is the direct child `Reconcile` of the stateless stack (the local runtime maps it to lambdas/handlers/reconcile)', () => {
    expect(fn.node.path.split('/').slice(0, 2)).toEqual(['EchoWhatsAppStateless', 'Reconcile']);
  });

  it('runs every 10 minutes, retries within one period, with its configured timeout', () => {
    expect(SCHEDULES.reconcile.everyMinutes).toBe(10);
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((rule) =>
      rule.Properties.Targets.some(
        (target: { Arn: unknown }) => JSON.stringify(target.Arn) === JSON.stringify({ 'Fn::GetAtt': [id(fn.function), 'Arn'] }),
      ),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]!.Properties).toMatchObject({
      ScheduleExpression: 'rate(10 minutes)',
      Targets: [expect.objectContaining({ RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 600 } })],
    });
    expect(resourceOf(template, fn.function).Properties.Timeout).toBe(SCHEDULES.reconcile.timeoutSeconds);
    expect(resourceOf(template, fn.function).Properties.DeadLetterConfig).toEqual({
      TargetArn: { 'Fn::GetAtt': [id(synthesized.stateless.scheduledDeadLetterQueue), 'Arn'] },
    });
  });

  it('has exactly its env contract, sharing names and values with the webhook and the send Lambda', () => {
    const env = environmentOf(template, fn.function);
    expect(Object.keys(env).sort()).toEqual(
      [
        'CONNECTIONS_TABLE',
        'CONVERSATIONS_TABLE',
        'MESSAGES_TABLE',
        'DEDUPE_TABLE',
        'INBOUND_QUEUE_URL',
        'EVENT_BUS_NAME',
        'TWILIO_API_BASE_URL',
        'SECRETS_CACHE_TTL_SECONDS',
        'DEDUPE_TTL_DAYS',
        'RECONCILE_LOOKBACK_MINUTES',
        'RECONCILE_SETTLE_SECONDS',
        'POWERTOOLS_SERVICE_NAME',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_LOG_LEVEL',
        ...Object.values(SDK_TIMEOUT_VARIABLES),
      ].sort(),
    );
    expect(env.RECONCILE_LOOKBACK_MINUTES).toBe(String(RECONCILE_DEFAULTS.lookbackMinutes));
    expect(env.RECONCILE_SETTLE_SECONDS).toBe(String(RECONCILE_DEFAULTS.settleSeconds));
    // The local runtime runs every function in one process and refuses conflicting values.
    const webhook = environmentOf(template, synthesized.stateless.webhook.function);
    const send = environmentOf(template, synthesized.stateless.send.function);
    for (const [name, value] of Object.entries(env)) {
      if (name.startsWith('POWERTOOLS_')) continue;
      for (const other of [webhook, send]) if (name in other) expect(other[name]).toEqual(value);
    }
    expect(env.TWILIO_API_BASE_URL).toBe(send.TWILIO_API_BASE_URL);
    expect(env.DEDUPE_TTL_DAYS).toBe(webhook.DEDUPE_TTL_DAYS);
  });

  it('Scan (and the lastInboundAt touch) on the connections table; no index, no Query, no Delete anywhere', () => {
    const { tables } = synthesized.stateful;
    expect(actionsOn(tables.connections)).toEqual(['dynamodb:Scan', 'dynamodb:UpdateItem']);
    const all = statements().flatMap(actionsOf);
    for (const forbidden of ['dynamodb:Query', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:*', '*']) {
      expect(all).not.toContain(forbidden);
    }
    expect(JSON.stringify(statements())).not.toContain('/index/');
  });

  it('existence by BatchGetItem on dedupe; for missing messages, the same ingestion grants as the webhook', () => {
    const { tables } = synthesized.stateful;
    expect(actionsOn(tables.dedupe)).toEqual(['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(actionsOn(tables.messages)).toEqual(['dynamodb:PutItem']);
    expect(actionsOn(tables.conversations)).toEqual(['dynamodb:UpdateItem']);
    expect(actionsOn(tables.templates)).toEqual([]);
    expect(actionsOn(tables.contentCache)).toEqual([]);
  });

  it('sends to the inbound queue only, publishes on the bus, reads connection secrets', () => {
    const { inboundQueue, outboundQueue, eventBus } = synthesized.stateful;
    expect(actionsOn(inboundQueue)).toEqual(['sqs:SendMessage']);
    expect(actionsOn(outboundQueue)).toEqual([]);
    // message.received rides on the message's write (outbox): the relay publishes it, not the reconciler.
    expect(actionsOn(eventBus)).toEqual([]);
    const secrets = statements().filter((statement) => actionsOf(statement).includes('secretsmanager:GetSecretValue'));
    expect(secrets).toHaveLength(1);
    expect(actionsOf(secrets[0]!)).toEqual(['secretsmanager:GetSecretValue']);
    expect(JSON.stringify(secrets[0]!.Resource)).toContain('secret:echo-whatsapp/connections/*');
  });

  it('alarms when it ingested any message (the webhook missed it), and on failed runs', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'EchoWhatsApp',
      MetricName: 'ReconcileIngested',
      Dimensions: [{ Name: 'service', Value: 'whatsapp-reconcile' }],
      Statistic: 'Sum',
      Period: 600,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    // Failures alarm only when they persist: three runs in a row.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'EchoWhatsApp',
      MetricName: 'ReconcileFailed',
      Dimensions: [{ Name: 'service', Value: 'whatsapp-reconcile' }],
      Statistic: 'Sum',
      Period: 600,
      Threshold: 0,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(environmentOf(template, fn.function).POWERTOOLS_SERVICE_NAME).toBe('whatsapp-reconcile');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(fn.function) } }],
    });
  });
});
