import { loginOptions, metaSignupConfigOf, readSessionMessage, signupCollector } from '../../../web/src/embedded-signup';

/** "Connect with Facebook" without the DOM: FB.login options per choice, the signup window's events, the config. */

const FACEBOOK = ['https://www.facebook.com', 'https://web.facebook.com'];
const finish = (event: string, data: Record<string, string> = { phone_number_id: '106540352242922', waba_id: '102290129340398' }) =>
  JSON.stringify({ type: 'WA_EMBEDDED_SIGNUP', event, data });

describe('Embedded Signup on the page', () => {
  it('asks Facebook for the coexistence flow only when the number stays on the WhatsApp Business app', () => {
    expect(loginOptions('800000000000001', 'business-app')).toEqual({
      config_id: '800000000000001',
      response_type: 'code',
      override_default_response_type: true,
      extras: { setup: {}, featureType: 'whatsapp_business_app_onboarding', sessionInfoVersion: '3' },
    });
    expect(loginOptions('800000000000001', 'new-number').extras).toEqual({});
  });

  it.each([
    [finish('FINISH'), { kind: 'finished', phoneNumberId: '106540352242922', wabaId: '102290129340398', coexistence: false }],
    [finish('FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING'), { kind: 'finished', phoneNumberId: '106540352242922', wabaId: '102290129340398', coexistence: true }],
    [finish('FINISH_ONLY_WABA', { waba_id: '102290129340398' }), { kind: 'no-number' }],
    [finish('FINISH', { phone_number_id: '12; DROP', waba_id: '102290129340398' }), { kind: 'no-number' }],
    [finish('CANCEL', { current_step: 'PHONE_NUMBER_SETUP' }), { kind: 'cancelled', step: 'PHONE_NUMBER_SETUP' }],
    [finish('ERROR', { error_message: 'Number already in use' }), { kind: 'error', message: 'Number already in use' }],
  ])('reads the signup window’s event %s', (data, expected) => {
    expect(readSessionMessage('https://www.facebook.com', data, FACEBOOK)).toEqual(expected);
  });

  it('ignores events from other origins and other kinds of message', () => {
    expect(readSessionMessage('https://www.facebook.com.evil.test', finish('FINISH'), FACEBOOK)).toBeUndefined();
    expect(readSessionMessage('https://www.facebook.com', 'not json', FACEBOOK)).toBeUndefined();
    expect(readSessionMessage('https://www.facebook.com', { type: 'other', event: 'FINISH' }, FACEBOOK)).toBeUndefined();
  });

  it('joins the code and the session event whichever comes first; the event says whether it is coexistence', () => {
    // Prepare
    const early = signupCollector();
    const late = signupCollector();

    // Act
    early.session(readSessionMessage(FACEBOOK[0]!, finish('FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING'), FACEBOOK)!);
    early.code('AQcode');
    late.code('AQcode');
    const beforeEvent = late.request();
    late.session({ kind: 'finished', phoneNumberId: '106540352242922', wabaId: '102290129340398', coexistence: false });
    late.session({ kind: 'cancelled' });

    // Assess
    expect(early.request()).toEqual({ code: 'AQcode', phoneNumberId: '106540352242922', wabaId: '102290129340398', coexistence: true });
    expect(beforeEvent).toBeUndefined();
    expect(late.request()).toMatchObject({ coexistence: false });
  });

  it('accepts only a usable configuration', () => {
    const config = { appId: '900000000000001', configId: '800000000000001', sdkUrl: 'https://connect.facebook.net/en_US/sdk.js', messageOrigins: FACEBOOK, graphVersion: 'v23.0' };
    expect(metaSignupConfigOf(config)).toEqual(config);
    expect(metaSignupConfigOf({ ...config, graphVersion: undefined })?.graphVersion).toBe('v23.0');
    expect(metaSignupConfigOf({ ...config, appId: '' })).toBeUndefined();
    expect(metaSignupConfigOf({ ...config, sdkUrl: 'javascript:alert(1)' })).toBeUndefined();
    expect(metaSignupConfigOf(undefined)).toBeUndefined();
  });
});
