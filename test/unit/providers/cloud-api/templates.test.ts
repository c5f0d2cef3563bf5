import { isDuplicateTemplateError, templateOf } from '../../../../lambdas/providers/whatsapp/cloud-api/templates';
import { Dialog360TemplateClient } from '../../../../lambdas/providers/whatsapp/dialog360';
import { META_GRAPH_VERSION, MetaTemplateClient } from '../../../../lambdas/providers/whatsapp/meta';
import { BspUnavailableError, SendFailedError } from '../../../../lambdas/shared/errors';
import { DIALOG360_CREDENTIALS, META_CREDENTIALS, WABA_ID, fakeFetch, jsonResponse, metaError, type Handler } from './support';

const GRAPH = 'https://graph.example.test';
const D360 = 'https://waba.example.test';

const meta = (handler: Handler) => {
  const fake = fakeFetch(handler);
  return { fake, client: new MetaTemplateClient({ fetch: fake.fetch, timeoutMs: 1000, graphBaseUrl: GRAPH }) };
};
const dialog360 = (handler: Handler) => {
  const fake = fakeFetch(handler);
  return { fake, client: new Dialog360TemplateClient({ fetch: fake.fetch, timeoutMs: 1000, baseUrl: D360 }) };
};

const metaTemplate = (name: string, status: string, extra: Record<string, unknown> = {}) => ({
  name,
  language: 'es_MX',
  status,
  category: 'UTILITY',
  id: `${name}-id`,
  components: [{ type: 'BODY', text: 'Hola {{1}}' }],
  ...extra,
});

describe('Cloud API templates', () => {
  it('maps Meta’s statuses to the registry’s, ignoring the "NONE" rejection reason', () => {
    expect(templateOf(metaTemplate('a', 'APPROVED', { rejected_reason: 'NONE' }))).toEqual({
      name: 'a',
      language: 'es_MX',
      status: 'approved',
      providerStatus: 'APPROVED',
      category: 'UTILITY',
      id: 'a-id',
    });
    expect(templateOf(metaTemplate('b', 'REJECTED', { rejected_reason: 'INVALID_FORMAT' }))).toMatchObject({ status: 'rejected', rejectionReason: 'INVALID_FORMAT' });
    expect(templateOf(metaTemplate('c', 'PAUSED'))).toMatchObject({ status: 'pending', rejectionReason: 'paused by WhatsApp' });
    expect(templateOf(metaTemplate('d', 'DISABLED'))).toMatchObject({ status: 'rejected' });
    expect(templateOf(metaTemplate('e', 'IN_APPEAL'))).toMatchObject({ status: 'pending', providerStatus: 'IN_APPEAL' });
    expect(templateOf(metaTemplate('f', 'PENDING', { category: 'SOMETHING_NEW' }))).not.toHaveProperty('category');
  });

  describe('Meta', () => {
    it('lists every page of /{waba_id}/message_templates, following paging.next on the same host only', async () => {
      // Prepare
      const { fake, client } = meta((_request, index) =>
        index === 0
          ? jsonResponse(200, { data: [metaTemplate('one', 'APPROVED'), { junk: true }], paging: { next: `${GRAPH}/${META_GRAPH_VERSION}/${WABA_ID}/message_templates?after=X` } })
          : index === 1
            ? jsonResponse(200, { data: [metaTemplate('two', 'PENDING')], paging: { next: 'https://evil.example/next' } })
            : jsonResponse(500, {}),
      );

      // Act
      const templates = await client.list(META_CREDENTIALS, WABA_ID);

      // Assess
      expect(templates.map((t) => [t.name, t.status])).toEqual([
        ['one', 'approved'],
        ['two', 'pending'],
      ]);
      expect(fake.requests).toHaveLength(2);
      const first = new URL(fake.requests[0]!.url);
      expect(first.pathname).toBe(`/${META_GRAPH_VERSION}/${WABA_ID}/message_templates`);
      expect(first.searchParams.get('appsecret_proof')).toMatch(/^[0-9a-f]{64}$/);
      expect(new URL(fake.requests[1]!.url).searchParams.get('after')).toBe('X');
      expect(fake.requests[1]!.headers.authorization).toBe(`Bearer ${META_CREDENTIALS.accessToken}`);
    });

    it('creates a template with a BODY component and its numbered examples', async () => {
      // Prepare
      const { fake, client } = meta(() => jsonResponse(200, { id: '594425479261596', status: 'PENDING', category: 'UTILITY' }));

      // Act
      const created = await client.create(
        META_CREDENTIALS,
        { name: 'reengagement', category: 'UTILITY', language: 'es_MX', body: 'Hola {{1}}, tu pedido {{2}} está listo.', examples: { '2': 'A-12', '1': 'Ana' } },
        WABA_ID,
      );

      // Assess
      expect(created).toEqual({ id: '594425479261596', status: 'pending', providerStatus: 'PENDING' });
      expect(fake.requests[0]!.method).toBe('POST');
      expect(JSON.parse(fake.requests[0]!.body!)).toEqual({
        name: 'reengagement',
        category: 'UTILITY',
        language: 'es_MX',
        components: [{ type: 'BODY', text: 'Hola {{1}}, tu pedido {{2}} está listo.', example: { body_text: [['Ana', 'A-12']] } }],
      });
    });

    it('refuses, without a call, a name or placeholders WhatsApp would refuse', async () => {
      const { fake, client } = meta(() => jsonResponse(200, {}));
      const refusal = (template: Parameters<typeof client.create>[1]) => client.create(META_CREDENTIALS, template, WABA_ID).catch((e: unknown) => e);
      expect(await refusal({ name: 'Re Engagement', category: 'UTILITY', language: 'es', body: 'x' })).toBeInstanceOf(SendFailedError);
      expect(await refusal({ name: 'a', category: 'UTILITY', language: 'es', body: 'Hola {{1}} {{3}}', examples: { '1': 'a', '3': 'c' } })).toBeInstanceOf(SendFailedError);
      expect(await refusal({ name: 'a', category: 'UTILITY', language: 'es', body: 'Hola {{1}}' })).toBeInstanceOf(SendFailedError);
      expect(fake.requests).toHaveLength(0);
    });

    it("passes Meta's refusal on as a classified failure, and needs the WABA id", async () => {
      const error = await meta(() => metaError(400, 100)).client.create(META_CREDENTIALS, { name: 'a', category: 'UTILITY', language: 'es', body: 'x' }, WABA_ID).catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'permanent', code: '100' });
      await expect(meta(() => jsonResponse(200, {})).client.list(META_CREDENTIALS)).rejects.toMatchObject({ code: 'WABA_ID_MISSING' });
    });
  });

  describe('360dialog', () => {
    it('lists /v1/configs/templates whether the list is under waba_templates or data', async () => {
      const legacy = dialog360(() => jsonResponse(200, { count: 1, waba_templates: [{ name: 'a', language: 'es', status: 'approved', category: 'MARKETING', rejected_reason: 'NONE' }] }));
      expect(await legacy.client.list(DIALOG360_CREDENTIALS)).toEqual([{ name: 'a', language: 'es', status: 'approved', providerStatus: 'approved', category: 'MARKETING' }]);
      expect(new URL(legacy.fake.requests[0]!.url).pathname).toBe('/v1/configs/templates');
      expect(legacy.fake.requests[0]!.headers['d360-api-key']).toBe(DIALOG360_CREDENTIALS.apiKey);

      const metaStyle = dialog360(() => jsonResponse(200, { data: [{ name: 'b', language: 'en', status: 'REJECTED', rejected_reason: 'SCAM' }] }));
      expect(await metaStyle.client.list(DIALOG360_CREDENTIALS)).toEqual([{ name: 'b', language: 'en', status: 'rejected', providerStatus: 'REJECTED', rejectionReason: 'SCAM' }]);
    });

    it('creates on /v1/configs/templates with the API key', async () => {
      const { fake, client } = dialog360(() => jsonResponse(201, { id: 'x', status: 'submitted' }));
      expect(await client.create(DIALOG360_CREDENTIALS, { name: 'a', category: 'MARKETING', language: 'es', body: 'Hola' })).toEqual({ id: 'x', status: 'submitted', providerStatus: 'submitted' });
      expect(fake.requests[0]).toMatchObject({ method: 'POST', url: `${D360}/v1/configs/templates` });
    });

    it('throws BspUnavailableError for an unreadable list', async () => {
      await expect(dialog360(() => jsonResponse(200, { data: 'nope' })).client.list(DIALOG360_CREDENTIALS)).rejects.toBeInstanceOf(BspUnavailableError);
    });
  });

  describe('reading a whole account', () => {
    it('pages 360dialog’s waba_templates by offset until total, and says the list is complete', async () => {
      // Prepare
      const { fake, client } = dialog360((request) => {
        const offset = Number(new URL(request.url).searchParams.get('offset') ?? 0);
        const names = ['a', 'b', 'c'].slice(offset, offset + 2);
        return jsonResponse(200, { count: names.length, offset, total: 3, waba_templates: names.map((name) => ({ name, language: 'es', status: 'approved' })) });
      });

      // Act
      const list = await client.read(DIALOG360_CREDENTIALS);

      // Assess
      expect(list.templates.map((t) => t.name)).toEqual(['a', 'b', 'c']);
      expect(list.complete).toBe(true);
      expect(fake.requests.map((r) => new URL(r.url).searchParams.get('offset'))).toEqual([null, '2']);
      expect(fake.requests.every((r) => new URL(r.url).searchParams.get('limit') === '100')).toBe(true);
    });

    it('says the list is incomplete when maxPages stops it or a next link points to another host', async () => {
      // Prepare
      const endless = fakeFetch((request) => jsonResponse(200, { data: [metaTemplate(`t${request.url.length}`, 'APPROVED')], paging: { next: `${GRAPH}/${META_GRAPH_VERSION}/${WABA_ID}/message_templates?after=${request.url.length}` } }));
      const capped = new MetaTemplateClient({ fetch: endless.fetch, timeoutMs: 1000, graphBaseUrl: GRAPH, maxPages: 3 });
      const offHost = meta(() => jsonResponse(200, { data: [metaTemplate('one', 'APPROVED')], paging: { next: 'https://evil.example/next' } }));
      const last = meta(() => jsonResponse(200, { data: [metaTemplate('one', 'APPROVED')], paging: { cursors: { before: 'A', after: 'B' } } }));

      // Act
      const cappedList = await capped.read(META_CREDENTIALS, WABA_ID);
      const offHostList = await offHost.client.read(META_CREDENTIALS, WABA_ID);
      const lastList = await last.client.read(META_CREDENTIALS, WABA_ID);

      // Assess
      expect(endless.requests).toHaveLength(3);
      expect(cappedList.complete).toBe(false);
      expect(offHostList).toMatchObject({ complete: false, templates: [{ name: 'one' }] });
      expect(offHost.fake.requests).toHaveLength(1);
      expect(lastList.complete).toBe(true);
    });
  });

  describe('isDuplicateTemplateError', () => {
    it("recognises Meta's 100 / 2388024 answer to a second create, and nothing else", async () => {
      // Prepare
      const create = (answer: Response) =>
        meta(() => answer).client.create(META_CREDENTIALS, { name: 'a', category: 'UTILITY', language: 'es', body: 'x' }, WABA_ID).catch((e: unknown) => e);

      // Act
      const duplicate = await create(metaError(400, 100, { subcode: 2388024, details: 'Content in this language already exists' }));
      const worded = await create(metaError(400, 100, { message: 'Invalid parameter', details: 'Template already exists in this language' }));
      const other = await create(metaError(400, 100, { subcode: 33, details: 'Unsupported post request' }));
      const throttled = await create(metaError(400, 80007));

      // Assess
      expect(isDuplicateTemplateError(duplicate)).toBe(true);
      expect(isDuplicateTemplateError(worded)).toBe(true);
      expect(isDuplicateTemplateError(other)).toBe(false);
      expect(isDuplicateTemplateError(throttled)).toBe(false);
      expect(isDuplicateTemplateError(new Error('already exists'))).toBe(false);
    });
  });
});
