import { createHmac } from 'node:crypto';
import { CLOUD_CODES, CloudApiError } from '../../../local/cloud-api-simulator/errors';
import { chooseAsyncFailure, chooseLostAnswer, chooseSyncFault, parseCloudFaults } from '../../../local/cloud-api-simulator/faults';
import { validateCloudRequest, type CloudSend } from '../../../local/cloud-api-simulator/messages';
import { MediaStore } from '../../../local/cloud-api-simulator/media';
import { encodeLikeMeta, hubSignature256, newWamid, statusObject, statusPayload } from '../../../local/cloud-api-simulator/payloads';
import { dialog360TemplatesList, metaTemplatesPage, templateStatusAt, validateTemplateCreate, type SimulatedTemplate } from '../../../local/cloud-api-simulator/templates';

const NUMBER = { wabaId: '200000000000001', phoneNumberId: '100000000000001', displayNumber: '+15550100001' };

/** Scripted `random()`: returns the given draws in order and fails the test if asked for more. */
function draws(...values: number[]): () => number {
  return () => {
    const value = values.shift();
    if (value === undefined) throw new Error('random() called more often than scripted');
    return value;
  };
}

/** The error a validation throws, as `{ code, details }`. */
function refusal(body: unknown): { code: number; details?: string; message: string } | undefined {
  try {
    validateCloudRequest(body);
  } catch (error) {
    if (error instanceof CloudApiError) return { code: error.code, details: error.details, message: error.message };
    throw error;
  }
  return undefined;
}

const text = (body: string, extra: Record<string, unknown> = {}) => ({ messaging_product: 'whatsapp', to: '+5215512345678', type: 'text', text: { body }, ...extra });
const buttons = (items: Array<{ id: string; title: string }>) => ({
  messaging_product: 'whatsapp',
  to: '5215512345678',
  type: 'interactive',
  interactive: { type: 'button', body: { text: '¿Qué prefieres?' }, action: { buttons: items.map((reply) => ({ type: 'reply', reply })) } },
});
const list = (sections: unknown[], button = 'Ver opciones') => ({
  messaging_product: 'whatsapp',
  to: '5215512345678',
  type: 'interactive',
  interactive: { type: 'list', body: { text: 'Elige' }, action: { button, sections } },
});
const rows = (count: number, prefix = 'r') => Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i}`, title: `Opción ${i}` }));

describe('validateCloudRequest', () => {
  it('accepts a text send and keeps the recipient, the callback data and the quoted message', () => {
    // Act
    const send = validateCloudRequest(text('Hola', { biz_opaque_callback_data: 'cv_1.01J', context: { message_id: 'wamid.X' }, recipient_type: 'individual' })) as CloudSend;

    // Assess
    expect(send).toMatchObject({ kind: 'message', recipient: '+5215512345678', recipientKind: 'phone', type: 'text', preview: 'Hola', callbackData: 'cv_1.01J', replyTo: 'wamid.X' });
  });

  it('reads a mark-read with a typing indicator, and refuses one without message_id', () => {
    expect(validateCloudRequest({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN', typing_indicator: { type: 'text' } })).toEqual({
      kind: 'read',
      messageId: 'wamid.IN',
      typing: true,
    });
    expect(refusal({ messaging_product: 'whatsapp', status: 'read' })).toMatchObject({ code: 100, details: 'message_id is required' });
  });

  it('requires messaging_product whatsapp and a recipient: to with a number, or recipient with a user id', () => {
    expect(refusal({ to: '5215512345678', text: { body: 'x' } })).toMatchObject({ code: 100, message: '(#100) The parameter messaging_product is required.' });
    expect(refusal({ ...text('x'), messaging_product: 'sms' })).toMatchObject({ code: 100 });
    expect(refusal({ messaging_product: 'whatsapp', text: { body: 'x' } })).toMatchObject({ code: 100, details: 'to or recipient is required' });
    expect(refusal(text('x', { to: 'not-a-number' }))).toMatchObject({ code: 100 });
    expect(validateCloudRequest({ messaging_product: 'whatsapp', recipient: 'US.13491208655302741918', text: { body: 'x' } })).toMatchObject({
      recipientKind: 'user_id',
      type: 'text',
    });
    // A user id in `to` is accepted (WhatsApp then drops the message): flagged for the simulator.
    expect(validateCloudRequest(text('x', { to: 'US.13491208655302741918' }))).toMatchObject({ recipientKind: 'user_id_in_to' });
  });

  it('takes text bodies up to 4096 characters (counting characters, not bytes) and refuses longer ones with 100', () => {
    expect(refusal(text('ñ'.repeat(4096)))).toBeUndefined();
    expect(refusal(text('a'.repeat(4097)))).toMatchObject({ code: 100, message: "(#100) Param text['body'] must be at most 4096 characters long." });
    expect(refusal(text(''))).toMatchObject({ code: 100, details: "text['body'] is required" });
  });

  it('takes 1 to 3 reply buttons with titles ≤ 20 and ids ≤ 256, unique, and answers 131009 otherwise', () => {
    expect(refusal(buttons([{ id: 'a', title: 'Sí' }, { id: 'b', title: 'No' }, { id: 'c'.repeat(256), title: 'x'.repeat(20) }]))).toBeUndefined();
    expect(refusal(buttons([]))).toMatchObject({ code: CLOUD_CODES.parameterValueInvalid, details: 'Buttons count invalid. Min: 1, Max: 3' });
    expect(refusal(buttons(rows(4)))).toMatchObject({ code: 131009 });
    expect(refusal(buttons([{ id: 'a', title: 'x'.repeat(21) }]))).toMatchObject({ code: 131009, details: expect.stringContaining('Max length: 20') });
    expect(refusal(buttons([{ id: 'i'.repeat(257), title: 'x' }]))).toMatchObject({ code: 131009, details: expect.stringContaining('Max length: 256') });
    expect(refusal(buttons([{ id: 'a', title: 'x' }, { id: 'a', title: 'y' }]))).toMatchObject({ code: 131009, details: 'Button IDs must be unique' });
    expect(refusal(buttons([{ id: 'a', title: 'x' }, { id: 'b', title: 'x' }]))).toMatchObject({ code: 131009, details: 'Button titles must be unique' });
  });

  it('takes lists of at most 10 rows in total with titles ≤ 24 and descriptions ≤ 72, and a title per section when there are several', () => {
    expect(refusal(list([{ title: 'A', rows: rows(5, 'a') }, { title: 'B', rows: rows(5, 'b') }]))).toBeUndefined();
    expect(refusal(list([{ title: 'A', rows: rows(6, 'a') }, { title: 'B', rows: rows(5, 'b') }]))).toMatchObject({
      code: 131009,
      details: 'Total row count exceed max allowed count: 10',
    });
    expect(refusal(list([{ rows: [{ id: 'a', title: 'x'.repeat(25) }] }]))).toMatchObject({ code: 131009, details: expect.stringContaining('Max length: 24') });
    expect(refusal(list([{ rows: [{ id: 'a', title: 'x', description: 'd'.repeat(73) }] }]))).toMatchObject({ code: 131009, details: expect.stringContaining('Max length: 72') });
    expect(refusal(list([{ rows: rows(1, 'a') }, { rows: rows(1, 'b') }]))).toMatchObject({ code: 100, details: "interactive['action']['sections'][0]['title'] is required" });
    expect(refusal(list([{ rows: rows(1) }], 'b'.repeat(21)))).toMatchObject({ code: 131009 });
  });

  it('caps interactive bodies at 1024 and footers at 60', () => {
    const long = buttons([{ id: 'a', title: 'x' }]);
    (long.interactive.body as { text: string }).text = 'x'.repeat(1025);
    expect(refusal(long)).toMatchObject({ code: 131009, details: expect.stringContaining('Max length: 1024') });
    const footer = { ...buttons([{ id: 'a', title: 'x' }]) };
    (footer.interactive as Record<string, unknown>).footer = { text: 'f'.repeat(61) };
    expect(refusal(footer)).toMatchObject({ code: 131009 });
  });

  it('takes media by id or by an http(s) link, not both, with captions ≤ 1024', () => {
    const image = (payload: Record<string, unknown>) => ({ messaging_product: 'whatsapp', to: '5215512345678', type: 'image', image: payload });
    expect(validateCloudRequest(image({ link: 'https://example.com/a.jpg', caption: 'Pan' }))).toMatchObject({ type: 'image', preview: 'Pan' });
    expect(refusal(image({ id: '1234' }))).toBeUndefined();
    expect(refusal(image({ link: 'ftp://example.com/a.jpg' }))).toMatchObject({ code: 100 });
    expect(refusal(image({ id: '1', link: 'https://example.com/a.jpg' }))).toMatchObject({ code: 100 });
    expect(refusal(image({ link: 'https://example.com/a.jpg', caption: 'c'.repeat(1025) }))).toMatchObject({ code: 131009 });
  });

  it('needs a template name and language code, and a known type', () => {
    const template = (payload: Record<string, unknown>) => ({ messaging_product: 'whatsapp', to: '5215512345678', type: 'template', template: payload });
    expect(validateCloudRequest(template({ name: 'echo_reengagement', language: { code: 'es_MX' }, components: [] }))).toMatchObject({
      template: { name: 'echo_reengagement', language: 'es_MX' },
    });
    expect(refusal(template({ language: { code: 'es_MX' } }))).toMatchObject({ code: 100, details: "template['name'] is required" });
    expect(refusal(template({ name: 'x' }))).toMatchObject({ code: 100, details: "template['language'] is required" });
    expect(refusal({ ...text('x'), type: 'sms' })).toMatchObject({ code: 100 });
  });

  it('caps biz_opaque_callback_data at 512 characters', () => {
    expect(refusal(text('x', { biz_opaque_callback_data: 'k'.repeat(512) }))).toBeUndefined();
    expect(refusal(text('x', { biz_opaque_callback_data: 'k'.repeat(513) }))).toMatchObject({ code: 100 });
  });
});

describe('faults', () => {
  it('draws once per rate that is set, in order 429, 5xx, lost answer, 131047', () => {
    // Prepare
    const faults = parseCloudFaults({ rate429: 0.5, rate5xx: 0.5, rateLostAnswer: 0.5, rate131047: 0.5, retryAfterSeconds: 3 });

    // Act + Assess: a 429 carries 130429 and Retry-After; it consumes one draw and stops there.
    const throttled = chooseSyncFault(faults, draws(0.1));
    expect(throttled).toMatchObject({ code: 130429, status: 429, headers: { 'Retry-After': '3' } });
    expect(chooseSyncFault(faults, draws(0.9, 0.1))).toMatchObject({ code: 131000, status: 500 });
    expect(chooseSyncFault(faults, draws(0.9, 0.3))).toMatchObject({ code: 131016, status: 503 });
    expect(chooseSyncFault(faults, draws(0.9, 0.9))).toBeUndefined();
    expect(chooseLostAnswer(faults, draws(0.1))).toBe('status-500');
    expect(chooseLostAnswer(faults, draws(0.4))).toBe('socket-destroyed');
    expect(chooseLostAnswer(faults, draws(0.6))).toBeUndefined();
    expect(chooseAsyncFailure({ recipient: '+5215512345678', isTemplate: false }, faults, draws(0.1))).toBe(131047);
    // Templates may go outside the window: no draw at all.
    expect(chooseAsyncFailure({ recipient: '+5215512345678', isTemplate: true }, faults, draws())).toBeUndefined();
  });

  it('consumes no draw for rates that are not set, and fails closed-window recipients with or without +', () => {
    const faults = parseCloudFaults({ closedWindowRecipients: ['5215512345678'] });

    expect(chooseSyncFault(faults, draws())).toBeUndefined();
    expect(chooseLostAnswer(faults, draws())).toBeUndefined();
    expect(chooseAsyncFailure({ recipient: '+5215512345678', isTemplate: false }, faults, draws())).toBe(131047);
    expect(chooseAsyncFailure({ recipient: '+5215500000000', isTemplate: false }, faults, draws())).toBeUndefined();
  });

  it('refuses unknown settings and rates outside 0..1', () => {
    expect(() => parseCloudFaults({ rate63016: 0.1 })).toThrow('unknown fault settings: rate63016');
    expect(() => parseCloudFaults({ rateLostAnswer: 2 })).toThrow('rateLostAnswer must be a number between 0 and 1');
    expect(() => parseCloudFaults([])).toThrow('faults must be a JSON object');
  });
});

describe('webhook payloads', () => {
  it('builds a status in the Cloud API envelope with the callback data echoed and PMP pricing', () => {
    // Act
    const payload = statusPayload(NUMBER, {
      id: 'wamid.A',
      status: 'sent',
      at: Date.UTC(2026, 0, 1, 10, 0, 0),
      recipient: '5215512345678',
      callbackData: 'cv_1.01J',
      pricing: { category: 'service', type: 'free_customer_service' },
    });

    // Assess
    expect(payload).toEqual({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: NUMBER.wabaId,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550100001', phone_number_id: NUMBER.phoneNumberId },
                statuses: [
                  {
                    id: 'wamid.A',
                    status: 'sent',
                    timestamp: '1767261600',
                    recipient_id: '5215512345678',
                    conversation: { id: expect.stringMatching(/^[0-9a-f]{32}$/), expiration_timestamp: '1767348000', origin: { type: 'service' } },
                    pricing: { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' },
                    biz_opaque_callback_data: 'cv_1.01J',
                  },
                ],
              },
            },
          ],
        },
      ],
    });
  });

  it('puts errors on a failed status, no pricing, and recipient_user_id for a user id', () => {
    const failed = statusObject(NUMBER, { id: 'wamid.B', status: 'failed', at: 0, recipient: 'US.1349', recipientIsUserId: true, errorCode: 131047, pricing: { category: 'service', type: 'regular' } });

    expect(failed).toEqual({
      id: 'wamid.B',
      status: 'failed',
      timestamp: '0',
      recipient_user_id: 'US.1349',
      errors: [
        {
          code: 131047,
          title: 'Re-engagement message',
          message: 'Re-engagement message',
          error_data: { details: expect.stringContaining('24 hours') },
          href: expect.stringContaining('developers.facebook.com'),
        },
      ],
    });
  });

  it("encodes bodies like Meta (\\uXXXX for non-ASCII, \\/ for /) and signs the exact bytes with HMAC-SHA256", () => {
    // Act
    const body = encodeLikeMeta({ text: 'Café á/b <x> 10% @ana 😀' });

    // Assess
    expect(body).toBe('{"text":"Caf\\u00e9 \\u00e1\\/b \\u003cx> 10\\u0025 \\u0040ana \\ud83d\\ude00"}');
    expect(JSON.parse(body)).toEqual({ text: 'Café á/b <x> 10% @ana 😀' });
    expect(hubSignature256('secret', body)).toBe(`sha256=${createHmac('sha256', 'secret').update(body).digest('hex')}`);
    // Re-serialising the parsed JSON gives other bytes: a webhook must verify the raw body.
    expect(hubSignature256('secret', JSON.stringify(JSON.parse(body)))).not.toBe(hubSignature256('secret', body));
  });

  it('makes wamids without + / =', () => {
    const ids = Array.from({ length: 50 }, newWamid);

    expect(new Set(ids).size).toBe(50);
    expect(ids.every((id) => /^wamid\.[A-Za-z0-9]{40,}$/.test(id))).toBe(true);
  });
});

describe('templates', () => {
  const template = (name: string, overrides: Partial<SimulatedTemplate> = {}): SimulatedTemplate => ({
    id: `id_${name}`,
    wabaId: NUMBER.wabaId,
    name,
    language: 'es_MX',
    category: 'UTILITY',
    components: [{ type: 'BODY', text: name }],
    createdAt: 0,
    status: 'APPROVED',
    ...overrides,
  });

  it('validates a create body: lower-case name, known category (any case), a BODY with text', () => {
    expect(validateTemplateCreate({ name: 'echo_x', language: 'es_MX', category: 'utility', components: [{ type: 'BODY', text: 'Hola {{1}}' }] })).toEqual({
      name: 'echo_x',
      language: 'es_MX',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Hola {{1}}' }],
    });
    expect(() => validateTemplateCreate({ name: 'Echo X', language: 'es_MX', category: 'UTILITY', components: [{ type: 'BODY', text: 'x' }] })).toThrow(CloudApiError);
    expect(() => validateTemplateCreate({ name: 'x', language: 'es_MX', category: 'PROMO', components: [{ type: 'BODY', text: 'x' }] })).toThrow(CloudApiError);
    expect(() => validateTemplateCreate({ name: 'x', language: 'es_MX', category: 'UTILITY', components: [{ type: 'HEADER', text: 'x' }] })).toThrow(CloudApiError);
  });

  it('is PENDING until the approval delay has passed, unless a verdict or a manual review says otherwise', () => {
    expect(templateStatusAt({ createdAt: 1000 }, 1999, 1000)).toBe('PENDING');
    expect(templateStatusAt({ createdAt: 1000 }, 2000, 1000)).toBe('APPROVED');
    expect(templateStatusAt({ createdAt: 0, verdict: { status: 'REJECTED' } }, 5000, 0)).toBe('REJECTED');
    expect(templateStatusAt({ createdAt: 0, manualReview: true }, 1e12, 0)).toBe('PENDING');
  });

  it("pages Meta's list with cursors and paging.next, filters exactly and picks fields", () => {
    // Prepare
    const all = ['a', 'b', 'c'].map((name) => template(name));
    const next = (after: string) => `https://sim/v23.0/waba/message_templates?limit=2&after=${after}`;

    // Act
    const first = metaTemplatesPage(all, new URLSearchParams('limit=2'), next) as { data: Array<{ name: string }>; paging: { next?: string; cursors: { after: string } } };
    const second = metaTemplatesPage(all, new URLSearchParams(`limit=2&after=${first.paging.cursors.after}`), next) as typeof first;

    // Assess
    expect(first.data.map((item) => item.name)).toEqual(['a', 'b']);
    expect(first.paging.next).toBe(next(first.paging.cursors.after));
    expect(second.data.map((item) => item.name)).toEqual(['c']);
    expect(second.paging.next).toBeUndefined();
    expect(metaTemplatesPage(all, new URLSearchParams('name=b&fields=name,status'), next)).toEqual({
      data: [{ name: 'b', status: 'APPROVED', id: 'id_b' }],
      paging: expect.any(Object),
    });
  });

  it("lists 360dialog's waba_templates with lower-case statuses, submitted for PENDING", () => {
    const listed = dialog360TemplatesList([template('a', { status: 'PENDING' }), template('b')], new URLSearchParams('limit=1&offset=1'));

    expect(listed).toMatchObject({ count: 1, total: 2, limit: 1, offset: 1, waba_templates: [{ name: 'b', status: 'approved', category: 'UTILITY', language: 'es_MX' }] });
    expect(dialog360TemplatesList([template('a', { status: 'PENDING' })], new URLSearchParams()).waba_templates).toEqual([
      expect.objectContaining({ status: 'submitted' }),
    ]);
  });
});

describe('media links', () => {
  it('resolve only with their own signature, before they expire, for the media of that WABA', () => {
    // Prepare
    const store = new MediaStore();
    const media = store.add(NUMBER.wabaId, { mimeType: 'image/jpeg', bytes: Buffer.from('jpeg bytes') });
    const stored = store.get(media.id, NUMBER.wabaId)!;
    const described = store.describe(stored, { origin: 'https://lookaside.fbsbx.com', now: 1_000_000, ttlMs: 300_000 }) as { url: string; sha256: string; file_size: number };
    const query = new URL(described.url).searchParams;

    // Assess
    expect(described).toMatchObject({ messaging_product: 'whatsapp', mime_type: 'image/jpeg', file_size: 10, id: media.id });
    expect(described.url.startsWith('https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=')).toBe(true);
    expect(store.resolveDownload(query, NUMBER.wabaId, 1_000_000 + 299_000)?.bytes.toString()).toBe('jpeg bytes');
    expect(store.resolveDownload(query, NUMBER.wabaId, 1_000_000 + 301_000)).toBeUndefined();
    expect(store.resolveDownload(query, 'another-waba', 1_000_000)).toBeUndefined();
    const forged = new URLSearchParams(query);
    forged.set('ext', String(Number(query.get('ext')) + 3600));
    expect(store.resolveDownload(forged, NUMBER.wabaId, 1_000_000)).toBeUndefined();
  });
});
