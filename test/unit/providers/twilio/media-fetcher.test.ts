import { TwilioMediaFetcher } from '../../../../lambdas/providers/whatsapp/twilio';
import { MediaRefusedError, MediaTooLargeError, MediaUnavailableError } from '../../../../lambdas/providers/whatsapp/media-download';
import { fakeFetch } from '../cloud-api/support';

const credentials = { accountSid: `AC${'1'.repeat(32)}`, authToken: 'f'.repeat(32) };
const MEDIA_URL = `https://api.twilio.com/2010-04-01/Accounts/${credentials.accountSid}/Messages/MM${'2'.repeat(32)}/Media/ME${'3'.repeat(32)}`;
const BASIC = `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64')}`;
const VOICE = Buffer.from('OggS fake opus voice note');

async function bytesOf(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const fetcherWith = (fetch: typeof globalThis.fetch) => new TwilioMediaFetcher({ fetch, timeoutMs: 1000, apiBaseUrl: 'https://api.twilio.com' });

describe('TwilioMediaFetcher', () => {
  it("authenticates on Twilio's API host, then follows the CDN redirect without the credentials", async () => {
    // Prepare
    const { fetch, requests } = fakeFetch((request) =>
      request.url === MEDIA_URL
        ? new Response(null, { status: 307, headers: { location: 'https://s3-external-1.amazonaws.com/media.twiliocdn.com/AC1/abc?Signature=x' } })
        : new Response(VOICE, { status: 200, headers: { 'content-type': 'audio/ogg', 'content-length': String(VOICE.length) } }),
    );

    // Act
    const download = await fetcherWith(fetch).fetch(credentials, { url: MEDIA_URL }, 1024);
    const bytes = await bytesOf(download.body);

    // Assess
    expect(requests[0]!.headers.authorization).toBe(BASIC);
    expect(requests[1]!.url).toBe('https://s3-external-1.amazonaws.com/media.twiliocdn.com/AC1/abc?Signature=x');
    expect(requests[1]!.headers.authorization).toBeUndefined();
    expect(download.contentType).toBe('audio/ogg');
    expect(bytes.equals(VOICE)).toBe(true);
  });

  it.each([
    ['another host', 'https://evil.example/2010-04-01/Accounts/AC1/x'],
    ["another account's media", `https://api.twilio.com/2010-04-01/Accounts/AC${'9'.repeat(32)}/Messages/MM1/Media/ME1`],
    ['userinfo in the URL', `https://u:p@api.twilio.com/2010-04-01/Accounts/${credentials.accountSid}/Messages/MM1/Media/ME1`],
  ])('sends the credentials nowhere for %s', async (_, url) => {
    // Prepare
    const { fetch, requests } = fakeFetch(() => new Response(VOICE, { status: 200 }));

    // Act
    const act = fetcherWith(fetch).fetch(credentials, { url }, 1024);

    // Assess
    await expect(act).rejects.toBeInstanceOf(MediaRefusedError);
    expect(requests).toHaveLength(0);
  });

  it('refuses a redirect to plain http, and retries later on a 404 that may be transient', async () => {
    // Prepare
    const toHttp = fakeFetch(() => new Response(null, { status: 302, headers: { location: 'http://cdn.example/a' } }));
    const notYet = fakeFetch(() => new Response('{"code":20404}', { status: 404 }));

    // Act
    const refused = fetcherWith(toHttp.fetch).fetch(credentials, { url: MEDIA_URL }, 1024);
    const later = fetcherWith(notYet.fetch).fetch(credentials, { url: MEDIA_URL }, 1024);

    // Assess
    await expect(refused).rejects.toBeInstanceOf(MediaRefusedError);
    await expect(later).rejects.toBeInstanceOf(MediaUnavailableError);
  });

  it('refuses an oversize file from its declared length, and one that streams past the cap', async () => {
    // Prepare
    const declared = fakeFetch(() => new Response(Buffer.alloc(10), { status: 200, headers: { 'content-length': '5000' } }));
    const undeclared = fakeFetch(() => new Response(Buffer.alloc(5000), { status: 200 }));

    // Act
    const upFront = fetcherWith(declared.fetch).fetch(credentials, { url: MEDIA_URL }, 1024);
    const streamed = await fetcherWith(undeclared.fetch).fetch(credentials, { url: MEDIA_URL }, 1024);

    // Assess
    await expect(upFront).rejects.toBeInstanceOf(MediaTooLargeError);
    await expect(bytesOf(streamed.body)).rejects.toBeInstanceOf(MediaTooLargeError);
  });
});
