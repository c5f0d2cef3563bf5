/**
 * `npm run simulate -- inbound --from +5215512345678 --text "Hola"`: plays the BSP. Posts a
 * correctly authenticated WhatsApp inbound webhook to a demo connection of the running local runtime
 * (`npm run dev`), prints the answer and what the webhook stored, then follows the loop in DynamoDB:
 * the AI's replies recorded as outbound messages, their send state and BSP id, and each delivery
 * status as it arrives (queued → sent → delivered → read), in time order. Phone numbers are printed masked.
 *
 * - `--provider twilio` (default): a Twilio form webhook signed with the demo account's auth token,
 *   posted here to the `demo` connection.
 * - `--provider meta` / `--provider 360dialog`: the runtime's Meta or 360dialog simulator posts it
 *   (`POST /_simulator/inbound`) to `demo-meta` / `demo-360dialog`, signed with the app secret or
 *   carrying the registered webhook header, exactly as the BSP would; `--count N` puts N messages in
 *   that ONE webhook, from `--customers K` customers (default 1; counting up from `--from`).
 *
 * Coexistence (a number on the WhatsApp Business app and the Cloud API), through the runtime's Meta
 * simulator, to the number's webhook (the app-level `/webhook/whatsapp/meta` for a number onboarded
 * with "Connect with Facebook"; `--connection` is `demo-meta` or such a number's phone number id):
 *   echo --to <E.164> --text <text>                      the owner wrote from the WhatsApp Business app
 *   history [--from <E.164>] [--messages N] [--phase P] [--chunk C] [--progress 0..100] [--declined]
 *   contacts --phone <E.164> (--name <name> | --remove)  the owner's address book
 *   partner-removed [--reason PRIMARY_INACTIVITY] [--initiated-by USER|SYSTEM]
 *
 * The runtime is found through `.local/runtime.json` (`LOCAL_STATE_FILE`), like `npm run token` and
 * `npm run templates` do; without it, on `PORT` (default 3000).
 *
 * Options of `inbound`:
 *   --provider <twilio|meta|360dialog>   which demo connection (default twilio)
 *   --from <E.164 or user id>   the customer (required)
 *   --text <text>               the message body (default '')
 *   --name <profile name>       WhatsApp profile name (default 'Demo Customer')
 *   --count <N>                 meta and 360dialog: N messages in one webhook (default 1)
 *   --customers <K>             meta and 360dialog: from K customers (default 1, at most N)
 *   --media <image|voice|document>  one attachment with real bytes (a JPEG, an Ogg/Opus voice note, a PDF),
 *                               served by the provider's simulator the way the BSP serves media
 *   --media <url>               twilio: an attachment at any URL (with --media-type, default image/jpeg)
 *   --media-type <mime>
 *   --messaging-service <MG…>   twilio: adds MessagingServiceSid
 *   --wait <seconds>            how long to follow the replies (default 20; 0: do not follow)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { isProviderName, type ProviderName } from '../lambdas/domain/providers';
import { maskIdentifier } from '../lambdas/domain/redact';
import type { InboundResult } from './cloud-api-simulator';
import type { CoexistenceInput } from './cloud-api-simulator/coexistence';
import { SAMPLE_MEDIA_KINDS, sampleMedia, type SampleMediaKind } from './media-samples';
import { DEV_DEFAULTS, LocalConfigError, loadLocalConfig, type LocalConfig } from './config';
import { DEFAULT_STATE_FILE, type RuntimeStateFile } from './state';

/** Raised for anything the user can fix; its message is the one line to print. */
class SimulateError extends Error {}

const USAGE =
  'usage: npm run simulate -- inbound [--provider twilio|meta|360dialog] --from +5215512345678 --text "Hola" [--name "Demo Customer"] ' +
  '[--count N [--customers K]] [--media image|voice|document | --media <url> [--media-type image/jpeg]] [--wait <seconds>]';

// ---------------------------------------------------------------------------------------------
// Building the webhook
// ---------------------------------------------------------------------------------------------

export interface InboundOptions {
  /** Which demo connection the message goes to. @default 'twilio' */
  provider?: ProviderName;
  /** Meta and 360dialog: messages in the one webhook. @default 1 */
  count?: number;
  /** Meta and 360dialog: customers they come from (≤ count). @default 1 */
  customers?: number;
  from: string;
  /** How long to follow the replies (`--wait`). @default 20 */
  waitSeconds?: number;
  text: string;
  name: string;
  media?: { url: string; contentType: string };
  /** `--media image|voice|document`: a sample file the simulator serves (see local/media-samples.ts). */
  sample?: SampleMediaKind;
  /** The MessageSid to post (Twilio: the one the simulator recorded the media under). @default a new one */
  messageSid?: string;
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
  const sid = options.messageSid ?? twilioSid(options.media ? 'MM' : 'SM');
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

/**
 * Where the running runtime listens: the URL its state file gives (like `npm run token` reads it),
 * else `PORT` (default 3000). A `PORT` that names another runtime than the file is an error.
 * @example runtimeBaseUrl({ url: 'http://127.0.0.1:3600' }, undefined) // 'http://127.0.0.1:3600'
 */
export function runtimeBaseUrl(state: Pick<RuntimeStateFile, 'url'> | undefined, port: string | undefined, file = DEFAULT_STATE_FILE): string {
  const fromPort = port ? `http://127.0.0.1:${port}` : undefined;
  if (!state) return fromPort ?? 'http://127.0.0.1:3000';
  if (fromPort && fromPort !== state.url) {
    throw new SimulateError(`PORT=${port}, but the runtime described in ${file} listens on ${state.url}: unset PORT, or point LOCAL_STATE_FILE at that runtime's file`);
  }
  return state.url;
}

function readStateFile(file = DEFAULT_STATE_FILE): RuntimeStateFile | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as RuntimeStateFile;
}

/** The stored messages with these external ids, in the order of the ids (missing ones left out). */
async function findStoredMessages(documents: DynamoDBDocumentClient, table: string, externalIds: string[]): Promise<Item[]> {
  // A scan is fine in a dev tool against a local table; the handler itself never scans.
  const found = new Map<string, Item>();
  const names = externalIds.map((_id, i) => `:x${i}`);
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: `externalId IN (${names.join(', ')})`,
        ExpressionAttributeValues: Object.fromEntries(externalIds.map((id, i) => [names[i], id])),
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) found.set(String(item.externalId), item);
    startKey = page.LastEvaluatedKey;
  } while (startKey && found.size < externalIds.length);
  return externalIds.flatMap((id) => (found.has(id) ? [found.get(id)!] : []));
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
 * What changed in the outbound messages since the last look, one line each and in time order: a
 * new reply, its send state (and the BSP's id once accepted), each delivery status with the time it
 * was recorded, and errors. `seen` keeps what was already printed, per message id, and numbers the
 * replies in the order they were first seen (by creation time within one look). With replies in
 * several conversations (a batch from several customers), each label names its conversation.
 * @example
 * replyLines(new Map(), [{ messageId: '01J…', type: 'text', sendState: 'accepted', deliveryStatus: 'sent', sentAt: '…' }])
 * // ['… reply 1 (text) recorded …', '… reply 1 queued', '… reply 1 accepted by the BSP, id SM…', '… reply 1 sent']
 */
export function replyLines(seen: Map<string, Set<string>>, items: Item[]): string[] {
  const entries: Array<{ at: string; line: string }> = [];
  const conversations = new Set(items.map((item) => String(item.conversationId)));
  const byCreation = [...items].sort((a, b) => String(a.createdAt ?? '').localeCompare(String(b.createdAt ?? '')) || String(a.messageId).localeCompare(String(b.messageId)));
  for (const item of byCreation) {
    const id = String(item.messageId);
    let printed = seen.get(id);
    if (!printed) {
      printed = new Set();
      seen.set(id, printed);
    }
    const number = [...seen.keys()].indexOf(id) + 1;
    const label = conversations.size > 1 ? `reply ${number} [${String(item.conversationId).slice(-6)}]` : `reply ${number}`;
    const once = (key: string, at: unknown, text: string) => {
      if (printed.has(key)) return;
      printed.add(key);
      // Lines without a time sort last; ISO times sort as text.
      entries.push({ at: typeof at === 'string' ? at : '~', line: `  ${clock(at)}  ${label} ${text}` });
    };
    const part = typeof item.partCount === 'number' && item.partCount > 1 ? ` part ${Number(item.partIndex) + 1}/${item.partCount}` : '';
    const type = String(item.type ?? (item.content as { type?: string } | undefined)?.type ?? 'message');
    once('recorded', item.createdAt, `(${type}${part})${preview(item.content)} recorded, message ${id}`);
    // Recorded as `queued` before the BSP call: printed even when the first look finds it accepted.
    once('status:queued', item.queuedAt ?? item.createdAt, 'queued');
    if (typeof item.fallback === 'string') once(`fallback:${item.fallback}`, item.updatedAt, `sent as ${item.fallback} fallback`);
    if (typeof item.externalId === 'string') {
      once('accepted', item.acceptedAt ?? item.updatedAt, `accepted by the BSP, id ${item.externalId} (attempt ${String(item.attempts ?? 1)})`);
    }
    for (const status of ['sent', 'delivered', 'read', 'undelivered', 'failed']) {
      const at = item[`${status}At`];
      const reached = at !== undefined || item.deliveryStatus === status;
      if (reached) once(`status:${status}`, at ?? item.statusUpdatedAt ?? item.updatedAt, status);
    }
    if (item.sendState === 'failed' || item.errorCode !== undefined || item.errorReason !== undefined) {
      once(
        `error:${String(item.errorCode)}:${String(item.errorReason)}`,
        item.updatedAt,
        `FAILED${item.errorCode !== undefined ? ` code ${String(item.errorCode)}` : ''}${item.errorReason !== undefined ? `: ${String(item.errorReason)}` : ''}`,
      );
    }
  }
  // Stable: lines of one time keep the order above (recorded before queued, …).
  return entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).map((entry) => entry.line);
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
 * The replies to these inbound messages: per conversation, every outbound message recorded after
 * its first inbound one.
 */
async function repliesTo(documents: DynamoDBDocumentClient, table: string, inbound: Item[]): Promise<Item[]> {
  const firstByConversation = new Map<string, string>();
  for (const item of inbound) {
    const conversationId = String(item.conversationId);
    const messageId = String(item.messageId);
    const first = firstByConversation.get(conversationId);
    if (first === undefined || messageId < first) firstByConversation.set(conversationId, messageId);
  }
  const pages = await Promise.all([...firstByConversation].map(([conversationId, messageId]) => outboundAfter(documents, table, conversationId, messageId)));
  return pages.flat();
}

/**
 * Polls the conversations' messages for the replies to the inbound ones and prints every change,
 * until each reply reached a final status (and no new one came for a moment) or `waitMs` passed.
 */
async function followReplies(documents: DynamoDBDocumentClient, table: string, inbound: Item[], waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  const seen = new Map<string, Set<string>>();
  let count = 0;
  let lastNewAt = Date.now();
  let items: Item[] = [];
  while (Date.now() < deadline) {
    items = await repliesTo(documents, table, inbound);
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

/**
 * The simulate command to print for a runtime on `port`: with `PORT=` when it is not the default
 * one, so the command reaches that runtime even where the state file is another's.
 * @example simulateHint(3600, '--from +5215512345678') // 'PORT=3600 npm run simulate -- inbound --from +5215512345678'
 */
export function simulateHint(port: number, args: string): string {
  return `${port === DEV_DEFAULTS.PORT ? '' : `PORT=${port} `}npm run simulate -- inbound ${args}`;
}

const PROVIDER_LABELS: Record<ProviderName, string> = { twilio: 'Twilio', meta: 'Meta', '360dialog': '360dialog' };

function wholeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 1000) throw new SimulateError(`${flag} takes a whole number from 1 to 1000`);
  return number;
}

/**
 * Reads `inbound`'s options. Throws `SimulateError` for combinations that cannot work.
 * @example parseInboundArgs(['--provider', 'meta', '--from', '+5215512345678', '--count', '3']) // { provider: 'meta', count: 3, … }
 */
export function parseInboundArgs(args: string[]): InboundOptions {
  const { values } = parseArgs({
    args,
    options: {
      provider: { type: 'string', default: 'twilio' },
      from: { type: 'string' },
      text: { type: 'string', default: '' },
      name: { type: 'string' },
      count: { type: 'string' },
      customers: { type: 'string' },
      media: { type: 'string' },
      'media-type': { type: 'string', default: 'image/jpeg' },
      'messaging-service': { type: 'string' },
      wait: { type: 'string', default: '20' },
    },
    strict: true,
  });
  const provider = values.provider ?? 'twilio';
  if (!isProviderName(provider)) throw new SimulateError(`--provider takes twilio, meta or 360dialog, not ${provider}`);
  if (!values.from) throw new SimulateError(`--from is required\n${USAGE}`);
  if (values.from.startsWith('whatsapp:')) throw new SimulateError('--from takes the bare number (+5215512345678), without `whatsapp:`');
  if (values['messaging-service'] && !/^MG[0-9a-fA-F]{32}$/.test(values['messaging-service'])) {
    throw new SimulateError('--messaging-service must be MG followed by 32 hex digits');
  }
  const count = wholeNumber(values.count, '--count');
  const customers = wholeNumber(values.customers, '--customers');
  if (provider === 'twilio' && ((count ?? 1) > 1 || (customers ?? 1) > 1)) {
    throw new SimulateError('--count and --customers need --provider meta or 360dialog: Twilio posts one message per webhook');
  }
  const sample = (SAMPLE_MEDIA_KINDS as readonly string[]).includes(values.media ?? '') ? (values.media as SampleMediaKind) : undefined;
  if (provider !== 'twilio' && ((values.media && !sample) || values['messaging-service'])) {
    throw new SimulateError('--media <url> and --messaging-service are for --provider twilio (every provider takes --media image|voice|document)');
  }
  if (sample && (count ?? 1) > 1) throw new SimulateError('--media image|voice|document sends one message: leave out --count');
  if (customers !== undefined && customers > (count ?? 1)) throw new SimulateError('--customers cannot be more than --count');
  const wait = Number(values.wait);
  if (!Number.isFinite(wait) || wait < 0) throw new SimulateError('--wait takes a number of seconds (0: do not follow the replies)');
  return {
    provider,
    waitSeconds: wait,
    from: values.from,
    text: values.text ?? '',
    // A batch from several customers names them "Demo Customer 1", "… 2" unless --name says otherwise.
    name: values.name ?? ((customers ?? 1) > 1 ? '' : 'Demo Customer'),
    ...(count !== undefined && { count }),
    ...(customers !== undefined && { customers }),
    media: values.media && !sample ? { url: values.media, contentType: values['media-type'] ?? 'image/jpeg' } : undefined,
    ...(sample && { sample }),
    messagingServiceSid: values['messaging-service'],
  };
}

/** Posts a signed Twilio webhook to the `demo` connection; the external ids it carries, or undefined when refused. */
async function postTwilio(options: InboundOptions, config: LocalConfig, state: RuntimeStateFile): Promise<string[] | undefined> {
  // Sign as the demo connection's account: the simulator's fake one, or the real one `npm run dev` uses.
  const real = state.twilio?.mode === 'real';
  const authToken = real ? config.TWILIO_AUTH_TOKEN : config.DEV_TWILIO_AUTH_TOKEN;
  if (!authToken) {
    throw new SimulateError('the runtime uses real Twilio: set TWILIO_AUTH_TOKEN in this shell too, or message the number from WhatsApp');
  }
  const accountSid = state.demo.accountSid ?? config.DEV_TWILIO_ACCOUNT_SID;
  const whatsappNumber = state.demo.whatsappNumber ?? config.DEV_WHATSAPP_NUMBER;
  if (options.sample) options = { ...options, ...(await twilioSampleMedia(options, options.sample, { accountSid, authToken, whatsappNumber }, state)) };
  const fields = inboundFields(options, { DEV_TWILIO_ACCOUNT_SID: accountSid, DEV_WHATSAPP_NUMBER: whatsappNumber });
  const url = state.webhookUrls.inbound;
  // Behind a tunnel the webhook verifies against the public URL, the one Twilio would have called.
  const signedUrl = state.publicWebhookUrls?.inbound ?? url;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'TwilioProxy/1.1',
      'i-twilio-idempotency-token': randomUUID(),
      'x-twilio-signature': getExpectedTwilioSignature(authToken, signedUrl, fields),
    },
    body: new URLSearchParams(fields).toString(),
  });
  const answer = await response.text();
  console.log(`→ POST ${url}  (MessageSid ${fields.MessageSid}, from ${maskIdentifier(options.from)})`);
  console.log(`← ${response.status} ${response.headers.get('content-type') ?? ''}\n  ${answer}`);
  if (!response.ok) {
    console.log('\nThe webhook refused the message; see the `npm run dev` output for the reason.');
    return undefined;
  }
  return [fields.MessageSid];
}

/**
 * Records the sample file as an inbound message's media in the Twilio simulator, which then serves
 * it at its `MediaUrl` the way Twilio does (Basic auth, a redirect to a signed link): the MessageSid
 * and MediaUrl the webhook must carry.
 */
async function twilioSampleMedia(
  options: InboundOptions,
  kind: SampleMediaKind,
  account: { accountSid: string; authToken: string; whatsappNumber: string },
  state: RuntimeStateFile,
): Promise<Pick<InboundOptions, 'media' | 'messageSid'>> {
  const simulatorUrl = state.twilio?.mode === 'simulator' ? state.twilio.simulatorUrl : undefined;
  if (!simulatorUrl) throw new SimulateError('--media image|voice|document needs the Twilio simulator (real Twilio serves only media customers sent)');
  const sample = sampleMedia(kind);
  const recorded = await fetch(`${simulatorUrl}/_simulator/inbound`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      accountSid: account.accountSid,
      from: options.from,
      to: account.whatsappNumber,
      body: options.text,
      media: [{ contentType: sample.contentType, base64: sample.bytes.toString('base64') }],
    }),
  });
  if (!recorded.ok) throw new SimulateError(`the Twilio simulator refused the media: ${await recorded.text()}`);
  const messageSid = ((await recorded.json()) as { sid: string }).sid;
  const base = `${simulatorUrl}/2010-04-01/Accounts/${account.accountSid}/Messages/${messageSid}/Media`;
  const list = await fetch(`${base}.json`, {
    headers: { authorization: `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}` },
  });
  const mediaSid = ((await list.json()) as { media_list?: Array<{ sid: string }> }).media_list?.[0]?.sid;
  if (!mediaSid) throw new SimulateError('the Twilio simulator lists no media for the recorded message');
  return { messageSid, media: { url: `${base}/${mediaSid}`, contentType: sample.contentType } };
}

/**
 * Has the runtime's Meta or 360dialog simulator post the inbound webhook (it signs it, or adds the
 * registered header, as the BSP does); the wamids it carries, or undefined when refused.
 */
async function postCloud(provider: 'meta' | '360dialog', options: InboundOptions, state: RuntimeStateFile): Promise<string[] | undefined> {
  const label = PROVIDER_LABELS[provider];
  const demo = state.demos?.[provider];
  const simulatorUrl = provider === 'meta' ? state.simulators?.meta : state.simulators?.dialog360;
  if (!demo || !simulatorUrl) throw new SimulateError(`this runtime has no ${label} demo connection (an older \`npm run dev\`?): restart it`);
  const count = options.count ?? 1;
  let response: Response;
  try {
    const account = provider === 'meta' ? demo.providerNumberId : demo.displayNumber;
    const media = options.sample ? await cloudSampleMedia(simulatorUrl, account, options.sample) : undefined;
    response = await fetch(`${simulatorUrl}/_simulator/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        media
          ? { account, messages: [{ from: options.from, ...(options.name && { name: options.name }), media: { ...media, ...(options.text && { caption: options.text }) } }] }
          : {
              account,
              from: options.from,
              text: options.text,
              count,
              customers: options.customers ?? 1,
              ...(options.name && { name: options.name }),
            },
      ),
    });
  } catch (error) {
    if (isConnectionRefused(error)) throw new SimulateError(`the ${label} simulator does not answer on ${simulatorUrl}: restart \`npm run dev\``);
    throw error;
  }
  const answer = (await response.json()) as InboundResult & { error?: string };
  if (!response.ok) throw new SimulateError(`the ${label} simulator refused the message: ${answer.error ?? response.status}`);
  const customers = Math.min(options.customers ?? 1, count);
  console.log(
    `→ the ${label} simulator POSTed ${count} message${count === 1 ? '' : 's'} from ${customers} customer${customers === 1 ? '' : 's'} ` +
      `(first ${maskIdentifier(options.from)}) in one webhook to ${answer.url ?? demo.webhookUrl}`,
  );
  if (answer.outcome === 'undeliverable' || !answer.firstAttempt) {
    console.log(`\n✖ the ${label} simulator has no webhook for ${demo.connectionId} (360dialog: none registered; Meta: app not subscribed)`);
    return undefined;
  }
  const first = answer.firstAttempt;
  console.log(`← ${first.status ?? first.error ?? 'no answer'}${first.body ? `\n  ${first.body}` : ''}`);
  if (!first.ok) {
    console.log(`\nThe webhook refused the message; see the \`npm run dev\` output for the reason. The simulator retries it, as ${label} does.`);
    return undefined;
  }
  return answer.messageIds;
}

/** Uploads the sample file to a Cloud API simulator: the media object an inbound message names by id. */
async function cloudSampleMedia(simulatorUrl: string, account: string | undefined, kind: SampleMediaKind) {
  const sample = sampleMedia(kind);
  const added = await fetch(`${simulatorUrl}/_simulator/media`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ account, mimeType: sample.contentType, base64: sample.bytes.toString('base64') }),
  });
  if (!added.ok) throw new SimulateError(`the simulator refused the media: ${await added.text()}`);
  const view = (await added.json()) as { id: string; sha256: string; mimeType: string };
  return {
    type: kind === 'voice' ? ('audio' as const) : kind,
    id: view.id,
    mimeType: view.mimeType,
    sha256: view.sha256,
    ...(kind === 'voice' && { voice: true }),
    ...(sample.filename && { filename: sample.filename }),
  };
}

function bspDescription(provider: ProviderName, state: RuntimeStateFile): string {
  if (provider === 'twilio') {
    return state.twilio?.mode === 'real' ? 'real Twilio' : `the Twilio simulator${state.twilio?.simulatorUrl ? ` (${state.twilio.simulatorUrl})` : ''}`;
  }
  const url = provider === 'meta' ? state.simulators?.meta : state.simulators?.dialog360;
  return `the ${PROVIDER_LABELS[provider]} simulator${url ? ` (${url})` : ''}`;
}

async function inbound(args: string[]): Promise<void> {
  const options = parseInboundArgs(args);
  const provider = options.provider ?? 'twilio';
  // Only PORT and the token to sign with matter here: the runtime's full settings live in its own shell.
  const config = loadLocalConfig(process.env, { checkCombinations: false });
  const stateFile = readStateFile();
  const base = runtimeBaseUrl(stateFile, process.env.PORT || undefined);
  await assertRuntimeUp(base);
  if (!stateFile) throw new SimulateError(`${base} answers but ${DEFAULT_STATE_FILE} is missing: restart the runtime with \`npm run dev\``);
  const state = stateFile;

  const externalIds = provider === 'twilio' ? await postTwilio(options, config, state) : await postCloud(provider, options, state);
  if (!externalIds) {
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
    const stored = await findStoredMessages(documents, env.MESSAGES_TABLE, externalIds);
    if (stored.length === 0) {
      console.log(`\n✖ no item with externalId ${externalIds.join(', ')} in ${env.MESSAGES_TABLE}`);
      process.exitCode = 1;
      return;
    }
    if (stored.length < externalIds.length) {
      console.log(`\n⚠ ${externalIds.length - stored.length} of the ${externalIds.length} messages the webhook acknowledged are not in ${env.MESSAGES_TABLE}`);
      process.exitCode = 1;
    }
    if (stored.length === 1) {
      const [message] = stored as [Item];
      show(`Stored message (${env.MESSAGES_TABLE})`, message);
      const conversationsKey =
        Object.values(state.tables).find((table) => table.name === env.CONVERSATIONS_TABLE)?.partitionKey ?? 'conversationId';
      const conversation = await documents.send(
        new GetCommand({ TableName: env.CONVERSATIONS_TABLE, Key: { [conversationsKey]: message.conversationId } }),
      );
      show(`Conversation (${env.CONVERSATIONS_TABLE})`, conversation.Item ?? '(none)');
    } else {
      const conversations = new Set(stored.map((item) => item.conversationId)).size;
      show(
        `Stored messages (${env.MESSAGES_TABLE}): ${stored.length} in ${conversations} conversation${conversations === 1 ? '' : 's'}`,
        stored.map((item) => ({ messageId: item.messageId, conversationId: item.conversationId, externalId: item.externalId, content: item.content })),
      );
    }

    // The AI consumer takes the messages off the inbound queue now: we follow their effects in DynamoDB.
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
    console.log(`\nReplies (${state.responder ?? 'demo'} responder → send → ${bspDescription(provider, state)}; following for up to ${waitSeconds} s)`);
    await followReplies(documents, env.MESSAGES_TABLE, stored, waitSeconds * 1000);
  } finally {
    documents.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Coexistence (a number on the WhatsApp Business app and the Cloud API): echo, history, contacts, partner-removed
// ---------------------------------------------------------------------------------------------

export const COEXISTENCE_COMMANDS = ['echo', 'history', 'contacts', 'partner-removed'] as const;
export type CoexistenceCommand = (typeof COEXISTENCE_COMMANDS)[number];

const COEXISTENCE_USAGE =
  'usage: npm run simulate -- echo --connection demo-meta --to +5215512345678 --text "Ya te atiendo yo"\n' +
  '       npm run simulate -- history --connection demo-meta [--from +5215512345678] [--messages 4] [--phase 0] [--chunk 1] [--progress 100] [--declined]\n' +
  '       npm run simulate -- contacts --connection demo-meta --phone +5215512345678 [--name "Doña Lupe"] [--remove]\n' +
  '       npm run simulate -- partner-removed --connection demo-meta [--reason PRIMARY_INACTIVITY] [--initiated-by SYSTEM]';

/** A coexistence webhook to post, and the Meta simulator number (`account`) it is for. */
export type CoexistenceRequest = CoexistenceInput & { account: string };

/**
 * Reads the options of `echo`, `history`, `contacts` and `partner-removed`. `--connection` names the
 * runtime's Meta demo (`demo-meta`, the default) or is a phone number id / E.164 number the Meta
 * simulator knows (a number onboarded through "Connect with Facebook"), whose webhook — the
 * app-level one for such a number — receives it.
 * @example parseCoexistenceArgs('echo', ['--to', '+5215512345678', '--text', 'Hola'], { demoMeta: '1000' }) // { kind: 'echo', account: '1000', … }
 */
export function parseCoexistenceArgs(command: CoexistenceCommand, args: string[], demo: { demoMetaConnectionId?: string; demoMetaNumberId?: string }, now: number = Date.now()): CoexistenceRequest {
  const { values } = parseArgs({
    args,
    options: {
      connection: { type: 'string', default: 'demo-meta' },
      to: { type: 'string' },
      text: { type: 'string' },
      from: { type: 'string', default: '+5215512345678' },
      messages: { type: 'string', default: '4' },
      phase: { type: 'string', default: '0' },
      chunk: { type: 'string', default: '1' },
      progress: { type: 'string', default: '100' },
      declined: { type: 'boolean', default: false },
      phone: { type: 'string' },
      name: { type: 'string' },
      remove: { type: 'boolean', default: false },
      reason: { type: 'string' },
      'initiated-by': { type: 'string' },
    },
    strict: true,
  });
  const connection = values.connection ?? 'demo-meta';
  const isDemo = connection === 'demo-meta' || connection === demo.demoMetaConnectionId;
  const account = isDemo ? demo.demoMetaNumberId : connection;
  if (!account) throw new SimulateError('this runtime has no Meta demo connection (an older `npm run dev`?): restart it');
  const e164 = (value: string | undefined, flag: string): string => {
    if (!value || !E164.test(value)) throw new SimulateError(`${flag} takes an E.164 number such as +5215512345678\n${COEXISTENCE_USAGE}`);
    return value;
  };
  const small = (value: string | undefined, flag: string, max: number): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 0 || number > max) throw new SimulateError(`${flag} takes a whole number from 0 to ${max}`);
    return number;
  };
  switch (command) {
    case 'echo':
      if (!values.text) throw new SimulateError(`--text is required\n${COEXISTENCE_USAGE}`);
      return { kind: 'echo', account, to: e164(values.to, '--to'), text: values.text };
    case 'history': {
      const customer = e164(values.from, '--from');
      const count = Math.max(1, small(values.messages, '--messages', 200));
      const day = 24 * 3600_000;
      // Alternating customer and owner, one a day, the newest a day before now: the past before onboarding.
      const messages = Array.from({ length: count }, (_, i) => ({
        fromMe: i % 2 === 1,
        text: i % 2 === 1 ? `Respuesta del negocio ${Math.ceil(i / 2)}` : `Mensaje antiguo ${i / 2 + 1}`,
        at: now - (count - i) * day,
      }));
      return {
        kind: 'history',
        account,
        phase: small(values.phase, '--phase', 2),
        chunkOrder: Math.max(1, small(values.chunk, '--chunk', 10_000)),
        progress: small(values.progress, '--progress', 100),
        ...(values.declined ? { declined: true } : { threads: [{ customer, messages }] }),
      };
    }
    case 'contacts':
      if (!values.remove && !values.name) throw new SimulateError(`--name is required (or --remove)\n${COEXISTENCE_USAGE}`);
      return { kind: 'contacts', account, contacts: [{ phone: e164(values.phone, '--phone'), ...(values.name && { name: values.name }), action: values.remove ? 'remove' : 'add' }] };
    case 'partner-removed': {
      const word = (value: string | undefined, flag: string) => {
        if (value !== undefined && !/^[A-Z_]{1,64}$/.test(value)) throw new SimulateError(`${flag} takes Meta's word in capitals (e.g. PRIMARY_INACTIVITY)`);
        return value;
      };
      const reason = word(values.reason, '--reason');
      const initiatedBy = word(values['initiated-by'], '--initiated-by');
      return {
        kind: 'partner-removed',
        account,
        ...(reason && { reason }),
        ...((initiatedBy === 'USER' || initiatedBy === 'SYSTEM') && { initiatedBy }),
      };
    }
  }
}

/** Has the runtime's Meta simulator post one coexistence webhook, and prints what the webhook answered. */
async function coexistence(command: CoexistenceCommand, args: string[]): Promise<void> {
  const stateFile = process.env.LOCAL_STATE_FILE ?? DEFAULT_STATE_FILE;
  if (!existsSync(stateFile)) throw new SimulateError('no running `npm run dev` found (no .local/runtime.json): start it first');
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as RuntimeStateFile;
  const simulatorUrl = state.simulators?.meta;
  if (!simulatorUrl) throw new SimulateError('this runtime has no Meta simulator (an older `npm run dev`?): restart it');
  const demo = state.demos?.meta;
  const request = parseCoexistenceArgs(command, args, { demoMetaConnectionId: demo?.connectionId, demoMetaNumberId: demo?.providerNumberId });
  let response: Response;
  try {
    response = await fetch(`${simulatorUrl}/_simulator/coexistence`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  } catch (error) {
    if (isConnectionRefused(error)) throw new SimulateError(`the Meta simulator does not answer on ${simulatorUrl}: restart \`npm run dev\``);
    throw error;
  }
  const answer = (await response.json()) as InboundResult & { error?: string };
  if (!response.ok) throw new SimulateError(`the Meta simulator refused it: ${answer.error ?? response.status}`);
  if (answer.outcome === 'undeliverable' || !answer.firstAttempt) {
    console.log('✖ the Meta simulator has no webhook for that number (app not subscribed to its WABA?)');
    return;
  }
  const first = answer.firstAttempt;
  console.log(`→ the Meta simulator POSTed a ${command} webhook to ${answer.url}`);
  console.log(`← ${first.status ?? first.error ?? 'no answer'}${first.body ? `\n  ${first.body}` : ''}`);
  if (command === 'echo') console.log('The message is in the thread as "sent from the WhatsApp Business app", and the AI is paused for that conversation.');
}

async function main(): Promise<void> {
  // Locally Node 20 is fine (Lambda runs 22); the SDK's notice about Node 20 would only be noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [command, ...rest] = process.argv.slice(2);
  if ((COEXISTENCE_COMMANDS as readonly string[]).includes(command ?? '')) return coexistence(command as CoexistenceCommand, rest);
  if (command !== 'inbound') throw new SimulateError(`${USAGE}\n${COEXISTENCE_USAGE}`);
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
