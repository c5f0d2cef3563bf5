import {
  InvalidCredentialsError,
  appSecretProof,
  metaConnectionInputSchema,
  parseMetaCredentials,
} from '../../../../lambdas/providers/whatsapp/meta';
import { PermanentError } from '../../../../lambdas/shared/errors';
import { META_CREDENTIALS, PHONE_NUMBER_ID, WABA_ID } from '../cloud-api/support';

describe('Meta credentials', () => {
  it('reads a connection secret', () => {
    expect(parseMetaCredentials(META_CREDENTIALS)).toEqual(META_CREDENTIALS);
  });

  it('refuses a secret that lacks a field, naming the fields but never a value', () => {
    // Act
    const act = () => parseMetaCredentials({ accessToken: META_CREDENTIALS.accessToken, appSecret: '' });

    // Assess
    expect(act).toThrow(InvalidCredentialsError);
    expect(act).toThrow('Meta credentials are missing or invalid: appSecret, verifyToken');
    expect(new InvalidCredentialsError('x')).toBeInstanceOf(PermanentError);
    try {
      act();
    } catch (error) {
      expect((error as Error).message).not.toContain(META_CREDENTIALS.accessToken);
    }
  });

  it('computes appsecret_proof as Meta documents it (HMAC-SHA256 of the token, keyed with the secret)', () => {
    // Known answer computed independently: printf %s EAAtoken | openssl dgst -sha256 -hmac secret
    expect(appSecretProof('EAAtoken', 'secret')).toBe('61b5257ec5c5a53e992ae4d93afa0975e1f1be671788f65a476b0689ad5d5dd5');
    expect(appSecretProof('EAAtoken', 'secret')).not.toBe(appSecretProof('EAAtoken', 'other'));
  });

  describe('what the owner types', () => {
    const input = {
      phoneNumberId: PHONE_NUMBER_ID,
      wabaId: WABA_ID,
      accessToken: META_CREDENTIALS.accessToken,
      appSecret: META_CREDENTIALS.appSecret.toUpperCase(),
      whatsappNumber: '+15550783881',
    };

    it('accepts a system-user token, trims pasted spaces and lower-cases the app secret', () => {
      const parsed = metaConnectionInputSchema.parse({ ...input, phoneNumberId: ` ${PHONE_NUMBER_ID} ` });
      expect(parsed).toEqual({ ...input, appSecret: META_CREDENTIALS.appSecret });
      expect(metaConnectionInputSchema.safeParse({ ...input, whatsappNumber: undefined }).success).toBe(true);
    });

    it.each([
      ['phoneNumberId', '+15550783881', /phone number ID/],
      ['wabaId', 'acme', /Business Account ID/],
      ['accessToken', META_CREDENTIALS.appSecret, /starts with "EAA"/],
      ['accessToken', 'EAA short token', /starts with "EAA"/],
      ['appSecret', 'not-a-secret', /32 letters and digits/],
      ['whatsappNumber', '5215512345678', /international format/],
      ['accessToken', undefined, /Paste the access token/],
      ['appSecret', undefined, /Paste the app secret/],
    ])('refuses a wrong %s with a sentence the settings page can show', (field, value, message) => {
      const result = metaConnectionInputSchema.safeParse({ ...input, [field]: value });
      expect(result.success).toBe(false);
      expect(result.error!.issues[0]!.path).toEqual([field]);
      expect(result.error!.issues[0]!.message).toMatch(message);
    });
  });
});
