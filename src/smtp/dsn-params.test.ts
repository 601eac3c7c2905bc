// RFC 3461: DSN is advertised; NOTIFY/ORCPT on RCPT and RET/ENVID on MAIL are
// checked and kept with the queue entry, where the relay honours and passes them on.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { SmtpFixture } from './test-support.ts';

let fixture: SmtpFixture | null = null;
afterEach(async () => {
  await fixture?.stop();
  fixture = null;
});

describe('SMTP DSN parameters (RFC 3461)', () => {
  it('§4: NOTIFY, ORCPT, RET and ENVID are kept with each queued recipient', async () => {
    fixture = await SmtpFixture.start({ config: { smtp: { trusted_networks: ['127.0.0.0/8'] } } });
    const c = await fixture.connect();
    await c.command('EHLO x.example', 250, 'DSN');
    await c.command('MAIL FROM:<alice@example.test> RET=HDRS ENVID=QQ+2B314', 250);
    await c.command('RCPT TO:<far@remote.test> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;Far+2Bx@remote.test', 250);
    await c.command('RCPT TO:<quiet@remote.test> NOTIFY=NEVER', 250);
    await c.command('DATA', 354);
    await c.command('Subject: dsn\r\n\r\nbody\r\n.', 250);
    const [entry] = await fixture.store.queue.list();
    assert.equal(entry?.envid, 'QQ+314');
    assert.equal(entry?.ret, 'HDRS');
    assert.deepEqual(entry?.recipients.map((r) => [r.address, r.notify, r.orcpt]), [
      ['far@remote.test', 'SUCCESS,DELAY', 'rfc822;Far+x@remote.test'],
      ['quiet@remote.test', 'NEVER', null],
    ]);
  });

  it('bad DSN values are 501; unknown RCPT parameters 555', async () => {
    fixture = await SmtpFixture.start();
    const c = await fixture.connect();
    await c.command('EHLO x.example', 250);
    await c.command('MAIL FROM:<a@b.example> RET=PART', 501);
    await c.command('MAIL FROM:<a@b.example> RET=FULL', 250);
    await c.command('RCPT TO:<bob@example.test> NOTIFY=NEVER,SUCCESS', 501);
    await c.command('RCPT TO:<bob@example.test> ORCPT=nosemicolon', 501);
    await c.command('RCPT TO:<bob@example.test> FOO=1', 555);
    await c.command('RCPT TO:<bob@example.test> NOTIFY=FAILURE', 250);
  });
});
