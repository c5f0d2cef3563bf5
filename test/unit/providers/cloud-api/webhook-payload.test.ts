import type { InboundMessage } from '../../../../lambdas/domain/message';
import {
  assertAddressedTo,
  cloudApiEvents,
  parseCloudApiBody,
  parseCloudApiWebhook,
  readCloudApiBody,
} from '../../../../lambdas/providers/whatsapp/cloud-api/webhook-payload';
import type { WebhookEvent } from '../../../../lambdas/providers/whatsapp/provider';
import { ForbiddenError, MalformedRequestError } from '../../../../lambdas/shared/errors';
import bsuidOnly from './fixtures/bsuid-only.json';
import otherFields from './fixtures/other-fields.json';
import statuses from './fixtures/statuses.json';
import textMessage from './fixtures/text-message.json';
import {
  BUSINESS_NUMBER,
  CUSTOMER_BSUID,
  CUSTOMER_NUMBER,
  MESSAGES,
  PHONE_NUMBER_ID,
  WABA_ID,
  envelope,
  messageEnvelope,
  type MessageFixture,
} from './support';

const events = (value: unknown, provider: 'meta' | '360dialog' = 'meta') => parseCloudApiWebhook(value, { provider });

function inbound(value: unknown): InboundMessage[] {
  return events(value).flatMap((event) => (event.kind === 'inbound' ? [event.message] : []));
}

function onlyMessage(name: MessageFixture): InboundMessage {
  const messages = inbound(messageEnvelope(name));
  expect(messages).toHaveLength(1);
  return messages[0]!;
}

function statusEvents(list: WebhookEvent[]): Array<Extract<WebhookEvent, { kind: 'status' }>> {
  return list.flatMap((event) => (event.kind === 'status' ? [event] : []));
}

describe('Cloud API webhook payload', () => {
  describe('envelope', () => {
    it('reads a text message with the business number, the WABA id, the customer and the send time', () => {
      // Act
      const [message] = inbound(textMessage);

      // Assess
      expect(message).toEqual({
        provider: 'meta',
        externalId: 'wamid.HBgNNTIxNTUxMjM0NTY3OBUCABIYFDNBMjQ1',
        accountId: WABA_ID,
        to: BUSINESS_NUMBER,
        customer: { id: CUSTOMER_NUMBER, isPhoneNumber: true, waId: '5215512345678', profileName: 'Ana' },
        content: { type: 'text', text: 'Hola / ¿äöå? @pan <b>' },
        sentAt: '2025-06-08T20:59:43.000Z',
      });
    });

    it('tags events with the provider they came through', () => {
      const [event] = events(textMessage, '360dialog');
      expect(event).toMatchObject({ kind: 'inbound', message: { provider: '360dialog' } });
    });

    it.each([
      ['not JSON', '{"object":'],
      ['another object', '{"object":"page","entry":[]}'],
      ['no entry list', '{"object":"whatsapp_business_account"}'],
      ['a Twilio form', 'MessageSid=SM1&From=whatsapp%3A%2B1'],
    ])('refuses a body that is not a Cloud API envelope (%s)', (_name, raw) => {
      expect(() => readCloudApiBody(raw)).toThrow(MalformedRequestError);
    });

    it('refuses a messages change without the metadata it is routed by, naming the field but not the values', () => {
      // Prepare
      const body = { object: 'whatsapp_business_account', entry: [{ id: WABA_ID, changes: [{ field: 'messages', value: { messages: [] } }] }] };

      // Act
      const act = () => parseCloudApiBody(body);

      // Assess
      expect(act).toThrow(MalformedRequestError);
      expect(act).toThrow(/entry\.0\.changes\.0\.value\.metadata/);
    });

    it('tolerates unknown fields anywhere and an entry without changes', () => {
      const body = envelope({ messages: [{ ...MESSAGES.text, brand_new_field: { x: 1 } }], contacts: [{ wa_id: '5215512345678', extra: true }] });
      (body.entry as Array<Record<string, unknown>>).push({ id: WABA_ID, time: 1 });
      (body as Record<string, unknown>).new_top_level = 'x';
      expect(inbound(body)).toHaveLength(1);
    });
  });

  describe('message kinds', () => {
    it.each<[MessageFixture, InboundMessage['content']]>([
      ['text', { type: 'text', text: 'Hola, ¿tienen pan?' }],
      [
        'image',
        {
          type: 'image',
          caption: 'mi recibo',
          media: [
            {
              id: '1003383421387256',
              url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1003383421387256&ext=1749416383&hash=ATsx',
              contentType: 'image/jpeg',
              kind: 'image',
              sha256: 'c4ZBiE0kVN0oyfJMYhW3xf1cdXbmUNbXu9LbKr0b+hA=',
            },
          ],
        },
      ],
      ['video', { type: 'video', media: [{ id: '2003383421387256', contentType: 'video/mp4', kind: 'video', sha256: 'v1' }] }],
      ['audio', { type: 'audio', media: [{ id: '3003383421387256', contentType: 'audio/mpeg', kind: 'audio', sha256: 'a1' }] }],
      ['voice_note', { type: 'voice', media: [{ id: '4003383421387256', contentType: 'audio/ogg; codecs=opus', kind: 'voice', sha256: 'v2' }] }],
      ['legacy_voice', { type: 'voice', media: [{ id: '5003383421387256', contentType: 'audio/ogg; codecs=opus', kind: 'voice', sha256: 'v3' }] }],
      [
        'document',
        {
          type: 'document',
          caption: 'factura',
          media: [{ id: '6003383421387256', contentType: 'application/pdf', kind: 'document', sha256: 'd1', filename: 'factura-marzo.pdf' }],
        },
      ],
      ['sticker', { type: 'sticker', media: [{ id: '7003383421387256', contentType: 'image/webp', kind: 'sticker', sha256: 's1' }] }],
      [
        'location',
        { type: 'location', latitude: 19.4326, longitude: -99.1332, label: 'Panadería La Esperanza', address: 'Av. Juárez 10, CDMX', url: 'https://example.com/pan' },
      ],
      [
        'contacts',
        {
          type: 'contacts',
          media: [],
          cards: [
            {
              name: 'Ana López',
              phones: [{ phone: '+52 55 9876 5432', waId: '5215598765432', type: 'CELL' }],
              emails: ['ana@example.com'],
              organization: 'Panadería',
            },
            { name: 'Luis', phones: [] },
          ],
        },
      ],
      ['button_reply', { type: 'button_reply', id: 'yes', title: 'Sí', source: 'interactive' }],
      ['list_reply', { type: 'list_reply', id: 'row-2', title: 'Pan dulce', description: 'Conchas y cuernos' }],
      ['nfm_reply', { type: 'flow_reply', name: 'flow', body: 'Sent', responseJson: '{"flow_token":"t1","size":"M"}' }],
      ['template_button', { type: 'button_reply', id: 'STOP_PROMOS', title: 'Stop promotions', source: 'template' }],
      ['reaction', { type: 'reaction', emoji: '👍', targetExternalId: 'wamid.OURS1' }],
      ['reaction_removed_empty', { type: 'reaction', emoji: '', targetExternalId: 'wamid.OURS1', removed: true }],
      ['reaction_removed_missing', { type: 'reaction', emoji: '', targetExternalId: 'wamid.OURS1', removed: true }],
      [
        'order',
        {
          type: 'order',
          catalogId: '1234567890',
          text: 'para llevar',
          items: [
            { productRetailerId: 'concha', quantity: 6, itemPrice: 12.5, currency: 'MXN' },
            { productRetailerId: 'bolillo', quantity: 10, itemPrice: 3, currency: 'MXN' },
          ],
        },
      ],
      ['system', { type: 'system', systemType: 'user_changed_number', body: 'User A changed from 5215512345678 to 5215500000000', newWaId: '5215500000000' }],
      [
        'unsupported',
        {
          type: 'unsupported',
          reason: 'Message type unknown: Message type is currently not supported.',
          raw: { type: 'unsupported', errorCode: '131051', errorTitle: 'Message type unknown', errorDetails: 'Message type is currently not supported.' },
        },
      ],
      ['unknown_type', { type: 'unsupported', reason: 'WhatsApp message type "ephemeral" is not supported', raw: { type: 'ephemeral' } }],
    ])('reads %s', (name, content) => {
      expect(onlyMessage(name).content).toEqual(content);
    });

    it('links a reply to the message it quotes (context.id), e.g. the message that carried the buttons', () => {
      expect(onlyMessage('button_reply').replyToExternalId).toBe('wamid.BUTTONS_SENT');
      expect(onlyMessage('text').replyToExternalId).toBeUndefined();
    });

    it('marks forwarded and frequently forwarded messages', () => {
      expect(onlyMessage('forwarded').forwarded).toBe(true);
      expect(onlyMessage('frequently_forwarded').forwarded).toBe(true);
      expect(onlyMessage('text').forwarded).toBeUndefined();
    });

    it('keeps the scalar fields of an ad referral as strings', () => {
      expect(onlyMessage('referral').referral).toEqual({
        source_url: 'https://fb.me/ad',
        source_id: '120208',
        source_type: 'ad',
        headline: 'Pan fresco',
        body: 'Todos los días',
        media_type: 'image',
        image_url: 'https://example.com/ad.jpg',
        ctwa_clid: 'ARAkLk',
      });
    });

    it('keeps a media message without its media object as unsupported rather than dropping it', () => {
      const [message] = inbound(envelope({ messages: [{ from: '5215512345678', id: 'wamid.X', type: 'image' }] }));
      expect(message!.content).toEqual({ type: 'unsupported', reason: 'image message without a media id', raw: { type: 'image' } });
    });

    it('never keeps a media URL that is not https', () => {
      const image = { ...MESSAGES.image, image: { id: '1', mime_type: 'image/png', url: 'http://lookaside.example/x' } };
      const [message] = inbound(envelope({ messages: [image] }));
      expect(message!.content).toEqual({ type: 'image', media: [{ id: '1', contentType: 'image/png', kind: 'image' }] });
    });
  });

  describe('identity', () => {
    it('identifies a username user without a phone number by the business-scoped user id', () => {
      // Act
      const [message] = inbound(bsuidOnly);

      // Assess
      expect(message!.customer).toEqual({ id: CUSTOMER_BSUID, isPhoneNumber: false, userId: CUSTOMER_BSUID, username: 'ana.panes', profileName: 'Ana' });
    });

    it('keeps both the phone number and the user id when both are given', () => {
      const body = envelope({
        contacts: [{ profile: { name: 'Ana', username: 'ana.panes' }, wa_id: '5215512345678', user_id: CUSTOMER_BSUID }],
        messages: [{ ...MESSAGES.text, from_user_id: CUSTOMER_BSUID }],
      });
      expect(inbound(body)[0]!.customer).toEqual({
        id: CUSTOMER_NUMBER,
        isPhoneNumber: true,
        waId: '5215512345678',
        userId: CUSTOMER_BSUID,
        username: 'ana.panes',
        profileName: 'Ana',
      });
    });

    it("matches each message to its own contact entry in a batch, and falls back to the message's from", () => {
      const body = envelope({
        contacts: [
          { profile: { name: 'Ana' }, wa_id: '5215512345678' },
          { profile: { name: 'Bruno' }, wa_id: '5511912345678' },
        ],
        messages: [
          { ...MESSAGES.text, id: 'wamid.B', from: '5511912345678' },
          { ...MESSAGES.text, id: 'wamid.A', from: '5215512345678' },
          { ...MESSAGES.text, id: 'wamid.C', from: '447700900123' },
        ],
      });
      expect(inbound(body).map((m) => [m.customer.id, m.customer.profileName])).toEqual([
        ['+5511912345678', 'Bruno'],
        ['+5215512345678', 'Ana'],
        ['+447700900123', undefined],
      ]);
    });

    it('reports a message with neither a number nor a user id as an other event, keeping the rest', () => {
      const body = envelope({ messages: [{ id: 'wamid.NOBODY', type: 'text', text: { body: 'x' } }, MESSAGES.text] });
      const list = events(body);
      expect(list[0]).toEqual({ kind: 'other', type: 'message:no-sender', detail: { externalId: 'wamid.NOBODY' } });
      expect(list[1]!.kind).toBe('inbound');
    });
  });

  describe('statuses', () => {
    it('reads read, sent and failed statuses in payload order, with time, pricing, error and our key', () => {
      // Act
      const list = statusEvents(events(statuses));

      // Assess
      const key = { conversationId: 'cv_01JABCDEFGHJKMNPQRSTVWXYZ0', messageId: '01JABCDEFGHJKMNPQRSTVWXYZ1' };
      expect(list.slice(0, 3)).toEqual([
        {
          kind: 'status',
          key,
          update: {
            provider: 'meta',
            externalId: 'wamid.OUT1',
            accountId: WABA_ID,
            status: 'read',
            providerStatus: 'read',
            at: '2025-06-08T21:01:40.000Z',
            pricingCategory: 'service',
          },
        },
        {
          kind: 'status',
          key,
          update: expect.objectContaining({ externalId: 'wamid.OUT1', status: 'sent', at: '2025-06-08T21:00:00.000Z' }),
        },
        {
          kind: 'status',
          key: { conversationId: 'cv_01JABCDEFGHJKMNPQRSTVWXYZ0', messageId: '01JABCDEFGHJKMNPQRSTVWXYZ2' },
          update: {
            provider: 'meta',
            externalId: 'wamid.OUT2',
            accountId: WABA_ID,
            status: 'failed',
            providerStatus: 'failed',
            errorCode: '131047',
            errorMessage: 'Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
            at: '2025-06-08T21:03:20.000Z',
            pricingCategory: 'utility',
            recipientUserId: CUSTOMER_BSUID,
          },
        },
      ]);
    });

    it('reads a read without any delivered before it (Meta skips delivered then)', () => {
      const body = envelope({ statuses: [{ id: 'wamid.R', status: 'read', timestamp: '1749416500', recipient_id: '5215512345678' }] });
      expect(statusEvents(events(body)).map((e) => e.update.status)).toEqual(['read']);
    });

    it('counts a played voice message as read, keeping the word', () => {
      const played = statusEvents(events(statuses)).find((e) => e.update.externalId === 'wamid.OUT3');
      expect(played!.update).toMatchObject({ status: 'read', providerStatus: 'played' });
    });

    it('reports deleted and unknown status words as other events, not as exceptions', () => {
      const others = events(statuses).filter((e) => e.kind === 'other');
      expect(others).toEqual([
        { kind: 'other', type: 'status:deleted', detail: { externalId: 'wamid.OUT4' } },
        { kind: 'other', type: 'status:warning', detail: { externalId: 'wamid.OUT5' } },
      ]);
    });

    it('ignores an echo that is not our message key', () => {
      const delivered = statusEvents(events(statuses)).find((e) => e.update.externalId === 'wamid.OUT6');
      expect(delivered).toEqual({ kind: 'status', update: expect.objectContaining({ status: 'delivered' }) });
      expect(delivered).not.toHaveProperty('key');
    });

    it('keeps an unreadable status as an other event without failing the batch', () => {
      const body = envelope({ statuses: [{ status: 'sent' }, { id: 'wamid.OK', status: 'sent' }] });
      const list = events(body);
      expect(list[0]).toMatchObject({ kind: 'other', type: 'status:unreadable', detail: { index: 0, fields: 'id' } });
      expect(list[1]).toMatchObject({ kind: 'status', update: { externalId: 'wamid.OK' } });
    });
  });

  describe('batches', () => {
    it('reads every entry and change in order, and reports a message id or (status id, status) once per request', () => {
      // Prepare: two entries, three changes, a message repeated across changes, a status repeated.
      const change = (value: Record<string, unknown>) => ({
        field: 'messages',
        value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID }, ...value },
      });
      const message = (id: string) => ({ ...MESSAGES.text, id });
      const status = (id: string, word: string) => ({ id, status: word, timestamp: '1749416500', recipient_id: '5215512345678' });
      const body = {
        object: 'whatsapp_business_account',
        entry: [
          { id: WABA_ID, changes: [change({ messages: [message('m1'), message('m2'), message('m1')] }), change({ statuses: [status('s1', 'sent'), status('s1', 'delivered')] })] },
          { id: WABA_ID, changes: [change({ messages: [message('m2'), message('m3')], statuses: [status('s1', 'sent'), status('s1', 'read')] })] },
        ],
      };

      // Act
      const list = events(body);

      // Assess
      expect(list.map((e) => (e.kind === 'inbound' ? e.message.externalId : e.kind === 'status' ? `${e.update.externalId}:${e.update.status}` : e.kind === 'other' ? e.type : e.event.type))).toEqual([
        'm1',
        'm2',
        's1:sent',
        's1:delivered',
        'm3',
        's1:read',
      ]);
    });

    it('reads a batch of 1,000 messages', () => {
      const messages = Array.from({ length: 1000 }, (_, i) => ({ ...MESSAGES.text, id: `wamid.${i}` }));
      expect(inbound(envelope({ messages }))).toHaveLength(1000);
    });
  });

  describe('other fields and errors', () => {
    it('reports unknown fields and value errors as other events with safe details only', () => {
      // Act
      const list = events(otherFields);

      // Assess
      expect(list).toEqual([
        { kind: 'other', type: 'field:account_update', detail: { field: 'account_update', event: 'VERIFIED_ACCOUNT' } },
        { kind: 'other', type: 'field:message_template_status_update', detail: { field: 'message_template_status_update', event: 'APPROVED' } },
        { kind: 'other', type: 'error:131000', detail: { code: '131000', title: 'Something went wrong for ***5678' } },
      ]);
      expect(JSON.stringify(list)).not.toContain('5215512345678');
    });
  });

  describe('addressing', () => {
    const body = () => readCloudApiBody(JSON.stringify(textMessage));

    it('accepts a payload for the connection’s phone number id, WABA and number', () => {
      expect(() => assertAddressedTo(body(), { providerNumberId: PHONE_NUMBER_ID, wabaId: WABA_ID, displayNumber: BUSINESS_NUMBER })).not.toThrow();
    });

    it('refuses a payload for another phone number id, WABA or number', () => {
      expect(() => assertAddressedTo(body(), { providerNumberId: '999999999999999' })).toThrow(ForbiddenError);
      expect(() => assertAddressedTo(body(), { providerNumberId: PHONE_NUMBER_ID, wabaId: '111111111111111' })).toThrow(ForbiddenError);
      expect(() => assertAddressedTo(body(), { displayNumber: '+15550000000' })).toThrow(ForbiddenError);
    });

    it('refuses when any one change of a batch is for another number', () => {
      const mixed = envelope({ messages: [MESSAGES.text] });
      const entry = (mixed.entry as Array<{ changes: unknown[] }>)[0]!;
      entry.changes.push({ field: 'messages', value: { metadata: { display_phone_number: '15550783882', phone_number_id: '222222222222222' }, messages: [] } });
      expect(() => parseCloudApiWebhook(mixed, { provider: 'meta', addressedTo: { providerNumberId: PHONE_NUMBER_ID } })).toThrow(ForbiddenError);
    });

    it('refuses when the connection gives nothing to check against', () => {
      expect(() => assertAddressedTo(body(), {})).toThrow(ForbiddenError);
    });

    it('checks the metadata of other fields when they carry it', () => {
      const echoes = { object: 'whatsapp_business_account', entry: [{ id: WABA_ID, changes: [{ field: 'smb_message_echoes', value: { metadata: { display_phone_number: '1', phone_number_id: '3' } } }] }] };
      expect(() => assertAddressedTo(parseCloudApiBody(echoes), { providerNumberId: PHONE_NUMBER_ID })).toThrow(ForbiddenError);
      expect(cloudApiEvents(parseCloudApiBody(echoes), { provider: 'meta' })).toEqual([
        { kind: 'other', type: 'field:smb_message_echoes', detail: { field: 'smb_message_echoes' } },
      ]);
    });
  });
});
