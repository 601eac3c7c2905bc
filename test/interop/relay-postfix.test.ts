// Relay interop with Debian's Postfix (the issue's "delivery to Postfix as the remote,
// and from Postfix to Septet"). One private Postfix instance (its own config directory,
// queue directory and maillog under a temp folder; started and stopped by its master's
// PID) is the MX of p.test on 127.0.0.4, at the port Septet's relay uses for remote MX
// hosts. Septet's a.test on 127.0.0.2 relays to it through dnsmasq's MX record and Postfix
// delivers into a Maildir (virtual(8)); in the other direction Postfix takes mail from
// smtplib and hands it to Septet's b.test on 127.0.0.3 through a transport map, and bob
// reads it with poplib. Postfix writes its errors only to its maillog, so failures quote it.

import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, writeFile, readFile, readdir, chmod, chown } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { popAll, postfixMasterCf, prepareSeptet, relayTestToml, removeDir, submitMail, waitFor, type SeptetProcess } from './harness.ts';
import { startDnsmasq } from './dnsmasq.ts';

const execFileP = promisify(execFile);
const OFFSET = 29200;
const DNS_PORT = 29253;
const SMTP_PORT = 25 + OFFSET;
const A_ADDR = '127.0.0.2';
const B_ADDR = '127.0.0.3';
const P_ADDR = '127.0.0.4';
const POSTFIX = '/usr/sbin/postfix';

let dns: ChildProcess;
let a: SeptetProcess;
let b: SeptetProcess;
let postfix: PostfixInstance;

/** A private Postfix: config in DIR/etc, queue in DIR/queue, log in DIR/maillog, mail in DIR/vmail. */
class PostfixInstance {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }
  get etc(): string {
    return join(this.dir, 'etc');
  }
  get maildir(): string {
    return join(this.dir, 'vmail', 'p.test', 'paul');
  }
  async maillog(): Promise<string> {
    return readFile(join(this.dir, 'maillog'), 'utf8').catch(() => '(no maillog)');
  }
  async masterPid(): Promise<number | null> {
    const text = await readFile(join(this.dir, 'queue', 'pid', 'master.pid'), 'utf8').catch(() => '');
    const pid = Number.parseInt(text.trim(), 10);
    return Number.isFinite(pid) && pid > 0 ? pid : null;
  }

  async start(): Promise<void> {
    const { uid, gid } = await postfixIds();
    await mkdir(this.etc, { recursive: true });
    await mkdir(join(this.dir, 'queue'), { recursive: true });
    await mkdir(join(this.dir, 'data'), { recursive: true });
    await mkdir(join(this.dir, 'vmail'), { recursive: true });
    // Postfix's daemons (user postfix) must reach the queue; virtual(8) writes as postfix.
    await chmod(this.dir, 0o755);
    await chown(join(this.dir, 'data'), uid, gid);
    await chown(join(this.dir, 'vmail'), uid, gid);
    await writeFile(join(this.etc, 'main.cf'), mainCf(this.dir, uid, gid));
    await writeFile(join(this.etc, 'master.cf'), await postfixMasterCf(P_ADDR, SMTP_PORT));
    await execFileP(POSTFIX, ['-c', this.etc, 'set-permissions']).catch(() => undefined);
    try {
      await execFileP(POSTFIX, ['-c', this.etc, 'start'], { timeout: 30_000 });
    } catch (error) {
      const e = error as { message: string; stderr?: string };
      throw new Error(`postfix did not start: ${e.message}\n${e.stderr ?? ""}\n${await this.maillog()}`);
    }
    await waitFor('postfix master.pid', async () => this.masterPid(), 15_000);
    await waitFor('postfix listening', async () => (await canConnect(P_ADDR, SMTP_PORT)) || null, 15_000);
  }

  /** SIGTERM to the master by PID (it stops its children), then wait for it to go. */
  async stop(): Promise<void> {
    const pid = await this.masterPid();
    if (pid === null) return;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await sleep(100);
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }

  /** The files Postfix's virtual(8) delivered to paul@p.test's Maildir (new/). */
  async delivered(): Promise<string[]> {
    const dir = join(this.maildir, 'new');
    const names = await readdir(dir).catch(() => [] as string[]);
    return Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')));
  }
}

function mainCf(dir: string, uid: number, gid: number): string {
  return `compatibility_level = 3.6
myhostname = mx.p.test
mydomain = p.test
myorigin = $myhostname
mydestination =
# 127.0.0.4 is not on an interface of its own (lo has 127.0.0.1/8), so Postfix
# cannot take it here; master.cf binds the listener to it explicitly.
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions =
# p.test is delivered here, into a Maildir per user (trailing slash = Maildir).
virtual_mailbox_domains = p.test
virtual_mailbox_base = ${dir}/vmail
virtual_mailbox_maps = inline:{ paul@p.test=p.test/paul/ }
virtual_uid_maps = static:${uid}
virtual_gid_maps = static:${gid}
virtual_minimum_uid = 1
# Mail for b.test goes to Septet's b.test at the test port; brackets: no MX lookup,
# since Postfix's resolver cannot be pointed at the test's dnsmasq port.
transport_maps = inline:{ b.test=smtp:[${B_ADDR}]:${SMTP_PORT} }
default_transport = error:only p.test and b.test in this test
smtp_bind_address = ${P_ADDR}
smtp_dns_support_level = disabled
# A test wants the first try at once and failures at once, not in 5 minutes.
queue_run_delay = 1s
minimal_backoff_time = 2s
maximal_backoff_time = 4s
in_flow_delay = 0
queue_directory = ${dir}/queue
data_directory = ${dir}/data
maillog_file = ${dir}/maillog
maillog_file_prefixes = ${dir}
mail_owner = postfix
setgid_group = postdrop
alias_maps =
alias_database =
biff = no
smtpd_banner = $myhostname ESMTP Postfix
`;
}

async function postfixIds(): Promise<{ uid: number; gid: number }> {
  const uid = Number((await execFileP('id', ['-u', 'postfix'])).stdout.trim());
  const gid = Number((await execFileP('id', ['-g', 'postfix'])).stdout.trim());
  return { uid, gid };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function canConnect(host: string, port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolveConnect) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolveConnect(true);
    });
    socket.once('error', () => resolveConnect(false));
  });
}

function startDns(): Promise<ChildProcess> {
  return startDnsmasq(DNS_PORT, [
    '--mx-host=a.test,mx.a.test,10', `--host-record=mx.a.test,${A_ADDR}`,
    '--mx-host=b.test,mx.b.test,10', `--host-record=mx.b.test,${B_ADDR}`,
    '--mx-host=p.test,mx.p.test,10', `--host-record=mx.p.test,${P_ADDR}`,
  ]);
}

/** smtplib: submit to HOST:PORT (with AUTH when a password is given), envelope FROM -> TO. */
const sendMail = (host: string, port: number, from: string, to: string, subject: string, body: string, password = '') =>
  submitMail({ host, port, from, to, subject, body, password, messageId: `<${subject.replaceAll(' ', '-')}@interop.test>` });

/** The Received fields of the header, in order, each unfolded onto one line. */
const receivedFields = (text: string) =>
  text.replace(/\r\n/g, '\n').split('\n\n')[0]!.replace(/\n[ \t]+/g, ' ').split('\n').filter((l) => l.startsWith('Received:'));

/** The body of a message (after the first empty line), line ends normalized. */
const bodyOf = (text: string) => text.replace(/\r\n/g, '\n').split('\n\n').slice(1).join('\n\n');

// A body that exercises dot-stuffing and long-ish content in both directions.
const BODY = ['Hello across MTAs.', '.', '..leading dots survive', 'line with trailing spaces   ', ...Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(60)}`)].join('\n') + '\n';

before(async () => {
  dns = await startDns();
  postfix = new PostfixInstance(await mkdtemp(join(tmpdir(), 'septet-postfix-')));
  await postfix.start();
  a = await prepareSeptet({ offset: OFFSET, listen: A_ADDR, toml: relayTestToml({ port: SMTP_PORT, dnsPort: DNS_PORT, source: A_ADDR }) });
  b = await prepareSeptet({ offset: OFFSET, listen: B_ADDR, toml: relayTestToml({ port: SMTP_PORT, dnsPort: DNS_PORT, source: B_ADDR }) });
  await a.addUsers({ 'alice@a.test': 'alicepass' });
  await b.addUsers({ 'bob@b.test': 'bobpass' });
  await a.start();
  await b.start();
});

after(async () => {
  await a?.stop();
  await b?.stop();
  await postfix?.stop();
  dns?.kill('SIGTERM');
  if (postfix) await removeDir(postfix.dir);
});

describe('relay interop with Debian Postfix', () => {
  test('Septet (a.test) -> Postfix (MX of p.test): delivered intact into the Maildir, with Septet\'s Received field', async () => {
    assert.match(await sendMail(A_ADDR, 587 + OFFSET, 'alice@a.test', 'paul@p.test', 'to postfix', BODY, 'alicepass'), /sent/);
    const [text] = await waitFor('the message in postfix\'s Maildir', async () => {
      const files = await postfix.delivered();
      return files.length > 0 ? files : null;
    }, 60_000, () => postfix.maillog());
    assert.ok(text);
    assert.match(text, /^Subject: to postfix$/m);
    assert.match(text, /^Message-ID: <to-postfix@interop\.test>$/m);
    assert.ok(bodyOf(text) === BODY, 'the body arrives byte for byte (dot-stuffing undone by Postfix)');
    // Postfix's own Received (from Septet at 127.0.0.2) on top, Septet's below it.
    const received = receivedFields(text);
    assert.ok(received.length >= 2, `two Received fields: ${received.join(' | ')}`);
    assert.match(received[0]!, /^Received: from mx\.septet\.test .*\[127\.0\.0\.2\].* by mx\.p\.test \(Postfix\)/, 'Postfix received it from Septet at 127.0.0.2 (EHLO mx.septet.test)');
    assert.match(received[1]!, /by mx\.septet\.test/, 'Septet\'s Received field is kept below');
    const log = await postfix.maillog();
    assert.match(log, /to=<paul@p\.test>, relay=virtual, .*status=sent/);
    await waitFor('an empty Septet queue', async () => /0 messages in the queue/.test((await a.cli(['queue', 'list'])).stdout) || null, 30_000);
  });

  test('Postfix -> Septet (b.test): smtplib into Postfix, Postfix relays, bob reads it with poplib', async () => {
    assert.match(await sendMail(P_ADDR, SMTP_PORT, 'paul@p.test', 'bob@b.test', 'from postfix', BODY), /sent/);
    const text = await waitFor('the message in bob\'s maildrop', async () => (await popAll(b, 'bob@b.test', 'bobpass')).find((t) => t.includes('Subject: from postfix')), 60_000, () => postfix.maillog());
    // poplib hands back lines without their CRLF: the last line end is the join's to add.
    assert.ok(bodyOf(text) + '\n' === BODY, 'the body arrives byte for byte');
    assert.match(text, /^Message-ID: <from-postfix@interop\.test>$/m);
    // Septet's Received on top names Postfix's client (127.0.0.4, EHLO mx.p.test); Postfix's below.
    const received = receivedFields(text);
    assert.ok(received.length >= 2, `two Received fields: ${received.join(' | ')}`);
    assert.match(received[0]!, /from mx\.p\.test .*127\.0\.0\.4.* by mx\.septet\.test/);
    assert.match(received[1]!, /by mx\.p\.test \(Postfix\)/);
    const log = await postfix.maillog();
    assert.match(log, new RegExp(`to=<bob@b\\.test>, relay=${B_ADDR.replace(/\./g, '\\.')}\\[${B_ADDR.replace(/\./g, '\\.')}\\]:${SMTP_PORT}, .*status=sent \\(250`));
  });

  test('Postfix -> Septet: a recipient Septet refuses is bounced by Postfix with Septet\'s 550 in the report', async () => {
    // Postfix's bounce for paul@p.test lands in paul's Maildir with Septet's reply quoted.
    const before = (await postfix.delivered()).length;
    await sendMail(P_ADDR, SMTP_PORT, 'paul@p.test', 'nobody@b.test', 'to nobody via postfix', 'x\n');
    const bounce = await waitFor('Postfix\'s bounce', async () => {
      const files = await postfix.delivered();
      return files.length > before ? files.find((f) => f.includes('nobody@b.test') && f.includes('delivery-status')) : null;
    }, 60_000, () => postfix.maillog());
    assert.match(bounce, /Content-Type: multipart\/report; report-type=delivery-status/);
    assert.match(bounce, /Diagnostic-Code: smtp; 550 5\.1\.1/);
    assert.match(bounce, /Remote-MTA: dns; 127\.0\.0\.3/);
  });
});
