import * as z from 'zod';
import type { ProviderCredentials, SendableContent, SenderNumber, SendFailureKind, SendRequest, SendResult, WhatsAppSender } from '../provider';
import { SendFailedError } from '../../../shared/errors';
import { InvalidCredentialsError } from './credentials';
import { CREDENTIALS_INVALID, classifyCloudApiFailure, cloudApiFailureKind, contentClassOf, type CloudApiProvider } from './errors';
import { callCloudApi, withQuery, type CloudApiHttpDeps } from './http';
import { CLOUD_API_MAX_TEXT_LENGTH, buildMarkReadPayload, buildMessagePayload } from './send-payload';

/** How one call is authenticated: headers, and query parameters where the provider wants them. */
export interface CloudApiAuthorization {
  headers: Record<string, string>;
  query?: Record<string, string>;
}

/**
 * What differs between Cloud API providers when sending: where `…/messages` is and how a call
 * is authenticated. Meta: `{graph}/{version}/{phone_number_id}/messages` with a bearer token;
 * 360dialog: `{base}/messages` with `D360-API-KEY` (the key is scoped to one number).
 */
export interface CloudApiEndpoint {
  readonly provider: CloudApiProvider;
  /** The `POST …/messages` URL of this business number. Throws `SendFailedError` when the number lacks what the URL needs. */
  messagesUrl(from: SenderNumber): string;
  /** Throws `InvalidCredentialsError` when the secret lacks a field. */
  authorize(credentials: ProviderCredentials): CloudApiAuthorization;
}

export interface CloudApiSenderDeps {
  fetch: typeof fetch;
  /** Budget for each call; a timeout after the request left is `outcome-unknown`. */
  timeoutMs: number;
  now?: () => Date;
  endpoint: CloudApiEndpoint;
}

/** What a 200 from `…/messages` must carry for us to know the message (CLOUD_API.md §4 "Response"). */
const acceptedSchema = z.object({
  messages: z.array(z.object({ id: z.string().min(1), message_status: z.string().min(1).optional() })).min(1),
});

/**
 * Sends WhatsApp messages through a Cloud API provider: one JSON `POST …/messages` per message,
 * built by `buildMessagePayload` (text, image by link, native reply buttons and lists, templates),
 * with our message key as `biz_opaque_callback_data` so every status finds its message.
 *
 * Every failure is a classified `SendFailedError` (see `META_ERROR_TABLE`); a 200 means accepted,
 * and delivery failures arrive later as `failed` statuses (classified by `failureKindOf`).
 *
 * @example
 * const sender = new CloudApiSender({ fetch, timeoutMs: 10_000, endpoint: metaEndpoint('https://graph.facebook.com') });
 * const { externalId } = await sender.send({ credentials, from: { displayNumber: '+15550783881', providerNumberId: '1065' },
 *   to: '+5215512345678', content: { type: 'text', text: 'Hola' }, callbackData: 'cv_1.01J', statusCallbackUrl: '', messageId: '01J' });
 */
export class CloudApiSender implements WhatsAppSender {
  readonly maxTextLength = CLOUD_API_MAX_TEXT_LENGTH;
  private readonly http: CloudApiHttpDeps;

  constructor(private readonly deps: CloudApiSenderDeps) {
    this.http = { fetch: deps.fetch, timeoutMs: deps.timeoutMs, now: deps.now };
  }

  async send(request: SendRequest): Promise<SendResult> {
    const content = contentClassOf(request.content);
    // Built before anything else: content that breaks a limit is refused without a call.
    const payload = buildMessagePayload({ to: request.to, content: request.content, callbackData: request.callbackData });
    const auth = this.authorize(request.credentials);
    const answer = await callCloudApi(this.http, {
      method: 'POST',
      url: withQuery(this.deps.endpoint.messagesUrl(request.from), auth.query),
      headers: auth.headers,
      json: payload,
      context: { provider: this.deps.endpoint.provider, content },
    });
    const accepted = acceptedSchema.safeParse(answer.body);
    if (!accepted.success) {
      throw classifyCloudApiFailure({ type: 'unreadable-success', status: answer.status, cause: accepted.error }, { provider: this.deps.endpoint.provider });
    }
    const [message] = accepted.data.messages;
    return { externalId: message!.id, providerStatus: message!.message_status ?? 'accepted' };
  }

  /**
   * Marks a customer's message read and shows "typing…". Throws a classified `SendFailedError`
   * like `send`; the caller treats it as best effort.
   */
  async markRead(credentials: ProviderCredentials, from: SenderNumber, externalId: string): Promise<void> {
    const auth = this.authorize(credentials);
    await callCloudApi(this.http, {
      method: 'POST',
      url: withQuery(this.deps.endpoint.messagesUrl(from), auth.query),
      headers: auth.headers,
      json: buildMarkReadPayload(externalId),
      context: { provider: this.deps.endpoint.provider, content: 'text' },
    });
  }

  /** See {@link cloudApiFailureKind}. */
  failureKindOf(code: string, sentContentType: SendableContent['type']): SendFailureKind {
    return cloudApiFailureKind(code, sentContentType);
  }

  /** A secret that lacks a field fails the send permanently, before anything is sent. */
  private authorize(credentials: ProviderCredentials): CloudApiAuthorization {
    try {
      return this.deps.endpoint.authorize(credentials);
    } catch (error) {
      if (!(error instanceof InvalidCredentialsError)) throw error;
      throw new SendFailedError('permanent', CREDENTIALS_INVALID, "The connection's credentials are incomplete: save the connection again.", {
        cause: error,
      });
    }
  }
}
