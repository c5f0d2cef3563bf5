/**
 * 360dialog's steps of the wizard: a 360dialog Hub account, the number running in the Hub, its
 * API key (a new key revokes the previous one and the webhook registered with it) and the number.
 * There is no webhook to paste: every save registers ours with 360dialog, and step 5 says how
 * that went.
 */
import type { TestStep } from '../../../lambdas/domain/admin/contract';
import { h, setAttr, setText } from '../dom';
import { formatDateTime } from '../format';
import type { MessageKey } from '../i18n';
import { DIALOG360_PATTERNS, normalizeFields, validateFields } from '../validation';
import type { ProviderSetup } from '../wizard';

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

  account: ({ t, externalLink }) => [
    h('p', {}, t('step.360dialog.account.body')),
    h('ol', { class: 'instructions' }, h('li', {}, t('step.360dialog.account.item1'), ' ', externalLink(LINKS.hub)), h('li', {}, t('step.360dialog.account.item2'))),
  ],

  approval: ({ t, externalLink }) => [
    h('p', {}, t('step.360dialog.approval.body1')),
    h('p', {}, t('step.360dialog.approval.body2')),
    h('ul', { class: 'links' }, h('li', {}, externalLink(LINKS.numbers))),
  ],

  credentials: {
    intro: ({ t, externalLink }) => [
      h('ol', { class: 'instructions' }, h('li', {}, t('step.360dialog.credentials.item1'), ' ', externalLink(LINKS.apiKey))),
      h('p', { class: 'notice notice--warning', 'data-testid': 'api-key-warning' }, t('step.360dialog.credentials.warning')),
      h('p', {}, t('step.360dialog.credentials.body')),
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

  webhooks(kit) {
    const { t } = kit;
    const registered = kit.copyField({ id: 'webhook-registered', label: 'webhooks.registered', where: 'webhooks.registered.where', testid: 'webhook-incoming' });
    const registration = h('p', { class: 'form-status', role: 'status', 'data-testid': 'webhook-registration' }, t('webhooks.registration.pending'));
    return {
      body: [h('p', {}, t('step.360dialog.webhooks.body')), registered.element, registration, h('p', { class: 'notice' }, t('step.360dialog.webhooks.warning'))],
      render(view) {
        const saved = view?.provider === '360dialog' ? view : undefined;
        registered.set(saved?.webhookUrls.incoming);
        const setup = saved?.setup;
        setAttr(registration, 'data-ok', setup ? String(setup.ok) : undefined);
        registration.className = `form-status${setup ? (setup.ok ? ' form-status--ok' : ' form-status--error') : ''}`;
        if (!setup) return setText(registration, t('webhooks.registration.pending'));
        const at = Date.parse(setup.at);
        if (setup.ok) return setText(registration, t('webhooks.registration.ok', { time: Number.isNaN(at) ? '' : formatDateTime(at, kit.locale) }));
        const reason = setup.code === 'D360_INVALID_API_KEY' ? t('webhooks.registration.keyRejected') : `${setup.detail}${setup.code ? ` (${setup.code})` : ''}`;
        setText(registration, t('webhooks.registration.failed', { reason }));
      },
    };
  },

  testLabel: (id) => (id === 'sender' ? 'test.step.sender.360dialog' : `test.step.${id}`),
  testDetail: dialog360TestDetail,
};
