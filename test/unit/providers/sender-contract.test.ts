/**
 * The sender contract every BSP's `WhatsAppSender` passes: whatever the BSP answers, the send Lambda
 * gets an `externalId` or a `SendFailedError` whose `kind` tells it what to do, and a request that
 * may have reached the BSP is never sent twice by the sender itself. Each provider's adapter only
 * knows how its BSP words an answer; the assertions are the same for all.
 */
import { PROVIDERS, type ProviderName } from '../../../lambdas/domain/providers';
import type { SendableContent, SendFailureKind, SendRequest, SendResult, WhatsAppSender } from '../../../lambdas/domain/bsp';
import { Dialog360Sender } from '../../../lambdas/providers/whatsapp/dialog360';
import { MetaSender } from '../../../lambdas/providers/whatsapp/meta';
import { InMemoryContentCache, TwilioSender } from '../../../lambdas/providers/whatsapp/twilio/send';
import { SendFailedError } from '../../../lambdas/shared/errors';
import {
  DIALOG360_CREDENTIALS,
  META_CREDENTIALS,
  accepted,
  fakeFetch,
  hangUntilAborted,
  jsonResponse,
  metaError,
  sendRequest as cloudSendRequest,
  socketError,
  type Handler,
  type RecordedRequest,
} from './cloud-api/support';
import { contentCreated, messageCreated, sendRequest as twilioSendRequest, twilioError } from './twilio/send/fake-fetch';

const NOW = new Date('2026-03-01T12:00:00Z');
const TEXT: SendableContent = { type: 'text', text: 'Hola, su pedido está listo' };
const BUTTONS: SendableContent = { type: 'buttons', body: '¿Confirma la cita?', buttons: [{ id: 'yes', title: 'Sí' }, { id: 'no', title: 'No' }] };

/** How one BSP answers each class of outcome; the contract below is the same for every BSP. */
interface SenderAdapter {
  sender(fetchImpl: typeof globalThis.fetch, timeoutMs: number): WhatsAppSender;
  request(content: SendableContent): SendRequest;
  /** True for the call that sends the message (Twilio creates rich content in its Content API first). */
  isSend(request: RecordedRequest): boolean;
  /** Answers every call that is not the send itself. */
  setup(request: RecordedRequest): Response;
  accepted(externalId: string): Response;
  newExternalId(): string;
  rateLimited(retryAfter: string): Response;
  permanent(): Response;
  windowClosed(): Response;
  /** What the BSP answers when it refuses rich content (the same answer for text is permanent). */
  contentRefused(): Response;
  serverError(): Response;
}

const API = 'https://api.twilio.test';
const CONTENT = 'https://content.twilio.test';
const GRAPH = 'https://graph.example.test';
const D360 = 'https://waba.360dialog.test';

const ADAPTERS: Record<ProviderName, SenderAdapter> = {
  twilio: {
    sender: (fetch, timeoutMs) =>
      new TwilioSender({ fetch, contentCache: new InMemoryContentCache(), apiBaseUrl: API, contentBaseUrl: CONTENT, timeoutMs, now: () => NOW }),
    request: (content) => twilioSendRequest(content),
    isSend: (request) => request.url.startsWith(API) && request.url.endsWith('/Messages.json'),
    setup: () => contentCreated(`HX${'1'.repeat(32)}`),
    accepted: (sid) => messageCreated(sid),
    newExternalId: () => `SM${'7'.repeat(32)}`,
    rateLimited: (retryAfter) => twilioError(429, 20429, 'Too Many Requests', { 'Retry-After': retryAfter }),
    permanent: () => twilioError(400, 21211, "The 'To' number is not a valid phone number."),
    windowClosed: () => twilioError(400, 63016, 'Failed to send freeform message because you are outside the allowed window.'),
    contentRefused: () => twilioError(400, 63021, 'Channel invalid content error'),
    serverError: () => jsonResponse(500, { code: 20500, message: 'Internal Server Error', status: 500 }),
  },
  meta: {
    sender: (fetch, timeoutMs) => new MetaSender({ fetch, timeoutMs, graphBaseUrl: GRAPH, now: () => NOW }),
    request: (content) => cloudSendRequest(content, { credentials: META_CREDENTIALS }),
    isSend: (request) => request.method === 'POST' && new URL(request.url).pathname.endsWith('/messages'),
    setup: () => jsonResponse(404, {}),
    accepted: (id) => accepted(id),
    newExternalId: () => 'wamid.HBgNNTIxNTUxMjM0NTY3OBUCERIYEjBDRkE5',
    rateLimited: (retryAfter) => metaError(400, 130429, { message: '(#130429) Rate limit hit' }, { 'Retry-After': retryAfter }),
    permanent: () => metaError(400, 131021, { message: '(#131021) Recipient cannot be sender' }),
    windowClosed: () => metaError(400, 131047, { message: '(#131047) Re-engagement message' }),
    contentRefused: () => metaError(400, 131009, { message: '(#131009) Parameter value is not valid' }),
    serverError: () => new Response('<html>Bad Gateway</html>', { status: 502 }),
  },
  '360dialog': {
    sender: (fetch, timeoutMs) => new Dialog360Sender({ fetch, timeoutMs, baseUrl: D360, now: () => NOW }),
    request: (content) => cloudSendRequest(content, { credentials: DIALOG360_CREDENTIALS, from: { displayNumber: '+15550783881' } }),
    isSend: (request) => request.method === 'POST' && request.url === `${D360}/messages`,
    setup: () => jsonResponse(404, {}),
    accepted: (id) => accepted(id),
    newExternalId: () => 'wamid.HBgNNTIxNTUxMjM0NTY3OBUCERIYEjM2MERJ',
    // 360dialog's own throttling answer: a 429 without a Meta code.
    rateLimited: (retryAfter) => jsonResponse(429, { meta: { success: false, http_code: 429, developer_message: 'Too many requests' } }, { 'Retry-After': retryAfter }),
    permanent: () => metaError(400, 131021, { message: '(#131021) Recipient cannot be sender' }),
    windowClosed: () => metaError(400, 131047, { message: '(#131047) Re-engagement message' }),
    contentRefused: () => metaError(400, 131009, { message: '(#131009) Parameter value is not valid' }),
    serverError: () => jsonResponse(500, { meta: { success: false, http_code: 500, developer_message: 'Internal error' } }),
  },
};

describe.each(PROVIDERS)('%s sender contract', (provider) => {
  const adapter = ADAPTERS[provider];

  /** Sends `content` with `send` answering the send call; returns the outcome and the send calls made. */
  async function attempt(
    content: SendableContent,
    send: (request: RecordedRequest) => Response | Promise<Response>,
    timeoutMs = 2_000,
  ): Promise<{ result?: SendResult; error?: unknown; sends: number }> {
    const handler: Handler = (request) => (adapter.isSend(request) ? send(request) : adapter.setup(request));
    const fake = fakeFetch(handler);
    const outcome = await adapter.sender(fake.fetch, timeoutMs).send(adapter.request(content)).then(
      (result): { result?: SendResult; error?: unknown } => ({ result }),
      (error: unknown) => ({ error }),
    );
    return { ...outcome, sends: fake.requests.filter((request) => adapter.isSend(request)).length };
  }

  function failureOf(outcome: { error?: unknown }): SendFailedError {
    expect(outcome.error).toBeInstanceOf(SendFailedError);
    return outcome.error as SendFailedError;
  }

  it.each([
    ['text', TEXT],
    ['buttons', BUTTONS],
  ])('returns the BSP id as externalId when the %s message is accepted', async (_name, content) => {
    // Prepare
    const externalId = adapter.newExternalId();

    // Act
    const outcome = await attempt(content, () => adapter.accepted(externalId));

    // Assess
    expect(outcome).toMatchObject({ result: { externalId }, sends: 1 });
  });

  it.each([
    ['seconds', '120', 120_000],
    ['an HTTP date', new Date(NOW.getTime() + 90_000).toUTCString(), 90_000],
  ])('is retryable after Retry-After (%s) when rate limited', async (_name, retryAfter, waitMs) => {
    // Act
    const outcome = await attempt(TEXT, () => adapter.rateLimited(retryAfter));

    // Assess
    const failure = failureOf(outcome);
    expect(failure).toMatchObject({ kind: 'retryable', retryable: true });
    expect(failure.options.retryAfterMs).toBe(waitMs);
    expect(outcome.sends).toBe(1);
  });

  it('is permanent when the BSP refuses the recipient', async () => {
    const failure = failureOf(await attempt(TEXT, () => adapter.permanent()));
    expect(failure).toMatchObject({ kind: 'permanent', retryable: false });
    expect(failure.options.retryAfterMs).toBeUndefined();
  });

  it('is window-closed when the 24-hour window has closed', async () => {
    const failure = failureOf(await attempt(TEXT, () => adapter.windowClosed()));
    expect(failure.kind).toBe<SendFailureKind>('window-closed');
  });

  it('is content-rejected when the BSP refuses interactive content, and permanent for the same answer to a text', async () => {
    // Act
    const rich = await attempt(BUTTONS, () => adapter.contentRefused());
    const plain = await attempt(TEXT, () => adapter.contentRefused());

    // Assess
    expect(failureOf(rich).kind).toBe<SendFailureKind>('content-rejected');
    expect(failureOf(plain).kind).toBe<SendFailureKind>('permanent');
  });

  it('is outcome-unknown, and sends once, when the send times out after the request left', async () => {
    // Act
    const outcome = await attempt(TEXT, (request) => hangUntilAborted(request), 20);

    // Assess
    expect(failureOf(outcome)).toMatchObject({ kind: 'outcome-unknown', retryable: false });
    expect(outcome.sends).toBe(1);
  });

  it('is outcome-unknown, and sends once, when the send POST answers 5xx', async () => {
    const outcome = await attempt(TEXT, () => adapter.serverError());
    expect(failureOf(outcome)).toMatchObject({ kind: 'outcome-unknown', retryable: false });
    expect(outcome.sends).toBe(1);
  });

  it.each(['ECONNREFUSED', 'ENOTFOUND'])('is retryable when the connection failed before the request left (%s)', async (code) => {
    // Act
    const outcome = await attempt(TEXT, () => {
      throw socketError(code);
    });

    // Assess
    const failure = failureOf(outcome);
    expect(failure).toMatchObject({ kind: 'retryable', code });
    expect(failure.options.retryAfterMs).toBeGreaterThan(0);
  });

  it('is outcome-unknown when the BSP accepts the request but its answer carries no id', async () => {
    const outcome = await attempt(TEXT, () => jsonResponse(200, { unexpected: true }));
    expect(failureOf(outcome).kind).toBe<SendFailureKind>('outcome-unknown');
  });

  it('classifies a failure that arrives later on a status with the same table', () => {
    // Prepare
    const sender = adapter.sender(fakeFetch(() => adapter.accepted(adapter.newExternalId())).fetch, 1_000);
    const codes = { twilio: { window: '63016', content: '63021' }, meta: { window: '131047', content: '131009' }, '360dialog': { window: '131047', content: '131009' } }[provider];

    // Act
    const kinds = [sender.failureKindOf(codes.window, 'text'), sender.failureKindOf(codes.content, 'buttons'), sender.failureKindOf(codes.content, 'text')];

    // Assess
    expect(kinds).toEqual<SendFailureKind[]>(['window-closed', 'content-rejected', 'permanent']);
  });
});
