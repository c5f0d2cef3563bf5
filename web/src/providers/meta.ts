/**
 * Meta Cloud API's steps of the wizard: an app on Meta for Developers with the WhatsApp product,
 * the number added under WhatsApp → API Setup (where its Phone number ID and WABA ID are), a
 * System User access token and the app's App Secret, then the app's webhook: our Callback URL,
 * the Verify Token we show, and the `messages` field.
 */
import type { TestStep } from '../../../lambdas/domain/admin/contract';
import type { MessageKey } from '../i18n';
import { META_PATTERNS, normalizeFields, validateFields } from '../validation';
import type { ProviderSetup } from './types';

const LINKS = {
  apps: { href: 'https://developers.facebook.com/apps/', label: 'link.meta.apps' },
  getStarted: { href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/get-started', label: 'link.meta.getStarted' },
  phoneNumbers: { href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/phone-numbers', label: 'link.meta.phoneNumbers' },
  whatsappManager: { href: 'https://business.facebook.com/wa/manage/phone-numbers/', label: 'link.meta.whatsappManager' },
  systemUsers: { href: 'https://developers.facebook.com/docs/whatsapp/business-management-api/get-started', label: 'link.meta.systemUsers' },
  businessSettings: { href: 'https://business.facebook.com/settings/system-users', label: 'link.meta.businessSettings' },
  appSecret: { href: 'https://developers.facebook.com/docs/development/create-an-app/app-dashboard/basic-settings', label: 'link.meta.appSecret' },
  webhooks: { href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/guides/set-up-webhooks', label: 'link.meta.webhooks' },
} as const satisfies ProviderSetup['links'];

/**
 * The connection test explained for Meta (codes of the Meta connection tester and of Graph).
 * @example metaTestDetail({ id: 'sender', ok: false, code: 'WEBHOOK_NOT_SUBSCRIBED' }) // 'test.detail.meta.sender.notSubscribed'
 */
export function metaTestDetail(step: Pick<TestStep, 'id' | 'ok' | 'code' | 'skipped'>): MessageKey | undefined {
  if (step.skipped) return 'test.detail.skipped';
  const code = step.code ?? '';
  if (['CREDENTIALS_INVALID', 'PHONE_NUMBER_ID_MISSING', 'WABA_ID_MISSING'].includes(code)) return 'test.detail.incomplete';
  switch (step.id) {
    case 'credentials':
      if (step.ok) return 'test.detail.meta.credentials.ok';
      if (code === '190') return 'test.detail.meta.credentials.tokenRejected';
      if (code === '10' || code === '200') return 'test.detail.meta.credentials.permission';
      if (code === 'APP_SECRET_MISMATCH') return 'test.detail.meta.credentials.appSecret';
      if (code === 'DISPLAY_NUMBER_MISMATCH') return 'test.detail.meta.credentials.numberMismatch';
      return undefined;
    case 'sender':
      if (step.ok) return 'test.detail.meta.sender.ok';
      if (code === 'WEBHOOK_NOT_SUBSCRIBED') return 'test.detail.meta.sender.notSubscribed';
      if (code === '190') return 'test.detail.meta.credentials.tokenRejected';
      return undefined;
    case 'testMessage':
      return step.ok ? 'test.detail.meta.testMessage.ok' : undefined;
    default:
      return undefined;
  }
}

export const meta: ProviderSetup = {
  id: 'meta',
  description: 'provider.meta.description',
  links: LINKS,
  steps: {
    account: { short: 'step.meta.account.short', title: 'step.meta.account.title' },
    approval: { short: 'step.number.short', title: 'step.meta.approval.title' },
    credentials: { short: 'step.credentials.short', title: 'step.meta.credentials.title' },
    webhooks: { short: 'step.webhooks.short', title: 'step.meta.webhooks.title' },
  },

  account: [
    { kind: 'text', text: 'step.meta.account.body' },
    {
      kind: 'steps',
      items: [
        { text: 'step.meta.account.item1', links: [LINKS.apps] },
        { text: 'step.meta.account.item2', links: [LINKS.getStarted] },
        { text: 'step.meta.account.item3' },
      ],
    },
  ],

  approval: [
    { kind: 'text', text: 'step.meta.approval.body1' },
    { kind: 'text', text: 'step.meta.approval.body2' },
    { kind: 'links', links: [LINKS.phoneNumbers, LINKS.whatsappManager] },
  ],

  credentials: {
    intro: [
      {
        kind: 'steps',
        items: [
          { text: 'step.meta.credentials.item1', links: [LINKS.businessSettings, LINKS.systemUsers] },
          { text: 'step.meta.credentials.item2', links: [LINKS.appSecret] },
        ],
      },
      { kind: 'text', text: 'step.meta.credentials.body' },
    ],
    fields: [
      { name: 'phoneNumberId', label: 'form.phoneNumberId', hint: 'form.phoneNumberId.hint', testid: 'phone-number-id', inputmode: 'numeric', placeholder: '106540352242922' },
      { name: 'wabaId', label: 'form.wabaId', hint: 'form.wabaId.hint', testid: 'waba-id', inputmode: 'numeric', placeholder: '102290129340398' },
      { name: 'accessToken', label: 'form.accessToken', hint: 'form.accessToken.hint', testid: 'access-token', type: 'password', autocomplete: 'new-password', placeholder: 'EAA…' },
      { name: 'appSecret', label: 'form.appSecret', hint: 'form.appSecret.hint', testid: 'app-secret', type: 'password', autocomplete: 'new-password' },
      { name: 'whatsappNumber', label: 'form.businessNumber', hint: 'form.metaNumber.hint', testid: 'whatsapp-number', type: 'tel', inputmode: 'tel', optional: true, placeholder: '+14155238886' },
    ],
    normalize: normalizeFields,
    validate: (values) => validateFields(values, META_PATTERNS, ['whatsappNumber']),
    errorText: (field, problem) => `error.${field}.${problem}` as MessageKey,
    body: (values) => ({
      provider: 'meta',
      meta: {
        phoneNumberId: values.phoneNumberId,
        wabaId: values.wabaId,
        accessToken: values.accessToken,
        appSecret: values.appSecret,
        ...(values.whatsappNumber ? { whatsappNumber: values.whatsappNumber } : {}),
      },
    }),
    saved: (view) => (view.provider === 'meta' ? { phoneNumberId: view.credentials.phoneNumberId, wabaId: view.credentials.wabaId, whatsappNumber: view.displayNumber } : {}),
    secrets: {
      accessToken: (view, t) => (view?.provider === 'meta' ? t('form.accessToken.savedHint', { last4: view.credentials.accessTokenLast4 }) : undefined),
      appSecret: (view, t) => (view?.provider === 'meta' ? t('form.appSecret.savedHint', { last4: view.credentials.appSecretLast4 }) : undefined),
    },
    savedText: 'form.saved.meta',
  },

  webhooks: {
    before: [
      { kind: 'text', text: 'step.meta.webhooks.body' },
      { kind: 'steps', items: [{ text: 'step.meta.webhooks.item1', links: [LINKS.webhooks] }, { text: 'step.meta.webhooks.item2' }, { text: 'step.meta.webhooks.item3' }] },
    ],
    saveFirst: 'webhooks.saveFirst',
    copy: [
      { id: 'webhook-callback', label: 'webhooks.callbackUrl', where: 'webhooks.callbackUrl.where', testid: 'webhook-incoming', value: (view) => (view?.provider === 'meta' ? view.webhookUrls.incoming : undefined) },
      // Shown in full by design (contract: MetaCredentialsView): the owner pastes it into Meta's dashboard.
      { id: 'webhook-verify-token', label: 'webhooks.verifyToken', where: 'webhooks.verifyToken.where', testid: 'verify-token', value: (view) => (view?.provider === 'meta' ? view.credentials.verifyToken || undefined : undefined) },
    ],
    // A number connected with Facebook (Echo's own Meta app) has nothing to paste.
    status: (view, t) => (view?.provider === 'meta' && view.onboarding === 'embedded-signup' ? { text: t('signup.webhooks.none'), ok: true } : { text: '' }),
    after: [],
  },

  testLabel: (id) => (id === 'sender' ? 'test.step.sender.meta' : `test.step.${id}`),
  testDetail: metaTestDetail,
};
