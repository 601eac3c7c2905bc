// Codec tests with bytes computed by hand from RFC 959 §3.1 and §3.4, then round trips
// of random files through every type, form, structure and mode, cut into random chunks.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeNvt, NvtDecoder } from './ascii.ts';
import { BlockDecoder } from './block-mode.ts';
import { compressBytes, CompressedDecoder } from './compressed-mode.ts';
import { FROM_EBCDIC, TO_EBCDIC, toEbcdic } from './ebcdic.ts';
import { TruncatedTransferError, type TransferParams } from './events.ts';
import { decodeAll, encodeAll } from './pipeline.ts';
import { RecordStreamDecoder } from './record-structure.ts';

const P = (type: TransferParams['type'], structure: TransferParams['structure'], mode: TransferParams['mode'], form: TransferParams['form'] = 'N'): TransferParams => ({ type, structure, mode, form });
const bytes = (...parts: Array<number | string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(Array.isArray(p) ? p : [p]))));

describe('RFC 959 §3.1.1.1 NVT-ASCII', () => {
  it('sends LF as CRLF and a bare CR as CR NUL', () => {
    assert.deepEqual(encodeNvt(Buffer.from('a\nb\rc'), true), bytes('a\r\nb\r', 0, 'c'));
  });
  it('decodes CRLF split across chunk boundaries', () => {
    const d = new NvtDecoder(true);
    const out: string[] = [];
    const sink = { segment: (b: Buffer) => out.push(b.toString('latin1')), newline: () => out.push('\n') };
    for (const chunk of ['a\r', '\nb\r', '\0c\r', '\r', '\n', 'd\r']) d.decode(Buffer.from(chunk, 'latin1'), sink);
    d.end(sink);
    assert.equal(out.join(''), 'a\nb\rc\r\nd\r');
  });
  it('TYPE A stream file: stored CRLF survives a round trip', () => {
    const stored = Buffer.from('one\r\ntwo\nthree');
    const wire = encodeAll(P('A', 'F', 'S'), [stored]);
    assert.deepEqual(wire, bytes('one\r', 0, '\r\ntwo\r\nthree'));
    assert.deepEqual(decodeAll(P('A', 'F', 'S'), [wire.subarray(0, 4), wire.subarray(4)]).stored, stored);
  });
});

describe('RFC 959 §3.1.1.2 EBCDIC (code page 037)', () => {
  it('is a permutation with NL (0x15) as the line end', () => {
    assert.equal(new Set(TO_EBCDIC).size, 256);
    for (let i = 0; i < 256; i++) assert.equal(FROM_EBCDIC[TO_EBCDIC[i]!], i);
    assert.deepEqual(toEbcdic(Buffer.from('AZaz09 ')), Buffer.from([0xc1, 0xe9, 0x81, 0xa9, 0xf0, 0xf9, 0x40]));
  });
  it('TYPE E stream file: "Hello\\n" is C8 85 93 93 96 15', () => {
    const wire = encodeAll(P('E', 'F', 'S'), [Buffer.from('Hello\n')]);
    assert.deepEqual(wire, Buffer.from([0xc8, 0x85, 0x93, 0x93, 0x96, 0x15]));
    assert.equal(decodeAll(P('E', 'F', 'S'), [wire]).stored.toString(), 'Hello\n');
  });
});

describe('RFC 959 §3.1.1.5.3 format control C (ASA)', () => {
  it('adds the carriage-control column and removes it again', () => {
    const stored = Buffer.from('line1\n\fpage2\n\nend\n');
    const wire = encodeAll(P('A', 'F', 'S', 'C'), [stored]);
    assert.equal(wire.toString('latin1'), ' line1\r\n1page2\r\n \r\n end\r\n');
    assert.deepEqual(decodeAll(P('A', 'F', 'S', 'C'), [wire]).stored, stored);
    assert.equal(decodeAll(P('A', 'F', 'S', 'C'), [Buffer.from(' a\r\n0b\r\n')]).stored.toString(), 'a\n\nb\n');
  });
});

describe('RFC 959 §3.4.1 stream mode with record structure', () => {
  it('escapes 0xFF as FF FF and ends with EOR+EOF (FF 03)', () => {
    const wire = encodeAll(P('I', 'R', 'S'), [bytes('a', 0xff, 'b\nc\n')]);
    assert.deepEqual(wire, bytes('a', 0xff, 0xff, 'b', 0xff, 0x01, 'c', 0xff, 0x03));
  });
  it('TYPE A records carry no CRLF', () => {
    assert.deepEqual(encodeAll(P('A', 'R', 'S'), [Buffer.from('ab\ncd\n')]), bytes('ab', 0xff, 1, 'cd', 0xff, 3));
  });
  it('decodes escapes split across chunks, and reports a missing EOF', () => {
    const d = new RecordStreamDecoder();
    const events = [...d.decode(bytes('x', 0xff)), ...d.decode(bytes(0xff, 'y', 0xff)), ...d.decode(bytes(0x01, 0xff, 0x02))];
    assert.deepEqual(events.map((e) => (e.kind === 'data' ? e.bytes.toString('latin1') : e.kind)), ['x', '\xff', 'y', 'eor', 'eof']);
    const truncated = new RecordStreamDecoder();
    truncated.decode(Buffer.from('abc'));
    assert.throws(() => truncated.end(), TruncatedTransferError);
  });
});

describe('RFC 959 §3.4.2 block mode', () => {
  it('file structure: the last data block carries EOF (64)', () => {
    assert.deepEqual(encodeAll(P('I', 'F', 'B'), [Buffer.from('Hello')]), bytes(0x40, 0, 5, 'Hello'));
  });
  it('record structure: EOR (128) on each record, then an empty EOF block', () => {
    assert.deepEqual(encodeAll(P('A', 'R', 'B'), [Buffer.from('ab\ncd\n')]), bytes(0x80, 0, 2, 'ab', 0x80, 0, 2, 'cd', 0x40, 0, 0));
  });
  it('restart marker blocks (16) carry the stored offset', () => {
    const wire = encodeAll(P('I', 'F', 'B'), [Buffer.from('abcd'), Buffer.from('ef')], { markerInterval: 4 });
    assert.deepEqual(wire, bytes(0, 0, 4, 'abcd', 0x10, 0, 1, '4', 0x40, 0, 2, 'ef'));
    const { stored, marks } = decodeAll(P('I', 'F', 'B'), [wire]);
    assert.equal(stored.toString(), 'abcdef');
    assert.deepEqual(marks, ['4']);
  });
  it('splits data above 65535 octets and decodes headers split one octet at a time', () => {
    const big = Buffer.alloc(70000, 7);
    const wire = encodeAll(P('I', 'F', 'B'), [big]);
    assert.deepEqual(wire.subarray(0, 3), bytes(0, 0xff, 0xff));
    assert.deepEqual(wire.subarray(65538, 65541), bytes(0x40, (70000 - 65535) >> 8, (70000 - 65535) & 0xff));
    const d = new BlockDecoder();
    let total = 0;
    for (let i = 0; i < wire.length; i++) for (const e of d.decode(wire.subarray(i, i + 1))) if (e.kind === 'data') total += e.bytes.length;
    assert.equal(total, 70000);
    assert.deepEqual(d.end(), []);
  });
  it('a connection closed before the EOF block is a truncated transfer', () => {
    const d = new BlockDecoder();
    d.decode(bytes(0, 0, 1, 'x'));
    assert.throws(() => d.end(), TruncatedTransferError);
  });
});

describe('RFC 959 §3.4.3 compressed mode', () => {
  it('byte strings, replicated bytes and filler strings', () => {
    // "AAAA" → 10 000100 'A'; four spaces → 11 000100; "xy" → 0 0000010 'x' 'y'.
    assert.deepEqual(compressBytes(Buffer.from('AAAA    xy'), 0x20), bytes(0x84, 0x41, 0xc4, 0x02, 'xy'));
    // 100 zero bytes in TYPE I: filler strings of 63 and 37.
    assert.deepEqual(compressBytes(Buffer.alloc(100), 0), bytes(0xff, 0xe5));
    // A single space stays a literal; two are a filler string.
    assert.deepEqual(compressBytes(Buffer.from('a b  c'), 0x20), bytes(3, 'a b', 0xc2, 1, 'c'));
  });
  it('escapes: EOR (00 80), EOR+EOF (00 C0), markers (00 10 + byte string)', () => {
    assert.deepEqual(encodeAll(P('A', 'R', 'C'), [Buffer.from('ab\n\ncd\n')]), bytes(2, 'ab', 0, 0x80, 0, 0x80, 2, 'cd', 0, 0xc0));
    const wire = encodeAll(P('I', 'F', 'C'), [Buffer.from('xyz')], { markerInterval: 1 });
    assert.deepEqual(wire, bytes(3, 'xyz', 0, 0x10, 1, '3', 0, 0x40));
    assert.deepEqual(decodeAll(P('I', 'F', 'C'), [wire]).marks, ['3']);
  });
  it('TYPE E uses the EBCDIC space (0x40) as filler', () => {
    assert.deepEqual(encodeAll(P('E', 'F', 'C'), [Buffer.from('   A\n')]), bytes(0xc3, 2, 0xc1, 0x15, 0, 0x40));
  });
  it('decodes any valid encoding and reports a missing EOF', () => {
    const d = new CompressedDecoder(0x20);
    const events = d.decode(bytes(0x83, 'z', 0xc2, 1, 'q', 0, 0x40));
    assert.equal(Buffer.concat(events.flatMap((e) => (e.kind === 'data' ? [e.bytes] : []))).toString(), 'zzz  q');
    const cut = new CompressedDecoder(0);
    cut.decode(bytes(1, 'a'));
    assert.throws(() => cut.end(), TruncatedTransferError);
  });
});

describe('round trips of random files in every combination', () => {
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const randomFile = (n: number, text: boolean) => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      const r = random();
      out[i] = text ? (r < 0.08 ? 0x0a : r < 0.12 ? 0x20 : r < 0.14 ? 0x0d : r < 0.15 ? 0x0c : 0x21 + Math.floor(random() * 200)) : r < 0.2 ? 0 : r < 0.25 ? 0xff : Math.floor(random() * 256);
    }
    return out;
  };
  const chunked = (b: Buffer) => {
    const out: Buffer[] = [];
    for (let i = 0; i < b.length; ) {
      const n = 1 + Math.floor(random() * 40);
      out.push(b.subarray(i, i + n));
      i += n;
    }
    return out;
  };
  for (const type of ['A', 'E', 'I', 'L'] as const) {
    for (const structure of ['F', 'R'] as const) {
      for (const mode of ['S', 'B', 'C'] as const) {
        const forms = type === 'A' || type === 'E' ? (['N', 'T', 'C'] as const) : (['N'] as const);
        for (const form of forms) {
          it(`TYPE ${type} FORM ${form} STRU ${structure} MODE ${mode}`, () => {
            const params = P(type, structure, mode, form);
            for (let n = 0; n < 5; n++) {
              let stored = randomFile(Math.floor(random() * 600), type === 'A' || type === 'E');
              // Record structure ends every record, the last one too (RFC 959 §3.4).
              if (structure === 'R' && stored.length > 0 && stored[stored.length - 1] !== 0x0a) stored = Buffer.concat([stored, Buffer.from('\n')]);
              // Form C: a form feed is only meaningful at a line's start.
              if (form === 'C') stored = Buffer.from(stored.toString('latin1').replace(/(?<!^|\n)\f/g, 'x').replace(/\r/g, 'y'), 'latin1');
              const wire = encodeAll(params, chunked(stored), { markerInterval: 100 });
              assert.deepEqual(decodeAll(params, chunked(wire)).stored, stored);
            }
          });
        }
      }
    }
  }
});
