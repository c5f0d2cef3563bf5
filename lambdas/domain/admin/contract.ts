import * as z from 'zod';
import { outboundContentSchema, WHATSAPP_LIMITS, whatsappLength } from '../outbound/contract';

/**
 * The admin API's public contract: zod schemas of what it accepts, TypeScript types of what it
 * answers. Routes live under `/businesses/{businessId}/whatsapp` (see `ADMIN_ROUTES` in
 * `lib/config.ts`); JSON is camelCase; errors are RFC 9457 problem details.
 *
 * The settings page imports the TYPES of this module (`import type`), so it must stay free of
 * runtime imports other than zod and the outbound contract.
 */

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/** E.164: `+`, a non-zero digit, 6 to 14 more digits. */
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;

export const twilioCredentialsSchema = z.strictObject({
  accountSid: z.string().regex(/^AC[0-9a-f]{32}$/, 'must be AC followed by 32 lower-case hex digits'),
  authToken: z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 lower-case hex digits'),
  whatsappNumber: z.string().regex(E164_PATTERN, 'must be an E.164 number such as +5215512345678'),
  messagingServiceSid: z.string().regex(/^MG[0-9a-f]{32}$/, 'must be MG followed by 32 lower-case hex digits').optional(),
});

/** `PUT connection`. */
export const putConnectionBodySchema = z.strictObject({
  provider: z.literal('twilio'),
  twilio: twilioCredentialsSchema,
});

/** `POST connection/test`: `sendTo` also sends a test message to that number. */
export const testConnectionBodySchema = z.strictObject({
  sendTo: z.string().regex(E164_PATTERN, 'must be an E.164 number such as +5215512345678').optional(),
});

/** `POST conversations/{conversationId}/messages`: the outbound contract's content. */
export const postMessageBodySchema = z.strictObject({
  content: outboundContentSchema,
  idempotencyKey: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .optional(),
  fallbackText: z
    .string()
    .refine((text) => whatsappLength(text) <= WHATSAPP_LIMITS.textMax, `at most ${WHATSAPP_LIMITS.textMax} characters`)
    .optional(),
});

/** Opaque base64url cursor, as the API handed it out. */
const cursorSchema = z.string().min(1).max(2048).regex(/^[A-Za-z0-9_-]+$/, 'not a cursor this API handed out');

/** `GET conversations?limit&cursor`. */
export const listConversationsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: cursorSchema.optional(),
});

/** `GET conversations/{conversationId}/messages?limit&cursor`. */
export const listMessagesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: cursorSchema.optional(),
});

/** Path parameters every route has (plus `conversationId` on the conversation routes). */
export const businessIdSchema = z.string().min(1).max(128).regex(/^[A-Za-z0-9_.:-]+$/);
export const conversationIdSchema = z.string().regex(/^cv_[0-9A-Z]{26}$/);

export type PutConnectionBody = z.infer<typeof putConnectionBodySchema>;
export type TestConnectionBody = z.infer<typeof testConnectionBodySchema>;
export type PostMessageBody = z.infer<typeof postMessageBodySchema>;
export type ListConversationsQuery = z.infer<typeof listConversationsQuerySchema>;
export type ListMessagesQuery = z.infer<typeof listMessagesQuerySchema>;

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

export type ConnectionStatus = 'not_connected' | 'active' | 'disabled';

/** One step of a connection test. `skipped` steps are `ok: false` and say why in `detail`. */
export interface TestStep {
  id: 'credentials' | 'sender' | 'testMessage';
  ok: boolean;
  skipped?: boolean;
  /** The BSP's error code (Twilio `20003`, …) or ours (`SENDER_NOT_FOUND`, …). */
  code?: string;
  detail: string;
}

export interface LastTest {
  at: string;
  ok: boolean;
  steps: TestStep[];
}

/** `GET/PUT connection`. Never carries a secret: only the auth token's last 4 characters. */
export interface ConnectionView {
  businessId: string;
  /** `status === 'active' && verified`. */
  connected: boolean;
  status: ConnectionStatus;
  connectionId?: string;
  provider?: 'twilio';
  /** E.164; the owner sees it in full. */
  displayNumber?: string;
  verified: boolean;
  lastTest?: LastTest;
  lastInboundAt?: string;
  updatedAt?: string;
  credentials?: { accountSid: string; authTokenLast4: string; messagingServiceSid?: string };
  webhookUrls?: { incoming: string; statusCallback: string; fallback: string };
}

/** `POST connection/test`. */
export interface TestConnectionResult {
  ok: boolean;
  verified: boolean;
  steps: TestStep[];
}

export type WindowView = { state: 'open' | 'expiring' | 'closed'; expiresAt?: string };

export interface ConversationView {
  conversationId: string;
  customer: { id: string; name?: string };
  lastMessageAt: string;
  lastCustomerMessageAt?: string;
  window: WindowView;
}

export type MessageDeliveryStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered';

export interface MessageView {
  messageId: string;
  direction: 'inbound' | 'outbound';
  type: string;
  /** A one-line summary: the text, caption, button/list title, template name… */
  text?: string;
  content: unknown;
  createdAt: string;
  status?: MessageDeliveryStatus;
  statusTimes?: Partial<Record<MessageDeliveryStatus, string>>;
  errorCode?: string;
  errorReason?: string;
  idempotencyKey?: string;
}

/** A page of a list, newest first; `nextCursor` is absent on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export type ConversationsPage = Page<ConversationView>;
export type MessagesPage = Page<MessageView>;

/** `POST conversations/{conversationId}/messages` → 202. */
export interface SendAccepted {
  messageId: string;
  conversationId: string;
  idempotencyKey: string;
  status: 'accepted';
}

export interface TemplateView {
  name: string;
  language: string;
  /** Twilio Content SID (`HX…`). */
  contentSid?: string;
  category: string;
  approvalStatus: string;
  variables: Record<string, string>;
  updatedAt?: string;
}

export interface TemplatesList {
  items: TemplateView[];
}

export type ProblemSlug =
  | 'not-found'
  | 'unauthorized'
  | 'validation-failed'
  | 'conflict'
  | 'bsp-unavailable'
  | 'internal'
  | 'payload-too-large'
  | 'unsupported-media-type';

/** RFC 9457 problem details (`application/problem+json`). */
export interface ProblemDetails {
  /** `https://echo.example/problems/<slug>` */
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The request path. */
  instance?: string;
  /** With `validation-failed`: one entry per problem, `path` like `twilio.accountSid`. */
  errors?: Array<{ path: string; message: string }>;
}

export const PROBLEM_TYPE_BASE = 'https://echo.example/problems/';
