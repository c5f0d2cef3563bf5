import { randomSid } from '../support/twilio-webhook';
import { createWebhookFixture, type WebhookFixture } from '../support/webhook-fixture';

jest.setTimeout(60_000);

describe('webhook → DynamoDB → inbound FIFO queue (against moto)', () => {
  let fx: WebhookFixture;
  beforeAll(async () => {
    fx = await createWebhookFixture();
  });
  afterAll(async () => fx?.close());

  it('stores the message and its conversation, and queues it once in its conversation group', async () => {
    // Prepare
    const { event, fields } = fx.inboundEvent({ from: '+5215512345678', body: 'Hola, ¿a qué hora abren? 🌮' });

    // Act
    const response = await fx.invoke(event);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<Response/>');
    const [stored] = await fx.messagesWithExternalId(fields.MessageSid);
    expect(stored).toMatchObject({
      direction: 'inbound',
      provider: 'twilio',
      connectionId: fx.connectionId,
      businessId: fx.businessId,
      type: 'text',
      content: { type: 'text', text: 'Hola, ¿a qué hora abren? 🌮' },
      customerId: '+5215512345678',
    });
    const conversationId = stored.conversationId as string;
    const conversation = await fx.conversation(conversationId);
    expect(conversation).toMatchObject({
      businessId: fx.businessId,
      customerId: '+5215512345678',
      customerName: 'María',
      windowState: 'open',
      lastCustomerMessageAt: stored.receivedAt,
    });
    expect(Date.parse(conversation!.windowExpiresAt as string) - Date.parse(stored.receivedAt as string)).toBe(24 * 3600 * 1000);

    const queued = await fx.drainInboundQueue();
    expect(queued).toHaveLength(1);
    expect(queued[0].Attributes?.MessageGroupId).toBe(conversationId);
    expect(JSON.parse(queued[0].Body!)).toMatchObject({
      version: 1,
      kind: 'inbound.message',
      conversationId,
      messageId: stored.messageId,
      externalId: fields.MessageSid,
      content: { type: 'text', text: 'Hola, ¿a qué hora abren? 🌮' },
    });
  });

  it('stores one message and queues one when the same webhook arrives 10 times at once', async () => {
    const { event, fields } = fx.inboundEvent({ from: '+5215500000010' });

    const responses = await Promise.all(Array.from({ length: 10 }, () => fx.invoke(structuredClone(event))));

    expect(responses.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    const stored = await fx.messagesWithExternalId(fields.MessageSid);
    expect(stored).toHaveLength(1);
    expect(await fx.messagesOf(stored[0].conversationId as string)).toHaveLength(1);
    const queued = await fx.drainInboundQueue();
    expect(queued.map((m) => JSON.parse(m.Body!).externalId)).toEqual([fields.MessageSid]);
  });

  it('keeps a conversation in order: messages of one customer share a group, others get their own', async () => {
    const first = fx.inboundEvent({ from: '+5215500000020', body: 'uno' });
    const second = fx.inboundEvent({ from: '+5215500000020', body: 'dos' });
    const other = fx.inboundEvent({ from: 'MX.business.scoped.7788', body: 'sin número' });
    for (const { event } of [first, second, other]) expect((await fx.invoke(event)).statusCode).toBe(200);

    const queued = (await fx.drainInboundQueue()).map((m) => ({ group: m.Attributes?.MessageGroupId, body: JSON.parse(m.Body!) }));
    const customerGroup = queued.filter((m) => m.body.customer.id === '+5215500000020');
    expect(customerGroup.map((m) => m.body.content.text)).toEqual(['uno', 'dos']);
    expect(new Set(customerGroup.map((m) => m.group)).size).toBe(1);
    const username = queued.find((m) => m.body.customer.id === 'MX.business.scoped.7788');
    expect(username?.body.customer.isPhoneNumber).toBe(false);
    expect(username?.group).not.toBe(customerGroup[0].group);
  });

  it('moves lastCustomerMessageAt only forward', async () => {
    const { event, fields } = fx.inboundEvent({ from: '+5215500000030' });
    await fx.invoke(event);
    const [stored] = await fx.messagesWithExternalId(fields.MessageSid);
    const conversationId = stored.conversationId as string;
    const before = await fx.conversation(conversationId);

    // A delivery stamped earlier than what the conversation holds (clock skew between containers).
    const realNow = fx.deps.clock.now;
    fx.deps.clock.now = () => new Date(Date.parse(before!.lastCustomerMessageAt as string) - 60_000);
    try {
      const late = fx.inboundEvent({ from: '+5215500000030', body: 'late' });
      expect((await fx.invoke(late.event)).statusCode).toBe(200);
      expect(await fx.messagesOf(conversationId)).toHaveLength(2);
    } finally {
      fx.deps.clock.now = realNow;
    }
    const after = await fx.conversation(conversationId);
    expect(after!.lastCustomerMessageAt).toBe(before!.lastCustomerMessageAt);
    expect(after!.windowExpiresAt).toBe(before!.windowExpiresAt);
    await fx.drainInboundQueue();
  });

  it('updates lastInboundAt on the connection', async () => {
    const { event } = fx.inboundEvent({ from: '+5215500000040' });
    await fx.invoke(event);
    const connection = await fx.documents.send(
      new (await import('@aws-sdk/lib-dynamodb')).GetCommand({ TableName: fx.env.CONNECTIONS_TABLE, Key: { connectionId: fx.connectionId } }),
    );
    expect(Date.now() - Date.parse(connection.Item!.lastInboundAt as string)).toBeLessThan(60_000);
    await fx.drainInboundQueue();
  });

  it('writes nothing for a forged webhook', async () => {
    const { event, fields } = fx.inboundEvent({ from: '+5215500000050' });
    event.headers['x-twilio-signature'] = 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    expect((await fx.invoke(event)).statusCode).toBe(403);
    expect(await fx.messagesWithExternalId(fields.MessageSid)).toHaveLength(0);
    expect(await fx.drainInboundQueue()).toHaveLength(0);
  });

  it('never logs a full phone number, the auth token or the message text', async () => {
    const secretText = 'mi tarjeta termina en 4242 secreto';
    const { event } = fx.inboundEvent({ from: '+5215599887766', body: secretText });
    await fx.invoke(event);
    const forged = fx.inboundEvent({ from: '+5215599887766', body: secretText }).event;
    forged.headers['x-twilio-signature'] = 'eA==';
    await fx.invoke(forged);

    const logs = fx.logLines.join('');
    expect(logs).toContain('***7766');
    for (const forbidden of ['5215599887766', fx.authToken, secretText]) expect(logs).not.toContain(forbidden);
    await fx.drainInboundQueue();
  });

  describe('status callbacks', () => {
    const orders = [
      ['sent', 'delivered', 'read'],
      ['sent', 'read', 'delivered'],
      ['delivered', 'sent', 'read'],
      ['delivered', 'read', 'sent'],
      ['read', 'sent', 'delivered'],
      ['read', 'delivered', 'sent'],
    ];

    it.each(orders)('%s → %s → %s ends at read', async (...order) => {
      const key = { conversationId: 'cv_STATUSORDER', messageId: randomSid('M').slice(0, 26) };
      const sid = randomSid('SM');
      await fx.putOutboundMessage(key.conversationId, key.messageId);

      for (const status of order) expect((await fx.invoke(fx.statusEvent(key, sid, status))).statusCode).toBe(200);

      const [message] = (await fx.messagesOf(key.conversationId)).filter((m) => m.messageId === key.messageId);
      expect(message).toMatchObject({ deliveryStatus: 'read', externalId: sid });
      expect(message.readAt).toBeDefined();
    });

    it('ends at read when all callbacks race', async () => {
      const key = { conversationId: 'cv_STATUSRACE', messageId: randomSid('M').slice(0, 26) };
      const sid = randomSid('SM');
      await fx.putOutboundMessage(key.conversationId, key.messageId, sid);
      const statuses = ['sending', 'sent', 'delivered', 'read', 'sent', 'delivered'];
      await Promise.all(statuses.map((status) => fx.invoke(fx.statusEvent(key, sid, status))));
      const [message] = (await fx.messagesOf(key.conversationId)).filter((m) => m.messageId === key.messageId);
      expect(message.deliveryStatus).toBe('read');
    });

    it('keeps the error code of a failure, and a late failure never hides delivered', async () => {
      const failing = { conversationId: 'cv_STATUSFAIL', messageId: randomSid('M').slice(0, 26) };
      const delivered = { conversationId: 'cv_STATUSFAIL', messageId: randomSid('M').slice(0, 26) };
      const sidA = randomSid('SM');
      const sidB = randomSid('SM');
      await fx.putOutboundMessage(failing.conversationId, failing.messageId, sidA);
      await fx.putOutboundMessage(delivered.conversationId, delivered.messageId, sidB);

      await fx.invoke(fx.statusEvent(failing, sidA, 'sent'));
      await fx.invoke(fx.statusEvent(failing, sidA, 'undelivered', '63016'));
      await fx.invoke(fx.statusEvent(failing, sidA, 'delivered'));
      await fx.invoke(fx.statusEvent(delivered, sidB, 'delivered'));
      await fx.invoke(fx.statusEvent(delivered, sidB, 'failed', '30008'));

      const byId = Object.fromEntries((await fx.messagesOf('cv_STATUSFAIL')).map((m) => [m.messageId, m]));
      expect(byId[failing.messageId]).toMatchObject({ deliveryStatus: 'undelivered', errorCode: '63016' });
      expect(byId[delivered.messageId]).toMatchObject({ deliveryStatus: 'delivered' });
      expect(byId[delivered.messageId].errorCode).toBeUndefined();
    });

    it('acknowledges a callback for an unknown message and creates nothing', async () => {
      const key = { conversationId: 'cv_NOSUCHTHING', messageId: 'NOSUCHMESSAGE' };
      const response = await fx.invoke(fx.statusEvent(key, randomSid('SM'), 'delivered'));
      expect(response.statusCode).toBe(200);
      expect(await fx.messagesOf(key.conversationId)).toHaveLength(0);
    });

    it('ignores a callback whose message id belongs to another BSP message', async () => {
      const key = { conversationId: 'cv_STATUSOTHER', messageId: randomSid('M').slice(0, 26) };
      await fx.putOutboundMessage(key.conversationId, key.messageId, randomSid('SM'));
      expect((await fx.invoke(fx.statusEvent(key, randomSid('SM'), 'read'))).statusCode).toBe(200);
      const [message] = await fx.messagesOf(key.conversationId);
      expect(message.deliveryStatus).toBe('queued');
    });
  });
});
