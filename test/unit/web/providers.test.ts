import { putConnectionBodySchema, type ProviderConnectionView } from '../../../lambdas/domain/admin/contract';
import { dictionaries, LOCALES, translate, translator, type MessageKey } from '../../../web/src/i18n';
import { dialog360, dialog360TestDetail, registrationStatus } from '../../../web/src/providers/dialog360';
import { meta, metaTestDetail } from '../../../web/src/providers/meta';
import { twilio } from '../../../web/src/providers/twilio';
import { providerTextKeys, type Block, type Link, type ProviderSetup } from '../../../web/src/providers/types';

const PROVIDERS: ProviderSetup[] = [twilio, meta, dialog360];
const hex32 = '0123456789abcdef0123456789abcdef';
const hasText = (key: MessageKey) => LOCALES.every((locale) => typeof dictionaries[locale][key] === 'string' && dictionaries[locale][key].trim() !== '');

/** What a person types into each provider's form, valid. */
const VALID: Record<ProviderSetup['id'], Record<string, string>> = {
  twilio: { accountSid: `AC${hex32}`, authToken: hex32, whatsappNumber: '+14155238886', messagingServiceSid: '' },
  meta: { phoneNumberId: '106540352242922', wabaId: '102290129340398', accessToken: `EAAG${'x'.repeat(60)}`, appSecret: hex32, whatsappNumber: '' },
  '360dialog': { apiKey: 'aBcD1234_efGH-5678ijkl', whatsappNumber: '+5215512345678' },
};

describe('provider steps: links', () => {
  it('never sends two different links to the same page, and only to https pages', () => {
    // Prepare
    const labelsByUrl = new Map<string, Set<MessageKey>>();
    for (const provider of PROVIDERS) {
      for (const link of Object.values(provider.links)) labelsByUrl.set(link.href, new Set([...(labelsByUrl.get(link.href) ?? []), link.label]));
    }

    // Act
    const shared = [...labelsByUrl].filter(([, labels]) => labels.size > 1).map(([url, labels]) => `${url}: ${[...labels].join(', ')}`);

    // Assess
    expect(shared).toEqual([]);
    for (const url of labelsByUrl.keys()) expect(new URL(url).protocol).toBe('https:');
  });

  it('labels every link in every language, one label per page', () => {
    const urlsByLabel = new Map<MessageKey, Set<string>>();
    for (const provider of PROVIDERS) {
      for (const link of Object.values(provider.links)) {
        expect({ label: link.label, translated: hasText(link.label) }).toEqual({ label: link.label, translated: true });
        urlsByLabel.set(link.label, new Set([...(urlsByLabel.get(link.label) ?? []), link.href]));
      }
    }
    expect([...urlsByLabel].filter(([, urls]) => urls.size > 1)).toEqual([]);
  });
});

describe.each(PROVIDERS.map((provider) => [provider.id, provider] as const))('provider steps: %s', (id, provider) => {
  it('has every step title, instruction, field label, hint and error in every language', () => {
    expect(providerTextKeys(provider).filter((key) => !hasText(key))).toEqual([]);
  });

  it('links only to pages it declares, so the one-URL-one-page rule covers every link on screen', () => {
    const blocks: Block[] = [...provider.account, ...provider.approval, ...provider.credentials.intro, ...provider.webhooks.before, ...provider.webhooks.after];
    const used: Link[] = blocks.flatMap((block) => (block.kind === 'steps' ? block.items.flatMap((item) => item.links ?? []) : block.kind === 'links' ? block.links : []));
    expect(used.length).toBeGreaterThan(0);
    for (const link of used) expect(Object.values(provider.links)).toContain(link);
  });

  it('sends a PUT body the admin contract accepts, from trimmed values', () => {
    // Prepare: what people paste carries spaces around it
    const typed = Object.fromEntries(Object.entries(VALID[id]).map(([name, value]) => [name, value ? `  ${value} ` : value]));

    // Act
    const problems = provider.credentials.validate(typed);
    const body = provider.credentials.body(provider.credentials.normalize(typed));

    // Assess
    expect(problems).toEqual({});
    expect(putConnectionBodySchema.safeParse(body).success).toBe(true);
    expect(body.provider).toBe(id);
  });

  it('refuses empty required fields before calling the API, naming each one', () => {
    const empty = Object.fromEntries(provider.credentials.fields.map((field) => [field.name, '']));
    const problems = provider.credentials.validate(empty);
    const required = provider.credentials.fields.filter((field) => !field.optional).map((field) => field.name);
    expect(Object.keys(problems).sort()).toEqual(required.sort());
    for (const name of required) expect(problems[name]).toBe('required');
  });

  it('never puts a secret back into the form: secrets are cleared and hinted by their last 4 only', () => {
    const secretNames = Object.keys(provider.credentials.secrets);
    expect(secretNames.length).toBeGreaterThan(0);
    const saved = provider.credentials.saved(VIEWS[id]);
    for (const name of secretNames) expect(saved[name]).toBeUndefined();
    for (const hint of Object.values(provider.credentials.secrets)) expect(hint(VIEWS[id], (key, params) => translate('en', key, params))).toMatch(/ends in 9f3a\b/);
    expect(provider.credentials.fields.filter((field) => secretNames.includes(field.name)).every((field) => field.type === 'password')).toBe(true);
  });
});

const base = { businessId: 'b1', connected: false, status: 'active' as const, verified: false, connectionId: 'cn_1', updatedAt: '2026-11-27T12:00:00Z', displayNumber: '+14155238886' };
const VIEWS: Record<ProviderSetup['id'], ProviderConnectionView> = {
  twilio: { ...base, provider: 'twilio', credentials: { accountSid: `AC${hex32}`, authTokenLast4: '9f3a' }, webhookUrls: { incoming: 'https://x/in', statusCallback: 'https://x/in/status', fallback: 'https://x/in/fallback' } },
  meta: {
    ...base,
    provider: 'meta',
    credentials: { phoneNumberId: '106540352242922', wabaId: '102290129340398', accessTokenLast4: '9f3a', appSecretLast4: '9f3a', verifyToken: 'v'.repeat(32) },
    webhookUrls: { incoming: 'https://x/in' },
  },
  '360dialog': { ...base, provider: '360dialog', credentials: { apiKeyLast4: '9f3a' }, webhookUrls: { incoming: 'https://x/in' } },
};

describe('Meta fields', () => {
  it('accepts ids grouped with spaces as WhatsApp Manager shows them, and leaves the number optional', () => {
    const typed = { ...VALID.meta, phoneNumberId: '1065 4035 2242 922' };
    expect(meta.credentials.validate(typed)).toEqual({});
    expect(meta.credentials.normalize(typed).phoneNumberId).toBe('106540352242922');
    expect(meta.credentials.body(meta.credentials.normalize(typed))).not.toHaveProperty('meta.whatsappNumber');
  });

  it('tells a phone number typed as the Phone number ID, a short token and a non-hex App Secret apart', () => {
    const problems = meta.credentials.validate({ ...VALID.meta, phoneNumberId: '+14155238886', accessToken: 'EAA123', appSecret: 'z'.repeat(32), whatsappNumber: '4155238886' });
    expect(problems).toEqual({ phoneNumberId: 'format', accessToken: 'format', appSecret: 'format', whatsappNumber: 'format' });
  });
});

describe('360dialog fields', () => {
  it('needs the number (360dialog cannot tell it from the key) and a key of the Hub’s alphabet', () => {
    expect(dialog360.credentials.validate({ apiKey: 'short', whatsappNumber: '' })).toEqual({ apiKey: 'format', whatsappNumber: 'required' });
    expect(dialog360.credentials.validate({ apiKey: 'has spaces inside the key!', whatsappNumber: '+5215512345678' })).toEqual({ apiKey: 'format' });
  });
});

describe('connection test explained per provider', () => {
  it.each([
    [{ id: 'credentials', ok: true }, 'test.detail.meta.credentials.ok'],
    [{ id: 'credentials', ok: false, code: '190' }, 'test.detail.meta.credentials.tokenRejected'],
    [{ id: 'credentials', ok: false, code: '10' }, 'test.detail.meta.credentials.permission'],
    [{ id: 'credentials', ok: false, code: 'APP_SECRET_MISMATCH' }, 'test.detail.meta.credentials.appSecret'],
    [{ id: 'credentials', ok: false, code: 'DISPLAY_NUMBER_MISMATCH' }, 'test.detail.meta.credentials.numberMismatch'],
    [{ id: 'credentials', ok: false, code: 'CREDENTIALS_INVALID' }, 'test.detail.incomplete'],
    [{ id: 'sender', ok: true }, 'test.detail.meta.sender.ok'],
    [{ id: 'sender', ok: false, code: 'WEBHOOK_NOT_SUBSCRIBED' }, 'test.detail.meta.sender.notSubscribed'],
    [{ id: 'sender', ok: false, skipped: true }, 'test.detail.skipped'],
    [{ id: 'testMessage', ok: true }, 'test.detail.meta.testMessage.ok'],
  ] as const)('Meta %j → %s', (step, key) => {
    expect(metaTestDetail(step)).toBe(key);
    expect(hasText(key)).toBe(true);
  });

  it.each([
    [{ id: 'credentials', ok: true }, 'test.detail.360dialog.credentials.ok'],
    [{ id: 'credentials', ok: false, code: 'D360_INVALID_API_KEY' }, 'test.detail.360dialog.credentials.rejected'],
    [{ id: 'credentials', ok: false, code: 'D360_LACK_OF_PAYMENT' }, 'test.detail.360dialog.payment'],
    [{ id: 'sender', ok: false, code: 'D360_ENDPOINT_BLOCKED' }, 'test.detail.360dialog.blocked'],
    [{ id: 'sender', ok: true }, 'test.detail.360dialog.sender.ok'],
    [{ id: 'testMessage', ok: true }, 'test.detail.360dialog.testMessage.ok'],
  ] as const)('360dialog %j → %s', (step, key) => {
    expect(dialog360TestDetail(step)).toBe(key);
    expect(hasText(key)).toBe(true);
  });

  it('has no words for refusals it cannot name, so the API detail (with its code) shows instead', () => {
    expect(metaTestDetail({ id: 'testMessage', ok: false, code: '131026' })).toBeUndefined();
    expect(dialog360TestDetail({ id: 'sender', ok: false, code: '131000' })).toBeUndefined();
  });

  it('names the sender check by what it checks for each provider', () => {
    expect(new Set(PROVIDERS.map((provider) => translate('en', provider.testLabel('sender')))).size).toBe(3);
  });
});

describe('360dialog webhook registration, shown instead of URLs to paste', () => {
  const view = (setup?: { ok: boolean; code?: string; detail?: string }) =>
    ({ ...VIEWS['360dialog'], ...(setup && { setup: { at: '2026-11-27T12:00:00Z', detail: 'registered', ...setup } }) }) as ProviderConnectionView;

  it('waits for the first save, then says it was registered and when', () => {
    const t = translator('en');
    expect(registrationStatus(undefined, t, 'en')).toEqual({ text: t('webhooks.registration.pending') });
    const ok = registrationStatus(view({ ok: true }), t, 'en');
    expect(ok.ok).toBe(true);
    expect(ok.text).toMatch(/^Registered with 360dialog on .*2026/);
  });

  it('says a rejected key in the owner language and points at the test, which registers again', () => {
    const t = translator('es');
    const failed = registrationStatus(view({ ok: false, code: 'D360_INVALID_API_KEY', detail: '360dialog answered 401' }), t, 'es');
    expect(failed).toEqual({ ok: false, text: expect.stringContaining(t('webhooks.registration.keyRejected')) });
    expect(failed.text).toMatch(/paso 6/);
    expect(failed.text).not.toContain('401');
  });

  it('shows another refusal as the API worded it, with its code', () => {
    const failed = registrationStatus(view({ ok: false, code: '131000', detail: 'Something went wrong.' }), translator('en'), 'en');
    expect(failed.text).toContain('Something went wrong. (131000)');
  });
});
