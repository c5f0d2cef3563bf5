import { chooseLocale, dictionaries, LOCALES, translate } from '../../../web/src/i18n';

describe('settings page languages', () => {
  it.each([
    [['pt-BR'], 'pt-BR'],
    [['pt-PT', 'en-US'], 'pt-BR'],
    [['pt'], 'pt-BR'],
    [['es-MX', 'en'], 'es'],
    [['es'], 'es'],
    [['en-GB'], 'en'],
    [['de-DE', 'fr'], 'en'],
    [['de-DE', 'es-AR'], 'es'],
    [['fr', 'pt_BR'], 'pt-BR'],
    [[], 'en'],
  ])('chooses %j → %s', (languages, expected) => {
    expect(chooseLocale(languages)).toBe(expected);
  });

  it('has the same keys in all three dictionaries, none of them empty', () => {
    const english = Object.keys(dictionaries.en).sort();
    expect(english.length).toBeGreaterThan(100);
    expect(LOCALES).toEqual(['en', 'es', 'pt-BR']);
    for (const locale of LOCALES) {
      expect(Object.keys(dictionaries[locale]).sort()).toEqual(english);
      for (const [key, text] of Object.entries(dictionaries[locale])) {
        expect({ locale, key, ok: typeof text === 'string' && text.trim().length > 0 }).toEqual({ locale, key, ok: true });
      }
    }
  });

  it('keeps the same placeholders in every translation', () => {
    const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(dictionaries.en) as Array<keyof typeof dictionaries.en>) {
      for (const locale of LOCALES) expect({ key, locale, found: placeholders(dictionaries[locale][key]) }).toEqual({ key, locale, found: placeholders(dictionaries.en[key]) });
    }
  });

  it('fills placeholders and translates the status words the browser tests look for', () => {
    expect(translate('es', 'form.authToken.savedHint', { last4: '9f3a' })).toContain('9f3a');
    expect(translate('en', 'status.connected')).toBe('Connected');
    expect(translate('en', 'status.notConnected')).toBe('Not connected');
    expect(translate('en', 'status.noMessages')).toMatch(/no messages/i);
    expect(translate('pt-BR', 'tick.read')).toBe('Lida');
    expect(translate('en', 'window.closed')).toBe('Window closed — only templates can be sent');
  });
});
