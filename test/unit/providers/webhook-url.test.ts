import { publicWebhookUrl } from '../../../lambdas/providers/whatsapp/webhook-url';
import { MalformedRequestError } from '../../../lambdas/shared/errors';

const API_HOST = 'abc123.execute-api.eu-west-1.amazonaws.com';

describe('publicWebhookUrl', () => {
  it.each([
    [
      'https on API Gateway, default port dropped',
      { rawPath: '/webhook/twilio/c1', rawQueryString: '', host: API_HOST, forwardedProto: 'https', forwardedPort: '443' },
      `https://${API_HOST}/webhook/twilio/c1`,
    ],
    [
      'https when no forwarded headers (default scheme)',
      { rawPath: '/webhook/twilio/c1', rawQueryString: '', host: API_HOST },
      `https://${API_HOST}/webhook/twilio/c1`,
    ],
    [
      'https with :443 in the host header',
      { rawPath: '/webhook/twilio/c1', rawQueryString: '', host: `${API_HOST}:443`, forwardedProto: 'https' },
      `https://${API_HOST}/webhook/twilio/c1`,
    ],
    [
      'https on a non-default port',
      { rawPath: '/webhook/twilio/c1', rawQueryString: '', host: API_HOST, forwardedProto: 'https', forwardedPort: '8443' },
      `https://${API_HOST}:8443/webhook/twilio/c1`,
    ],
    [
      'local http with the port in the host header',
      { rawPath: '/webhook/twilio/c1', rawQueryString: 'm=1', host: '127.0.0.1:3000', forwardedProto: 'http', forwardedPort: '3000' },
      'http://127.0.0.1:3000/webhook/twilio/c1?m=1',
    ],
    [
      'local http with the port only in x-forwarded-port',
      { rawPath: '/webhook/twilio/c1', rawQueryString: '', host: 'localhost', forwardedProto: 'http', forwardedPort: '3000' },
      'http://localhost:3000/webhook/twilio/c1',
    ],
    [
      'http on port 80',
      { rawPath: '/webhook/twilio/c1', rawQueryString: '', host: 'localhost:80', forwardedProto: 'HTTP' },
      'http://localhost/webhook/twilio/c1',
    ],
    [
      'an IPv6 literal with a port',
      { rawPath: '/webhook/twilio/c1', rawQueryString: '', host: '[::1]:3000', forwardedProto: 'http' },
      'http://[::1]:3000/webhook/twilio/c1',
    ],
    [
      'a proxy chain in x-forwarded-proto (first hop wins)',
      { rawPath: '/webhook/twilio/c1', rawQueryString: '', host: API_HOST, forwardedProto: 'https, http' },
      `https://${API_HOST}/webhook/twilio/c1`,
    ],
    [
      'no host header: the request context domain name',
      { rawPath: '/webhook/twilio/c1', rawQueryString: '', domainName: API_HOST },
      `https://${API_HOST}/webhook/twilio/c1`,
    ],
    [
      'a raw query string copied byte for byte',
      {
        rawPath: '/webhook/twilio/c1',
        rawQueryString: "z=1&name=O'Brien&q=a+b&email=ana%40example.com&at=ana@example.com&t=10:30&pct=%7E%2f&a=",
        host: API_HOST,
      },
      `https://${API_HOST}/webhook/twilio/c1?z=1&name=O'Brien&q=a+b&email=ana%40example.com&at=ana@example.com&t=10:30&pct=%7E%2f&a=`,
    ],
    [
      'a raw path copied as is (encoded characters kept)',
      { rawPath: '/webhook/twilio/c%201', rawQueryString: '', host: API_HOST },
      `https://${API_HOST}/webhook/twilio/c%201`,
    ],
    [
      'a public base URL with a base path replaces scheme, host and prefix',
      {
        rawPath: '/wa/webhook/twilio/c1',
        rawQueryString: "m=01HX&n=O'Brien",
        host: 'hooks.example.com',
        publicBaseUrl: 'https://hooks.example.com/wa',
      },
      "https://hooks.example.com/wa/webhook/twilio/c1?m=01HX&n=O'Brien",
    ],
    [
      'a public base URL with a trailing slash, behind a named stage',
      {
        rawPath: '/prod/webhook/twilio/c1',
        rawQueryString: '',
        host: API_HOST,
        forwardedProto: 'http',
        publicBaseUrl: 'https://hooks.example.com/',
      },
      'https://hooks.example.com/webhook/twilio/c1',
    ],
  ])('%s', (_name, input, expected) => {
    // Prepare
    const parts = input;

    // Act
    const url = publicWebhookUrl(parts);

    // Assess
    expect(url).toBe(expected);
  });

  it('throws MalformedRequestError when there is neither a host header nor a domain name', () => {
    // Prepare
    const parts = { rawPath: '/webhook/twilio/c1', rawQueryString: '' };

    // Act
    const act = () => publicWebhookUrl(parts);

    // Assess
    expect(act).toThrow(MalformedRequestError);
  });
});
