/**
 * Shared helpers of the infra tests: synthesize the app once (without bundling) and read IAM
 * statements out of templates.
 */
import { Stack, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createApp, type EchoApp } from '../../lib/app';

/** Synthesis with the CloudFormation validation and cdk-nag plugins takes a few seconds. */
export const SYNTH_TIMEOUT_MS = 60_000;

export interface SynthesizedApp extends EchoApp {
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
}

/**
 * The whole app with esbuild bundling skipped (context `aws:cdk:bundling-stacks: []`): the
 * templates are the same, only asset hashes differ. Call it once per test file, in `beforeAll`.
 */
export function synthesizeWithoutBundling(context?: Record<string, unknown>): SynthesizedApp {
  const echo = createApp({ skipBundling: true, context });
  return {
    ...echo,
    statefulTemplate: Template.fromStack(echo.stateful),
    statelessTemplate: Template.fromStack(echo.stateless),
  };
}

/** One IAM policy statement as it appears in a template. */
export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
  Sid?: string;
}

/** Actions of a statement, always as a list. */
export function actionsOf(statement: PolicyStatement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Resources of a statement, always as a list. */
export function resourcesOf(statement: PolicyStatement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/**
 * Every identity-policy statement in a template (AWS::IAM::Policy, ManagedPolicy and inline role
 * policies), optionally only those attached to the role with the given logical id.
 */
export function identityStatements(template: Template, roleLogicalId?: string): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  const attachedTo = (roles: unknown): boolean =>
    roleLogicalId === undefined ||
    (Array.isArray(roles) && roles.some((role) => (role as { Ref?: string }).Ref === roleLogicalId));

  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const resource of Object.values(template.findResources(type))) {
      const properties = resource.Properties as { PolicyDocument: { Statement: PolicyStatement[] }; Roles?: unknown };
      if (attachedTo(properties.Roles)) statements.push(...properties.PolicyDocument.Statement);
    }
  }
  for (const [logicalId, resource] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    if (roleLogicalId !== undefined && logicalId !== roleLogicalId) continue;
    const policies = (resource.Properties?.Policies ?? []) as { PolicyDocument: { Statement: PolicyStatement[] } }[];
    for (const policy of policies) statements.push(...policy.PolicyDocument.Statement);
  }
  return statements;
}

/** The logical id of a construct's CloudFormation resource within its stack. */
export function logicalIdOf(construct: { node: { defaultChild?: unknown } }): string {
  const resource = construct.node.defaultChild as CfnResource;
  return Stack.of(resource).getLogicalId(resource);
}

/** How a value exported by the stateful stack appears in the stateless template. */
export function isImportOf(value: unknown, producerLogicalId: string): boolean {
  const imported = (value as { 'Fn::ImportValue'?: unknown })?.['Fn::ImportValue'];
  return typeof imported === 'string' && imported.includes(producerLogicalId);
}

/** The CloudFormation resource (type, properties, dependencies) of a construct in a template. */
export function resourceOf(
  template: Template,
  construct: { node: { defaultChild?: unknown } },
): { Type: string; Properties: Record<string, any>; DependsOn?: string[] } {
  const resource = template.toJSON().Resources?.[logicalIdOf(construct)];
  if (!resource) throw new Error(`no resource ${logicalIdOf(construct)} in the template`);
  return resource;
}

/** A function's environment variables as synthesized. */
export function environmentOf(template: Template, fn: { node: { defaultChild?: unknown } }): Record<string, unknown> {
  return (resourceOf(template, fn).Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
}

/** The resource of every connection-secret grant: the secrets under `echo-whatsapp/connections/`, in this account and region. */
export const CONNECTION_SECRETS_RESOURCE = {
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:echo-whatsapp/connections/*'],
  ],
};
