import {
  CLOUD_API_MAX_TEXT_LENGTH,
  buildMarkReadPayload,
  buildMessagePayload,
  cloudApiRecipient,
} from '../../../../lambdas/providers/whatsapp/cloud-api/send-payload';
import type { SendableContent } from '../../../../lambdas/providers/whatsapp/provider';
import { SendFailedError } from '../../../../lambdas/shared/errors';
import { CUSTOMER_BSUID, CUSTOMER_NUMBER } from './support';

const KEY = 'cv_01JABCDEFGHJKMNPQRSTVWXYZ0.01JABCDEFGHJKMNPQRSTVWXYZ1';
const build = (content: SendableContent, to = CUSTOMER_NUMBER) => buildMessagePayload({ to, content, callbackData: KEY });

function failure(act: () => unknown): SendFailedError {
  try {
    act();
  } catch (error) {
    if (error instanceof SendFailedError) return error;
    throw error;
  }
  throw new Error('expected a SendFailedError');
}

describe('Cloud API send payloads', () => {
  it('sends text to the digits of the number, with our key as biz_opaque_callback_data', () => {
    expect(build({ type: 'text', text: 'Hola' })).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '5215512345678',
      type: 'text',
      text: { body: 'Hola' },
      biz_opaque_callback_data: KEY,
    });
  });

  it('addresses a business-scoped user id through recipient, never through to', () => {
    // Act
    const payload = build({ type: 'text', text: 'Hola' }, CUSTOMER_BSUID);

    // Assess
    expect(payload).toMatchObject({ recipient_type: 'individual', recipient: CUSTOMER_BSUID });
    expect(payload).not.toHaveProperty('to');
  });

  it('refuses an address that is neither a number nor a user id', () => {
    expect(failure(() => cloudApiRecipient('whatsapp:+1')).code).toBe('RECIPIENT_INVALID');
    expect(cloudApiRecipient('5215512345678')).toEqual({ to: '5215512345678' });
  });

  it('leaves the callback data out when there is none (connection tests)', () => {
    expect(buildMessagePayload({ to: CUSTOMER_NUMBER, content: { type: 'text', text: 'x' } })).not.toHaveProperty('biz_opaque_callback_data');
  });

  it(`accepts ${CLOUD_API_MAX_TEXT_LENGTH} characters (emoji count once) and refuses more as permanent`, () => {
    expect(() => build({ type: 'text', text: '😀'.repeat(CLOUD_API_MAX_TEXT_LENGTH) })).not.toThrow();
    const error = failure(() => build({ type: 'text', text: 'a'.repeat(CLOUD_API_MAX_TEXT_LENGTH + 1) }));
    expect([error.kind, error.code]).toEqual(['permanent', 'TEXT_TOO_LONG']);
    expect(failure(() => build({ type: 'text', text: '  ' })).code).toBe('TEXT_EMPTY');
  });

  it('sends an image by link with its caption', () => {
    expect(build({ type: 'image', url: 'https://cdn.example.com/p.jpg', caption: 'Menú' })).toMatchObject({
      type: 'image',
      image: { link: 'https://cdn.example.com/p.jpg', caption: 'Menú' },
    });
    expect(build({ type: 'image', url: 'https://cdn.example.com/p.jpg' })).toMatchObject({ image: { link: 'https://cdn.example.com/p.jpg' } });
    expect(build({ type: 'image', url: 'https://cdn.example.com/p.jpg' }).image).not.toHaveProperty('caption');
  });

  it('sends native reply buttons', () => {
    expect(build({ type: 'buttons', body: '¿Confirmas?', buttons: [{ id: 'yes', title: 'Sí' }, { id: 'no', title: 'No' }] })).toMatchObject({
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: '¿Confirmas?' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'yes', title: 'Sí' } },
            { type: 'reply', reply: { id: 'no', title: 'No' } },
          ],
        },
      },
    });
  });

  it('sends a native list in one section, leaving empty descriptions out', () => {
    const payload = build({
      type: 'list',
      body: 'Elige',
      button: 'Ver opciones',
      rows: [{ id: 'a', title: 'Conchas', description: '6 piezas' }, { id: 'b', title: 'Bolillos', description: '' }],
    });
    expect(payload.interactive).toEqual({
      type: 'list',
      body: { text: 'Elige' },
      action: { button: 'Ver opciones', sections: [{ rows: [{ id: 'a', title: 'Conchas', description: '6 piezas' }, { id: 'b', title: 'Bolillos' }] }] },
    });
  });

  it.each<[string, SendableContent]>([
    ['no buttons', { type: 'buttons', body: 'x', buttons: [] }],
    ['four buttons', { type: 'buttons', body: 'x', buttons: ['a', 'b', 'c', 'd'].map((id) => ({ id, title: id })) }],
    ['a 21-character button title', { type: 'buttons', body: 'x', buttons: [{ id: 'a', title: 'x'.repeat(21) }] }],
    ['a 257-character button id', { type: 'buttons', body: 'x', buttons: [{ id: 'x'.repeat(257), title: 'a' }] }],
    ['duplicate button titles', { type: 'buttons', body: 'x', buttons: [{ id: 'a', title: 'Sí' }, { id: 'b', title: 'Sí' }] }],
    ['duplicate button ids', { type: 'buttons', body: 'x', buttons: [{ id: 'a', title: 'Sí' }, { id: 'a', title: 'No' }] }],
    ['a 1,025-character body', { type: 'buttons', body: 'x'.repeat(1025), buttons: [{ id: 'a', title: 'a' }] }],
    ['eleven rows', { type: 'list', body: 'x', button: 'Ver', rows: Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: `R${i}` })) }],
    ['a 21-character list button', { type: 'list', body: 'x', button: 'x'.repeat(21), rows: [{ id: 'a', title: 'a' }] }],
    ['a 25-character row title', { type: 'list', body: 'x', button: 'Ver', rows: [{ id: 'a', title: 'x'.repeat(25) }] }],
    ['a 73-character row description', { type: 'list', body: 'x', button: 'Ver', rows: [{ id: 'a', title: 'a', description: 'x'.repeat(73) }] }],
    ['a 201-character row id', { type: 'list', body: 'x', button: 'Ver', rows: [{ id: 'x'.repeat(201), title: 'a' }] }],
  ])('refuses interactive content with %s as content-rejected (it goes as text instead)', (_name, content) => {
    const error = failure(() => build(content));
    expect([error.kind, error.code]).toEqual(['content-rejected', 'INTERACTIVE_LIMITS']);
  });

  it('accepts interactive content exactly at the limits', () => {
    expect(() =>
      build({ type: 'buttons', body: 'x'.repeat(1024), buttons: ['a', 'b', 'c'].map((id) => ({ id: id.repeat(256), title: id.repeat(20) })) }),
    ).not.toThrow();
    expect(() =>
      build({ type: 'list', body: 'x', button: 'b'.repeat(20), rows: Array.from({ length: 10 }, (_, i) => ({ id: `${i}`.padEnd(200, 'x'), title: `${i}`.padEnd(24, 't'), description: 'd'.repeat(72) })) }),
    ).not.toThrow();
  });

  it('sends a template by name and language with numbered variables in order as body parameters', () => {
    const payload = build({ type: 'template', providerTemplateId: 'reengagement', language: 'es_MX', variables: { '2': 'martes', '1': 'Ana' } });
    expect(payload).toMatchObject({
      type: 'template',
      template: { name: 'reengagement', language: { code: 'es_MX' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: 'martes' }] }] },
    });
  });

  it('orders ten or more variables by number, not as text', () => {
    const variables = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [String(i + 1), `v${i + 1}`]));
    const payload = build({ type: 'template', providerTemplateId: 'long', language: 'es', variables });
    const [component] = (payload.template as { components: Array<{ parameters: Array<{ text: string }> }> }).components;
    expect(component!.parameters.map((p) => p.text)).toEqual(['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9', 'v10', 'v11']);
  });

  it('sends a template without variables without components', () => {
    const payload = build({ type: 'template', providerTemplateId: 'hello_world', language: 'en_US' });
    expect(payload.template).toEqual({ name: 'hello_world', language: { code: 'en_US' } });
  });

  it('refuses a template without language or with gapped variables, permanently', () => {
    expect(failure(() => build({ type: 'template', providerTemplateId: 'x' })).code).toBe('TEMPLATE_LANGUAGE_MISSING');
    const gapped = failure(() => build({ type: 'template', providerTemplateId: 'x', language: 'es', variables: { '1': 'a', '3': 'c' } }));
    expect([gapped.kind, gapped.code]).toEqual(['permanent', 'TEMPLATE_VARIABLES_INVALID']);
    expect(failure(() => build({ type: 'template', providerTemplateId: 'x', language: 'es', variables: { name: 'a' } })).code).toBe('TEMPLATE_VARIABLES_INVALID');
  });

  it('refuses a message key longer than Meta keeps', () => {
    expect(failure(() => buildMessagePayload({ to: CUSTOMER_NUMBER, content: { type: 'text', text: 'x' }, callbackData: 'k'.repeat(513) })).code).toBe(
      'CALLBACK_DATA_TOO_LONG',
    );
  });

  it('marks a message read and shows typing, or only marks it read', () => {
    expect(buildMarkReadPayload('wamid.IN')).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN', typing_indicator: { type: 'text' } });
    expect(buildMarkReadPayload('wamid.IN', { typing: false })).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN' });
  });
});
