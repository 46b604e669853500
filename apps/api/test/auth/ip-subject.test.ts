import { describe, expect, it } from 'vitest';
import { ipSubject } from '../../src/auth/rate-limit/ip-subject';

describe('ipSubject: the client network a per-IP limit counts', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    [' 203.0.113.9 ', '203.0.113.9'],
    ['203.0.113.9:54321', '203.0.113.9'],
  ])('counts an IPv4 address as itself: %j → %s', (ip, subject) => {
    expect(ipSubject(ip)).toBe(subject);
  });

  it.each([
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['::FFFF:203.0.113.9', '203.0.113.9'],
    ['::ffff:cb00:7109', '203.0.113.9'],
    ['0:0:0:0:0:ffff:203.0.113.9', '203.0.113.9'],
    ['0000:0000:0000:0000:0000:ffff:cb00:7109', '203.0.113.9'],
    ['[::ffff:203.0.113.9]:443', '203.0.113.9'],
  ])('counts an IPv4-mapped IPv6 address as its IPv4 client: %s → %s', (ip, subject) => {
    expect(ipSubject(ip)).toBe(subject);
  });

  it.each([
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:0000:0000:0000:0abc', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:3:4:5.6.7.8', '2001:db8:1:2::/64'],
    ['[2001:db8:1:2::1]:8080', '2001:db8:1:2::/64'],
    ['[2001:db8:1:2::1]', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['fe80::abcd%25en0', 'fe80:0:0:0::/64'],
    ['2001:db8::', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::', '0:0:0:0::/64'],
  ])('counts an IPv6 address by its /64: %s → %s', (ip, subject) => {
    expect(ipSubject(ip)).toBe(subject);
  });

  it('puts every address of one /64 in one bucket, and the next /64 in another', () => {
    const subjects = new Set(
      Array.from({ length: 60 }, (_, i) => ipSubject(`2001:db8:1:2:${i.toString(16)}::${i}`)),
    );
    expect([...subjects]).toEqual(['2001:db8:1:2::/64']);
    expect(ipSubject('2001:db8:1:3::1')).not.toBe(ipSubject('2001:db8:1:2::1'));
    // A /64 whose leading groups spell an IPv4 address is still not that IPv4 client.
    expect(ipSubject('203:0:113:9::1')).not.toBe(ipSubject('203.0.113.9'));
  });

  it.each([
    [null],
    [''],
    ['   '],
    ['not an address'],
    ['203.0.113.256'],
    ['203.0.113'],
    ['01.2.3.4'],
    ['2001:db8:::1'],
    ['2001:db8:1:2:3:4:5:6:7'],
    ['[2001:db8::1'],
    ['unknown'],
    ['%eth0'],
  ])('puts what is not an address in the shared unknown bucket: %j', (ip) => {
    expect(ipSubject(ip)).toBe('unknown');
  });
});
