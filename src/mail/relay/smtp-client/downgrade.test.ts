// The relay's 8BITMIME downgrade (RFC 6152 §3) as a stream: the same octets as the
// whole-message rewrite it replaced (kept below as the reference) in any chunking,
// and a 50 MB 8-bit message goes through with a small, fixed number of bytes in
// flight (measured on the streams, not by RSS).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, test } from 'node:test';
import { parseMimeBuffer, walkParts, type MimePart } from '../../../core/mime/index.ts';
import { encodeQuotedPrintable } from '../../../core/mime/transfer-encoding.ts';
import { prng } from '../../../core/testing/prng.ts';
import { DotStuffer } from './dot-stuffing.ts';
import { planDowngrade, SevenBitRewriter } from './downgrade.ts';

/** The previous, in-memory downgrade: every 8-bit leaf quoted-printable, parts replaced back to front. */
function referenceDowngrade(message: Buffer): Buffer {
  const root = parseMimeBuffer(message);
  const high = (part: MimePart) => part.structure === 'leaf' && message.subarray(part.bodyStart, part.bodyEnd).some((b) => b >= 0x80);
  const leaves = [...walkParts(root)].filter(high).sort((a, b) => b.headerStart - a.headerStart);
  let out = message;
  for (const part of leaves) {
    const cte = part.header.find((f) => f.lowerName === 'content-transfer-encoding');
    const field = Buffer.from('Content-Transfer-Encoding: quoted-printable\r\n');
    const pieces = cte
      ? [out.subarray(0, cte.start), field, out.subarray(cte.start + cte.raw.length, part.bodyStart)]
      : [out.subarray(0, part.headerStart), field, out.subarray(part.headerStart, part.bodyStart)];
    pieces.push(encodeQuotedPrintable(out.subarray(part.bodyStart, part.bodyEnd)), out.subarray(part.bodyEnd));
    out = Buffer.concat(pieces);
  }
  return out;
}

/** open() for a message cut into chunks of the sizes `sizes` gives (fresh each call). */
function opener(message: Buffer, sizes: () => number): () => Readable {
  return () => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < message.length; ) {
      const n = sizes();
      chunks.push(message.subarray(i, i + n));
      i += n;
    }
    return Readable.from(chunks, { objectMode: false });
  };
}

async function downgrade(message: Buffer, sizes: () => number): Promise<Buffer> {
  const open = opener(message, sizes);
  const plan = await planDowngrade(open);
  const parts: Buffer[] = [];
  await pipeline(open(), new SevenBitRewriter(plan), new Writable({ write: (c: Buffer, _e, done) => (parts.push(c), done()) }));
  return Buffer.concat(parts);
}

const crlf = (s: string) => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'utf8');
const SAMPLES: Record<string, Buffer> = {
  'top-level 8bit with a CTE field': crlf('Subject: x\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nGrüße\n'),
  'top-level 8bit without a CTE field': crlf('Subject: x\n\nnaïve café \nend'),
  '8-bit header only (nothing to encode)': crlf('Subject: Grüße\n\nplain\n'),
  multipart: crlf(
    'Subject: m\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b1"\n\npréamble\n--b1\nContent-Type: text/plain; charset=utf-8\n\nÄrger\n--b1\nContent-Type: text/plain\n\nascii only\n--b1\nContent-Type: multipart/alternative; boundary=b2\n\n--b2\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n<p>Köln</p>\n--b2--\n--b1\nContent-Type: message/rfc822\n\nSubject: inner\n\nÜbel\n--b1--\népilogue\n',
  ),
};
const FIXTURES = join(import.meta.dirname, '../../../core/mime/fixtures');
for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith('.eml'))) SAMPLES[name] = readFileSync(join(FIXTURES, name));

describe('8BITMIME downgrade as a stream', () => {
  test('the same octets as the whole-message rewrite, in one chunk, 1-byte and random chunks', async () => {
    const random = prng(6152);
    for (const [name, message] of Object.entries(SAMPLES)) {
      const expected = referenceDowngrade(message);
      assert.deepEqual(await downgrade(message, () => message.length || 1), expected, `${name}: one chunk`);
      assert.deepEqual(await downgrade(message, () => 1), expected, `${name}: 1-byte chunks`);
      for (let round = 0; round < 5; round++) {
        assert.deepEqual(await downgrade(message, () => 1 + Math.floor(random() * 40)), expected, `${name}: random chunks, round ${round}`);
      }
    }
    const multipart = (await downgrade(SAMPLES.multipart!, () => 7)).toString('latin1');
    assert.ok(!/[\x80-\xff]/.test(multipart.slice(multipart.indexOf('--b1'), multipart.lastIndexOf('--b1--'))), 'no 8-bit octet left in any part');
    assert.match(multipart, /\r\n\r\n=C3=84rger\r\n--b1/);
    assert.match(multipart, /\r\n\r\n=C3=9Cbel\r\n--b1--/);
  });

  test('a 50 MB 8-bit message to a remote without 8BITMIME: bytes in flight stay under 1 MiB', async () => {
    const text = Buffer.from('Grüße aus Köln, naïve café: äöü ÄÖÜ ß ');
    const LINE = Buffer.concat([text, Buffer.alloc(62 - text.length, 'x'), Buffer.from('\r\n')]); // 64 octets
    const BODY_CHUNK = Buffer.concat(Array.from({ length: 1024 }, () => LINE)); // 64 KiB of whole lines
    const CHUNKS = 800; // 800 × 64 KiB = 50 MiB
    const head = crlf('Subject: big\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="big"\n\n--big\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n');
    const tail = crlf('\n--big\nContent-Type: text/plain\n\nsmall ascii part\n--big--\n');
    let produced = 0;
    /** A fresh stream of the 50 MB message, made as it is read (the test holds no copy). */
    const open = () => {
      let index = -1;
      return new Readable({
        highWaterMark: 64 * 1024,
        read() {
          index++;
          const chunk = index === 0 ? head : index <= CHUNKS ? BODY_CHUNK : index === CHUNKS + 1 ? tail : null;
          if (chunk) produced += chunk.length;
          this.push(chunk);
        },
      });
    };
    const plan = await planDowngrade(open);
    assert.equal(plan.edits.length, 2, 'one part to encode: its CTE field and its body');

    produced = 0;
    const rewriter = new SevenBitRewriter(plan);
    const stuffer = new DotStuffer();
    let maxInFlight = 0;
    let sent = 0;
    let highBit = false;
    let last = Buffer.alloc(0);
    // A remote that reads slowly: one chunk per turn of the event loop.
    const remote = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _e, done) {
        // Read from the source but not yet rewritten, plus what waits between the stages.
        const inFlight = produced - rewriter.consumed + rewriter.readableLength + stuffer.writableLength + stuffer.readableLength + remote.writableLength;
        maxInFlight = Math.max(maxInFlight, inFlight);
        sent += chunk.length;
        if (!highBit && chunk.some((b) => b >= 0x80)) highBit = true;
        last = Buffer.concat([last, chunk]).subarray(-32);
        setImmediate(done);
      },
    });
    await pipeline(open(), rewriter, stuffer, remote);
    assert.equal(rewriter.consumed, head.length + CHUNKS * BODY_CHUNK.length + tail.length, 'the whole message went through');
    assert.ok(sent > rewriter.consumed, 'quoted-printable is longer than the 8-bit text');
    assert.equal(highBit, false, 'seven bits only on the wire');
    assert.ok(last.toString('latin1').endsWith('--big--\r\n.\r\n'));
    assert.ok(maxInFlight > 0);
    assert.ok(maxInFlight < 1024 * 1024, `at most ${maxInFlight} octets in flight`);
  });
});
