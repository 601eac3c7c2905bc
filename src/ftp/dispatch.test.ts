// The command table's shape and the dispatcher's order: the state first (530), then
// the argument's syntax (parse: 501/504), then the command; failures of every kind
// become one reply, from one place. And the refusal lines of ftp/server.ts.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { commands } from './commands/index.ts';
import { ftpRefusal } from './server.ts';
import { FtpFixture } from './test-support.ts';

let f: FtpFixture;
before(async () => {
  f = await FtpFixture.start();
});
after(() => f.close());

describe('the command table', () => {
  it('gives every command the states it is allowed in, and those are session states', () => {
    for (const [verb, command] of commands) {
      assert.ok(command.states.length > 0, verb);
      for (const state of command.states) assert.ok(state === 'login' || state === 'ready', `${verb}: ${state}`);
    }
    assert.deepEqual(commands.get('RETR')!.states, ['ready']);
    assert.deepEqual(commands.get('FEAT')!.states, ['login', 'ready']);
  });

  it('parses arguments into typed values without a session', () => {
    assert.deepEqual(commands.get('TYPE')!.parse('a t'), { type: 'A', form: 'T' });
    assert.deepEqual(commands.get('PORT')!.parse('127,0,0,1,4,1'), { host: '127.0.0.1', port: 1025 });
    assert.equal(commands.get('REST')!.parse(' 4000 '), 4000);
    assert.equal(commands.get('CWD')!.parse(''), '/');
    assert.throws(() => commands.get('MODE')!.parse('X'), { name: 'FtpError', code: 504 });
    assert.throws(() => commands.get('REST')!.parse('-1'), { name: 'FtpError', code: 501 });
  });
});

describe('dispatch', () => {
  it('checks the state before the syntax, and the syntax before the command', async () => {
    const c = await f.connect();
    try {
      await c.expect('MKD', 530);
      await c.expect('TYPE X', 504);
      await c.expect('USER user', 331);
      await c.expect('PASS mypassword', 230);
      await c.expect('MKD', 501);
      await c.expect('REST x', 501);
      await c.expect('BOGUS', 500);
    } finally {
      c.destroy();
    }
  });

  it('maps file-system failures to 550 with their reason', async () => {
    const c = await f.login();
    try {
      assert.match((await c.expect('RMD missing', 550)).text, /No such file or directory/);
      await c.expect('MKD twice', 257);
      assert.match((await c.expect('MKD twice', 550)).text, /File exists/);
      assert.match((await c.expect('CWD ../../..', 250)).text, /changed/);
    } finally {
      c.destroy();
    }
  });
});

describe('ftpRefusal', () => {
  it('is a 421 line for every refusal, also while the service starts (RFC 959 §5.4)', () => {
    assert.equal(ftpRefusal('starting'), '421 Service not available.\r\n');
    for (const reason of ['too-many', 'too-many-from-ip', 'shutting-down', 'banned'] as const) assert.match(ftpRefusal(reason), /^421 [^\r\n]+\r\n$/);
  });
});
