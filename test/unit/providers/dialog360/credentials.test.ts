import { InvalidCredentialsError, dialog360ConnectionInputSchema, parseDialog360Credentials } from '../../../../lambdas/providers/whatsapp/dialog360';
import { DIALOG360_CREDENTIALS } from '../cloud-api/support';

describe('360dialog credentials', () => {
  it('reads a connection secret and names missing fields without values', () => {
    expect(parseDialog360Credentials(DIALOG360_CREDENTIALS)).toEqual(DIALOG360_CREDENTIALS);
    expect(() => parseDialog360Credentials({ apiKey: DIALOG360_CREDENTIALS.apiKey })).toThrow(InvalidCredentialsError);
    expect(() => parseDialog360Credentials({ apiKey: DIALOG360_CREDENTIALS.apiKey })).toThrow('360dialog credentials are missing or invalid: webhookSecret');
  });

  it('accepts what the owner types, trimmed', () => {
    expect(dialog360ConnectionInputSchema.parse({ apiKey: ` ${DIALOG360_CREDENTIALS.apiKey} `, whatsappNumber: '+15550783881' })).toEqual({
      apiKey: DIALOG360_CREDENTIALS.apiKey,
      whatsappNumber: '+15550783881',
    });
  });

  it.each([
    ['apiKey', '', /Paste the API key/],
    ['apiKey', 'two words here', /without spaces/],
    ['whatsappNumber', '15550783881', /international format/],
    ['whatsappNumber', undefined, /Enter the WhatsApp number/],
  ])('refuses a wrong %s with a readable sentence', (field, value, message) => {
    const result = dialog360ConnectionInputSchema.safeParse({ apiKey: DIALOG360_CREDENTIALS.apiKey, whatsappNumber: '+15550783881', [field]: value });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual([field]);
    expect(result.error!.issues[0]!.message).toMatch(message);
  });
});
