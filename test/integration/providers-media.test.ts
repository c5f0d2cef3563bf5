/**
 * The Cloud API media fetchers against the local Meta and 360dialog simulators, which serve media
 * the way the BSPs do: a media id resolves to a short-lived URL that needs the same credentials
 * (Meta: the bearer token; 360dialog: the lookaside URL swapped for its own host, with the key).
 */
import { createHash } from 'node:crypto';
import { startDialog360Simulator, startMetaSimulator, type Dialog360Simulator, type MetaSimulator } from '../../local/cloud-api-simulator';
import { MediaTooLargeError } from '../../lambdas/providers/whatsapp/cloud-api/media';
import { dialog360MediaFetcher } from '../../lambdas/providers/whatsapp/dialog360/media';
import { metaMediaFetcher } from '../../lambdas/providers/whatsapp/meta/media';

const META = { accessToken: 'EAAmediatest000000000000000000001', appSecret: '0123456789abcdef0123456789abcdef', verifyToken: 'v' };
const DIALOG360 = { apiKey: 'D360mediatest0000000000000001', webhookSecret: 's' };

async function bytesOf(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

describe('Cloud API media fetchers against the simulators', () => {
  let meta: MetaSimulator;
  let dialog360: Dialog360Simulator;

  beforeAll(async () => {
    meta = await startMetaSimulator({
      accounts: [{ phoneNumberId: '100000000000077', wabaId: '200000000000077', displayNumber: '+15550100077', accessToken: META.accessToken, appSecret: META.appSecret }],
    });
    dialog360 = await startDialog360Simulator({ accounts: [{ apiKey: DIALOG360.apiKey, displayNumber: '+15550100078' }] });
  });
  afterAll(async () => {
    await meta?.stop();
    await dialog360?.stop();
  });

  it.each([
    ['Meta', () => ({ simulator: meta, fetcher: metaMediaFetcher({ fetch, timeoutMs: 5000 }, meta.url), credentials: META })],
    ['360dialog', () => ({ simulator: dialog360, fetcher: dialog360MediaFetcher({ fetch, timeoutMs: 5000 }, dialog360.url), credentials: DIALOG360 })],
  ])('%s: downloads a photo by its id, with the BSP sha256 matching the bytes', async (_, setup) => {
    // Prepare
    const { simulator, fetcher, credentials } = setup();
    const bytes = Buffer.from('\xff\xd8\xff\xe0 a photo of pan dulce', 'latin1');
    const media = simulator.addMedia(undefined, { mimeType: 'image/jpeg', bytes });

    // Act
    const download = await fetcher.fetch(credentials, { id: media.id }, 1024 * 1024);
    const received = await bytesOf(download.body);

    // Assess
    expect(received.equals(bytes)).toBe(true);
    expect(download.contentType).toBe('image/jpeg');
    expect(download.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('refuses a file over the cap from the size the BSP declares', async () => {
    // Prepare
    const media = dialog360.addMedia(undefined, { mimeType: 'video/mp4', bytes: Buffer.alloc(4096) });

    // Act
    const act = dialog360MediaFetcher({ fetch, timeoutMs: 5000 }, dialog360.url).fetch(DIALOG360, { id: media.id }, 1024);

    // Assess
    await expect(act).rejects.toBeInstanceOf(MediaTooLargeError);
  });
});
