import { ADMIN_ROUTE_KEYS, createAdminHandler } from '../../../lambdas/handlers/admin/handler';
import { conversationIdFor } from '../../../lambdas/domain/ids';
import { BspUnavailableError } from '../../../lambdas/shared/errors';
import { AUTH_TOKEN, BUSINESS, OTHER_BUSINESS, adminHarness, apiEvent, putBody, type AdminHarness } from './fakes';

const base = (business: string) => `/businesses/${business}/whatsapp`;
const CONVERSATION = conversationIdFor('conn', '+5215512345678');

/** One request per route, for a business (the path's). */
function everyRoute(business: string, conversationId = CONVERSATION) {
  const p = { businessId: business };
  const c = { businessId: business, conversationId };
  return [
    { routeKey: ADMIN_ROUTE_KEYS.getConnection, path: `${base(business)}/connection`, pathParameters: p },
    { routeKey: ADMIN_ROUTE_KEYS.putConnection, path: `${base(business)}/connection`, pathParameters: p, body: putBody() },
    { routeKey: ADMIN_ROUTE_KEYS.deleteConnection, path: `${base(business)}/connection`, pathParameters: p },
    { routeKey: ADMIN_ROUTE_KEYS.testConnection, path: `${base(business)}/connection/test`, pathParameters: p, body: {} },
    { routeKey: ADMIN_ROUTE_KEYS.listConversations, path: `${base(business)}/conversations`, pathParameters: p },
    { routeKey: ADMIN_ROUTE_KEYS.listMessages, path: `${base(business)}/conversations/${conversationId}/messages`, pathParameters: c },
    {
      routeKey: ADMIN_ROUTE_KEYS.postMessage,
      path: `${base(business)}/conversations/${conversationId}/messages`,
      pathParameters: c,
      body: { content: { type: 'text', text: 'Hola' } },
    },
    { routeKey: ADMIN_ROUTE_KEYS.listTemplates, path: `${base(business)}/templates`, pathParameters: p },
    { routeKey: ADMIN_ROUTE_KEYS.createReengagement, path: `${base(business)}/templates/reengagement`, pathParameters: p },
  ];
}

async function call(h: AdminHarness, input: Parameters<typeof apiEvent>[0]) {
  const response = await createAdminHandler(h.deps)(apiEvent(input));
  return {
    status: response.statusCode!,
    headers: response.headers ?? {},
    body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : undefined,
    raw: response.body ?? '',
  };
}

/** A snapshot of everything the harness can write. */
function written(h: AdminHarness) {
  return JSON.stringify({
    store: h.store.writes,
    secrets: h.secrets.writes,
    queue: h.queue.sent,
    registry: h.registry.writes,
    events: h.events.published,
  });
}

describe('admin handler', () => {
  it('PUT creates (201), PUT again rotates (200), GET shows it, all as application/json and without the token', async () => {
    const h = adminHarness();
    const created = await call(h, everyRoute(BUSINESS)[1]);
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toBe('application/json');
    expect(created.body).toEqual(expect.objectContaining({ status: 'active', verified: false, credentials: expect.objectContaining({ authTokenLast4: AUTH_TOKEN.slice(-4) }) }));
    const again = await call(h, everyRoute(BUSINESS)[1]);
    expect(again.status).toBe(200);
    expect(again.body?.connectionId).toBe(created.body?.connectionId);
    const got = await call(h, everyRoute(BUSINESS)[0]);
    expect(got.status).toBe(200);
    for (const response of [created, again, got]) expect(response.raw).not.toContain(AUTH_TOKEN);
    expect(h.audit.records.map((r) => [r.action, r.status, r.outcome, r.businessId, r.actor])).toEqual([
      ['connection.put', 201, 'success', BUSINESS, 'user-1'],
      ['connection.put', 200, 'success', BUSINESS, 'user-1'],
    ]);
  });

  it('answers 401 problem+json without authorizer context, and audits nothing', async () => {
    const h = adminHarness();
    for (const route of everyRoute(BUSINESS)) {
      const response = await call(h, { ...route, claims: null });
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.body).toEqual(expect.objectContaining({ type: 'https://echo.example/problems/unauthorized', status: 401 }));
    }
    expect(h.audit.records).toEqual([]);
    expect(written(h)).toBe(written(adminHarness()));
  });

  it.each(everyRoute(OTHER_BUSINESS).map((route) => [route.routeKey, route] as const))(
    "%s with a token for another business is 404 and writes nothing for the path's business",
    async (_key, route) => {
      // Prepare: the other business has a connection and a conversation.
      const h = adminHarness();
      await call(h, { ...everyRoute(OTHER_BUSINESS)[1], claims: { sub: 'them', 'custom:business_id': OTHER_BUSINESS } });
      h.data.conversations.set(CONVERSATION, { conversationId: CONVERSATION, businessId: OTHER_BUSINESS, connectionId: 'x', customerId: '+5215512345678', lastMessageAt: 't' });
      const before = written(h);
      const auditsBefore = h.audit.records.length;

      // Act: a token for BUSINESS on OTHER_BUSINESS's path.
      const response = await call(h, route);

      // Assess
      expect(response.status).toBe(404);
      expect(response.body).toEqual(expect.objectContaining({ type: 'https://echo.example/problems/not-found', instance: route.path }));
      expect(written(h)).toBe(before);
      // A refused mutation is audited under the token's own business, never the path's.
      const newAudits = h.audit.records.slice(auditsBefore);
      expect(newAudits.every((r) => r.businessId === BUSINESS && r.status === 404 && r.outcome === 'failure')).toBe(true);
    },
  );

  it('is 404 for a token without the business claim', async () => {
    const h = adminHarness();
    const response = await call(h, { ...everyRoute(BUSINESS)[0], claims: { sub: 'user-1' } });
    expect(response.status).toBe(404);
  });

  it('validates bodies: 400 with errors (no values echoed), 415 for non-JSON, 413 above 64 KiB', async () => {
    const h = adminHarness();
    const put = everyRoute(BUSINESS)[1];
    const invalid = await call(h, { ...put, body: putBody({ authToken: 'not-a-token-SECRETVALUE', accountSid: 'XX' }) });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual(
      expect.objectContaining({
        type: 'https://echo.example/problems/validation-failed',
        errors: expect.arrayContaining([expect.objectContaining({ path: 'twilio.authToken' }), expect.objectContaining({ path: 'twilio.accountSid' })]),
      }),
    );
    expect(invalid.raw).not.toContain('SECRETVALUE');
    expect((await call(h, { ...put, body: undefined, rawBody: 'provider=twilio', contentType: 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await call(h, { ...put, body: undefined, rawBody: '{not json' })).status).toBe(415);
    expect((await call(h, { ...put, body: undefined, rawBody: '' })).status).toBe(400);
    const huge = await call(h, { ...put, body: { ...putBody(), padding: 'x'.repeat(70 * 1024) } });
    expect(huge.status).toBe(413);
    expect(huge.body?.type).toBe('https://echo.example/problems/payload-too-large');
    expect(h.store.writes).toEqual([]);
    expect(h.audit.records.map((r) => r.status)).toEqual([400, 415, 415, 400, 413]);
  });

  it('validates query parameters (limit 1..100) and conversation ids', async () => {
    const h = adminHarness();
    const list = everyRoute(BUSINESS)[4];
    expect((await call(h, { ...list, query: { limit: '0' } })).status).toBe(400);
    expect((await call(h, { ...list, query: { limit: '101' } })).status).toBe(400);
    expect((await call(h, { ...list, query: { limit: '100' } })).status).toBe(200);
    expect((await call(h, { ...list, query: { cursor: 'bad cursor!' } })).status).toBe(400);
    const messages = everyRoute(BUSINESS, 'cv_bad')[5];
    expect((await call(h, messages)).status).toBe(404);
  });

  it('maps a BSP outage during the test to 502 and audits the failure', async () => {
    const h = adminHarness();
    await call(h, everyRoute(BUSINESS)[1]);
    h.tester.credentials = new BspUnavailableError('down');
    const response = await call(h, everyRoute(BUSINESS)[3]);
    expect(response.status).toBe(502);
    expect(response.body?.type).toBe('https://echo.example/problems/bsp-unavailable');
    expect(h.audit.records.at(-1)).toEqual(expect.objectContaining({ action: 'connection.test', status: 502, outcome: 'failure' }));
  });

  it('hides unexpected failures behind a generic 500', async () => {
    const h = adminHarness();
    h.store.current = () => Promise.reject(new Error('internal detail: table xyz'));
    const response = await call(h, everyRoute(BUSINESS)[0]);
    expect(response.status).toBe(500);
    expect(response.raw).not.toContain('table xyz');
  });

  it('answers DELETE with 204 and no body, then 404', async () => {
    const h = adminHarness();
    await call(h, everyRoute(BUSINESS)[1]);
    const deleted = await call(h, everyRoute(BUSINESS)[2]);
    expect(deleted.status).toBe(204);
    expect(deleted.raw).toBe('');
    expect((await call(h, everyRoute(BUSINESS)[2])).status).toBe(404);
  });

  it('accepts a message (202) and a template request (202)', async () => {
    const h = adminHarness();
    const put = await call(h, everyRoute(BUSINESS)[1]);
    h.data.conversations.set(CONVERSATION, {
      conversationId: CONVERSATION, businessId: BUSINESS, connectionId: String(put.body?.connectionId), customerId: '+5215512345678', lastMessageAt: 't',
    });
    const sent = await call(h, everyRoute(BUSINESS)[6]);
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual(expect.objectContaining({ conversationId: CONVERSATION, status: 'accepted' }));
    expect(h.queue.sent[0].message.messageId).toBe(sent.body?.messageId);
    const template = await call(h, everyRoute(BUSINESS)[8]);
    expect(template.status).toBe(202);
    expect(template.body).toEqual(expect.objectContaining({ name: 'reengagement', approvalStatus: 'submitted' }));
    expect(h.audit.records.map((r) => r.action)).toEqual(['connection.put', 'message.send', 'template.create']);
  });

  it('answers 404 for an unknown route, and keeps serving when the audit write fails', async () => {
    const h = adminHarness();
    expect((await call(h, { routeKey: 'GET /nope', path: '/nope' })).status).toBe(404);
    h.audit.fail = new Error('audit table down');
    expect((await call(h, everyRoute(BUSINESS)[1])).status).toBe(201);
  });
});

describe('admin route keys', () => {
  it('are exactly the routes the HTTP API declares (ADMIN_ROUTES in lib/config.ts)', async () => {
    const { ADMIN_ROUTES } = await import('../../../lib/config');
    expect(new Set(Object.values(ADMIN_ROUTE_KEYS))).toEqual(new Set(Object.values(ADMIN_ROUTES)));
  });
});
