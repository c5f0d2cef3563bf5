/**
 * The stateful stack's outputs that `npm run ops -- … --aws` finds the deployment's resources by
 * (CloudFormation `DescribeStacks` on `STACK_NAMES.stateful`). Stable keys: the script and the stack
 * share this list. No aws-cdk-lib import: the ops script loads this module.
 */
export const OPS_OUTPUTS = {
  connectionsTable: 'OpsConnectionsTable',
  conversationsTable: 'OpsConversationsTable',
  messagesTable: 'OpsMessagesTable',
  dedupeTable: 'OpsDedupeTable',
  inboundQueueUrl: 'OpsInboundQueueUrl',
  inboundDeadLetterQueueUrl: 'OpsInboundDeadLetterQueueUrl',
  outboundQueueUrl: 'OpsOutboundQueueUrl',
  outboundDeadLetterQueueUrl: 'OpsOutboundDeadLetterQueueUrl',
  eventBusName: 'OpsEventBusName',
  archiveBucket: 'OpsArchiveBucket',
} as const;

export type OpsOutputName = keyof typeof OPS_OUTPUTS;
