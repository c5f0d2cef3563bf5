/**
 * Least-privilege IAM statements shared by the function constructs. Every statement names its
 * resources (a table, one named index, a queue, the key through one service); the only wildcards
 * are the connection-secret prefix (secrets are created at run time) and X-Ray (no resource-level
 * permissions), each acknowledged where it is added.
 */
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { CONNECTION_SECRET_PREFIX, connectionSecretPath } from '../config';
import type { EchoFunction } from './echo-function';

/**
 * Actions on the items of one table (its ARN only: no index).
 * @example
 * fn.addToRolePolicy(dynamoStatement(tables.messages, ['dynamodb:GetItem']));
 */
export function dynamoStatement(table: dynamodb.ITable, actions: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions, resources: [table.tableArn] });
}

/**
 * Actions on one named index of a table (`<table-arn>/index/<name>`), never `/index/*`.
 * @example
 * fn.addToRolePolicy(dynamoIndexStatement(tables.conversations, 'byWindowExpiry', ['dynamodb:Query']));
 */
export function dynamoIndexStatement(table: dynamodb.ITable, indexName: string, actions: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions, resources: [`${table.tableArn}/index/${indexName}`] });
}

/**
 * Key actions allowed only when the given service (DynamoDB, SQS, Secrets Manager) calls KMS on
 * the caller's behalf: the function can never decrypt with the key directly.
 */
export function kmsViaService(key: kms.IKey, stack: Stack, service: string, actions: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions,
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `${service}.${stack.region}.amazonaws.com` } },
  });
}

/** What DynamoDB needs from the key to read and write a table encrypted with it, for this caller. */
export const DYNAMODB_KMS_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];

/** SQS SSE-KMS: a producer needs a data key (GenerateDataKey) and Decrypt to reuse it; a consumer Decrypt. */
export const SQS_PRODUCER_KMS_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

/**
 * Lets a function read (GetSecretValue only) the secrets under the connection-secret prefix, and
 * decrypt them through Secrets Manager; acknowledges the prefix wildcard with `reason`, which must
 * say why this function needs secrets of arbitrary connections.
 */
export function allowConnectionSecretsRead(
  fn: EchoFunction,
  key: kms.IKey,
  options: { secretNamePrefix?: string; reason: string },
): void {
  const stack = Stack.of(fn);
  const prefix = options.secretNamePrefix ?? CONNECTION_SECRET_PREFIX;
  const pattern = stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${connectionSecretPath(prefix)}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [pattern] }));
  // Connection secrets are encrypted with the stack's key by the admin API.
  fn.addToRolePolicy(kmsViaService(key, stack, 'secretsmanager', ['kms:Decrypt']));
  Validations.of(fn.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${flattenedSecretsPattern(prefix)}]`,
    reason:
      options.reason +
      ' The wildcard is confined to the connection-secret prefix and to GetSecretValue; Secrets Manager ' +
      'appends a random suffix to every secret ARN, which also needs the trailing wildcard.',
  });
}

/** The secrets ARN pattern as cdk-nag prints it in finding ids (pseudo parameters in angle brackets). */
export function flattenedSecretsPattern(prefix: string = CONNECTION_SECRET_PREFIX): string {
  return `arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${connectionSecretPath(prefix)}*`;
}
