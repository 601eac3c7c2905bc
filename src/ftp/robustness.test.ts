// Bad input never crashes the server: seeded garbage in odd chunk sizes, pipelined
// commands, anonymous access rules, clients that never open the passive connection.

import assert from 'node:assert/strict';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FtpFixture } from './test-support.ts';

let f: FtpFixture;
before(async () => {
  // Random USER/PASS pairs would otherwise hit max_login_failures (a 421 and a close, as intended).
  f = await FtpFixture.start({ configure: (c) => ((c.ftp.anonymous = true), (c.ftp.max_login_failures = 1000)) });
});
after(() => f.close());

describe('robustness', () => {
  it('survives seeded garbage in 1-, 3- and 17-octet chunks, then still answers', async () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const verbs = ['USER', 'PASS', 'PORT', 'EPRT', 'TYPE', 'MODE', 'STRU', 'REST', 'RETR', 'LIST', 'CWD', 'MLST', 'OPTS', 'AUTH', 'PROT', 'SITE', 'ABOR'];
    for (const size of [1, 3, 17]) {
      const c = await f.connect();
      let input = '';
      for (let i = 0; i < 40; i++) {
        const verb = verbs[Math.floor(random() * verbs.length)]!;
        let arg = '';
        for (let j = Math.floor(random() * 30); j > 0; j--) arg += String.fromCharCode(Math.floor(random() * 256));
        input += `${verb} ${arg.replace(/[\r\n]/g, '')}\r\n`;
      }
      const bytes = Buffer.from(input, 'latin1');
      for (let i = 0; i < bytes.length; i += size) c.send(bytes.subarray(i, i + size));
      c.send('NOOP');
      // Every command gets a reply; the last one is NOOP's.
      let last;
      for (;;) {
        last = await c.reply();
        if (last.text.startsWith('200 NOOP')) break;
      }
      assert.equal(last.code, 200);
      c.destroy();
    }
  });
  it('answers pipelined commands in order', async () => {
    const c = await f.connect();
    c.send('USER anonymous\r\nPASS guest@\r\nPWD\r\nTYPE I\r\nSYST');
    assert.deepEqual([(await c.reply()).code, (await c.reply()).code, (await c.reply()).code, (await c.reply()).code, (await c.reply()).code], [331, 230, 257, 200, 215]);
    c.destroy();
  });
  it('anonymous users read <data>/pub and cannot write', async () => {
    await mkdir(join(f.dataDir, 'pub'), { recursive: true });
    await writeFile(join(f.dataDir, 'pub', 'readme.txt'), 'public\n');
    const c = await f.connect();
    await c.expect('USER anonymous', 331);
    await c.expect('PASS guest@', 230);
    assert.equal((await c.expect('SIZE readme.txt', 213)).text, '213 7');
    await c.expect('MKD x', 550);
    await c.expect('DELE readme.txt', 550);
    await c.pasv();
    await c.expect('STOR new.txt', 550);
    c.destroy();
  });
  it('a passive port nobody connects to is closed after the data timeout', async () => {
    f.config.ftp.data_timeout = 1;
    try {
      const c = await f.connect();
      await c.expect('USER anonymous', 331);
      await c.expect('PASS x', 230);
      const r = await c.expect('PASV', 227);
      const m = /(\d+),(\d+)\)/.exec(r.text)!;
      const port = Number(m[1]) * 256 + Number(m[2]);
      await c.expect('LIST', 150);
      assert.equal((await c.reply(4000)).code, 425);
      // The port is no longer listening.
      const { createConnection } = await import('node:net');
      const refused = await new Promise<boolean>((resolve) => {
        const s = createConnection({ port, host: '127.0.0.1' });
        s.on('connect', () => (s.destroy(), resolve(false)));
        s.on('error', () => resolve(true));
      });
      assert.ok(refused);
      c.destroy();
    } finally {
      f.config.ftp.data_timeout = 5;
    }
  });
});
