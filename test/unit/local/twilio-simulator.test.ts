import { maskChannelAddress, statusCallbackFields } from '../../../local/twilio-simulator/callbacks';
import {
  approvalStatusAt,
  primaryContentType,
  renderContentBody,
  unapprovableReason,
  validateApprovalCreate,
  validateContentCreate,
} from '../../../local/twilio-simulator/content';
import { TwilioApiError } from '../../../local/twilio-simulator/errors';
import { chooseAsyncFailure, chooseLostAnswer, chooseSyncFault, parseFaults, type SendTraits } from '../../../local/twilio-simulator/faults';
import { parseContentVariables, validateSendForm } from '../../../local/twilio-simulator/messages';
import { rfc2822 } from '../../../local/twilio-simulator/server';

const ACCOUNT = `AC${'a'.repeat(32)}`;
const OTHER_ACCOUNT = `AC${'b'.repeat(32)}`;
const CONTENT_SID = `HX${'c'.repeat(32)}`;
const TO = 'whatsapp:+5215512345678';
const FROM = 'whatsapp:+14155238886';

/** Scripted `random()`: returns the given draws in order and fails the test if asked for more. */
function draws(...values: number[]): () => number {
  return () => {
    const value = values.shift();
    if (value === undefined) throw new Error('random() called more often than scripted');
    return value;
  };
}

function form(fields: Record<string, string | string[]>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, item);
  }
  return params;
}

function codeOf(act: () => unknown): number | undefined {
  try {
    act();
  } catch (error) {
    if (error instanceof TwilioApiError) return error.code;
    throw error;
  }
  return undefined;
}

const noContent = () => undefined;
const contentOfAccount = (accountSid: string) => (sid: string) => (sid === CONTENT_SID ? { accountSid } : undefined);

describe('validateSendForm', () => {
  it('accepts a WhatsApp text send and keeps every modelled parameter', () => {
    // Prepare
    const params = form({
      To: TO,
      From: FROM,
      Body: 'Hola',
      MediaUrl: ['https://example.com/a.jpg'],
      StatusCallback: 'https://hooks.example.com/status?c=cv1&m=m1',
      ValidityPeriod: '600',
      Unknown: 'ignored',
    });

    // Act
    const send = validateSendForm(params, ACCOUNT, noContent);

    // Assess
    expect(send).toEqual({
      to: TO,
      from: FROM,
      body: 'Hola',
      mediaUrls: ['https://example.com/a.jpg'],
      statusCallback: 'https://hooks.example.com/status?c=cv1&m=m1',
      validityPeriod: 600,
    });
  });

  it('accepts a ContentSid send of the same account with parsed ContentVariables', () => {
    // Act
    const send = validateSendForm(
      form({ To: TO, MessagingServiceSid: `MG${'d'.repeat(32)}`, ContentSid: CONTENT_SID, ContentVariables: '{"1":"Ana"}' }),
      ACCOUNT,
      contentOfAccount(ACCOUNT),
    );

    // Assess
    expect(send).toMatchObject({ contentSid: CONTENT_SID, contentVariables: { '1': 'Ana' }, messagingServiceSid: `MG${'d'.repeat(32)}` });
    expect(send.from).toBeUndefined();
  });

  it('accepts a business-scoped user id as recipient', () => {
    // Act
    const send = validateSendForm(form({ To: 'whatsapp:US.13491208655302741918', From: FROM, Body: 'Hi' }), ACCOUNT, noContent);

    // Assess
    expect(send.to).toBe('whatsapp:US.13491208655302741918');
  });

  it.each([
    ['no To', { From: FROM, Body: 'x' }, 21604],
    ['no From nor MessagingServiceSid', { To: TO, Body: 'x' }, 21603],
    ['a malformed MessagingServiceSid', { To: TO, MessagingServiceSid: 'MG123', Body: 'x' }, 21705],
    ['To without the whatsapp: prefix', { To: '+5215512345678', From: FROM, Body: 'x' }, 21910],
    ['From without the whatsapp: prefix', { To: TO, From: '+14155238886', Body: 'x' }, 21910],
    ['an SMS-only pair', { To: '+5215512345678', From: '+14155238886', Body: 'x' }, 21211],
    ['a To without +', { To: 'whatsapp:5215512345678', From: FROM, Body: 'x' }, 21211],
    ['a From that is no number', { To: TO, From: 'whatsapp:echo', Body: 'x' }, 21212],
    ['From equal to To', { To: TO, From: TO, Body: 'x' }, 63031],
    ['a Body over 1600 characters', { To: TO, From: FROM, Body: 'x'.repeat(1601) }, 21617],
    ['a MediaUrl without protocol', { To: TO, From: FROM, MediaUrl: 'example.com/a.jpg' }, 21620],
    ['a StatusCallback host with an underscore', { To: TO, From: FROM, Body: 'x', StatusCallback: 'https://my_host.example.com/s' }, 21609],
    ['a relative StatusCallback', { To: TO, From: FROM, Body: 'x', StatusCallback: '/status' }, 21609],
    ['ContentVariables without ContentSid', { To: TO, From: FROM, Body: 'x', ContentVariables: '{"1":"a"}' }, 21654],
    ['a malformed ContentSid', { To: TO, From: FROM, ContentSid: 'HX123' }, 21655],
    ['nothing to send', { To: TO, From: FROM, Body: '' }, 21619],
  ])('rejects %s', (_name, fields, expected) => {
    // Act
    const code = codeOf(() => validateSendForm(form(fields), ACCOUNT, noContent));

    // Assess
    expect(code).toBe(expected);
  });

  it('rejects a ContentSid of another account as invalid (21655)', () => {
    // Act
    const code = codeOf(() => validateSendForm(form({ To: TO, From: FROM, ContentSid: CONTENT_SID }), ACCOUNT, contentOfAccount(OTHER_ACCOUNT)));

    // Assess
    expect(code).toBe(21655);
  });

  it('counts Body length in characters, not UTF-16 units', () => {
    // Act
    const send = validateSendForm(form({ To: TO, From: FROM, Body: '😀'.repeat(1600) }), ACCOUNT, noContent);

    // Assess
    expect([...(send.body ?? '')]).toHaveLength(1600);
  });
});

describe('parseContentVariables', () => {
  it.each([['not JSON', "{'1':'a'}"], ['an array', '["a"]'], ['a null value', '{"1":null}'], ['an empty value', '{"1":""}'], ['a number', '{"1":5}']])(
    'rejects %s with 21656',
    (_name, raw) => {
      // Act
      const code = codeOf(() => parseContentVariables(raw));

      // Assess
      expect(code).toBe(21656);
    },
  );

  it('keeps apostrophes and unicode values', () => {
    // Act
    const variables = parseContentVariables(JSON.stringify({ '1': "people's", '2': 'Zoë 👋' }));

    // Assess
    expect(variables).toEqual({ '1': "people's", '2': 'Zoë 👋' });
  });
});

describe('chooseSyncFault', () => {
  it('answers 429 with code 20429 and the configured Retry-After when the draw falls under rate429', () => {
    // Act
    const fault = chooseSyncFault({ rate429: 0.3, retryAfterSeconds: 7 }, draws(0.29));

    // Assess
    expect(fault).toMatchObject({ status: 429, code: 20429, headers: { 'Retry-After': '7' } });
  });

  it('defaults Retry-After to 1 second', () => {
    // Act
    const fault = chooseSyncFault({ rate429: 1 }, draws(0.5));

    // Assess
    expect(fault?.headers).toEqual({ 'Retry-After': '1' });
  });

  it('splits rate5xx between 500/20500 and 503/20503 on one draw', () => {
    // Act
    const low = chooseSyncFault({ rate5xx: 0.4 }, draws(0.1));
    const high = chooseSyncFault({ rate5xx: 0.4 }, draws(0.3));
    const none = chooseSyncFault({ rate5xx: 0.4 }, draws(0.4));

    // Assess
    expect(low).toMatchObject({ status: 500, code: 20500 });
    expect(high).toMatchObject({ status: 503, code: 20503 });
    expect(none).toBeUndefined();
  });

  it('draws once per enabled rate, in order 429 then 5xx', () => {
    // Act
    const fault = chooseSyncFault({ rate429: 0.5, rate5xx: 0.5 }, draws(0.9, 0.1));

    // Assess
    expect(fault?.code).toBe(20500);
  });

  it('does not touch random() when no rate is set', () => {
    // Act
    const fault = chooseSyncFault({}, draws());

    // Assess
    expect(fault).toBeUndefined();
  });
});

describe('chooseAsyncFailure', () => {
  const text: SendTraits = { to: TO, isTemplate: false, contentTypes: [], quickReplyActions: 0 };
  const template: SendTraits = { to: TO, isTemplate: true, contentTypes: ['twilio/text'], quickReplyActions: 0 };
  const buttons: SendTraits = { to: TO, isTemplate: false, contentTypes: ['twilio/quick-reply'], quickReplyActions: 3 };

  it('fails freeform sends to a closed-window recipient with 63016, with or without the prefix', () => {
    // Act
    const bare = chooseAsyncFailure(text, { closedWindowRecipients: ['+5215512345678'] }, draws());
    const prefixed = chooseAsyncFailure(text, { closedWindowRecipients: [TO] }, draws());

    // Assess
    expect(bare).toEqual({ status: 'failed', errorCode: 63016 });
    expect(prefixed).toEqual({ status: 'failed', errorCode: 63016 });
  });

  it('lets an approved template through to a closed-window recipient', () => {
    // Act
    const failure = chooseAsyncFailure(template, { closedWindowRecipients: [TO], rate63016: 1 }, draws());

    // Assess
    expect(failure).toBeUndefined();
  });

  it('fails interactive contents with 63021 when rejectInteractive is on, templates included', () => {
    // Act
    const session = chooseAsyncFailure(buttons, { rejectInteractive: true }, draws());
    const approved = chooseAsyncFailure({ ...buttons, isTemplate: true }, { rejectInteractive: true }, draws());
    const plain = chooseAsyncFailure(text, { rejectInteractive: true }, draws());

    // Assess
    expect(session).toEqual({ status: 'failed', errorCode: 63021 });
    expect(approved).toEqual({ status: 'failed', errorCode: 63021 });
    expect(plain).toBeUndefined();
  });

  it('fails an unapproved quick-reply with more than 3 buttons (WhatsApp in-session limit)', () => {
    // Act
    const four = chooseAsyncFailure({ ...buttons, quickReplyActions: 4 }, {}, draws());
    const approvedFour = chooseAsyncFailure({ ...buttons, quickReplyActions: 4, isTemplate: true }, {}, draws());

    // Assess
    expect(four).toEqual({ status: 'failed', errorCode: 63021 });
    expect(approvedFour).toBeUndefined();
  });

  it('fails a rate63016 fraction of freeform sends and draws only for freeform sends', () => {
    // Act
    const hit = chooseAsyncFailure(text, { rate63016: 0.2 }, draws(0.1));
    const miss = chooseAsyncFailure(text, { rate63016: 0.2 }, draws(0.2));
    const templateSend = chooseAsyncFailure(template, { rate63016: 0.2 }, draws());

    // Assess
    expect(hit).toEqual({ status: 'failed', errorCode: 63016 });
    expect(miss).toBeUndefined();
    expect(templateSend).toBeUndefined();
  });
});

describe('chooseLostAnswer', () => {
  it('splits rateLostAnswer between a 500 and a cut connection on one draw, and misses above the rate', () => {
    // Act
    const low = chooseLostAnswer({ rateLostAnswer: 0.4 }, draws(0.1));
    const high = chooseLostAnswer({ rateLostAnswer: 0.4 }, draws(0.3));
    const none = chooseLostAnswer({ rateLostAnswer: 0.4 }, draws(0.4));

    // Assess
    expect(low).toBe('status-500');
    expect(high).toBe('socket-destroyed');
    expect(none).toBeUndefined();
  });

  it('does not touch random() when the rate is unset', () => {
    // Act
    const lost = chooseLostAnswer({}, draws());

    // Assess
    expect(lost).toBeUndefined();
  });

  it('is accepted by parseFaults and bounded like the other rates', () => {
    // Act
    const parsed = parseFaults({ rateLostAnswer: 0.1 });

    // Assess
    expect(parsed).toEqual({ rateLostAnswer: 0.1 });
    expect(() => parseFaults({ rateLostAnswer: 2 })).toThrow('rateLostAnswer must be a number between 0 and 1');
  });
});

describe('parseFaults', () => {
  it('accepts every documented setting', () => {
    // Prepare
    const input = { rate429: 0.3, rate5xx: 0, rate63016: 1, closedWindowRecipients: ['+1'], rejectInteractive: true, retryAfterSeconds: 2 };

    // Act
    const faults = parseFaults(input);

    // Assess
    expect(faults).toEqual(input);
  });

  it.each([
    ['a rate above 1', { rate429: 1.5 }],
    ['a negative rate', { rate5xx: -0.1 }],
    ['a rate as string', { rate63016: '0.5' }],
    ['an unknown setting', { rate503: 0.1 }],
    ['recipients not strings', { closedWindowRecipients: [1] }],
    ['a fractional Retry-After', { retryAfterSeconds: 1.5 }],
    ['an array', []],
  ])('rejects %s', (_name, input) => {
    // Act / Assess
    expect(() => parseFaults(input)).toThrow();
  });
});

describe('validateContentCreate', () => {
  it('accepts the snake_case body of a quick-reply with a text fallback', () => {
    // Prepare
    const body = {
      friendly_name: 'echo_buttons_1',
      language: 'es',
      variables: { '1': 'Ana' },
      types: {
        'twilio/quick-reply': { body: 'Hola {{1}}', actions: [{ title: 'Sí', id: 'yes' }, { title: 'No', id: 'no' }] },
        'twilio/text': { body: 'Hola {{1}}' },
      },
    };

    // Act
    const request = validateContentCreate(body);

    // Assess
    expect(request).toEqual({ friendlyName: 'echo_buttons_1', language: 'es', variables: { '1': 'Ana' }, types: body.types, ignoredKeys: [] });
  });

  it('ignores camelCase friendlyName like Twilio (empty friendly_name) and reports it', () => {
    // Act
    const request = validateContentCreate({ friendlyName: 'x', language: 'en', types: { 'twilio/text': { body: 'Hi' } } });

    // Assess
    expect(request.friendlyName).toBe('');
    expect(request.ignoredKeys).toEqual(['friendlyName']);
  });

  it('rejects camelCase type keys with "Invalid types" (HTTP 400)', () => {
    // Act
    let error: unknown;
    try {
      validateContentCreate({ language: 'en', types: { twilioText: { body: 'Hi' } } });
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(TwilioApiError);
    expect((error as TwilioApiError).status).toBe(400);
    expect((error as TwilioApiError).message).toMatch(/^Invalid types/);
  });

  it.each([
    ['no language', { types: { 'twilio/text': { body: 'Hi' } } }, 400],
    ['no types', { language: 'en' }, 400],
    ['empty types', { language: 'en', types: {} }, 400],
    ['a text body over 1600', { language: 'en', types: { 'twilio/text': { body: 'x'.repeat(1601) } } }, 21658],
    ['a quick-reply with 11 actions', { language: 'en', types: { 'twilio/quick-reply': { body: 'b', actions: Array.from({ length: 11 }, (_, i) => ({ title: `t${i}`, id: `${i}` })) } } }, 400],
    ['a quick-reply title over 20', { language: 'en', types: { 'twilio/quick-reply': { body: 'b', actions: [{ title: 'x'.repeat(21), id: '1' }] } } }, 21658],
    ['a list-picker with 11 items', { language: 'en', types: { 'twilio/list-picker': { body: 'b', button: 'Ver', items: Array.from({ length: 11 }, (_, i) => ({ id: `${i}`, item: `i${i}` })) } } }, 400],
    ['a list item over 24', { language: 'en', types: { 'twilio/list-picker': { body: 'b', button: 'Ver', items: [{ id: '1', item: 'x'.repeat(25) }] } } }, 21658],
    ['a list description over 72', { language: 'en', types: { 'twilio/list-picker': { body: 'b', button: 'Ver', items: [{ id: '1', item: 'a', description: 'x'.repeat(73) }] } } }, 21658],
    ['a list without button', { language: 'en', types: { 'twilio/list-picker': { body: 'b', items: [{ id: '1', item: 'a' }] } } }, 400],
    ['media without URLs', { language: 'en', types: { 'twilio/media': { body: 'b', media: [] } } }, 400],
    ['non-string variables', { language: 'en', variables: { '1': 2 }, types: { 'twilio/text': { body: 'Hi' } } }, 400],
  ])('rejects %s', (_name, body, expected) => {
    // Act
    const code = codeOf(() => validateContentCreate(body));

    // Assess
    expect(code).toBe(expected);
  });

  it('accepts list items without description and limits at exactly the maximum', () => {
    // Act
    const request = validateContentCreate({
      language: 'en',
      types: { 'twilio/list-picker': { body: 'b', button: 'x'.repeat(20), items: [{ id: 'x'.repeat(200), item: 'x'.repeat(24) }, { id: '2', item: 'b', description: 'x'.repeat(72) }] } },
    });

    // Assess
    expect(Object.keys(request.types)).toEqual(['twilio/list-picker']);
  });
});

describe('approvals', () => {
  it('validates name and category', () => {
    // Act
    const ok = validateApprovalCreate({ name: 'echo_reengagement_es', category: 'utility' });
    const badName = codeOf(() => validateApprovalCreate({ name: 'Echo Re-engagement', category: 'UTILITY' }));
    const badCategory = codeOf(() => validateApprovalCreate({ name: 'x', category: 'SERVICE' }));

    // Assess
    expect(ok).toEqual({ name: 'echo_reengagement_es', category: 'UTILITY' });
    expect(badName).toBe(400);
    expect(badCategory).toBe(400);
  });

  it('is pending until the delay has passed, then approved; unsubmitted without a request', () => {
    // Prepare
    const approval = { name: 'n', category: 'UTILITY', submittedAt: 1_000 };

    // Act / Assess
    expect(approvalStatusAt(undefined, 5_000, 0)).toBe('unsubmitted');
    expect(approvalStatusAt(approval, 1_000, 0)).toBe('approved');
    expect(approvalStatusAt(approval, 1_499, 500)).toBe('pending');
    expect(approvalStatusAt(approval, 1_500, 500)).toBe('approved');
    expect(approvalStatusAt({ ...approval, verdict: 'rejected' }, 9_999, 0)).toBe('rejected');
  });

  it('never lets a list-picker be approved and reports the richest type', () => {
    // Act / Assess
    expect(unapprovableReason(['twilio/list-picker', 'twilio/text'])).toMatch(/list-picker/);
    expect(unapprovableReason(['twilio/quick-reply'])).toBeUndefined();
    expect(primaryContentType(['twilio/text', 'twilio/quick-reply'])).toBe('twilio/quick-reply');
    expect(primaryContentType(['twilio/text'])).toBe('twilio/text');
  });
});

describe('renderContentBody', () => {
  it('fills variables from the send, then the content defaults, and leaves unknown ones', () => {
    // Act
    const text = renderContentBody({ 'twilio/text': { body: 'Hola {{1}}, {{2}} {{3}}' } }, { '2': 'bienvenida' }, { '1': 'Ana' });

    // Assess
    expect(text).toBe('Hola Ana, bienvenida {{3}}');
  });

  it('falls back to the first type with a body', () => {
    // Act
    const text = renderContentBody({ 'twilio/quick-reply': { body: '¿Sí?', actions: [] } }, {}, undefined);

    // Assess
    expect(text).toBe('¿Sí?');
  });
});

describe('statusCallbackFields', () => {
  it('builds the WhatsApp fields Twilio posts, with ErrorCode and ErrorMessage on failure', () => {
    // Act
    const fields = statusCallbackFields({ sid: 'SM1', accountSid: ACCOUNT, to: TO, from: FROM }, 'failed', 63016);

    // Assess
    expect(fields).toEqual({
      AccountSid: ACCOUNT,
      ApiVersion: '2010-04-01',
      ChannelPrefix: 'whatsapp',
      ChannelToAddress: '+52155123XXXXX',
      From: FROM,
      MessageSid: 'SM1',
      MessageStatus: 'failed',
      SmsSid: 'SM1',
      SmsStatus: 'failed',
      To: TO,
      ErrorCode: '63016',
      ErrorMessage: expect.stringMatching(/outside the allowed window/),
    });
  });

  it('reports the Messaging Service and leaves non-numbers unmasked', () => {
    // Act
    const fields = statusCallbackFields({ sid: 'SM1', accountSid: ACCOUNT, to: 'whatsapp:US.1234567', messagingServiceSid: 'MG1' }, 'read');

    // Assess
    expect(fields).toMatchObject({ MessagingServiceSid: 'MG1', ChannelToAddress: 'US.1234567', MessageStatus: 'read' });
    expect(fields).not.toHaveProperty('From');
    expect(fields).not.toHaveProperty('ErrorCode');
    expect(maskChannelAddress('+14155238886')).toBe('+141552XXXXX');
  });
});

describe('rfc2822', () => {
  it('writes dates like the 2010-04-01 API', () => {
    // Act / Assess
    expect(rfc2822(Date.UTC(2015, 6, 30, 20, 12, 31))).toBe('Thu, 30 Jul 2015 20:12:31 +0000');
  });
});
