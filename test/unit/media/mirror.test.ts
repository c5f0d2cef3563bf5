import { createHash } from 'node:crypto';
import type { MediaDownload, MediaFetcher, ProviderCredentials } from '../../../lambdas/domain/bsp';
import type { Connection } from '../../../lambdas/domain/connection';
import type { DomainEvent } from '../../../lambdas/domain/events';
import { mediaAccessOf } from '../../../lambdas/domain/media/access';
import { MediaRefusedError, MediaTooLargeError, MediaUnavailableError } from '../../../lambdas/domain/media/errors';
import { mediaObjectKey, mirrorMedia, type MediaJob, type MirrorDeps } from '../../../lambdas/domain/media/mirror';
import type { MediaFailureCounter, MediaObjectStore, MediaRecordStore } from '../../../lambdas/domain/media/ports';
import { checkContentType, sniffFormat } from '../../../lambdas/domain/media/sniff';
import type { MediaMirror } from '../../../lambdas/domain/message';
import { capped } from '../../../lambdas/providers/whatsapp/media-download';
import { SendFailedError } from '../../../lambdas/shared/errors';
import { UnsafeUrlError } from '../../../lambdas/shared/forbidden-address';

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF pan dulce'.repeat(10))]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const OGG = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(60, 1)]);
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const CONNECTION: Connection = {
  connectionId: 'cn_1',
  businessId: 'acme',
  provider: '360dialog',
  status: 'active',
  displayNumber: '+15550100001',
  secretArn: 'arn:secret:cn_1',
};

function job(media: MediaJob['media']): MediaJob {
  return { businessId: 'acme', connectionId: 'cn_1', conversationId: 'cv_1', messageId: '01JMSG', provider: '360dialog', media };
}

async function* chunks(bytes: Buffer, size = 7): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

function download(bytes: Buffer, contentType: string, sha256?: string): MediaDownload {
  return { contentType, body: chunks(bytes), ...(sha256 && { sha256 }) };
}

class Fakes {
  objects = new Map<string, { bytes: Buffer; contentType: string }>();
  mirrors: Array<MediaMirror | undefined> = [];
  exists = true;
  failures = 0;
  events: DomainEvent[] = [];
  fetch = jest.fn<Promise<MediaDownload>, [ProviderCredentials, { url?: string; id?: string }, number]>();

  deps(overrides: Partial<MirrorDeps> = {}): MirrorDeps {
    const fetcher: MediaFetcher = { fetch: (...args) => this.fetch(...args) };
    const objects: MediaObjectStore = {
      put: async (key, body, contentType) => {
        const parts: Buffer[] = [];
        for await (const chunk of body) parts.push(Buffer.from(chunk));
        this.objects.set(key, { bytes: Buffer.concat(parts), contentType });
      },
      delete: async (key) => void this.objects.delete(key),
    };
    const records: MediaRecordStore = {
      current: async () => (this.exists ? [...this.mirrors] : undefined),
      record: async (_c, _m, index, mirror) => {
        const existing = this.mirrors[index];
        if (existing && existing.status !== 'pending') return 'already-final';
        this.mirrors[index] = mirror;
        return 'recorded';
      },
    };
    const failures: MediaFailureCounter = { recent: async () => this.failures, add: async () => void this.failures++ };
    return {
      connections: { get: async (id) => (id === CONNECTION.connectionId ? CONNECTION : undefined) },
      credentials: { get: async () => ({ apiKey: 'k' }) },
      fetchers: { twilio: fetcher, meta: fetcher, '360dialog': fetcher },
      objects,
      records,
      failures,
      events: { publish: async (events) => void this.events.push(...events) },
      clock: { now: () => new Date('2026-11-26T12:00:00Z') },
      config: { breakerThreshold: 15 },
      ...overrides,
    };
  }
}

const FIRST = { attempt: 1, final: false };

describe('mirrorMedia', () => {
  it('stores a photo under its deterministic key with size and sha256, and announces it', async () => {
    // Prepare
    const fakes = new Fakes();
    fakes.fetch.mockResolvedValue(download(JPEG, 'image/jpeg', sha(JPEG)));

    // Act
    const result = await mirrorMedia(job([{ id: '77', kind: 'image', contentType: 'image/jpeg', sha256: sha(JPEG) }]), FIRST, fakes.deps());

    // Assess
    const key = 'acme/cn_1/cv_1/01JMSG/0';
    expect(result.outcome).toBe('settled');
    expect(fakes.objects.get(key)?.bytes.equals(JPEG)).toBe(true);
    expect(fakes.mirrors[0]).toEqual({ status: 'stored', key, contentType: 'image/jpeg', size: JPEG.length, sha256: sha(JPEG), attempts: 1, at: '2026-11-26T12:00:00.000Z' });
    expect(fakes.fetch).toHaveBeenCalledWith({ apiKey: 'k' }, { id: '77' }, 5 * 1024 * 1024);
    expect(fakes.events).toEqual([
      expect.objectContaining({
        detailType: 'message.media.stored',
        detail: expect.objectContaining({ messageId: '01JMSG', media: [{ index: 0, kind: 'image', status: 'stored', contentType: 'image/jpeg', key, size: JPEG.length, sha256: sha(JPEG) }] }),
      }),
    ]);
  });

  it('does nothing twice: a duplicate event finds the item final and fetches nothing', async () => {
    // Prepare
    const fakes = new Fakes();
    fakes.fetch.mockResolvedValue(download(OGG, 'audio/ogg'));
    const theJob = job([{ id: '1', kind: 'voice', contentType: 'audio/ogg; codecs=opus' }]);
    await mirrorMedia(theJob, FIRST, fakes.deps());

    // Act
    const again = await mirrorMedia(theJob, FIRST, fakes.deps());

    // Assess
    expect(fakes.fetch).toHaveBeenCalledTimes(1);
    expect(again).toEqual({ outcome: 'settled', media: [expect.objectContaining({ index: 0, status: 'stored' })] });
  });

  it('refuses a file whose bytes are not the declared type, and stores nothing', async () => {
    // Prepare
    const fakes = new Fakes();
    fakes.fetch.mockResolvedValue(download(PNG, 'image/jpeg'));

    // Act
    const result = await mirrorMedia(job([{ id: '1', kind: 'image', contentType: 'image/jpeg' }]), FIRST, fakes.deps());

    // Assess
    expect(result.outcome).toBe('settled');
    expect(fakes.mirrors[0]).toMatchObject({ status: 'refused', reason: 'content-type-mismatch:png' });
    expect(fakes.objects.size).toBe(0);
  });

  it('refuses and removes a file whose sha256 is not the one the BSP gave', async () => {
    // Prepare
    const fakes = new Fakes();
    fakes.fetch.mockResolvedValue(download(JPEG, 'image/jpeg', 'ab'.repeat(32)));

    // Act
    await mirrorMedia(job([{ id: '1', kind: 'image', contentType: 'image/jpeg' }]), FIRST, fakes.deps());

    // Assess
    expect(fakes.mirrors[0]).toMatchObject({ status: 'refused', reason: 'sha256-mismatch', size: JPEG.length });
    expect(fakes.objects.size).toBe(0);
  });

  it('marks a file over its cap too-large while streaming, leaving the message stored', async () => {
    // Prepare
    const fakes = new Fakes();
    const sticker = Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBP'), Buffer.alloc(600 * 1024)]);
    fakes.fetch.mockImplementation(async (_c, _r, maxBytes) => ({
      contentType: 'image/webp',
      body: capped(new Response(sticker).body!, maxBytes),
    }));

    // Act
    const result = await mirrorMedia(job([{ id: '1', kind: 'sticker', contentType: 'image/webp' }]), FIRST, fakes.deps());

    // Assess
    expect(result.outcome).toBe('settled');
    expect(fakes.mirrors[0]).toMatchObject({ status: 'too-large', reason: `over-${500 * 1024}-bytes` });
    expect(fakes.objects.size).toBe(0);
  });

  it.each([
    ['an unsafe URL', new UnsafeUrlError('the host is not on the allow-list'), 'refused', 'UnsafeUrlError'],
    ['a refused reference', new MediaRefusedError('not this account'), 'refused', 'MediaRefusedError'],
    ['a declared size over the cap', new MediaTooLargeError('too big'), 'too-large', `over-${16 * 1024 * 1024}-bytes`],
    ['an expired media id', new SendFailedError('permanent', '100', 'Unsupported get request'), 'failed', 'SendFailedError:100'],
  ])('records %s as final (%s)', async (_, error, status, reason) => {
    // Prepare
    const fakes = new Fakes();
    fakes.fetch.mockRejectedValue(error);

    // Act
    const result = await mirrorMedia(job([{ id: '1', kind: 'audio', contentType: 'audio/mpeg' }]), FIRST, fakes.deps());

    // Assess
    expect(result.outcome).toBe('settled');
    expect(fakes.mirrors[0]).toMatchObject({ status, reason });
  });

  it('keeps a retryable failure pending with its reason, counts it, and asks for a retry; the final attempt records failed', async () => {
    // Prepare
    const fakes = new Fakes();
    fakes.fetch.mockRejectedValue(new MediaUnavailableError('the media download answered 503'));
    const theJob = job([{ id: '1', kind: 'image', contentType: 'image/jpeg' }]);

    // Act
    const first = await mirrorMedia(theJob, FIRST, fakes.deps());
    const pending = fakes.mirrors[0];
    const last = await mirrorMedia(theJob, { attempt: 5, final: true }, fakes.deps());

    // Assess
    expect(first).toEqual({ outcome: 'retry', reason: 'MediaUnavailableError', breakerOpen: false });
    expect(pending).toMatchObject({ status: 'pending', reason: 'MediaUnavailableError', attempts: 1 });
    expect(last.outcome).toBe('settled');
    expect(fakes.mirrors[0]).toMatchObject({ status: 'failed', reason: 'MediaUnavailableError', attempts: 2 });
    expect(fakes.failures).toBe(2);
    expect(fakes.events).toHaveLength(1);
  });

  it('stops asking the BSP once the connection reached the hourly failure threshold (circuit open)', async () => {
    // Prepare
    const fakes = new Fakes();
    fakes.failures = 14;
    fakes.fetch.mockRejectedValue(new MediaUnavailableError('429'));

    // Act
    const result = await mirrorMedia(
      job([
        { id: '1', kind: 'image', contentType: 'image/jpeg' },
        { id: '2', kind: 'image', contentType: 'image/jpeg' },
      ]),
      FIRST,
      fakes.deps(),
    );

    // Assess
    expect(fakes.fetch).toHaveBeenCalledTimes(1);
    expect(fakes.failures).toBe(15);
    expect(result).toEqual({ outcome: 'retry', reason: 'MediaUnavailableError', breakerOpen: true });
    expect(fakes.mirrors[1]).toMatchObject({ status: 'pending', reason: 'circuit-open' });
  });

  it('skips a message that is not stored (nothing to mirror, nothing to retry)', async () => {
    // Prepare
    const fakes = new Fakes();
    fakes.exists = false;

    // Act
    const result = await mirrorMedia(job([{ id: '1', kind: 'image', contentType: 'image/jpeg' }]), FIRST, fakes.deps());

    // Assess
    expect(result).toEqual({ outcome: 'skipped', reason: 'message-not-found' });
    expect(fakes.fetch).not.toHaveBeenCalled();
  });

  it('derives keys that stay inside their own prefix', () => {
    // Act
    const key = mediaObjectKey({ businessId: 'acme/../other', connectionId: 'cn_1', conversationId: 'cv_1', messageId: '01J' }, 2);

    // Assess
    expect(key).toBe('acme%2F..%2Fother/cn_1/cv_1/01J/2');
  });
});

describe('content sniffing', () => {
  it.each([
    [JPEG, 'jpeg'],
    [PNG, 'png'],
    [Buffer.from('GIF89a\x01\x00'), 'gif'],
    [Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 '), 'webp'],
    [OGG, 'ogg'],
    [Buffer.from('\x00\x00\x00\x18ftyp3gp4', 'latin1'), 'iso-bmff'],
    [Buffer.from('\x00\x00\x00\x20ftypisom', 'latin1'), 'iso-bmff'],
    [Buffer.from('ID3\x04\x00'), 'mp3'],
    [Buffer.from([0xff, 0xfb, 0x90, 0x64]), 'mp3'],
    [Buffer.from([0xff, 0xf1, 0x50, 0x80]), 'aac'],
    [Buffer.from('#!AMR\n'), 'amr'],
    [Buffer.from('%PDF-1.7\n'), 'pdf'],
    [Buffer.from('PK\x03\x04\x14\x00', 'latin1'), 'zip'],
    [Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), 'ole'],
    [Buffer.from('BEGIN:VCARD\r\nVERSION:3.0'), 'text'],
    [Buffer.from([0, 1, 2, 3]), 'unknown'],
  ])('recognises %#', (bytes, format) => {
    // Act / Assess
    expect(sniffFormat(bytes)).toBe(format);
  });

  it('compares with the declared type', () => {
    // Act / Assess
    expect(checkContentType('audio/ogg; codecs=opus', OGG).verdict).toBe('ok');
    expect(checkContentType('application/vnd.openxmlformats-officedocument.wordprocessingml.document', Buffer.from('PK\x03\x04', 'latin1')).verdict).toBe('ok');
    expect(checkContentType('text/vcard', Buffer.from('BEGIN:VCARD')).verdict).toBe('ok');
    expect(checkContentType('text/plain', PNG)).toEqual({ verdict: 'mismatch', sniffed: 'png' });
    expect(checkContentType('application/pdf', Buffer.from('<html><script>'))).toEqual({ verdict: 'mismatch', sniffed: 'text' });
    expect(checkContentType('application/x-custom', PNG).verdict).toBe('unchecked');
  });
});

describe('media access', () => {
  it('signs stored items (documents as attachments under their name) and reports the others with their reason', async () => {
    // Prepare
    const signer = { sign: jest.fn(async (key: string, options?: { attachmentName?: string }) => ({ url: `https://media.example/${key}?name=${options?.attachmentName ?? ''}`, expiresAt: '2026-11-26T12:15:00.000Z' })) };
    const content = {
      type: 'document',
      media: [
        { kind: 'document', contentType: 'application/pdf', filename: 'recibo.pdf', mirror: { status: 'stored', key: 'a/b/c/d/0', size: 900, sha256: 'ff', at: 'x' } },
        { kind: 'image', contentType: 'image/jpeg', mirror: { status: 'refused', reason: 'content-type-mismatch:png', at: 'x' } },
        { kind: 'voice', contentType: 'audio/ogg' },
      ],
    };

    // Act
    const access = await mediaAccessOf(content, signer);

    // Assess
    expect(access).toEqual([
      { index: 0, kind: 'document', contentType: 'application/pdf', filename: 'recibo.pdf', status: 'stored', size: 900, sha256: 'ff', url: 'https://media.example/a/b/c/d/0?name=recibo.pdf', urlExpiresAt: '2026-11-26T12:15:00.000Z' },
      { index: 1, kind: 'image', contentType: 'image/jpeg', status: 'refused', reason: 'content-type-mismatch:png' },
      { index: 2, kind: 'voice', contentType: 'audio/ogg', status: 'pending' },
    ]);
  });
});
