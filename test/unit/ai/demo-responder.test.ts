import { DEMO_BUTTONS, DEMO_FOLLOW_UP_BODY, DemoResponder } from '../../../lambdas/domain/ai/demo-responder';
import type { ResponderInput } from '../../../lambdas/domain/ai/responder';
import { outboundContentSchema } from '../../../lambdas/domain/outbound/contract';
import { inboundMessage } from './support';

function input(content: Record<string, unknown> & { type: string }, profileName?: string): ResponderInput {
  const message = inboundMessage({ content, customer: { id: '+5215512345678', isPhoneNumber: true, ...(profileName && { profileName }) } });
  return { businessId: 'acme', connectionId: 'conn1', conversationId: message.conversationId, message, history: [] };
}

describe('DemoResponder', () => {
  const responder = new DemoResponder();

  it('echoes a text with the customer name, then offers reply buttons; both are valid outbound contents', async () => {
    // Act
    const replies = await responder.reply(input({ type: 'text', text: 'Quiero un pastel' }, 'Ana López'));

    // Assess
    expect(replies).toEqual([
      { type: 'text', text: '¡Hola, Ana! Recibí tu mensaje: «Quiero un pastel».' },
      {
        type: 'buttons',
        body: DEMO_FOLLOW_UP_BODY,
        buttons: [
          { id: 'demo_yes', title: 'Sí' },
          { id: 'demo_no', title: 'No' },
          { id: 'demo_human', title: 'Hablar con alguien' },
        ],
      },
    ]);
    for (const reply of replies) expect(outboundContentSchema.safeParse(reply).success).toBe(true);
  });

  it.each([
    [{ type: 'image', media: [], caption: 'mi recibo' }, 'Recibí tu imagen con el texto «mi recibo».'],
    [{ type: 'voice', media: [] }, 'Recibí tu nota de voz.'],
    [{ type: 'location', latitude: 19.4326, longitude: -99.1332, label: 'Oficina' }, 'Recibí tu ubicación: «Oficina» (19.43260, -99.13320).'],
    [{ type: 'list_reply', id: 'r1', title: 'Sucursal Centro' }, 'Elegiste «Sucursal Centro».'],
    [{ type: 'button_reply', id: 'other', title: 'Ver menú' }, 'Elegiste «Ver menú».'],
    [{ type: 'unsupported', reason: 'x', raw: {} }, 'Recibí tu mensaje, pero todavía no sé leer ese tipo de contenido.'],
  ])('says what it understood of %j', async (content, sentence) => {
    // Act
    const [first] = await responder.reply(input(content));

    // Assess
    expect(first).toEqual({ type: 'text', text: `¡Hola! ${sentence}` });
  });

  it('answers a tap on its own button with one closing text and no new buttons (no loop)', async () => {
    // Act
    const replies = await responder.reply(input({ type: 'button_reply', id: DEMO_BUTTONS.no.id, title: 'No' }));

    // Assess
    expect(replies).toHaveLength(1);
    expect(replies[0]?.type).toBe('text');
  });

  it('cuts a very long text so the echo stays short', async () => {
    // Act
    const [first] = await responder.reply(input({ type: 'text', text: 'a'.repeat(5000) }));

    // Assess
    expect(first?.type === 'text' && [...first.text].length).toBeLessThan(260);
  });
});
