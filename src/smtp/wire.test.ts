// The SMTP command grammar against RFC examples.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeXtext, parseBdatArgs, parseCommandLine, parseMailCommand, parseMailFrom, parseParams, parseRcptCommand, parseRcptTo } from './wire.ts';
import { formatReply, SmtpError } from './replies.ts';

const code = (fn: () => unknown): number => {
  try {
    fn();
  } catch (error) {
    if (error instanceof SmtpError) return error.reply.code;
    throw error;
  }
  return 0;
};

describe('SMTP wire parsing', () => {
  it('RFC 5321 §4.1.1: verbs are case-insensitive; arguments keep their case', () => {
    assert.deepEqual(parseCommandLine(Buffer.from('ehlo Bar.COM')), { verb: 'EHLO', args: 'Bar.COM' });
    assert.deepEqual(parseCommandLine(Buffer.from('QUIT')), { verb: 'QUIT', args: '' });
    assert.equal(code(() => parseCommandLine(Buffer.from('M@IL FROM:<>'))), 500);
    assert.equal(code(() => parseCommandLine(Buffer.from([0x4d, 0xff, 0x20]))), 500);
  });

  it('RFC 5321 §4.1.1.2 / Appendix D.1: MAIL FROM:<Smith@bar.com>', () => {
    const { mailbox, params } = parseMailFrom('FROM:<Smith@bar.com>');
    assert.deepEqual(mailbox, { localPart: 'Smith', domain: 'bar.com', address: 'Smith@bar.com', utf8: false });
    assert.equal(params.size, 0);
  });

  it('RFC 5321 §4.5.5: the null reverse-path <>; not allowed for RCPT', () => {
    assert.equal(parseMailFrom('FROM:<>').mailbox, null);
    assert.equal(code(() => parseRcptTo('TO:<>')), 501);
  });

  it('RFC 5321 §4.1.2: quoted local parts, with quoted-pairs', () => {
    const q = parseMailFrom('FROM:<"john smith"@Example.ORG>').mailbox!;
    assert.equal(q.localPart, 'john smith');
    assert.equal(q.address, '"john smith"@example.org');
    assert.equal(parseRcptTo('TO:<"a\\"b>c"@x.example>').mailbox!.localPart, 'a"b>c');
    assert.equal(parseRcptTo('TO:<"simple"@x.example>').mailbox!.address, 'simple@x.example');
  });

  it('RFC 5321 §3.3 / Appendix F.2: source routes are ignored', () => {
    assert.equal(parseRcptTo('TO:<@hosta.int,@jkl.org:userc@d.bar.org>').mailbox!.address, 'userc@d.bar.org');
    assert.equal(code(() => parseRcptTo('TO:<@bad domain:u@x.example>')), 501);
  });

  it('RFC 5321 §4.1.1.3: RCPT TO:<Postmaster> without a domain', () => {
    assert.equal(parseRcptTo('TO:<Postmaster>').mailbox!.address, 'postmaster');
    assert.equal(code(() => parseRcptTo('TO:<someone>')), 501);
  });

  it('RFC 5321 §4.1.3: address literals', () => {
    assert.equal(parseRcptTo('TO:<u@[192.0.2.1]>').mailbox!.domain, '[192.0.2.1]');
    assert.equal(parseRcptTo('TO:<u@[IPv6:2001:db8::1]>').mailbox!.domain, '[IPv6:2001:db8::1]');
  });

  it('RFC 5321 §4.1.2: bad paths are refused', () => {
    for (const bad of ['FROM:<a@@b>', 'FROM:<a@b', 'FROM:a@b', 'FROM:<a..b@c>', 'FROM:<a@-b.example>', 'FROM:<@b.example>', 'FROM:<a@b.example>X']) {
      assert.equal(code(() => parseMailFrom(bad)), 501, bad);
    }
  });

  it('RFC 1870 / RFC 6152 / RFC 6531: ESMTP parameters', () => {
    const { params } = parseMailFrom('FROM:<a@b.example> SIZE=1000 body=8BITMIME SMTPUTF8');
    assert.deepEqual([...params], [['SIZE', '1000'], ['BODY', '8BITMIME'], ['SMTPUTF8', null]]);
    assert.equal(code(() => parseParams('SIZE=1 SIZE=2')), 501);
    assert.equal(code(() => parseParams('=x')), 501);
    assert.ok(parseMailFrom('FROM:<jösé@bücher.example> SMTPUTF8').mailbox!.utf8);
  });

  it('MAIL parameters become typed MailOptions (RFC 1870, RFC 6152, RFC 6531, RFC 3461 §4.3-4.4, RFC 4954 §5)', () => {
    assert.deepEqual(parseMailCommand('FROM:<a@b.example> size=1000 BODY=8bitmime SMTPUTF8 RET=hdrs ENVID=QQ+2B1 AUTH=<>'), {
      mailbox: { localPart: 'a', domain: 'b.example', address: 'a@b.example', utf8: false },
      hasParameters: true,
      size: 1000,
      body: '8BITMIME',
      smtputf8: true,
      ret: 'HDRS',
      envid: 'QQ+1',
      auth: '<>',
    });
    const plain = parseMailCommand('FROM:<>');
    assert.equal(plain.mailbox, null);
    assert.equal(plain.hasParameters, false);
    assert.equal(plain.body, '7BIT');
    for (const bad of ['SIZE=x', 'BODY=BINARYMIME', 'SMTPUTF8=1', 'RET=PART', 'ENVID', `ENVID=${'x'.repeat(101)}`, 'AUTH']) {
      assert.equal(code(() => parseMailCommand(`FROM:<a@b.example> ${bad}`)), 501, bad);
    }
    assert.equal(code(() => parseMailCommand('FROM:<a@b.example> FOO=1')), 555);
  });

  it('RCPT parameters become typed RcptOptions (RFC 3461 §4.1-4.2)', () => {
    assert.deepEqual(parseRcptCommand('TO:<u@x.example> notify=success,delay ORCPT=rfc822;u+2B1@x.example'), {
      mailbox: { localPart: 'u', domain: 'x.example', address: 'u@x.example', utf8: false },
      notify: 'SUCCESS,DELAY',
      orcpt: 'rfc822;u+1@x.example',
    });
    assert.equal(parseRcptCommand('TO:<u@x.example>').notify, null);
    for (const bad of ['NOTIFY=NEVER,SUCCESS', 'NOTIFY', 'ORCPT=x', 'ORCPT=;u@x.example']) {
      assert.equal(code(() => parseRcptCommand(`TO:<u@x.example> ${bad}`)), 501, bad);
    }
    assert.equal(code(() => parseRcptCommand('TO:<u@x.example> SIZE=1')), 555);
  });

  it('RFC 3461 §4: xtext decoding', () => {
    assert.equal(decodeXtext('a+2Bb+3Dc'), 'a+b=c');
    assert.equal(code(() => decodeXtext('a+zz')), 501);
  });

  it('RFC 3030 §2: BDAT arguments', () => {
    assert.deepEqual(parseBdatArgs('100 LAST'), { size: 100, last: true });
    assert.deepEqual(parseBdatArgs('0'), { size: 0, last: false });
    assert.equal(code(() => parseBdatArgs('-1')), 501);
    assert.equal(code(() => parseBdatArgs('10 FIRST')), 501);
  });

  it('RFC 5321 §4.2.1: multi-line replies use "-" on all but the last line', () => {
    assert.equal(formatReply({ code: 250, enhanced: '', text: 'a\nb\nc' }), '250-a\r\n250-b\r\n250 c\r\n');
    assert.equal(formatReply({ code: 550, enhanced: '5.1.1', text: 'no' }), '550 5.1.1 no\r\n');
    assert.equal(formatReply({ code: 334, enhanced: '', text: '' }), '334 \r\n', 'RFC 4954 §4: "334 " with an empty challenge');
  });
});
