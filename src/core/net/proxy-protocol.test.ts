import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyProtocolError, parseProxyHeader } from './proxy-protocol.ts';

const SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

function v2(versionCommand: number, familyProtocol: number, payload: Buffer): Buffer {
  const fixed = Buffer.from([versionCommand, familyProtocol, 0, 0]);
  fixed.writeUInt16BE(payload.length, 2);
  return Buffer.concat([SIGNATURE, fixed, payload]);
}

test('v1 TCP4: addresses, ports and the octets it took', () => {
  const input = Buffer.from('PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET /');
  assert.deepEqual(parseProxyHeader(input), {
    consumed: input.length - 5,
    source: { address: '192.168.0.1', port: 56324 },
    destination: { address: '192.168.0.11', port: 443 },
    version: 1,
  });
});

test('v1 TCP6: addresses in RFC 5952 form; IPv4-mapped ones as IPv4', () => {
  const header = parseProxyHeader(Buffer.from('PROXY TCP6 2001:DB8:0000::0001 ::ffff:10.1.2.3 1 65535\r\n'));
  assert.deepEqual(header?.source, { address: '2001:db8::1', port: 1 });
  assert.deepEqual(header?.destination, { address: '10.1.2.3', port: 65535 });
});

test('v1 UNKNOWN keeps the socket address, whatever follows it', () => {
  assert.deepEqual(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n')), { consumed: 15, source: null, destination: null, version: 1 });
  assert.equal(parseProxyHeader(Buffer.from('PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n'))?.source, null);
});

test('v1: every proper prefix is incomplete (null), not an error', () => {
  const line = 'PROXY TCP4 1.2.3.4 5.6.7.8 1000 2000\r\n';
  for (let n = 0; n < line.length; n++) assert.equal(parseProxyHeader(Buffer.from(line.slice(0, n))), null, `prefix of ${n}`);
});

test('v1: malformed lines are refused', () => {
  const bad = [
    'PROXY TCP4 1.2.3.4 5.6.7.8 1000\r\n', // a field missing
    'PROXY TCP4 1.2.3.4 5.6.7.8 1000 2000 extra\r\n',
    'PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n',
    'PROXY TCP4 ::1 5.6.7.8 1 2\r\n', // IPv6 under TCP4
    'PROXY TCP6 1.2.3.4 ::1 1 2\r\n',
    'PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n',
    'PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n', // leading zero
    'PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n',
    'PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n',
    'PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n', // double space
    'proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n',
  ];
  for (const line of bad) assert.throws(() => parseProxyHeader(Buffer.from(line)), ProxyProtocolError, line);
});

test('v1: no CRLF within 107 octets is refused (size limit)', () => {
  assert.throws(() => parseProxyHeader(Buffer.from('PROXY TCP6 ' + 'a'.repeat(200))), /too long/);
  assert.equal(parseProxyHeader(Buffer.from('PROXY TCP6 ' + 'a'.repeat(90))), null);
});

test('not a PROXY header at all: refused from the first octet', () => {
  assert.throws(() => parseProxyHeader(Buffer.from('E')), ProxyProtocolError);
  assert.throws(() => parseProxyHeader(Buffer.from('EHLO x\r\n')), ProxyProtocolError);
  assert.throws(() => parseProxyHeader(Buffer.from([0x16, 0x03, 0x01])), ProxyProtocolError); // a TLS ClientHello
  assert.equal(parseProxyHeader(Buffer.alloc(0)), null);
});

test('v2 PROXY over IPv4 with TLVs: addresses and ports; TLVs are skipped', () => {
  const payload = Buffer.from([203, 0, 113, 5, 192, 0, 2, 10, 0xc3, 0x50, 0x00, 0x19, 0x04, 0x00, 0x02, 0xab, 0xcd]);
  const input = Buffer.concat([v2(0x21, 0x11, payload), Buffer.from('EHLO')]);
  assert.deepEqual(parseProxyHeader(input), {
    consumed: 16 + payload.length,
    source: { address: '203.0.113.5', port: 50000 },
    destination: { address: '192.0.2.10', port: 25 },
    version: 2,
  });
});

test('v2 PROXY over IPv6, and an IPv4-mapped source', () => {
  const payload = Buffer.alloc(36);
  Buffer.from('20010db8000000000000000000000001', 'hex').copy(payload, 0);
  Buffer.from('00000000000000000000ffffc0000201', 'hex').copy(payload, 16);
  payload.writeUInt16BE(1234, 32);
  payload.writeUInt16BE(993, 34);
  const header = parseProxyHeader(v2(0x21, 0x21, payload));
  assert.deepEqual(header?.source, { address: '2001:db8::1', port: 1234 });
  assert.deepEqual(header?.destination, { address: '192.0.2.1', port: 993 });
});

test('v2 LOCAL, UNSPEC and UNIX keep the socket address', () => {
  assert.deepEqual(parseProxyHeader(v2(0x20, 0x00, Buffer.alloc(0))), { consumed: 16, source: null, destination: null, version: 2 });
  assert.equal(parseProxyHeader(v2(0x20, 0x11, Buffer.alloc(12)))?.source, null); // LOCAL ignores its addresses
  assert.equal(parseProxyHeader(v2(0x21, 0x00, Buffer.alloc(0)))?.source, null);
  assert.equal(parseProxyHeader(v2(0x21, 0x31, Buffer.alloc(216)))?.source, null);
});

test('v2: every proper prefix is incomplete', () => {
  const input = v2(0x21, 0x11, Buffer.alloc(12, 1));
  for (let n = 0; n < input.length; n++) assert.equal(parseProxyHeader(input.subarray(0, n)), null, `prefix of ${n}`);
});

test('v2: bad version, command, truncated addresses and oversize headers are refused', () => {
  assert.throws(() => parseProxyHeader(v2(0x11, 0x11, Buffer.alloc(12))), /version/);
  assert.throws(() => parseProxyHeader(v2(0x22, 0x11, Buffer.alloc(12))), /command/);
  assert.throws(() => parseProxyHeader(v2(0x21, 0x11, Buffer.alloc(8))), /truncated/);
  assert.throws(() => parseProxyHeader(v2(0x21, 0x21, Buffer.alloc(20))), /truncated/);
  const huge = Buffer.concat([SIGNATURE, Buffer.from([0x21, 0x11, 0xff, 0xff])]);
  assert.throws(() => parseProxyHeader(huge), /limit/);
  const wrongSignature = Buffer.from(SIGNATURE);
  wrongSignature[11] = 0x0b;
  assert.throws(() => parseProxyHeader(Buffer.concat([wrongSignature, Buffer.alloc(4)])), ProxyProtocolError);
});

test('v1 TCP6 with a zone id ("fe80::1%eth0") is a typed error, not a crash (found by the fuzzer)', () => {
  assert.throws(() => parseProxyHeader(Buffer.from('PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n')), ProxyProtocolError);
  assert.throws(() => parseProxyHeader(Buffer.from('PROXY TCP6 ::%eth01 ::1 42941 30200\r\n')), ProxyProtocolError);
});
