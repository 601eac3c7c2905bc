// The relay's less travelled paths, between real Septet instances with dnsmasq as DNS
// (see relay.test.ts for the shape): a smart host (STARTTLS and implicit TLS, AUTH at
// the smart host), relay.require_tls_domains against a self-signed MX, and the
// operator's `septet queue` commands against a live queue while the remote is down.
//
// Instances (ports = standard + offset): B (b.test, tls.test) on 127.0.0.3 at 29600;
// senders on 127.0.0.2 at 29610 (smart host, STARTTLS), 29620 (smart host, implicit
// TLS), 29630 (require_tls_domains) and 29650 (a wrong smart host password), all
// delivering to B's ports (offsets chosen so no port meets one of relay.test.ts's or
// relay-postfix.test.ts's on the same address, so the files can run side by side); for the queue
// commands a pair of their own at 29700 (A on 127.0.0.2, Q on 127.0.0.3 for q.test),
// so that Q can be down while the other tests run.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { findMessage, popAll, prepareSeptet, python, relayTestToml, submitMail, waitFor, type SeptetProcess } from './harness.ts';
import { startDnsmasq } from './dnsmasq.ts';

const B_OFFSET = 29600;
const Q_OFFSET = 29700;
const DNS_PORT = 29653;
const A_ADDR = '127.0.0.2';
const B_ADDR = '127.0.0.3';

let dns: ChildProcess;
const started: SeptetProcess[] = [];

function startDns(): Promise<ChildProcess> {
  return startDnsmasq(DNS_PORT, [
    // Authoritative for .test: b.test and elsewhere.test have no records at all (NXDOMAIN),
    // so mail for them can only arrive through the smart host.
    '--mx-host=tls.test,mx.tls.test,10', `--host-record=mx.tls.test,${B_ADDR}`,
    '--mx-host=q.test,mx.q.test,10', `--host-record=mx.q.test,${B_ADDR}`,
  ]);
}

/** A sending instance on 127.0.0.2 with alice@a.test; `relay` is extra [relay] keys. */
async function sender(offset: number, remotePort: number, relay: string[], schedule = ['retry_schedule = ["2s"]']): Promise<SeptetProcess> {
  const toml = relayTestToml({ port: remotePort, dnsPort: DNS_PORT, source: A_ADDR, schedule, maxAge: '10m', extra: relay });
  const server = await prepareSeptet({ offset, listen: A_ADDR, toml });
  await server.addUsers({ 'alice@a.test': 'alicepass' });
  return server;
}

async function start(server: SeptetProcess): Promise<void> {
  await server.start();
  if (!started.includes(server)) started.push(server);
}

const sendMail = (server: SeptetProcess, to: string, subject: string) =>
  submitMail({ host: A_ADDR, port: server.port('submission'), from: 'alice@a.test', password: 'alicepass', to, subject, body: 'Hello from a.test\n' });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The first (topmost, newest) Received field, unfolded. */
const firstReceived = (text: string) => /^Received: (.*(?:\r\n[ \t].*)*)/m.exec(text)?.[1]?.replace(/\r\n[ \t]+/g, ' ') ?? '';

/** The queue id of the entry for `recipient` in `queue list`, or null. */
async function queueIdFor(server: SeptetProcess, recipient: string): Promise<string | null> {
  const list = await server.cli(['queue', 'list']);
  const line = list.stdout.split('\n').find((l) => l.includes(recipient));
  return line ? line.split('\t')[0]! : null;
}

/** `queue show ID` parsed into the fields the tests look at. */
async function showEntry(server: SeptetProcess, id: string): Promise<{ text: string; state: string; attempts: number; history: number }> {
  const shown = await server.cli(['queue', 'show', id]);
  assert.equal(shown.code, 0, `queue show ${id}: ${shown.stderr}`);
  const text = shown.stdout;
  return {
    text,
    state: /^state:\s+(\S+)/m.exec(text)?.[1] ?? '',
    attempts: Number(/^attempts:\s+(\d+)/m.exec(text)?.[1] ?? NaN),
    history: Number(/^history \((\d+) attempts?\)/m.exec(text)?.[1] ?? NaN),
  };
}

let b: SeptetProcess;

before(async () => {
  dns = await startDns();
  b = await prepareSeptet({ offset: B_OFFSET, listen: B_ADDR, toml: ['[dns]', `servers = ["127.0.0.1:${DNS_PORT}"]`].join('\n') });
  // The account A's relay logs in with at its smart host: as at a provider, it must own the
  // sender address (B refuses other senders, 553 5.7.1), so it is alice's own address.
  await b.addUsers({ 'alice@a.test': 'relaypass', 'carol@b.test': 'carolpass', 'dave@tls.test': 'davepass' });
  await start(b);
});

after(async () => {
  for (const server of started) await server.stop();
  dns?.kill('SIGTERM');
});

describe('relay through a smart host (AUTH over TLS)', () => {
  const smartHost = (port: number, tls: string) => [
    `smart_host = "${B_ADDR}:${port}"`,
    `smart_host_tls = "${tls}"`,
    'smart_host_user = "alice@a.test"',
    'smart_host_password = "relaypass"',
  ];

  test('STARTTLS on the submission port: b.test has no DNS at all, yet the message arrives via B, ESMTPSA', async () => {
    const a = await sender(29610, 25 + B_OFFSET, smartHost(b.port('submission'), 'starttls'));
    await start(a);
    assert.match(await sendMail(a, 'carol@b.test', 'via smart host starttls'), /sent/);
    const text = await waitFor('the message at b.test', async () => findMessage(await popAll(b, 'carol@b.test', 'carolpass'), 'via smart host starttls')).catch((e) => {
      throw new Error(`${e.message}\nA's log:\n${a.output}`);
    });
    const received = firstReceived(text);
    // B's trace field: from A's address, authenticated over TLS (RFC 3848 ESMTPSA).
    assert.match(received, /127\.0\.0\.2/);
    assert.match(received, /with ESMTPSA\b/);
    await waitFor('an empty queue at A', async () => /^0 messages in the queue/m.test((await a.cli(['queue', 'list'])).stdout));
    await a.stop();
  });

  test('implicit TLS on the submissions port (465)', async () => {
    const a = await sender(29620, 25 + B_OFFSET, smartHost(b.port('submissions'), 'implicit'));
    await start(a);
    assert.match(await sendMail(a, 'carol@b.test', 'via smart host implicit'), /sent/);
    const text = await waitFor('the message at b.test', async () => findMessage(await popAll(b, 'carol@b.test', 'carolpass'), 'via smart host implicit'));
    assert.match(firstReceived(text), /with ESMTPSA\b/);
    await waitFor('an empty queue at A', async () => /^0 messages in the queue/m.test((await a.cli(['queue', 'list'])).stdout));
    await a.stop();
  });

  test('a wrong smart host password: the message stays queued with the AUTH reply, not sent by MX', async () => {
    const a = await sender(29650, 25 + B_OFFSET, [...smartHost(b.port('submission'), 'starttls').slice(0, 3), 'smart_host_password = "wrong"'], ['retry_schedule = ["1m"]']);
    await start(a);
    await sendMail(a, 'carol@b.test', 'bad smart host password');
    const id = await waitFor('a deferred entry', async () => {
      const id = await queueIdFor(a, 'carol@b.test');
      return id && (await showEntry(a, id)).history >= 1 ? id : null;
    });
    const entry = await showEntry(a, id);
    assert.equal(entry.state, 'deferred');
    assert.match(entry.text, /carol@b\.test> deferred: 127\.0\.0\.3\[127\.0\.0\.3\]: 535 5\.7\.8/);
    await a.stop();
  });
});

describe('relay.require_tls_domains', () => {
  test('the MX has a self-signed certificate: not delivered, deferred with the certificate error', async () => {
    const a = await sender(29630, 25 + B_OFFSET, ['require_tls_domains = ["tls.test"]'], ['retry_schedule = ["1m"]']);
    await start(a);
    await sendMail(a, 'dave@tls.test', 'must be tls');
    const id = await waitFor('an attempt on the queue entry', async () => {
      const id = await queueIdFor(a, 'dave@tls.test');
      return id && (await showEntry(a, id)).history >= 1 ? id : null;
    });
    const entry = await showEntry(a, id);
    // A temporary failure (RFC 3463 4.7.5, as Postfix defers): the certificate may be fixed.
    assert.equal(entry.state, 'deferred');
    assert.match(entry.text, /dave@tls\.test> deferred: mx\.tls\.test\[127\.0\.0\.3\]: 4\.7\.5 TLS: .*(certificate|self[- ]signed)/i);
    assert.match(entry.text, /^last error: .*mx\.tls\.test\[127\.0\.0\.3\]/m);
    assert.equal(findMessage(await popAll(b, 'dave@tls.test', 'davepass'), 'must be tls'), undefined, 'nothing reached B');
    await a.stop();
  });
});

describe('septet queue: list, hold, release, retry, delete on a live queue', () => {
  test('with q.test down, then back', async () => {
    // First retry after 5 s, then every 60 s: a retry within seconds is the operator's doing.
    const a = await sender(Q_OFFSET, 25 + Q_OFFSET, [], ['retry_schedule = ["5s", "60s"]']);
    const q = await prepareSeptet({ offset: Q_OFFSET, listen: B_ADDR });
    await q.addUsers({ 'bob@q.test': 'bobpass' });
    await start(a);

    await sendMail(a, 'bob@q.test', 'queued while down');
    const id = await waitFor('the first failed attempt', async () => {
      const id = await queueIdFor(a, 'bob@q.test');
      return id && (await showEntry(a, id)).attempts >= 1 ? id : null;
    });
    const list = (await a.cli(['queue', 'list'])).stdout;
    // tries 1, or 2 if the 5-second retry already came round on a busy machine.
    assert.match(list, new RegExp(`^${id}\\tdeferred\\t.*tries [12]\\t<alice@a\\.test>\\tbob@q\\.test`, 'm'));
    assert.match(list, /^1 message in the queue/m);

    // hold: the worker leaves it alone past its 5-second retry.
    const held = await a.cli(['queue', 'hold', id]);
    assert.equal(held.code, 0, held.stderr);
    const atHold = await showEntry(a, id);
    assert.equal(atHold.state, 'held');
    await sleep(8000);
    let entry = await showEntry(a, id);
    assert.equal(entry.state, 'held');
    assert.equal(entry.attempts, atHold.attempts, 'no attempt while held');

    // release: tried again at once (the 5-second wait is long over).
    assert.equal((await a.cli(['queue', 'release', id])).code, 0);
    entry = await waitFor('the attempt after release', async () => {
      const e = await showEntry(a, id);
      return e.attempts >= atHold.attempts + 1 && e.state === 'deferred' ? e : null;
    });
    assert.equal(entry.attempts, atHold.attempts + 1);

    // retry: at once, though the schedule now says 60 s and q.test is known to be down.
    assert.equal((await a.cli(['queue', 'retry', id])).code, 0);
    entry = await waitFor('the attempt after retry', async () => {
      const e = await showEntry(a, id);
      return e.attempts >= atHold.attempts + 2 && e.state === 'deferred' ? e : null;
    }, 15_000);
    assert.equal(entry.history, atHold.attempts + 2);
    assert.match(entry.text, /bob@q\.test> deferred: .*mx\.q\.test\[127\.0\.0\.3\].*(ECONNREFUSED|refused|connect)/);

    // A second message, for the same down destination, deleted by the operator.
    await sendMail(a, 'bob@q.test', 'to be deleted');
    const second = await waitFor('the second entry', async () => {
      const lines = (await a.cli(['queue', 'list'])).stdout.split('\n').filter((l) => l.includes('bob@q.test'));
      return lines.length === 2 ? lines.map((l) => l.split('\t')[0]!).find((x) => x !== id) : null;
    });
    const deleted = await a.cli(['queue', 'delete', second]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /deleted/);
    const gone = await a.cli(['queue', 'show', second]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /no queue entry/);
    assert.match((await a.cli(['queue', 'list'])).stdout, /^1 message in the queue/m);

    // q.test comes back; the operator's retry delivers at once.
    await start(q);
    assert.equal((await a.cli(['queue', 'retry', id])).code, 0);
    const text = await waitFor('the message at q.test', async () => findMessage(await popAll(q, 'bob@q.test', 'bobpass'), 'queued while down'), 15_000);
    assert.match(text, /Hello from a\.test/);
    await waitFor('an empty queue', async () => /^0 messages in the queue/m.test((await a.cli(['queue', 'list'])).stdout), 10_000);
    assert.equal(findMessage(await popAll(q, 'bob@q.test', 'bobpass'), 'to be deleted'), undefined, 'the deleted message never left');
    await q.stop();
    await a.stop();
  });
});
