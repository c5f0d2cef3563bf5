/**
 * Twilio's steps of the wizard: create and upgrade a Twilio account, register the number as a
 * WhatsApp sender, enter the Account SID and Auth Token, paste three webhook URLs into the sender.
 */
import { h } from '../dom';
import { stepDetailKey } from '../format';
import type { MessageKey } from '../i18n';
import { normalizeCredentials, validateCredentials, type CredentialInput } from '../validation';
import type { ProviderSetup } from '../wizard';

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

  account: ({ t, externalLink }) => [
    h('p', {}, t('step.account.body')),
    h(
      'ol',
      { class: 'instructions' },
      h('li', {}, t('step.account.item1'), ' ', externalLink(LINKS.signUp)),
      h('li', {}, t('step.account.item2')),
      h('li', {}, t('step.account.item3'), ' ', externalLink(LINKS.console)),
      h('li', {}, t('step.account.item4'), ' ', externalLink(LINKS.selfSignUp)),
    ),
  ],

  // The Self Sign-up guide (which covers the sender's review) is linked from step 2 already.
  approval: ({ t, externalLink }) => [
    h('p', {}, t('step.approval.body1')),
    h('p', {}, t('step.approval.body2')),
    h('ul', { class: 'links' }, h('li', {}, externalLink(LINKS.numberRequirements)), h('li', {}, externalLink(LINKS.sendersApi))),
  ],

  credentials: {
    intro: ({ t }) => [h('p', {}, t('step.credentials.body'))],
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

  webhooks(kit) {
    const { t, externalLink } = kit;
    const incoming = kit.copyField({ id: 'webhook-incoming', label: 'webhooks.incoming', where: 'webhooks.incoming.where', testid: 'webhook-incoming' });
    const status = kit.copyField({ id: 'webhook-statusCallback', label: 'webhooks.status', where: 'webhooks.status.where', testid: 'webhook-status' });
    const fallback = kit.copyField({ id: 'webhook-fallback', label: 'webhooks.fallback', where: 'webhooks.fallback.where', testid: 'webhook-fallback' });
    const note = h('p', { class: 'notice' }, t('webhooks.saveFirst'));
    return {
      body: [
        h('p', {}, t('step.webhooks.body')),
        h('ol', { class: 'instructions' }, h('li', {}, t('step.webhooks.item1'), ' ', externalLink(LINKS.console)), h('li', {}, t('step.webhooks.item2')), h('li', {}, t('step.webhooks.item3'))),
        note,
        incoming.element,
        status.element,
        fallback.element,
        h('p', { class: 'muted' }, externalLink(LINKS.fallback)),
      ],
      render(view) {
        const urls = view?.provider === 'twilio' ? view.webhookUrls : undefined;
        incoming.set(urls?.incoming);
        status.set(urls?.statusCallback);
        fallback.set(urls?.fallback);
        note.hidden = !!urls;
      },
    };
  },

  testLabel: (id) => `test.step.${id}`,
  testDetail: stepDetailKey,
};
