import { inboundFields, maskDeep } from '../../../local/simulate';

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
