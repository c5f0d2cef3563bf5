/**
 * `npm run simulate -- inbound --from +5215512345678 --text "Hola"`: plays Twilio. Posts a signed
 * WhatsApp inbound webhook to the running local runtime (`npm run dev`), prints the answer, then
 * reads back from moto what the webhook stored and queued. Phone numbers are printed masked.
 *
 * Options of `inbound`:
 *   --from <E.164 or user id>   the customer (required)
 *   --text <text>               the message body (default '')
 *   --name <profile name>       WhatsApp profile name (default 'Demo Customer')
 *   --media <url>               one attachment (with --media-type, default image/jpeg)
 *   --media-type <mime>
 *   --messaging-service <MG…>   adds MessagingServiceSid
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { maskIdentifier } from '../lambdas/domain/redact';
import { LocalConfigError, loadLocalConfig, type LocalConfig } from './config';
import { DEFAULT_STATE_FILE, type RuntimeStateFile } from './state';

/** Raised for anything the user can fix; its message is the one line to print. */
class SimulateError extends Error {}

const USAGE = 'usage: npm run simulate -- inbound --from +5215512345678 --text "Hola" [--name "Demo Customer"] [--media <url> [--media-type image/jpeg]]';

// ---------------------------------------------------------------------------------------------
// Building the webhook
// ---------------------------------------------------------------------------------------------

export interface InboundOptions {
  from: string;
  text: string;
  name: string;
  media?: { url: string; contentType: string };
  messagingServiceSid?: string;
}

const E164 = /^\+[1-9]\d{6,14}$/;

/** A Twilio-shaped SID: two letters and 32 hex digits. */
export function twilioSid(prefix: 'SM' | 'MM'): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

/**
 * The form fields Twilio posts for an incoming WhatsApp message (names and order as observed in
 * Twilio's requests; the signature sorts them anyway).
 */
export function inboundFields(options: InboundOptions, config: Pick<LocalConfig, 'DEV_TWILIO_ACCOUNT_SID' | 'DEV_WHATSAPP_NUMBER'>): Record<string, string> {
  const sid = twilioSid(options.media ? 'MM' : 'SM');
  const fields: Record<string, string> = {
    SmsMessageSid: sid,
    NumMedia: options.media ? '1' : '0',
    ProfileName: options.name,
    ...(options.media ? {} : { MessageType: 'text' }),
    SmsSid: sid,
    ...(E164.test(options.from) ? { WaId: options.from.slice(1) } : {}),
    SmsStatus: 'received',
    Body: options.text,
    To: `whatsapp:${config.DEV_WHATSAPP_NUMBER}`,
    NumSegments: '1',
    ReferralNumMedia: '0',
    MessageSid: sid,
    AccountSid: config.DEV_TWILIO_ACCOUNT_SID,
    From: `whatsapp:${options.from}`,
    ApiVersion: '2010-04-01',
  };
  if (options.media) {
    fields.MediaContentType0 = options.media.contentType;
    fields.MediaUrl0 = options.media.url;
  }
  if (options.messagingServiceSid) fields.MessagingServiceSid = options.messagingServiceSid;
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Printing without personal data
// ---------------------------------------------------------------------------------------------

const PHONE = /^(whatsapp:)?\+?\d{7,15}$/;
/** Keys whose values identify a person even when they are not phone numbers (WhatsApp usernames). */
const PERSON_KEYS = /^(from|to|customerId|customerNumber|waId|displayNumber|providerNumberId|phone)$/i;

/**
 * A copy of `value` with phone numbers and customer ids reduced to their last 4 characters.
 * @example maskDeep({ From: 'whatsapp:+5215512345678' }) // { From: '***5678' }
 */
export function maskDeep(value: unknown, key = '', parentKey = ''): unknown {
  if (typeof value === 'string') {
    const personal = PHONE.test(value) || PERSON_KEYS.test(key) || (parentKey === 'customer' && key === 'id');
    return personal ? maskIdentifier(value) : value;
  }
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, key, parentKey));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, k, key)]));
  }
  return value;
}

function show(title: string, value: unknown): void {
  console.log(`\n${title}`);
  console.log(JSON.stringify(maskDeep(value), null, 2).replace(/^/gm, '  '));
}

// ---------------------------------------------------------------------------------------------
// Talking to the runtime and to moto
// ---------------------------------------------------------------------------------------------

function isConnectionRefused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } })?.cause;
  return cause?.code === 'ECONNREFUSED' || cause?.code === 'ECONNRESET';
}

async function assertRuntimeUp(base: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${base}/health`, { signal: AbortSignal.timeout(3000) });
  } catch (error) {
    if (isConnectionRefused(error) || (error as Error).name === 'TimeoutError') {
      throw new SimulateError(`nothing answers on ${base} — start it with \`npm run dev\``);
    }
    throw error;
  }
  if (response.status === 503) throw new SimulateError(`the local runtime on ${base} is still starting — try again in a moment`);
  if (!response.ok) throw new SimulateError(`${base}/health answered ${response.status}: is that the local runtime (\`npm run dev\`)?`);
}

function readState(base: string): RuntimeStateFile {
  const file = DEFAULT_STATE_FILE;
  if (!existsSync(file)) {
    throw new SimulateError(`${base} answers but ${file} is missing: restart the runtime with \`npm run dev\``);
  }
  const state = JSON.parse(readFileSync(file, 'utf8')) as RuntimeStateFile;
  if (state.url !== base) {
    throw new SimulateError(`the runtime described in ${file} listens on ${state.url}, not ${base}: set PORT to match`);
  }
  return state;
}

async function findStoredMessage(documents: DynamoDBDocumentClient, table: string, externalId: string) {
  // A scan is fine in a dev tool against a local table; the handler itself never scans.
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'externalId = :x',
        ExpressionAttributeValues: { ':x': externalId },
        ExclusiveStartKey: startKey,
      }),
    );
    if (page.Items?.length) return page.Items[0];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return undefined;
}

/**
 * Looks at the inbound queue without consuming: receive with a short visibility timeout, then make
 * every received message visible again at once. Each look still counts as a receive (SQS and moto
 * both move a message to the DLQ after `maxReceiveCount` receives), and a FIFO queue hands out at
 * most 10 messages of a group per call, oldest first.
 */
async function peekQueue(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 10,
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId', 'ApproximateReceiveCount'],
    }),
  );
  await Promise.all(
    Messages.map((message) =>
      sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 })),
    ),
  );
  return Messages;
}

function parseInboundArgs(args: string[]): InboundOptions {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      text: { type: 'string', default: '' },
      name: { type: 'string', default: 'Demo Customer' },
      media: { type: 'string' },
      'media-type': { type: 'string', default: 'image/jpeg' },
      'messaging-service': { type: 'string' },
    },
    strict: true,
  });
  if (!values.from) throw new SimulateError(`--from is required\n${USAGE}`);
  if (values.from.startsWith('whatsapp:')) throw new SimulateError('--from takes the bare number (+5215512345678), without `whatsapp:`');
  if (values['messaging-service'] && !/^MG[0-9a-fA-F]{32}$/.test(values['messaging-service'])) {
    throw new SimulateError('--messaging-service must be MG followed by 32 hex digits');
  }
  return {
    from: values.from,
    text: values.text ?? '',
    name: values.name ?? 'Demo Customer',
    media: values.media ? { url: values.media, contentType: values['media-type'] ?? 'image/jpeg' } : undefined,
    messagingServiceSid: values['messaging-service'],
  };
}

async function inbound(args: string[]): Promise<void> {
  const options = parseInboundArgs(args);
  const config = loadLocalConfig();
  const base = `http://127.0.0.1:${config.PORT}`;
  await assertRuntimeUp(base);
  const state = readState(base);

  const fields = inboundFields(options, config);
  const url = state.webhookUrls.inbound;
  const body = new URLSearchParams(fields).toString();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'TwilioProxy/1.1',
      'i-twilio-idempotency-token': randomUUID(),
      'x-twilio-signature': getExpectedTwilioSignature(config.DEV_TWILIO_AUTH_TOKEN, url, fields),
    },
    body,
  });
  const answer = await response.text();
  console.log(`→ POST ${url}  (MessageSid ${fields.MessageSid}, from ${maskIdentifier(options.from)})`);
  console.log(`← ${response.status} ${response.headers.get('content-type') ?? ''}\n  ${answer}`);
  if (!response.ok) {
    console.log('\nThe webhook refused the message; see the `npm run dev` output for the reason.');
    process.exitCode = 1;
    return;
  }

  const client = {
    endpoint: state.motoEndpoint,
    region: state.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient(client));
  const sqs = new SQSClient(client);
  try {
    const env = state.webhookEnv;
    const message = await findStoredMessage(documents, env.MESSAGES_TABLE, fields.MessageSid);
    if (!message) {
      console.log(`\n✖ no item with externalId ${fields.MessageSid} in ${env.MESSAGES_TABLE}`);
      process.exitCode = 1;
    } else {
      show(`Stored message (${env.MESSAGES_TABLE})`, message);
      const conversationsKey =
        Object.values(state.tables).find((table) => table.name === env.CONVERSATIONS_TABLE)?.partitionKey ?? 'conversationId';
      const conversation = await documents.send(
        new GetCommand({ TableName: env.CONVERSATIONS_TABLE, Key: { [conversationsKey]: message.conversationId } }),
      );
      show(`Conversation (${env.CONVERSATIONS_TABLE})`, conversation.Item ?? '(none)');
    }

    const queued = await peekQueue(sqs, env.INBOUND_QUEUE_URL);
    const ours = queued.find((item) => {
      try {
        return (JSON.parse(item.Body ?? '{}') as { externalId?: string }).externalId === fields.MessageSid;
      } catch {
        return false;
      }
    });
    if (ours) {
      show('Queued on the inbound queue (peeked, not consumed)', {
        MessageGroupId: ours.Attributes?.MessageGroupId,
        MessageDeduplicationId: ours.Attributes?.MessageDeduplicationId,
        ApproximateReceiveCount: ours.Attributes?.ApproximateReceiveCount,
        Body: JSON.parse(ours.Body ?? '{}'),
      });
    } else {
      console.log(
        `\nNot among the first ${queued.length} message(s) of the inbound queue: no consumer runs locally yet, so ` +
          'earlier messages of the same conversation wait ahead of it (FIFO order).',
      );
    }
  } finally {
    documents.destroy();
    sqs.destroy();
  }
}

async function main(): Promise<void> {
  // Locally Node 20 is fine (Lambda runs 22); the SDK's notice about Node 20 would only be noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [command, ...rest] = process.argv.slice(2);
  if (command !== 'inbound') throw new SimulateError(USAGE);
  await inbound(rest);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    if (error instanceof SimulateError || error instanceof LocalConfigError) {
      console.error(`✖ ${error.message}`);
    } else if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`✖ ${(error as Error).message}\n${USAGE}`);
    } else {
      console.error('✖ simulate failed:', error);
    }
    process.exit(1);
  });
}
