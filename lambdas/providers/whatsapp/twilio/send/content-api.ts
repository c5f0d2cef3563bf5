import * as z from 'zod';
import type { ProviderCredentials } from '../../provider';
import { parseTwilioCredentials } from '../credentials';
import { callTwilio, joinUrl, type TwilioHttpDeps } from './http';
import { unreadableSuccessError } from './errors';

/** What `createContent` takes: camelCase here, snake_case on the wire. */
export interface ContentDefinition {
  friendlyName: string;
  /** ISO 639-1 or WhatsApp locale (`en`, `es_MX`). */
  language: string;
  /** Sample/default values of the numbered variables: `{ "1": "Ana" }`. */
  variables: Record<string, string>;
  /** Content types, keyed `twilio/text`, `twilio/quick-reply`, …, exactly as Twilio documents them. */
  types: Record<string, unknown>;
}

export type WhatsAppTemplateCategory = 'UTILITY' | 'MARKETING' | 'AUTHENTICATION';

export interface TwilioContentApiDeps extends TwilioHttpDeps {
  /** `https://content.twilio.com` in production; the simulator's URL locally. */
  contentBaseUrl: string;
}

const createdSchema = z.object({ sid: z.string().regex(/^HX[0-9a-zA-Z]+$/) });
const submittedSchema = z.object({ status: z.string().optional() });
const approvalSchema = z.object({
  whatsapp: z
    .object({ status: z.string().optional(), rejection_reason: z.string().nullish() })
    .nullish(),
});

/** Twilio's approval statuses vary in case between endpoints; only `approved` may be sent. */
function normaliseStatus(status: string | undefined, fallback: string): string {
  const trimmed = status?.trim().toLowerCase();
  return trimmed ? trimmed : fallback;
}

/** True only for the one approval status WhatsApp lets a template be sent in. */
export function isSendableApproval(status: string): boolean {
  return status.trim().toLowerCase() === 'approved';
}

/**
 * Twilio's Content API: create content, submit it for WhatsApp approval, read the approval back.
 * Used by the sender (buttons and lists), the template command and the approval-sync job.
 * Failures throw `SendFailedError` classified for the Content API: 429, 5xx and timeouts are
 * retryable (creating twice is harmless), 401 permanent, other 4xx `content-rejected`.
 *
 * @example
 * const api = new TwilioContentApi({ fetch, contentBaseUrl: 'https://content.twilio.com', timeoutMs: 10_000 });
 * const { sid } = await api.createContent(credentials, {
 *   friendlyName: 'reengagement', language: 'en', variables: { '1': 'Ana' },
 *   types: { 'twilio/text': { body: 'Hi {{1}}, we have news about your request.' } },
 * });
 * await api.submitWhatsAppApproval(credentials, sid, { name: 'reengagement', category: 'UTILITY' });
 * const { status } = await api.fetchWhatsAppApproval(credentials, sid); // 'received' | 'approved' | …
 */
export class TwilioContentApi {
  constructor(private readonly deps: TwilioContentApiDeps) {}

  /** `POST /v1/Content` with snake_case keys (Twilio passes the body through untransformed). */
  async createContent(credentials: ProviderCredentials, definition: ContentDefinition): Promise<{ sid: string }> {
    const answer = await callTwilio(this.deps, {
      method: 'POST',
      url: joinUrl(this.deps.contentBaseUrl, '/v1/Content'),
      credentials: parseTwilioCredentials(credentials),
      json: {
        friendly_name: definition.friendlyName,
        language: definition.language,
        variables: definition.variables,
        types: definition.types,
      },
      context: { operation: 'content' },
    });
    const parsed = createdSchema.safeParse(answer.body);
    if (!parsed.success) throw unreadableSuccessError(answer.status, { operation: 'content' }, parsed.error);
    return { sid: parsed.data.sid };
  }

  /** `POST /v1/Content/{sid}/ApprovalRequests/whatsapp` `{ name, category }`; returns the status, lower-cased. */
  async submitWhatsAppApproval(
    credentials: ProviderCredentials,
    contentSid: string,
    request: { name: string; category: WhatsAppTemplateCategory },
  ): Promise<{ status: string }> {
    const answer = await callTwilio(this.deps, {
      method: 'POST',
      url: joinUrl(this.deps.contentBaseUrl, `/v1/Content/${encodeURIComponent(contentSid)}/ApprovalRequests/whatsapp`),
      credentials: parseTwilioCredentials(credentials),
      json: { name: request.name, category: request.category },
      context: { operation: 'content' },
    });
    const parsed = submittedSchema.safeParse(answer.body);
    // Any status but `approved` means "not sendable yet", so an answer without one is safe as `pending`.
    return { status: normaliseStatus(parsed.success ? parsed.data.status : undefined, 'pending') };
  }

  /**
   * `GET /v1/Content/{sid}/ApprovalRequests`: the WhatsApp approval status, lower-cased
   * (`unsubmitted` when nothing was submitted), and the rejection reason when WhatsApp gave one.
   */
  async fetchWhatsAppApproval(
    credentials: ProviderCredentials,
    contentSid: string,
  ): Promise<{ status: string; rejectionReason?: string }> {
    const answer = await callTwilio(this.deps, {
      method: 'GET',
      url: joinUrl(this.deps.contentBaseUrl, `/v1/Content/${encodeURIComponent(contentSid)}/ApprovalRequests`),
      credentials: parseTwilioCredentials(credentials),
      context: { operation: 'content' },
    });
    const parsed = approvalSchema.safeParse(answer.body);
    const whatsapp = parsed.success ? parsed.data.whatsapp : undefined;
    const status = normaliseStatus(whatsapp?.status, 'unsubmitted');
    const rejectionReason = whatsapp?.rejection_reason?.trim();
    return rejectionReason ? { status, rejectionReason } : { status };
  }
}
