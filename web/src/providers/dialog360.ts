/**
 * 360dialog's steps of the wizard: a 360dialog Hub account, the number running in the Hub, its
 * API key (a new key revokes the previous one and the webhook registered with it) and the number.
 * There is no webhook to paste: every save registers ours with 360dialog, and step 5 says how
 * that went.
 */
import type { ProviderConnectionView, TestStep } from '../../../lambdas/domain/admin/contract';
import { formatDateTime } from '../format';
import type { MessageKey, Translate } from '../i18n';
import { DIALOG360_PATTERNS, normalizeFields, validateFields } from '../validation';
import type { ProviderSetup } from './types';

const LINKS = {
  hub: { href: 'https://hub.360dialog.com/', label: 'link.360dialog.hub' },
  numbers: { href: 'https://docs.360dialog.com/docs/account-management/the-360-client-hub/navigation', label: 'link.360dialog.numbers' },
  apiKey: { href: 'https://docs.360dialog.com/docs/hub/api-key', label: 'link.360dialog.apiKey' },
} as const satisfies ProviderSetup['links'];

/** 360dialog's refusals that carry no Meta code (codes of the 360dialog error table). */
const REFUSALS: Readonly<Record<string, MessageKey>> = {
  D360_INVALID_API_KEY: 'test.detail.360dialog.credentials.rejected',
  D360_ENDPOINT_BLOCKED: 'test.detail.360dialog.blocked',
  D360_LACK_OF_PAYMENT: 'test.detail.360dialog.payment',
  CREDENTIALS_INVALID: 'test.detail.incomplete',
};

/**
 * The connection test explained for 360dialog.
 * @example dialog360TestDetail({ id: 'credentials', ok: false, code: 'D360_INVALID_API_KEY' }) // 'test.detail.360dialog.credentials.rejected'
 */
export function dialog360TestDetail(step: Pick<TestStep, 'id' | 'ok' | 'code' | 'skipped'>): MessageKey | undefined {
  if (step.skipped) return 'test.detail.skipped';
  if (!step.ok) return step.code ? REFUSALS[step.code] : undefined;
  switch (step.id) {
    case 'credentials':
      return 'test.detail.360dialog.credentials.ok';
    case 'sender':
      return 'test.detail.360dialog.sender.ok';
    case 'testMessage':
      return 'test.detail.360dialog.testMessage.ok';
    default:
      return undefined;
  }
}

/**
 * How registering our webhook with 360dialog went at the last save (`setup` of the view).
 * @example registrationStatus(view, t, 'en') // { text: 'Registered with 360dialog on Nov 27, 2026, 3:45 PM.', ok: true }
 */
export function registrationStatus(view: ProviderConnectionView | undefined, t: Translate, locale: string): { text: string; ok?: boolean } {
  const setup = view?.provider === '360dialog' ? view.setup : undefined;
  if (!setup) return { text: t('webhooks.registration.pending') };
  if (setup.ok) {
    const at = Date.parse(setup.at);
    return { text: t('webhooks.registration.ok', { time: Number.isNaN(at) ? '' : formatDateTime(at, locale) }), ok: true };
  }
  const reason = setup.code === 'D360_INVALID_API_KEY' ? t('webhooks.registration.keyRejected') : `${setup.detail}${setup.code ? ` (${setup.code})` : ''}`;
  return { text: t('webhooks.registration.failed', { reason }), ok: false };
}

export const dialog360: ProviderSetup = {
  id: '360dialog',
  description: 'provider.360dialog.description',
  links: LINKS,
  steps: {
    account: { short: 'step.account.short', title: 'step.360dialog.account.title' },
    approval: { short: 'step.number.short', title: 'step.360dialog.approval.title' },
    credentials: { short: 'step.360dialog.credentials.short', title: 'step.360dialog.credentials.title' },
    webhooks: { short: 'step.360dialog.webhooks.short', title: 'step.360dialog.webhooks.title' },
  },

  account: [
    { kind: 'text', text: 'step.360dialog.account.body' },
    { kind: 'steps', items: [{ text: 'step.360dialog.account.item1', links: [LINKS.hub] }, { text: 'step.360dialog.account.item2' }] },
  ],

  approval: [
    { kind: 'text', text: 'step.360dialog.approval.body1' },
    { kind: 'text', text: 'step.360dialog.approval.body2' },
    { kind: 'links', links: [LINKS.numbers] },
  ],

  credentials: {
    intro: [
      { kind: 'steps', items: [{ text: 'step.360dialog.credentials.item1', links: [LINKS.apiKey] }] },
      { kind: 'text', text: 'step.360dialog.credentials.warning', tone: 'warning', testid: 'api-key-warning' },
      { kind: 'text', text: 'step.360dialog.credentials.body' },
    ],
    fields: [
      { name: 'apiKey', label: 'form.apiKey', hint: 'form.apiKey.hint', testid: 'api-key', type: 'password', autocomplete: 'new-password' },
      { name: 'whatsappNumber', label: 'form.businessNumber', hint: 'form.whatsappNumber.hint', testid: 'whatsapp-number', type: 'tel', inputmode: 'tel', placeholder: '+14155238886' },
    ],
    normalize: normalizeFields,
    validate: (values) => validateFields(values, DIALOG360_PATTERNS),
    errorText: (field, problem) => `error.${field}.${problem}` as MessageKey,
    body: (values) => ({ provider: '360dialog', dialog360: { apiKey: values.apiKey, whatsappNumber: values.whatsappNumber } }),
    saved: (view) => (view.provider === '360dialog' ? { whatsappNumber: view.displayNumber } : {}),
    secrets: { apiKey: (view, t) => (view?.provider === '360dialog' ? t('form.apiKey.savedHint', { last4: view.credentials.apiKeyLast4 }) : undefined) },
    savedText: 'form.saved.360dialog',
  },

  webhooks: {
    before: [{ kind: 'text', text: 'step.360dialog.webhooks.body' }],
    copy: [
      { id: 'webhook-registered', label: 'webhooks.registered', where: 'webhooks.registered.where', testid: 'webhook-incoming', value: (view) => (view?.provider === '360dialog' ? view.webhookUrls.incoming : undefined) },
    ],
    status: registrationStatus,
    after: [{ kind: 'text', text: 'step.360dialog.webhooks.warning', tone: 'notice' }],
  },

  testLabel: (id) => (id === 'sender' ? 'test.step.sender.360dialog' : `test.step.${id}`),
  testDetail: dialog360TestDetail,
};
