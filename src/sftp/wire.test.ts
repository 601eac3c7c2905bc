// The SFTP codec (draft-ietf-secsh-filexfer-02 §3 framing, §5 attributes, RFC 4251 §5
// encodings) on its own.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ATTR, Framer, PacketReader, ReplyBuilder, WireError, finishData, DATA_HEADER, FXP, type FrameError } from './wire.ts';
import { encodeAttrs, packet } from './testing/pair.ts';

test('uint32, uint64 and strings decode; short data is a WireError', () => {
  const b = Buffer.from('0000002a' + '0000000100000002' + '00000003616263', 'hex');
  const r = new PacketReader(b, 0, b.length);
  assert.equal(r.u32(), 42);
  assert.equal(r.u64(), 4294967298);
  assert.equal(r.text(), 'abc');
  assert.throws(() => r.u8(), WireError);
  const big = Buffer.from('0020000000000000', 'hex');
  assert.throws(() => new PacketReader(big, 0, 8).u64(), /2\^53/);
  const lying = Buffer.from('00000010616263', 'hex');
  assert.throws(() => new PacketReader(lying, 0, lying.length).bytes(), /too short/);
  // The reader stops at `end`, not at the end of the buffer.
  assert.throws(() => new PacketReader(b, 0, 3).u32(), WireError);
});

test('attributes: every flag round-trips; extended pairs are read; a huge extended count is refused', () => {
  const a = { size: 2 ** 40 + 5, uid: 1000, gid: 100, permissions: 0o100644, atime: 1_700_000_000, mtime: 1_600_000_000 };
  const enc = encodeAttrs(a);
  assert.deepEqual(new PacketReader(enc, 0, enc.length).attrs(), a);
  const b = new ReplyBuilder();
  b.begin(FXP.ATTRS, 40).u32(9).attrs(a).end();
  const out = b.take();
  assert.equal(out.readUInt32BE(0), out.length - 4);
  const r = new PacketReader(out, 5, out.length);
  assert.equal(r.u32(), 9);
  assert.deepEqual(r.attrs(), a);
  const ext = Buffer.concat([Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 1]), packet(0, 'name', 'value').subarray(5)]);
  assert.deepEqual(new PacketReader(ext, 0, ext.length).attrs().extended?.map(([k, v]) => [k, v.toString()]), [['name', 'value']]);
  const huge = Buffer.from([0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  assert.throws(() => new PacketReader(huge, 0, huge.length).attrs(), /extended attribute count/);
  assert.equal(ATTR.EXTENDED, 0x80000000);
});

test('the reply builder keeps taken octets intact when it moves to a new buffer', () => {
  const b = new ReplyBuilder(64);
  b.begin(FXP.STATUS, 20).u32(1).u32(0).text('ok').text('').end();
  const first = b.take();
  const copy = Buffer.from(first);
  for (let i = 0; i < 10; i++) b.begin(FXP.HANDLE, 40).u32(i).text('x'.repeat(30)).end();
  const rest = b.take();
  assert.ok(first.equals(copy));
  let off = 0;
  let n = 0;
  while (off < rest.length) {
    off += 4 + rest.readUInt32BE(off);
    n++;
  }
  assert.equal(n, 10);
  assert.equal(off, rest.length);
});

test('a DATA packet is filled in place', () => {
  const p = Buffer.alloc(DATA_HEADER + 10);
  p.write('hello', DATA_HEADER);
  const out = finishData(p, 77, 5);
  assert.equal(out.length, DATA_HEADER + 5);
  const r = new PacketReader(out, 4, out.length);
  assert.deepEqual([r.u8(), r.u32(), r.text()], [FXP.DATA, 77, 'hello']);
});

function frames(input: Buffer, splits: number[], max = 1000): { bodies: string[]; errors: FrameError[]; framer: Framer } {
  const bodies: string[] = [];
  const errors: FrameError[] = [];
  const framer = new Framer(max, (b, s, e) => bodies.push(b.toString('hex', s, e)) > 0, (e) => errors.push(e));
  let at = 0;
  for (const s of [...splits, input.length]) {
    framer.push(input.subarray(at, s));
    at = s;
  }
  return { bodies, errors, framer };
}

test('framing gives the same packets however the stream is split', () => {
  const stream = Buffer.concat([packet(FXP.STAT, 1, '/a'), packet(FXP.READ, 2, 'h', 0n, 100), packet(FXP.WRITE, 3, 'h', 0n, Buffer.alloc(300, 7))]);
  const whole = frames(stream, []).bodies;
  assert.equal(whole.length, 3);
  for (let i = 1; i < stream.length; i++) {
    assert.deepEqual(frames(stream, [i]).bodies, whole, `split at ${i}`);
    assert.deepEqual(frames(stream, [i, Math.min(stream.length, i + 3)]).bodies, whole);
  }
  // Octet by octet: nothing is held beyond the unfinished packet.
  const { framer } = frames(stream.subarray(0, stream.length - 1), Array.from({ length: stream.length - 2 }, (_, i) => i + 1));
  const last = packet(FXP.WRITE, 3, 'h', 0n, Buffer.alloc(300, 7)).length;
  assert.equal(framer.buffered, last - 4 - 1);
});

test('a length over the limit is refused before its body is read; zero length too', () => {
  const big = Buffer.from([0, 0, 0x10, 0, FXP.WRITE, 0, 0, 0, 9]);
  const r = frames(big, [], 1000);
  assert.deepEqual(r.bodies, []);
  assert.equal(r.errors[0]?.kind, 'too-long');
  assert.equal(r.errors[0]?.kind === 'too-long' && r.errors[0].head.readUInt32BE(1), 9);
  assert.deepEqual(frames(Buffer.alloc(8), []).errors.map((e) => e.kind), ['empty']);
});

test('large packets over several chunks reuse released buffers; held ones are never handed out twice', () => {
  const seen: Buffer[] = [];
  const framer = new Framer(300_000, (b) => (seen.push(b), true), () => {}, 2);
  const big = (fill: number) => packet(FXP.WRITE, 1, 'h', 0n, Buffer.alloc(100_000, fill));
  const feed = (p: Buffer) => {
    framer.push(p.subarray(0, 50_000));
    framer.push(p.subarray(50_000));
  };
  feed(big(1));
  feed(big(2));
  assert.notEqual(seen[0]!.buffer, seen[1]!.buffer, 'both in use: two buffers');
  framer.release(seen[0]!);
  feed(big(3));
  assert.equal(seen[2]!.buffer, seen[0]!.buffer, 'the released one is reused');
  assert.equal(seen[2]![seen[2]!.length - 1], 3);
  assert.equal(seen[1]![seen[1]!.length - 1], 2, 'the held one is untouched');
  // A small packet inside one chunk is a view of that chunk: releasing it is a no-op.
  const small = packet(FXP.STAT, 2, '/x');
  framer.push(small);
  framer.release(seen[3]!);
  feed(big(4));
  assert.notEqual(seen[4]!.buffer, seen[3]!.buffer);
});
