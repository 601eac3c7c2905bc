import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFromObject } from '../core/config/load.ts';
import { encodeAck, encodeData, encodeError, encodeOack, encodeRequest, Opcode, opcodeOf, parsePacket, wireLimits } from './wire.ts';

test('RFC 1350 §5: an RRQ is opcode, filename NUL, mode NUL', () => {
  const raw = Buffer.from('\x00\x01boot/pxelinux.0\x00OcTeT\x00', 'latin1');
  const p = parsePacket(raw);
  assert.deepEqual(p, { kind: 'request', opcode: Opcode.RRQ, filename: 'boot/pxelinux.0', mode: 'octet', options: new Map() });
});

test('RFC 2347: options follow the mode, names are case-insensitive, the first of a repeated name wins', () => {
  const raw = encodeRequest(Opcode.WRQ, 'f', 'netascii', [['BlkSize', '1024'], ['tsize', '0'], ['blksize', '9'], ['dangling', 'x']]);
  const withDangling = Buffer.concat([raw, Buffer.from('orphan\x00')]);
  const p = parsePacket(withDangling);
  assert.equal(p.kind, 'request');
  if (p.kind !== 'request') return;
  assert.equal(p.opcode, Opcode.WRQ);
  assert.deepEqual([...p.options], [['blksize', '1024'], ['tsize', '0'], ['dangling', 'x']]);
});

test('requests without a final NUL, without a mode or with an empty filename are malformed', () => {
  for (const raw of ['\x00\x01file\x00octet', '\x00\x01file\x00', '\x00\x01\x00octet\x00', '\x00\x01', '\x00']) {
    assert.equal(parsePacket(Buffer.from(raw, 'latin1')).kind, 'malformed', JSON.stringify(raw));
  }
});

test('truncated DATA and ACK, and unknown opcodes, are malformed; never a throw', () => {
  assert.equal(parsePacket(Buffer.from([0, 3, 0])).kind, 'malformed');
  assert.equal(parsePacket(Buffer.from([0, 4, 1])).kind, 'malformed');
  assert.equal(parsePacket(Buffer.from([0, 9, 0, 1])).kind, 'malformed');
  assert.equal(parsePacket(Buffer.from([0, 6, 0x61])).kind, 'malformed'); // OACK without its NUL
  assert.equal(opcodeOf(Buffer.from([0])), 0);
});

test('DATA, ACK, ERROR and OACK round-trip', () => {
  assert.deepEqual(parsePacket(encodeData(65535, Buffer.from('xyz'))), { kind: 'data', block: 65535, payload: Buffer.from('xyz') });
  assert.deepEqual(parsePacket(encodeAck(0)), { kind: 'ack', block: 0 });
  assert.deepEqual(parsePacket(encodeError(1, 'File not found')), { kind: 'error', code: 1, message: 'File not found' });
  const oack = parsePacket(encodeOack([['blksize', '1468'], ['tsize', '42']]));
  assert.equal(oack.kind, 'oack');
  if (oack.kind === 'oack') assert.deepEqual([...oack.options], [['blksize', '1468'], ['tsize', '42']]);
});

test('an ERROR without its NUL still gives its code and text', () => {
  assert.deepEqual(parsePacket(Buffer.from('\x00\x05\x00\x02nope', 'latin1')), { kind: 'error', code: 2, message: 'nope' });
});

test('DATA block numbers wrap to 16 bits on the wire', () => {
  assert.deepEqual(encodeData(65536, Buffer.alloc(0)).subarray(0, 4), Buffer.from([0, 3, 0, 0]));
  assert.deepEqual(encodeData(65537, Buffer.alloc(0)).subarray(0, 4), Buffer.from([0, 3, 0, 1]));
});

test('tftp.max_string and tftp.max_options bound what is read: a longer string is malformed, extra options are ignored', () => {
  const limits = wireLimits(configFromObject({ tftp: { max_string: 16, max_options: 2 } }).tftp);
  assert.equal(parsePacket(encodeRequest(Opcode.RRQ, 'x'.repeat(17), 'octet'), limits).kind, 'malformed');
  assert.equal(parsePacket(encodeRequest(Opcode.RRQ, 'x'.repeat(17), 'octet')).kind, 'request', 'the default allows 1024');
  const p = parsePacket(encodeRequest(Opcode.RRQ, 'f', 'octet', [['blksize', '1024'], ['tsize', '0'], ['timeout', '3']]), limits);
  assert.deepEqual(p.kind === 'request' ? [...p.options.keys()] : p, ['blksize', 'tsize']);
  assert.deepEqual(parsePacket(Buffer.from(`\x00\x05\x00\x00${'e'.repeat(40)}`, 'latin1'), limits), { kind: 'error', code: 0, message: 'e'.repeat(16) });
});
