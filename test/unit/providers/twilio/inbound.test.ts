import { parseTwilioFields } from '../../../../lambdas/providers/whatsapp/twilio/form';
import { parseTwilioInbound } from '../../../../lambdas/providers/whatsapp/twilio/inbound';
import { MalformedRequestError } from '../../../../lambdas/shared/errors';
import { ACCOUNT_SID, BUSINESS_NUMBER, CUSTOMER_NUMBER, inboundFields, signedRequest } from './fixtures';

/** Fields as the webhook handler gets them: through a real form-encoded body. */
function received(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  return parseTwilioFields(signedRequest(inboundFields(overrides)));
}

function media(index: number, url: string, contentType: string): Record<string, string> {
  return { [`MediaUrl${index}`]: url, [`MediaContentType${index}`]: contentType };
}

const MEDIA_BASE = `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/MM0123/Media`;

describe('parseTwilioInbound', () => {
  describe('envelope and customer', () => {
    it('maps a text message with its customer and business number', () => {
      // Prepare
      const fields = received();

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message).toEqual({
        provider: 'twilio',
        externalId: fields.MessageSid,
        accountId: ACCOUNT_SID,
        to: BUSINESS_NUMBER,
        customer: {
          id: CUSTOMER_NUMBER,
          isPhoneNumber: true,
          waId: CUSTOMER_NUMBER.slice(1),
          profileName: 'Ana López',
        },
        content: { type: 'text', text: 'Hola, ¿tienen mesa para dos?' },
        forwarded: undefined,
      });
      expect(message.referral).toBeUndefined();
      expect(message.replyToExternalId).toBeUndefined();
    });

    it('identifies a WhatsApp username user without a phone number by their business-scoped id', () => {
      // Prepare
      const fields = received({ From: 'whatsapp:US.13491208655302741918', WaId: undefined, ProfileName: 'ana_l' });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.customer).toEqual({ id: 'US.13491208655302741918', isPhoneNumber: false, profileName: 'ana_l' });
    });

    it.each([
      ['digits without +', 'whatsapp:5215512345678'],
      ['a leading zero country code', 'whatsapp:+0123456789'],
      ['more than 15 digits', 'whatsapp:+1234567890123456'],
    ])('does not call %s a phone number', (_name, from) => {
      // Prepare
      const fields = received({ From: from });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.customer.isPhoneNumber).toBe(false);
      expect(message.customer.id).toBe(from.slice('whatsapp:'.length));
    });

    it('falls back to SmsMessageSid, then SmsSid, when MessageSid is missing', () => {
      // Prepare
      const withSmsMessageSid = received({ MessageSid: undefined, SmsMessageSid: 'SMaaa', SmsSid: 'SMbbb' });
      const withSmsSidOnly = received({ MessageSid: undefined, SmsMessageSid: undefined, SmsSid: 'SMbbb' });

      // Act
      const first = parseTwilioInbound(withSmsMessageSid);
      const second = parseTwilioInbound(withSmsSidOnly);

      // Assess
      expect(first.externalId).toBe('SMaaa');
      expect(second.externalId).toBe('SMbbb');
    });

    it.each([
      ['no message id at all', { MessageSid: undefined, SmsMessageSid: undefined, SmsSid: undefined }, 'MessageSid'],
      ['an empty MessageSid and no fallback', { MessageSid: '', SmsMessageSid: undefined, SmsSid: undefined }, 'MessageSid'],
      ['no AccountSid', { AccountSid: undefined }, 'AccountSid'],
      ['no From', { From: undefined }, 'From'],
      ['no To', { To: undefined }, 'To'],
      ['an SMS From', { From: '+5215512345678' }, 'From'],
      ['an SMS To', { To: BUSINESS_NUMBER }, 'To'],
      ['a bare whatsapp: From', { From: 'whatsapp:' }, 'From'],
    ])('throws MalformedRequestError for %s', (_name, overrides, field) => {
      // Prepare
      const fields = received(overrides);

      // Act
      const act = () => parseTwilioInbound(fields);

      // Assess
      expect(act).toThrow(MalformedRequestError);
      expect(act).toThrow(field);
    });

    it('never puts field values in the error message', () => {
      // Prepare
      const fields = received({ From: 'secret-number-5215512345678' });

      // Act
      const act = () => parseTwilioInbound(fields);

      // Assess
      expect(act).toThrow(MalformedRequestError);
      expect(act).not.toThrow('secret-number');
    });
  });

  describe('text', () => {
    it.each([
      ['unicode', 'Ñandú, façade, 中文, עברית, हिन्दी'],
      ['emoji with skin tones and ZWJ sequences', '👍🏽👩‍👩‍👧‍👦🇲🇽'],
      ['reserved form characters', 'a+b=c&d%20e 100%'],
      ['surrounding whitespace and newlines', '  line 1\nline 2  '],
    ])('keeps %s exactly', (_name, body) => {
      // Prepare
      const fields = received({ Body: body });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toEqual({ type: 'text', text: body });
    });

    it('maps an empty body with no media to an empty text message', () => {
      // Prepare
      const fields = received({ Body: '' });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toEqual({ type: 'text', text: '' });
    });

    it('maps a message without Body or MessageType to an empty text message', () => {
      // Prepare
      const fields = received({ Body: undefined, MessageType: undefined, NumMedia: undefined });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toEqual({ type: 'text', text: '' });
    });
  });

  describe('media', () => {
    it.each([
      ['image', 'image/jpeg', 'image'],
      ['video', 'video/mp4', 'video'],
      ['audio', 'audio/mpeg', 'audio'],
      ['audio', 'audio/aac', 'audio'],
      ['audio', 'audio/ogg', 'voice'],
      ['audio', 'audio/ogg; codecs=opus', 'voice'],
      ['document', 'application/pdf', 'document'],
      ['document', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'document'],
      ['sticker', 'image/webp', 'sticker'],
      ['contacts', 'text/vcard', 'contacts'],
      ['contacts', 'text/x-vcard', 'contacts'],
      ['document', 'text/plain', 'document'],
    ])('maps MessageType %s with %s to %s', (messageType, contentType, kind) => {
      // Prepare
      const fields = received({ MessageType: messageType, NumMedia: '1', Body: '', ...media(0, `${MEDIA_BASE}/ME0`, contentType) });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toEqual({
        type: kind,
        media: [{ url: `${MEDIA_BASE}/ME0`, contentType, kind }],
      });
    });

    it('keeps Body as the caption', () => {
      // Prepare
      const fields = received({ MessageType: 'image', NumMedia: '1', Body: 'Mi perro 🐶', ...media(0, `${MEDIA_BASE}/ME0`, 'image/jpeg') });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toEqual({
        type: 'image',
        media: [{ url: `${MEDIA_BASE}/ME0`, contentType: 'image/jpeg', kind: 'image' }],
        caption: 'Mi perro 🐶',
      });
    });

    it('keeps several media in order, typed by the first', () => {
      // Prepare
      const fields = received({
        MessageType: undefined,
        NumMedia: '3',
        Body: '',
        ...media(0, `${MEDIA_BASE}/ME0`, 'video/mp4'),
        ...media(1, `${MEDIA_BASE}/ME1`, 'image/png'),
        ...media(2, `${MEDIA_BASE}/ME2`, 'application/pdf'),
      });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toEqual({
        type: 'video',
        media: [
          { url: `${MEDIA_BASE}/ME0`, contentType: 'video/mp4', kind: 'video' },
          { url: `${MEDIA_BASE}/ME1`, contentType: 'image/png', kind: 'image' },
          { url: `${MEDIA_BASE}/ME2`, contentType: 'application/pdf', kind: 'document' },
        ],
      });
    });

    it('treats an attachment without a content type as a document', () => {
      // Prepare
      const fields = received({ MessageType: 'document', NumMedia: '1', MediaUrl0: `${MEDIA_BASE}/ME0` });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toMatchObject({ type: 'document', media: [{ contentType: 'application/octet-stream', kind: 'document' }] });
    });

    it('maps a shared contact card (vCard) to contacts', () => {
      // Prepare
      const fields = received({ MessageType: 'contacts', NumMedia: '1', Body: '', ...media(0, `${MEDIA_BASE}/ME0`, 'text/vcard') });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content.type).toBe('contacts');
    });

    it.each([
      ['a missing MediaUrl', { MessageType: 'image', NumMedia: '2', ...media(0, `${MEDIA_BASE}/ME0`, 'image/jpeg') }],
      ['a NumMedia that is not a count', { MessageType: 'image', NumMedia: 'two' }],
      ['a huge NumMedia', { MessageType: 'image', NumMedia: '999999999' }],
      ['a media type without media', { MessageType: 'image', NumMedia: '0' }],
    ])('keeps %s as unsupported instead of failing', (_name, overrides) => {
      // Prepare
      const fields = received(overrides);

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toEqual({ type: 'unsupported', reason: expect.any(String), raw: fields });
    });
  });

  describe('location', () => {
    it('maps a shared location with numbers parsed', () => {
      // Prepare
      const fields = received({
        MessageType: 'location',
        Body: '',
        Latitude: '19.4326077',
        Longitude: '-99.133208',
        Address: 'Plaza de la Constitución, Centro, CDMX',
        Label: 'Zócalo',
      });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toEqual({
        type: 'location',
        latitude: 19.4326077,
        longitude: -99.133208,
        address: 'Plaza de la Constitución, Centro, CDMX',
        label: 'Zócalo',
      });
    });

    it('maps a location without address or label, even without MessageType', () => {
      // Prepare
      const fields = received({ MessageType: undefined, Body: '', Latitude: '-33.8688', Longitude: '151.2093' });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toEqual({ type: 'location', latitude: -33.8688, longitude: 151.2093 });
    });

    it.each([
      ['a non-numeric latitude', { Latitude: 'north', Longitude: '1' }],
      ['an empty longitude', { Latitude: '1', Longitude: '' }],
      ['a missing longitude', { Latitude: '1' }],
      ['a latitude out of range', { Latitude: '91', Longitude: '1' }],
      ['a longitude out of range', { Latitude: '1', Longitude: '-180.5' }],
      ['hexadecimal', { Latitude: '0x10', Longitude: '1' }],
      ['exponent notation', { Latitude: '1e1', Longitude: '1' }],
      ['Infinity', { Latitude: 'Infinity', Longitude: '1' }],
    ])('keeps %s as unsupported', (_name, coordinates) => {
      // Prepare
      const fields = received({ MessageType: 'location', ...coordinates });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toEqual({ type: 'unsupported', reason: expect.stringContaining('Latitude'), raw: fields });
    });
  });

  describe('interactive replies', () => {
    it('maps a quick-reply button tap (ButtonPayload = id, ButtonText = title)', () => {
      // Prepare
      const fields = received({
        MessageType: 'interactive',
        Body: 'Confirmar ✅',
        ButtonText: 'Confirmar ✅',
        ButtonPayload: 'confirm:booking-42',
        OriginalRepliedMessageSid: 'MM5cc44eecf7dab0d48d4529d0fa4af44d',
      });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toEqual({ type: 'button_reply', id: 'confirm:booking-42', title: 'Confirmar ✅' });
      expect(message.replyToExternalId).toBe('MM5cc44eecf7dab0d48d4529d0fa4af44d');
    });

    it('maps a template quick-reply button (MessageType button)', () => {
      // Prepare
      const fields = received({ MessageType: 'button', Body: 'Stop promotions', ButtonText: 'Stop promotions', ButtonPayload: 'opt-out' });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toEqual({ type: 'button_reply', id: 'opt-out', title: 'Stop promotions' });
    });

    it('uses the button text as id when a template button carries no payload', () => {
      // Prepare
      const fields = received({ MessageType: 'button', Body: 'Yes', ButtonText: 'Yes' });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toEqual({ type: 'button_reply', id: 'Yes', title: 'Yes' });
    });

    it('maps a list reply from ListId, ListTitle and ListDescription', () => {
      // Prepare
      const fields = received({
        MessageType: 'interactive',
        Body: 'Tacos al pastor',
        ListId: 'item-7',
        ListTitle: 'Tacos al pastor',
        ListDescription: 'Con piña 🍍',
      });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toEqual({ type: 'list_reply', id: 'item-7', title: 'Tacos al pastor', description: 'Con piña 🍍' });
    });

    it('takes the list title from Body when ListTitle is absent', () => {
      // Prepare
      const fields = received({ MessageType: 'interactive', Body: 'Tacos', ListId: 'item-7' });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toEqual({ type: 'list_reply', id: 'item-7', title: 'Tacos' });
    });

    it('falls back to Body as a list reply when an interactive reply carries no id', () => {
      // Prepare
      const fields = received({ MessageType: 'interactive', Body: 'Tacos al pastor' });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toEqual({ type: 'list_reply', id: 'Tacos al pastor', title: 'Tacos al pastor' });
    });

    it('keeps an interactive reply with nothing to read as unsupported', () => {
      // Prepare
      const fields = received({ MessageType: 'interactive', Body: '' });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toMatchObject({ type: 'unsupported', raw: fields });
    });

    it('infers a button reply from ButtonPayload when MessageType is absent', () => {
      // Prepare
      const fields = received({ MessageType: undefined, Body: 'Sí', ButtonText: 'Sí', ButtonPayload: 'yes' });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toEqual({ type: 'button_reply', id: 'yes', title: 'Sí' });
    });
  });

  describe('reactions', () => {
    it('maps MessageType reaction with an emoji in Body', () => {
      // Prepare
      const fields = received({ MessageType: 'reaction', Body: '❤️', OriginalRepliedMessageSid: 'SM' + '9'.repeat(32) });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toEqual({ type: 'reaction', emoji: '❤️', targetExternalId: 'SM' + '9'.repeat(32) });
    });

    it('keeps a reaction without an emoji (a removed reaction) as unsupported', () => {
      // Prepare
      const fields = received({ MessageType: 'reaction', Body: '' });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toMatchObject({ type: 'unsupported', raw: fields });
    });
  });

  describe('unknown kinds', () => {
    it.each(['order', 'system', 'poll', 'unsupported', 'request_welcome', 'Ephemeral'])(
      'keeps MessageType %s as unsupported with every raw field',
      (messageType) => {
        // Prepare
        const fields = received({ MessageType: messageType, Body: 'whatever', SomeNewField: '{"x":1}' });

        // Act
        const message = parseTwilioInbound(fields);

        // Assess
        expect(message.externalId).toBe(fields.MessageSid);
        expect(message.content).toEqual({
          type: 'unsupported',
          reason: expect.stringContaining(messageType.toLowerCase()),
          raw: fields,
        });
      },
    );

    it('still maps the media of an unknown MessageType', () => {
      // Prepare
      const fields = received({ MessageType: 'gif', NumMedia: '1', Body: '', ...media(0, `${MEDIA_BASE}/ME0`, 'video/mp4') });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.content).toMatchObject({ type: 'video' });
    });

    it('copies the raw fields instead of sharing them', () => {
      // Prepare
      const fields = received({ MessageType: 'order' });

      // Act
      const message = parseTwilioInbound(fields);
      fields.Body = 'changed later';

      // Assess
      expect(message.content).toMatchObject({ raw: { Body: 'Hola, ¿tienen mesa para dos?' } });
    });
  });

  describe('context', () => {
    it.each([
      ['Forwarded true', { Forwarded: 'true', FrequentlyForwarded: 'false' }, true],
      ['FrequentlyForwarded true', { Forwarded: 'false', FrequentlyForwarded: 'true' }, true],
      ['both false', { Forwarded: 'false', FrequentlyForwarded: 'false' }, false],
      ['only Forwarded, capitalised', { Forwarded: 'True' }, true],
    ])('maps %s to forwarded', (_name, overrides, expected) => {
      // Prepare
      const fields = received(overrides);

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.forwarded).toBe(expected);
    });

    it('maps a reply to a previous message', () => {
      // Prepare
      const fields = received({ OriginalRepliedMessageSid: 'SM' + '1'.repeat(32), OriginalRepliedMessageSender: `whatsapp:${BUSINESS_NUMBER}` });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.replyToExternalId).toBe('SM' + '1'.repeat(32));
      expect(message.content).toEqual({ type: 'text', text: 'Hola, ¿tienen mesa para dos?' });
    });

    it('keeps click-to-WhatsApp ad referral fields as Twilio named them', () => {
      // Prepare
      const fields = received({
        ReferralNumMedia: '1',
        ReferralBody: 'Reserva hoy 20% off',
        ReferralHeadline: 'Cena para dos',
        ReferralSourceId: '120208000000000',
        ReferralSourceType: 'ad',
        ReferralSourceUrl: 'https://fb.me/abc',
        ReferralMediaUrl: `${MEDIA_BASE}/ME9`,
        ReferralMediaContentType: 'image/jpeg',
        ReferralCtwaClid: 'ARAkLkA8rmlFeiCktEJQ',
        ReferralMediaId: '',
      });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.referral).toEqual({
        ReferralNumMedia: '1',
        ReferralBody: 'Reserva hoy 20% off',
        ReferralHeadline: 'Cena para dos',
        ReferralSourceId: '120208000000000',
        ReferralSourceType: 'ad',
        ReferralSourceUrl: 'https://fb.me/abc',
        ReferralMediaUrl: `${MEDIA_BASE}/ME9`,
        ReferralMediaContentType: 'image/jpeg',
        ReferralCtwaClid: 'ARAkLkA8rmlFeiCktEJQ',
      });
    });

    it('sees no referral in the ReferralNumMedia=0 that Twilio sends on every message', () => {
      // Prepare
      const fields = received({ ReferralNumMedia: '0' });

      // Act
      const message = parseTwilioInbound(fields);

      // Assess
      expect(message.referral).toBeUndefined();
    });
  });
});
