/**
 * `npm run ops -- <command>`: operate Echo WhatsApp, locally against `npm run dev` (moto) or with
 * `--aws` against a deployment (the default AWS credential chain and region).
 *
 *   health                                              the three success metrics, last hour and day
 *   replay  --connection <id> --from <ISO> [--to <ISO>] [--dry-run]
 *                                                       archived requests re-ingested, idempotently
 *   audit   --business <id> --from <ISO> [--to <ISO>]   the business's archived traffic as JSON Lines
 *   dlq list | show <inbound|outbound> | redrive <inbound|outbound>
 *
 * Exit code 0 when done (for `health`: when every target is met), 1 otherwise.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { archiveS3Client, S3PayloadArchive } from '../lambdas/adapters/s3-payload-archive';
import { createWebhookDeps } from '../lambdas/handlers/webhook/deps';
import { loadWebhookEnv } from '../lambdas/handlers/webhook/env';
import { formatLogLine, logFormatOf } from '../local/log-format';
import { motoClientEnv } from '../local/moto';
import { audit } from './ops/audit';
import { deadLetterQueueNamed, listDeadLetterQueues, redriveDeadLetterQueue, showDeadLetterQueue } from './ops/dlq';
import { awsHealth, formatHealth, healthy, localHealth } from './ops/health';
import { replay, silentPowertools } from './ops/replay';
import { awsTarget, clientConfigOf, localTarget, OpsTargetError, type OpsTarget } from './ops/target';

const USAGE = `usage: npm run ops -- <command> [--aws]
  health
  replay --connection <id> --from <ISO> [--to <ISO>] [--dry-run]
  audit --business <id> --from <ISO> [--to <ISO>]
  dlq list | dlq show <inbound|outbound> | dlq redrive <inbound|outbound>`;

class UsageError extends Error {}

/** `--name value` and `--flag` options, and the positional words in order. */
export function parseArguments(argv: string[]): { words: string[]; options: Record<string, string | true> } {
  const words: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      words.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const next = argv[i + 1];
    if (inline !== undefined) options[name] = inline;
    else if (next !== undefined && !next.startsWith('--') && !['aws', 'dry-run'].includes(name)) {
      options[name] = next;
      i++;
    } else options[name] = true;
  }
  return { words, options };
}

function requiredOption(options: Record<string, string | true>, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function instant(options: Record<string, string | true>, name: string, fallback?: Date): Date {
  const value = options[name];
  if (value === undefined && fallback) return fallback;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw new UsageError(`--${name} must be an ISO time (2026-03-01T10:00:00Z)`);
  return new Date(value);
}

/** Lines in the readable local-log form, or JSON with LOG_FORMAT=json. */
function logLine(entry: Record<string, unknown>): string {
  const line = { timestamp: new Date().toISOString(), level: 'INFO', service: 'ops', ...entry };
  return logFormatOf(process.env) === 'json' ? JSON.stringify(line) : (formatLogLine(line) ?? JSON.stringify(line));
}

async function run(argv: string[]): Promise<number> {
  const { words, options } = parseArguments(argv);
  const [command, sub, name] = words;
  if (!command || options.help) {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  const target: OpsTarget = options.aws ? await awsTarget() : localTarget();
  // The webhook's own modules (replay) build their clients from the environment, as in Lambda.
  if (target.mode === 'local') Object.assign(process.env, motoClientEnv(target.endpoint!), { AWS_REGION: target.region });
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const config = clientConfigOf(target);
  const sqs = new SQSClient(config);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient(config), { marshallOptions: { removeUndefinedValues: true } });
  const archive = new S3PayloadArchive(archiveS3Client(config), target.archiveBucket);
  const print = (line: string) => console.log(line);
  const now = new Date();

  switch (command) {
    case 'health': {
      const figures = target.mode === 'aws' ? await awsHealth(new CloudWatchClient(config), sqs, target, now) : await localHealth(documents, sqs, target, now);
      formatHealth(figures, target.mode).forEach(print);
      return healthy(figures) ? 0 : 1;
    }
    case 'replay': {
      const env = loadWebhookEnv({ ...target.webhookEnv, ARCHIVE_BUCKET: '' });
      const webhook = { ...createWebhookDeps(env), ...silentPowertools(), archive: undefined };
      const dryRun = options['dry-run'] === true;
      const summary = await replay(
        { connectionId: requiredOption(options, 'connection'), from: instant(options, 'from'), to: instant(options, 'to', now), dryRun },
        {
          archive,
          webhook,
          dedupeExists: async (dedupeKey) =>
            Boolean((await documents.send(new GetCommand({ TableName: target.tables.dedupe, Key: { dedupeKey }, ConsistentRead: true }))).Item),
          now: () => now,
          dedupeTtlMs: env.DEDUPE_TTL_DAYS * 24 * 60 * 60 * 1000,
          print,
          onReplayed: (detail) => print(logLine({ message: 'inbound message replayed', ...detail })),
        },
      );
      print(
        `${dryRun ? 'dry run: ' : ''}${summary.requests} archived request(s): ${summary.newMessages} message(s) ${dryRun ? 'would be ' : ''}new, ` +
          `${summary.alreadyStored} already stored, ${summary.statusesApplied} status(es) applied, ${summary.statusesStale} already there, ` +
          `${summary.skipped} skipped, ${summary.failed} failed`,
      );
      return summary.failed > 0 ? 1 : 0;
    }
    case 'audit': {
      const count = await audit(
        archive,
        { businessId: requiredOption(options, 'business'), from: instant(options, 'from'), to: instant(options, 'to', now) },
        (line) => process.stdout.write(`${line}\n`),
      );
      console.error(`${count} archived record(s)`);
      return 0;
    }
    case 'dlq': {
      if (sub === 'list') {
        await listDeadLetterQueues(sqs, target.deadLetterQueues, print);
        return 0;
      }
      const queue = deadLetterQueueNamed(target.deadLetterQueues, name);
      if (sub === 'show') await showDeadLetterQueue(sqs, queue, print);
      else if (sub === 'redrive') await redriveDeadLetterQueue(sqs, queue, print);
      else throw new UsageError(`dlq ${sub ?? ''}: list, show or redrive`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

if (require.main === module) {
  run(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      if (error instanceof UsageError) console.error(`✖ ${error.message}\n${USAGE}`);
      else if (error instanceof OpsTargetError) console.error(`✖ ${error.message}`);
      else console.error('✖ ops failed:', error);
      process.exit(1);
    });
}
