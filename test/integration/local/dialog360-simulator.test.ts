import { createHash } from 'node:crypto';
import { startDialog360Simulator, type Dialog360Simulator } from '../../../local/cloud-api-simulator';
import { startWebhookReceiver, type WebhookReceiver } from './cloud-webhook-receiver';

/**
 * The 360dialog simulator over loopback HTTP: the API key on every call, webhook registration and
 * statuses posted with the registered headers (and nothing without a registration), relayed Meta
 * errors, templates, media through the lookaside host swap, and the inbound control endpoint.
 */

const KEY = 'D360testkey000000000000000001';
const NUMBER = '+15550100002';
const CUSTOMER = '5215512345678';
const SECRET = 'webhook-secret-0123456789abcdefghij';

describe('360dialog simulator over HTTP', () => {
  let d360: Dialog360Simulator;
  let receiver: WebhookReceiver;
  const script: number[] = [];

  const api = (method: string, path: string, body?: unknown, key: string | null = KEY) =>
    fetch(`${d360.url}${path}`, {
      method,
      headers: { ...(key !== null && { 'D360-API-KEY': key }), 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const register = () => api('POST', '/v1/configs/webhook', { url: `${receiver.base}/webhook/whatsapp/360dialog/cn3`, headers: { 'X-Echo-Webhook-Token': SECRET } });
  const sendText = (text: string, extra: Record<string, unknown> = {}) => api('POST', '/messages', { messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: { body: text }, ...extra });

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    d360 = await startDialog360Simulator({
      accounts: [{ apiKey: KEY, displayNumber: NUMBER }],
      callbackDelaysMs: { sent: 5, delivered: 10, read: 15 },
      webhookRetryDelaysMs: [10],
      random: () => script.shift() ?? 0.999,
    });
  });

  afterEach(async () => {
    await d360.idle();
    d360.reset();
    d360.setFaults({});
    script.length = 0;
    receiver.received.length = 0;
    receiver.answers.length = 0;
  });

  afterAll(async () => {
    await d360.stop();
    await receiver.close();
  });

  it('answers 401 in its own shape for a missing or wrong key, on every path', async () => {
    for (const [method, path, key] of [
      ['POST', '/messages', 'wrong'],
      ['POST', '/messages', null],
      ['GET', '/v1/configs/webhook', 'wrong'],
      ['GET', '/v1/configs/templates', 'wrong'],
      ['GET', '/1234567890', 'wrong'],
    ] as const) {
      const response = await api(method, path, method === 'POST' ? {} : undefined, key);

      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ meta: { success: false, http_code: 401, developer_message: 'Invalid api_key' } });
    }
    expect(d360.messages()).toHaveLength(0);
  });

  it('accepts a send before any webhook is registered but posts no status (undeliverable)', async () => {
    // Act
    const response = await sendText('Hola', { biz_opaque_callback_data: 'cv_1.m_1' });
    await d360.idle();

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ messaging_product: 'whatsapp', contacts: [{ input: CUSTOMER, wa_id: CUSTOMER }], messages: [{ id: expect.stringMatching(/^wamid\./) }] });
    expect(receiver.received).toHaveLength(0);
    expect(d360.stats()).toMatchObject({ accepted: 1, webhooksUndeliverable: 3, webhooksDelivered: 0 });
    expect(d360.messages()[0]).toMatchObject({ status: 'read', callbackData: 'cv_1.m_1' });
    expect(await (await api('GET', '/v1/configs/webhook')).json()).toEqual({ url: null, headers: {} });
  });

  it('registers a webhook with headers and posts statuses there with those headers, unsigned', async () => {
    // Prepare
    const registered = await register();
    expect(registered.status).toBe(200);
    expect(await registered.json()).toEqual({ url: `${receiver.base}/webhook/whatsapp/360dialog/cn3`, headers: { 'X-Echo-Webhook-Token': SECRET } });
    expect(await (await api('GET', '/v1/configs/webhook')).json()).toEqual({ url: `${receiver.base}/webhook/whatsapp/360dialog/cn3`, headers: { 'X-Echo-Webhook-Token': SECRET } });

    // Act
    await sendText('Hola á', { biz_opaque_callback_data: 'cv_1.m_2' });
    await d360.idle();

    // Assess
    expect(receiver.statuses().map((status) => [status.status, status.biz_opaque_callback_data])).toEqual([
      ['sent', 'cv_1.m_2'],
      ['delivered', 'cv_1.m_2'],
      ['read', 'cv_1.m_2'],
    ]);
    for (const webhook of receiver.received) {
      expect(webhook.path).toBe('/webhook/whatsapp/360dialog/cn3');
      expect(webhook.headers['x-echo-webhook-token']).toBe(SECRET);
      expect(webhook.headers['x-hub-signature-256']).toBeUndefined();
      expect(webhook.json.entry[0]!.changes[0]!.value.metadata).toEqual({ display_phone_number: '15550100002', phone_number_id: expect.stringMatching(/^[0-9]{15}$/) });
    }
    expect(d360.webhookOf(NUMBER)).toEqual({ url: `${receiver.base}/webhook/whatsapp/360dialog/cn3`, headers: { 'X-Echo-Webhook-Token': SECRET } });
  });

  it('refuses a webhook registration without a URL, with its own 400 shape', async () => {
    const response = await api('POST', '/v1/configs/webhook', { headers: { A: 'b' } });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ meta: { success: false, http_code: 400, developer_message: 'Bad Request', details: ['url must be an http(s) URL'] } });
  });

  it('relays validation and throughput errors in the Graph shape', async () => {
    // Prepare
    d360.setFaults({ rate429: 1 });
    script.push(0);

    // Act
    const throttled = await sendText('x');
    d360.setFaults({});
    const invalid = await api('POST', '/messages', { messaging_product: 'whatsapp', to: CUSTOMER, type: 'interactive', interactive: { type: 'list', body: { text: 'x' }, action: { button: 'Ver', sections: [{ rows: Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: `R${i}` })) }] } } });

    // Assess
    expect(throttled.status).toBe(429);
    expect(((await throttled.json()) as { error: { code: number } }).error.code).toBe(130429);
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: Record<string, unknown> }).error).toMatchObject({ code: 131009, error_data: { messaging_product: 'whatsapp', details: 'Total row count exceed max allowed count: 10' } });
    expect(d360.messages()).toHaveLength(0);
  });

  it('creates templates (submitted) and lists them as waba_templates once approved', async () => {
    // Act
    const created = await api('POST', '/v1/configs/templates', { name: 'echo_reengagement', language: 'es_MX', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hola {{1}}' }] });
    const listed = (await (await api('GET', '/v1/configs/templates')).json()) as { total: number; waba_templates: Array<{ name: string; status: string }> };

    // Assess: no approval delay is configured, so the list already reads approved.
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ name: 'echo_reengagement', language: 'es_MX', category: 'UTILITY', status: 'submitted' });
    expect(listed.total).toBe(1);
    expect(listed.waba_templates).toEqual([expect.objectContaining({ name: 'echo_reengagement', status: 'approved' })]);
    const sent = await api('POST', '/messages', { messaging_product: 'whatsapp', to: CUSTOMER, type: 'template', template: { name: 'echo_reengagement', language: { code: 'es_MX' } } });
    expect(sent.status).toBe(200);
  });

  it('answers a media URL on the lookaside host, fetched on the 360dialog host with the key', async () => {
    // Prepare
    const bytes = Buffer.from('fake ogg bytes');
    const media = d360.addMedia(undefined, { mimeType: 'audio/ogg', bytes });

    // Act
    const described = (await (await api('GET', `/${media.id}`)).json()) as { url: string; sha256: string; file_size: number };
    const swapped = described.url.replace('https://lookaside.fbsbx.com', d360.url);
    const withKey = await fetch(swapped, { headers: { 'D360-API-KEY': KEY } });
    const withoutKey = await fetch(swapped);

    // Assess
    expect(described.url.startsWith('https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=')).toBe(true);
    expect(described).toMatchObject({ sha256: createHash('sha256').update(bytes).digest('hex'), file_size: bytes.length, mime_type: 'audio/ogg' });
    expect(withKey.status).toBe(200);
    expect(Buffer.from(await withKey.arrayBuffer())).toEqual(bytes);
    expect(withoutKey.status).toBe(401);
  });

  it('posts an inbound batch to the registered webhook with the registered headers, or reports it undeliverable', async () => {
    // Prepare
    const unregistered = await d360.postInbound({ from: '+5215512345678', text: 'Hola' });
    await register();

    // Act
    const response = await fetch(`${d360.url}/_simulator/inbound`, { method: 'POST', body: JSON.stringify({ from: '+5215512345678', text: 'Hola', count: 3, customers: 3 }) });

    // Assess
    expect(unregistered).toMatchObject({ outcome: 'undeliverable', retrying: false });
    expect(unregistered).not.toHaveProperty('firstAttempt');
    const result = (await response.json()) as { messageIds: string[]; outcome: string };
    expect(result.outcome).toBe('delivered');
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.headers['x-echo-webhook-token']).toBe(SECRET);
    const messages = receiver.received[0]!.json.entry[0]!.changes.flatMap((change) => change.value.messages ?? []);
    expect(messages.map((message) => message.id)).toEqual(result.messageIds);
    expect(messages.map((message) => message.from)).toEqual(['5215512345678', '5215512345679', '5215512345680']);
  });
});

describe('360dialog simulator with strict webhook URLs', () => {
  it('refuses what 360dialog refuses: http, a port, an underscore in the host', async () => {
    // Prepare
    const d360 = await startDialog360Simulator({ accounts: [{ apiKey: KEY, displayNumber: NUMBER }], strictWebhookUrls: true });
    const post = (url: string) => fetch(`${d360.url}/v1/configs/webhook`, { method: 'POST', headers: { 'D360-API-KEY': KEY }, body: JSON.stringify({ url }) });

    try {
      // Act + Assess
      expect((await post('http://hooks.example.com/w')).status).toBe(400);
      expect((await post('https://hooks.example.com:8443/w')).status).toBe(400);
      expect((await post('https://my_hooks.example.com/w')).status).toBe(400);
      expect((await post('https://hooks.example.com/webhook/whatsapp/360dialog/cn3')).status).toBe(200);
    } finally {
      await d360.stop();
    }
  });
});

describe('360dialog simulator with seeded templates', () => {
  it('has them approved in every number WABA from the start, and again after a reset', async () => {
    // Prepare
    const d360 = await startDialog360Simulator({
      accounts: [
        { apiKey: KEY, displayNumber: NUMBER },
        { apiKey: 'D360testkey000000000000000002', displayNumber: '+15550100003' },
      ],
      templates: [{ name: 'echo_reengagement', language: 'es_MX', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hola {{1}}' }] }],
    });
    const listed = async (key: string) =>
      ((await (await fetch(`${d360.url}/v1/configs/templates`, { headers: { 'D360-API-KEY': key } })).json()) as { waba_templates: Array<{ name: string; status: string }> }).waba_templates;

    try {
      // Act
      const before = [await listed(KEY), await listed('D360testkey000000000000000002')];
      d360.reset();
      const after = await listed(KEY);

      // Assess
      for (const templates of [...before, after]) expect(templates).toEqual([expect.objectContaining({ name: 'echo_reengagement', status: 'approved' })]);
    } finally {
      await d360.stop();
    }
  });
});
