/**
 * Twilio's steps of the wizard: create and upgrade a Twilio account, register the number as a
 * WhatsApp sender, enter the Account SID and Auth Token, paste three webhook URLs into the sender.
 */
import { stepDetailKey } from '../format';
import type { MessageKey } from '../i18n';
import { normalizeCredentials, validateCredentials, type CredentialInput } from '../validation';
import type { ProviderSetup } from './types';

const LINKS = {
  signUp: { href: 'https://www.twilio.com/try-twilio', label: 'link.signUp' },
  console: { href: 'https://console.twilio.com/', label: 'link.console' },
  selfSignUp: { href: 'https://www.twilio.com/docs/whatsapp/self-sign-up', label: 'link.selfSignUp' },
  numberRequirements: { href: 'https://help.twilio.com/articles/360026678054', label: 'link.numberRequirements' },
  sendersApi: { href: 'https://www.twilio.com/docs/whatsapp/register-senders-using-api', label: 'link.sendersApi' },
  fallback: { href: 'https://www.twilio.com/docs/usage/security/availability-reliability', label: 'link.fallback' },
} as const satisfies ProviderSetup['links'];

const asInput = (values: Record<string, string>): CredentialInput => ({
  accountSid: values.accountSid ?? '',
  authToken: values.authToken ?? '',
  whatsappNumber: values.whatsappNumber ?? '',
  messagingServiceSid: values.messagingServiceSid ?? '',
});

export const twilio: ProviderSetup = {
  id: 'twilio',
  description: 'provider.twilio.description',
  recommended: true,
  links: LINKS,
  steps: {
    account: { short: 'step.account.short', title: 'step.account.title' },
    approval: { short: 'step.approval.short', title: 'step.approval.title' },
    credentials: { short: 'step.credentials.short', title: 'step.credentials.title' },
    webhooks: { short: 'step.webhooks.short', title: 'step.webhooks.title' },
  },

  account: [
    { kind: 'text', text: 'step.account.body' },
    {
      kind: 'steps',
      items: [
        { text: 'step.account.item1', links: [LINKS.signUp] },
        { text: 'step.account.item2' },
        { text: 'step.account.item3', links: [LINKS.console] },
        { text: 'step.account.item4', links: [LINKS.selfSignUp] },
      ],
    },
  ],

  // The Self Sign-up guide (which covers the sender's review) is linked from step 2 already.
  approval: [
    { kind: 'text', text: 'step.approval.body1' },
    { kind: 'text', text: 'step.approval.body2' },
    { kind: 'links', links: [LINKS.numberRequirements, LINKS.sendersApi] },
  ],

  credentials: {
    intro: [{ kind: 'text', text: 'step.credentials.body' }],
    fields: [
      { name: 'accountSid', label: 'form.accountSid', hint: 'form.accountSid.hint', testid: 'account-sid', placeholder: 'AC…' },
      { name: 'authToken', label: 'form.authToken', hint: 'form.authToken.hint', testid: 'auth-token', type: 'password', autocomplete: 'new-password' },
      { name: 'whatsappNumber', label: 'form.whatsappNumber', hint: 'form.whatsappNumber.hint', testid: 'whatsapp-number', type: 'tel', inputmode: 'tel', placeholder: '+14155238886', autocomplete: 'off' },
      { name: 'messagingServiceSid', label: 'form.messagingServiceSid', hint: 'form.messagingServiceSid.hint', testid: 'messaging-service-sid', optional: true, placeholder: 'MG…' },
    ],
    normalize: (values) => ({ ...normalizeCredentials(asInput(values)) }),
    validate: (values) => validateCredentials(asInput(values)),
    errorText: (field, problem) => `error.${field}.${problem}` as MessageKey,
    body: (values) => ({
      provider: 'twilio',
      twilio: {
        accountSid: values.accountSid,
        authToken: values.authToken,
        whatsappNumber: values.whatsappNumber,
        ...(values.messagingServiceSid ? { messagingServiceSid: values.messagingServiceSid } : {}),
      },
    }),
    saved: (view) => (view.provider === 'twilio' ? { accountSid: view.credentials.accountSid, whatsappNumber: view.displayNumber, messagingServiceSid: view.credentials.messagingServiceSid } : {}),
    secrets: { authToken: (view, t) => (view?.provider === 'twilio' ? t('form.authToken.savedHint', { last4: view.credentials.authTokenLast4 }) : undefined) },
    savedText: 'form.saved',
  },

  webhooks: {
    before: [
      { kind: 'text', text: 'step.webhooks.body' },
      { kind: 'steps', items: [{ text: 'step.webhooks.item1', links: [LINKS.console] }, { text: 'step.webhooks.item2' }, { text: 'step.webhooks.item3' }] },
    ],
    saveFirst: 'webhooks.saveFirst',
    copy: [
      { id: 'webhook-incoming', label: 'webhooks.incoming', where: 'webhooks.incoming.where', testid: 'webhook-incoming', value: (view) => (view?.provider === 'twilio' ? view.webhookUrls.incoming : undefined) },
      { id: 'webhook-statusCallback', label: 'webhooks.status', where: 'webhooks.status.where', testid: 'webhook-status', value: (view) => (view?.provider === 'twilio' ? view.webhookUrls.statusCallback : undefined) },
      { id: 'webhook-fallback', label: 'webhooks.fallback', where: 'webhooks.fallback.where', testid: 'webhook-fallback', value: (view) => (view?.provider === 'twilio' ? view.webhookUrls.fallback : undefined) },
    ],
    after: [{ kind: 'links', links: [LINKS.fallback] }],
  },

  testLabel: (id) => `test.step.${id}`,
  testDetail: stepDetailKey,
};
