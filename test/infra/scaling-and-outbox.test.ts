import { Match } from 'aws-cdk-lib/assertions';
import { AI_DEFAULTS, SEND_DEFAULTS, WEBHOOK_ROUTE_KEYS, webhookRouteLoadFactor } from '../../lib/config';
import { EVENT_RELAY_DEFAULTS, LAMBDA_ACCOUNT_CONCURRENCY, SDK_TIMEOUTS, SEND_SCALING, WEBHOOK_SCALING } from '../../lib/scaling';
import { concurrencyBudget, stagesOf } from '../../scripts/capacity';
import type { CfnTemplate } from '../../local/template';
import { actionsOf, environmentOf, identityStatements, logicalIdOf, resourceOf, resourcesOf, synthesizeWithoutBundling, SYNTH_TIMEOUT_MS, type SynthesizedApp } from './synth';

describe('events from committed state (outbox) and the ceilings of issue #9', () => {
  let synthesized: SynthesizedApp;

  beforeAll(() => {
    synthesized = synthesizeWithoutBundling();
  }, SYNTH_TIMEOUT_MS);

  describe('streams and the event relay', () => {
    it('streams new and old images of exactly the tables whose items carry events', () => {
      const { stateful, statefulTemplate } = synthesized;
      const streamed = ['messages', 'conversations', 'connections'] as const;
      for (const name of streamed) {
        expect(resourceOf(statefulTemplate, stateful.tables[name]).Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
      }
      for (const name of ['dedupe', 'templates', 'contentCache', 'audit'] as const) {
        expect(resourceOf(statefulTemplate, stateful.tables[name]).Properties.StreamSpecification).toBeUndefined();
      }
    });

    it('maps each stream to the relay: filtered to new outbox entries, from the oldest record, partial failures, bisect, a DLQ', () => {
      const { stateless, statelessTemplate } = synthesized;
      const relay = stateless.eventRelay;
      const mappings = Object.values(statelessTemplate.findResources('AWS::Lambda::EventSourceMapping')).filter(
        (mapping) => mapping.Properties.FunctionName?.Ref === logicalIdOf(relay.echoFunction.function),
      );
      expect(mappings).toHaveLength(3);
      for (const mapping of mappings) {
        expect(mapping.Properties).toEqual(
          expect.objectContaining({
            StartingPosition: 'TRIM_HORIZON',
            BatchSize: EVENT_RELAY_DEFAULTS.batchSize,
            ParallelizationFactor: EVENT_RELAY_DEFAULTS.parallelizationFactor,
            BisectBatchOnFunctionError: true,
            MaximumRetryAttempts: EVENT_RELAY_DEFAULTS.retryAttempts,
            FunctionResponseTypes: ['ReportBatchItemFailures'],
            DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf(relay.deadLetterQueue), 'Arn'] } } },
          }),
        );
        const [filter] = mapping.Properties.FilterCriteria.Filters as Array<{ Pattern: string }>;
        expect(JSON.parse(filter!.Pattern)).toEqual({ dynamodb: { NewImage: { outbox: { M: { id: { S: [{ exists: true }] } } } } } });
      }
    });

    it('lets the relay read only those streams and put events only on the bus', () => {
      const { stateless, statelessTemplate } = synthesized;
      const statements = identityStatements(statelessTemplate, logicalIdOf(stateless.eventRelay.echoFunction.role));
      const streamStatement = statements.find((statement) => actionsOf(statement).includes('dynamodb:GetRecords'));
      expect(resourcesOf(streamStatement!)).toHaveLength(3);
      expect(JSON.stringify(resourcesOf(streamStatement!))).toMatch(/StreamArn/);
      const putEvents = statements.filter((statement) => actionsOf(statement).includes('events:PutEvents'));
      expect(putEvents).toHaveLength(1);
      const wildcards = statements.filter((statement) => resourcesOf(statement).includes('*'));
      expect(wildcards.flatMap(actionsOf).every((action) => action.startsWith('xray:'))).toBe(true);
      expect(statements.flatMap(actionsOf).filter((action) => /^dynamodb:(Put|Update|Delete|Scan|Query)/.test(action))).toEqual([]);
    });

    it('alarms when a batch reaches the dead-letter queue and when events fall a minute behind', () => {
      const { stateless, statelessTemplate } = synthesized;
      statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(stateless.eventRelay.deadLetterQueue), 'QueueName'] } }],
        Threshold: 0,
        AlarmActions: Match.anyValue(),
      });
      statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IteratorAge', Threshold: 60_000, AlarmActions: Match.anyValue() });
    });
  });

  describe('ceilings', () => {
    it('gives every function the enforced SDK time budget, which fits inside the webhook timeout', () => {
      const { stateless, statelessTemplate } = synthesized;
      const environment = environmentOf(statelessTemplate, stateless.webhook.echoFunction.function);
      expect(environment).toMatchObject({
        SDK_CONNECTION_TIMEOUT_MS: '1000',
        SDK_REQUEST_TIMEOUT_MS: '3000',
        SDK_MAX_ATTEMPTS: '2',
        SDK_THROW_ON_REQUEST_TIMEOUT: 'true',
      });
      // Every attempt at its limits, plus the SDK's first backoffs (≤ 0.5 s), inside the 10 s timeout.
      const worstMs = SDK_TIMEOUTS.maxAttempts * (SDK_TIMEOUTS.connectionTimeoutMs + SDK_TIMEOUTS.requestTimeoutMs) + 500;
      expect(worstMs).toBeLessThan(10_000);
      for (const fn of [stateless.send.function, stateless.ai.function, stateless.eventRelay.echoFunction.function]) {
        expect(environmentOf(statelessTemplate, fn).SDK_THROW_ON_REQUEST_TIMEOUT).toBe('true');
      }
    });

    it('reserves the webhook enough concurrency for its busiest routes, and the budget fits the default account quota', () => {
      const { statelessTemplate } = synthesized;
      const functions = Object.values(statelessTemplate.findResources('AWS::Lambda::Function'));
      const reserved = functions.reduce((sum, fn) => sum + ((fn.Properties.ReservedConcurrentExecutions as number | undefined) ?? 0), 0);
      const mappings = Object.values(statelessTemplate.findResources('AWS::Lambda::EventSourceMapping'));
      const capped = mappings.reduce((sum, mapping) => sum + ((mapping.Properties.ScalingConfig?.MaximumConcurrency as number | undefined) ?? 0), 0);

      // One inbound message per provider's inbound route at its limit, with its status callbacks.
      const inboundPerSecond = WEBHOOK_SCALING.throttle.rateLimit;
      const requestsPerInbound = Math.max(...WEBHOOK_ROUTE_KEYS.map(webhookRouteLoadFactor));
      const webhookCeiling = (WEBHOOK_SCALING.reservedConcurrency * 1000) / WEBHOOK_SCALING.p99DurationMs;
      expect(webhookCeiling / requestsPerInbound).toBeGreaterThanOrEqual(inboundPerSecond);
      expect(reserved).toBe(WEBHOOK_SCALING.reservedConcurrency);
      expect(reserved + capped).toBeLessThanOrEqual(LAMBDA_ACCOUNT_CONCURRENCY.total - LAMBDA_ACCOUNT_CONCURRENCY.unreservedMinimum);
    });

    it('lets the send stage reach 1,000 messages/s across businesses, and the AI more than its old cap of 20', () => {
      expect(SEND_DEFAULTS.maxConcurrency).toBe(SEND_SCALING.maxConcurrency);
      expect((SEND_SCALING.maxConcurrency * SEND_SCALING.batchSize * 1000) / SEND_SCALING.batchDurationMs).toBeGreaterThanOrEqual(1_000);
      expect(AI_DEFAULTS.maxConcurrency).toBeGreaterThan(20);
    });
  });

  describe('npm run capacity', () => {
    it('finds every stage of the synthesized template at ≥ 1,000 turns per second, within the concurrency quota', () => {
      const templates = {
        stateful: synthesized.statefulTemplate.toJSON() as CfnTemplate,
        stateless: synthesized.statelessTemplate.toJSON() as CfnTemplate,
      };

      const stages = stagesOf(templates);
      const budget = concurrencyBudget(templates.stateless);

      expect(stages.map((stage) => stage.name)).toEqual(
        expect.arrayContaining(['webhook routes (inbound, per provider)', 'webhook function', 'outbound queue → send', 'EventBridge PutEvents', 'GSI byOutcomeDeadline']),
      );
      expect(stages.filter((stage) => stage.perSecond < 1_000)).toEqual([]);
      expect(budget.reserved + budget.capped).toBeLessThanOrEqual(LAMBDA_ACCOUNT_CONCURRENCY.total - LAMBDA_ACCOUNT_CONCURRENCY.unreservedMinimum);
    });
  });
});
