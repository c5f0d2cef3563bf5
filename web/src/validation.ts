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
