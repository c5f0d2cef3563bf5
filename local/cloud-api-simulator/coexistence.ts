/**
 * Meta's coexistence webhooks as the simulator posts them (a number that is on the WhatsApp
 * Business app and the Cloud API): the owner's own messages from the app (`smb_message_echoes`),
 * the chat history (`history`), the address book (`smb_app_state_sync`) and Meta removing the
 * partner (`account_update` `PARTNER_REMOVED`). Shapes as Meta's webhook references give them
 * (see lambdas/providers/whatsapp/meta/coexistence.ts for the sources).
 */
import { changeValue, digitsOf, newWamid, unixSeconds, type CloudWebhookPayload, type WebhookNumber } from './payloads';

/** What `POST /_simulator/coexistence` takes (and `npm run simulate -- echo | history | contacts | partner-removed`). */
export type CoexistenceInput =
  | { kind: 'echo'; account?: string; to: string; text: string; id?: string; at?: number }
  | {
      kind: 'history';
      account?: string;
      /** Meta's phase (0: day 0–1, 1: day 1–90, 2: day 90–180). @default 0 */
      phase?: number;
      /** @default 1 */
      chunkOrder?: number;
      /** 0..100. @default 100 */
      progress?: number;
      /** The owner refused to share the history: one `errors` item (code 2593109), no threads. */
      declined?: boolean;
      threads?: Array<{ customer: string; messages: Array<{ fromMe?: boolean; text: string; at: number; id?: string }> }>;
    }
  | { kind: 'contacts'; account?: string; contacts: Array<{ phone: string; name?: string; action?: 'add' | 'remove' }>; at?: number }
  | { kind: 'partner-removed'; account?: string; reason?: string; initiatedBy?: 'USER' | 'SYSTEM'; at?: number };

export interface BuiltCoexistence {
  payload: CloudWebhookPayload;
  /** The wamids the payload carries (echo and history). */
  messageIds: string[];
}

function one(number: WebhookNumber, field: string, value: Record<string, unknown>, time?: number): CloudWebhookPayload {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: number.wabaId, ...(time !== undefined && { time: Math.floor(time / 1000) }), changes: [{ field, value }] }],
  } as unknown as CloudWebhookPayload;
}

function e164Digits(phone: string): string {
  const digits = digitsOf(phone);
  if (!/^[1-9]\d{6,14}$/.test(digits)) throw new Error(`not an E.164 number: ${phone.slice(0, 4)}…`);
  return digits;
}

/**
 * The payload of one coexistence webhook for `number`.
 * @example coexistencePayload(number, { kind: 'echo', to: '+5215512345678', text: 'Ya te atiendo yo' })
 */
export function coexistencePayload(number: WebhookNumber, input: CoexistenceInput, now: number = Date.now()): BuiltCoexistence {
  switch (input.kind) {
    case 'echo': {
      const id = input.id ?? newWamid();
      const echo = {
        from: digitsOf(number.displayNumber),
        to: e164Digits(input.to),
        id,
        timestamp: unixSeconds(input.at ?? now),
        type: 'text',
        text: { body: input.text },
      };
      return { payload: one(number, 'smb_message_echoes', changeValue(number, { message_echoes: [echo] })), messageIds: [id] };
    }
    case 'history': {
      const messageIds: string[] = [];
      const item: Record<string, unknown> = {
        metadata: { phase: input.phase ?? 0, chunk_order: input.chunkOrder ?? 1, progress: input.progress ?? 100 },
      };
      if (input.declined) {
        item.errors = [{ code: 2593109, title: 'History sync is turned off by the business', error_data: { details: 'The business declined to share its chat history.' } }];
      } else {
        item.threads = (input.threads ?? []).map((thread) => {
          const customer = e164Digits(thread.customer);
          return {
            id: customer,
            messages: thread.messages.map((message) => {
              const id = message.id ?? newWamid();
              messageIds.push(id);
              return {
                from: message.fromMe ? digitsOf(number.displayNumber) : customer,
                ...(message.fromMe && { to: customer }),
                id,
                timestamp: unixSeconds(message.at),
                type: 'text',
                text: { body: message.text },
                history_context: { status: message.fromMe ? 'read' : 'delivered', ...(message.fromMe && { from_me: true }) },
              };
            }),
          };
        });
      }
      return { payload: one(number, 'history', changeValue(number, { history: [item] })), messageIds };
    }
    case 'contacts':
      return {
        payload: one(
          number,
          'smb_app_state_sync',
          changeValue(number, {
            state_sync: input.contacts.map((contact) => {
              const action = contact.action ?? 'add';
              const name = contact.name ?? '';
              return {
                type: 'contact',
                contact: { ...(action === 'add' && { full_name: name, first_name: name.split(' ')[0] }), phone_number: e164Digits(contact.phone) },
                action,
                metadata: { timestamp: unixSeconds(input.at ?? now) },
              };
            }),
          }),
        ),
        messageIds: [],
      };
    case 'partner-removed':
      return {
        payload: one(
          number,
          'account_update',
          {
            event: 'PARTNER_REMOVED',
            waba_info: { waba_id: number.wabaId, owner_business_id: '1000000000000001' },
            ...((input.reason !== undefined || input.initiatedBy !== undefined) && {
              disconnection_info: { ...(input.reason !== undefined && { reason: input.reason }), ...(input.initiatedBy !== undefined && { initiated_by: input.initiatedBy }) },
            }),
          },
          input.at ?? now,
        ),
        messageIds: [],
      };
  }
}
