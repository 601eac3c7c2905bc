// The control connection's line splitting (RFC 959 §4, RFC 854 Telnet): bulk reads
// must give the same lines as the octet-by-octet reader did, whatever the chunking.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteReader, LineTooLongError } from '../core/net/byte-reader.ts';
import { CommandLineReader, stripTelnet } from './wire.ts';

/** Feeds `input` in chunks of `size` octets, a turn of the event loop apart, then ends. */
function feed(reader: ByteReader, input: Buffer, size: number): void {
  let i = 0;
  const step = () => {
    if (i >= input.length) return reader.end();
    reader.push(input.subarray(i, i + size));
    i += size;
    setImmediate(step);
  };
  setImmediate(step);
}

async function linesOf(input: Buffer, size: number, limit = 64): Promise<Array<string | 'TOO LONG'>> {
  const reader = new ByteReader();
  const lines = new CommandLineReader(reader, limit);
  feed(reader, input, size);
  const out: Array<string | 'TOO LONG'> = [];
  for (;;) {
    try {
      const line = await lines.next();
      if (line === null) return out;
      out.push(line.toString('latin1'));
    } catch (error) {
      if (!(error instanceof LineTooLongError)) throw error;
      out.push('TOO LONG');
    }
  }
}

describe('CommandLineReader', () => {
  const input = Buffer.from(`USER a\r\nPASS b\nNOOP\r\n\xff\xf4\xff\xf2STAT\r\nSITE \xff\xff x\r\n${'X'.repeat(200)}\r\nPWD\r\nQUIT`, 'latin1');
  const expected = ['USER a', 'PASS b', 'NOOP', 'STAT', 'SITE \xff x', 'TOO LONG', 'PWD', 'QUIT'];
  for (const size of [1, 3, 17, input.length]) {
    it(`splits pipelined lines, removes Telnet commands and skips an overlong line (${size}-octet chunks)`, async () => {
      assert.deepEqual(await linesOf(input, size), expected);
    });
  }
  it('RFC 959 §4.1.3 via ftplib: "ABOR\\r" whose LF went out of band is a whole line', async () => {
    const reader = new ByteReader();
    const lines = new CommandLineReader(reader, 64);
    reader.push(Buffer.from('\xff\xf4\xff\xf2ABOR\r', 'latin1'));
    assert.equal((await lines.next())?.toString(), 'ABOR');
    // The LF may still arrive in band later: dropped, so the lines are those of "ABOR\r\n"
    // in one piece (no empty line that depends on the chunking).
    reader.push(Buffer.from('\n'));
    reader.push(Buffer.from('NOOP\r\n'));
    assert.equal((await lines.next())?.toString(), 'NOOP');
    // Something other than a LF after "ABOR\r" starts the next line, in one piece or not.
    const whole = new CommandLineReader(reader, 64);
    reader.push(Buffer.from('ABOR\rSTAT\r\n'));
    assert.equal((await whole.next())?.toString(), 'ABOR');
    assert.equal((await whole.next())?.toString(), 'STAT');
  });
  it('keeps what follows a line for the next call, and drops it on discardBuffered (AUTH TLS)', async () => {
    const reader = new ByteReader();
    const lines = new CommandLineReader(reader, 64);
    reader.push(Buffer.from('AUTH TLS\r\nUSER injected\r\n'));
    assert.equal((await lines.next())?.toString(), 'AUTH TLS');
    assert.equal(lines.discardBuffered(), 'USER injected\r\n'.length);
    reader.push(Buffer.from('USER real\r\n'));
    assert.equal((await lines.next())?.toString(), 'USER real');
  });
  it('stripTelnet keeps an octet whose IAC lost its command octet', () => {
    assert.deepEqual(stripTelnet(Buffer.from([0xf2, 0x41, 0xff, 0x42, 0xff, 0xfb])), Buffer.from([0x41, 0x42]));
  });
});
