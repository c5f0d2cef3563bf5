import type { MessageView } from '../../../lambdas/domain/admin/contract';
import { dictionaries, LOCALES, translator, type MessageKey } from '../../../web/src/i18n';
import { failureDetails, failureKey, messageBody } from '../../../web/src/messages';

const en = translator('en');
const asIs = (name: string) => name;
const item = (content: Record<string, unknown>, overrides: Partial<MessageView> = {}): MessageView => ({
  messageId: 'm1',
  direction: 'inbound',
  type: String(content.type),
  content,
  createdAt: '2026-11-27T12:00:00Z',
  ...overrides,
});

describe('messageBody: media and interactive messages in words', () => {
  it.each([
    [{ type: 'image', media: [{ contentType: 'image/jpeg', kind: 'image' }] }, '📷 Photo'],
    [{ type: 'voice', media: [{ contentType: 'audio/ogg', kind: 'voice' }] }, '🎤 Voice note'],
    [{ type: 'audio', media: [{ contentType: 'audio/mpeg', kind: 'audio' }] }, '🎵 Audio'],
    [{ type: 'video', media: [{ contentType: 'video/mp4', kind: 'video' }] }, '🎥 Video'],
    [{ type: 'document', media: [{ contentType: 'application/pdf', kind: 'document', filename: 'menu.pdf' }] }, '📄 Document: menu.pdf'],
    [{ type: 'document', media: [{ contentType: 'application/pdf', kind: 'document' }] }, '📄 Document'],
    [{ type: 'contacts', media: [], cards: [{ name: 'Ana Ruiz', phones: [] }] }, '👤 Contact: Ana Ruiz'],
    [{ type: 'location', latitude: 19.4, longitude: -99.1, label: 'Panadería' }, '📍 Location: Panadería'],
    [{ type: 'button_reply', id: 'yes', title: 'Sí, gracias' }, 'Chose “Sí, gracias”'],
    [{ type: 'reaction', emoji: '👍' }, 'Reacted 👍'],
    [{ type: 'reaction', emoji: '', removed: true }, 'Removed a reaction'],
  ])('%j → %s', (content, label) => {
    expect(messageBody(en, item(content), asIs)).toEqual({ label });
  });

  it('never shows a bare [type], whatever the API summary says', () => {
    // Prepare: the API's one-line summary of media without caption is `[image]`
    const photo = item({ type: 'image', media: [] }, { text: '[image]' });
    const novel = item({ type: 'hologram' }, { text: '[hologram]' });

    // Act
    const bodies = [messageBody(en, photo, asIs), messageBody(en, novel, asIs), messageBody(translator('pt-BR'), photo, asIs)];

    // Assess
    for (const body of bodies) expect(JSON.stringify(body)).not.toMatch(/\[\w+\]/);
    expect(bodies[1].label).toBe('A message Echo cannot show yet (hologram)');
    expect(bodies[2].label).toBe('📷 Foto');
  });

  it('keeps a caption as the text under the media label', () => {
    expect(messageBody(en, item({ type: 'image', media: [], caption: '  Mi pedido ' }), asIs)).toEqual({ label: '📷 Photo', text: 'Mi pedido' });
  });

  it('shows the buttons and list rows the AI offered, with the list button', () => {
    const buttons = messageBody(en, item({ type: 'buttons', body: '¿Confirmas?', buttons: [{ id: 'y', title: 'Sí' }, { id: 'n', title: 'No' }] }, { direction: 'outbound' }), asIs);
    const list = messageBody(
      en,
      item({ type: 'list', body: 'Elige un pan', button: 'Ver panes', rows: [{ id: 'c', title: 'Concha', description: 'Dulce' }, { id: 'b', title: 'Bolillo' }] }, { direction: 'outbound' }),
      asIs,
    );
    expect(buttons).toEqual({ text: '¿Confirmas?', options: { kind: 'buttons', items: [{ title: 'Sí' }, { title: 'No' }] } });
    expect(list).toEqual({ text: 'Elige un pan', options: { kind: 'list', button: 'Ver panes', items: [{ title: 'Concha', description: 'Dulce' }, { title: 'Bolillo' }] } });
  });

  it('names templates through the page, text as it is', () => {
    expect(messageBody(en, item({ type: 'template', template: { name: 'reengagement' } }), () => 'Re-engagement')).toEqual({ label: 'Template: Re-engagement' });
    expect(messageBody(en, item({ type: 'text', text: 'Hola\nadiós' }), asIs)).toEqual({ text: 'Hola\nadiós' });
  });
});

describe('failureKey: why a message failed, for the owner', () => {
  it.each([
    [{ failureReason: 'window-closed', errorCode: '63016' }, 'failure.windowClosed'],
    [{ failureReason: 'retryable-exhausted', errorCode: '130429' }, 'failure.retryExhausted'],
    [{ failureReason: 'outcome-unknown' }, 'failure.outcomeUnknown'],
    [{ failureReason: 'content-rejected', errorCode: '131009' }, 'failure.contentRejected'],
    [{ failureReason: 'earlier-part-failed' }, 'failure.earlierPart'],
    [{ failureReason: 'template-not-approved' }, 'failure.templateNotApproved'],
    [{ failureReason: 'permanent', errorCode: '131026' }, 'failure.notOnWhatsApp'],
    [{ failureReason: 'permanent', errorCode: '21211' }, 'failure.notOnWhatsApp'],
    [{ failureReason: 'permanent', errorCode: '131050' }, 'failure.optedOut'],
    [{ failureReason: 'permanent', errorCode: '190' }, 'failure.credentials'],
    [{ failureReason: 'permanent', errorCode: '99999' }, 'failure.permanent'],
    [{ errorCode: '131047' }, 'failure.windowClosed'],
    [{ errorCode: '30007' }, 'failure.spam'],
    [{}, 'failure.generic'],
  ] as const)('%j → %s', (failure, key) => {
    expect(failureKey(failure)).toBe(key);
  });

  it('has an owner sentence in every language for every reason and code it knows', () => {
    const reasons = ['window-closed', 'retryable-exhausted', 'outcome-unknown', 'content-rejected', 'earlier-part-failed', 'template-not-approved', 'invalid-message', 'no-connection', 'connection-unavailable', 'conversation-not-found', 'permanent'];
    const codes = ['63016', '131047', '63003', '131026', '131050', '131049', '30007', '131048', '63018', '130429', '20003', '190', '368', '132001', '131053', '131051'];
    const keys = new Set<MessageKey>([...reasons.map((failureReason) => failureKey({ failureReason })), ...codes.map((errorCode) => failureKey({ errorCode })), failureKey({})]);
    for (const key of keys) for (const locale of LOCALES) expect({ key, locale, text: dictionaries[locale][key]?.trim().length > 20 }).toEqual({ key, locale, text: true });
    expect(translator('es')('failure.windowClosed')).toMatch(/24 horas/);
  });

  it('keeps the technical reason, the code and our machine reason for the details toggle', () => {
    expect(failureDetails(en, { errorReason: 'Invalid number', errorCode: '21211', failureReason: 'permanent' })).toEqual(['Invalid number', 'Code: 21211', 'Reason: permanent']);
    expect(failureDetails(translator('pt-BR'), { errorCode: '63016' })).toEqual(['Código: 63016']);
    expect(failureDetails(en, {})).toEqual([]);
  });
});
