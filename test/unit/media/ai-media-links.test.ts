import { withMediaLinks, type MediaLinkDeps } from '../../../lambdas/domain/ai/media-links';
import type { InboundQueueMessage } from '../../../lambdas/domain/inbound-queue-message';
import type { MediaMirror } from '../../../lambdas/domain/message';

const RECEIVED = '2026-11-26T12:00:00.000Z';

function message(content: InboundQueueMessage['content']): InboundQueueMessage {
  return {
    version: 1,
    kind: 'inbound.message',
    businessId: 'acme',
    connectionId: 'cn_1',
    conversationId: 'cv_1',
    messageId: '01JMSG',
    provider: 'twilio',
    externalId: 'MM1',
    receivedAt: RECEIVED,
    customer: { id: '+5215512345678', isPhoneNumber: true },
    content,
  };
}

function deps(mirrors: Array<MediaMirror | undefined>, secondsAfter: number): MediaLinkDeps & { reads: number } {
  const d = {
    reads: 0,
    records: {
      current: async () => {
        d.reads++;
        return mirrors;
      },
    },
    signer: { sign: async (key: string) => ({ url: `https://media.example/${key}?sig`, expiresAt: '2026-11-26T12:15:00.000Z' }) },
    now: () => new Date(Date.parse(RECEIVED) + secondsAfter * 1000),
  };
  return d;
}

const PHOTO = { type: 'image', media: [{ url: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1', kind: 'image', contentType: 'image/jpeg' }] };

describe('media links for the AI', () => {
  it('replaces the BSP link with a presigned link to our copy, with its size and checksum', async () => {
    // Prepare
    const d = deps([{ status: 'stored', key: 'acme/cn_1/cv_1/01JMSG/0', contentType: 'image/jpeg', size: 34_120, sha256: 'ab', at: RECEIVED }], 3);

    // Act
    const linked = await withMediaLinks(message(PHOTO), 1, d);

    // Assess
    expect(linked).toEqual({
      outcome: 'ready',
      pending: 0,
      message: expect.objectContaining({
        content: {
          type: 'image',
          media: [
            {
              kind: 'image',
              contentType: 'image/jpeg',
              mirrorStatus: 'stored',
              url: 'https://media.example/acme/cn_1/cv_1/01JMSG/0?sig',
              urlExpiresAt: '2026-11-26T12:15:00.000Z',
              size: 34_120,
              sha256: 'ab',
            },
          ],
        },
      }),
    });
  });

  it('waits while the copy is pending and the message is young, then answers without a link', async () => {
    // Act
    const young = await withMediaLinks(message(PHOTO), 1, deps([undefined], 10));
    const secondReceive = await withMediaLinks(message(PHOTO), 2, deps([undefined], 2));
    const fourthReceive = await withMediaLinks(message(PHOTO), 4, deps([undefined], 47));
    const old = await withMediaLinks(message(PHOTO), 1, deps([{ status: 'pending', reason: 'MediaUnavailableError', at: RECEIVED }], 61));

    // Assess
    expect(young).toEqual({ outcome: 'wait', retryInMs: 2_000 });
    expect(secondReceive).toEqual({ outcome: 'wait', retryInMs: 15_000 });
    expect(fourthReceive).toMatchObject({ outcome: 'ready', pending: 1 });
    expect(old).toMatchObject({
      outcome: 'ready',
      pending: 1,
      message: { content: { media: [{ kind: 'image', contentType: 'image/jpeg', mirrorStatus: 'pending', mirrorReason: 'MediaUnavailableError' }] } },
    });
  });

  it('reads nothing for a message without media', async () => {
    // Prepare
    const d = deps([], 0);

    // Act
    const linked = await withMediaLinks(message({ type: 'text', text: 'Hola' }), 1, d);

    // Assess
    expect(linked).toMatchObject({ outcome: 'ready', pending: 0 });
    expect(d.reads).toBe(0);
  });
});
