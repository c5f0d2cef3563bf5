import { createHash } from 'node:crypto';
import { interactiveContentDefinition } from '../../../../../lambdas/providers/whatsapp/twilio/send/content';
import { InMemoryContentCache, type ContentCache } from '../../../../../lambdas/providers/whatsapp/twilio/send/content-cache';
import { TwilioSender } from '../../../../../lambdas/providers/whatsapp/twilio/send/sender';
import { SendFailedError } from '../../../../../lambdas/shared/errors';
import {
  ACCOUNT_SID,
  CUSTOMER_NUMBER,
  EXPECTED_AUTH,
  STATUS_CALLBACK,
  contentCreated,
  fakeFetch,
  formPairs,
  hangUntilAborted,
  jsonResponse,
  messageCreated,
  sendRequest,
  socketError,
  twilioError,
  type Handler,
} from './fake-fetch';

const API = 'https://api.twilio.test';
const CONTENT = 'https://content.twilio.test';
const MESSAGES_URL = `${API}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;
const HX1 = 'HX' + '1'.repeat(32);
const HX2 = 'HX' + '2'.repeat(32);

function senderWith(handler: Handler, options: { cache?: ContentCache; timeoutMs?: number; onCacheError?: jest.Mock } = {}) {
  const fake = fakeFetch(handler);
  const cache = options.cache ?? new InMemoryContentCache();
  const sender = new TwilioSender({
    fetch: fake.fetch,
    contentCache: cache,
    apiBaseUrl: API,
    contentBaseUrl: `${CONTENT}/`,
    timeoutMs: options.timeoutMs ?? 5_000,
    now: () => new Date('2026-03-01T12:00:00Z'),
    onCacheError: options.onCacheError,
  });
  return { sender, requests: fake.requests, cache };
}

/** Content API for creations, Messages API for sends; each Content creation gets the next SID. */
function twilioLike(contentSids: string[] = [HX1, HX2]): Handler {
  let created = 0;
  return (request) =>
    request.url.startsWith(CONTENT) ? contentCreated(contentSids[created++] ?? `HX${'9'.repeat(32)}`) : messageCreated();
}

async function failure(promise: Promise<unknown>): Promise<SendFailedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SendFailedError) return error;
    throw error;
  }
  throw new Error('expected the send to fail');
}

describe('TwilioSender request shapes', () => {
  it('allows 1600 characters per text, Twilio’s Body limit', () => {
    // Prepare / Act
    const { sender } = senderWith(twilioLike());

    // Assess
    expect(sender.maxTextLength).toBe(1600);
  });

  it('sends text as a form POST to Messages.json with Basic auth', async () => {
    // Prepare
    const { sender, requests } = senderWith(() => messageCreated(`SM${'a'.repeat(32)}`, 'queued'));

    // Act
    const result = await sender.send(sendRequest({ type: 'text', text: 'Hola, ¿qué tal? 50% & más' }));

    // Assess
    expect(result).toEqual({ externalId: `SM${'a'.repeat(32)}`, providerStatus: 'queued' });
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(MESSAGES_URL);
    expect(request.headers.authorization).toBe(EXPECTED_AUTH);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.headers.accept).toBe('application/json');
    expect(formPairs(request.body)).toEqual([
      ['To', `whatsapp:${CUSTOMER_NUMBER}`],
      ['From', 'whatsapp:+14155238886'],
      ['Body', 'Hola, ¿qué tal? 50% & más'],
      ['StatusCallback', STATUS_CALLBACK],
    ]);
  });

  it('does not prefix an address that already carries whatsapp:', async () => {
    // Prepare
    const { sender, requests } = senderWith(() => messageCreated());

    // Act
    await sender.send(sendRequest({ type: 'text', text: 'hi' }, { to: 'whatsapp:US.13491208655302741918' }));

    // Assess
    expect(new URLSearchParams(requests[0].body).get('To')).toBe('whatsapp:US.13491208655302741918');
  });

  it('sends an image as MediaUrl with the caption as Body', async () => {
    // Prepare
    const { sender, requests } = senderWith(() => messageCreated(`MM${'b'.repeat(32)}`));

    // Act
    const result = await sender.send(sendRequest({ type: 'image', url: 'https://cdn.example.com/a.png?X-Amz-Signature=abc', caption: 'Your receipt' }));

    // Assess
    expect(result.externalId).toBe(`MM${'b'.repeat(32)}`);
    expect(formPairs(requests[0].body)).toEqual([
      ['To', `whatsapp:${CUSTOMER_NUMBER}`],
      ['From', 'whatsapp:+14155238886'],
      ['MediaUrl', 'https://cdn.example.com/a.png?X-Amz-Signature=abc'],
      ['Body', 'Your receipt'],
      ['StatusCallback', STATUS_CALLBACK],
    ]);
  });

  it('sends an image without a caption with no Body at all', async () => {
    // Prepare
    const { sender, requests } = senderWith(() => messageCreated());

    // Act
    await sender.send(sendRequest({ type: 'image', url: 'https://cdn.example.com/a.png' }));

    // Assess
    expect(formPairs(requests[0].body).map(([name]) => name)).toEqual(['To', 'From', 'MediaUrl', 'StatusCallback']);
  });

  it('sends a template by ContentSid with ContentVariables as a JSON string, never Body or MediaUrl', async () => {
    // Prepare
    const { sender, requests } = senderWith(() => messageCreated());

    // Act
    await sender.send(sendRequest({ type: 'template', providerTemplateId: HX1, variables: { '1': 'Ana', '2': 'it\'s "ready"' } }));

    // Assess
    expect(requests).toHaveLength(1);
    const pairs = formPairs(requests[0].body);
    expect(pairs).toEqual([
      ['To', `whatsapp:${CUSTOMER_NUMBER}`],
      ['From', 'whatsapp:+14155238886'],
      ['ContentSid', HX1],
      ['ContentVariables', '{"1":"Ana","2":"it\'s \\"ready\\""}'],
      ['StatusCallback', STATUS_CALLBACK],
    ]);
    expect(JSON.parse(new URLSearchParams(requests[0].body).get('ContentVariables')!)).toEqual({ '1': 'Ana', '2': 'it\'s "ready"' });
  });

  it('leaves ContentVariables out of a template without variables', async () => {
    // Prepare
    const { sender, requests } = senderWith(() => messageCreated());

    // Act
    await sender.send(sendRequest({ type: 'template', providerTemplateId: HX1, variables: {} }));

    // Assess
    expect(formPairs(requests[0].body).map(([name]) => name)).toEqual(['To', 'From', 'ContentSid', 'StatusCallback']);
  });

  it('creates buttons as twilio/quick-reply content (snake_case JSON), then sends its ContentSid', async () => {
    // Prepare
    const { sender, requests, cache } = senderWith(twilioLike());
    const content = {
      type: 'buttons' as const,
      body: '¿Confirmas tu cita?',
      buttons: [
        { id: 'confirm', title: 'Sí' },
        { id: 'cancel', title: 'No' },
      ],
    };

    // Act
    const result = await sender.send(sendRequest(content));

    // Assess
    expect(result.externalId).toMatch(/^SM/);
    expect(requests).toHaveLength(2);
    const [create, send] = requests;
    expect(create.method).toBe('POST');
    expect(create.url).toBe(`${CONTENT}/v1/Content`);
    expect(create.headers.authorization).toBe(EXPECTED_AUTH);
    expect(create.headers['content-type']).toBe('application/json');
    const types = {
      'twilio/quick-reply': {
        body: '¿Confirmas tu cita?',
        actions: [
          { title: 'Sí', id: 'confirm' },
          { title: 'No', id: 'cancel' },
        ],
      },
    };
    // Canonical form written by hand, keys sorted at every level: an independent check of the hash.
    const canonical = JSON.stringify({
      language: 'en',
      types: {
        'twilio/quick-reply': {
          actions: [
            { id: 'confirm', title: 'Sí' },
            { id: 'cancel', title: 'No' },
          ],
          body: '¿Confirmas tu cita?',
        },
      },
    });
    const hash = createHash('sha256').update(canonical, 'utf8').digest('hex');
    expect(JSON.parse(create.body!)).toEqual({
      friendly_name: `echo_buttons_${hash.slice(0, 16)}`,
      language: 'en',
      variables: {},
      types,
    });
    expect(formPairs(send.body)).toEqual([
      ['To', `whatsapp:${CUSTOMER_NUMBER}`],
      ['From', 'whatsapp:+14155238886'],
      ['ContentSid', HX1],
      ['StatusCallback', STATUS_CALLBACK],
    ]);
    expect(await cache.get(ACCOUNT_SID, hash)).toBe(HX1);
  });

  it('creates a list as twilio/list-picker content with id, item and description', async () => {
    // Prepare
    const { sender, requests } = senderWith(twilioLike());

    // Act
    await sender.send(
      sendRequest({
        type: 'list',
        body: 'Choose a branch',
        button: 'Branches',
        rows: [
          { id: 'north', title: 'North', description: 'Open until 9pm' },
          { id: 'south', title: 'South' },
        ],
      }),
    );

    // Assess
    expect(JSON.parse(requests[0].body!).types).toEqual({
      'twilio/list-picker': {
        body: 'Choose a branch',
        button: 'Branches',
        items: [
          { id: 'north', item: 'North', description: 'Open until 9pm' },
          { id: 'south', item: 'South' },
        ],
      },
    });
    expect(new URLSearchParams(requests[1].body).get('ContentSid')).toBe(HX1);
  });
});

describe('TwilioSender content caching', () => {
  const buttons = { type: 'buttons' as const, body: 'Pick', buttons: [{ id: 'a', title: 'A' }] };

  it('creates the content once for two identical sends', async () => {
    // Prepare
    const { sender, requests } = senderWith(twilioLike());

    // Act
    await sender.send(sendRequest(buttons));
    await sender.send(sendRequest(buttons, { to: '+447700900123' }));

    // Assess
    const creations = requests.filter((request) => request.url.startsWith(CONTENT));
    const sends = requests.filter((request) => request.url === MESSAGES_URL);
    expect(creations).toHaveLength(1);
    expect(sends.map((request) => new URLSearchParams(request.body).get('ContentSid'))).toEqual([HX1, HX1]);
  });

  it('creates new content when anything the customer sees differs', async () => {
    // Prepare
    const { sender, requests, cache } = senderWith(twilioLike());

    // Act
    await sender.send(sendRequest(buttons));
    await sender.send(sendRequest({ ...buttons, buttons: [{ id: 'a', title: 'B' }] }));

    // Assess
    const creations = requests.filter((request) => request.url.startsWith(CONTENT));
    expect(creations).toHaveLength(2);
    expect((cache as InMemoryContentCache).size).toBe(2);
    expect(new URLSearchParams(requests[3].body).get('ContentSid')).toBe(HX2);
  });

  it('keeps each account’s content apart', async () => {
    // Prepare
    const { sender, requests } = senderWith(twilioLike());
    const other = { accountSid: 'AC' + 'b'.repeat(32), authToken: 'e'.repeat(32) };

    // Act
    await sender.send(sendRequest(buttons));
    await sender.send(sendRequest(buttons, { credentials: other }));

    // Assess
    expect(requests.filter((request) => request.url.startsWith(CONTENT))).toHaveLength(2);
    expect(requests[3].url).toBe(`${API}/2010-04-01/Accounts/${other.accountSid}/Messages.json`);
  });

  it('still sends when the cache cannot be read or written, and reports it', async () => {
    // Prepare
    const broken: ContentCache = {
      get: jest.fn().mockRejectedValue(new Error('DynamoDB down')),
      put: jest.fn().mockRejectedValue(new Error('DynamoDB down')),
    };
    const onCacheError = jest.fn();
    const { sender, requests } = senderWith(twilioLike(), { cache: broken, onCacheError });

    // Act
    const result = await sender.send(sendRequest(buttons));

    // Assess
    expect(result.externalId).toMatch(/^SM/);
    expect(requests).toHaveLength(2);
    expect(onCacheError.mock.calls.map(([operation]) => operation)).toEqual(['get', 'put']);
  });

  it('re-creates content once when the cached Content SID was deleted in Twilio (21655)', async () => {
    // Prepare
    const cache = new InMemoryContentCache();
    const seed = senderWith(twilioLike([HX1]), { cache });
    await seed.sender.send(sendRequest(buttons));
    const { sender, requests } = senderWith(
      (request) => {
        if (request.url.startsWith(CONTENT)) return contentCreated(HX2);
        return new URLSearchParams(request.body).get('ContentSid') === HX1 ? twilioError(400, 21655) : messageCreated();
      },
      { cache },
    );

    // Act
    const result = await sender.send(sendRequest(buttons));

    // Assess
    expect(result.externalId).toMatch(/^SM/);
    expect(requests.map((request) => (request.url.startsWith(CONTENT) ? 'create' : new URLSearchParams(request.body).get('ContentSid')))).toEqual([
      HX1,
      'create',
      HX2,
    ]);
    expect(await cache.get(ACCOUNT_SID, interactiveContentDefinition(buttons).hash)).toBe(HX2);
  });

  it('reports content the Content API refuses as content-rejected, sending nothing', async () => {
    // Prepare
    const { sender, requests } = senderWith((request) =>
      request.url.startsWith(CONTENT) ? twilioError(400, 92001, 'types required') : messageCreated(),
    );

    // Act
    const error = await failure(sender.send(sendRequest(buttons)));

    // Assess
    expect(error.kind).toBe('content-rejected');
    expect(error.code).toBe('92001');
    expect(requests.some((request) => request.url === MESSAGES_URL)).toBe(false);
  });

  it('retries (never outcome-unknown) when creating content times out: a duplicate content is harmless', async () => {
    // Prepare
    const { sender } = senderWith((request) => (request.url.startsWith(CONTENT) ? hangUntilAborted(request) : messageCreated()), {
      timeoutMs: 20,
    });

    // Act
    const error = await failure(sender.send(sendRequest(buttons)));

    // Assess
    expect(error.kind).toBe('retryable');
    expect(error.code).toBe('TIMEOUT');
  });
});

describe('TwilioSender failures', () => {
  const text = { type: 'text' as const, text: 'hello' };

  it('is outcome-unknown when the call times out after the request left', async () => {
    // Prepare
    const { sender } = senderWith((request) => hangUntilAborted(request), { timeoutMs: 20 });

    // Act
    const error = await failure(sender.send(sendRequest(text)));

    // Assess
    expect(error.kind).toBe('outcome-unknown');
    expect(error.code).toBe('TIMEOUT');
    expect(error.retryable).toBe(false);
  });

  it('passes an abort signal with the configured timeout to fetch', async () => {
    // Prepare
    const { sender, requests } = senderWith(() => messageCreated(), { timeoutMs: 1234 });

    // Act
    await sender.send(sendRequest(text));

    // Assess
    expect(requests[0].signal).toBeInstanceOf(AbortSignal);
    expect(requests[0].signal!.aborted).toBe(false);
  });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'])('is retryable when the connection fails with %s: nothing left', async (code) => {
    // Prepare
    const { sender } = senderWith(() => {
      throw socketError(code);
    });

    // Act
    const error = await failure(sender.send(sendRequest(text)));

    // Assess
    expect(error.kind).toBe('retryable');
    expect(error.code).toBe(code);
    expect(error.options.retryAfterMs).toBeGreaterThan(0);
  });

  it.each(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'])('is outcome-unknown when the connection breaks with %s', async (code) => {
    // Prepare
    const { sender } = senderWith(() => {
      throw socketError(code);
    });

    // Act
    const error = await failure(sender.send(sendRequest(text)));

    // Assess
    expect(error.kind).toBe('outcome-unknown');
    expect(error.code).toBe(code);
  });

  it('is outcome-unknown when a 201 cannot be parsed', async () => {
    // Prepare
    const { sender } = senderWith(() => new Response('<html>oops', { status: 201 }));

    // Act
    const error = await failure(sender.send(sendRequest(text)));

    // Assess
    expect(error.kind).toBe('outcome-unknown');
    expect(error.options.httpStatus).toBe(201);
  });

  it('is outcome-unknown when a 201 carries no message SID', async () => {
    // Prepare
    const { sender } = senderWith(() => jsonResponse(201, { status: 'queued' }));

    // Act
    const error = await failure(sender.send(sendRequest(text)));

    // Assess
    expect(error.kind).toBe('outcome-unknown');
  });

  it('honours Retry-After on a 429', async () => {
    // Prepare
    const { sender } = senderWith(() => twilioError(429, 20429, 'Too Many Requests', { 'Retry-After': '12' }));

    // Act
    const error = await failure(sender.send(sendRequest(text)));

    // Assess
    expect(error).toMatchObject({ kind: 'retryable', code: '20429', options: { retryAfterMs: 12_000, httpStatus: 429 } });
  });

  it('reports 63016 as window-closed', async () => {
    // Prepare
    const { sender } = senderWith(() => twilioError(400, 63016));

    // Act
    const error = await failure(sender.send(sendRequest(text)));

    // Assess
    expect(error.kind).toBe('window-closed');
  });

  it('reports 63021 as content-rejected for buttons but permanent for text', async () => {
    // Prepare
    const { sender } = senderWith((request) => (request.url.startsWith(CONTENT) ? contentCreated(HX1) : twilioError(400, 63021)));

    // Act
    const rich = await failure(sender.send(sendRequest({ type: 'buttons', body: 'b', buttons: [{ id: 'x', title: 'X' }] })));
    const plain = await failure(sender.send(sendRequest(text)));

    // Assess
    expect(rich.kind).toBe('content-rejected');
    expect(plain.kind).toBe('permanent');
  });

  it('reports a message Twilio created already failed, since no callback follows the initial status', async () => {
    // Prepare
    const { sender } = senderWith(() => jsonResponse(201, { sid: `SM${'c'.repeat(32)}`, status: 'failed', error_code: 63016 }));

    // Act
    const error = await failure(sender.send(sendRequest(text)));

    // Assess
    expect(error).toMatchObject({ kind: 'window-closed', code: '63016' });
  });

  it('never puts the auth token in an error', async () => {
    // Prepare
    const { sender } = senderWith(() => twilioError(401, 20003, 'Authenticate'));

    // Act
    const error = await failure(sender.send(sendRequest(text)));

    // Assess
    expect(error.kind).toBe('permanent');
    expect(JSON.stringify({ message: error.message, reason: error.reason, code: error.code })).not.toContain('f'.repeat(32));
  });
});
