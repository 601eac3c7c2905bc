// Septet's client against Septet's server: every TYPE/STRU/MODE round trip
// byte-exactly (the reference client for modes no other client speaks), passive and
// active, TLS with PROT P, resume with REST, and the `septet ftp` command.

import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ftpCommand } from '../../cli/ftp.ts';
import { FtpFixture, PASSWORD } from '../test-support.ts';
import { FtpClient, parseFtpUrl } from './client.ts';

let f: FtpFixture;
let work: string;
before(async () => {
  f = await FtpFixture.start();
  (await f.login()).destroy();
  work = await mkdtemp(join(tmpdir(), 'septet-ftp-client-'));
});
after(async () => {
  await f.close();
  await rm(work, { recursive: true, force: true });
});

function collect(): { sink: Writable; bytes: () => Buffer } {
  const parts: Buffer[] = [];
  return { sink: new Writable({ write: (c: Buffer, _e, cb) => (parts.push(c), cb()) }), bytes: () => Buffer.concat(parts) };
}

const connect = (extra: { active?: boolean; security?: 'none' | 'explicit' } = {}) =>
  FtpClient.connect({ host: '127.0.0.1', port: f.port, user: 'user', password: PASSWORD, security: extra.security ?? 'none', active: extra.active ?? false, rejectUnauthorized: false });

describe('URL parsing', () => {
  it('reads credentials, ports and percent-encoded paths', () => {
    const { options, path } = parseFtpUrl('ftps://a%40b.org:p%3Ass@[::1]/dir%20x/f.txt');
    assert.deepEqual([options.user, options.password, options.host, options.port, options.security, path], ['a@b.org', 'p:ss', '::1', 990, 'implicit', '/dir x/f.txt']);
  });
});

describe('round trips through the server in every type, structure and mode', () => {
  const text = Buffer.from('first line\n\fnew page   with    spaces\n\n\r\nlast line ÿ\xff\n', 'latin1');
  const binary = Buffer.concat([Buffer.alloc(300), Buffer.from([0xff, 0xff, 0x0a, 1, 2, 3]), Buffer.alloc(70000, 0x41), Buffer.from('tail\n')]);
  for (const type of ['A', 'E', 'I', 'L'] as const) {
    for (const structure of ['F', 'R'] as const) {
      for (const mode of ['S', 'B', 'C'] as const) {
        const forms = type === 'A' || type === 'E' ? (['N', 'C'] as const) : (['N'] as const);
        for (const form of forms) {
          it(`TYPE ${type} ${form} STRU ${structure} MODE ${mode}`, async () => {
            const c = await connect();
            try {
              await c.setParams({ type, form, structure, mode });
              const original = form === 'C' ? Buffer.from('a\n\fb\n\nc\n') : type === 'A' || type === 'E' ? text : binary;
              const name = `rt-${type}${form}${structure}${mode}.dat`;
              await c.upload(name, Readable.from([original.subarray(0, 7), original.subarray(7)]));
              assert.deepEqual(await readFile(join(f.home, name)), original, 'stored file');
              const { sink, bytes } = collect();
              await c.download(name, sink);
              assert.deepEqual(bytes(), original, 'downloaded file');
            } finally {
              await c.quit();
            }
          });
        }
      }
    }
  }
});

describe('data connections and resume', () => {
  it('active mode (EPRT) and explicit TLS with PROT P', async () => {
    for (const options of [{ active: true }, { security: 'explicit' as const }, { active: true, security: 'explicit' as const }]) {
      const c = await connect(options);
      try {
        await c.upload('mode.bin', Readable.from([Buffer.from('active or tls')]));
        const { sink, bytes } = collect();
        await c.download('mode.bin', sink);
        assert.equal(bytes().toString(), 'active or tls');
        assert.match(await c.list(), /mode\.bin/);
      } finally {
        await c.quit();
      }
    }
  });
  it('REST resumes downloads and uploads; block mode reports restart markers', async () => {
    f.config.ftp.marker_interval = 1000;
    const data = Buffer.alloc(5000, 0x62);
    const c = await connect();
    try {
      await c.upload('resume.bin', Readable.from([data.subarray(0, 2000)]));
      await c.upload('resume.bin', Readable.from([data.subarray(2000)]), { restart: 2000 });
      assert.deepEqual(await readFile(join(f.home, 'resume.bin')), data);
      const { sink, bytes } = collect();
      await c.download('resume.bin', sink, { restart: 4000 });
      assert.equal(bytes().length, 1000);
      await c.setParams({ mode: 'B' });
      const markers: Array<[string, number]> = [];
      const all = collect();
      await c.download('resume.bin', all.sink, { onMarker: (m, at) => markers.push([m, at]) });
      assert.ok(markers.length >= 1);
      // A marker is the stored offset where the sender can resume; ours agrees.
      for (const [m, at] of markers) assert.equal(Number(m), at);
    } finally {
      f.config.ftp.marker_interval = 1_048_576;
      await c.quit();
    }
  });
});

describe('septet ftp command', () => {
  it('put, ls, get --resume, mkdir, mirror, rm', async () => {
    const url = `ftp://user:${PASSWORD}@127.0.0.1:${f.port}`;
    const local = join(work, 'cli.txt');
    await writeFile(local, 'hello from the cli\n');
    await ftpCommand(['put', local, `${url}/cli.txt`, '--quiet']);
    assert.equal(await readFile(join(f.home, 'cli.txt'), 'utf8'), 'hello from the cli\n');
    const partial = join(work, 'partial.txt');
    await writeFile(partial, 'hello ');
    await ftpCommand(['get', `${url}/cli.txt`, partial, '--resume', '--quiet']);
    assert.equal(await readFile(partial, 'utf8'), 'hello from the cli\n');
    await ftpCommand(['mkdir', `${url}/made%20by%20cli`, '--quiet']);
    await mkdir(join(f.home, 'made by cli', 'inner'), { recursive: true });
    await writeFile(join(f.home, 'made by cli', 'inner', 'x.txt'), 'x');
    await ftpCommand(['mirror', `${url}/made%20by%20cli`, join(work, 'mirrored'), '--quiet', '--mode', 'B']);
    assert.equal(await readFile(join(work, 'mirrored', 'inner', 'x.txt'), 'utf8'), 'x');
    await ftpCommand(['rm', `${url}/cli.txt`, '--quiet']);
    await assert.rejects(readFile(join(f.home, 'cli.txt')));
  });
});
