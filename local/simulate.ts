/**
 * `npm run simulate -- inbound --from +5215512345678 --text "Hola"`: plays Twilio. Posts a signed
 * WhatsApp inbound webhook to the running local runtime (`npm run dev`), prints the answer and what
 * the webhook stored, then follows the loop in DynamoDB: the AI's replies recorded as outbound
 * messages, their send state and Twilio id, and each delivery status as it arrives
 * (queued → sent → delivered → read). Phone numbers are printed masked.
 *
 * Options of `inbound`:
 *   --from <E.164 or user id>   the customer (required)
 *   --text <text>               the message body (default '')
 *   --name <profile name>       WhatsApp profile name (default 'Demo Customer')
 *   --media <url>               one attachment (with --media-type, default image/jpeg)
 *   --media-type <mime>
 *   --messaging-service <MG…>   adds MessagingServiceSid
 *   --wait <seconds>            how long to follow the replies (default 20; 0: do not follow)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { maskIdentifier } from '../lambdas/domain/redact';
import { LocalConfigError, loadLocalConfig, type LocalConfig } from './config';
import { DEFAULT_STATE_FILE, type RuntimeStateFile } from './state';

/** Raised for anything the user can fix; its message is the one line to print. */
class SimulateError extends Error {}

const USAGE =
  'usage: npm run simulate -- inbound --from +5215512345678 --text "Hola" [--name "Demo Customer"] ' +
  '[--media <url> [--media-type image/jpeg]] [--wait <seconds>]';

// ---------------------------------------------------------------------------------------------
// Building the webhook
// ---------------------------------------------------------------------------------------------

export interface InboundOptions {
  from: string;
  /** How long to follow the replies (`--wait`). @default 20 */
  waitSeconds?: number;
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

// ---------------------------------------------------------------------------------------------
// Following the replies
// ---------------------------------------------------------------------------------------------

/** Delivery statuses after which nothing changes any more. */
const FINAL_STATUSES = new Set(['read', 'failed', 'undelivered']);

type Item = Record<string, unknown>;

function clock(iso: unknown): string {
  return typeof iso === 'string' ? iso.slice(11, 23) : '--:--:--.---';
}

function preview(content: unknown): string {
  const value = content as { type?: string; text?: string; body?: string; caption?: string } | undefined;
  const text = value?.text ?? value?.body ?? value?.caption;
  if (typeof text !== 'string') return '';
  const flat = text.replace(/\s+/g, ' ');
  return ` "${flat.length > 48 ? `${flat.slice(0, 47)}…` : flat}"`;
}

/**
 * What changed in the outbound messages since the last look, one line each: a new reply, its send
 * state (and Twilio's id once accepted), each delivery status with the time it was recorded, and
 * errors. `seen` keeps what was already printed, per message id.
 * @example
 * replyLines(new Map(), [{ messageId: '01J…', type: 'text', sendState: 'accepted', deliveryStatus: 'sent', sentAt: '…' }])
 * // ['… reply 1 (text) recorded …', '… reply 1 accepted by the BSP, id SM…', '… reply 1 sent']
 */
export function replyLines(seen: Map<string, Set<string>>, items: Item[]): string[] {
  const lines: string[] = [];
  items.forEach((item, index) => {
    const id = String(item.messageId);
    const label = `reply ${index + 1}`;
    let printed = seen.get(id);
    if (!printed) {
      printed = new Set();
      seen.set(id, printed);
    }
    const once = (key: string, line: string) => {
      if (printed.has(key)) return;
      printed.add(key);
      lines.push(line);
    };
    const part = typeof item.partCount === 'number' && item.partCount > 1 ? ` part ${Number(item.partIndex) + 1}/${item.partCount}` : '';
    const type = String(item.type ?? (item.content as { type?: string } | undefined)?.type ?? 'message');
    once('recorded', `  ${clock(item.createdAt)}  ${label} (${type}${part})${preview(item.content)} recorded, message ${id}`);
    // Recorded as `queued` before the BSP call: printed first even when the first look finds it accepted.
    once('status:queued', `  ${clock(item.queuedAt ?? item.createdAt)}  ${label} queued`);
    if (typeof item.fallback === 'string') once(`fallback:${item.fallback}`, `  ${clock(item.updatedAt)}  ${label} sent as ${item.fallback} fallback`);
    if (typeof item.externalId === 'string') {
      once('accepted', `  ${clock(item.updatedAt)}  ${label} accepted by the BSP, id ${item.externalId} (attempt ${String(item.attempts ?? 1)})`);
    }
    for (const status of ['sent', 'delivered', 'read', 'undelivered', 'failed']) {
      const at = item[`${status}At`];
      const reached = at !== undefined || item.deliveryStatus === status;
      if (reached) once(`status:${status}`, `  ${clock(at ?? item.statusUpdatedAt ?? item.updatedAt)}  ${label} ${status}`);
    }
    if (item.sendState === 'failed' || item.errorCode !== undefined || item.errorReason !== undefined) {
      once(
        `error:${String(item.errorCode)}:${String(item.errorReason)}`,
        `  ${clock(item.updatedAt)}  ${label} FAILED${item.errorCode !== undefined ? ` code ${String(item.errorCode)}` : ''}` +
          `${item.errorReason !== undefined ? `: ${String(item.errorReason)}` : ''}`,
      );
    }
  });
  return lines;
}

/** True once nothing more will happen to these replies. */
export function repliesSettled(items: Item[]): boolean {
  return items.length > 0 && items.every((item) => FINAL_STATUSES.has(String(item.deliveryStatus)) || item.sendState === 'failed');
}

async function outboundAfter(documents: DynamoDBDocumentClient, table: string, conversationId: string, afterMessageId: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    // Message ids are ULIDs: everything recorded after the inbound message sorts after it.
    const page = await documents.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'conversationId = :c AND messageId > :m',
        FilterExpression: 'direction = :out',
        ExpressionAttributeValues: { ':c': conversationId, ':m': afterMessageId, ':out': 'outbound' },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/**
 * Polls the conversation's messages for the replies to the inbound one and prints every change,
 * until each reply reached a final status (and no new one came for a moment) or `waitMs` passed.
 */
async function followReplies(documents: DynamoDBDocumentClient, table: string, inbound: Item, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  const seen = new Map<string, Set<string>>();
  let count = 0;
  let lastNewAt = Date.now();
  let items: Item[] = [];
  while (Date.now() < deadline) {
    items = await outboundAfter(documents, table, String(inbound.conversationId), String(inbound.messageId));
    if (items.length > count) {
      count = items.length;
      lastNewAt = Date.now();
    }
    for (const line of replyLines(seen, items)) console.log(line);
    // Replies of one turn are recorded together; a short quiet period says the turn is complete.
    if (repliesSettled(items) && Date.now() - lastNewAt > 1500) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (items.length === 0) {
    console.log(`  no reply within ${Math.round(waitMs / 1000)} s: see the \`npm run dev\` output (the AI and send consumers log one line per batch)`);
  } else if (!repliesSettled(items)) {
    const open = items.filter((item) => !FINAL_STATUSES.has(String(item.deliveryStatus))).length;
    console.log(`  stopped following after ${Math.round(waitMs / 1000)} s; ${open} repl${open === 1 ? 'y has' : 'ies have'} not reached a final status yet`);
  }
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
      wait: { type: 'string', default: '20' },
    },
    strict: true,
  });
  if (!values.from) throw new SimulateError(`--from is required\n${USAGE}`);
  if (values.from.startsWith('whatsapp:')) throw new SimulateError('--from takes the bare number (+5215512345678), without `whatsapp:`');
  if (values['messaging-service'] && !/^MG[0-9a-fA-F]{32}$/.test(values['messaging-service'])) {
    throw new SimulateError('--messaging-service must be MG followed by 32 hex digits');
  }
  const wait = Number(values.wait);
  if (!Number.isFinite(wait) || wait < 0) throw new SimulateError('--wait takes a number of seconds (0: do not follow the replies)');
  return {
    waitSeconds: wait,
    from: values.from,
    text: values.text ?? '',
    name: values.name ?? 'Demo Customer',
    media: values.media ? { url: values.media, contentType: values['media-type'] ?? 'image/jpeg' } : undefined,
    messagingServiceSid: values['messaging-service'],
  };
}

async function inbound(args: string[]): Promise<void> {
  const options = parseInboundArgs(args);
  // Only PORT and the token to sign with matter here: the runtime's full settings live in its own shell.
  const config = loadLocalConfig(process.env, { checkCombinations: false });
  const base = `http://127.0.0.1:${config.PORT}`;
  await assertRuntimeUp(base);
  const state = readState(base);

  // Sign as the demo connection's account: the simulator's fake one, or the real one `npm run dev` uses.
  const real = state.twilio?.mode === 'real';
  const authToken = real ? config.TWILIO_AUTH_TOKEN : config.DEV_TWILIO_AUTH_TOKEN;
  if (!authToken) {
    throw new SimulateError('the runtime uses real Twilio: set TWILIO_AUTH_TOKEN in this shell too, or message the number from WhatsApp');
  }
  const fields = inboundFields(options, {
    DEV_TWILIO_ACCOUNT_SID: state.demo.accountSid ?? config.DEV_TWILIO_ACCOUNT_SID,
    DEV_WHATSAPP_NUMBER: state.demo.whatsappNumber ?? config.DEV_WHATSAPP_NUMBER,
  });
  const url = state.webhookUrls.inbound;
  // Behind a tunnel the webhook verifies against the public URL, the one Twilio would have called.
  const signedUrl = state.publicWebhookUrls?.inbound ?? url;
  const body = new URLSearchParams(fields).toString();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'TwilioProxy/1.1',
      'i-twilio-idempotency-token': randomUUID(),
      'x-twilio-signature': getExpectedTwilioSignature(authToken, signedUrl, fields),
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
  try {
    const env = state.webhookEnv;
    const message = await findStoredMessage(documents, env.MESSAGES_TABLE, fields.MessageSid);
    if (!message) {
      console.log(`\n✖ no item with externalId ${fields.MessageSid} in ${env.MESSAGES_TABLE}`);
      process.exitCode = 1;
      return;
    }
    show(`Stored message (${env.MESSAGES_TABLE})`, message);
    const conversationsKey =
      Object.values(state.tables).find((table) => table.name === env.CONVERSATIONS_TABLE)?.partitionKey ?? 'conversationId';
    const conversation = await documents.send(
      new GetCommand({ TableName: env.CONVERSATIONS_TABLE, Key: { [conversationsKey]: message.conversationId } }),
    );
    show(`Conversation (${env.CONVERSATIONS_TABLE})`, conversation.Item ?? '(none)');

    // The AI consumer takes the message off the inbound queue now: we follow its effects in DynamoDB.
    const waitSeconds = options.waitSeconds ?? 20;
    if (waitSeconds === 0) return;
    if (state.responder === 'none') {
      console.log('\nThe responder is `none`: no reply comes from this runtime (set RESPONDER=demo or AI_ENDPOINT_URL for `npm run dev`).');
      return;
    }
    if (!state.consumers?.length) {
      console.log('\nNo queue consumer runs in this runtime (the template declares none): no reply follows.');
      return;
    }
    const twilio = real ? 'real Twilio' : `the Twilio simulator${state.twilio?.simulatorUrl ? ` (${state.twilio.simulatorUrl})` : ''}`;
    console.log(`\nReplies (${state.responder ?? 'demo'} responder → send → ${twilio}; following for up to ${waitSeconds} s)`);
    await followReplies(documents, env.MESSAGES_TABLE, message, waitSeconds * 1000);
  } finally {
    documents.destroy();
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
