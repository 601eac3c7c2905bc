// PROXY protocol trust on the running server: a header is believed only from
// proxy_trusted_networks. From 127.0.0.1 (trusted) a header naming 203.0.113.5 makes
// the session treat the client as remote (IMAP LOGINDISABLED on plaintext); from
// 127.0.0.2 (not trusted) a header claiming 127.0.0.1 closes the connection before
// any greeting, with a warning in the log. Without the list, the server does not start.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { prepareSeptet, type SeptetProcess } from './harness.ts';

let server: SeptetProcess;
before(async () => {
  server = await prepareSeptet({ offset: 15200, toml: '[imap]\nproxy_protocol = true\nproxy_trusted_networks = ["127.0.0.1/32"]' });
  await server.start();
});
after(async () => {
  await server?.stop();
});

/** Connects from `localAddress`, sends `first`, then `then` once a line arrives; resolves with all it read until the close. */
function converse(port: number, localAddress: string, first: string, then: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ port, host: '127.0.0.1', localAddress });
    let received = '';
    let sentSecond = false;
    socket.setEncoding('latin1');
    socket.once('connect', () => socket.write(first));
    socket.on('data', (text: string) => {
      received += text;
      if (!sentSecond && received.includes('\r\n')) {
        sentSecond = true;
        socket.write(then);
      }
      if (received.includes('a2 OK')) socket.end();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve(received) : reject(error)));
    socket.on('close', () => resolve(received));
  });
}

/** The first line of the server's log matching `predicate`, waiting for it to be written. */
async function logLine(predicate: (line: string) => boolean): Promise<string> {
  for (let waited = 0; ; waited += 20) {
    const line = server.output.split('\n').find(predicate);
    if (line) return line;
    if (waited > 20_000) throw new Error(`no such line in the log:\n${server.output}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a header from a trusted balancer names the client: the session sees a remote address', async () => {
  const port = server.port('imap');
  const proxied = await converse(port, '127.0.0.1', 'PROXY TCP4 203.0.113.5 127.0.0.1 40000 143\r\n', 'a1 CAPABILITY\r\na2 LOGOUT\r\n');
  assert.match(proxied, /^\* OK/);
  assert.match(proxied, /^\* CAPABILITY .*LOGINDISABLED/m, 'plaintext login refused for the claimed remote client');
  const loopback = await converse(port, '127.0.0.1', 'PROXY TCP4 127.0.0.1 127.0.0.1 40001 143\r\n', 'a1 CAPABILITY\r\na2 LOGOUT\r\n');
  assert.match(loopback, /^\* CAPABILITY /m);
  assert.doesNotMatch(loopback, /LOGINDISABLED/);
});

test('a peer outside proxy_trusted_networks claiming 127.0.0.1 is closed without a greeting and logged', async () => {
  const spoofed = await converse(server.port('imap'), '127.0.0.2', 'PROXY TCP4 127.0.0.1 127.0.0.1 40002 143\r\n', 'a1 LOGIN user pass\r\n');
  assert.equal(spoofed, '');
  // The log line may reach us just after the close: wait for it.
  const warning = await logLine((line) => line.includes('outside proxy_trusted_networks'));
  const entry = JSON.parse(warning) as { level: number; remote: string; service: string };
  assert.deepEqual([entry.level, entry.remote, entry.service], [40, '127.0.0.2', 'imap']);
});

test('proxy_protocol without proxy_trusted_networks: septet refuses to start, naming the key', async () => {
  const bad = await prepareSeptet({ offset: 15300, toml: '[pop3s]\nproxy_protocol = true' });
  const result = await bad.cli(['start', '--port-offset', '15300', '--listen', '127.0.0.1']);
  assert.equal(result.code, 78, result.stderr);
  assert.match(result.stderr, /pop3s\.proxy_trusted_networks: required when pop3s\.proxy_protocol is on/);
});
