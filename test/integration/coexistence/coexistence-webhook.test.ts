import { randomBytes } from 'node:crypto';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAdminConnectionStore } from '../../../lambdas/adapters/dynamodb-admin-connection-store';
import { DynamoDbConversationHandoff } from '../../../lambdas/adapters/dynamodb-conversation-handoff';
import { connectionFromItem } from '../../../lambdas/domain/connection';
import { resumedEvent } from '../../../lambdas/domain/handoff';
import { conversationIdFor } from '../../../lambdas/domain/ids';
import { outboxEntryFrom } from '../../../lambdas/domain/outbox';
import { sendRateOf } from '../../../lambdas/domain/providers';
import { metaSignature } from '../../../lambdas/providers/whatsapp/meta/signature';
import { coexistencePayload, type CoexistenceInput } from '../../../local/cloud-api-simulator/coexistence';
import { inboundPayload } from '../../../local/cloud-api-simulator/inbound';
import type { CloudWebhookPayload, WebhookNumber } from '../../../local/cloud-api-simulator/payloads';
import { httpApiEvent } from '../../support/http-api-event';
import { createWebhookFixture, type WebhookFixture } from '../../support/webhook-fixture';

jest.setTimeout(60_000);

/**
 * Meta coexistence through the app-level webhook (`/webhook/whatsapp/meta`), against moto: the
 * payloads are the Meta simulator's own (local/cloud-api-simulator/coexistence.ts), signed with the
 * app secret; the connection is saved by the admin store as Embedded Signup saves it.
 */
describe('Meta app-level webhook and coexistence fields (against moto)', () => {
  let fx: WebhookFixture;
  const suffix = randomBytes(4).toString('hex');
  const app = { appSecret: randomBytes(16).toString('hex'), systemUserToken: `EAA${randomBytes(20).toString('hex')}`, verifyToken: `verify${suffix}` };
  const appSecretName = `echo-whatsapp/meta-app-${suffix}`;
  const number: WebhookNumber = { wabaId: `2${Date.now()}`, phoneNumberId: `1${Date.now()}`, displayNumber: '+15550109999' };
  const businessId = `coexist${suffix}`;
  let connectionId: string;

  beforeAll(async () => {
    fx = await createWebhookFixture({ configure: (env) => (env.META_APP_SECRET_ARN = appSecretName) });
    const secrets = new SecretsManagerClient({});
    await secrets.send(new CreateSecretCommand({ Name: appSecretName, SecretString: JSON.stringify(app) }));
    const connectionSecret = `echo-whatsapp/connections/es-${suffix}`;
    await secrets.send(new CreateSecretCommand({ Name: connectionSecret, SecretString: JSON.stringify({ accessToken: 'EAAbusiness', appSecret: app.appSecret, verifyToken: app.verifyToken }) }));
    secrets.destroy();
    const store = new DynamoDbAdminConnectionStore(fx.documents, fx.env.CONNECTIONS_TABLE);
    ({ connectionId } = await store.claim(businessId, `cn_${suffix.toUpperCase()}ES`));
    await store.save(
      {
        connectionId,
        businessId,
        provider: 'meta',
        displayNumber: number.displayNumber,
        providerNumberId: number.phoneNumberId,
        providerAccountId: number.wabaId,
        verifyToken: app.verifyToken,
        secretArn: connectionSecret,
        secretLast4: { accessToken: 'ness' },
        credentialsUpdatedAt: new Date().toISOString(),
        onboarding: 'embedded-signup',
        coexistence: true,
      },
      new Date(),
    );
  });
  afterAll(async () => fx?.close());

  function post(payload: CloudWebhookPayload | object, secret = app.appSecret) {
    const body = JSON.stringify(payload);
    return fx.invoke(httpApiEvent({ path: '/webhook/whatsapp/meta', headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(body, secret) }, body }));
  }
  const coexistence = (input: CoexistenceInput) => coexistencePayload(number, input);
  const connectionItem = async () => (await fx.documents.send(new GetCommand({ TableName: fx.env.CONNECTIONS_TABLE, Key: { connectionId } }))).Item!;

  it("answers Meta's handshake with the app's verify token only, and refuses a body signed with another secret", async () => {
    const ok = await fx.invoke(httpApiEvent({ method: 'GET', path: '/webhook/whatsapp/meta', rawQueryString: `hub.mode=subscribe&hub.verify_token=${app.verifyToken}&hub.challenge=1158201444` }));
    const wrong = await fx.invoke(httpApiEvent({ method: 'GET', path: '/webhook/whatsapp/meta', rawQueryString: 'hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1' }));
    const forged = await post(coexistence({ kind: 'echo', to: '+5215512340001', text: 'x' }).payload, 'f'.repeat(32));

    expect([ok.statusCode, ok.body]).toEqual([200, '1158201444']);
    expect(wrong.statusCode).toBe(403);
    expect(forged.statusCode).toBe(403);
  });

  it("stores the owner's message from the app as outbound owner-app, pauses the AI once (conversation.handoff on the item), acknowledges a change for an unknown number", async () => {
    // Prepare: one POST with our number's echo and another number's message (Meta batches per app).
    const customer = '+5215512340002';
    const echo = coexistence({ kind: 'echo', to: customer, text: 'Ya te atiendo yo, soy Rosa' });
    const stranger = inboundPayload({ ...number, phoneNumberId: '999000111222', wabaId: '999000' }, [{ from: '+5215599999999', text: 'hola' }]).payload;
    const payload = { object: 'whatsapp_business_account', entry: [...echo.payload.entry, ...stranger.entry] };

    // Act: delivered twice (Meta retries).
    const first = await post(payload);
    const conversationId = conversationIdFor(connectionId, customer);
    const afterFirst = await fx.conversation(conversationId);
    const second = await post(payload);

    // Assess
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    const messages = await fx.messagesOf(conversationId);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      direction: 'outbound',
      sentBy: 'owner-app',
      externalId: echo.messageIds[0],
      content: { type: 'text', text: 'Ya te atiendo yo, soy Rosa' },
      deliveryStatus: 'sent',
    });
    const conversation = await fx.conversation(conversationId);
    expect(conversation).toMatchObject({ businessId, customerId: customer, pausedBy: 'owner-app' });
    expect(conversation!.lastCustomerMessageAt).toBeUndefined();
    expect(Date.parse(conversation!.aiPausedUntil as string) - Date.now()).toBeGreaterThan(11.9 * 3600_000);
    const entry = outboxEntryFrom(conversation!.outbox);
    expect(entry).toMatchObject({ detailType: 'conversation.handoff' });
    expect(JSON.parse(entry!.detail)).toMatchObject({ state: 'paused', pausedBy: 'owner-app', conversationId, businessId });
    // The retry wrote no second pause: the outbox entry is the first one.
    expect(outboxEntryFrom(afterFirst!.outbox)?.id).toBe(entry!.id);
    expect(await fx.drainInboundQueue()).toEqual([]);
    expect(fx.logLines.some((line) => line.includes('AppWebhookUnknownNumber'))).toBe(true);

    // A resume clears it (the admin API's write).
    await new DynamoDbConversationHandoff(fx.documents, fx.env.CONVERSATIONS_TABLE).resume(conversationId, new Date(), resumedEvent({ businessId, connectionId, conversationId }, new Date()));
    expect((await fx.conversation(conversationId))!.aiPausedUntil).toBeUndefined();
  });

  it('imports history after live messages without reordering, overwriting or reopening anything; a replay imports nothing twice', async () => {
    // Prepare: a live message first (it opens the window and goes to the AI).
    const customer = '+5215512340003';
    const conversationId = conversationIdFor(connectionId, customer);
    const live = inboundPayload(number, [{ from: customer, text: 'pedido nuevo', name: 'Lupita' }]);
    expect((await post(live.payload)).statusCode).toBe(200);
    const before = await fx.conversation(conversationId);
    const day = 24 * 3600_000;
    const history = coexistence({
      kind: 'history',
      phase: 1,
      chunkOrder: 2,
      progress: 60,
      threads: [
        {
          customer,
          messages: [
            { text: 'hace un mes', at: Date.now() - 30 * day },
            { fromMe: true, text: 'con gusto', at: Date.now() - 30 * day + 60_000 },
            // The live message again (history and live overlap): stays the live one.
            { text: 'pedido nuevo', at: Date.now() - 1000, id: live.messageIds[0] },
          ],
        },
      ],
    });

    // Act
    expect((await post(history.payload)).statusCode).toBe(200);
    expect((await post(history.payload)).statusCode).toBe(200);

    // Assess
    const messages = await fx.messagesOf(conversationId);
    expect(messages.map((m) => [m.content && (m.content as { text?: string }).text, m.direction, m.imported ?? false])).toEqual([
      ['hace un mes', 'inbound', true],
      ['con gusto', 'outbound', true],
      ['pedido nuevo', 'inbound', false],
    ]);
    expect(messages[1]).toMatchObject({ sentBy: 'owner-app' });
    const after = await fx.conversation(conversationId);
    expect(after).toMatchObject({
      lastCustomerMessageAt: before!.lastCustomerMessageAt,
      windowExpiresAt: before!.windowExpiresAt,
      lastMessageAt: before!.lastMessageAt,
      customerName: 'Lupita',
    });
    // Only the live message went to the AI.
    const queued = await fx.drainInboundQueue();
    expect(queued.map((m) => JSON.parse(m.Body!).externalId)).toEqual([live.messageIds[0]]);
    const connection = await connectionItem();
    expect(connection).toMatchObject({ historyStatus: 'importing', historyProgress: 60, historyPhase: 1, historyMessages: 2 });
    expect([...(connection.historyChunks as Set<string>)]).toEqual(['1:2']);
    // Embedded Signup in coexistence: paced at 20 msg/s.
    expect(sendRateOf(connectionFromItem(connection)!)).toBe(20);
  });

  it("names conversations from the owner's address book", async () => {
    const customer = '+5215512340004';
    const payload = coexistence({ kind: 'contacts', contacts: [{ phone: customer, name: 'Don Memo Tortillería' }] }).payload;

    expect((await post(payload)).statusCode).toBe(200);

    expect(await fx.conversation(conversationIdFor(connectionId, customer))).toMatchObject({ contactName: 'Don Memo Tortillería', businessId });
  });

  it('disables the connection on PARTNER_REMOVED with its reason and announces connection.changed once; later changes for the number are acknowledged', async () => {
    const removed = coexistence({ kind: 'partner-removed', reason: 'PRIMARY_INACTIVITY', initiatedBy: 'SYSTEM' }).payload;

    expect((await post(removed)).statusCode).toBe(200);
    const disabled = await connectionItem();
    expect((await post(removed)).statusCode).toBe(200);
    const echoAfter = await post(coexistence({ kind: 'echo', to: '+5215512340005', text: 'sigo aquí' }).payload);

    expect(disabled).toMatchObject({ status: 'disabled', disabledReason: { code: 'partner-removed', metaReason: 'PRIMARY_INACTIVITY', initiatedBy: 'SYSTEM' } });
    expect(JSON.parse(outboxEntryFrom(disabled.outbox)!.detail)).toMatchObject({ change: 'disabled', connectionId, status: 'disabled' });
    expect(outboxEntryFrom((await connectionItem()).outbox)!.id).toBe(outboxEntryFrom(disabled.outbox)!.id);
    expect(echoAfter.statusCode).toBe(200);
    expect(await fx.messagesOf(conversationIdFor(connectionId, '+5215512340005'))).toEqual([]);
  });
});
