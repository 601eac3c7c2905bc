// The client's control connection reads replies as octets through the ByteReader,
// one bounded line at a time: replies split anywhere (also inside a UTF-8 sequence)
// arrive whole, and a server that sends an endless line cannot make it buffer
// without limit.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { ControlConnection } from './connection.ts';
import { FtpProtocolError } from './replies.ts';

const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

/** A fake server on loopback that runs `script` on its one connection. */
async function fakeServer(script: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    script(socket);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

const open = (port: number, maxReplyLine?: number) =>
  ControlConnection.open({ host: '127.0.0.1', port, implicitTls: false, tls: { rejectUnauthorized: false }, ...(maxReplyLine ? { maxReplyLine } : {}) });

describe('client control connection', () => {
  it('reassembles replies sent one octet at a time, UTF-8 split across writes', async () => {
    const text = Buffer.from('220-Grüße\r\n 日本\r\n220 ready\r\n257 "/ü" created\r\n');
    const port = await fakeServer((socket) => {
      let i = 0;
      const step = () => {
        if (i < text.length) socket.write(text.subarray(i, ++i), step);
      };
      step();
    });
    const control = await open(port);
    try {
      assert.deepEqual(await control.reply(), { code: 220, message: 'Grüße\n日本\nready' });
      assert.deepEqual(await control.reply(), { code: 257, message: '"/ü" created' });
    } finally {
      control.close();
    }
  });

  it('gives up with FtpProtocolError on a reply line longer than the limit', async () => {
    const port = await fakeServer((socket) => socket.write(`220 ${'A'.repeat(4096)}\r\n220 never read\r\n`));
    const control = await open(port, 1024);
    const closed = once(control.socket, 'close');
    await assert.rejects(control.reply(), FtpProtocolError);
    await closed;
  });

  it('a line that never ends: the reply timeout ends the connection', async () => {
    const port = await fakeServer((socket) => {
      socket.write('220 ');
      socket.write(Buffer.alloc(1 << 20, 0x41));
    });
    const control = await ControlConnection.open({ host: '127.0.0.1', port, implicitTls: false, tls: { rejectUnauthorized: false }, maxReplyLine: 1024, timeoutMs: 200 });
    const closed = once(control.socket, 'close');
    await assert.rejects(control.reply(), /timed out waiting for a reply/);
    await closed;
  });

  it('reports a server that closes before replying', async () => {
    const port = await fakeServer((socket) => socket.end('220 hello\r\n'));
    const control = await open(port);
    assert.equal((await control.reply()).code, 220);
    await assert.rejects(control.reply(), /closed the control connection/);
    control.close();
  });

  it('sends commands with CRLF and refuses a command with a line break in it', async () => {
    const received: string[] = [];
    const port = await fakeServer((socket) => {
      socket.write('220 hi\r\n');
      socket.setEncoding('utf8');
      socket.on('data', (t: string) => {
        received.push(t);
        socket.write('200 ok\r\n');
      });
    });
    const control = await open(port);
    try {
      await control.reply();
      assert.equal((await control.expect('NOOP', 2)).code, 200);
      assert.deepEqual(received, ['NOOP\r\n']);
      assert.throws(() => control.send('NOOP\r\nDELE x'), /CR or LF/);
    } finally {
      control.close();
    }
  });
});
