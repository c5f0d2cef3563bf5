import { parseCoexistenceArgs } from '../../../local/simulate';

const DEMO = { demoMetaConnectionId: 'demo-meta', demoMetaNumberId: '1000000000001' };
const NOW = Date.parse('2026-11-27T12:00:00Z');

describe('npm run simulate -- echo | history | contacts | partner-removed', () => {
  it("sends the owner's echo to the demo Meta number by default, or to the number given", () => {
    expect(parseCoexistenceArgs('echo', ['--to', '+5215512345678', '--text', 'Ya te atiendo yo'], DEMO)).toEqual({
      kind: 'echo',
      account: '1000000000001',
      to: '+5215512345678',
      text: 'Ya te atiendo yo',
    });
    expect(parseCoexistenceArgs('echo', ['--connection', '1999', '--to', '+5215512345678', '--text', 'x'], DEMO).account).toBe('1999');
  });

  it('builds a history chunk of past messages, alternating customer and owner, oldest first, all before now', () => {
    const request = parseCoexistenceArgs('history', ['--messages', '3', '--phase', '1', '--chunk', '2', '--progress', '40'], DEMO, NOW);

    expect(request).toMatchObject({ kind: 'history', phase: 1, chunkOrder: 2, progress: 40 });
    const messages = request.kind === 'history' ? request.threads![0]!.messages : [];
    expect(messages.map((m) => m.fromMe)).toEqual([false, true, false]);
    expect(messages.every((m, i) => m.at < NOW && (i === 0 || m.at > messages[i - 1]!.at))).toBe(true);
    expect(parseCoexistenceArgs('history', ['--declined'], DEMO, NOW)).toMatchObject({ kind: 'history', declined: true });
  });

  it('refuses what cannot be posted, with the fix in the message', () => {
    expect(() => parseCoexistenceArgs('echo', ['--to', '5512345678', '--text', 'x'], DEMO)).toThrow(/E\.164/);
    expect(() => parseCoexistenceArgs('echo', ['--to', '+5215512345678'], DEMO)).toThrow(/--text is required/);
    expect(() => parseCoexistenceArgs('contacts', ['--phone', '+5215512345678'], DEMO)).toThrow(/--name is required/);
    expect(() => parseCoexistenceArgs('partner-removed', ['--reason', 'gone away'], DEMO)).toThrow(/capitals/);
    expect(() => parseCoexistenceArgs('echo', ['--to', '+5215512345678', '--text', 'x'], {})).toThrow(/no Meta demo/);
  });
});
