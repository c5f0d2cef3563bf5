/**
 * The template port of each provider, over real clients and a fake `fetch`: what goes on the wire,
 * how answers become approvals, and how often a sync reads an account.
 */
import { registryStatusOf } from '../../../lambdas/domain/template-approval';
import { newTemplateReadScope, UnsupportedTemplateContentError, type TemplateBsp } from '../../../lambdas/domain/template-bsp';
import { templateFileSchema, type TemplateFile } from '../../../lambdas/domain/template-creation';
import type { TemplateDefinition } from '../../../lambdas/domain/templates';
import { TemplateNotListedError } from '../../../lambdas/providers/whatsapp/cloud-api/template-bsp';
import { Dialog360TemplateBsp } from '../../../lambdas/providers/whatsapp/dialog360/templates';
import { META_GRAPH_VERSION } from '../../../lambdas/providers/whatsapp/meta/graph';
import { MetaTemplateBsp } from '../../../lambdas/providers/whatsapp/meta/templates';
import { createTemplateBsps } from '../../../lambdas/providers/whatsapp/templates';
import { TwilioContentApi } from '../../../lambdas/providers/whatsapp/twilio/send/content-api';
import { TwilioTemplateBsp } from '../../../lambdas/providers/whatsapp/twilio/templates';
import { SendFailedError } from '../../../lambdas/shared/errors';
import reengagementJson from '../../../templates/reengagement.json';
import { DIALOG360_CREDENTIALS, META_CREDENTIALS, WABA_ID, connection, fakeFetch, jsonResponse, metaError, type Handler } from './cloud-api/support';

const GRAPH = 'https://graph.example.test';
const D360 = 'https://waba.example.test';
const CONTENT = 'https://content.example.test';
const TWILIO_CREDENTIALS = { accountSid: `AC${'a'.repeat(32)}`, authToken: 'f'.repeat(32) };

const reengagement: TemplateFile = templateFileSchema.parse(reengagementJson);
const META_CONNECTION = connection({ providerAccountId: WABA_ID });
const DIALOG360_CONNECTION = connection({ connectionId: 'cn_360', provider: '360dialog', providerNumberId: '+15550783881' });

function definition(providerTemplateId: string, overrides: Partial<TemplateDefinition> = {}): TemplateDefinition {
  return {
    businessId: 'acme',
    name: providerTemplateId,
    language: 'es_MX',
    providerTemplateId,
    category: 'UTILITY',
    approvalStatus: 'submitted',
    variables: {},
    connectionId: 'cn_meta',
    updatedAt: '2026-11-26T00:00:00.000Z',
    ...overrides,
  };
}

const listed = (name: string, status: string, extra: Record<string, unknown> = {}) => ({ name, language: 'es_MX', status, category: 'UTILITY', id: `${name}-id`, ...extra });

const meta = (handler: Handler) => {
  const fake = fakeFetch(handler);
  return { fake, bsp: new MetaTemplateBsp({ fetch: fake.fetch, timeoutMs: 1000, graphBaseUrl: GRAPH }) };
};
const dialog360 = (handler: Handler) => {
  const fake = fakeFetch(handler);
  return { fake, bsp: new Dialog360TemplateBsp({ fetch: fake.fetch, timeoutMs: 1000, baseUrl: D360 }) };
};

describe('Meta template port', () => {
  it('creates the file as one BODY with numbered examples in the connection’s WABA, and answers its name as the id, pending (no draft)', async () => {
    // Prepare
    const { fake, bsp } = meta(() => jsonResponse(200, { id: '594425479261596', status: 'PENDING', category: 'UTILITY' }));

    // Act
    const created = await bsp.create(META_CREDENTIALS, META_CONNECTION, reengagement);

    // Assess
    expect(created).toEqual({ providerTemplateId: 'echo_reengagement', status: 'pending' });
    expect((bsp as TemplateBsp).submit).toBeUndefined();
    expect(fake.requests).toHaveLength(1);
    expect(new URL(fake.requests[0]!.url).pathname).toBe(`/${META_GRAPH_VERSION}/${WABA_ID}/message_templates`);
    const body = reengagement.types['twilio/text']!.body as string;
    expect(JSON.parse(fake.requests[0]!.body!)).toEqual({
      name: 'echo_reengagement',
      category: 'UTILITY',
      language: 'es_MX',
      components: [{ type: 'BODY', text: body, example: { body_text: [['Ana', 'Panadería La Espiga']] } }],
    });
  });

  it('answers the existing template when the WABA already has that name and language (a second run, or a lost registry write)', async () => {
    // Prepare
    const { fake, bsp } = meta((request) =>
      request.method === 'POST'
        ? metaError(400, 100, { subcode: 2388024, details: 'Content in this language already exists' })
        : jsonResponse(200, { data: [listed('other', 'APPROVED'), listed('echo_reengagement', 'REJECTED', { rejected_reason: 'INVALID_FORMAT' })] }),
    );

    // Act
    const created = await bsp.create(META_CREDENTIALS, META_CONNECTION, reengagement);

    // Assess
    expect(created).toEqual({ providerTemplateId: 'echo_reengagement', status: 'rejected', rejectionReason: 'INVALID_FORMAT', existing: true });
    expect(fake.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
  });

  it('passes any other refusal on, and refuses without a call a file that is not plain text or a connection without a WABA id', async () => {
    // Prepare
    const refused = meta(() => metaError(400, 100, { subcode: 33 }));
    const idle = meta(() => jsonResponse(200, {}));
    const withButtons: TemplateFile = { ...reengagement, types: { ...reengagement.types, 'twilio/quick-reply': { body: 'Hola {{1}}', actions: [] } } };

    // Act
    const refusal = await refused.bsp.create(META_CREDENTIALS, META_CONNECTION, reengagement).catch((e: unknown) => e);
    const notPlain = await idle.bsp.create(META_CREDENTIALS, META_CONNECTION, withButtons).catch((e: unknown) => e);
    const noWaba = await idle.bsp.create(META_CREDENTIALS, connection(), reengagement).catch((e: unknown) => e);

    // Assess
    expect(refusal).toMatchObject({ kind: 'permanent', code: '100' });
    expect(refused.fake.requests).toHaveLength(1);
    expect(notPlain).toBeInstanceOf(UnsupportedTemplateContentError);
    expect(noWaba).toBeInstanceOf(SendFailedError);
    expect(noWaba).toMatchObject({ code: 'WABA_ID_MISSING' });
    expect(idle.fake.requests).toHaveLength(0);
  });

  it.each([
    ['APPROVED', undefined, { status: 'approved' }],
    ['PENDING', undefined, { status: 'pending' }],
    ['REJECTED', 'INVALID_FORMAT', { status: 'rejected', reason: 'INVALID_FORMAT' }],
    ['PAUSED', undefined, { status: 'pending', reason: 'paused by WhatsApp' }],
    ['DISABLED', undefined, { status: 'rejected', reason: 'disabled by WhatsApp' }],
    ['IN_APPEAL', undefined, { status: 'pending' }],
  ])('reads %s (reason %s) as %j in the registry (only APPROVED is sendable)', async (status, reason, expected) => {
    // Prepare
    const { bsp } = meta(() => jsonResponse(200, { data: [listed('echo_reengagement', status, { rejected_reason: reason ?? 'NONE' })] }));

    // Act
    const approval = await bsp.fetchApproval(META_CREDENTIALS, META_CONNECTION, definition('echo_reengagement'));

    // Assess
    expect(approval.status).toBe(status);
    expect(registryStatusOf(approval)).toEqual(expected);
  });

  it('lists the WABA once per connection in a read scope, following every page, for any number of templates read at once', async () => {
    // Prepare
    const { fake, bsp } = meta((request) =>
      new URL(request.url).searchParams.get('after')
        ? jsonResponse(200, { data: [listed('c', 'PAUSED')] })
        : jsonResponse(200, { data: [listed('a', 'APPROVED'), listed('b', 'PENDING')], paging: { next: `${GRAPH}/${META_GRAPH_VERSION}/${WABA_ID}/message_templates?after=X` } }),
    );
    const scope = newTemplateReadScope();

    // Act
    const approvals = await Promise.all(['a', 'b', 'c'].map((name) => bsp.fetchApproval(META_CREDENTIALS, META_CONNECTION, definition(name), scope)));
    const inAnotherScope = await bsp.fetchApproval(META_CREDENTIALS, META_CONNECTION, definition('a'), newTemplateReadScope());

    // Assess
    expect(approvals.map((a) => a.status)).toEqual(['APPROVED', 'PENDING', 'PAUSED']);
    expect(inAnotherScope.status).toBe('APPROVED');
    // Two pages for the scope, two more for the other scope: never one list per template.
    expect(fake.requests).toHaveLength(4);
  });

  it('matches name and language, calls a template missing from the whole list deleted, and does not guess on a partial list', async () => {
    // Prepare
    const whole = meta(() => jsonResponse(200, { data: [listed('echo_reengagement', 'APPROVED', { language: 'en_US' })] }));
    const partial = meta(() => jsonResponse(200, { data: [listed('x', 'APPROVED')], paging: { next: 'https://elsewhere.example/next' } }));

    // Act
    const missing = await whole.bsp.fetchApproval(META_CREDENTIALS, META_CONNECTION, definition('echo_reengagement'));
    const unknown = await partial.bsp.fetchApproval(META_CREDENTIALS, META_CONNECTION, definition('echo_reengagement')).catch((e: unknown) => e);

    // Assess
    expect(registryStatusOf(missing)).toEqual({ status: 'rejected', reason: 'echo_reengagement (es_MX) is no longer in the WhatsApp Business Account' });
    expect(unknown).toBeInstanceOf(TemplateNotListedError);
    expect((unknown as TemplateNotListedError).retryable).toBe(true);
  });

  it('shares one failed list between the templates of a scope (a BSP that is down is asked once)', async () => {
    // Prepare
    const { fake, bsp } = meta(() => metaError(500, 2));
    const scope = newTemplateReadScope();

    // Act
    const results = await Promise.allSettled(['a', 'b', 'c'].map((name) => bsp.fetchApproval(META_CREDENTIALS, META_CONNECTION, definition(name), scope)));

    // Assess
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(fake.requests).toHaveLength(1);
  });
});

describe('360dialog template port', () => {
  it('creates with the connection’s own key on /v1/configs/templates, submitted in one call', async () => {
    // Prepare
    const { fake, bsp } = dialog360(() => jsonResponse(201, { id: 'x', name: 'echo_reengagement', status: 'submitted' }));

    // Act
    const created = await bsp.create(DIALOG360_CREDENTIALS, DIALOG360_CONNECTION, reengagement);

    // Assess
    expect(created).toEqual({ providerTemplateId: 'echo_reengagement', status: 'submitted' });
    expect(fake.requests[0]).toMatchObject({ method: 'POST', url: `${D360}/v1/configs/templates` });
    expect(fake.requests[0]!.headers['d360-api-key']).toBe(DIALOG360_CREDENTIALS.apiKey);
  });

  it('lists once per connection (the key is per number), each with its own key, across offset pages', async () => {
    // Prepare
    const { fake, bsp } = dialog360((request) => {
      const offset = Number(new URL(request.url).searchParams.get('offset') ?? 0);
      const all = [listed('a', 'approved'), listed('b', 'submitted'), listed('c', 'rejected', { rejected_reason: 'TAG_CONTENT_MISMATCH' })];
      return jsonResponse(200, { count: 2, offset, total: all.length, waba_templates: all.slice(offset, offset + 2) });
    });
    const other = connection({ connectionId: 'cn_360b', provider: '360dialog' });
    const otherKey = { ...DIALOG360_CREDENTIALS, apiKey: 'OtherKey0000000000000000AK' };
    const scope = newTemplateReadScope();

    // Act
    const mine = await Promise.all(['a', 'b', 'c'].map((name) => bsp.fetchApproval(DIALOG360_CREDENTIALS, DIALOG360_CONNECTION, definition(name), scope)));
    const theirs = await bsp.fetchApproval(otherKey, other, definition('a'), scope);

    // Assess
    expect(mine.map((approval) => registryStatusOf(approval).status)).toEqual(['approved', 'submitted', 'rejected']);
    expect(mine[2]!.rejectionReason).toBe('TAG_CONTENT_MISMATCH');
    expect(theirs.status).toBe('approved');
    expect(fake.requests.map((r) => [r.headers['d360-api-key'], new URL(r.url).searchParams.get('offset')])).toEqual([
      [DIALOG360_CREDENTIALS.apiKey, null],
      [DIALOG360_CREDENTIALS.apiKey, '2'],
      [otherKey.apiKey, null],
      [otherKey.apiKey, '2'],
    ]);
  });
});

describe('Twilio template port', () => {
  const twilio = (handler: Handler) => {
    const fake = fakeFetch(handler);
    return { fake, bsp: new TwilioTemplateBsp(new TwilioContentApi({ fetch: fake.fetch, timeoutMs: 1000, contentBaseUrl: CONTENT })) };
  };
  const SID = `HX${'0'.repeat(31)}1`;

  it('creates a Content item (a draft), submits it under the WhatsApp name, and reads the approval per Content SID', async () => {
    // Prepare
    const { fake, bsp } = twilio((request) =>
      request.url.endsWith('/v1/Content')
        ? jsonResponse(201, { sid: SID })
        : request.method === 'POST'
          ? jsonResponse(201, { status: 'received' })
          : jsonResponse(200, { whatsapp: { status: 'rejected', rejection_reason: 'Invalid variables' } }),
    );
    const twilioConnection = connection({ provider: 'twilio', connectionId: 'cn_twilio' });

    // Act
    const created = await bsp.create(TWILIO_CREDENTIALS, twilioConnection, reengagement);
    const submitted = await bsp.submit(TWILIO_CREDENTIALS, twilioConnection, created.providerTemplateId, reengagement);
    const approval = await bsp.fetchApproval(TWILIO_CREDENTIALS, twilioConnection, definition(SID));

    // Assess
    expect(created).toEqual({ providerTemplateId: SID, status: 'draft' });
    expect(submitted).toEqual({ status: 'received' });
    expect(approval).toEqual({ status: 'rejected', rejectionReason: 'Invalid variables' });
    expect(fake.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      'POST /v1/Content',
      `POST /v1/Content/${SID}/ApprovalRequests/whatsapp`,
      `GET /v1/Content/${SID}/ApprovalRequests`,
    ]);
    expect(JSON.parse(fake.requests[0]!.body!)).toEqual({
      friendly_name: 'echo_reengagement_es_mx',
      language: 'es_MX',
      variables: reengagement.variables,
      types: reengagement.types,
    });
    expect(JSON.parse(fake.requests[1]!.body!)).toEqual({ name: 'echo_reengagement', category: 'UTILITY' });
  });
});

describe('createTemplateBsps', () => {
  it('builds one port per provider, each on its own base URL', async () => {
    // Prepare
    const fake = fakeFetch(() => jsonResponse(200, { data: [], waba_templates: [], whatsapp: { status: 'approved' } }));
    const bsps = createTemplateBsps({ fetch: fake.fetch, timeoutMs: 1000, twilioContentBaseUrl: CONTENT, metaGraphBaseUrl: GRAPH, dialog360BaseUrl: D360 });

    // Act
    await bsps.twilio.fetchApproval(TWILIO_CREDENTIALS, connection({ provider: 'twilio' }), definition('HX1'));
    await bsps.meta.fetchApproval(META_CREDENTIALS, META_CONNECTION, definition('a')).catch(() => undefined);
    await bsps['360dialog'].fetchApproval(DIALOG360_CREDENTIALS, DIALOG360_CONNECTION, definition('a')).catch(() => undefined);

    // Assess
    expect(Object.keys(bsps).sort()).toEqual(['360dialog', 'meta', 'twilio']);
    expect(fake.requests.map((r) => new URL(r.url).origin)).toEqual([CONTENT, GRAPH, D360]);
  });
});
