// Transcripts of whole POP3 dialogues over a real socket (RFC 1939).

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { messageOfSize, PASSWORD, Pop3Fixture, USER } from './test-support.ts';

let fixture: Pop3Fixture;
afterEach(() => fixture?.close());

describe('POP3 session (RFC 1939)', () => {
  it('RFC 1939 §10 example session, with USER/PASS in place of APOP', async () => {
    fixture = await Pop3Fixture.start();
    const one = messageOfSize(120, 'one');
    const two = messageOfSize(200, 'two');
    await fixture.deliver(one);
    await fixture.deliver(two);
    const c = await fixture.connect();
    assert.match(c.greeting, /^\+OK pop\.example\.org Septet POP3 ready$/);
    assert.equal(await c.command('APOP mrose c4c9334bac560ecc979e58001b3e22fb'), '-ERR APOP is not supported; use USER/PASS or AUTH PLAIN');
    assert.match(await c.command(`USER ${USER}`), /^\+OK/);
    assert.equal(await c.command(`PASS ${PASSWORD}`), '+OK Logged in, maildrop has 2 messages (320 octets)');
    assert.equal(await c.command('STAT'), '+OK 2 320');
    assert.deepEqual(await c.multiline('LIST'), { status: '+OK 2 messages (320 octets)', lines: ['1 120', '2 200'] });
    assert.equal(await c.command('RETR 1'), '+OK 120 octets');
    assert.equal((await c.multilineRaw()).toString(), one);
    assert.equal(await c.command('DELE 1'), '+OK Message 1 deleted');
    assert.equal(await c.command('RETR 2'), '+OK 200 octets');
    assert.equal((await c.multilineRaw()).toString(), two);
    assert.equal(await c.command('DELE 2'), '+OK Message 2 deleted');
    assert.equal(await c.command('QUIT'), '+OK Septet POP3 server signing off (2 messages deleted)');
    await c.closedByServer();
    assert.deepEqual(await fixture.inboxUids(), []);
  });

  it('LIST n, UIDL, and sizes in octets with CRLF (RFC 1939 §5, §7, §11)', async () => {
    fixture = await Pop3Fixture.start();
    const uid1 = await fixture.deliver(messageOfSize(300));
    // Non-ASCII: octets, not characters, are counted.
    const utf8 = 'From: b@example.org\r\nSubject: Grüße\r\n\r\nПривет\r\n';
    const uid2 = await fixture.deliver(utf8);
    const c = await fixture.login();
    const octets = Buffer.byteLength(utf8);
    assert.notEqual(octets, utf8.length);
    assert.equal(await c.command('LIST 2'), `+OK 2 ${octets}`);
    assert.equal(await c.command('STAT'), `+OK 2 ${300 + octets}`);
    const { uidValidity } = await fixture.inbox();
    assert.deepEqual(await c.multiline('UIDL'), { status: '+OK Unique-id listing follows', lines: [`1 ${uidValidity}.${uid1}`, `2 ${uidValidity}.${uid2}`] });
    assert.equal(await c.command('UIDL 2'), `+OK 2 ${uidValidity}.${uid2}`);
    // RFC 1939 §7: unique-id is 1-70 characters in 0x21-0x7E.
    assert.match(`${uidValidity}.${uid2}`, /^[\x21-\x7e]{1,70}$/);
    assert.equal(await c.command('RETR 2'), `+OK ${octets} octets`);
    assert.equal((await c.multilineRaw()).toString('utf8'), utf8);
    await c.expectOk('QUIT');
  });

  it('byte-stuffs lines starting with "." and passes other octets unchanged (RFC 1939 §3)', async () => {
    fixture = await Pop3Fixture.start();
    const message = 'Subject: dots\r\n\r\n.\r\n..two\r\n.leading\r\nmid.dle\r\n\tTab and \x01 ctl\r\nlast line without dot\r\n';
    await fixture.deliver(message);
    const c = await fixture.login();
    assert.equal(await c.command('LIST 1'), `+OK 1 ${Buffer.byteLength(message)}`);
    assert.equal(await c.command('RETR 1'), `+OK ${Buffer.byteLength(message)} octets`);
    const wire = (await c.multilineRaw()).toString('latin1');
    assert.equal(wire, 'Subject: dots\r\n\r\n..\r\n...two\r\n..leading\r\nmid.dle\r\n\tTab and \x01 ctl\r\nlast line without dot\r\n');
    // Undoing the stuffing gives the message back exactly.
    assert.equal(wire.replace(/^\./gm, ''), message);
    await c.expectOk('QUIT');
  });

  it('adds the CRLF before "." when a stored message lacks a final line end', async () => {
    fixture = await Pop3Fixture.start();
    await fixture.deliver('Subject: x\r\n\r\nno newline at end');
    const c = await fixture.login();
    await c.expectOk('RETR 1');
    assert.equal((await c.multilineRaw()).toString(), 'Subject: x\r\n\r\nno newline at end\r\n');
    await c.expectOk('QUIT');
  });

  it('TOP n k sends the header, the blank line and k body lines, stuffed (RFC 1939 §7)', async () => {
    fixture = await Pop3Fixture.start();
    await fixture.deliver('From: a@example.org\r\nSubject: top\r\n\r\nline 1\r\n.line 2\r\nline 3\r\n');
    const c = await fixture.login();
    assert.deepEqual(await c.multiline('TOP 1 0'), { status: '+OK Top of message follows', lines: ['From: a@example.org', 'Subject: top', ''] });
    assert.deepEqual((await c.multiline('TOP 1 2')).lines, ['From: a@example.org', 'Subject: top', '', 'line 1', '..line 2']);
    assert.deepEqual((await c.multiline('TOP 1 99')).lines, ['From: a@example.org', 'Subject: top', '', 'line 1', '..line 2', 'line 3']);
    assert.equal(await c.command('TOP 1'), '-ERR Syntax: TOP message-number lines');
    assert.equal(await c.command('TOP 1 -1'), '-ERR Line count must be a non-negative decimal integer');
    assert.equal(await c.command('TOP 2 1'), '-ERR No such message 2');
    await c.expectOk('QUIT');
  });

  it('checks message numbers: positive decimal, in range, not deleted', async () => {
    fixture = await Pop3Fixture.start();
    await fixture.deliver(messageOfSize(100));
    const c = await fixture.login();
    assert.equal(await c.command('RETR 0'), '-ERR No such message 0');
    assert.equal(await c.command('RETR 2'), '-ERR No such message 2');
    assert.equal(await c.command('RETR -1'), '-ERR Message number must be a positive decimal integer');
    assert.equal(await c.command('RETR 1x'), '-ERR Message number must be a positive decimal integer');
    assert.equal(await c.command('RETR 99999999999999'), '-ERR Message number must be a positive decimal integer');
    assert.equal(await c.command('RETR'), '-ERR Syntax: RETR message-number');
    assert.equal(await c.command('LIST 1 2'), '-ERR Syntax: LIST [message-number]');
    assert.equal(await c.command('LIST  1'), '-ERR Arguments must be separated by single spaces');
    await c.expectOk('DELE 1');
    assert.equal(await c.command('DELE 1'), '-ERR Message 1 is already deleted');
    assert.equal(await c.command('RETR 1'), '-ERR Message 1 is already deleted');
    assert.equal(await c.command('LIST 1'), '-ERR Message 1 is already deleted');
    assert.deepEqual(await c.multiline('LIST'), { status: '+OK 0 messages (0 octets)', lines: [] });
    assert.equal(await c.command('STAT'), '+OK 0 0');
    assert.equal(await c.command('NOOP'), '+OK');
    await c.expectOk('QUIT');
  });

  it('rejects commands in the wrong state and stays usable', async () => {
    fixture = await Pop3Fixture.start();
    const c = await fixture.connect();
    assert.equal(await c.command('STAT'), '-ERR STAT is not valid in this state');
    assert.equal(await c.command('PASS x'), '-ERR Send USER first');
    await c.expectOk(`USER ${USER}`);
    await c.expectOk(`PASS ${PASSWORD}`);
    assert.equal(await c.command('USER bob'), '-ERR USER is not valid in this state');
    assert.equal(await c.command('AUTH PLAIN'), '-ERR AUTH is not valid in this state');
    assert.equal(await c.command('STLS'), '-ERR STLS is only permitted before login');
    assert.equal(await c.command('stat'), '+OK 0 0');
    await c.expectOk('QUIT');
  });

  it('answers pipelined commands in order (RFC 2449 §6.6)', async () => {
    fixture = await Pop3Fixture.start();
    await fixture.deliver(messageOfSize(100));
    const c = await fixture.connect();
    c.write(`CAPA\r\nUSER ${USER}\r\nPASS ${PASSWORD}\r\nSTAT\r\nLIST\r\nRETR 1\r\nUIDL 1\r\nQUIT\r\n`);
    assert.equal(await c.line(), '+OK Capability list follows');
    await c.multilineBody();
    assert.match(await c.line(), /^\+OK Send PASS/);
    assert.match(await c.line(), /^\+OK Logged in/);
    assert.equal(await c.line(), '+OK 1 100');
    assert.equal(await c.line(), '+OK 1 messages (100 octets)');
    assert.deepEqual(await c.multilineBody(), ['1 100']);
    assert.equal(await c.line(), '+OK 100 octets');
    assert.equal((await c.multilineRaw()).length, 100);
    assert.match(await c.line(), /^\+OK 1 \d+\.1$/);
    assert.match(await c.line(), /^\+OK Septet POP3 server signing off/);
    await c.closedByServer();
  });
});
