import { parseOptionNumber, resolveNumberedOption, type PendingOptions } from '../../../lambdas/domain/ai/numbered-options';

const OPTIONS_ID = '01JD8W0000000000000000000A';
const LATER_INBOUND = '01JD8X0000000000000000000B';
const EARLIER_INBOUND = '01JD8V0000000000000000000C';

const buttons: PendingOptions = {
  messageId: OPTIONS_ID,
  options: [
    { n: 1, id: 'yes', title: 'Sí' },
    { n: 2, id: 'no', title: 'No' },
  ],
};

describe('parseOptionNumber', () => {
  it.each([
    ['2', 2],
    [' 2. ', 2],
    ['2)', 2],
    ['#2', 2],
    ['2️⃣', 2],
    ['10', 10],
  ])('reads %j as option %d', (text, expected) => {
    expect(parseOptionNumber(text)).toBe(expected);
  });

  it.each(['', 'dos', '2 por favor', '0', '123', '1.5', 'opción 2', '2 3'])('does not read %j as an option', (text) => {
    expect(parseOptionNumber(text)).toBeUndefined();
  });
});

describe('resolveNumberedOption', () => {
  it('turns a bare number into the button reply it stands for', () => {
    // Act
    const result = resolveNumberedOption({ type: 'text', text: ' 2. ' }, buttons, LATER_INBOUND);

    // Assess
    expect(result).toEqual({ resolved: true, content: { type: 'button_reply', id: 'no', title: 'No' }, n: 2, optionsMessageId: OPTIONS_ID });
  });

  it('turns a number into a list reply when the options replaced a list, keeping the description', () => {
    // Prepare
    const list: PendingOptions = { messageId: OPTIONS_ID, kind: 'list', options: [{ n: 1, id: 'row1', title: 'Centro', description: 'Av. Juárez 10' }] };

    // Act
    const result = resolveNumberedOption({ type: 'text', text: '1' }, list, LATER_INBOUND);

    // Assess
    expect(result.content).toEqual({ type: 'list_reply', id: 'row1', title: 'Centro', description: 'Av. Juárez 10' });
  });

  it('leaves the text alone without pending options, for an unknown number, or for other text', () => {
    expect(resolveNumberedOption({ type: 'text', text: '2' }, undefined, LATER_INBOUND)).toEqual({ resolved: false, content: { type: 'text', text: '2' } });
    expect(resolveNumberedOption({ type: 'text', text: '3' }, buttons, LATER_INBOUND).resolved).toBe(false);
    expect(resolveNumberedOption({ type: 'text', text: 'no gracias' }, buttons, LATER_INBOUND).resolved).toBe(false);
    expect(resolveNumberedOption({ type: 'image', media: [] }, buttons, LATER_INBOUND).resolved).toBe(false);
  });

  it('ignores options offered after the customer wrote (time-ordered ids)', () => {
    expect(resolveNumberedOption({ type: 'text', text: '1' }, buttons, EARLIER_INBOUND).resolved).toBe(false);
  });
});
