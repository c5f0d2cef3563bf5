import { DEV_DEFAULTS, LocalConfigError, loadLocalConfig, realTwilioOf, responderOf } from '../../../local/config';

const sid = `AC${'a'.repeat(32)}`;
const token = 'b'.repeat(32);

describe('loadLocalConfig', () => {
  it('defaults to the simulator without faults, the demo responder and schedules every minute', () => {
    const config = loadLocalConfig({});

    expect(config).toMatchObject({
      TWILIO_SIMULATOR_PORT: DEV_DEFAULTS.TWILIO_SIMULATOR_PORT,
      SIMULATOR_RATE_429: 0,
      SIMULATOR_RATE_5XX: 0,
      SIMULATOR_RATE_63016: 0,
      SCHEDULE_INTERVAL_SECONDS: 60,
    });
    expect(realTwilioOf(config)).toBeUndefined();
    expect(responderOf(config)).toBe('demo');
  });

  it('reads fault rates as fractions and refuses rates outside 0..1', () => {
    expect(loadLocalConfig({ SIMULATOR_RATE_429: '0.3', SIMULATOR_RATE_5XX: '0.05' })).toMatchObject({ SIMULATOR_RATE_429: 0.3, SIMULATOR_RATE_5XX: 0.05 });
    expect(() => loadLocalConfig({ SIMULATOR_RATE_63016: '30' })).toThrow(new LocalConfigError('invalid environment: SIMULATOR_RATE_63016 Too big: expected number to be <=1'));
  });

  it('uses real Twilio only with all three variables, and names the missing ones without echoing values', () => {
    const real = loadLocalConfig({ TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token, TWILIO_WHATSAPP_NUMBER: 'whatsapp:+14155550100' });

    expect(realTwilioOf(real)).toEqual({ accountSid: sid, authToken: token, whatsappNumber: '+14155550100' });
    expect(() => loadLocalConfig({ TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token })).toThrow(
      'real Twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_NUMBER: TWILIO_WHATSAPP_NUMBER missing',
    );
    expect(() => loadLocalConfig({ TWILIO_AUTH_TOKEN: 'not-a-token' })).toThrow(/^invalid environment: TWILIO_AUTH_TOKEN must be 32 hex digits$/);
  });

  it('picks the http responder when an AI endpoint is set, unless RESPONDER says otherwise', () => {
    expect(responderOf(loadLocalConfig({ AI_ENDPOINT_URL: 'https://ai.example.com/reply' }))).toBe('http');
    expect(responderOf(loadLocalConfig({ AI_ENDPOINT_URL: 'https://ai.example.com/reply', RESPONDER: 'none' }))).toBe('none');
    expect(() => loadLocalConfig({ RESPONDER: 'http' })).toThrow('RESPONDER=http needs AI_ENDPOINT_URL');
  });
});
