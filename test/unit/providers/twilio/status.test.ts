import { parseTwilioFields } from '../../../../lambdas/providers/whatsapp/twilio/form';
import { parseTwilioStatus, twilioDeliveryStatus } from '../../../../lambdas/providers/whatsapp/twilio/status';
import { MalformedRequestError } from '../../../../lambdas/shared/errors';
import { ACCOUNT_SID, signedRequest, statusFields } from './fixtures';

function received(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  return parseTwilioFields(signedRequest(statusFields(overrides)));
}

describe('parseTwilioStatus', () => {
  it.each([
    ['accepted', 'queued'],
    ['scheduled', 'queued'],
    ['queued', 'queued'],
    ['sending', 'queued'],
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['partially_delivered', 'delivered'],
    ['read', 'read'],
    ['failed', 'failed'],
    ['canceled', 'failed'],
    ['undelivered', 'undelivered'],
  ])('maps %s to %s and keeps the provider status', (providerStatus, status) => {
    // Prepare
    const fields = received({ MessageStatus: providerStatus });

    // Act
    const update = parseTwilioStatus(fields);

    // Assess
    expect(update).toEqual({
      provider: 'twilio',
      externalId: fields.MessageSid,
      accountId: ACCOUNT_SID,
      status,
      providerStatus,
    });
  });

  it('keeps ErrorCode and ErrorMessage of a failed send', () => {
    // Prepare
    const fields = received({
      MessageStatus: 'undelivered',
      ErrorCode: '63016',
      ErrorMessage: 'Failed to send freeform message because you are outside the allowed window.',
    });

    // Act
    const update = parseTwilioStatus(fields);

    // Assess
    expect(update).toMatchObject({
      status: 'undelivered',
      errorCode: '63016',
      errorMessage: 'Failed to send freeform message because you are outside the allowed window.',
    });
  });

  it('leaves the error fields out when Twilio sends them empty', () => {
    // Prepare
    const fields = received({ MessageStatus: 'sent', ErrorCode: '', ErrorMessage: '' });

    // Act
    const update = parseTwilioStatus(fields);

    // Assess
    expect(update).not.toHaveProperty('errorCode');
    expect(update).not.toHaveProperty('errorMessage');
  });

  it('ignores letter case and whitespace in the status but reports it as given', () => {
    // Prepare
    const fields = received({ MessageStatus: ' Delivered ' });

    // Act
    const update = parseTwilioStatus(fields);

    // Assess
    expect(update).toMatchObject({ status: 'delivered', providerStatus: ' Delivered ' });
  });

  it.each([
    ['an unknown status', { MessageStatus: 'teleported' }, 'teleported'],
    ['an inbound status', { MessageStatus: 'received' }, 'inbound'],
    ['an inbound status', { MessageStatus: 'receiving' }, 'inbound'],
    ['a prototype key as status', { MessageStatus: 'constructor' }, 'constructor'],
    ['a missing status', { MessageStatus: undefined }, 'MessageStatus'],
    ['an empty status', { MessageStatus: '' }, 'MessageStatus'],
    ['a missing MessageSid', { MessageSid: undefined }, 'MessageSid'],
    ['a missing AccountSid', { AccountSid: undefined }, 'AccountSid'],
  ])('throws MalformedRequestError for %s', (_name, overrides, mentioned) => {
    // Prepare
    const fields = received(overrides);

    // Act
    const act = () => parseTwilioStatus(fields);

    // Assess
    expect(act).toThrow(MalformedRequestError);
    expect(act).toThrow(mentioned);
  });
});

describe('twilioDeliveryStatus', () => {
  it('returns undefined for a word that is not an outbound status', () => {
    // Prepare
    const word = 'received';

    // Act
    const status = twilioDeliveryStatus(word);

    // Assess
    expect(status).toBeUndefined();
  });
});
