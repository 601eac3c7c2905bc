import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect, type Socket } from 'node:net';
import { duplexPair } from 'node:stream';
import { connect as tlsConnect, createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import { generateSelfSigned } from '../tls/self-signed.ts';
import { NetworkList } from './address.ts';
import type { Connection } from './connection.ts';
import { ConnectionLimits } from './limits.ts';
import { ListenError, ListenerGroup, type ConnectionHandler, type ListenerSpec } from './listener.ts';
import { ByteClient } from '../testing/byte-client.ts';
import { capturingLogger, eventually, fixedTlsProvider } from './testing.ts';

let context: SecureContext;
before(async () => {
  const pair = await generateSelfSigned('listener.test');
  context = createSecureContext({ cert: pair.certPem, key: pair.keyPem, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
});

const groups: ListenerGroup[] = [];
after(async () => {
  await Promise.all(groups.map((g) => g.close(0)));
});

function makeGroup(limits = { maxConnections: 100, maxPerIp: 100 }, extra: { tlsHandshakeTimeoutMs?: number; proxyHeaderTimeoutMs?: number; isBanned?: (address: string) => boolean | Promise<boolean> } = {}) {
  const captured = capturingLogger();
  const group = new ListenerGroup({ log: captured.log, tls: fixedTlsProvider(context), limits: new ConnectionLimits(limits), ...extra });
  groups.push(group);
  return { group, entries: captured.entries };
}

function spec(over: Partial<ListenerSpec> = {}): ListenerSpec {
  return { name: 'test', addresses: ['127.0.0.1'], port: 0, implicitTls: false, proxyProtocol: false, proxyTrusted: new NetworkList(['127.0.0.1/32']), ...over };
}

/** Greets with who it sees, echoes lines until QUIT or the end; STARTTLS upgrades. */
function echoHandler(seen: string[] = [], connections: Connection[] = []): ConnectionHandler {
  return {
    async handle(conn) {
      connections.push(conn);
      conn.write(`hello ${conn.remoteAddress} ${conn.remotePort} ${conn.localAddress} ${conn.localPort} ${conn.tls?.protocol ?? 'plain'}\r\n`);
      for (;;) {
        const line = await conn.reader.readLine(1000);
        if (line === null) return;
        const text = line.toString('latin1');
        seen.push(text);
        if (text === 'QUIT') {
          conn.write('bye\r\n');
          conn.close();
          return;
        }
        if (text === 'STARTTLS') {
          conn.write('go ahead\r\n');
          await conn.startTls(fixedTlsProvider(context));
          continue;
        }
        conn.write(`echo: ${text}\r\n`);
      }
    },
    refusal: (reason) => `-ERR refused ${reason}\r\n`,
  };
}

function tlsClient(options: { port: number; socket?: Socket; minVersion?: 'TLSv1.1' | 'TLSv1.2'; maxVersion?: 'TLSv1.1' | 'TLSv1.3'; ciphers?: string }): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', rejectUnauthorized: false, ...options });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
  });
}

test('plain listener on port 0: greets with the peer address and echoes', async () => {
  const { group, entries } = makeGroup();
  const [bound] = await group.listen(spec(), echoHandler());
  assert.ok(bound && bound.port > 0);
  assert.equal(bound.address, '127.0.0.1');
  const client = await ByteClient.connect(bound.port);
  const hello = await client.lineOrEnd();
  assert.match(hello ?? '', new RegExp(`^hello 127\\.0\\.0\\.1 ${client.socket.localPort} 127\\.0\\.0\\.1 ${bound.port} plain$`));
  client.write('one\r\ntwo\r\nQUIT\r\n');
  assert.equal(await client.lineOrEnd(), 'echo: one');
  assert.equal(await client.lineOrEnd(), 'echo: two');
  assert.equal(await client.lineOrEnd(), 'bye');
  assert.equal(await client.lineOrEnd(), null);
  await eventually(() => group.activeConnections() === 0, 3000, 'connection gone');
  const connected = entries.find((e) => e.msg === 'connected');
  assert.equal(connected?.remote, '127.0.0.1');
  assert.equal(typeof connected?.cid, 'string');
  await eventually(() => entries.some((e) => e.msg === 'disconnected' && e.cid === connected?.cid), 3000, 'disconnect log');
});

test('addresses [] binds all addresses (dual-stack or IPv4) and IPv4 clients look like IPv4', async () => {
  const { group } = makeGroup();
  const bound = await group.listen(spec({ addresses: [] }), echoHandler());
  assert.equal(bound.length, 1);
  assert.ok(bound[0]!.address === '::' || bound[0]!.address === '0.0.0.0');
  const client = await ByteClient.connect(bound[0]!.port, '127.0.0.1');
  assert.match((await client.lineOrEnd()) ?? '', /^hello 127\.0\.0\.1 /);
  client.destroy();
});

test('a port already in use is a ListenError naming the service', async () => {
  const { group } = makeGroup();
  const [bound] = await group.listen(spec({ name: 'first' }), echoHandler());
  await assert.rejects(group.listen(spec({ name: 'second', port: bound!.port }), echoHandler()), (error: unknown) => {
    assert.ok(error instanceof ListenError);
    assert.equal(error.code, 'EADDRINUSE');
    assert.match(error.message, /^second: /);
    return true;
  });
});

test('implicit TLS: TLS 1.2 or 1.3 negotiated before the greeting; TLS 1.1 is refused', async () => {
  const { group } = makeGroup();
  const [bound] = await group.listen(spec({ implicitTls: true }), echoHandler());
  const secure = await tlsClient({ port: bound!.port });
  assert.ok(['TLSv1.2', 'TLSv1.3'].includes(secure.getProtocol() ?? ''), String(secure.getProtocol()));
  const client = new ByteClient(secure);
  assert.match((await client.lineOrEnd()) ?? '', /^hello 127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+ TLSv1\.[23]$/);
  client.write('over tls\r\n');
  assert.equal(await client.lineOrEnd(), 'echo: over tls');
  client.destroy();

  const forced12 = await tlsClient({ port: bound!.port, maxVersion: 'TLSv1.3', minVersion: 'TLSv1.2' });
  forced12.destroy();
  // The client's security level is lowered so that it offers TLS 1.1: the refusal must be the server's.
  await assert.rejects(tlsClient({ port: bound!.port, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }), /alert protocol version/);
  await eventually(() => group.activeConnections() === 0, 3000, 'failed handshakes cleaned up');
});

test('implicit TLS: garbage instead of a ClientHello closes the connection, the server goes on', async () => {
  const { group, entries } = makeGroup();
  const [bound] = await group.listen(spec({ implicitTls: true }), echoHandler());
  const client = await ByteClient.connect(bound!.port);
  client.write('EHLO i am not tls\r\n\r\n');
  await client.readToEnd();
  await eventually(() => entries.some((e) => e.msg === 'implicit TLS handshake failed; closing'), 3000, 'log line');
  const secure = await tlsClient({ port: bound!.port });
  assert.match((await new ByteClient(secure).lineOrEnd()) ?? '', /^hello /);
  secure.destroy();
});

test('implicit TLS: a handshake that never comes times out', async () => {
  const { group } = makeGroup(undefined, { tlsHandshakeTimeoutMs: 100 });
  const [bound] = await group.listen(spec({ implicitTls: true }), echoHandler());
  const client = await ByteClient.connect(bound!.port);
  assert.equal(await client.readToEnd(2000), '');
  await eventually(() => group.activeConnections() === 0, 3000, 'cleanup');
});

test('STARTTLS: input pipelined after the command is discarded, not run after the upgrade (RFC 3207 §4.2)', async () => {
  const { group } = makeGroup();
  const seen: string[] = [];
  const connections: Connection[] = [];
  const [bound] = await group.listen(spec(), echoHandler(seen, connections));
  const client = await ByteClient.connect(bound!.port);
  assert.match((await client.lineOrEnd()) ?? '', /plain$/);
  client.write('STARTTLS\r\nINJECTED\r\n');
  assert.equal(await client.lineOrEnd(), 'go ahead');
  client.socket.removeAllListeners('data');
  const secure = await tlsClient({ port: bound!.port, socket: client.socket });
  const tlsClientLines = new ByteClient(secure);
  tlsClientLines.write('AFTER\r\n');
  assert.equal(await tlsClientLines.lineOrEnd(), 'echo: AFTER');
  assert.deepEqual(seen, ['STARTTLS', 'AFTER']);
  assert.equal(connections[0]?.secure, true);
  assert.ok(['TLSv1.2', 'TLSv1.3'].includes(connections[0]?.tls?.protocol ?? ''));
  secure.destroy();
});

test('STARTTLS: a client that sends garbage instead of a handshake is closed and cleaned up', async () => {
  const { group } = makeGroup();
  const [bound] = await group.listen(spec(), echoHandler());
  const client = await ByteClient.connect(bound!.port);
  await client.lineOrEnd();
  client.write('STARTTLS\r\n');
  assert.equal(await client.lineOrEnd(), 'go ahead');
  client.write('this is not a ClientHello\r\n\r\n');
  await client.readToEnd();
  await eventually(() => group.activeConnections() === 0, 3000, 'cleanup after a failed upgrade');
});

test('PROXY v1: the header names the client, and data in the same packet is kept', async () => {
  const { group } = makeGroup();
  const seen: string[] = [];
  const [bound] = await group.listen(spec({ proxyProtocol: true }), echoHandler(seen));
  const v4 = await ByteClient.connect(bound!.port);
  v4.write('PROXY TCP4 203.0.113.7 192.0.2.1 51234 25\r\nFIRST\r\n');
  assert.equal(await v4.lineOrEnd(), 'hello 203.0.113.7 51234 192.0.2.1 25 plain');
  assert.equal(await v4.lineOrEnd(), 'echo: FIRST');
  v4.destroy();

  const v6 = await ByteClient.connect(bound!.port);
  v6.write('PROXY TCP6 2001:DB8:0:0::1 2001:db8::2 40000 587\r\n');
  assert.equal(await v6.lineOrEnd(), 'hello 2001:db8::1 40000 2001:db8::2 587 plain');
  v6.destroy();

  const unknown = await ByteClient.connect(bound!.port);
  unknown.write('PROXY UNKNOWN\r\n');
  assert.match((await unknown.lineOrEnd()) ?? '', /^hello 127\.0\.0\.1 /);
  unknown.destroy();
});

function proxyV2(command: 'LOCAL' | 'PROXY', source: [number, number, number, number], port: number, tlv = Buffer.alloc(0)): Buffer {
  const signature = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
  const addresses = Buffer.alloc(12);
  Buffer.from(source).copy(addresses, 0);
  Buffer.from([198, 51, 100, 1]).copy(addresses, 4);
  addresses.writeUInt16BE(port, 8);
  addresses.writeUInt16BE(110, 10);
  const fixed = Buffer.from([command === 'LOCAL' ? 0x20 : 0x21, 0x11, 0, 0]);
  fixed.writeUInt16BE(addresses.length + tlv.length, 2);
  return Buffer.concat([signature, fixed, addresses, tlv]);
}

test('PROXY v2: IPv4 with a TLV sets the address; LOCAL keeps the socket address', async () => {
  const { group } = makeGroup();
  const [bound] = await group.listen(spec({ proxyProtocol: true }), echoHandler());
  const client = await ByteClient.connect(bound!.port);
  // A TLV of type 0x05 (unique id): skipped.
  client.write(Buffer.concat([proxyV2('PROXY', [192, 0, 2, 99], 1234, Buffer.from([0x05, 0x00, 0x03, 1, 2, 3])), Buffer.from('HI\r\n')]));
  assert.equal(await client.lineOrEnd(), 'hello 192.0.2.99 1234 198.51.100.1 110 plain');
  assert.equal(await client.lineOrEnd(), 'echo: HI');
  client.destroy();

  const local = await ByteClient.connect(bound!.port);
  local.write(proxyV2('LOCAL', [10, 9, 8, 7], 1));
  assert.match((await local.lineOrEnd()) ?? '', new RegExp(`^hello 127\\.0\\.0\\.1 ${local.socket.localPort} `));
  local.destroy();
});

test('PROXY: a missing or bad header closes the connection without a word; a slow one times out', async () => {
  const { group, entries } = makeGroup(undefined, { proxyHeaderTimeoutMs: 150 });
  const [bound] = await group.listen(spec({ proxyProtocol: true }), echoHandler());
  const plain = await ByteClient.connect(bound!.port);
  plain.write('EHLO sneaky\r\n');
  assert.equal(await plain.readToEnd(), '');
  const bad = await ByteClient.connect(bound!.port);
  bad.write('PROXY TCP4 999.0.0.1 1.2.3.4 1 2\r\n');
  assert.equal(await bad.readToEnd(), '');
  const slow = await ByteClient.connect(bound!.port);
  slow.write('PROXY TCP4 ');
  assert.equal(await slow.readToEnd(), '');
  assert.equal(entries.filter((e) => e.msg === 'bad PROXY header; closing').length, 3);
});

test('PROXY: a peer outside proxy_trusted_networks is closed before its header is read; no list trusts no one', async () => {
  const { group, entries } = makeGroup();
  const [bound] = await group.listen(spec({ proxyProtocol: true }), echoHandler());
  const fromUntrusted = () =>
    new Promise<ByteClient>((resolve, reject) => {
      const socket = netConnect({ port: bound!.port, host: '127.0.0.1', localAddress: '127.0.0.2' });
      socket.once('connect', () => resolve(new ByteClient(socket)));
      socket.once('error', reject);
    });
  const spoof = await fromUntrusted();
  spoof.write('PROXY TCP4 127.0.0.1 127.0.0.1 1234 25\r\nHI\r\n');
  assert.equal(await spoof.readToEnd(), '');
  const refused = entries.filter((e) => String(e.msg).includes('outside proxy_trusted_networks'));
  assert.equal(refused.length, 1);
  assert.equal(refused[0]!.remote, '127.0.0.2');
  assert.equal(refused[0]!.level, 40); // warn

  const trusted = await ByteClient.connect(bound!.port);
  trusted.write('PROXY TCP4 203.0.113.7 192.0.2.1 51234 25\r\n');
  assert.equal(await trusted.lineOrEnd(), 'hello 203.0.113.7 51234 192.0.2.1 25 plain');
  trusted.destroy();

  const { group: bare } = makeGroup();
  const { proxyTrusted: _dropped, ...untrusting } = spec({ proxyProtocol: true });
  const [open] = await bare.listen(untrusting, echoHandler());
  const loopback = await ByteClient.connect(open!.port);
  loopback.write('PROXY TCP4 203.0.113.7 192.0.2.1 51234 25\r\n');
  assert.equal(await loopback.readToEnd(), '');
});

test('PROXY + implicit TLS: the ClientHello in the same packet as the header is not lost', async () => {
  const { group } = makeGroup();
  const [bound] = await group.listen(spec({ proxyProtocol: true, implicitTls: true }), echoHandler());
  // The TLS client runs over an in-memory pair, so its first flight can be sent glued to the header.
  const [inner, outer] = duplexPair();
  const secure = tlsConnect({ socket: inner as unknown as Socket, rejectUnauthorized: false });
  const clientHello: Buffer = await new Promise((resolve) => outer.once('data', resolve));
  const tcp = netConnect(bound!.port, '127.0.0.1');
  await new Promise((resolve) => tcp.once('connect', resolve));
  tcp.write(Buffer.concat([Buffer.from('PROXY TCP4 203.0.113.9 192.0.2.1 4444 995\r\n'), clientHello]));
  outer.pipe(tcp);
  tcp.pipe(outer);
  await new Promise((resolve, reject) => {
    secure.once('secureConnect', resolve);
    secure.once('error', reject);
  });
  const client = new ByteClient(secure);
  assert.match((await client.lineOrEnd()) ?? '', /^hello 203\.0\.113\.9 4444 192\.0\.2\.1 995 TLSv1\.[23]$/);
  secure.destroy();
  tcp.destroy();
});

test('limits: the 3rd connection from one address gets the refusal text and is closed', async () => {
  const { group } = makeGroup({ maxConnections: 10, maxPerIp: 2 });
  const [bound] = await group.listen(spec(), echoHandler());
  const first = await ByteClient.connect(bound!.port);
  const second = await ByteClient.connect(bound!.port);
  assert.match((await first.lineOrEnd()) ?? '', /^hello/);
  assert.match((await second.lineOrEnd()) ?? '', /^hello/);
  const third = await ByteClient.connect(bound!.port);
  assert.equal(await third.readToEnd(), '-ERR refused too-many-from-ip\r\n');
  first.destroy();
  await eventually(() => group.activeConnections() === 1, 3000, 'first gone');
  const fourth = await ByteClient.connect(bound!.port);
  assert.match((await fourth.lineOrEnd()) ?? '', /^hello/);
  second.destroy();
  fourth.destroy();
});

test('limits: the global maximum refuses with too-many; over TLS on an implicit-TLS port', async () => {
  const { group } = makeGroup({ maxConnections: 1, maxPerIp: 5 });
  const [bound] = await group.listen(spec({ implicitTls: true }), echoHandler());
  const first = new ByteClient(await tlsClient({ port: bound!.port }));
  assert.match((await first.lineOrEnd()) ?? '', /^hello/);
  const second = new ByteClient(await tlsClient({ port: bound!.port }));
  assert.equal(await second.readToEnd(), '-ERR refused too-many\r\n');
  first.destroy();
});

test('a banned source is refused with reason banned and a log line, before taking a slot; others are served', async () => {
  const banned = new Set(['127.0.0.1']);
  const { group, entries } = makeGroup({ maxConnections: 10, maxPerIp: 10 }, { isBanned: async (address) => banned.has(address) });
  const [bound] = await group.listen(spec(), echoHandler());
  const refused = await ByteClient.connect(bound!.port);
  assert.equal(await refused.readToEnd(), '-ERR refused banned\r\n');
  assert.ok(entries.some((e) => e.msg === 'connection refused' && e.reason === 'banned' && e.remote === '127.0.0.1' && e.active === 0));
  banned.clear();
  const served = await ByteClient.connect(bound!.port);
  assert.match((await served.lineOrEnd()) ?? '', /^hello 127\.0\.0\.1/);
  served.destroy();
});

test('a handler that throws is logged with the connection id and the socket is closed', async () => {
  const { group, entries } = makeGroup();
  const [bound] = await group.listen(spec(), {
    async handle(conn) {
      conn.write('about to fail\r\n');
      throw new Error('boom');
    },
    refusal: () => '',
  });
  const client = await ByteClient.connect(bound!.port);
  assert.equal(await client.readToEnd(), 'about to fail\r\n');
  const failure = entries.find((e) => e.msg === 'session failed');
  assert.ok(failure);
  assert.equal(typeof failure.cid, 'string');
  assert.match(JSON.stringify(failure.err), /boom/);
  await eventually(() => group.activeConnections() === 0, 3000, 'closed');
});

test('close(grace): finishing sessions complete, lingering ones are ended, and no new ones are taken', async () => {
  const { group } = makeGroup();
  let finished = 0;
  const [quick] = await group.listen(spec({ name: 'quick' }), {
    async handle(conn) {
      conn.write('working\r\n');
      await new Promise((r) => setTimeout(r, 100));
      conn.write('done\r\n');
      conn.close();
      finished++;
    },
    refusal: () => '',
  });
  const [linger] = await group.listen(spec({ name: 'linger' }), echoHandler());
  const [stubborn] = await group.listen(spec({ name: 'stubborn' }), {
    // Ignores the connection closing: close() must not wait for it forever.
    handle: () => new Promise<void>(() => {}),
    refusal: () => '',
  });
  const a = await ByteClient.connect(quick!.port);
  const b = await ByteClient.connect(linger!.port);
  const c = await ByteClient.connect(stubborn!.port);
  assert.equal(await a.lineOrEnd(), 'working');
  assert.match((await b.lineOrEnd()) ?? '', /^hello/);
  await eventually(() => group.activeConnections() === 3, 3000, 'three connections');

  const started = Date.now();
  await group.close(400);
  const took = Date.now() - started;
  assert.ok(took >= 350 && took < 4000, `close took ${took} ms`);
  assert.equal(finished, 1);
  assert.equal(await a.readToEnd(), 'done\r\n');
  assert.equal(await b.lineOrEnd(), null);
  assert.equal(await c.readToEnd(), '');
  assert.equal(group.activeConnections(), 0);
  await assert.rejects(ByteClient.connect(quick!.port), /ECONNREFUSED/);
  await assert.rejects(group.listen(spec(), echoHandler()), ListenError);
});

test('close(grace) returns at once when nothing is running', async () => {
  const { group } = makeGroup();
  await group.listen(spec(), echoHandler());
  const started = Date.now();
  await group.close(10_000);
  assert.ok(Date.now() - started < 1000);
});
