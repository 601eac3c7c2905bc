import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, Socket, type AddressInfo } from 'node:net';
import { TYPE_OF_SERVICE, getTypeOfService, setTypeOfService } from './tos.ts';
import { capturingLogger } from './testing.ts';

test('RFC 1349 values: low delay 0x10, throughput 0x08', () => {
  assert.equal(TYPE_OF_SERVICE.lowdelay, 0x10);
  assert.equal(TYPE_OF_SERVICE.throughput, 0x08);
});

test('sets and reads back the TOS of a connected socket (server side, as the FTP server does)', async () => {
  const seen: Array<number | null> = [];
  const server = createServer((socket) => {
    assert.equal(setTypeOfService(socket, 'lowdelay'), true);
    seen.push(getTypeOfService(socket));
    assert.equal(setTypeOfService(socket, 'throughput'), true);
    seen.push(getTypeOfService(socket));
    socket.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  client.resume();
  await new Promise((resolve) => client.once('close', resolve));
  await new Promise((resolve) => server.close(resolve));
  assert.deepEqual(seen, [0x10, 0x08]);
});

test('a socket without TOS support: false, one log line for the whole process', () => {
  const { log, entries } = capturingLogger();
  const legacy = new Socket() as Socket & { setTypeOfService?: unknown };
  Object.defineProperty(legacy, 'setTypeOfService', { value: undefined });
  assert.equal(setTypeOfService(legacy, 'lowdelay', log), false);
  assert.equal(setTypeOfService(legacy, 'throughput', log), false);
  const failing = new Socket();
  Object.defineProperty(failing, 'setTypeOfService', {
    value: () => {
      throw new Error('ENOTSUP');
    },
  });
  assert.equal(setTypeOfService(failing, 'lowdelay', log), false);
  assert.equal(entries.length, 1);
  assert.match(String(entries[0]?.msg), /not supported/);
  legacy.destroy();
  failing.destroy();
});
