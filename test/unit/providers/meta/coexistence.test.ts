import { readCloudApiBody } from '../../../../lambdas/providers/whatsapp/cloud-api/webhook-payload';
import { MetaAppWebhookCodec } from '../../../../lambdas/providers/whatsapp/meta/app-codec';
import { coexistenceEvents } from '../../../../lambdas/providers/whatsapp/meta/coexistence';
import type { WebhookEvent } from '../../../../lambdas/providers/whatsapp/provider';

/** Shapes as Meta's webhook references write them (placeholders filled with their example values). */
const metadata = { display_phone_number: '15550783881', phone_number_id: '106540352242922' };
const body = (changes: Array<{ field: string; value: unknown }>, entryId = '102290129340398') =>
  readCloudApiBody(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: entryId, changes }] }));
const coexistence = (events: WebhookEvent[]) => events.flatMap((event) => (event.kind === 'coexistence' ? [event.event] : []));

describe('Meta coexistence fields', () => {
  it("reads smb_message_echoes as the owner's message to the customer (`to`), with its content and time", () => {
    const { events } = coexistenceEvents(
      body([
        {
          field: 'smb_message_echoes',
          value: {
            messaging_product: 'whatsapp',
            metadata,
            message_echoes: [
              { from: '15550783881', to: '16505551234', id: 'wamid.ECHO1', timestamp: '1739321024', type: 'text', text: { body: "Here's the info you requested!" } },
              { from: '15550783881', id: 'wamid.NOTO', timestamp: '1739321024', type: 'text', text: { body: 'x' } },
            ],
          },
        },
      ]),
    );

    expect(coexistence(events)).toEqual([
      {
        type: 'owner-message',
        message: {
          provider: 'meta',
          externalId: 'wamid.ECHO1',
          accountId: '102290129340398',
          customer: { id: '+16505551234', isPhoneNumber: true, waId: '16505551234' },
          content: { type: 'text', text: "Here's the info you requested!" },
          sentAt: '2025-02-12T00:43:44.000Z',
        },
      },
    ]);
    // An echo without a recipient is counted, never guessed.
    expect(events).toContainEqual({ kind: 'other', type: 'echo:unreadable', detail: { index: 1 } });
  });

  it('reads a history chunk: phase, chunk, progress, and who wrote each message (business number, `to`, or from_me)', () => {
    const { events } = coexistenceEvents(
      body([
        {
          field: 'history',
          value: {
            messaging_product: 'whatsapp',
            metadata,
            history: [
              {
                metadata: { phase: 1, chunk_order: 3, progress: 55 },
                threads: [
                  {
                    id: '16505551234',
                    messages: [
                      { from: '16505551234', id: 'wamid.H1', timestamp: '1739230955', type: 'text', text: { body: 'hola' }, history_context: { status: 'READ' } },
                      { from: '15550783881', to: '16505551234', id: 'wamid.H2', timestamp: '1739231000', type: 'text', text: { body: 'buenas' }, history_context: { status: 'DELIVERED' } },
                      { from: '15550783881', id: 'wamid.H3', timestamp: '1739231100', type: 'text', text: { body: 'otra' }, history_context: { status: 'read', from_me: true } },
                      { from: '16505551234', id: 'wamid.H4', type: 'text', text: { body: 'sin hora' } },
                    ],
                  },
                ],
              },
            ],
          },
        },
      ]),
    );

    const [history] = coexistence(events);
    expect(history).toMatchObject({ type: 'history', chunk: { phase: 1, chunkOrder: 3, progress: 55, accountId: '102290129340398' } });
    const chunk = history!.type === 'history' ? history!.chunk : undefined;
    expect(chunk!.messages.map((m) => [m.externalId, m.direction, m.providerStatus])).toEqual([
      ['wamid.H1', 'inbound', 'READ'],
      ['wamid.H2', 'outbound', 'DELIVERED'],
      ['wamid.H3', 'outbound', 'read'],
    ]);
    expect(events).toContainEqual({ kind: 'other', type: 'history:message-unreadable', detail: { count: 1 } });
  });

  it('reads a declined history (error 2593109) as a chunk without messages', () => {
    const { events } = coexistenceEvents(
      body([{ field: 'history', value: { messaging_product: 'whatsapp', metadata, history: [{ errors: [{ code: 2593109, title: 'History sync is turned off' }] }] } }]),
    );

    expect(coexistence(events)).toEqual([{ type: 'history', chunk: { provider: 'meta', accountId: '102290129340398', messages: [], declined: { code: '2593109' } } }]);
  });

  it('reads smb_app_state_sync contacts: add with the full name, remove without one', () => {
    const { events } = coexistenceEvents(
      body([
        {
          field: 'smb_app_state_sync',
          value: {
            messaging_product: 'whatsapp',
            metadata,
            state_sync: [
              { type: 'contact', contact: { full_name: 'Pablo Morales', first_name: 'Pablo', phone_number: '16505551234' }, action: 'add', metadata: { timestamp: '1739321024' } },
              { type: 'contact', contact: { phone_number: '16505550000' }, action: 'remove', metadata: { timestamp: '1739321024' } },
            ],
          },
        },
      ]),
    );

    expect(coexistence(events)).toEqual([
      {
        type: 'contacts',
        contacts: [
          { customerId: '+16505551234', action: 'add', name: 'Pablo Morales' },
          { customerId: '+16505550000', action: 'remove' },
        ],
      },
    ]);
  });

  it('reads PARTNER_REMOVED with its disconnection reason, and leaves other account updates to the shared parser', () => {
    const { events, rest } = coexistenceEvents(
      body([
        { field: 'account_update', value: { event: 'PARTNER_REMOVED', waba_info: { waba_id: '980198427658004', owner_business_id: '2329417887457253' }, disconnection_info: { reason: 'PRIMARY_INACTIVITY', initiated_by: 'SYSTEM' } } },
        { field: 'account_update', value: { event: 'VERIFIED_ACCOUNT' } },
      ]),
    );

    expect(coexistence(events)).toEqual([{ type: 'partner-removed', removal: { wabaId: '980198427658004', metaReason: 'PRIMARY_INACTIVITY', initiatedBy: 'SYSTEM' } }]);
    expect(rest.entries[0]!.changes).toEqual([{ kind: 'other', field: 'account_update', value: { event: 'VERIFIED_ACCOUNT' } }]);
  });
});

describe('Meta app-level routing', () => {
  it('groups the changes of one POST by number, and the ones without a number by WABA', () => {
    const codec = new MetaAppWebhookCodec();
    const other = { display_phone_number: '15550000002', phone_number_id: '2002' };
    const routed = codec.route(
      readCloudApiBody(
        JSON.stringify({
          object: 'whatsapp_business_account',
          entry: [
            {
              id: 'W1',
              changes: [
                { field: 'messages', value: { messaging_product: 'whatsapp', metadata, messages: [] } },
                { field: 'smb_message_echoes', value: { metadata: other, message_echoes: [] } },
                { field: 'account_update', value: { event: 'PARTNER_REMOVED', waba_info: { waba_id: 'W9' } } },
              ],
            },
            { id: 'W1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata, statuses: [] } }] },
          ],
        }),
      ),
    );

    expect([...routed.numbers.keys()]).toEqual(['106540352242922', '2002']);
    expect(routed.numbers.get('106540352242922')!.entries.flatMap((entry) => entry.changes)).toHaveLength(2);
    // Given the WABA it names, so the per-connection codec compares like with like.
    expect(routed.accounts.get('W9')).toEqual({ entries: [{ id: 'W9', changes: [expect.objectContaining({ field: 'account_update' })] }] });
  });

  it("authenticates with the app's secret only once it is filled in", () => {
    const codec = new MetaAppWebhookCodec();
    const request = { method: 'POST', route: 'inbound' as const, url: '', query: {}, headers: { 'x-hub-signature-256': 'sha256=' + '0'.repeat(64) }, rawBody: '{}' };

    expect(codec.authenticate(request, { appSecret: '', systemUserToken: '', verifyToken: 'v' })).toBe(false);
  });
});
