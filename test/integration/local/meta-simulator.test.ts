import { createHash, createHmac } from 'node:crypto';
import { startMetaSimulator, type MetaSimulator } from '../../../local/cloud-api-simulator';
import { startWebhookReceiver, type WebhookReceiver } from './cloud-webhook-receiver';

/**
 * The Meta Graph API simulator over loopback HTTP: Graph-shaped answers and errors, status webhooks
 * received by a real node:http server (signatures checked here with node:crypto over the raw body),
 * retries, templates, media, faults and the inbound control endpoint.
 */

const TOKEN = 'EAAtesttoken0000000000000000000001';
const OTHER_TOKEN = 'EAAtesttoken0000000000000000000002';
const APP_SECRET = 'meta-app-secret-for-tests';
const PHONE = '100000000000001';
const WABA = '200000000000001';
const OTHER_PHONE = '100000000000009';
const CUSTOMER = '5215512345678';
const DELAYS = { sent: 5, delivered: 10, read: 15 };
const APPROVAL_DELAY_MS = 60_000;

describe('meta simulator over HTTP', () => {
  let meta: MetaSimulator;
  let receiver: WebhookReceiver;
  const script: number[] = [];
  /** The simulator's clock (timestamps, template approval, media expiry); status delays run on real time. */
  let clock = Date.UTC(2026, 5, 1, 12, 0, 0);

  /** Graph call with a bearer token (`null`: none). */
  const graph = (method: string, path: string, body?: unknown, token: string | null = TOKEN) =>
    fetch(`${meta.url}/v23.0${path}`, {
      method,
      headers: { ...(token !== null && { authorization: `Bearer ${token}` }), 'content-type': 'application/json' },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const sendText = (text: string, extra: Record<string, unknown> = {}) =>
    graph('POST', `/${PHONE}/messages`, { messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER, type: 'text', text: { body: text }, ...extra });

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    meta = await startMetaSimulator({
      accounts: [
        { phoneNumberId: PHONE, wabaId: WABA, displayNumber: '+15550100001', accessToken: TOKEN, appSecret: APP_SECRET, webhookUrl: `${receiver.base}/webhook/whatsapp/meta/cn1`, verifiedName: 'Panadería La Espiga' },
        { phoneNumberId: OTHER_PHONE, wabaId: '200000000000009', displayNumber: '+15550100009', accessToken: OTHER_TOKEN, appSecret: 'other', webhookUrl: `${receiver.base}/other` },
      ],
      callbackDelaysMs: DELAYS,
      webhookRetryDelaysMs: [10, 20],
      templateApprovalDelayMs: APPROVAL_DELAY_MS,
      random: () => script.shift() ?? 0.999,
      now: () => clock,
    });
  });

  afterEach(async () => {
    await meta.idle();
    meta.reset();
    meta.setFaults({});
    script.length = 0;
    receiver.received.length = 0;
    receiver.answers.length = 0;
  });

  afterAll(async () => {
    await meta.stop();
    await receiver.close();
  });

  describe('messages', () => {
    it('accepts a text send with the Graph answer and posts signed sent → delivered → read with the callback data', async () => {
      // Act
      const response = await sendText('Hola, ¿en qué te ayudo? 1/2 @ 10%', { biz_opaque_callback_data: 'cv_01J.01K' });

      // Assess: the answer…
      expect(response.status).toBe(200);
      const answer = (await response.json()) as { messaging_product: string; contacts: unknown[]; messages: Array<{ id: string }> };
      expect(answer).toEqual({ messaging_product: 'whatsapp', contacts: [{ input: CUSTOMER, wa_id: CUSTOMER }], messages: [{ id: expect.stringMatching(/^wamid\./) }] });
      const wamid = answer.messages[0]!.id;

      // …the statuses, in order, each signed with the app secret over the exact bytes received…
      await meta.idle();
      expect(receiver.statuses().map((status) => status.status)).toEqual(['sent', 'delivered', 'read']);
      for (const webhook of receiver.received) {
        expect(webhook.path).toBe('/webhook/whatsapp/meta/cn1');
        expect(webhook.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', APP_SECRET).update(Buffer.from(webhook.body, 'utf8')).digest('hex')}`);
        expect(webhook.json.entry[0]!.id).toBe(WABA);
        expect(webhook.json.entry[0]!.changes[0]!.value.metadata).toEqual({ display_phone_number: '15550100001', phone_number_id: PHONE });
      }
      expect(receiver.statuses()).toEqual(
        ['sent', 'delivered', 'read'].map((status) =>
          expect.objectContaining({
            id: wamid,
            status,
            recipient_id: CUSTOMER,
            biz_opaque_callback_data: 'cv_01J.01K',
            pricing: { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' },
          }),
        ),
      );

      // …and the control view.
      const [message] = meta.messages();
      expect(message).toMatchObject({ id: wamid, to: CUSTOMER, type: 'text', preview: 'Hola, ¿en qué te ayudo? 1/2 @ 10%', callbackData: 'cv_01J.01K', status: 'read' });
      expect(message!.statusHistory).toEqual(['accepted', 'sent', 'delivered', 'read']);
      const listed = (await (await fetch(`${meta.url}/_simulator/messages`)).json()) as Array<{ id: string; callbackData: string }>;
      expect(listed).toEqual([expect.objectContaining({ id: wamid, callbackData: 'cv_01J.01K' })]);
      expect(meta.stats()).toMatchObject({ requests: 1, accepted: 1, webhooksDelivered: 3, webhooksFailed: 0, pending: 0 });
    });

    it('records a mark-read with typing indicator as {success: true}, without statuses', async () => {
      const response = await graph('POST', `/${PHONE}/messages`, { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN', typing_indicator: { type: 'text' } });

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ success: true });
      expect(meta.reads()).toEqual([expect.objectContaining({ phoneNumberId: PHONE, messageId: 'wamid.IN', typing: true })]);
      await meta.idle();
      expect(receiver.received).toHaveLength(0);
    });

    it('answers validation errors in the Graph shape with code and details, and accepts nothing', async () => {
      // Act
      const tooManyButtons = await graph('POST', `/${PHONE}/messages`, {
        messaging_product: 'whatsapp',
        to: CUSTOMER,
        type: 'interactive',
        interactive: { type: 'button', body: { text: 'x' }, action: { buttons: ['a', 'b', 'c', 'd'].map((id) => ({ type: 'reply', reply: { id, title: id } })) } },
      });
      const notJson = await graph('POST', `/${PHONE}/messages`, '{"messaging_product":');
      const noProduct = await graph('POST', `/${PHONE}/messages`, { to: CUSTOMER, text: { body: 'x' } });

      // Assess
      expect(tooManyButtons.status).toBe(400);
      expect(await tooManyButtons.json()).toEqual({
        error: {
          message: '(#131009) Parameter value is not valid',
          type: 'OAuthException',
          code: 131009,
          error_data: { messaging_product: 'whatsapp', details: 'Buttons count invalid. Min: 1, Max: 3' },
          fbtrace_id: expect.stringMatching(/^[A-Za-z0-9]{23}$/),
        },
      });
      expect(((await notJson.json()) as { error: { code: number } }).error.code).toBe(100);
      expect(((await noProduct.json()) as { error: { message: string } }).error.message).toBe('(#100) The parameter messaging_product is required.');
      expect(meta.messages()).toHaveLength(0);
      expect(meta.stats().rejected).toEqual({ '131009': 1, '100': 2 });
    });

    it('accepts a user id in `to` and drops it silently; answers user_id for a `recipient`', async () => {
      const inTo = await sendText('x', { to: 'US.13491208655302741918' });
      const asRecipient = await graph('POST', `/${PHONE}/messages`, { messaging_product: 'whatsapp', recipient: 'US.13491208655302741918', type: 'text', text: { body: 'x' } });

      expect(inTo.status).toBe(200);
      expect(((await asRecipient.json()) as { contacts: unknown[] }).contacts).toEqual([{ input: 'US.13491208655302741918', user_id: 'US.13491208655302741918' }]);
      await meta.idle();
      expect(meta.messages().map((message) => [message.dropped ?? false, message.status])).toEqual([[true, 'accepted'], [false, 'read']]);
      expect(receiver.statuses().every((status) => status.recipient_user_id === 'US.13491208655302741918')).toBe(true);
      expect(receiver.statuses()).toHaveLength(3);
    });
  });

  describe('authentication', () => {
    it('answers 401 / 190 for a missing or unknown token and 400 / 100 (subcode 33) for a number of another token', async () => {
      // Act
      const missing = await sendTextWith(null);
      const wrong = await sendTextWith('EAAnotatoken');
      const otherNumber = await graph('POST', `/${OTHER_PHONE}/messages`, { messaging_product: 'whatsapp', to: CUSTOMER, text: { body: 'x' } });

      // Assess
      for (const response of [missing, wrong]) {
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({
          error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: expect.any(String) },
        });
      }
      expect(otherNumber.status).toBe(400);
      expect(((await otherNumber.json()) as { error: Record<string, unknown> }).error).toMatchObject({ code: 100, error_subcode: 33, message: expect.stringContaining(`Object with ID '${OTHER_PHONE}' does not exist`) });
      expect(meta.messages()).toHaveLength(0);

      function sendTextWith(token: string | null) {
        return graph('POST', `/${PHONE}/messages`, { messaging_product: 'whatsapp', to: CUSTOMER, text: { body: 'x' } }, token);
      }
    });

    it('checks an appsecret_proof when one is sent: HMAC-SHA256 of the token with the app secret', async () => {
      const proof = (secret: string) => createHmac('sha256', secret).update(TOKEN).digest('hex');

      const right = await graph('GET', `/${PHONE}?fields=verified_name&appsecret_proof=${proof(APP_SECRET)}`);
      const wrong = await graph('GET', `/${PHONE}?fields=verified_name&appsecret_proof=${proof('not-the-app-secret')}`);

      expect(right.status).toBe(200);
      expect(wrong.status).toBe(400);
      expect(((await wrong.json()) as { error: Record<string, unknown> }).error).toMatchObject({
        code: 100,
        type: 'GraphMethodException',
        message: 'Invalid appsecret_proof provided in the API argument',
      });
    });

    it('reads the phone number with the token: asked fields and id, the number formatted as Graph does', async () => {
      const fields = await graph('GET', `/${PHONE}?fields=display_phone_number,verified_name,quality_rating`);
      const all = await graph('GET', `/${PHONE}`);
      const unknownField = await graph('GET', `/${PHONE}?fields=secret_field`);

      expect(await fields.json()).toEqual({ display_phone_number: '+1 555-010-0001', verified_name: 'Panadería La Espiga', quality_rating: 'GREEN', id: PHONE });
      expect(await all.json()).toMatchObject({ code_verification_status: 'VERIFIED', platform_type: 'CLOUD_API', id: PHONE });
      expect(unknownField.status).toBe(400);
    });
  });

  describe('subscribed apps', () => {
    it('lists the subscribed app, and posts no webhooks while the app is unsubscribed', async () => {
      // Prepare
      const listed = (await (await graph('GET', `/${WABA}/subscribed_apps`)).json()) as { data: Array<{ whatsapp_business_api_data: { name: string } }> };
      expect(listed.data).toEqual([{ whatsapp_business_api_data: expect.objectContaining({ name: 'Echo', id: expect.any(String) }) }]);

      // Act
      expect(await (await graph('DELETE', `/${WABA}/subscribed_apps`)).json()).toEqual({ success: true });
      await sendText('while unsubscribed');
      await meta.idle();

      // Assess
      expect(receiver.received).toHaveLength(0);
      expect(meta.stats().webhooksUndeliverable).toBe(3);
      expect(meta.deliveries().map((delivery) => delivery.outcome)).toEqual(['undeliverable', 'undeliverable', 'undeliverable']);
      expect(await (await graph('GET', `/${WABA}/subscribed_apps`)).json()).toEqual({ data: [] });

      // The POST subscribes again, and webhooks flow.
      expect(await (await graph('POST', `/${WABA}/subscribed_apps`)).json()).toEqual({ success: true });
      await sendText('subscribed again');
      await meta.idle();
      expect(receiver.statuses()).toHaveLength(3);
      expect(meta.isSubscribed(WABA)).toBe(true);
    });
  });

  describe('templates', () => {
    it('creates a template PENDING, refuses to send it (132001) until approved, then sends it priced as its category', async () => {
      // Prepare
      const created = await graph('POST', `/${WABA}/message_templates`, {
        name: 'echo_reengagement',
        language: 'es_MX',
        category: 'UTILITY',
        components: [{ type: 'BODY', text: 'Hola {{1}}', example: { body_text: [['Ana']] } }],
      });
      const template = { messaging_product: 'whatsapp', to: CUSTOMER, type: 'template', template: { name: 'echo_reengagement', language: { code: 'es_MX' } } };
      const statusNow = async () =>
        ((await (await graph('GET', `/${WABA}/message_templates?name=echo_reengagement`)).json()) as { data: Array<{ status: string }> }).data[0]!.status;

      // Act + Assess: pending, so not sendable…
      expect(await created.json()).toEqual({ id: expect.stringMatching(/^[0-9]+$/), status: 'PENDING', category: 'UTILITY' });
      expect(await statusNow()).toBe('PENDING');
      const refused = await graph('POST', `/${PHONE}/messages`, template);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { code: number; error_data: { details: string } } }).error).toMatchObject({
        code: 132001,
        error_data: { details: 'template name (echo_reengagement) does not exist in es_MX' },
      });
      expect((await graph('POST', `/${WABA}/message_templates`, { name: 'echo_reengagement', language: 'es_MX', category: 'UTILITY', components: [{ type: 'BODY', text: 'x' }] })).status).toBe(400);

      // …approved once the review delay has passed, then sent and priced as a utility template.
      clock += APPROVAL_DELAY_MS;
      expect(await statusNow()).toBe('APPROVED');
      const sent = await graph('POST', `/${PHONE}/messages`, { ...template, biz_opaque_callback_data: 'cv_1.m_1' });
      expect(sent.status).toBe(200);
      await meta.idle();
      expect(receiver.statuses()[0]).toMatchObject({ timestamp: String(Math.floor(clock / 1000)), pricing: { pricing_model: 'PMP', category: 'utility', type: 'regular', billable: true } });
    });

    it('lets a control call reject a template, which then cannot be sent', async () => {
      await graph('POST', `/${WABA}/message_templates`, { name: 'echo_offer', language: 'es_MX', category: 'MARKETING', components: [{ type: 'BODY', text: 'Oferta' }] });

      const review = await fetch(`${meta.url}/_simulator/templates/review`, { method: 'POST', body: JSON.stringify({ account: PHONE, name: 'echo_offer', status: 'REJECTED', reason: 'INVALID_FORMAT' }) });
      clock += APPROVAL_DELAY_MS;

      expect(review.status).toBe(200);
      const listed = (await (await graph('GET', `/${WABA}/message_templates?name=echo_offer`)).json()) as { data: Array<Record<string, unknown>> };
      expect(listed.data[0]).toMatchObject({ status: 'REJECTED', rejected_reason: 'INVALID_FORMAT' });
      const refused = await graph('POST', `/${PHONE}/messages`, { messaging_product: 'whatsapp', to: CUSTOMER, type: 'template', template: { name: 'echo_offer', language: { code: 'es_MX' } } });
      expect(refused.status).toBe(400);
    });

    it('lists the WABA templates page by page through paging.next', async () => {
      // Prepare
      for (const name of ['t_a', 't_b', 't_c']) meta.seedTemplate(PHONE, { name, language: 'en_US', category: 'MARKETING' });

      // Act
      const names: string[] = [];
      let next: string | undefined = `${meta.url}/v23.0/${WABA}/message_templates?limit=2&fields=name,status`;
      let pages = 0;
      while (next) {
        const page = (await (await fetch(next, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { data: Array<{ name: string; status: string }>; paging: { next?: string } };
        names.push(...page.data.map((item) => `${item.name}:${item.status}`));
        next = page.paging.next;
        pages++;
      }

      // Assess
      expect(pages).toBe(2);
      expect(names).toEqual(['t_a:APPROVED', 't_b:APPROVED', 't_c:APPROVED']);
      expect((await graph('GET', `/${WABA}/message_templates`, undefined, OTHER_TOKEN)).status).toBe(400);
    });
  });

  describe('media', () => {
    it('describes a media with a URL on the simulator that serves the bytes only with the bearer token', async () => {
      // Prepare
      const bytes = Buffer.from('fake jpeg bytes');
      const media = meta.addMedia(PHONE, { mimeType: 'image/jpeg', bytes });

      // Act
      const described = (await (await graph('GET', `/${media.id}`)).json()) as { url: string; sha256: string; file_size: number; mime_type: string; id: string };
      const withToken = await fetch(described.url, { headers: { authorization: `Bearer ${TOKEN}` } });
      const withoutToken = await fetch(described.url);
      const otherToken = await fetch(described.url, { headers: { authorization: `Bearer ${OTHER_TOKEN}` } });

      // Assess
      expect(described).toEqual({ messaging_product: 'whatsapp', url: expect.stringContaining(`${meta.url}/whatsapp_business/attachments/?mid=${media.id}`), mime_type: 'image/jpeg', sha256: createHash('sha256').update(bytes).digest('hex'), file_size: bytes.length, id: media.id });
      expect(withToken.status).toBe(200);
      expect(withToken.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await withToken.arrayBuffer())).toEqual(bytes);
      expect(withoutToken.status).toBe(401);
      expect(otherToken.status).toBe(404);
      expect((await graph('GET', '/9999999999999999')).status).toBe(400);
    });
  });

  describe('faults', () => {
    it('answers 429 / 130429 with Retry-After and never accepts the send', async () => {
      meta.setFaults({ rate429: 0.5, retryAfterSeconds: 2 });
      script.push(0.1);

      const response = await sendText('x');

      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('2');
      expect(((await response.json()) as { error: { code: number } }).error.code).toBe(130429);
      expect(meta.messages()).toHaveLength(0);
    });

    it('with a lost answer, accepts and posts statuses although the client saw a 500 or a dead socket', async () => {
      // Prepare
      meta.setFaults({ rateLostAnswer: 0.5 });
      script.push(0.1, 0.4);

      // Act
      const five = await sendText('first', { biz_opaque_callback_data: 'cv_1.lost_500' });
      const dead = await sendText('second', { biz_opaque_callback_data: 'cv_1.lost_socket' }).then(
        () => 'answered',
        (error: Error) => error.name,
      );

      // Assess
      expect(five.status).toBe(500);
      expect(((await five.json()) as { error: { code: number } }).error.code).toBe(131000);
      expect(dead).toBe('TypeError');
      await meta.idle();
      expect(meta.messages().map((message) => [message.callbackData, message.lostAnswer, message.status])).toEqual([
        ['cv_1.lost_500', 'status-500', 'read'],
        ['cv_1.lost_socket', 'socket-destroyed', 'read'],
      ]);
      expect(receiver.statuses().filter((status) => status.status === 'read').map((status) => status.biz_opaque_callback_data).sort()).toEqual(['cv_1.lost_500', 'cv_1.lost_socket']);
      expect(meta.stats().lostAnswers).toBe(2);
    });

    it('fails a freeform send to a closed window with a failed status carrying 131047', async () => {
      meta.setFaults({ closedWindowRecipients: [`+${CUSTOMER}`] });

      await sendText('late', { biz_opaque_callback_data: 'cv_1.late' });
      await meta.idle();

      expect(receiver.statuses()).toEqual([expect.objectContaining({ status: 'failed', biz_opaque_callback_data: 'cv_1.late', errors: [expect.objectContaining({ code: 131047 })] })]);
      expect(receiver.statuses()[0]).not.toHaveProperty('pricing');
      expect(meta.messages()[0]).toMatchObject({ status: 'failed', errorCode: 131047 });
    });
  });

  describe('webhook retries', () => {
    it('retries a failed delivery with backoff until it succeeds, before the next status', async () => {
      // Prepare: the first two attempts of `sent` fail.
      receiver.answers.push(500, 503);

      // Act
      await sendText('retry me');
      await meta.idle();

      // Assess
      expect(receiver.statuses().map((status) => status.status)).toEqual(['sent', 'sent', 'sent', 'delivered', 'read']);
      expect(meta.deliveries()[0]).toMatchObject({ kind: 'status', status: 'sent', outcome: 'delivered', attempts: [{ ok: false, status: 500 }, { ok: false, status: 503 }, { ok: true, status: 200 }] });
      expect(meta.stats()).toMatchObject({ webhookRetries: 2, webhooksDelivered: 3, webhooksFailed: 0 });
    });

    it('gives a delivery up after the last retry and goes on with the next status', async () => {
      receiver.answers.push(500, 500, 500);

      await sendText('give up');
      await meta.idle();

      expect(meta.deliveries().map((delivery) => [delivery.status, delivery.outcome, delivery.attempts.length])).toEqual([
        ['sent', 'failed', 3],
        ['delivered', 'delivered', 1],
        ['read', 'delivered', 1],
      ]);
      expect(meta.stats()).toMatchObject({ webhooksFailed: 1, webhookRetries: 2 });
    });
  });

  describe('inbound control endpoint', () => {
    it('posts ONE signed webhook with a batch of messages from several customers and answers its ids', async () => {
      // Act
      const response = await fetch(`${meta.url}/_simulator/inbound`, {
        method: 'POST',
        body: JSON.stringify({ account: PHONE, from: '+5215512345678', text: 'Hola', count: 4, customers: 2 }),
      });

      // Assess
      expect(response.status).toBe(200);
      const result = (await response.json()) as { messageIds: string[]; firstAttempt: { status: number }; outcome: string };
      expect(result).toMatchObject({ outcome: 'delivered', retrying: false, firstAttempt: { ok: true, status: 200 } });
      expect(result.messageIds).toHaveLength(4);
      expect(receiver.received).toHaveLength(1);
      const [webhook] = receiver.received;
      expect(webhook!.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', APP_SECRET).update(webhook!.body).digest('hex')}`);
      const messages = webhook!.json.entry[0]!.changes.flatMap((change) => change.value.messages ?? []);
      expect(messages.map((message) => message.id).sort()).toEqual([...result.messageIds].sort());
      expect(new Set(messages.map((message) => message.from))).toEqual(new Set(['5215512345678', '5215512345679']));
    });

    it('answers the first attempt and keeps retrying a failing webhook in the background', async () => {
      receiver.answers.push(500);

      const result = await meta.postInbound({ from: '+5215512345678', text: 'Hola', account: PHONE });
      await meta.idle();

      expect(result).toMatchObject({ outcome: 'pending', retrying: true, firstAttempt: { ok: false, status: 500 } });
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received[0]!.body).toBe(receiver.received[1]!.body);
      expect(meta.deliveries()[0]).toMatchObject({ kind: 'inbound', outcome: 'delivered' });
    });

    it('refuses a request without an account when there are several, and bad input', async () => {
      const noAccount = await fetch(`${meta.url}/_simulator/inbound`, { method: 'POST', body: JSON.stringify({ from: '+5215512345678', text: 'x' }) });
      const badFaults = await fetch(`${meta.url}/_simulator/faults`, { method: 'PUT', body: JSON.stringify({ rate429: 7 }) });

      expect(noAccount.status).toBe(400);
      expect(await noAccount.json()).toEqual({ error: expect.stringContaining('name the account') });
      expect(badFaults.status).toBe(400);
    });
  });
});
