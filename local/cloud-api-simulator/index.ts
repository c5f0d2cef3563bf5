/**
 * Local simulators of the two Cloud API BSPs: Meta's Graph API (WhatsApp Cloud API) and
 * 360dialog, on node:http, with their authentication, request validation, answers and errors, and
 * status webhooks posted the way each one posts them, so the send and admin Lambdas, the local
 * runtime and the tests run without a Meta app or a 360dialog key. One engine (`server.ts`) with
 * two faces (`meta.ts`, `dialog360.ts`): the bodies, limits, webhooks and faults are Cloud API's and
 * shared; authentication, paths and webhook addressing are each BSP's own.
 *
 * Point `META_GRAPH_BASE_URL` / `DIALOG360_BASE_URL` at `simulator.url`. Facts are from
 * `/work/shared/CLOUD_API.md` (sections named below).
 *
 * What both model
 * - Sends (§4): the JSON body with `messaging_product: 'whatsapp'`, `to` (a number) or `recipient`
 *   (a business-scoped user id), `type` text | image | audio | video | document | sticker |
 *   interactive | template | location | contacts | reaction, `context.message_id`,
 *   `biz_opaque_callback_data` (≤ 512). Limits in `messages.ts` (text ≤ 4096, buttons 1–3 with
 *   title ≤ 20 / id ≤ 256, lists ≤ 10 rows in total with title ≤ 24 / description ≤ 72, bodies ≤ 1024,
 *   media by id or http(s) link); errors 100 / 131009 with `error_data.details`. A template send
 *   needs an APPROVED template of that name and language in the number's WABA (132001 otherwise).
 *   200 `{ messaging_product, contacts: [{ input, wa_id }], messages: [{ id: 'wamid.…' }] }`
 *   (`user_id` instead of `wa_id` for a `recipient`). A user id in `to` is accepted and silently
 *   dropped (no status ever comes), as WhatsApp is reported to do [UNCONFIRMED, §2.2].
 * - Mark read (§11): `{ messaging_product, status: 'read', message_id, typing_indicator? }` →
 *   `{ success: true }`, recorded (`reads()`).
 * - Status webhooks (§2.4): `sent` → `delivered` → `read` at `callbackDelaysMs` after acceptance,
 *   in the Cloud API envelope with `biz_opaque_callback_data` echoed, `recipient_id`,
 *   `pricing { pricing_model: 'PMP', category, type }` (`service`/`free_customer_service`, or the
 *   template's category and `regular`), `conversation` on sent and delivered; or one `failed` with
 *   `errors[]` (131047) for injected window failures. One status waits for the previous one's
 *   delivery, so they arrive in order (real Meta may reorder).
 * - Webhook retries (§11): a non-2xx answer, a timeout or a refused connection is retried after each
 *   of `webhookRetryDelaysMs` (default 1 s, 5 s, 15 s), then given up (counted in `stats()`, kept in
 *   `deliveries()`). Meta retries for 7 days; the simulator's bound keeps tests short.
 * - Templates: create (PENDING, APPROVED once `templateApprovalDelayMs` has passed or a control
 *   call decides), list; seeded ones with `templates` (in every WABA unless one is named; they survive
 *   `reset()`). They belong to the WABA.
 * - Media (§4, §7, §11): `GET /{media-id}` → `{ url, mime_type, sha256, file_size, id }`, the URL
 *   valid 5 minutes and only with the same credentials. Media come from `addMedia` /
 *   `POST /_simulator/media`.
 * - Faults (`faults.ts`): `rate429` (429 / 130429 + `Retry-After`), `rate5xx` (500 / 131000, 503 /
 *   131016), `rateLostAnswer` (accepted, statuses will come, but the answer is a 500 or a destroyed
 *   socket), `rate131047` / `closedWindowRecipients` (accepted, then `failed` 131047). Changeable at
 *   run time.
 * - Inbound (`inbound.ts`): `postInbound` / `POST /_simulator/inbound` builds a text (or image)
 *   webhook for N messages from ≤ N customers in ONE POST and posts it, authenticated as the BSP
 *   would, to the number's webhook; it answers after the first attempt and retries like statuses.
 * - Control endpoints (no auth): `GET /_simulator/messages | reads | templates | deliveries | stats
 *   | faults`, `PUT /_simulator/faults`, `POST /_simulator/inbound | templates/review | media | reset`.
 *
 * Meta only (`startMetaSimulator`)
 * - `Authorization: Bearer <token>` (or `?access_token=`) on every call: missing or unknown → 401
 *   `{ error: { message, type: 'OAuthException', code: 190, fbtrace_id } }`; a phone number id, WABA
 *   or media the token may not use → 400 / 100 subcode 33 ("Unsupported … request. Object with ID …").
 *   An `appsecret_proof` query parameter, when sent, must be HMAC-SHA256(app secret, token) hex
 *   (400 / 100 `GraphMethodException` otherwise); `requireAppSecretProof` refuses calls without one.
 * - `POST /{version}/{phone-number-id}/messages`; any `vNN.N` version is served.
 * - `GET /{version}/{phone-number-id}[?fields=…]` → `{ verified_name, display_phone_number
 *   ('+1 555-010-0001', formatted as Graph does for +1 numbers: compare digits), quality_rating,
 *   code_verification_status, platform_type, throughput, webhook_configuration, id }`, or only the
 *   asked fields and `id`.
 * - `GET|POST|DELETE /{version}/{waba-id}/subscribed_apps`: `{ data: [{ whatsapp_business_api_data:
 *   { id, link, name } }] }` / `{ success: true }`. Webhooks flow only while the app is subscribed
 *   (default: subscribed).
 * - `GET|POST /{version}/{waba-id}/message_templates` (paged with `paging.next`).
 * - Webhooks to the number's `webhookUrl`, signed `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app
 *   secret, exact body)>` (and the SHA-1 `X-Hub-Signature`), the body encoded like Meta's (`\uXXXX`
 *   for non-ASCII, `\/`).
 * - Media URLs on the simulator (`/whatsapp_business/attachments/?mid=…`), bearer token required.
 * - Embedded Signup (`embedded-signup.ts`, with the `app` option): a stand-in for the Facebook JS
 *   SDK (`/_simulator/embedded-signup/sdk.js`: `FB.init`, `FB.login`), its popup dialog that posts the
 *   `WA_EMBEDDED_SIGNUP` session event and the code to the opener, `GET /{version}/oauth/access_token`
 *   (app id, app secret, single-use code → a business token; the number joins the simulator on the
 *   app's webhook, the app not subscribed and a new number not registered), `POST
 *   /{phone-number-id}/register` (6-digit PIN; refused for coexistence numbers; an unregistered number
 *   cannot send: 133010), `POST /{phone-number-id}/smb_app_data` (once per sync type, coexistence
 *   only) and `GET /{waba-id}/phone_numbers`. `completeSignup()` finishes a signup without a browser.
 *
 * 360dialog only (`startDialog360Simulator`)
 * - `D360-API-KEY` on every call; wrong → 401 `{ meta: { success: false, http_code: 401,
 *   developer_message: 'Invalid api_key' } }`. One key = one number; no ids in paths.
 * - `POST /messages` (same bodies and answers as Meta; validation and throughput errors relayed in
 *   Meta's shape).
 * - `GET|POST /v1/configs/webhook` `{ url, headers }`; answers `{ url, headers }` (`{ url: null,
 *   headers: {} }` when none). Webhooks go to that URL with those headers, unsigned; without a
 *   registration they are not posted (`undeliverable`). `strictWebhookUrls` refuses what 360dialog
 *   refuses (http, ports, `_`).
 * - `GET|POST /v1/configs/templates` (`waba_templates`, lower-case statuses).
 * - `GET /{media-id}` answers a URL on `https://lookaside.fbsbx.com/whatsapp_business/attachments/…`;
 *   the file is served at that path and query on the simulator, with the key: swap the origin.
 *
 * What they do not model
 * - Media upload, inbound media other than by seeded id, audio/video/documents' own rules.
 * - Real delivery (every accepted message reaches `read`), `played`, `deleted`, out-of-order or
 *   duplicate statuses, per-recipient pair limits (131056), messaging limits, quality changes.
 * - Graph paging of anything but templates; batch requests; token expiry.
 * - 360dialog multi-webhooks, partner API, the `x-360dialog-signature` of partner webhooks.
 *
 * @example
 * const meta = await startMetaSimulator({ accounts: [{ phoneNumberId, wabaId, displayNumber, accessToken, appSecret, webhookUrl }] });
 * // … send through META_GRAPH_BASE_URL = meta.url, then:
 * await meta.idle();
 * expect(meta.messages()[0].status).toBe('read');
 * await meta.stop();
 */
export { startMetaSimulator, graphDisplayNumber, META_SIMULATOR_DEFAULT_VERSION } from './meta';
export type { MetaAccount, MetaSimulator, MetaSimulatorOptions, OnboardedNumber, QualityRating } from './meta';
export { COEXISTENCE_FEATURE_TYPE, EmbeddedSignupFlow, SIGNUP_PATHS, SIMULATED_LOGIN_MESSAGE } from './embedded-signup';
export type { CompletedSignup, EmbeddedSignupApp, SessionEvent, SignupInput } from './embedded-signup';
export { startDialog360Simulator } from './dialog360';
export type { Dialog360Account, Dialog360Simulator, Dialog360SimulatorOptions, Dialog360Webhook } from './dialog360';
export type {
  CloudApiSimulator,
  CloudMarkRead,
  CloudSimulatedMessage,
  CloudSimulatorOptions,
  CloudSimulatorStats,
  InboundInput,
  InboundResult,
  SeedTemplate,
  SimulatedCloudStatus,
  WebhookDelivery,
} from './server';
export type { CloudFaults, LostAnswer } from './faults';
export { dialog360WebhookRequest, inboundPayload, metaWebhookRequest, textBatch } from './inbound';
export type { BuiltInbound, CloudInboundMessage, WebhookHttpRequest } from './inbound';
export { encodeLikeMeta, hubSignature256 } from './payloads';
export type { CloudWebhookPayload, WebhookNumber } from './payloads';
export type { SimulatedTemplate, TemplateCategory, TemplateStatus } from './templates';
export type { MediaView } from './media';
export { CloudApiError, CLOUD_CODES } from './errors';
