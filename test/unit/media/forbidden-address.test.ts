import { forbiddenAddressReason, forbiddenHostReason, literalAddressOf, parseIpv6 } from '../../../lambdas/shared/forbidden-address';

describe('forbidden addresses', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.1.2', 'loopback'],
    ['0.0.0.0', 'this-network'],
    ['10.1.2.3', 'private'],
    ['100.64.0.1', 'carrier-grade-nat'],
    ['169.254.169.254', 'metadata'],
    ['169.254.10.1', 'link-local'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fd00:ec2::254', 'metadata'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['ff02::1', 'multicast'],
    ['localhost', 'not-an-address'],
  ])('%s is refused (%s)', (address, reason) => {
    // Act
    const verdict = forbiddenAddressReason(address);

    // Assess
    expect(verdict).toBe(reason);
  });

  it.each(['157.240.22.35', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2a03:2880:f10c:83:face:b00c:0:25de', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    '%s is public',
    (address) => {
      // Act
      const verdict = forbiddenAddressReason(address);

      // Assess
      expect(verdict).toBeUndefined();
    },
  );

  it('reads IPv6 with a trailing IPv4 and with :: in the middle', () => {
    // Act
    const mapped = parseIpv6('::ffff:192.0.2.128');
    const middle = parseIpv6('2001:db8::ff00:42:8329');

    // Assess
    expect(mapped).toEqual([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0280]);
    expect(middle).toEqual([0x2001, 0xdb8, 0, 0, 0, 0xff00, 0x42, 0x8329]);
    expect(parseIpv6('1::2::3')).toBeUndefined();
    expect(parseIpv6('1:2:3:4:5:6:7:8:9')).toBeUndefined();
  });
});

describe('URL hosts, as WHATWG URL normalises them', () => {
  it.each([
    ['https://2130706433/', 'loopback'],
    ['https://0x7f.0.0.1/', 'loopback'],
    ['https://0177.0.0.1/', 'loopback'],
    ['https://127.1/', 'loopback'],
    ['https://0xa9fea9fe/', 'metadata'],
    ['https://169.254.169.254/latest/meta-data/', 'metadata'],
    ['https://[::ffff:a9fe:a9fe]/', 'metadata'],
    ['https://[::1]/', 'loopback'],
    ['https://[fd00:ec2::254]/', 'metadata'],
    ['https://localhost/', 'local-name'],
    ['https://api.localhost/', 'local-name'],
    ['https://printer.local/', 'local-name'],
    ['https://metadata.google.internal/', 'metadata'],
    ['https://intranet/', 'local-name'],
  ])('%s is refused (%s)', (url, reason) => {
    // Act
    const verdict = forbiddenHostReason(new URL(url).hostname);

    // Assess
    expect(verdict).toBe(reason);
  });

  it('leaves public names and addresses alone', () => {
    // Act
    const verdicts = ['https://lookaside.fbsbx.com/x', 'https://8.8.8.8/', 'https://[2a03:2880::1]/'].map((url) => forbiddenHostReason(new URL(url).hostname));

    // Assess
    expect(verdicts).toEqual([undefined, undefined, undefined]);
    expect(literalAddressOf(new URL('https://0x08080808/').hostname)).toBe('8.8.8.8');
  });
});
