/**
 * Where `npm run ops` works: the local runtime of `npm run dev` (its `.local/runtime.json`, moto),
 * or with `--aws` a deployment (the stateful stack's outputs, the default AWS credential chain).
 * Both end up as the same description, so every command is written once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { STACK_NAMES } from '../../lib/config';
import { OPS_OUTPUTS, type OpsOutputName } from '../../lib/ops-outputs';
import { DEFAULT_STATE_FILE, type RuntimeStateFile } from '../../local/state';

/** A dead-letter queue and the queue its messages came from (where `redrive` moves them back). */
export interface DeadLetterQueue {
  /** `inbound` or `outbound`: what `dlq show|redrive <queue>` takes. */
  name: string;
  url: string;
  sourceUrl: string;
}

export interface OpsTarget {
  mode: 'local' | 'aws';
  region: string;
  /** moto's endpoint locally; absent in AWS. */
  endpoint?: string;
  tables: { connections: string; conversations: string; messages: string; dedupe: string };
  inboundQueueUrl: string;
  outboundQueueUrl: string;
  deadLetterQueues: DeadLetterQueue[];
  eventBusName: string;
  archiveBucket: string;
  /** The variables the webhook's handler reads (replay runs it in this process). */
  webhookEnv: Record<string, string>;
}

/** The target is not there (no `npm run dev`, no deployment): its message is the one line to print. */
export class OpsTargetError extends Error {}

/**
 * The local runtime's description, from the state file `npm run dev` writes.
 * @example const target = localTarget(); // throws OpsTargetError when npm run dev is not running
 */
export function localTarget(file: string = DEFAULT_STATE_FILE): OpsTarget {
  if (!existsSync(file)) throw new OpsTargetError(`no ${file}: start \`npm run dev\` first (or pass --aws for a deployment)`);
  const state = JSON.parse(readFileSync(file, 'utf8')) as RuntimeStateFile;
  return localTargetOf(state);
}

/** {@link localTarget} from an already read state (tests build it from a runtime started in-process). */
export function localTargetOf(state: Pick<RuntimeStateFile, 'motoEndpoint' | 'region' | 'webhookEnv' | 'queues' | 'archiveBucket'>): OpsTarget {
  const env = state.webhookEnv;
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new OpsTargetError(`the local runtime's webhook has no ${name}: restart \`npm run dev\` with this version`);
    return value;
  };
  const queues = Object.values(state.queues);
  const deadLetterQueues: DeadLetterQueue[] = queues.flatMap((source) => {
    const dlq = source.deadLetterQueue ? state.queues[source.deadLetterQueue] : undefined;
    if (!dlq) return [];
    const name =
      source.url === env.INBOUND_QUEUE_URL
        ? 'inbound'
        : source.url === env.OUTBOUND_QUEUE_URL
          ? 'outbound'
          : // Another queue of the template (`MediaQueueB8734E3A` → `media`).
            source.logicalId.replace(/[0-9A-F]{8}$/, '').replace(/Queue.*$/, '').toLowerCase() || source.logicalId;
    return [{ name, url: dlq.url, sourceUrl: source.url }];
  });
  return {
    mode: 'local',
    region: state.region,
    endpoint: state.motoEndpoint,
    tables: {
      connections: required('CONNECTIONS_TABLE'),
      conversations: required('CONVERSATIONS_TABLE'),
      messages: required('MESSAGES_TABLE'),
      dedupe: required('DEDUPE_TABLE'),
    },
    inboundQueueUrl: required('INBOUND_QUEUE_URL'),
    outboundQueueUrl: required('OUTBOUND_QUEUE_URL'),
    deadLetterQueues,
    eventBusName: required('EVENT_BUS_NAME'),
    archiveBucket: state.archiveBucket ?? required('ARCHIVE_BUCKET'),
    webhookEnv: env,
  };
}

/**
 * A deployment's description, from the stateful stack's outputs (`lib/ops-outputs.ts`).
 * @example const target = await awsTarget(); // region from AWS_REGION / the profile
 */
export async function awsTarget(cloudFormation = new CloudFormationClient({})): Promise<OpsTarget> {
  let outputs: Record<string, string>;
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: STACK_NAMES.stateful }));
    outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']));
  } catch (error) {
    throw new OpsTargetError(`cannot read stack ${STACK_NAMES.stateful}: ${(error as Error).name}: ${(error as Error).message}`);
  }
  const output = (name: OpsOutputName) => {
    const value = outputs[OPS_OUTPUTS[name]];
    if (!value) throw new OpsTargetError(`stack ${STACK_NAMES.stateful} has no output ${OPS_OUTPUTS[name]}: deploy this version first`);
    return value;
  };
  const region = await cloudFormation.config.region();
  const tables = {
    connections: output('connectionsTable'),
    conversations: output('conversationsTable'),
    messages: output('messagesTable'),
    dedupe: output('dedupeTable'),
  };
  const inboundQueueUrl = output('inboundQueueUrl');
  const outboundQueueUrl = output('outboundQueueUrl');
  const eventBusName = output('eventBusName');
  return {
    mode: 'aws',
    region,
    tables,
    inboundQueueUrl,
    outboundQueueUrl,
    deadLetterQueues: [
      { name: 'inbound', url: output('inboundDeadLetterQueueUrl'), sourceUrl: inboundQueueUrl },
      { name: 'outbound', url: output('outboundDeadLetterQueueUrl'), sourceUrl: outboundQueueUrl },
    ],
    eventBusName,
    archiveBucket: output('archiveBucket'),
    webhookEnv: {
      CONNECTIONS_TABLE: tables.connections,
      CONVERSATIONS_TABLE: tables.conversations,
      MESSAGES_TABLE: tables.messages,
      DEDUPE_TABLE: tables.dedupe,
      INBOUND_QUEUE_URL: inboundQueueUrl,
      OUTBOUND_QUEUE_URL: outboundQueueUrl,
      EVENT_BUS_NAME: eventBusName,
    },
  };
}

/** SDK client settings for a target: moto's endpoint and dummy credentials locally, the default chain in AWS. */
export function clientConfigOf(target: OpsTarget): { region: string; endpoint?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } {
  if (target.mode === 'aws') return { region: target.region };
  return { region: target.region, endpoint: target.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
}
