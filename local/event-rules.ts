/**
 * EventBridge rules of the stateful template that route events from the bus to a queue (the media
 * step's `message.received`-with-media rule), created in moto like the tables and queues: moto
 * matches the same event pattern and delivers PutEvents to the SQS target, so the media queue is
 * fed locally exactly as in AWS. Scheduled rules are not here (local/scheduler.ts fires those).
 */
import { PutRuleCommand, PutTargetsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { localName, type CfnTemplate } from './template';

/** A pattern rule on one of the template's buses, with its queue targets. */
export interface EventRulePlan {
  logicalId: string;
  /** Local rule name (`<prefix>-<logicalId>`, truncated like other names). */
  name: string;
  /** Logical id of the bus (`EventBusName: { Ref }`), or undefined for the default bus. */
  busLogicalId?: string;
  eventPattern: unknown;
  enabled: boolean;
  /** Queue targets by logical id; other target kinds are not emulated. */
  targets: Array<{ id: string; queueLogicalId: string }>;
}

function refOf(value: unknown): string | undefined {
  const ref = (value as { Ref?: unknown } | undefined)?.Ref;
  return typeof ref === 'string' ? ref : undefined;
}

function getAttArnOf(value: unknown): string | undefined {
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
  return Array.isArray(getAtt) && getAtt[1] === 'Arn' && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
}

/**
 * The rules with an `EventPattern` whose targets are queues of the same template.
 * @example planEventRules(statefulTemplate, 'echo-local') // [{ logicalId: 'MediaQueueMediaReceivedRule…', targets: [{ id: 'Target0', queueLogicalId: 'MediaQueue…' }], … }]
 */
export function planEventRules(template: CfnTemplate, namePrefix: string): EventRulePlan[] {
  const resources = template.Resources ?? {};
  const plans: EventRulePlan[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Events::Rule') continue;
    const properties = (resource.Properties ?? {}) as Record<string, unknown>;
    if (properties.EventPattern === undefined) continue;
    const targets = ((properties.Targets as unknown[] | undefined) ?? []).flatMap((target) => {
      const queueLogicalId = getAttArnOf((target as { Arn?: unknown }).Arn);
      const id = (target as { Id?: unknown }).Id;
      return queueLogicalId && resources[queueLogicalId]?.Type === 'AWS::SQS::Queue' && typeof id === 'string' ? [{ id, queueLogicalId }] : [];
    });
    plans.push({
      logicalId,
      // EventBridge rule names are at most 64 characters; the bucket limit (63) keeps them under it.
      name: localName(namePrefix, logicalId, 'bucket'),
      ...(refOf(properties.EventBusName) !== undefined && { busLogicalId: refOf(properties.EventBusName) }),
      eventPattern: properties.EventPattern,
      enabled: properties.State !== 'DISABLED',
      targets,
    });
  }
  return plans;
}

/**
 * Creates (or updates: PutRule and PutTargets are upserts) each planned rule in moto, on the local
 * bus of the same logical id, targeting the local queues.
 */
export async function createEventRules(
  events: EventBridgeClient,
  plans: EventRulePlan[],
  local: { buses: Record<string, { name: string }>; queues: Record<string, { arn: string }> },
  log: (line: string) => void = () => undefined,
): Promise<string[]> {
  const created: string[] = [];
  for (const plan of plans) {
    const busName = plan.busLogicalId ? local.buses[plan.busLogicalId]?.name : undefined;
    if (plan.busLogicalId && !busName) continue;
    await events.send(
      new PutRuleCommand({
        Name: plan.name,
        ...(busName && { EventBusName: busName }),
        EventPattern: JSON.stringify(plan.eventPattern),
        State: plan.enabled ? 'ENABLED' : 'DISABLED',
      }),
    );
    const targets = plan.targets.flatMap((target) => {
      const queue = local.queues[target.queueLogicalId];
      return queue ? [{ Id: target.id, Arn: queue.arn }] : [];
    });
    if (targets.length > 0) await events.send(new PutTargetsCommand({ Rule: plan.name, ...(busName && { EventBusName: busName }), Targets: targets }));
    created.push(plan.logicalId);
    log(`rule    ${plan.name}`);
  }
  return created;
}
