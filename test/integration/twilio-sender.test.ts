/**
 * TwilioSender and TwilioContentApi against the local Twilio simulator over real HTTP: the
 * simulator validates every request the way Twilio does, so a wrong field name, a camelCase
 * Content API key or a non-JSON ContentVariables fails here even though the unit tests pass.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TwilioContentApi } from '../../lambdas/providers/whatsapp/twilio/send/content-api';
import { InMemoryContentCache } from '../../lambdas/providers/whatsapp/twilio/send/content-cache';
import { twilioFailureKind } from '../../lambdas/providers/whatsapp/twilio/send/errors';
import { TwilioSender } from '../../lambdas/providers/whatsapp/twilio/send/sender';
import type { SendRequest } from '../../lambdas/providers/whatsapp/provider';
import { SendFailedError } from '../../lambdas/shared/errors';
import { startTwilioSimulator, type TwilioSimulator } from '../../local/twilio-simulator';

jest.setTimeout(30_000);

const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const CREDENTIALS = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN };
const BUSINESS = '+14155238886';
const CUSTOMER = '+5215512345678';

/** Receives the simulator's status callbacks. */
interface CallbackSink {
  url: string;
  received: Array<Record<string, string>>;
  close(): Promise<void>;
}

async function startCallbackSink(): Promise<CallbackSink> {
  const received: Array<Record<string, string>> = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push(Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/status`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A local port that refuses connections. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function failure(promise: Promise<unknown>): Promise<SendFailedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SendFailedError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('TwilioSender against the Twilio simulator', () => {
  let simulator: TwilioSimulator;
  let sink: CallbackSink;
  let draw = 0.99;
  let sender: TwilioSender;
  let contentCache: InMemoryContentCache;

  const request = (content: SendRequest['content'], overrides: Partial<SendRequest> = {}): SendRequest => ({
    credentials: CREDENTIALS,
    from: { displayNumber: BUSINESS },
    callbackData: 'cv01.m',
    to: CUSTOMER,
    content,
    statusCallbackUrl: `${sink.url}?c=cv01&m=${randomBytes(4).toString('hex')}`,
    messageId: randomBytes(8).toString('hex'),
    ...overrides,
  });

  beforeAll(async () => {
    sink = await startCallbackSink();
    simulator = await startTwilioSimulator({
      port: 0,
      accounts: { [ACCOUNT_SID]: AUTH_TOKEN },
      callbackDelaysMs: { sent: 10, delivered: 20, read: 30 },
      random: () => draw,
    });
  });

  beforeEach(() => {
    simulator.reset();
    simulator.setFaults({});
    draw = 0.99;
    sink.received.length = 0;
    contentCache = new InMemoryContentCache();
    sender = new TwilioSender({ fetch, contentCache, apiBaseUrl: simulator.url, contentBaseUrl: simulator.url, timeoutMs: 5_000 });
  });

  afterAll(async () => {
    await simulator?.stop();
    await sink?.close();
  });

  it('sends a text that Twilio accepts and reports through the status callback', async () => {
    // Prepare
    const sent = request({ type: 'text', text: 'Hola Ana, tu pedido está listo 🎉' });

    // Act
    const result = await sender.send(sent);
    await simulator.idle();

    // Assess
    expect(result.externalId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(result.providerStatus).toBe('queued');
    const [message] = simulator.messages();
    expect(message).toMatchObject({
      sid: result.externalId,
      to: `whatsapp:${CUSTOMER}`,
      from: `whatsapp:${BUSINESS}`,
      body: 'Hola Ana, tu pedido está listo 🎉',
      statusCallback: sent.statusCallbackUrl,
    });
    expect(sink.received.filter((fields) => fields.MessageSid === result.externalId).map((fields) => fields.MessageStatus)).toEqual([
      'sent',
      'delivered',
      'read',
    ]);
  });

  it('sends an image with its caption', async () => {
    // Act
    const result = await sender.send(request({ type: 'image', url: 'https://cdn.example.com/receipt.png', caption: 'Tu recibo' }));

    // Assess
    expect(simulator.messages()).toEqual([
      expect.objectContaining({ sid: result.externalId, mediaUrls: ['https://cdn.example.com/receipt.png'], body: 'Tu recibo' }),
    ]);
  });

  it('creates buttons once as twilio/quick-reply content and sends both messages by its ContentSid', async () => {
    // Prepare
    const buttons = {
      type: 'buttons' as const,
      body: '¿Confirmas la cita del martes?',
      buttons: [
        { id: 'confirm', title: 'Confirmar' },
        { id: 'reschedule', title: 'Cambiar fecha' },
      ],
    };

    // Act
    await sender.send(request(buttons));
    await sender.send(request(buttons, { to: '+447700900123' }));

    // Assess
    const contents = simulator.contents();
    expect(contents).toHaveLength(1);
    expect(contents[0]).toMatchObject({
      accountSid: ACCOUNT_SID,
      language: 'en',
      contentTypes: ['twilio/quick-reply'],
      types: {
        'twilio/quick-reply': {
          body: '¿Confirmas la cita del martes?',
          actions: [
            { title: 'Confirmar', id: 'confirm' },
            { title: 'Cambiar fecha', id: 'reschedule' },
          ],
        },
      },
    });
    expect(contents[0].friendlyName).toMatch(/^echo_buttons_[0-9a-f]{16}$/);
    expect(simulator.messages().map((message) => message.contentSid)).toEqual([contents[0].sid, contents[0].sid]);
    expect(contentCache.size).toBe(1);
  });

  it('creates a list as twilio/list-picker content that the simulator accepts', async () => {
    // Act
    const result = await sender.send(
      request({
        type: 'list',
        body: 'Elige una sucursal',
        button: 'Sucursales',
        rows: [
          { id: 'centro', title: 'Centro', description: 'Abierto hasta las 21 h' },
          { id: 'norte', title: 'Norte' },
        ],
      }),
    );

    // Assess
    const [content] = simulator.contents();
    expect(content.contentTypes).toEqual(['twilio/list-picker']);
    expect(simulator.messages()[0]).toMatchObject({ sid: result.externalId, contentSid: content.sid });
  });

  it('sends an approved template by ContentSid with its variables', async () => {
    // Prepare
    const template = simulator.seedContent(
      ACCOUNT_SID,
      { friendly_name: 'reengagement', language: 'es', variables: { '1': 'Cliente' }, types: { 'twilio/text': { body: 'Hola {{1}}, ¿seguimos?' } } },
      { name: 'reengagement', category: 'UTILITY' },
    );

    // Act
    await sender.send(request({ type: 'template', providerTemplateId: template.sid, variables: { '1': "Ana María O'Neil" } }));

    // Assess
    const [message] = simulator.messages();
    expect(message.contentSid).toBe(template.sid);
    expect(message.contentVariables).toEqual({ '1': "Ana María O'Neil" });
    expect(message.body).toBeUndefined();
  });

  it('classifies a 429 as retryable and honours its Retry-After', async () => {
    // Prepare
    simulator.setFaults({ rate429: 1, retryAfterSeconds: 7 });
    draw = 0;

    // Act
    const error = await failure(sender.send(request({ type: 'text', text: 'hi' })));

    // Assess
    expect(error).toMatchObject({ kind: 'retryable', code: '20429', options: { retryAfterMs: 7_000, httpStatus: 429 } });
    expect(simulator.messages()).toEqual([]);
  });

  it('retries a 503 but never resends after a 500, which Twilio may have processed', async () => {
    // Prepare: the simulator answers 500 for draws below rate/2 and 503 above.
    simulator.setFaults({ rate5xx: 1 });

    // Act
    draw = 0.1;
    const on500 = await failure(sender.send(request({ type: 'text', text: 'hi' })));
    draw = 0.9;
    const on503 = await failure(sender.send(request({ type: 'text', text: 'hi' })));

    // Assess
    expect(on500).toMatchObject({ kind: 'outcome-unknown', code: '20500' });
    expect(on503).toMatchObject({ kind: 'retryable', code: '20503' });
  });

  it.each([
    ['a 500 after acceptance', 0.1],
    ['a cut connection after acceptance', 0.9],
  ])('finds in the message list a send whose answer was lost (%s), and never an id we already own', async (_case, lostDraw) => {
    // Prepare: one message accepted normally, then the same text whose answer is lost.
    const since = new Date(Date.now() - 1_000);
    const earlier = await sender.send(request({ type: 'text', text: 'Hola' }));
    simulator.setFaults({ rateLostAnswer: 1 });
    draw = lostDraw;
    const lost = await failure(sender.send(request({ type: 'text', text: 'Hola' })));
    simulator.setFaults({});
    const lostSid = simulator.messages().find((message) => message.sid !== earlier.externalId)!.sid;

    // Act
    const found = await sender.findSent({
      credentials: CREDENTIALS,
      from: { displayNumber: BUSINESS },
      to: CUSTOMER,
      content: { type: 'text', text: 'Hola' },
      since,
      isKnown: async (sid) => sid === earlier.externalId,
    });

    // Assess
    expect(lost.kind).toBe('outcome-unknown');
    expect(simulator.stats().lostAnswers).toBe(1);
    expect(found).toEqual({ outcome: 'found', sent: { externalId: lostSid, providerStatus: expect.any(String) } });
  });

  it('proves a send unsent when the list holds no such message since the attempt', async () => {
    // Prepare: a 500 refused before acceptance, and an older message with another text.
    await sender.send(request({ type: 'text', text: 'otro texto' }));
    simulator.setFaults({ rate5xx: 1 });
    draw = 0.1;
    await failure(sender.send(request({ type: 'text', text: 'Hola' })));
    simulator.setFaults({});

    // Act
    const result = await sender.findSent({
      credentials: CREDENTIALS,
      from: { displayNumber: BUSINESS },
      to: CUSTOMER,
      content: { type: 'text', text: 'Hola' },
      since: new Date(Date.now() - 1_000),
      isKnown: async () => false,
    });

    // Assess
    expect(result).toEqual({ outcome: 'not-sent' });
  });

  it('classifies wrong credentials as permanent', async () => {
    // Act
    const error = await failure(sender.send(request({ type: 'text', text: 'hi' }, { credentials: { accountSid: ACCOUNT_SID, authToken: 'wrong' } })));

    // Assess
    expect(error).toMatchObject({ kind: 'permanent', code: '20003', options: { httpStatus: 401 } });
  });

  it('reports a closed window asynchronously: the 63016 callback classifies as window-closed', async () => {
    // Prepare
    simulator.setFaults({ closedWindowRecipients: [CUSTOMER] });

    // Act
    const result = await sender.send(request({ type: 'text', text: 'hi' }));
    await simulator.idle();

    // Assess
    const failed = sink.received.find((fields) => fields.MessageSid === result.externalId && fields.MessageStatus === 'failed');
    expect(failed?.ErrorCode).toBe('63016');
    expect(twilioFailureKind(failed!.ErrorCode)).toBe('window-closed');
  });

  it('reports rejected buttons asynchronously: the 63021 callback classifies as content-rejected', async () => {
    // Prepare
    simulator.setFaults({ rejectInteractive: true });

    // Act
    const result = await sender.send(request({ type: 'buttons', body: 'Pick', buttons: [{ id: 'a', title: 'A' }] }));
    await simulator.idle();

    // Assess
    const failed = sink.received.find((fields) => fields.MessageSid === result.externalId && fields.MessageStatus === 'failed');
    expect(failed?.ErrorCode).toBe('63021');
    expect(twilioFailureKind(failed!.ErrorCode, 'interactive')).toBe('content-rejected');
  });

  it('is retryable when Twilio cannot be reached at all', async () => {
    // Prepare
    const unreachable = `http://127.0.0.1:${await closedPort()}`;
    const offline = new TwilioSender({ fetch, contentCache, apiBaseUrl: unreachable, contentBaseUrl: unreachable, timeoutMs: 2_000 });

    // Act
    const error = await failure(offline.send(request({ type: 'text', text: 'hi' })));

    // Assess
    expect(error).toMatchObject({ kind: 'retryable', code: 'ECONNREFUSED' });
  });
});

describe('TwilioContentApi against the Twilio simulator', () => {
  let simulator: TwilioSimulator;
  let api: TwilioContentApi;

  beforeAll(async () => {
    simulator = await startTwilioSimulator({ port: 0, accounts: { [ACCOUNT_SID]: AUTH_TOKEN }, approvalDelayMs: 0 });
    api = new TwilioContentApi({ fetch, contentBaseUrl: simulator.url, timeoutMs: 5_000 });
  });

  afterAll(async () => simulator?.stop());

  it('creates a template, submits it for approval and reads it back approved', async () => {
    // Act
    const { sid } = await api.createContent(CREDENTIALS, {
      friendlyName: 'reengagement',
      language: 'en',
      variables: { '1': 'Customer' },
      types: { 'twilio/text': { body: 'Hi {{1}}, we have an update on your request. Reply to continue.' } },
    });
    const before = await api.fetchWhatsAppApproval(CREDENTIALS, sid);
    const submitted = await api.submitWhatsAppApproval(CREDENTIALS, sid, { name: 'reengagement', category: 'UTILITY' });
    const after = await api.fetchWhatsAppApproval(CREDENTIALS, sid);

    // Assess
    expect(sid).toMatch(/^HX[0-9a-f]{32}$/);
    expect(simulator.contents().find((content) => content.sid === sid)).toMatchObject({ friendlyName: 'reengagement', variables: { '1': 'Customer' } });
    expect(before).toEqual({ status: 'unsubmitted' });
    expect(submitted).toEqual({ status: 'received' });
    expect(after).toEqual({ status: 'approved' });
  });

  it('reads back a rejection with its reason', async () => {
    // Prepare
    const { sid } = await api.createContent(CREDENTIALS, {
      friendlyName: 'menu',
      language: 'en',
      variables: {},
      types: { 'twilio/list-picker': { body: 'Menu', button: 'Open', items: [{ id: 'a', item: 'A' }] } },
    });

    // Act
    await api.submitWhatsAppApproval(CREDENTIALS, sid, { name: 'menu', category: 'UTILITY' });
    const approval = await api.fetchWhatsAppApproval(CREDENTIALS, sid);

    // Assess
    expect(approval.status).toBe('rejected');
    expect(approval.rejectionReason).toMatch(/list-picker/);
  });

  it('classifies a refused definition as content-rejected', async () => {
    // Act
    const error = await failure(
      api.createContent(CREDENTIALS, { friendlyName: 'x', language: 'en', variables: {}, types: { 'twilio/quick-reply': { body: 'b', actions: [] } } }),
    );

    // Assess
    expect(error.kind).toBe('content-rejected');
  });
});
