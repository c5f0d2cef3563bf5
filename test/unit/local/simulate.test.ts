import { inboundFields, maskDeep, parseInboundArgs, repliesSettled, replyLines, runtimeBaseUrl, simulateHint } from '../../../local/simulate';

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

  it('prints the lines of one look in time order across replies, numbering replies in creation order', () => {
    // Prepare: the second reply was created later but the first look finds both far along.
    const second = { ...text, messageId: '01JAAAAAAAAAAAAAAAAAAAAAAC', createdAt: '2025-03-01T10:00:00.200Z', sendState: 'accepted', externalId: 'wamid.B', acceptedAt: '2025-03-01T10:00:00.600Z', deliveryStatus: 'sent', sentAt: '2025-03-01T10:00:01.100Z' };
    const first = { ...text, sendState: 'accepted', externalId: 'wamid.A', acceptedAt: '2025-03-01T10:00:00.500Z', updatedAt: '2025-03-01T10:00:03.000Z', deliveryStatus: 'read', sentAt: '2025-03-01T10:00:01.000Z', readAt: '2025-03-01T10:00:02.000Z' };

    // Act: listed newest first, as a query in another order could return them.
    const lines = replyLines(new Map(), [second, first]);

    // Assess
    expect(lines.map((line) => line.trim().replace(/ ".*" /, ' ').replace(/, message .*$/, ''))).toEqual([
      '10:00:00.100  reply 1 (text) recorded',
      '10:00:00.100  reply 1 queued',
      '10:00:00.200  reply 2 (text) recorded',
      '10:00:00.200  reply 2 queued',
      '10:00:00.500  reply 1 accepted by the BSP, id wamid.A (attempt 1)',
      '10:00:00.600  reply 2 accepted by the BSP, id wamid.B (attempt 1)',
      '10:00:01.000  reply 1 sent',
      '10:00:01.100  reply 2 sent',
      '10:00:02.000  reply 1 read',
    ]);
  });

  it('keeps a reply\'s number across looks, and names the conversation when replies span several', () => {
    // Prepare
    const seen = new Map<string, Set<string>>();
    replyLines(seen, [text]);
    const other = { ...text, conversationId: 'cv_2XYZ99', messageId: '01JAAAAAAAAAAAAAAAAAAAAAAD', createdAt: '2025-03-01T09:00:00.000Z' };

    // Act: the other conversation's reply sorts first by time, yet it is the second one seen.
    const lines = replyLines(seen, [text, other]);

    // Assess
    expect(lines).toEqual([
      expect.stringMatching(/^ {2}09:00:00\.000 {2}reply 2 \[2XYZ99\] \(text\)/),
      '  09:00:00.000  reply 2 [2XYZ99] queued',
    ]);
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

describe('runtimeBaseUrl', () => {
  it('takes the running runtime from its state file, like npm run token, so a runtime on PORT=3600 is found', () => {
    expect(runtimeBaseUrl({ url: 'http://127.0.0.1:3600' }, undefined)).toBe('http://127.0.0.1:3600');
    expect(runtimeBaseUrl({ url: 'http://127.0.0.1:3600' }, '3600')).toBe('http://127.0.0.1:3600');
  });

  it('falls back to PORT (default 3000) without a state file, and refuses a PORT naming another runtime than the file', () => {
    expect(runtimeBaseUrl(undefined, undefined)).toBe('http://127.0.0.1:3000');
    expect(runtimeBaseUrl(undefined, '3700')).toBe('http://127.0.0.1:3700');
    expect(() => runtimeBaseUrl({ url: 'http://127.0.0.1:3600' }, '3000', '/x/runtime.json')).toThrow(
      'PORT=3000, but the runtime described in /x/runtime.json listens on http://127.0.0.1:3600',
    );
  });

  it('prints the simulate command with PORT only when the runtime is not on 3000', () => {
    expect(simulateHint(3000, '--from +1')).toBe('npm run simulate -- inbound --from +1');
    expect(simulateHint(3600, '--from +1')).toBe('PORT=3600 npm run simulate -- inbound --from +1');
  });
});

describe('parseInboundArgs', () => {
  it('defaults to Twilio and one message, and reads --provider, --count and --customers for Cloud API providers', () => {
    expect(parseInboundArgs(['--from', '+5215512345678', '--text', 'Hola'])).toMatchObject({ provider: 'twilio', from: '+5215512345678', text: 'Hola', name: 'Demo Customer', waitSeconds: 20 });
    expect(parseInboundArgs(['--provider', 'meta', '--from', '+5215512345678', '--count', '5', '--customers', '2'])).toMatchObject({ provider: 'meta', count: 5, customers: 2, name: '' });
    expect(parseInboundArgs(['--provider', '360dialog', '--from', '+5215512345678', '--name', 'Ana'])).toMatchObject({ provider: '360dialog', name: 'Ana' });
  });

  it('refuses what cannot work: unknown providers, batches on Twilio, media on Cloud API, more customers than messages', () => {
    expect(() => parseInboundArgs(['--provider', 'sms', '--from', '+1'])).toThrow('--provider takes twilio, meta or 360dialog');
    expect(() => parseInboundArgs(['--from', '+5215512345678', '--count', '2'])).toThrow('need --provider meta or 360dialog');
    expect(() => parseInboundArgs(['--provider', 'meta', '--from', '+5215512345678', '--media', 'https://x/a.jpg'])).toThrow('are for --provider twilio');
    expect(() => parseInboundArgs(['--provider', 'meta', '--from', '+5215512345678', '--count', '2', '--customers', '3'])).toThrow('--customers cannot be more than --count');
    expect(() => parseInboundArgs(['--provider', 'meta', '--from', '+5215512345678', '--count', '0'])).toThrow('--count takes a whole number');
    expect(() => parseInboundArgs(['--text', 'x'])).toThrow('--from is required');
  });
});
