/**
 * A local Twilio simulator: a node:http server that answers the Twilio endpoints Echo uses, with
 * Twilio's request validation, response shapes and error codes, and posts signed status callbacks,
 * so the send Lambda, the template command and the tests run without a Twilio account.
 *
 * Point both `TWILIO_API_BASE_URL` and `TWILIO_CONTENT_BASE_URL` at `simulator.url` (the admin
 * API's connection test then reads the Senders API there too, see `messagingBaseUrlFor`).
 *
 * What it models
 * - `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (form): HTTP Basic auth that must match
 *   the path's account (401 / 20003); `To`/`From` with the `whatsapp:` prefix (21910 when only one has
 *   it, 21211 / 21212 for bad addresses, `To` may also be a business-scoped user id), `From` or
 *   `MessagingServiceSid` (21603, 21705), `Body` ≤ 1600 (21617), `MediaUrl` http(s) (21620),
 *   `StatusCallback` (21609), `ContentSid` of this account (21655), `ContentVariables` a JSON object
 *   of non-empty strings (21656; 21654 without `ContentSid`), something to send (21619). 201 with the
 *   Message resource (`SM…` sid, status `queued`, or `accepted` with a Messaging Service; RFC 2822
 *   dates; a ContentSid send's `body` is the rendered content text).
 * - `GET /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json` with the current status.
 * - Inbound messages that never reached a webhook (what the reconciler must find): `recordInbound({
 *   accountSid, from, to, body?, media?: [{ contentType }], receivedAt? })` or the control endpoint
 *   `POST /_simulator/inbound` (same JSON) records a message Twilio "received" without posting it
 *   anywhere (`SM…`, or `MM…` with media; direction `inbound`, status `received`).
 *   `GET /2010-04-01/Accounts/{AccountSid}/Messages.json` lists the account's messages (sends and
 *   recorded inbound ones), newest first, filtered by `To`, `From` (exact, `whatsapp:` prefixed),
 *   `DateSent`, `DateSent>` and `DateSent<` (a GMT day, `YYYY-MM-DD`: the query reads
 *   `DateSent>=2026-11-27`; a time part is ignored), `PageSize` 1–1000 (default 50), paged through
 *   `next_page_uri` (`Page` + `PageToken`), the list under `messages`.
 *   `GET …/Messages/{Sid}/Media.json` lists a recorded message's media (`media_list`, `content_type`,
 *   `uri`); a medium recorded with `base64` is served at its URI (Basic auth, then a signed hop: `media.ts`).
 * - Connection test (the admin API's `POST connection/test`):
 *   `GET /2010-04-01/Accounts/{AccountSid}.json`: HTTP Basic that must match the path's account
 *   (401 / 20003 for a wrong token); the Account resource with `status` `active` (or what
 *   `accountStatuses` says: `suspended`, `closed`), without Twilio's `auth_token` field.
 *   `GET /v2/Channels/Senders?Channel=whatsapp[&PageSize&Page]` (Twilio serves it on
 *   messaging.twilio.com; here on the same port): the account's WhatsApp senders from the
 *   `whatsappSenders` option (default: the dev number +14155238886 for every account), each
 *   `ONLINE` with `sender_id` `whatsapp:+E164`, paged through `meta.next_page_url`; `Channel` is
 *   required (400 / 20001).
 * - Content API: `POST /v1/Content` (JSON, snake_case; camelCase keys are ignored like Twilio does, so
 *   camelCase `types` keys fail with "Invalid types"), `GET /v1/Content/{Sid}`,
 *   `POST /v1/Content/{Sid}/ApprovalRequests/whatsapp` (201, status `received`) and
 *   `GET /v1/Content/{Sid}/ApprovalRequests` (`pending` until `approvalDelayMs` has passed, then
 *   `approved`; `twilio/list-picker` contents are always `rejected`). Limits: text 1600, quick-reply
 *   body 1024 / 1–10 actions / titles ≤ 20, list-picker body 1024 / button ≤ 20 / 1–10 items, item
 *   ≤ 24, id ≤ 200, description ≤ 72 (21658 for lengths, HTTP 400 for structure).
 * - Status callbacks (form POST to `StatusCallback`, `X-Twilio-Signature` computed with the
 *   account's auth token over the exact URL): `sent` → `delivered` → `read` at the configured delays
 *   after acceptance (none for the initial status, as Twilio), or one `failed` with `ErrorCode` and
 *   `ErrorMessage` for asynchronous failures. One attempt each, 15 s timeout, failures counted.
 * - 24-hour window and channel rejections the way Twilio reports them: asynchronously, after a 201.
 *   A send is a "template" when its ContentSid's content is approved; anything else is freeform.
 *   Freeform sends to `closedWindowRecipients` (and a `rate63016` fraction of freeform sends) fail
 *   with 63016; with `rejectInteractive`, quick-reply and list-picker sends fail with 63021; an
 *   unapproved quick-reply with more than 3 buttons fails with 63021 (WhatsApp's in-session limit).
 * - Rate limits and server errors synchronously: `rate429` → 429 / 20429 with `Retry-After`,
 *   `rate5xx` → 500 / 20500 or 503 / 20503 (never accepted). Faults can change at run time.
 * - Control endpoints (no auth): `GET /_simulator/messages`, `GET /_simulator/contents`,
 *   `GET /_simulator/stats`, `GET|PUT /_simulator/faults`, `POST /_simulator/inbound`,
 *   `POST /_simulator/reset`.
 *
 * What it does not model
 * - Senders in any state but `ONLINE`, the Account list, subaccount creation and the Senders
 *   API's create/update/delete.
 * - Other channels (SMS/MMS), API keys (`SK…`) as credentials, subaccounts, Messaging Service sender
 *   pools, scheduling (`SendAt`), `ValidityPeriod` expiry (recorded, not enforced), message deletion,
 *   media files and the media of sent messages, the Content API's list/delete endpoints and v2 search.
 * - Real delivery: every accepted message without an injected failure reaches `read`; no
 *   `undelivered`, 63003/63024 bad recipients, sandbox joins or throughput queueing (80 msg/s).
 * - A 5xx after which the message was in fact sent (possible at the real Twilio).
 * - Twilio's retries of failed callbacks and its Fallback URL; extra callback fields (`EventType`, …).
 * - Exact Content API error codes for malformed bodies (Twilio's are undocumented; we answer 400).
 *
 * The accept path does no disk I/O and adds no latency; state lives in memory until `reset()`.
 *
 * @example
 * const simulator = await startTwilioSimulator({ accounts: { [accountSid]: authToken } });
 * process.env.TWILIO_API_BASE_URL = simulator.url;
 * // … send, then:
 * await simulator.idle();
 * expect(simulator.messages()[0].status).toBe('read');
 * await simulator.stop();
 */
export { startTwilioSimulator, rfc2822, DEFAULT_SIMULATED_SENDER } from './server';
export type { AccountStatus } from './accounts';
export type { SimulatedMessage, SimulatedMessageStatus, SimulatorStats, TwilioSimulator, TwilioSimulatorOptions } from './server';
export type { SimulatorFaults } from './faults';
export type { InboundInput } from './inbound';
export type { SimulatedContent, ApprovalStatus } from './content';
export { TwilioApiError, TWILIO_CODES } from './errors';
