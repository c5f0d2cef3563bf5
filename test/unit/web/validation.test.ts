import { CREDENTIAL_PATTERNS, fieldForProblemPath, normalizeCredentials, normalizeNumber, validateCredentials, validateSendTo } from '../../../web/src/validation';

const hex32 = '0123456789abcdef0123456789abcdef';
const valid = { accountSid: `AC${hex32}`, authToken: hex32, whatsappNumber: '+14155238886', messagingServiceSid: '' };

describe('credentials form validation', () => {
  it('uses the admin API contract patterns', () => {
    expect(CREDENTIAL_PATTERNS.accountSid.source).toBe('^AC[0-9a-f]{32}$');
    expect(CREDENTIAL_PATTERNS.authToken.source).toBe('^[0-9a-f]{32}$');
    expect(CREDENTIAL_PATTERNS.whatsappNumber.source).toBe('^\\+[1-9]\\d{6,14}$');
    expect(CREDENTIAL_PATTERNS.messagingServiceSid.source).toBe('^MG[0-9a-f]{32}$');
  });

  it('accepts valid credentials, with or without a Messaging Service SID', () => {
    expect(validateCredentials(valid)).toEqual({});
    expect(validateCredentials({ ...valid, messagingServiceSid: `MG${hex32}` })).toEqual({});
  });

  it('says which fields are missing and which are malformed', () => {
    expect(validateCredentials({ accountSid: '', authToken: '', whatsappNumber: '', messagingServiceSid: '' })).toEqual({
      accountSid: 'required',
      authToken: 'required',
      whatsappNumber: 'required',
    });
    expect(
      validateCredentials({ accountSid: `AC${hex32.toUpperCase()}`, authToken: `${hex32}0`, whatsappNumber: '+0123456789', messagingServiceSid: `MS${hex32}` }),
    ).toEqual({ accountSid: 'format', authToken: 'format', whatsappNumber: 'format', messagingServiceSid: 'format' });
    expect(validateCredentials({ ...valid, accountSid: `SK${hex32}` })).toEqual({ accountSid: 'format' });
    expect(validateCredentials({ ...valid, whatsappNumber: '+123456' })).toEqual({ whatsappNumber: 'format' });
    expect(validateCredentials({ ...valid, whatsappNumber: '+1234567890123456' })).toEqual({ whatsappNumber: 'format' });
  });

  it('forgives pasted spaces, dashes, parentheses and the whatsapp: prefix', () => {
    expect(normalizeNumber(' whatsapp:+1 (415) 523-8886 ')).toBe('+14155238886');
    expect(normalizeNumber('+52 1 55 1234.5678')).toBe('+5215512345678');
    expect(normalizeCredentials({ ...valid, accountSid: ` AC${hex32}\n`, whatsappNumber: '+1 415 523 8886' })).toEqual({ ...valid, accountSid: `AC${hex32}` });
    expect(validateCredentials({ ...valid, whatsappNumber: '+1 415-523-8886' })).toEqual({});
  });

  it('lets the test number be empty, else E.164', () => {
    expect(validateSendTo('')).toBeUndefined();
    expect(validateSendTo('+5215512345678')).toBeUndefined();
    expect(validateSendTo('5512345678')).toBe('format');
  });

  it('maps API problem paths onto form fields', () => {
    expect(fieldForProblemPath('twilio.accountSid')).toBe('accountSid');
    expect(fieldForProblemPath('/twilio/authToken')).toBe('authToken');
    expect(fieldForProblemPath('twilio.whatsappNumber')).toBe('whatsappNumber');
    expect(fieldForProblemPath('twilio.messagingServiceSid')).toBe('messagingServiceSid');
    expect(fieldForProblemPath('sendTo')).toBe('sendTo');
    expect(fieldForProblemPath('provider')).toBeUndefined();
    expect(fieldForProblemPath('')).toBeUndefined();
  });
});
