/**
 * What every part of the page is handed when it is built: the reader's language, the session and
 * the screen-reader announcer, plus the connection everyone shows. Passed explicitly, so each
 * part's own state stays in the object its factory returns.
 */
import type { ConnectionView, ProviderConnectionView } from '../../lambdas/domain/admin/contract';
import type { Locale, MessageKey, Translate } from './i18n';
import type { ProviderId } from './providers/types';
import type { Session } from './session';

export interface PageContext {
  readonly locale: Locale;
  readonly t: Translate;
  readonly session: Session;
  /** Says `text` through the polite live region. */
  announce(text: string): void;
  /** What went wrong with an API call, in the reader's language. */
  problemText(error: unknown): string;
}

/** Each provider's name for people. */
export const PROVIDER_NAMES: Readonly<Record<ProviderId, MessageKey>> = { twilio: 'provider.twilio', meta: 'provider.meta', '360dialog': 'provider.360dialog' };

/** The saved connection while it is active (narrowed on its provider), else `undefined`. */
export function activeConnection(view: ConnectionView | undefined): ProviderConnectionView | undefined {
  return view?.provider !== undefined && view.status === 'active' ? view : undefined;
}

/** The business's connection as last read or saved; the status card, wizard and templates show it. */
export interface ConnectionStore {
  readonly view: ConnectionView | undefined;
  /** Shows `view` (the answer of a save) everywhere at once. */
  set(view: ConnectionView): void;
  /** Reads the connection from the API and shows it. */
  reload(): Promise<void>;
}
