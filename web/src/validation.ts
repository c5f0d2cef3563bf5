/**
 * Client-side validation of the credentials form: the same patterns the admin API enforces
 * (`lambdas/domain/admin/contract.ts`), so a person learns at once, next to the field, what the
 * API would refuse. The API stays the authority: its 400 `errors` are mapped back onto fields.
 */

export const CREDENTIAL_PATTERNS = {
  accountSid: /^AC[0-9a-f]{32}$/,
  authToken: /^[0-9a-f]{32}$/,
  whatsappNumber: /^\+[1-9]\d{6,14}$/,
  messagingServiceSid: /^MG[0-9a-f]{32}$/,
} as const;

/** E.164, as for the WhatsApp sender number. */
export const E164_PATTERN = CREDENTIAL_PATTERNS.whatsappNumber;

export type CredentialField = keyof typeof CREDENTIAL_PATTERNS;
export type FormField = CredentialField | 'sendTo';
export type FieldProblem = 'required' | 'format';

export interface CredentialInput {
  accountSid: string;
  authToken: string;
  whatsappNumber: string;
  messagingServiceSid: string;
}

/**
 * A phone number as people paste it (`+52 1 55 1234-5678`, `whatsapp:+52…`) reduced to what E.164
 * allows: the prefix, spaces, dots, dashes and parentheses go.
 */
export function normalizeNumber(raw: string): string {
  return raw.trim().replace(/^whatsapp:/i, '').replace(/[\s().-]/g, '');
}

/** The trimmed, normalized values the form sends. */
export function normalizeCredentials(input: CredentialInput): CredentialInput {
  return {
    accountSid: input.accountSid.trim(),
    authToken: input.authToken.trim(),
    whatsappNumber: normalizeNumber(input.whatsappNumber),
    messagingServiceSid: input.messagingServiceSid.trim(),
  };
}

/**
 * What is wrong with each field, if anything (Messaging Service SID is optional).
 * @example validateCredentials({ accountSid: 'AC1', authToken: '', whatsappNumber: '+14155238886', messagingServiceSid: '' })
 * // { accountSid: 'format', authToken: 'required' }
 */
export function validateCredentials(input: CredentialInput): Partial<Record<CredentialField, FieldProblem>> {
  const values = normalizeCredentials(input);
  const problems: Partial<Record<CredentialField, FieldProblem>> = {};
  for (const field of Object.keys(CREDENTIAL_PATTERNS) as CredentialField[]) {
    const value = values[field];
    if (!value) {
      if (field !== 'messagingServiceSid') problems[field] = 'required';
    } else if (!CREDENTIAL_PATTERNS[field].test(value)) {
      problems[field] = 'format';
    }
  }
  return problems;
}

/** The optional "send a test message to" number: empty is fine, otherwise E.164. */
export function validateSendTo(raw: string): FieldProblem | undefined {
  const value = normalizeNumber(raw);
  return value && !E164_PATTERN.test(value) ? 'format' : undefined;
}

/**
 * The form field an API problem's `errors[].path` names (`twilio.accountSid`, `/twilio/authToken`,
 * `sendTo`), or `undefined` when it names none of them.
 */
export function fieldForProblemPath(path: string): FormField | undefined {
  const last = path.split(/[./]/).filter(Boolean).pop();
  const fields: FormField[] = ['accountSid', 'authToken', 'whatsappNumber', 'messagingServiceSid', 'sendTo'];
  return fields.find((field) => field === last);
}

/** Meta Cloud API owner input, as `metaOwnerInputSchema` accepts it (the number is optional). */
export const META_PATTERNS = {
  phoneNumberId: /^[1-9]\d{4,19}$/,
  wabaId: /^[1-9]\d{4,19}$/,
  accessToken: /^[A-Za-z0-9_\-.|]{32,2048}$/,
  appSecret: /^[0-9a-f]{32}$/,
  whatsappNumber: E164_PATTERN,
} as const;

/** 360dialog owner input, as `dialog360OwnerInputSchema` accepts it. */
export const DIALOG360_PATTERNS = {
  apiKey: /^[A-Za-z0-9_-]{16,256}$/,
  whatsappNumber: E164_PATTERN,
} as const;

/**
 * The values as they are sent: trimmed; the number reduced to E.164 characters; ids copied with
 * their spaces (`1065 4035 2242`) joined, since WhatsApp Manager groups long digits for reading.
 * @example normalizeFields({ phoneNumberId: ' 1065 4035 ', whatsappNumber: '+1 415-523-8886' })
 * // { phoneNumberId: '10654035', whatsappNumber: '+14155238886' }
 */
export function normalizeFields(values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, raw] of Object.entries(values)) {
    if (field === 'whatsappNumber') out[field] = normalizeNumber(raw ?? '');
    else if (field === 'phoneNumberId' || field === 'wabaId') out[field] = (raw ?? '').replace(/\s/g, '');
    else out[field] = (raw ?? '').trim();
  }
  return out;
}

/**
 * What is wrong with each field against `patterns`; fields in `optional` may be empty.
 * @example validateFields({ apiKey: '', whatsappNumber: '+1' }, DIALOG360_PATTERNS) // { apiKey: 'required', whatsappNumber: 'format' }
 */
export function validateFields(values: Record<string, string>, patterns: Readonly<Record<string, RegExp>>, optional: readonly string[] = []): Partial<Record<string, FieldProblem>> {
  const normalized = normalizeFields(values);
  const problems: Partial<Record<string, FieldProblem>> = {};
  for (const [field, pattern] of Object.entries(patterns)) {
    const value = normalized[field] ?? '';
    if (!value) {
      if (!optional.includes(field)) problems[field] = 'required';
    } else if (!pattern.test(value)) {
      problems[field] = 'format';
    }
  }
  return problems;
}
