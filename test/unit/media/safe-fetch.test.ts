import { createSafeFetch, hostAllowed, UnsafeUrlError, type PinnedRequest } from '../../../lambdas/shared/safe-fetch';

const TWILIO = { allowedHosts: ['api.twilio.com', '*.twiliocdn.com'] };

/** A transport that records what it was asked to connect to and answers from `answer`. */
function recordingTransport(answer: (request: PinnedRequest, index: number) => Response = () => new Response('ok')) {
  const requests: PinnedRequest[] = [];
  return {
    requests,
    transport: async (request: PinnedRequest) => {
      requests.push(request);
      return answer(request, requests.length - 1);
    },
  };
}

describe('safe fetch', () => {
  it('connects to the address it checked, even when DNS answers differently the second time (rebinding)', async () => {
    // Prepare
    const answers = [['54.172.60.1'], ['127.0.0.1']];
    const resolve = jest.fn(async () => answers.shift() ?? ['127.0.0.1']);
    const { requests, transport } = recordingTransport();
    const safeFetch = createSafeFetch(TWILIO, { resolve, transport });

    // Act
    const response = await safeFetch('https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1');

    // Assess
    expect(response.status).toBe(200);
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(requests[0]!.address).toBe('54.172.60.1');
  });

  it('refuses a host that resolves to a private address among public ones', async () => {
    // Prepare
    const { requests, transport } = recordingTransport();
    const safeFetch = createSafeFetch(TWILIO, { resolve: async () => ['54.172.60.1', '10.0.0.7'], transport });

    // Act
    const act = safeFetch('https://api.twilio.com/x');

    // Assess
    await expect(act).rejects.toThrow(new UnsafeUrlError('the host resolves to a forbidden address (private)'));
    expect(requests).toHaveLength(0);
  });

  it.each([
    ['userinfo', 'https://user:pass@api.twilio.com/x', 'the URL carries userinfo'],
    ['plain http', 'http://api.twilio.com/x', 'the URL is not https (http:)'],
    ['another port', 'https://api.twilio.com:8443/x', 'the URL names a port'],
    ['another host', 'https://evil.example/x', 'the host is not on the allow-list'],
    ['a look-alike host', 'https://api.twilio.com.evil.example/x', 'the host is not on the allow-list'],
    ['the bare wildcard domain', 'https://twiliocdn.com/x', 'the host is not on the allow-list'],
  ])('refuses %s before any lookup', async (_, url, reason) => {
    // Prepare
    const resolve = jest.fn(async () => ['54.172.60.1']);
    const { requests, transport } = recordingTransport();

    // Act
    const act = createSafeFetch(TWILIO, { resolve, transport })(url);

    // Assess
    await expect(act).rejects.toThrow(new UnsafeUrlError(reason));
    expect(resolve).not.toHaveBeenCalled();
    expect(requests).toHaveLength(0);
  });

  it.each(['https://169.254.169.254/latest/meta-data/', 'https://2130706433/', 'https://0x7f.0.0.1/', 'https://[::ffff:127.0.0.1]/', 'https://[fd00:ec2::254]/'])(
    'refuses the IP literal %s even when it is on the allow-list',
    async (url) => {
      // Prepare
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      const { requests, transport } = recordingTransport();

      // Act
      const act = createSafeFetch({ allowedHosts: [host] }, { resolve: async () => ['54.172.60.1'], transport })(url);

      // Assess
      await expect(act).rejects.toBeInstanceOf(UnsafeUrlError);
      expect(requests).toHaveLength(0);
    },
  );

  it('follows a redirect to an allowed host without the credentials, and checks its address too', async () => {
    // Prepare
    const { requests, transport } = recordingTransport((_request, index) =>
      index === 0 ? new Response(null, { status: 307, headers: { location: 'https://mms.twiliocdn.com/signed?x=1' } }) : new Response('bytes'),
    );
    const resolve = jest.fn(async (host: string) => (host === 'api.twilio.com' ? ['54.172.60.1'] : ['13.32.0.9']));

    // Act
    const response = await createSafeFetch(TWILIO, { resolve, transport })('https://api.twilio.com/media', { headers: { Authorization: 'Basic c2VjcmV0' } });

    // Assess
    expect(await response.text()).toBe('bytes');
    expect(requests.map((r) => [r.url.host, r.address, r.headers.authorization])).toEqual([
      ['api.twilio.com', '54.172.60.1', 'Basic c2VjcmV0'],
      ['mms.twiliocdn.com', '13.32.0.9', undefined],
    ]);
  });

  it.each([
    ['a host off the list', 'https://evil.example/steal', 'the host is not on the allow-list'],
    ['the metadata service', 'https://169.254.169.254/latest/meta-data/iam/', 'the host is not on the allow-list'],
    ['plain http', 'http://mms.twiliocdn.com/x', 'the URL is not https (http:)'],
  ])('refuses a redirect to %s', async (_, location, reason) => {
    // Prepare
    const { requests, transport } = recordingTransport(() => new Response(null, { status: 302, headers: { location } }));

    // Act
    const act = createSafeFetch(TWILIO, { resolve: async () => ['54.172.60.1'], transport })('https://api.twilio.com/media');

    // Assess
    await expect(act).rejects.toThrow(new UnsafeUrlError(reason));
    expect(requests).toHaveLength(1);
  });

  it('refuses a redirect whose host resolves to a private address (a rebinding CDN name)', async () => {
    // Prepare
    const { transport } = recordingTransport(() => new Response(null, { status: 302, headers: { location: 'https://x.twiliocdn.com/a' } }));
    const resolve = async (host: string) => (host === 'api.twilio.com' ? ['54.172.60.1'] : ['192.168.0.10']);

    // Act
    const act = createSafeFetch(TWILIO, { resolve, transport })('https://api.twilio.com/media');

    // Assess
    await expect(act).rejects.toThrow('the host resolves to a forbidden address (private)');
  });

  it('stops after the redirect limit', async () => {
    // Prepare
    const { requests, transport } = recordingTransport(() => new Response(null, { status: 302, headers: { location: 'https://api.twilio.com/again' } }));

    // Act
    const act = createSafeFetch({ ...TWILIO, maxRedirects: 2 }, { resolve: async () => ['54.172.60.1'], transport })('https://api.twilio.com/media');

    // Assess
    await expect(act).rejects.toThrow('more than 2 redirects');
    expect(requests).toHaveLength(3);
  });

  it('hands a redirect to the caller with redirect: manual', async () => {
    // Prepare
    const { transport } = recordingTransport(() => new Response(null, { status: 302, headers: { location: 'https://evil.example/' } }));

    // Act
    const response = await createSafeFetch(TWILIO, { resolve: async () => ['54.172.60.1'], transport })('https://api.twilio.com/media', { redirect: 'manual' });

    // Assess
    expect(response.status).toBe(302);
  });

  it('reports a DNS failure as fetch does (the request never left)', async () => {
    // Prepare
    const resolve = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };

    // Act
    const act = createSafeFetch(TWILIO, { resolve, transport: recordingTransport().transport })('https://api.twilio.com/media');

    // Assess
    await expect(act).rejects.toMatchObject({ name: 'TypeError', cause: { code: 'ENOTFOUND' } });
  });

  it('allows the simulators on http://127.0.0.1 only with the local allowance, and still no private address', async () => {
    // Prepare
    const { requests, transport } = recordingTransport();
    const local = { allowedHosts: ['127.0.0.1', 'sim.test'], allowInsecureLocal: true };

    // Act
    const strict = createSafeFetch({ allowedHosts: ['127.0.0.1'] }, { transport })('http://127.0.0.1:4010/media');
    const allowed = await createSafeFetch(local, { transport })('http://127.0.0.1:4010/media');
    const privateAddress = createSafeFetch(local, { resolve: async () => ['10.0.0.1'], transport })('http://sim.test:4010/media');

    // Assess
    await expect(strict).rejects.toBeInstanceOf(UnsafeUrlError);
    expect(allowed.status).toBe(200);
    expect(requests[0]!.address).toBe('127.0.0.1');
    await expect(privateAddress).rejects.toThrow('(private)');
  });

  it('matches wildcard hosts on strict subdomains only', () => {
    // Act / Assess
    expect(hostAllowed('mms.twiliocdn.com', ['*.twiliocdn.com'])).toBe(true);
    expect(hostAllowed('MMS.TwilioCDN.com.', ['*.twiliocdn.com'])).toBe(true);
    expect(hostAllowed('twiliocdn.com', ['*.twiliocdn.com'])).toBe(false);
    expect(hostAllowed('eviltwiliocdn.com', ['*.twiliocdn.com'])).toBe(false);
  });
});
