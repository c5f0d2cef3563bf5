/**
 * Twilio webhooks as Twilio sends them: real form-encoded bodies, signed the way Twilio signs.
 * The signature is computed here with node:crypto, independently of the code under test and of
 * twilio-node, so a bug shared by both cannot hide.
 */
import { createHmac } from 'node:crypto';
import type { SignedRequest } from '../../../../lambdas/providers/whatsapp/twilio/form';

export const ACCOUNT_SID = 'AC' + 'a'.repeat(32);
export const AUTH_TOKEN = 'f'.repeat(32);
export const BUSINESS_NUMBER = '+14155238886';
export const CUSTOMER_NUMBER = '+5215512345678';
export const WEBHOOK_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com/webhook/twilio/conn-01HX';

/**
 * base64(HMAC-SHA1(token, url + every field's name and value, sorted by name)), as Twilio documents.
 */
export function twilioSignature(authToken: string, url: string, fields: Record<string, string>): string {
  const signed = Object.keys(fields)
    .sort()
    .reduce((acc, name) => acc + name + fields[name], url);
  return createHmac('sha1', authToken).update(signed, 'utf8').digest('base64');
}

/** The body Twilio posts: `application/x-www-form-urlencoded`, spaces as `+`, UTF-8 escapes. */
export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** A webhook request carrying `fields`, signed for `url` with `authToken`. */
export function signedRequest(
  fields: Record<string, string>,
  options: { url?: string; signedUrl?: string; authToken?: string } = {},
): SignedRequest {
  const url = options.url ?? WEBHOOK_URL;
  return {
    url,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(options.authToken ?? AUTH_TOKEN, options.signedUrl ?? url, fields),
      'i-twilio-idempotency-token': 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
    },
    rawBody: formBody(fields),
  };
}

/**
 * An incoming WhatsApp text message with the fields Twilio sends today. Overrides replace fields;
 * an `undefined` override removes the field.
 */
export function inboundFields(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const sid = 'SM' + '0123456789abcdef'.repeat(2);
  const base: Record<string, string> = {
    SmsMessageSid: sid,
    NumMedia: '0',
    ProfileName: 'Ana López',
    MessageType: 'text',
    SmsSid: sid,
    WaId: CUSTOMER_NUMBER.slice(1),
    SmsStatus: 'received',
    Body: 'Hola, ¿tienen mesa para dos?',
    To: `whatsapp:${BUSINESS_NUMBER}`,
    NumSegments: '1',
    ReferralNumMedia: '0',
    MessageSid: sid,
    AccountSid: ACCOUNT_SID,
    From: `whatsapp:${CUSTOMER_NUMBER}`,
    ApiVersion: '2010-04-01',
    ChannelMetadata: JSON.stringify({
      type: 'whatsapp',
      data: { context: { ProfileName: 'Ana López', WaId: CUSTOMER_NUMBER.slice(1) } },
    }),
  };
  return withOverrides(base, overrides);
}

/** A status callback for one of our sends, with the WhatsApp extras Twilio adds. */
export function statusFields(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const base: Record<string, string> = {
    ChannelPrefix: 'whatsapp',
    ApiVersion: '2010-04-01',
    MessageStatus: 'delivered',
    SmsSid: 'SM' + 'fedcba9876543210'.repeat(2),
    SmsStatus: 'delivered',
    ChannelInstallSid: 'XE' + '1'.repeat(32),
    To: `whatsapp:${CUSTOMER_NUMBER}`,
    From: `whatsapp:${BUSINESS_NUMBER}`,
    MessageSid: 'SM' + 'fedcba9876543210'.repeat(2),
    StructuredMessage: 'false',
    AccountSid: ACCOUNT_SID,
    ChannelToAddress: '+52155123XXXXX',
  };
  return withOverrides(base, overrides);
}

function withOverrides(
  base: Record<string, string>,
  overrides: Record<string, string | undefined>,
): Record<string, string> {
  const fields = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete fields[name];
    else fields[name] = value;
  }
  return fields;
}
