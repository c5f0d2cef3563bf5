import {
  canonicalJson,
  contentHash,
  interactiveContentDefinition,
} from '../../../../../lambdas/providers/whatsapp/twilio/send/content';

describe('canonicalJson', () => {
  it('sorts object keys at every level and keeps array order', () => {
    // Act
    const json = canonicalJson({ b: { d: 1, c: [3, { z: 1, y: 2 }] }, a: 'x' });

    // Assess
    expect(json).toBe('{"a":"x","b":{"c":[3,{"y":2,"z":1}],"d":1}}');
  });

  it('drops undefined values, as JSON.stringify does', () => {
    // Act / Assess
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
});

describe('contentHash', () => {
  it('does not depend on the order keys were written in', () => {
    // Act
    const one = contentHash('en', { 'twilio/quick-reply': { body: 'x', actions: [{ title: 'A', id: 'a' }] } });
    const two = contentHash('en', { 'twilio/quick-reply': { actions: [{ id: 'a', title: 'A' }], body: 'x' } });

    // Assess
    expect(one).toBe(two);
    expect(one).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with the button order, an id, or the language', () => {
    // Prepare
    const base = { body: 'x', actions: [{ title: 'A', id: 'a' }, { title: 'B', id: 'b' }] };

    // Act
    const hashes = new Set([
      contentHash('en', { 'twilio/quick-reply': base }),
      contentHash('en', { 'twilio/quick-reply': { ...base, actions: [...base.actions].reverse() } }),
      contentHash('en', { 'twilio/quick-reply': { ...base, actions: [{ title: 'A', id: 'a2' }, base.actions[1]] } }),
      contentHash('es', { 'twilio/quick-reply': base }),
    ]);

    // Assess
    expect(hashes.size).toBe(4);
  });
});

describe('interactiveContentDefinition', () => {
  it('names buttons and lists after their hash, in language en', () => {
    // Act
    const buttons = interactiveContentDefinition({ type: 'buttons', body: 'b', buttons: [{ id: 'a', title: 'A' }] });
    const list = interactiveContentDefinition({ type: 'list', body: 'b', button: 'Open', rows: [{ id: 'a', title: 'A', description: '' }] });

    // Assess
    expect(buttons.friendlyName).toBe(`echo_buttons_${buttons.hash.slice(0, 16)}`);
    expect(buttons.language).toBe('en');
    expect(list.friendlyName).toBe(`echo_list_${list.hash.slice(0, 16)}`);
    expect(list.types).toEqual({ 'twilio/list-picker': { body: 'b', button: 'Open', items: [{ id: 'a', item: 'A' }] } });
  });
});
