import { HttpAiResponder } from '../../../lambdas/adapters/http-ai-responder';
import { ResponderPermanentError, ResponderRetryableError, type ResponderInput } from '../../../lambdas/domain/ai/responder';
import { inboundMessage } from './support';

const URL = 'https://ai.echo.example/whatsapp';

function input(): ResponderInput {
  const message = inboundMessage();
  return {
    businessId: 'acme',
    connectionId: 'conn1',
    conversationId: message.conversationId,
    message,
    history: [{ messageId: '01JD8A', direction: 'outbound', type: 'text', content: { type: 'text', text: 'Bienvenida' }, at: '2026-11-26T11:00:00.000Z' }],
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** A fetch that answers from a script and records each call. */
function scriptedFetch(answers: Array<Response | Error>) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fn = jest.fn(async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    const next = answers.shift();
    if (!next) throw new Error('no more scripted answers');
    if (next instanceof Error) throw next;
    return next;
  });
  return { fetch: fn as unknown as typeof fetch, calls };
}

function responder(fetchFn: typeof fetch, sleeps: number[] = [], overrides: Partial<ConstructorParameters<typeof HttpAiResponder>[0]> = {}) {
  return new HttpAiResponder({
    url: URL,
    timeoutMs: 8000,
    fetch: fetchFn,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    ...overrides,
  });
}

describe('HttpAiResponder', () => {
  it('POSTs the documented request and returns the validated replies', async () => {
    // Prepare
    const { fetch, calls } = scriptedFetch([json(200, { replies: [{ type: 'text', text: 'Hola Ana' }] })]);

    // Act
    const replies = await responder(fetch).reply(input());

    // Assess
    expect(replies).toEqual([{ type: 'text', text: 'Hola Ana' }]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe(URL);
    expect(calls[0]?.init.method).toBe('POST');
    expect((calls[0]?.init.headers as Record<string, string>)['idempotency-key']).toBe(input().message.messageId);
    const body = JSON.parse(String(calls[0]?.init.body));
    expect(body).toEqual({
      version: 2,
      businessId: 'acme',
      connectionId: 'conn1',
      conversationId: input().conversationId,
      message: input().message,
      history: input().history,
    });
  });

  it('treats 204 as no replies', async () => {
    const { fetch } = scriptedFetch([new Response(null, { status: 204 })]);
    await expect(responder(fetch).reply(input())).resolves.toEqual([]);
  });

  it('retries 5xx, timeouts and network errors twice with growing backoff, then succeeds', async () => {
    // Prepare
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    const { fetch, calls } = scriptedFetch([json(503, {}), timeout, json(200, { replies: [] })]);
    const sleeps: number[] = [];

    // Act
    const replies = await responder(fetch, sleeps).reply(input());

    // Assess
    expect(replies).toEqual([]);
    expect(calls).toHaveLength(3);
    expect(sleeps).toEqual([187.5, 375]);
  });

  it('gives up after 2 retries with a retryable error', async () => {
    // Prepare
    const { fetch, calls } = scriptedFetch([json(500, {}), json(502, {}), new TypeError('fetch failed')]);

    // Act
    const reply = responder(fetch).reply(input());

    // Assess
    await expect(reply).rejects.toBeInstanceOf(ResponderRetryableError);
    await expect(reply).rejects.toThrow(/network error/);
    expect(calls).toHaveLength(3);
  });

  it('honours Retry-After on 429 (capped)', async () => {
    // Prepare
    const { fetch } = scriptedFetch([json(429, {}, { 'retry-after': '2' }), json(200, { replies: [] })]);
    const sleeps: number[] = [];

    // Act
    await responder(fetch, sleeps).reply(input());

    // Assess
    expect(sleeps).toEqual([2000]);
  });

  it.each([
    ['a 4xx', json(400, { error: 'bad' }), /HTTP 400/],
    ['a non-JSON answer', new Response('<html>', { status: 200 }), /not JSON/],
    ['an answer without replies', json(200, { reply: 'hola' }), /breaks the contract/],
    ['a reply that breaks WhatsApp limits', json(200, { replies: [{ type: 'buttons', body: 'x', buttons: [1, 2, 3, 4].map((n) => ({ id: `b${n}`, title: `B${n}` })) }] }), /replies\.0\.buttons/],
    ['too many replies', json(200, { replies: Array.from({ length: 11 }, () => ({ type: 'text', text: 'x' })) }), /replies/],
  ])('fails permanently on %s, without retrying', async (_case, answer, reason) => {
    // Prepare
    const { fetch, calls } = scriptedFetch([answer as Response]);

    // Act
    const reply = responder(fetch).reply(input());

    // Assess
    await expect(reply).rejects.toBeInstanceOf(ResponderPermanentError);
    await expect(reply).rejects.toThrow(reason);
    expect(calls).toHaveLength(1);
  });

  it('never runs past the deadline: no attempt without the minimum time left', async () => {
    // Prepare
    let now = 1_000_000;
    const { fetch, calls } = scriptedFetch([json(503, {}), json(200, { replies: [] })]);

    // Act
    const reply = responder(fetch, [], { now: () => now, sleep: async (ms) => void (now += ms) }).reply(input(), {
      deadline: new Date(now + 1_100),
    });

    // Assess
    await expect(reply).rejects.toBeInstanceOf(ResponderRetryableError);
    expect(calls).toHaveLength(1);
  });

  it('limits one attempt to the time left before the deadline', async () => {
    // Prepare
    const now = 1_000_000;
    const timeouts: number[] = [];
    const spy = jest.spyOn(AbortSignal, 'timeout').mockImplementation((ms: number) => {
      timeouts.push(ms);
      return new AbortController().signal;
    });
    const { fetch } = scriptedFetch([json(200, { replies: [] })]);

    // Act
    await responder(fetch, [], { now: () => now }).reply(input(), { deadline: new Date(now + 3_000) });

    // Assess
    spy.mockRestore();
    expect(timeouts).toEqual([3_000]);
  });
});
