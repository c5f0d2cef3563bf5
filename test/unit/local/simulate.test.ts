import { inboundFields, maskDeep, repliesSettled, replyLines } from '../../../local/simulate';

const config = { DEV_TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, DEV_WHATSAPP_NUMBER: '+14155238886' };

describe('inboundFields', () => {
  it('has the fields Twilio sends for a WhatsApp text, with one SM sid in all three places', () => {
    const fields = inboundFields({ from: '+5215512345678', text: 'Hola', name: 'Demo Customer' }, config);

    expect(fields).toEqual({
      SmsMessageSid: fields.MessageSid,
      NumMedia: '0',
      ProfileName: 'Demo Customer',
      MessageType: 'text',
      SmsSid: fields.MessageSid,
      WaId: '5215512345678',
      SmsStatus: 'received',
      Body: 'Hola',
      To: 'whatsapp:+14155238886',
      NumSegments: '1',
      ReferralNumMedia: '0',
      MessageSid: fields.MessageSid,
      AccountSid: config.DEV_TWILIO_ACCOUNT_SID,
      From: 'whatsapp:+5215512345678',
      ApiVersion: '2010-04-01',
    });
    expect(fields.MessageSid).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it('describes one attachment with an MM sid, and leaves WaId out for a username customer', () => {
    const fields = inboundFields(
      { from: 'MX.user.7788', text: '', name: 'N', media: { url: 'https://example.com/a.jpg', contentType: 'image/jpeg' } },
      config,
    );

    expect(fields).toMatchObject({ NumMedia: '1', MediaUrl0: 'https://example.com/a.jpg', MediaContentType0: 'image/jpeg', From: 'whatsapp:MX.user.7788' });
    expect(fields.MessageSid).toMatch(/^MM[0-9a-f]{32}$/);
    expect(fields).not.toHaveProperty('WaId');
  });
});

describe('maskDeep', () => {
  it('masks phone numbers anywhere and customer ids by key, keeping everything else', () => {
    expect(
      maskDeep({
        From: 'whatsapp:+5215512345678',
        customerId: 'MX.user.7788',
        customer: { id: 'MX.user.7788', profileName: 'Ana', waId: '5215512345678' },
        list: ['+14155238886'],
        conversationId: 'cv_2DWYCAQ0SB60V7G4J4A2CJTSQ7',
        content: { type: 'text', text: 'Hola' },
      }),
    ).toEqual({
      From: '***5678',
      customerId: '***7788',
      customer: { id: '***7788', profileName: 'Ana', waId: '***5678' },
      list: ['***8886'],
      conversationId: 'cv_2DWYCAQ0SB60V7G4J4A2CJTSQ7',
      content: { type: 'text', text: 'Hola' },
    });
  });
});

describe('replyLines', () => {
  const text = {
    conversationId: 'cv_1',
    messageId: '01JAAAAAAAAAAAAAAAAAAAAAAB',
    direction: 'outbound',
    type: 'text',
    content: { type: 'text', text: 'Hola, soy el asistente de demo. ¿En qué te puedo ayudar hoy? Estoy aquí.' },
    createdAt: '2025-03-01T10:00:00.100Z',
    updatedAt: '2025-03-01T10:00:00.100Z',
    sendState: 'pending',
    deliveryStatus: 'queued',
  };

  it('prints each reply once when recorded, then each step as it advances, with its time', () => {
    // Prepare
    const seen = new Map<string, Set<string>>();
    const first = replyLines(seen, [text]);
    const accepted = { ...text, sendState: 'accepted', externalId: 'SM0123', attempts: 1, updatedAt: '2025-03-01T10:00:00.400Z' };

    // Act
    const second = replyLines(seen, [{ ...accepted, deliveryStatus: 'sent', sentAt: '2025-03-01T10:00:00.900Z' }]);
    const third = replyLines(seen, [{ ...accepted, deliveryStatus: 'read', sentAt: '2025-03-01T10:00:00.900Z', deliveredAt: '2025-03-01T10:00:01.400Z', readAt: '2025-03-01T10:00:02.000Z' }]);

    // Assess
    expect(first).toEqual([
      '  10:00:00.100  reply 1 (text) "Hola, soy el asistente de demo. ¿En qué te pued…" recorded, message 01JAAAAAAAAAAAAAAAAAAAAAAB',
      '  10:00:00.100  reply 1 queued',
    ]);
    expect(second).toEqual(['  10:00:00.400  reply 1 accepted by the BSP, id SM0123 (attempt 1)', '  10:00:00.900  reply 1 sent']);
    expect(third).toEqual(['  10:00:01.400  reply 1 delivered', '  10:00:02.000  reply 1 read']);
    expect(replyLines(seen, [{ ...accepted, deliveryStatus: 'read', readAt: '2025-03-01T10:00:02.000Z' }])).toEqual([]);
  });

  it('shows a failure with its code and reason', () => {
    const lines = replyLines(new Map(), [{ ...text, sendState: 'failed', deliveryStatus: 'failed', errorCode: '63016', errorReason: 'window-closed', failedAt: '2025-03-01T10:00:01.000Z' }]);

    expect(lines).toContain('  10:00:00.100  reply 1 FAILED code 63016: window-closed');
    expect(lines).toContain('  10:00:01.000  reply 1 failed');
  });
});

describe('repliesSettled', () => {
  it('is true only once there are replies and each is read, failed or undelivered', () => {
    expect(repliesSettled([])).toBe(false);
    expect(repliesSettled([{ deliveryStatus: 'read' }, { deliveryStatus: 'delivered' }])).toBe(false);
    expect(repliesSettled([{ deliveryStatus: 'read' }, { deliveryStatus: 'undelivered' }, { deliveryStatus: 'queued', sendState: 'failed' }])).toBe(true);
  });
});
