import { MediaRefusedError, MediaTooLargeError } from '../../../../lambdas/providers/whatsapp/cloud-api/media';
import { dialog360MediaFetcher, dialog360MediaSource } from '../../../../lambdas/providers/whatsapp/dialog360/media';
import { metaMediaFetcher } from '../../../../lambdas/providers/whatsapp/meta/media';
import { DIALOG360_CREDENTIALS, fakeFetch, jsonResponse, META_CREDENTIALS } from './support';

async function bytesOf(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const PHOTO = Buffer.from('\xff\xd8\xff\xe0 a small jpeg', 'latin1');

describe('Cloud API media', () => {
  it("Meta: resolves the id with the token (and appsecret_proof), then downloads from lookaside with the same token", async () => {
    // Prepare
    const { fetch, requests } = fakeFetch((request) =>
      request.url.startsWith('https://graph.facebook.com/')
        ? jsonResponse(200, { url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1&hash=x', mime_type: 'image/jpeg', sha256: 'abc', file_size: PHOTO.length, id: '1234' })
        : new Response(PHOTO, { status: 200, headers: { 'content-type': 'image/jpeg' } }),
    );

    // Act
    const download = await metaMediaFetcher({ fetch, timeoutMs: 1000 }).fetch(META_CREDENTIALS, { id: '1234' }, 1024);
    const bytes = await bytesOf(download.body);

    // Assess
    expect(requests.map((request) => new URL(request.url).origin)).toEqual(['https://graph.facebook.com', 'https://lookaside.fbsbx.com']);
    expect(new URL(requests[0]!.url).pathname).toBe('/v23.0/1234');
    expect(new URL(requests[0]!.url).searchParams.get('appsecret_proof')).toMatch(/^[0-9a-f]{64}$/);
    expect(requests.every((request) => request.headers.authorization === `Bearer ${META_CREDENTIALS.accessToken}`)).toBe(true);
    expect(new URL(requests[1]!.url).searchParams.has('appsecret_proof')).toBe(false);
    expect(download).toMatchObject({ contentType: 'image/jpeg', sha256: 'abc' });
    expect(bytes.equals(PHOTO)).toBe(true);
  });

  it('360dialog: swaps the lookaside origin for its own base and sends the key only there', async () => {
    // Prepare
    const { fetch, requests } = fakeFetch((request) =>
      request.url === 'https://waba-v2.360dialog.io/987'
        ? jsonResponse(200, { url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=9&ext=1&hash=h', mime_type: 'audio/ogg' })
        : new Response(PHOTO, { status: 200 }),
    );

    // Act
    const download = await dialog360MediaFetcher({ fetch, timeoutMs: 1000 }).fetch(DIALOG360_CREDENTIALS, { id: '987' }, 1024);
    await bytesOf(download.body);

    // Assess
    expect(requests.map((request) => request.url)).toEqual([
      'https://waba-v2.360dialog.io/987',
      'https://waba-v2.360dialog.io/whatsapp_business/attachments/?mid=9&ext=1&hash=h',
    ]);
    expect(requests.every((request) => request.headers['d360-api-key'] === DIALOG360_CREDENTIALS.apiKey)).toBe(true);
  });

  it.each([
    ['another host', 'https://evil.example/steal'],
    ['userinfo in the URL', 'https://user:pass@waba-v2.360dialog.io/x'],
    ['plain http on the same host', 'http://waba-v2.360dialog.io/x'],
  ])('refuses a download URL on %s, before any credential is sent there', async (_, answered) => {
    // Prepare
    const { fetch, requests } = fakeFetch(() => jsonResponse(200, { url: answered, mime_type: 'image/jpeg' }));

    // Act
    const act = dialog360MediaFetcher({ fetch, timeoutMs: 1000 }).fetch(DIALOG360_CREDENTIALS, { id: '987' }, 1024);

    // Assess
    await expect(act).rejects.toBeInstanceOf(MediaRefusedError);
    expect(requests).toHaveLength(1);
  });

  it('refuses a file the BSP says is too large without downloading it, and one that streams past the cap', async () => {
    // Prepare
    const declared = fakeFetch(() => jsonResponse(200, { url: 'https://lookaside.fbsbx.com/a', mime_type: 'video/mp4', file_size: 5000 }));
    const undeclared = fakeFetch((request) =>
      request.url.startsWith('https://graph.facebook.com/') ? jsonResponse(200, { url: 'https://lookaside.fbsbx.com/a', mime_type: 'video/mp4' }) : new Response(Buffer.alloc(5000), { status: 200 }),
    );

    // Act
    const refusedUpFront = metaMediaFetcher({ fetch: declared.fetch, timeoutMs: 1000 }).fetch(META_CREDENTIALS, { id: '1' }, 1024);
    const streamed = await metaMediaFetcher({ fetch: undeclared.fetch, timeoutMs: 1000 }).fetch(META_CREDENTIALS, { id: '1' }, 1024);

    // Assess
    await expect(refusedUpFront).rejects.toBeInstanceOf(MediaTooLargeError);
    expect(declared.requests).toHaveLength(1);
    await expect(bytesOf(streamed.body)).rejects.toBeInstanceOf(MediaTooLargeError);
  });

  it('does not follow a redirect: the credentials would travel with it', async () => {
    // Prepare
    const { fetch } = fakeFetch((request) =>
      request.url.startsWith('https://graph.facebook.com/')
        ? jsonResponse(200, { url: 'https://lookaside.fbsbx.com/a' })
        : new Response(null, { status: 302, headers: { location: 'https://elsewhere.example/a' } }),
    );

    // Act
    const act = metaMediaFetcher({ fetch, timeoutMs: 1000 }).fetch(META_CREDENTIALS, { id: '1' }, 1024);

    // Assess
    await expect(act).rejects.toBeInstanceOf(MediaRefusedError);
  });

  it('needs a media id', async () => {
    // Act
    const act = dialog360MediaFetcher({ fetch: fakeFetch(() => jsonResponse(200, {})).fetch, timeoutMs: 1000 }).fetch(DIALOG360_CREDENTIALS, { url: 'https://x' }, 10);

    // Assess
    await expect(act).rejects.toBeInstanceOf(MediaRefusedError);
    expect(dialog360MediaSource('http://127.0.0.1:3012').downloadUrl('https://lookaside.fbsbx.com/p?q=1')).toBe('http://127.0.0.1:3012/p?q=1');
  });
});
