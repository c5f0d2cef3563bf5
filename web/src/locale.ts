/**
 * The reader's language, chosen once from the browser's preferences, shared by the settings page
 * and the status widget, and how `{name}` placeholders are filled.
 */

export type Locale = 'en' | 'es' | 'pt-BR';
export const LOCALES: readonly Locale[] = ['en', 'es', 'pt-BR'];

/**
 * The first supported language among the browser's preferences: any `pt-*` → `pt-BR`, any `es-*`
 * → `es`, any `en-*` → `en`; nothing supported → `en`.
 * @example chooseLocale(['pt-PT', 'en']) // 'pt-BR'
 */
export function chooseLocale(languages: readonly string[]): Locale {
  for (const language of languages) {
    const primary = language.toLowerCase().split(/[-_]/)[0];
    if (primary === 'pt') return 'pt-BR';
    if (primary === 'es') return 'es';
    if (primary === 'en') return 'en';
  }
  return 'en';
}

/** Texts side by side, one entry per key: `[en, es, pt-BR]`. */
export type Texts = Record<string, readonly [en: string, es: string, ptBR: string]>;

/** The index of `locale`'s text in a `Texts` entry. */
export const LOCALE_INDEX: Readonly<Record<Locale, 0 | 1 | 2>> = { en: 0, es: 1, 'pt-BR': 2 };

/**
 * `text` with its `{name}` placeholders filled from `params`; unknown names stay as they are.
 * @example fill('Ends in {last4}', { last4: '9f3a' }) // 'Ends in 9f3a'
 */
export function fill(text: string, params?: Record<string, string | number>): string {
  return params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)) : text;
}
