import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeNetascii, NetasciiDecoder } from './netascii.ts';

test('RFC 1350 netascii: LF becomes CR LF and a bare CR becomes CR NUL', () => {
  assert.equal(encodeNetascii(Buffer.from('a\nb\rc\r\n')).toString('latin1'), 'a\r\nb\r\x00c\r\x00\r\n');
  const plain = Buffer.from('no line ends');
  assert.equal(encodeNetascii(plain), plain, 'no copy when nothing changes');
});

test('decoding undoes encoding for every split of the input', () => {
  const local = Buffer.from('line one\nbare\rcr\r\n\n\rend\r', 'latin1');
  const wire = encodeNetascii(local);
  for (let cut = 0; cut <= wire.length; cut++) {
    const d = new NetasciiDecoder();
    const out = Buffer.concat([d.decode(wire.subarray(0, cut)), d.decode(wire.subarray(cut)), d.flush()]);
    assert.deepEqual(out, local, `cut at ${cut}`);
  }
});

test('one octet at a time, and a CR before other text is kept (lenient)', () => {
  const d = new NetasciiDecoder();
  const wire = Buffer.from('a\r\nb\rx\r\x00', 'latin1');
  const parts: Buffer[] = [];
  for (const b of wire) parts.push(d.decode(Buffer.from([b])));
  parts.push(d.flush());
  assert.equal(Buffer.concat(parts).toString('latin1'), 'a\nb\rx\r');
});

test('a CR at the very end of the transfer is written by flush()', () => {
  const d = new NetasciiDecoder();
  assert.equal(d.decode(Buffer.from('x\r')).toString(), 'x');
  assert.equal(d.flush().toString('latin1'), '\r');
  assert.equal(d.flush().length, 0);
});
