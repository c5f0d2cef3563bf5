import { createHmac } from 'node:crypto';
import { dialog360WebhookRequest, inboundPayload, metaWebhookRequest, textBatch } from '../../../local/cloud-api-simulator';

const NUMBER = { wabaId: '200000000000001', phoneNumberId: '100000000000001', displayNumber: '+15550100001' };
const AT = Date.UTC(2026, 2, 1, 12, 0, 0);

type Value = { contacts: Array<Record<string, unknown>>; messages: Array<Record<string, unknown>>; metadata: Record<string, string> };
const valuesOf = (payload: { entry: Array<{ changes: Array<{ value: Record<string, unknown> }> }> }) =>
  payload.entry.flatMap((entry) => entry.changes.map((change) => change.value as unknown as Value));

describe('cloud API inbound webhooks', () => {
  it('builds a text message from a customer the way Meta posts it', () => {
    // Act
    const { payload, messageIds } = inboundPayload(NUMBER, [{ from: '+5215512345678', name: 'Ana', text: 'Hola', id: 'wamid.IN1' }], AT);

    // Assess
    expect(messageIds).toEqual(['wamid.IN1']);
    expect(payload).toEqual({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: NUMBER.wabaId,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550100001', phone_number_id: NUMBER.phoneNumberId },
                contacts: [{ profile: { name: 'Ana' }, wa_id: '5215512345678' }],
                messages: [{ from: '5215512345678', id: 'wamid.IN1', timestamp: String(AT / 1000), type: 'text', text: { body: 'Hola' } }],
              },
            },
          ],
        },
      ],
    });
  });

  it('puts a batch of N messages from fewer customers in one payload: one change per customer, messages in order', () => {
    // Prepare
    const batch = textBatch({ from: '+5215512345678', count: 5, customers: 2, text: 'Pedido', at: AT });

    // Act
    const { payload, messageIds } = inboundPayload(NUMBER, batch, AT);

    // Assess
    expect(batch.map((message) => message.from)).toEqual(['+5215512345678', '+5215512345679', '+5215512345678', '+5215512345679', '+5215512345678']);
    expect(messageIds).toHaveLength(5);
    expect(new Set(messageIds).size).toBe(5);
    const values = valuesOf(payload);
    expect(values.map((value) => value.contacts[0]!.wa_id)).toEqual(['5215512345678', '5215512345679']);
    expect(values[0]!.messages.map((message) => (message.text as { body: string }).body)).toEqual(['Pedido (1/5)', 'Pedido (3/5)', 'Pedido (5/5)']);
    expect(values[1]!.messages.map((message) => (message.text as { body: string }).body)).toEqual(['Pedido (2/5)', 'Pedido (4/5)']);
    // Every id of the batch appears once, in the payload.
    expect(values.flatMap((value) => value.messages.map((message) => message.id)).sort()).toEqual([...messageIds].sort());
  });

  it('addresses a username customer by user_id, without wa_id or from', () => {
    const { payload } = inboundPayload(NUMBER, [{ from: 'US.13491208655302741918', text: 'hi' }], AT);

    const [value] = valuesOf(payload);
    expect(value!.contacts).toEqual([{ profile: { name: 'Demo Customer' }, user_id: 'US.13491208655302741918' }]);
    expect(value!.messages[0]).toMatchObject({ from_user_id: 'US.13491208655302741918', type: 'text' });
    expect(value!.messages[0]).not.toHaveProperty('from');
  });

  it('describes an image by media id, and a reply by the quoted wamid', () => {
    const { payload } = inboundPayload(NUMBER, [{ from: '+5215512345678', image: { id: '1037543291543636', mimeType: 'image/jpeg', sha256: 'ab'.repeat(32), caption: 'Mi pedido' }, replyTo: 'wamid.OUT' }], AT);

    expect(valuesOf(payload)[0]!.messages[0]).toMatchObject({
      type: 'image',
      image: { id: '1037543291543636', mime_type: 'image/jpeg', sha256: 'ab'.repeat(32), caption: 'Mi pedido' },
      context: { from: '15550100001', id: 'wamid.OUT' },
    });
  });

  it('refuses empty batches, bad numbers and more customers than the number range allows', () => {
    expect(() => inboundPayload(NUMBER, [])).toThrow('at least one message');
    expect(() => inboundPayload(NUMBER, [{ from: 'hello', text: 'x' }])).toThrow('from must be');
    expect(() => textBatch({ from: '+999999999999999', count: 2, customers: 2, text: 'x' })).toThrow('number range');
    expect(() => textBatch({ from: '+5215512345678', count: 0, text: 'x' })).toThrow('count');
    // Never more customers than messages.
    expect(new Set(textBatch({ from: '+5215512345678', count: 2, customers: 9, text: 'x' }).map((m) => m.from)).size).toBe(2);
  });

  it('signs a Meta request over the exact (escaped) body with the app secret, SHA-256 and SHA-1', () => {
    // Prepare
    const { payload } = inboundPayload(NUMBER, [{ from: '+5215512345678', text: '¿Tienen pan? 1/2 @ 10%' }], AT);

    // Act
    const request = metaWebhookRequest(payload, 'app-secret');

    // Assess
    expect(request.body).toContain('\\u00bfTienen pan? 1\\/2 \\u0040 10\\u0025');
    expect(JSON.parse(request.body)).toEqual(payload);
    expect(request.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', 'app-secret').update(request.body).digest('hex')}`);
    expect(request.headers['x-hub-signature']).toBe(`sha1=${createHmac('sha1', 'app-secret').update(request.body).digest('hex')}`);
    expect(request.headers['content-type']).toBe('application/json');
  });

  it('sends a 360dialog request with the registered headers and no signature', () => {
    const { payload } = inboundPayload(NUMBER, [{ from: '+5215512345678', text: 'Hola' }], AT);

    const request = dialog360WebhookRequest(payload, { 'X-Echo-Webhook-Token': 'secret-token' });

    expect(request.headers).toEqual({ 'X-Echo-Webhook-Token': 'secret-token', 'content-type': 'application/json' });
    expect(JSON.parse(request.body)).toEqual(payload);
  });
});
