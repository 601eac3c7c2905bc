// Transcript tests over the raw protocol: login, sequencing, the data model's bytes
// on the data connection (hand-computed from RFC 959 §3.4), security rules.

import assert from 'node:assert/strict';
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FtpFixture, PASSWORD, readAll, writeAndEnd } from './test-support.ts';

let f: FtpFixture;
before(async () => {
  f = await FtpFixture.start();
  const c = await f.login(); // creates the home
  c.destroy();
  await writeFile(join(f.home, 'README'), 'line one\nline two\n');
  await writeFile(join(f.home, 'records.txt'), 'ab\ncd\n');
  await mkdir(join(f.home, 'dir with space'));
  await writeFile(join(f.home, 'dir with space', 'héllo wörld.txt'), 'utf8');
});
after(() => f.close());

describe('control connection', () => {
  it('greets, logs in with a local part (default_domain) and answers FEAT as a multi-line reply', async () => {
    const c = await f.connect();
    await c.expect('USER user', 331);
    await c.expect(`PASS ${PASSWORD}`, 230);
    const feat = await c.expect('FEAT', 211);
    assert.ok(feat.lines.includes(' MLST type*;size*;modify*;perm*;unique*;'));
    assert.ok(feat.lines.includes(' UTF8') && feat.lines.includes(' AUTH TLS') && feat.lines.includes(' HASH SHA-256*'));
    assert.equal(feat.lines.at(-1), '211 End');
    assert.equal((await c.expect('SYST', 215)).text, '215 UNIX Type: L8');
    assert.equal((await c.expect('PWD', 257)).text, '257 "/" is the current directory');
    await c.expect('QUIT', 221);
  });
  it('refuses commands out of order with clear codes', async () => {
    const c = await f.connect();
    await c.expect('PASS x', 503);
    await c.expect('LIST', 530);
    await c.expect('USER user', 331);
    await c.expect('PASS wrong', 530);
    await c.expect('USER user', 331);
    await c.expect(`PASS ${PASSWORD}`, 230);
    await c.expect('RNTO x', 503);
    await c.expect('RETR README', 425);
    await c.expect('XYZZY', 500);
    await c.expect('SMNT /', 502);
    await c.expect('STRU P', 504);
    await c.expect('TYPE L 7', 504);
    await c.expect('MODE Z', 504);
    await c.expect('ACCT x', 202);
    c.send(Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0d, 0x0a]));
    assert.equal((await c.reply()).code, 500);
    await c.expect('NOOP', 200);
    c.destroy();
  });
  it('closes after too many failed logins', async () => {
    const c = await f.connect();
    for (let i = 0; i < 2; i++) {
      await c.expect('USER user', 331);
      await c.expect('PASS bad', 530);
    }
    await c.expect('USER user', 331);
    await c.expect('PASS bad', 421);
  });
  it('keeps every path inside the home: "..", absolute paths, symlinks out', async () => {
    await symlink('/etc', join(f.home, 'etc-link'));
    const c = await f.login();
    await c.expect('CWD ../../..', 250);
    assert.equal((await c.expect('PWD', 257)).text, '257 "/" is the current directory');
    await c.expect('SIZE /../../etc/passwd', 550);
    await c.expect('CWD etc-link', 550);
    await c.expect('SIZE etc-link/passwd', 550);
    await c.expect('CWD /dir with space', 250);
    assert.equal((await c.expect('SIZE héllo wörld.txt', 213)).text, '213 4');
    c.destroy();
  });
  it('refuses plaintext passwords off loopback with a hint to use AUTH TLS', async () => {
    f.nextAddress = { remoteAddress: '192.0.2.7', remotePort: 40000, localAddress: '127.0.0.1', localPort: f.port };
    try {
      const c = await f.connect();
      const r = await c.command('USER user');
      assert.equal(r.code, 530);
      assert.match(r.text, /AUTH TLS/);
      c.destroy();
    } finally {
      f.nextAddress = undefined;
    }
  });
});

describe('file commands', () => {
  it('MKD, RNFR/RNTO, SIZE, MDTM, HASH, MLST, DELE, RMD', async () => {
    const c = await f.login();
    assert.equal((await c.expect('MKD new "quoted"', 257)).text, '257 "/new ""quoted""" created');
    await c.expect('RNFR new "quoted"', 350);
    await c.expect('RNTO renamed', 250);
    await c.expect('RMD renamed', 250);
    assert.equal((await c.expect('SIZE README', 213)).text, '213 18');
    assert.match((await c.expect('MDTM README', 213)).text, /^213 \d{14}$/);
    const hash = await c.expect('HASH README', 213);
    assert.match(hash.text, /^213 SHA-256 0-17 [0-9a-f]{64} \/README$/);
    const mlst = await c.expect('MLST README', 250);
    assert.match(mlst.lines[1]!, /^ type=file;size=18;modify=\d{14};perm=adfrw;unique=[0-9a-fg]+; \/README$/);
    await writeFile(join(f.home, 'gone'), 'x');
    await c.expect('DELE gone', 250);
    await c.expect('DELE gone', 550);
    c.destroy();
  });
});

async function retrieve(params: string[], path: string): Promise<Buffer> {
  const c = await f.login();
  for (const p of params) await c.expect(p, 200);
  const data = await c.pasv();
  const received = readAll(data);
  await c.expect(`RETR ${path}`, 150);
  const bytes = await received;
  assert.equal((await c.reply()).code, 226);
  c.destroy();
  return bytes;
}

describe('RFC 959 data model on the wire', () => {
  it('TYPE A sends CRLF; TYPE I the stored bytes', async () => {
    assert.equal((await retrieve(['TYPE A'], 'README')).toString(), 'line one\r\nline two\r\n');
    assert.equal((await retrieve(['TYPE I'], 'README')).toString(), 'line one\nline two\n');
  });
  it('TYPE E sends EBCDIC with NL (0x15)', async () => {
    assert.deepEqual(await retrieve(['TYPE E', 'STRU F'], 'records.txt'), Buffer.from([0x81, 0x82, 0x15, 0x83, 0x84, 0x15]));
  });
  it('STRU R in stream mode ends records with FF 01 and the file with FF 03', async () => {
    assert.deepEqual(await retrieve(['TYPE A', 'STRU R'], 'records.txt'), Buffer.from([0x61, 0x62, 0xff, 0x01, 0x63, 0x64, 0xff, 0x03]));
  });
  it('MODE B: EOR and EOF descriptors', async () => {
    assert.deepEqual(await retrieve(['TYPE A', 'STRU R', 'MODE B'], 'records.txt'), Buffer.from([0x80, 0, 2, 0x61, 0x62, 0x80, 0, 2, 0x63, 0x64, 0x40, 0, 0]));
    assert.deepEqual(await retrieve(['TYPE I', 'MODE B'], 'records.txt'), Buffer.from([0x40, 0, 6, 0x61, 0x62, 0x0a, 0x63, 0x64, 0x0a]));
  });
  it('MODE C: byte strings, replications, filler', async () => {
    await writeFile(join(f.home, 'spaces.txt'), 'xxxx    y\n');
    // 4 'x' → 84 78; 4 spaces → C4; "y" CRLF → 03 79 0D 0A; EOF → 00 40.
    assert.deepEqual(await retrieve(['TYPE A', 'MODE C'], 'spaces.txt'), Buffer.from([0x84, 0x78, 0xc4, 0x03, 0x79, 0x0d, 0x0a, 0x00, 0x40]));
  });
  it('MODE B upload with a restart marker answers 110 MARK and stores the data', async () => {
    const c = await f.login();
    await c.expect('TYPE I', 200);
    await c.expect('MODE B', 200);
    const data = await c.pasv();
    await c.expect('STOR blocks.bin', 150);
    await writeAndEnd(data, Buffer.from([0, 0, 3, 0x41, 0x42, 0x43, 0x10, 0, 2, 0x4d, 0x31, 0x40, 0, 1, 0x44]));
    assert.equal((await c.reply()).text, '110 MARK M1 = 3');
    assert.equal((await c.reply()).code, 226);
    assert.equal(await readFile(join(f.home, 'blocks.bin'), 'utf8'), 'ABCD');
    c.destroy();
  });
  it('MODE B upload cut before EOF is a 426, and the partial file is kept by default', async () => {
    const c = await f.login();
    await c.expect('MODE B', 200);
    const data = await c.pasv();
    await c.expect('STOR cut.bin', 150);
    await writeAndEnd(data, Buffer.from([0, 0, 2, 0x41, 0x42]));
    assert.equal((await c.reply()).code, 426);
    assert.equal(await readFile(join(f.home, 'cut.bin'), 'utf8'), 'AB');
    c.destroy();
  });
  it('REST resumes a download; APPE appends; STOU picks a unique name', async () => {
    assert.equal((await (async () => {
      const c = await f.login();
      await c.expect('TYPE I', 200);
      await c.expect('REST 5', 350);
      const data = await c.pasv();
      const got = readAll(data);
      await c.expect('RETR README', 150);
      const b = await got;
      await c.reply();
      c.destroy();
      return b.toString();
    })()), 'one\nline two\n');
    const c = await f.login();
    await c.expect('TYPE I', 200);
    let data = await c.pasv();
    await c.expect('APPE README', 150);
    await writeAndEnd(data, Buffer.from('line three\n'));
    assert.equal((await c.reply()).code, 226);
    assert.equal(await readFile(join(f.home, 'README'), 'utf8'), 'line one\nline two\nline three\n');
    data = await c.pasv();
    const r = await c.command('STOU');
    assert.match(r.text, /^150 FILE: file\.[0-9a-f]{8}$/);
    await writeAndEnd(data, Buffer.from('unique'));
    assert.equal((await c.reply()).code, 226);
    c.destroy();
  });
});

describe('data connection security', () => {
  it('refuses PORT to another address or a privileged port (no bounce)', async () => {
    const c = await f.login();
    await c.expect('PORT 10,0,0,1,4,1', 504);
    await c.expect('PORT 127,0,0,1,0,25', 504);
    await c.expect('EPRT |1|10.0.0.1|2000|', 504);
    await c.expect('EPRT |2|::1|2000|', 522);
    await c.expect('PORT 127,0,0,1,4,1', 200);
    c.destroy();
  });
  it('drops a passive connection from another address (no port stealing)', async () => {
    f.nextAddress = { remoteAddress: '127.0.0.2', remotePort: 40000, localAddress: '127.0.0.1', localPort: f.port };
    f.config.ftp.data_timeout = 1;
    try {
      const c = await f.login();
      const thief = await c.pasv();
      const closed = new Promise((resolve) => thief.once('close', resolve));
      await closed;
      await c.expect('RETR README', 150);
      assert.equal((await c.reply()).code, 425);
      c.destroy();
    } finally {
      f.nextAddress = undefined;
      f.config.ftp.data_timeout = 5;
    }
  });
});

describe('ABOR and STAT during a transfer', () => {
  it('answers STAT, then ftplib-style urgent "ABOR\\r" with 426 then 226', async () => {
    await writeFile(join(f.home, 'big.bin'), Buffer.alloc(64 << 20, 1));
    const c = await f.login();
    await c.expect('TYPE I', 200);
    const data = await c.pasv();
    data.pause(); // do not read: the transfer stalls on backpressure
    await c.expect('RETR big.bin', 150);
    await new Promise((r) => setTimeout(r, 100));
    assert.match((await c.command('STAT')).text, /^213 Status: download of \/big\.bin, \d+ octets so far\.$/);
    // Telnet IP and DM in band, then ABOR whose LF went out of band.
    c.send(Buffer.from('\xff\xf4\xff\xf2ABOR\r', 'latin1'));
    assert.equal((await c.reply()).code, 426);
    assert.equal((await c.reply()).code, 226);
    await c.expect('PWD', 257);
    data.destroy();
    c.destroy();
  });
  it('ABOR without a transfer is 225', async () => {
    const c = await f.login();
    await c.expect('ABOR', 225);
    c.destroy();
  });
});

describe('limits', () => {
  it('an idle session gets 421 and is closed', async () => {
    const g = await FtpFixture.start({ configure: (cfg) => (cfg.ftp.idle_timeout = 1) });
    try {
      const c = await g.connect();
      const r = await c.reply(3000);
      assert.equal(r.code, 421);
    } finally {
      await g.close();
    }
  });
  it('quota: an upload past it fails with 552, and delete policy removes the partial file', async () => {
    const g = await FtpFixture.start({ quotaBytes: 1000, configure: (cfg) => (cfg.ftp.partial_uploads = 'delete') });
    try {
      const c = await g.login();
      await c.expect('TYPE I', 200);
      const data = await c.pasv();
      await c.expect('STOR too-big.bin', 150);
      data.on('error', () => {});
      data.end(Buffer.alloc(5000));
      assert.equal((await c.reply()).code, 552);
      await assert.rejects(stat(join(g.home, 'too-big.bin')));
      await c.expect('ALLO 5000', 552);
      c.destroy();
    } finally {
      await g.close();
    }
  });
});
