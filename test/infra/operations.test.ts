import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { githubAnchor, RUNBOOK_SECTIONS } from '../../lib/constructs/alarms';
import { PROVIDERS } from '../../lambdas/domain/providers';
import { METRIC, SERVICE } from '../../lambdas/shared/telemetry';
import { SYNTH_TIMEOUT_MS, synthesizeWithoutBundling, type SynthesizedApp } from './synth';

type Resource = { Type: string; Properties?: Record<string, unknown> };

/** The anchors of every heading of RUNBOOK.md, as GitHub renders them. */
function runbookAnchors(): Set<string> {
  const markdown = fs.readFileSync(path.join(__dirname, '..', '..', 'RUNBOOK.md'), 'utf8');
  return new Set([...markdown.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)].map((match) => githubAnchor(match[1]!)));
}

function resources(template: Template, type: string): Array<[string, Resource]> {
  return Object.entries(template.findResources(type) as Record<string, Resource>);
}

/** Alarm descriptions are strings, or Fn::Join when they embed a token (a construct path): flattened. */
function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Whether `value` (a dimension value in a template) refers to the logical id `id`. */
function refersTo(value: unknown, id: string): boolean {
  return JSON.stringify(value).includes(`"${id}"`);
}

describe('operating it: alarms, runbook and dashboard', () => {
  let echo: SynthesizedApp;
  let templates: Template[];
  beforeAll(() => {
    echo = synthesizeWithoutBundling();
    templates = [echo.statefulTemplate, echo.statelessTemplate];
  }, SYNTH_TIMEOUT_MS);

  it("links every alarm's description to a RUNBOOK.md heading that exists", () => {
    // Prepare
    const anchors = runbookAnchors();
    const alarms = templates.flatMap((template) => [...resources(template, 'AWS::CloudWatch::Alarm'), ...resources(template, 'AWS::CloudWatch::CompositeAlarm')]);

    // Act
    const links = alarms.map(([id, alarm]) => [id, /Runbook: RUNBOOK\.md#([a-z0-9-]+)/.exec(text(alarm.Properties?.AlarmDescription))?.[1]] as const);

    // Assess
    expect(alarms.length).toBeGreaterThan(20);
    expect(links.filter(([, anchor]) => anchor === undefined).map(([id]) => id)).toEqual([]);
    expect(links.filter(([, anchor]) => !anchors.has(anchor!)).map(([id, anchor]) => `${id} → #${anchor}`)).toEqual([]);
    // And every section the code names exists (a renamed heading breaks here, not in an incident).
    expect(Object.values(RUNBOOK_SECTIONS).filter((heading) => !anchors.has(githubAnchor(heading)))).toEqual([]);
  });

  it('gives every function of ours an errors and a throttles alarm', () => {
    for (const template of templates) {
      // Prepare: our functions carry a Powertools service name; CDK's own helper functions do not.
      const functions = resources(template, 'AWS::Lambda::Function')
        .filter(([, fn]) => JSON.stringify(fn.Properties?.Environment ?? {}).includes('POWERTOOLS_SERVICE_NAME'))
        .map(([id]) => id);
      const alarms = resources(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties!);
      const alarmedFor = (metricName: string) => (fn: string) =>
        alarms.some((alarm) => alarm.Namespace === 'AWS/Lambda' && alarm.MetricName === metricName && refersTo(alarm.Dimensions, fn));

      // Assess
      expect(functions.filter((fn) => !alarmedFor('Errors')(fn))).toEqual([]);
      expect(functions.filter((fn) => !alarmedFor('Throttles')(fn))).toEqual([]);
    }
    expect(resources(echo.statelessTemplate, 'AWS::Lambda::Function').length).toBeGreaterThan(8);
  });

  it('gives every dead-letter queue an alarm on its depth', () => {
    for (const template of templates) {
      // Prepare: a DLQ is a queue another queue redrives to, or one a function dead-letters into.
      const queues = resources(template, 'AWS::SQS::Queue');
      const redriveTargets = queues.flatMap(([, queue]) => {
        const target = (queue.Properties?.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn;
        return target ? [JSON.stringify(target)] : [];
      });
      const functionTargets = resources(template, 'AWS::Lambda::Function').flatMap(([, fn]) => {
        const target = (fn.Properties?.DeadLetterConfig as { TargetArn?: unknown } | undefined)?.TargetArn;
        return target ? [JSON.stringify(target)] : [];
      });
      const dlqs = queues.map(([id]) => id).filter((id) => [...redriveTargets, ...functionTargets].some((target) => target.includes(`"${id}"`)));
      const alarms = resources(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties!);

      // Assess
      const unalarmed = dlqs.filter(
        (id) => !alarms.some((alarm) => alarm.MetricName === 'ApproximateNumberOfMessagesVisible' && refersTo(alarm.Dimensions, id)),
      );
      expect(unalarmed).toEqual([]);
    }
  });

  it('alarms on delivery success per provider, webhook p99, credentials rejected, quiet connections and archive failures', () => {
    // Prepare
    const alarms = resources(echo.statelessTemplate, 'AWS::CloudWatch::Alarm').map(([, alarm]) => JSON.stringify(alarm.Properties));
    const withMetric = (name: string) => alarms.filter((alarm) => alarm.includes(`"MetricName":"${name}"`));

    // Assess
    expect(withMetric(METRIC.deliveryConfirmed)).toHaveLength(PROVIDERS.length);
    for (const provider of PROVIDERS) expect(withMetric(METRIC.deliveryConfirmed).some((alarm) => alarm.includes(`"Value":"${provider}"`))).toBe(true);
    expect(withMetric('Latency').some((alarm) => alarm.includes('"Threshold":500'))).toBe(true);
    expect(withMetric(METRIC.connectionCredentialsRejected)).toHaveLength(1);
    expect(withMetric(METRIC.connectionsGoneQuiet)).toHaveLength(1);
    expect(withMetric(METRIC.archiveWriteFailed)).toHaveLength(1);
    // The SendFailed alarm still sums every source.
    const sendFailed = withMetric(METRIC.sendFailed);
    expect(sendFailed).toHaveLength(1);
    for (const service of [SERVICE.send, SERVICE.outcomeWatchdog, SERVICE.webhook]) expect(sendFailed[0]).toContain(`"Value":"${service}"`);
  });

  it('fires "messages may be lost" when any DLQ, the webhook 5xx, the reconciler or expired outcomes alarm', () => {
    // Prepare
    const [[, composite]] = resources(echo.statelessTemplate, 'AWS::CloudWatch::CompositeAlarm');
    const rule = JSON.stringify(composite!.Properties!.AlarmRule);

    // Assess: the stateful DLQ alarms arrive as imports, the stateless ones by reference.
    expect(rule.match(/ALARM\(/g)?.length).toBeGreaterThanOrEqual(5);
    expect(rule).toContain('ImportValue');
    expect(rule).toMatch(/ReconcileIngestedAlarm/);
    expect(rule).toMatch(/OutcomeUnknownExpiredAlarm/);
    expect(rule).toMatch(/ServerErrorRateAlarm/);
  });

  it('draws the three success metrics: webhook p99 < 500 ms, delivery > 99 % per provider, lost = 0', () => {
    // Prepare
    const dashboards = resources(echo.statelessTemplate, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboards[0]![1].Properties!.DashboardBody);

    // Assess
    expect(dashboards).toHaveLength(1);
    expect(body).toContain(METRIC.webhookLatency);
    expect(body).toMatch(/\\"value\\":500/);
    expect(body).toContain(METRIC.deliveryConfirmed);
    expect(body).toMatch(/\\"value\\":99/);
    expect(body).toContain('Lost: all must stay 0');
    for (const name of [METRIC.reconcileIngested, METRIC.outcomeExpired, 'ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage', METRIC.archiveWriteFailed]) {
      expect(body).toContain(name);
    }
    for (const provider of PROVIDERS) expect(body).toContain(`${provider} p99`);
  });

  it('takes the runbook base from context runbookBaseUrl', () => {
    // Act
    const custom = synthesizeWithoutBundling({ runbookBaseUrl: 'https://example.com/RUNBOOK.md' });

    // Assess
    const descriptions = Object.values(custom.statelessTemplate.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>).map((alarm) =>
      text(alarm.Properties?.AlarmDescription),
    );
    expect(descriptions.every((description) => description.includes('Runbook: https://example.com/RUNBOOK.md#'))).toBe(true);
  }, SYNTH_TIMEOUT_MS);
});
