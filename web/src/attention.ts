/**
 * Why a connection needs its owner, in the reader's language: the status card's notice when the
 * BSP refused the credentials (the admin API's `attention` marker), with what to do about it.
 * Pure (no DOM): unit-tested in Node.
 */
import type { ConnectionView } from '../../lambdas/domain/admin/contract';
import { formatDateTime } from './format';
import type { Locale, MessageKey, Translate } from './i18n';
import type { ProviderId } from './providers/types';

/** Each provider's name (as `context.ts`'s `PROVIDER_NAMES`; not imported: that module reaches the DOM typings). */
const PROVIDER_NAMES: Readonly<Record<ProviderId, MessageKey>> = { twilio: 'provider.twilio', meta: 'provider.meta', '360dialog': 'provider.360dialog' };

/** Where each provider's owner gets new credentials. */
const REMEDY: Readonly<Record<ProviderId, MessageKey>> = {
  twilio: 'attention.remedy.twilio',
  meta: 'attention.remedy.meta',
  '360dialog': 'attention.remedy.360dialog',
};

export interface AttentionNotice {
  /** What happened, with the BSP's code and when. */
  reason: string;
  /** What to do. */
  remedy: string;
}

/**
 * The notice of an active connection the BSP refused the credentials of; `undefined` otherwise.
 * @example attentionNotice(view, translator('en'), 'en')?.reason // 'Twilio rejected this number’s credentials (code 20003) on …'
 */
export function attentionNotice(view: ConnectionView | undefined, t: Translate, locale: Locale): AttentionNotice | undefined {
  if (!view?.provider || view.status !== 'active' || !view.attention) return undefined;
  const at = Date.parse(view.attention.at);
  return {
    reason: t('attention.credentialsRejected', {
      provider: t(PROVIDER_NAMES[view.provider]),
      code: view.attention.code,
      date: Number.isNaN(at) ? '—' : formatDateTime(at, locale),
    }),
    remedy: t(REMEDY[view.provider]),
  };
}
