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

  it('defaults the Meta and 360dialog simulators and demo connections to fake, well-formed values', () => {
    const config = loadLocalConfig({});

    expect(config).toMatchObject({
      META_SIMULATOR_PORT: 3011,
      DIALOG360_SIMULATOR_PORT: 3012,
      SIMULATOR_RATE_LOST_ANSWER: 0,
      DEV_META_PHONE_NUMBER_ID: DEV_DEFAULTS.DEV_META_PHONE_NUMBER_ID,
      DEV_META_WABA_ID: DEV_DEFAULTS.DEV_META_WABA_ID,
      DEV_META_NUMBER: DEV_DEFAULTS.DEV_META_NUMBER,
      DEV_360DIALOG_NUMBER: DEV_DEFAULTS.DEV_360DIALOG_NUMBER,
    });
    // The same rules the admin API's Meta form applies: a token as Meta's, a 32-hex app secret.
    expect(config.DEV_META_ACCESS_TOKEN).toMatch(/^EAA[A-Za-z0-9]{20,}$/);
    expect(config.DEV_META_APP_SECRET).toMatch(/^[0-9a-f]{32}$/);
    expect(config.DEV_META_VERIFY_TOKEN.length).toBeGreaterThanOrEqual(32);
    expect(new Set([config.DEV_WHATSAPP_NUMBER, config.DEV_META_NUMBER, config.DEV_360DIALOG_NUMBER]).size).toBe(3);
  });

  it('refuses malformed Meta and 360dialog dev values, naming the variable and not the value', () => {
    expect(() => loadLocalConfig({ DEV_META_PHONE_NUMBER_ID: '+15550100001' })).toThrow('invalid environment: DEV_META_PHONE_NUMBER_ID must be a numeric Graph id');
    expect(() => loadLocalConfig({ DEV_META_APP_SECRET: 'NOT-HEX-secret-value' })).toThrow(/^invalid environment: DEV_META_APP_SECRET must be 32 lower-case hex digits$/);
    expect(() => loadLocalConfig({ DEV_360DIALOG_NUMBER: '5550100002' })).toThrow('DEV_360DIALOG_NUMBER must be an E.164 number');
    expect(() => loadLocalConfig({ DEV_META_NUMBER: '+15550100009', DEV_360DIALOG_NUMBER: '+15550100009' })).toThrow(
      'DEV_WHATSAPP_NUMBER, DEV_META_NUMBER and DEV_360DIALOG_NUMBER must differ',
    );
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
