import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTwilioSimulator, type TwilioSimulator } from '../../../local/twilio-simulator';

/**
 * The simulator over loopback HTTP: Twilio-shaped answers, signed status callbacks received by a
 * real node:http server (signatures checked here with node:crypto, independently of the twilio
 * package the simulator signs with), the content + approval flow and every fault mode.
 */

const ACCOUNT = `AC${'1'.repeat(32)}`;
const TOKEN = 'token-one';
const OTHER_ACCOUNT = `AC${'2'.repeat(32)}`;
const OTHER_TOKEN = 'token-two';
const TO = 'whatsapp:+5215512345678';
const FROM = 'whatsapp:+14155238886';
const DELAYS = { sent: 20, delivered: 40, read: 60 };

interface ReceivedCallback {
  url: string;
  signature: string | undefined;
  contentType: string | undefined;
  fields: Record<string, string>;
}

interface Receiver {
  base: string;
  received: ReceivedCallback[];
  /** Status code the receiver answers with. */
  answer: number;
  server: Server;
}

async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = { base: '', received: [], answer: 204, server: undefined as unknown as Server };
  receiver.server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      receiver.received.push({
        url: `${receiver.base}${request.url}`,
        signature: request.headers['x-twilio-signature'] as string | undefined,
        contentType: request.headers['content-type'],
        fields: Object.fromEntries(new URLSearchParams(body)),
      });
      response.writeHead(receiver.answer);
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', () => resolve()));
  receiver.base = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
  return receiver;
}

/** Twilio's documented algorithm: base64(HMAC-SHA1(token, url + sorted name+value pairs)). */
function expectedSignature(url: string, fields: Record<string, string>, token: string): string {
  const data = Object.keys(fields)
    .sort()
    .reduce((acc, key) => acc + key + fields[key], url);
  return createHmac('sha1', token).update(Buffer.from(data, 'utf8')).digest('base64');
}

function basic(account: string, token: string): string {
  return `Basic ${Buffer.from(`${account}:${token}`).toString('base64')}`;
}

async function waitFor(predicate: () => boolean, timeoutMs = 3_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('twilio simulator over HTTP', () => {
  let simulator: TwilioSimulator;
  let receiver: Receiver;
  const script: number[] = [];

  const send = (fields: Record<string, string>, auth = basic(ACCOUNT, TOKEN), account = ACCOUNT) =>
    fetch(`${simulator.url}/2010-04-01/Accounts/${account}/Messages.json`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
  const content = (method: string, path: string, body?: unknown, auth = basic(ACCOUNT, TOKEN)) =>
    fetch(`${simulator.url}/v1/Content${path}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const callbackUrl = (tag: string) => `${receiver.base}/webhook/whatsapp/twilio/cn1/status?c=${tag}&m=m1`;

  beforeAll(async () => {
    receiver = await startReceiver();
    simulator = await startTwilioSimulator({
      accounts: { [ACCOUNT]: TOKEN, [OTHER_ACCOUNT]: OTHER_TOKEN },
      callbackDelaysMs: DELAYS,
      random: () => script.shift() ?? 0.999,
    });
  });

  afterEach(() => {
    simulator.reset();
    simulator.setFaults({});
    script.length = 0;
    receiver.received = [];
    receiver.answer = 204;
  });

  afterAll(async () => {
    await simulator.stop();
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  describe('Messages', () => {
    it('accepts a text send with a Twilio-shaped 201 and posts signed sent → delivered → read callbacks', async () => {
      // Prepare
      const statusCallback = callbackUrl('cv1');

      // Act
      const response = await send({ To: TO, From: FROM, Body: 'Hola 👋', StatusCallback: statusCallback });
      const resource = (await response.json()) as Record<string, unknown>;
      await simulator.idle();

      // Assess
      expect(response.status).toBe(201);
      expect(resource).toMatchObject({
        account_sid: ACCOUNT,
        api_version: '2010-04-01',
        body: 'Hola 👋',
        date_sent: null,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from: FROM,
        messaging_service_sid: null,
        num_media: '0',
        num_segments: '1',
        status: 'queued',
        to: TO,
        uri: `/2010-04-01/Accounts/${ACCOUNT}/Messages/${resource.sid}.json`,
      });
      expect(resource.sid).toMatch(/^SM[0-9a-f]{32}$/);
      expect(resource.date_created).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);

      expect(receiver.received.map((callback) => callback.fields.MessageStatus)).toEqual(['sent', 'delivered', 'read']);
      for (const callback of receiver.received) {
        expect(callback.url).toBe(statusCallback);
        expect(callback.contentType).toBe('application/x-www-form-urlencoded');
        expect(callback.signature).toBe(expectedSignature(statusCallback, callback.fields, TOKEN));
        expect(callback.fields).toMatchObject({
          MessageSid: resource.sid,
          SmsSid: resource.sid,
          AccountSid: ACCOUNT,
          From: FROM,
          To: TO,
          ApiVersion: '2010-04-01',
          ChannelPrefix: 'whatsapp',
          ChannelToAddress: '+52155123XXXXX',
        });
        expect(callback.fields).not.toHaveProperty('ErrorCode');
      }
      expect(simulator.stats()).toMatchObject({ requests: 1, accepted: 1, callbacksPosted: 3, callbacksFailed: 0, callbacksPending: 0 });
    });

    it('spaces callbacks by the configured delays after acceptance', async () => {
      // Prepare
      const arrivals: number[] = [];
      const start = Date.now();

      // Act
      await send({ To: TO, From: FROM, Body: 'x', StatusCallback: callbackUrl('cv1') });
      await waitFor(() => {
        while (arrivals.length < receiver.received.length) arrivals.push(Date.now() - start);
        return receiver.received.length === 3;
      });

      // Assess
      expect(arrivals[0]).toBeGreaterThanOrEqual(DELAYS.sent - 5);
      expect(arrivals[2]).toBeGreaterThanOrEqual(DELAYS.read - 5);
    });

    it('signs each account with its own token', async () => {
      // Act
      await send({ To: TO, From: FROM, Body: 'x', StatusCallback: callbackUrl('cv2') }, basic(OTHER_ACCOUNT, OTHER_TOKEN), OTHER_ACCOUNT);
      await simulator.idle();

      // Assess
      const [first] = receiver.received;
      expect(first.fields.AccountSid).toBe(OTHER_ACCOUNT);
      expect(first.signature).toBe(expectedSignature(callbackUrl('cv2'), first.fields, OTHER_TOKEN));
      expect(first.signature).not.toBe(expectedSignature(callbackUrl('cv2'), first.fields, TOKEN));
    });

    it('serves the message with its current status and records it in acceptance order', async () => {
      // Act
      const first = (await (await send({ To: TO, From: FROM, Body: 'one', MediaUrl: 'https://example.com/a.jpg' })).json()) as { sid: string };
      const second = (await (await send({ To: TO, From: FROM, Body: 'two' })).json()) as { sid: string };
      await simulator.idle();
      const fetched = await fetch(`${simulator.url}/2010-04-01/Accounts/${ACCOUNT}/Messages/${first.sid}.json`, { headers: { authorization: basic(ACCOUNT, TOKEN) } });
      const resource = (await fetched.json()) as Record<string, unknown>;

      // Assess
      expect(fetched.status).toBe(200);
      expect(resource).toMatchObject({ sid: first.sid, status: 'read', num_media: '1' });
      expect(resource.date_sent).not.toBeNull();
      expect(simulator.messages().map((message) => [message.sid, message.body, message.status])).toEqual([
        [first.sid, 'one', 'read'],
        [second.sid, 'two', 'read'],
      ]);
      expect(simulator.messages()[0]).toMatchObject({ mediaUrls: ['https://example.com/a.jpg'], statusHistory: ['queued', 'sent', 'delivered', 'read'] });
    });

    it('answers 401 / 20003 for a wrong token and for another account in the path', async () => {
      // Act
      const wrongToken = await send({ To: TO, From: FROM, Body: 'x' }, basic(ACCOUNT, 'nope'));
      const otherPath = await send({ To: TO, From: FROM, Body: 'x' }, basic(ACCOUNT, TOKEN), OTHER_ACCOUNT);
      const missing = await send({ To: TO, From: FROM, Body: 'x' }, '');

      // Assess
      for (const response of [wrongToken, otherPath, missing]) {
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
      }
      expect(simulator.stats()).toMatchObject({ accepted: 0, rejected: { '20003': 3 } });
      expect(simulator.messages()).toEqual([]);
    });

    it("answers validation errors with Twilio's code, HTTP 400 and the error shape", async () => {
      // Act
      const noTo = await send({ From: FROM, Body: 'x' });
      const unknownContent = await send({ To: TO, From: FROM, ContentSid: `HX${'f'.repeat(32)}` });
      const badVariables = await send({ To: TO, From: FROM, Body: 'x', ContentVariables: 'nope' });

      // Assess
      expect(noTo.status).toBe(400);
      expect(await noTo.json()).toEqual({ code: 21604, message: "A 'To' phone number is required.", more_info: 'https://www.twilio.com/docs/errors/21604', status: 400 });
      expect(((await unknownContent.json()) as { code: number }).code).toBe(21655);
      expect(((await badVariables.json()) as { code: number }).code).toBe(21654);
      expect(simulator.stats().rejected).toEqual({ '21604': 1, '21655': 1, '21654': 1 });
    });

    it('answers 404 / 20404 for an unknown message and an unknown path', async () => {
      // Act
      const message = await fetch(`${simulator.url}/2010-04-01/Accounts/${ACCOUNT}/Messages/SM${'0'.repeat(32)}.json`, { headers: { authorization: basic(ACCOUNT, TOKEN) } });
      const path = await fetch(`${simulator.url}/2010-04-01/Accounts/${ACCOUNT}/Calls.json`, { headers: { authorization: basic(ACCOUNT, TOKEN) } });

      // Assess
      expect(message.status).toBe(404);
      expect(((await message.json()) as { code: number }).code).toBe(20404);
      expect(path.status).toBe(404);
    });

    it('starts a Messaging Service send as accepted, without From, and reports the service in callbacks', async () => {
      // Prepare
      const service = `MG${'3'.repeat(32)}`;

      // Act
      const response = await send({ To: TO, MessagingServiceSid: service, Body: 'x', StatusCallback: callbackUrl('cv1') });
      const resource = (await response.json()) as Record<string, unknown>;
      await simulator.idle();

      // Assess
      expect(resource).toMatchObject({ status: 'accepted', from: null, messaging_service_sid: service });
      expect(receiver.received[0].fields).toMatchObject({ MessagingServiceSid: service, MessageStatus: 'sent' });
      expect(receiver.received[0].fields).not.toHaveProperty('From');
    });

    it('logs refusals without the full recipient number', async () => {
      // Prepare
      const lines: string[] = [];
      const logged = await startTwilioSimulator({ accounts: { [ACCOUNT]: TOKEN }, log: (line) => lines.push(line) });

      // Act
      try {
        await fetch(`${logged.url}/2010-04-01/Accounts/${ACCOUNT}/Messages.json`, {
          method: 'POST',
          headers: { authorization: basic(ACCOUNT, TOKEN) },
          body: new URLSearchParams({ To: '+5215512345678', From: '+14155238886', Body: 'x' }),
        });
      } finally {
        await logged.stop();
      }

      // Assess
      expect(lines.some((line) => line.includes('21211'))).toBe(true);
      expect(lines.join('\n')).not.toContain('5215512345678');
    });

    it('counts failed callbacks and keeps serving when the receiver errors or is unreachable', async () => {
      // Prepare
      receiver.answer = 500;

      // Act
      await send({ To: TO, From: FROM, Body: 'x', StatusCallback: callbackUrl('cv1') });
      await send({ To: TO, From: FROM, Body: 'y', StatusCallback: 'http://127.0.0.1:1/unreachable' });
      await simulator.idle();
      const after = await send({ To: TO, From: FROM, Body: 'z' });

      // Assess
      expect(simulator.stats()).toMatchObject({ callbacksPosted: 0, callbacksFailed: 6 });
      expect(simulator.messages().slice(0, 2).map((message) => message.status)).toEqual(['read', 'read']);
      expect(after.status).toBe(201);
    });
  });

  describe('Content API and approvals', () => {
    const quickReply = {
      friendly_name: 'echo_buttons_1',
      language: 'es',
      variables: { '1': 'cliente' },
      types: {
        'twilio/quick-reply': { body: 'Hola {{1}}, ¿seguimos?', actions: [{ title: 'Sí', id: 'yes' }, { title: 'No', id: 'no' }] },
        'twilio/text': { body: 'Hola {{1}}, ¿seguimos? 1) Sí 2) No' },
      },
    };

    it('creates a content, serves it, and approves it on the first read after submission', async () => {
      // Act
      const created = await content('POST', '', quickReply);
      const resource = (await created.json()) as Record<string, unknown>;
      const sid = resource.sid as string;
      const fetched = await content('GET', `/${sid}`);
      const beforeSubmission = (await (await content('GET', `/${sid}/ApprovalRequests`)).json()) as { whatsapp: Record<string, unknown> };
      const submitted = await content('POST', `/${sid}/ApprovalRequests/whatsapp`, { name: 'echo_buttons_1', category: 'UTILITY' });
      const submission = await submitted.json();
      const approvals = (await (await content('GET', `/${sid}/ApprovalRequests`)).json()) as Record<string, unknown>;

      // Assess
      expect(created.status).toBe(201);
      expect(sid).toMatch(/^HX[0-9a-f]{32}$/);
      expect(resource).toMatchObject({
        account_sid: ACCOUNT,
        friendly_name: 'echo_buttons_1',
        language: 'es',
        variables: { '1': 'cliente' },
        types: quickReply.types,
        url: `${simulator.url}/v1/Content/${sid}`,
        links: { approval_create: `${simulator.url}/v1/Content/${sid}/ApprovalRequests/whatsapp`, approval_fetch: `${simulator.url}/v1/Content/${sid}/ApprovalRequests` },
      });
      expect(resource.date_created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(await fetched.json()).toEqual(resource);
      expect(beforeSubmission.whatsapp.status).toBe('unsubmitted');
      expect(submitted.status).toBe(201);
      expect(submission).toEqual({
        allow_category_change: true,
        category: 'UTILITY',
        content_type: 'twilio/quick-reply',
        name: 'echo_buttons_1',
        rejection_reason: '',
        status: 'received',
      });
      expect(approvals).toEqual({
        account_sid: ACCOUNT,
        sid,
        url: `${simulator.url}/v1/Content/${sid}/ApprovalRequests`,
        whatsapp: { type: 'whatsapp', allow_category_change: true, category: 'UTILITY', content_type: 'twilio/quick-reply', name: 'echo_buttons_1', rejection_reason: '', status: 'approved', flows: null },
      });
      expect(simulator.contents()).toEqual([expect.objectContaining({ sid, approvalStatus: 'approved', contentTypes: ['twilio/quick-reply', 'twilio/text'] })]);
    });

    it('sends a ContentSid with rendered variables, and lets an approved template reach a closed window', async () => {
      // Prepare
      const sid = ((await (await content('POST', '', quickReply)).json()) as { sid: string }).sid;
      await content('POST', `/${sid}/ApprovalRequests/whatsapp`, { name: 'echo_buttons_1', category: 'UTILITY' });
      simulator.setFaults({ closedWindowRecipients: [TO] });

      // Act
      const response = await send({ To: TO, From: FROM, ContentSid: sid, ContentVariables: JSON.stringify({ '1': "Ana's" }), StatusCallback: callbackUrl('cv1') });
      const resource = (await response.json()) as Record<string, unknown>;
      await simulator.idle();

      // Assess
      expect(response.status).toBe(201);
      expect(resource.body).toBe("Hola Ana's, ¿seguimos? 1) Sí 2) No");
      expect(receiver.received.map((callback) => callback.fields.MessageStatus)).toEqual(['sent', 'delivered', 'read']);
      expect(simulator.messages()[0]).toMatchObject({ contentSid: sid, contentVariables: { '1': "Ana's" } });
    });

    it('keeps an approval pending until approvalDelayMs has passed', async () => {
      // Prepare
      const delayed = await startTwilioSimulator({ accounts: { [ACCOUNT]: TOKEN }, approvalDelayMs: 150 });
      const call = (method: string, path: string, body?: unknown) =>
        fetch(`${delayed.url}/v1/Content${path}`, { method, headers: { authorization: basic(ACCOUNT, TOKEN) }, ...(body !== undefined && { body: JSON.stringify(body) }) });
      try {
        const sid = ((await (await call('POST', '', { language: 'en', types: { 'twilio/text': { body: 'Hi {{1}}' } } })).json()) as { sid: string }).sid;
        await call('POST', `/${sid}/ApprovalRequests/whatsapp`, { name: 'echo_hi', category: 'UTILITY' });

        // Act
        const early = (await (await call('GET', `/${sid}/ApprovalRequests`)).json()) as { whatsapp: { status: string } };
        await new Promise((resolve) => setTimeout(resolve, 170));
        const late = (await (await call('GET', `/${sid}/ApprovalRequests`)).json()) as { whatsapp: { status: string } };

        // Assess
        expect(early.whatsapp.status).toBe('pending');
        expect(late.whatsapp.status).toBe('approved');
      } finally {
        await delayed.stop();
      }
    });

    it('never approves a list-picker', async () => {
      // Prepare
      const list = { language: 'es', types: { 'twilio/list-picker': { body: 'Elige', button: 'Ver', items: [{ id: 'a', item: 'Opción A', description: 'La primera' }] } } };
      const sid = ((await (await content('POST', '', list)).json()) as { sid: string }).sid;

      // Act
      const submitted = await content('POST', `/${sid}/ApprovalRequests/whatsapp`, { name: 'echo_list', category: 'UTILITY' });
      const approvals = (await (await content('GET', `/${sid}/ApprovalRequests`)).json()) as { whatsapp: Record<string, unknown> };

      // Assess
      expect(submitted.status).toBe(201);
      expect(approvals.whatsapp).toMatchObject({ status: 'rejected', content_type: 'twilio/list-picker', rejection_reason: expect.stringMatching(/list-picker/) });
    });

    it('rejects camelCase type keys, hides contents of other accounts and refuses a second submission', async () => {
      // Prepare
      const sid = ((await (await content('POST', '', quickReply)).json()) as { sid: string }).sid;
      await content('POST', `/${sid}/ApprovalRequests/whatsapp`, { name: 'echo_buttons_1', category: 'UTILITY' });

      // Act
      const camel = await content('POST', '', { friendlyName: 'x', language: 'en', types: { twilioText: { body: 'Hi' } } });
      const foreign = await content('GET', `/${sid}`, undefined, basic(OTHER_ACCOUNT, OTHER_TOKEN));
      const again = await content('POST', `/${sid}/ApprovalRequests/whatsapp`, { name: 'echo_buttons_1', category: 'UTILITY' });
      const unauthenticated = await content('POST', '', quickReply, basic(ACCOUNT, 'nope'));

      // Assess
      expect(camel.status).toBe(400);
      expect(((await camel.json()) as { message: string }).message).toMatch(/^Invalid types/);
      expect(foreign.status).toBe(404);
      expect(again.status).toBe(400);
      expect(unauthenticated.status).toBe(401);
    });

    it('lets tests seed an approved template directly', async () => {
      // Act
      const seeded = simulator.seedContent(ACCOUNT, { friendly_name: 'reengagement', language: 'es', types: { 'twilio/text': { body: 'Hola {{1}}' } } }, { name: 'echo_reengagement' });
      simulator.setFaults({ closedWindowRecipients: [TO] });
      const response = await send({ To: TO, From: FROM, ContentSid: seeded.sid, ContentVariables: '{"1":"Ana"}', StatusCallback: callbackUrl('cv1') });
      await simulator.idle();

      // Assess
      expect(seeded).toMatchObject({ approvalStatus: 'approved', approval: { name: 'echo_reengagement', category: 'UTILITY' } });
      expect(response.status).toBe(201);
      expect(receiver.received.at(-1)?.fields.MessageStatus).toBe('read');
    });
  });

  describe('faults', () => {
    it('answers rate429 hits with 429 / 20429 and Retry-After, and stores nothing', async () => {
      // Prepare
      simulator.setFaults({ rate429: 0.3, retryAfterSeconds: 3 });
      script.push(0.1, 0.5);

      // Act
      const limited = await send({ To: TO, From: FROM, Body: 'x' });
      const accepted = await send({ To: TO, From: FROM, Body: 'y' });

      // Assess
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('3');
      expect(await limited.json()).toEqual({ code: 20429, message: 'Too Many Requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 });
      expect(accepted.status).toBe(201);
      expect(simulator.messages().map((message) => message.body)).toEqual(['y']);
      expect(simulator.stats()).toMatchObject({ requests: 2, accepted: 1, rejected: { '20429': 1 } });
    });

    it('answers rate5xx hits with 500 / 20500 or 503 / 20503', async () => {
      // Prepare
      simulator.setFaults({ rate5xx: 0.5 });
      script.push(0.1, 0.4);

      // Act
      const first = await send({ To: TO, From: FROM, Body: 'x' });
      const second = await send({ To: TO, From: FROM, Body: 'x' });

      // Assess
      expect([first.status, ((await first.json()) as { code: number }).code]).toEqual([500, 20500]);
      expect([second.status, ((await second.json()) as { code: number }).code]).toEqual([503, 20503]);
      expect(simulator.messages()).toEqual([]);
    });

    it('accepts freeform sends to a closed window and then fails them with a signed 63016 callback', async () => {
      // Prepare
      simulator.setFaults({ closedWindowRecipients: ['+5215512345678'] });

      // Act
      const response = await send({ To: TO, From: FROM, Body: 'x', StatusCallback: callbackUrl('cv1') });
      const { sid } = (await response.json()) as { sid: string };
      await simulator.idle();
      const fetched = (await (await fetch(`${simulator.url}/2010-04-01/Accounts/${ACCOUNT}/Messages/${sid}.json`, { headers: { authorization: basic(ACCOUNT, TOKEN) } })).json()) as Record<string, unknown>;

      // Assess
      expect(response.status).toBe(201);
      expect(receiver.received).toHaveLength(1);
      const [callback] = receiver.received;
      expect(callback.fields).toMatchObject({ MessageStatus: 'failed', ErrorCode: '63016', ErrorMessage: expect.stringMatching(/outside the allowed window/) });
      expect(callback.signature).toBe(expectedSignature(callbackUrl('cv1'), callback.fields, TOKEN));
      expect(fetched).toMatchObject({ status: 'failed', error_code: 63016 });
    });

    it('fails a rate63016 fraction of freeform sends asynchronously', async () => {
      // Prepare
      simulator.setFaults({ rate63016: 0.5 });
      script.push(0.2, 0.7);

      // Act
      await send({ To: TO, From: FROM, Body: 'hit', StatusCallback: callbackUrl('hit') });
      await send({ To: TO, From: FROM, Body: 'miss', StatusCallback: callbackUrl('miss') });
      await simulator.idle();

      // Assess
      expect(simulator.messages().map((message) => [message.body, message.status, message.errorCode])).toEqual([
        ['hit', 'failed', 63016],
        ['miss', 'read', undefined],
      ]);
    });

    it('fails interactive contents with 63021 when rejectInteractive is on', async () => {
      // Prepare
      const sid = ((await (await content('POST', '', { language: 'en', types: { 'twilio/quick-reply': { body: 'Ok?', actions: [{ title: 'Yes', id: 'y' }] } } })).json()) as { sid: string }).sid;
      simulator.setFaults({ rejectInteractive: true });

      // Act
      const response = await send({ To: TO, From: FROM, ContentSid: sid, StatusCallback: callbackUrl('cv1') });
      await simulator.idle();

      // Assess
      expect(response.status).toBe(201);
      expect(receiver.received.map((callback) => [callback.fields.MessageStatus, callback.fields.ErrorCode])).toEqual([['failed', '63021']]);
    });
  });

  describe('control endpoints', () => {
    it('changes faults, reports stats and messages, and resets', async () => {
      // Act
      const put = await fetch(`${simulator.url}/_simulator/faults`, { method: 'PUT', body: JSON.stringify({ rate429: 1 }) });
      const limited = await send({ To: TO, From: FROM, Body: 'x' });
      const badPut = await fetch(`${simulator.url}/_simulator/faults`, { method: 'PUT', body: JSON.stringify({ rate429: 2 }) });
      await fetch(`${simulator.url}/_simulator/faults`, { method: 'PUT', body: '{}' });
      await send({ To: TO, From: FROM, Body: 'y' });
      const stats = await (await fetch(`${simulator.url}/_simulator/stats`)).json();
      const messages = (await (await fetch(`${simulator.url}/_simulator/messages`)).json()) as Array<{ body: string }>;
      const reset = await fetch(`${simulator.url}/_simulator/reset`, { method: 'POST' });

      // Assess
      expect(put.status).toBe(200);
      expect(limited.status).toBe(429);
      expect(badPut.status).toBe(400);
      expect(stats).toMatchObject({ requests: 2, accepted: 1, rejected: { '20429': 1 } });
      expect(messages.map((message) => message.body)).toEqual(['y']);
      expect(reset.status).toBe(204);
      expect(simulator.messages()).toEqual([]);
      expect(simulator.stats()).toMatchObject({ requests: 0, accepted: 0, callbacksPending: 0 });
    });
  });

  it('cancels pending callbacks on stop', async () => {
    // Prepare
    const slow = await startTwilioSimulator({ accounts: { [ACCOUNT]: TOKEN }, callbackDelaysMs: { sent: 150, delivered: 200, read: 250 } });
    await fetch(`${slow.url}/2010-04-01/Accounts/${ACCOUNT}/Messages.json`, {
      method: 'POST',
      headers: { authorization: basic(ACCOUNT, TOKEN) },
      body: new URLSearchParams({ To: TO, From: FROM, Body: 'x', StatusCallback: callbackUrl('slow') }),
    });

    // Act
    await slow.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));

    // Assess
    expect(receiver.received).toEqual([]);
    expect(slow.stats().callbacksPending).toBe(0);
  });
});
