import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader, LineTooLongError, ReadTimeoutError } from './byte-reader.ts';
import { DotDecoder } from './dot-decoder.ts';

/** Pushes `input` in pieces of `size` octets (each on its own turn, as a socket would). */
async function feed(reader: ByteReader, input: string | Buffer, size: number): Promise<void> {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  for (let i = 0; i < bytes.length; i += size) {
    reader.push(bytes.subarray(i, i + size));
    await new Promise((r) => setImmediate(r));
  }
}

async function readAllLines(reader: ByteReader, limit: number): Promise<Array<string | Error>> {
  const lines: Array<string | Error> = [];
  for (;;) {
    try {
      const line = await reader.readLine(limit);
      if (line === null) return lines;
      lines.push(line.toString('latin1'));
    } catch (error) {
      if (!(error instanceof LineTooLongError)) throw error;
      lines.push(error);
    }
  }
}

const CHUNK_SIZES = [1, 3, 17, 1_000_000];

test('readLine: CRLF lines, pipelined in one write and split in 1-, 3-, 17-byte chunks', async () => {
  for (const size of CHUNK_SIZES) {
    const reader = new ByteReader();
    const lines = readAllLines(reader, 100);
    await feed(reader, 'EHLO client.example\r\nMAIL FROM:<a@b>\r\n\r\nQUIT\r\n', size);
    reader.end();
    assert.deepEqual(await lines, ['EHLO client.example', 'MAIL FROM:<a@b>', '', 'QUIT'], `chunk size ${size}`);
  }
});

test('readLine: a lone LF ends a line too, a CR inside a line is kept', async () => {
  const reader = new ByteReader();
  reader.push(Buffer.from('one\ntwo\r\nthr\ree\n'));
  reader.end();
  assert.deepEqual(await readAllLines(reader, 100), ['one', 'two', 'thr\ree']);
});

test('readLine: a line of exactly the limit passes, one octet more is LineTooLongError', async () => {
  for (const size of CHUNK_SIZES) {
    const reader = new ByteReader();
    const lines = readAllLines(reader, 8);
    await feed(reader, '12345678\r\n123456789\r\n12345678\n', size);
    reader.end();
    const got = await lines;
    assert.equal(got.length, 3, `chunk size ${size}`);
    assert.equal(got[0], '12345678');
    assert.ok(got[1] instanceof LineTooLongError);
    assert.equal((got[1] as LineTooLongError).limit, 8);
    assert.equal(got[2], '12345678');
  }
});

test('readLine: after an overlong line the next line is read intact (any chunking)', async () => {
  const long = 'X'.repeat(5000);
  for (const size of CHUNK_SIZES) {
    const reader = new ByteReader();
    const lines = readAllLines(reader, 512);
    await feed(reader, `NOOP\r\n${long}\r\nRSET\r\n${long}\nQUIT\r\n`, size);
    reader.end();
    const got = await lines;
    assert.equal(got.length, 5, `chunk size ${size}`);
    assert.equal(got[0], 'NOOP');
    assert.ok(got[1] instanceof LineTooLongError);
    assert.equal(got[2], 'RSET');
    assert.ok(got[3] instanceof LineTooLongError);
    assert.equal(got[4], 'QUIT');
  }
});

test('readLine: an overlong line followed by pipelined lines in later buffered chunks keeps them', async () => {
  // The session was busy: several chunks wait in the reader before readLine runs.
  const reader = new ByteReader();
  reader.push(Buffer.from('AAAAAAAAAAAA'));
  reader.push(Buffer.from('AAAA\r\nNOOP\r\n'));
  reader.push(Buffer.from('QUIT\r\n'));
  reader.end();
  const got = await readAllLines(reader, 4);
  assert.ok(got[0] instanceof LineTooLongError);
  assert.deepEqual(got.slice(1), ['NOOP', 'QUIT']);
});

test('readLine: an overlong line cut off by the end of input is still reported', async () => {
  const reader = new ByteReader();
  const pending = reader.readLine(4);
  await feed(reader, 'ABCDEFGHIJ', 3);
  reader.end();
  await assert.rejects(pending, LineTooLongError);
});

test('readLine: memory stays bounded while an endless line streams in', async () => {
  const reader = new ByteReader();
  const pending = reader.readLine(100);
  for (let i = 0; i < 200; i++) {
    reader.push(Buffer.alloc(1000, 0x41));
    await new Promise((r) => setImmediate(r));
    assert.ok(reader.pending <= 1100, `buffered ${reader.pending}`);
  }
  reader.push(Buffer.from('\r\nNEXT\r\n'));
  await assert.rejects(pending, LineTooLongError);
  assert.equal((await reader.readLine(100))?.toString(), 'NEXT');
});

test('readLine: null at end of input, a trailing partial line is dropped', async () => {
  const reader = new ByteReader();
  reader.push(Buffer.from('last\r\npartial'));
  reader.end();
  assert.equal((await reader.readLine(100))?.toString(), 'last');
  assert.equal(await reader.readLine(100), null);
  assert.equal(await reader.readLine(100), null);
});

test('readExact: counted octets across chunks, then lines continue', async () => {
  for (const size of CHUNK_SIZES) {
    const reader = new ByteReader();
    const result = (async () => {
      const first = await reader.readLine(100);
      const literal = await reader.readExact(10);
      const after = await reader.readLine(100);
      return [first?.toString(), literal?.toString('latin1'), after?.toString()];
    })();
    await feed(reader, 'A1 APPEND {10}\r\n0123\r\n6789)\r\n', size);
    reader.end();
    assert.deepEqual(await result, ['A1 APPEND {10}', '0123\r\n6789', ')'], `chunk size ${size}`);
  }
});

test('readExact: null when the input ends first; readExact(0) is empty', async () => {
  const reader = new ByteReader();
  assert.equal((await reader.readExact(0))?.length, 0);
  reader.push(Buffer.from('abc'));
  reader.end();
  assert.equal(await reader.readExact(4), null);
});

test('pipeExact: streams exactly n octets in pieces and leaves the rest', async () => {
  for (const size of CHUNK_SIZES) {
    const reader = new ByteReader();
    const pieces: Buffer[] = [];
    const result = (async () => {
      const ok = await reader.pipeExact(25, async (chunk) => {
        pieces.push(Buffer.from(chunk));
        await new Promise((r) => setImmediate(r));
      });
      return { ok, rest: (await reader.readLine(100))?.toString() };
    })();
    await feed(reader, 'abcdefghijklmnopqrstuvwxyBDAT 10 LAST\r\n', size);
    reader.end();
    const { ok, rest } = await result;
    assert.equal(ok, true);
    assert.equal(Buffer.concat(pieces).toString(), 'abcdefghijklmnopqrstuvwxy');
    assert.ok(pieces.every((p) => p.length > 0));
    assert.equal(rest, 'BDAT 10 LAST');
  }
});

test('pipeExact: false when the input ends first', async () => {
  const reader = new ByteReader();
  reader.push(Buffer.from('short'));
  reader.end();
  let seen = 0;
  assert.equal(await reader.pipeExact(100, (c) => void (seen += c.length)), false);
  assert.equal(seen, 5);
});

test('pipeDotTerminated: body, then the pipelined command after the terminator stays in the reader', async () => {
  for (const size of CHUNK_SIZES) {
    const reader = new ByteReader();
    const body: Buffer[] = [];
    const result = (async () => {
      const ok = await reader.pipeDotTerminated((chunk) => void body.push(Buffer.from(chunk)));
      return { ok, next: (await reader.readLine(100))?.toString(), after: await reader.readLine(100) };
    })();
    await feed(reader, 'Subject: x\r\n\r\n..hidden\r\nend\r\n.\r\nQUIT\r\n', size);
    reader.end();
    const { ok, next, after } = await result;
    assert.equal(ok, true);
    assert.equal(Buffer.concat(body).toString(), 'Subject: x\r\n\r\n.hidden\r\nend\r\n');
    assert.equal(next, 'QUIT', `chunk size ${size}`);
    assert.equal(after, null);
  }
});

test('pipeDotTerminated: false when the connection ends before the terminator', async () => {
  const reader = new ByteReader();
  reader.push(Buffer.from('line\r\n'));
  reader.end();
  assert.equal(await reader.pipeDotTerminated(() => {}), false);
});

test('discardBuffered drops pending input (RFC 3207 §4.2) and later input is read normally', async () => {
  const reader = new ByteReader();
  reader.push(Buffer.from('STARTTLS\r\nINJECTED\r\n'));
  assert.equal((await reader.readLine(100))?.toString(), 'STARTTLS');
  assert.equal(reader.discardBuffered(), 'INJECTED\r\n'.length);
  assert.equal(reader.pending, 0);
  reader.push(Buffer.from('EHLO again\r\n'));
  assert.equal((await reader.readLine(100))?.toString(), 'EHLO again');
});

test('fail(): a pending read rejects with the error (idle timeout)', async () => {
  const reader = new ByteReader();
  const pending = reader.readLine(100);
  reader.fail(new ReadTimeoutError());
  await assert.rejects(pending, ReadTimeoutError);
  await assert.rejects(reader.readExact(1), ReadTimeoutError);
});

test('backpressure hooks: satiated above the high-water mark, demand and wait when a read waits', async () => {
  const reader = new ByteReader();
  reader.highWaterMark = 10;
  const events: string[] = [];
  reader.onSatiated = () => events.push('satiated');
  reader.onDemand = () => events.push('demand');
  reader.onWait = () => events.push('wait');
  reader.push(Buffer.alloc(12, 0x61));
  assert.deepEqual(events, ['satiated']);
  const line = reader.readLine(100);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(events, ['satiated', 'wait', 'demand']);
  reader.push(Buffer.from('\r\n'));
  assert.equal((await line)?.length, 12);
});

test('empty chunks are ignored', async () => {
  const reader = new ByteReader();
  const seen: number[] = [];
  const done = reader.pipeExact(3, (c) => void seen.push(c.length));
  reader.push(Buffer.alloc(0));
  await new Promise((r) => setImmediate(r));
  reader.push(Buffer.from('abc'));
  assert.equal(await done, true);
  assert.deepEqual(seen, [3]);
});

test('readLine: lastLineBareLf tells a line ended by a lone LF from one ended by CRLF (RFC 5321 §2.3.8)', async () => {
  for (const size of CHUNK_SIZES) {
    const reader = new ByteReader();
    const fed = feed(reader, 'crlf\r\nbare\n\r\n\nx\r\n', size);
    const seen: Array<[string, boolean]> = [];
    for (let k = 0; k < 5; k++) {
      const line = await reader.readLine(100);
      seen.push([line!.toString('latin1'), reader.lastLineBareLf]);
    }
    await fed;
    assert.deepEqual(seen, [['crlf', false], ['bare', true], ['', false], ['', true], ['x', false]], `${size}-byte chunks`);
  }
});

test('pipeDotTerminated with a decoder of its own: bareNewline reports a bare LF in the body', async () => {
  const reader = new ByteReader();
  const decoder = new DotDecoder();
  const fed = feed(reader, 'a\n.\nb\r\n.\r\nNEXT\r\n', 3);
  assert.equal(await reader.pipeDotTerminated(() => {}, decoder), true);
  assert.equal(decoder.bareNewline, true);
  assert.equal((await reader.readLine(100))!.toString(), 'NEXT');
  await fed;
});
