import * as z from 'zod';
import { PROVIDER_PROFILES } from '../../../domain/providers';
import type { ProviderCredentials, WebhookAck, WebhookRequest } from '../provider';
import { secretsEqual } from '../cloud-api/constant-time';
import { readCloudApiBody, type CloudApiBody, type CloudApiChange } from '../cloud-api/webhook-payload';
import { metaAppCredentialsSchema } from './app';
import { accountUpdateWabaId } from './coexistence';
import { META_SIGNATURE_HEADER, verifyMetaSignature } from './signature';

/** The changes of one POST grouped by whom they are for. */
export interface AppWebhookRoutes {
  /** By `metadata.phone_number_id`: messages, statuses, echoes, history, contacts… */
  numbers: Map<string, CloudApiBody>;
  /** Changes without a number (`account_update`, template updates…), by WABA id. */
  accounts: Map<string, CloudApiBody>;
}

const routingMetadataSchema = z.object({
  metadata: z.object({ phone_number_id: z.union([z.string(), z.number()]).transform(String).refine((id) => id !== '') }),
});

/**
 * The app-level webhook of Echo's own Meta app (`GET/POST /webhook/whatsapp/meta`): one callback
 * URL for every business onboarded through Embedded Signup. It authenticates with the APP's
 * secret (`echo-whatsapp/meta-app`, see `app.ts`), never a connection's:
 * - `GET` handshake: `hub.verify_token` equal (constant time) to the app's verify token;
 * - `POST`: `X-Hub-Signature-256` with the app secret over the raw body;
 * - routing: one POST may carry changes for several numbers and WABAs (Meta batches per app), so
 *   each change is grouped by its `metadata.phone_number_id`, or, without one (`account_update`),
 *   by its WABA; the webhook then finds each group's connection and parses the group with the
 *   per-connection codec (`MetaWebhookCodec.parse`), which checks it is addressed to that
 *   connection. A whole POST is never refused because one change names a number we do not serve.
 *
 * Nothing is logged here: headers, tokens and payload are sensitive.
 * @example
 * const codec = new MetaAppWebhookCodec();
 * if (!codec.authenticate(request, appCredentials)) throw new ForbiddenError('Forbidden');
 * const { numbers, accounts } = codec.route(codec.readBody(request));
 */
export class MetaAppWebhookCodec {
  readonly provider = 'meta' as const;
  readonly maxBodyBytes = PROVIDER_PROFILES.meta.maxWebhookBodyBytes;

  handshake(request: WebhookRequest, appCredentials: ProviderCredentials): WebhookAck | undefined {
    if (request.method.toUpperCase() !== 'GET') return undefined;
    const parsed = metaAppCredentialsSchema.safeParse(appCredentials);
    if (!parsed.success) return undefined;
    const challenge = request.query['hub.challenge'];
    if (request.query['hub.mode'] !== 'subscribe' || !challenge) return undefined;
    if (!secretsEqual(request.query['hub.verify_token'], parsed.data.verifyToken)) return undefined;
    // Verbatim: Meta compares the body with the challenge it sent.
    return { statusCode: 200, contentType: 'text/plain', body: challenge };
  }

  /** See `readCloudApiBody`. */
  readBody(request: WebhookRequest): CloudApiBody {
    return readCloudApiBody(request.rawBody);
  }

  /** An app secret the operator has not filled in verifies nothing. */
  authenticate(request: WebhookRequest, appCredentials: ProviderCredentials): boolean {
    const parsed = metaAppCredentialsSchema.safeParse(appCredentials);
    if (!parsed.success) return false;
    return verifyMetaSignature(request.rawBody, request.headers[META_SIGNATURE_HEADER], parsed.data.appSecret);
  }

  /**
   * Groups the changes by number (or by WABA when they have no number), keeping the entry and
   * change order within each group. A change about a WABA is given that WABA as its entry id, so
   * the per-connection codec's account check compares like with like.
   * @example codec.route(body).numbers.get('106540352242922') // the changes for that number
   */
  route(body: CloudApiBody): AppWebhookRoutes {
    const numbers = new Map<string, CloudApiBody>();
    const accounts = new Map<string, CloudApiBody>();
    const add = (groups: Map<string, CloudApiBody>, key: string, entryId: string, change: CloudApiChange) => {
      const group = groups.get(key) ?? { entries: [] };
      groups.set(key, group);
      const last = group.entries[group.entries.length - 1];
      if (last && last.id === entryId) last.changes.push(change);
      else group.entries.push({ id: entryId, changes: [change] });
    };
    for (const entry of body.entries) {
      for (const change of entry.changes) {
        const number = numberOf(change);
        if (number !== undefined) {
          add(numbers, number, entry.id, change);
          continue;
        }
        const wabaId = change.kind === 'other' && change.field === 'account_update' ? accountUpdateWabaId(change.value, entry.id) : entry.id;
        add(accounts, wabaId, wabaId, change);
      }
    }
    return { numbers, accounts };
  }

  /** Meta wants a 200 quickly; the body is ignored. */
  acknowledge(): WebhookAck {
    return { statusCode: 200, contentType: 'text/plain', body: '' };
  }
}

function numberOf(change: CloudApiChange): string | undefined {
  if (change.kind === 'messages') return change.value.metadata.phone_number_id;
  const parsed = routingMetadataSchema.safeParse(change.value);
  return parsed.success ? parsed.data.metadata.phone_number_id : undefined;
}

/**
 * How many changes a group carries (the unit `AppWebhookUnknownNumber` counts).
 * @example changeCount({ entries: [{ id: 'w', changes: [a, b] }] }) // 2
 */
export function changeCount(body: CloudApiBody): number {
  return body.entries.reduce((sum, entry) => sum + entry.changes.length, 0);
}
