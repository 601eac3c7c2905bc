// The ceiling for Septet's RETR: the least FTP a client like curl needs (USER, PASS,
// PWD, EPSV, TYPE, SIZE, RETR, QUIT; every other command gets 200) around one
// file-to-socket copy, so the same curl command measures what Node itself can do.
//   --copy stream: stream.pipeline(fs.createReadStream(file, 1 MiB reads), socket),
//                  the textbook Node pipe;
//   --copy pump:   files/socket-pump.ts, what Septet's plain RETR runs.
// Files are served from --root. Prints "ready <port>".
// usage: node bench/ftp-ceiling.ts --port 13022 --root DIR --copy stream|pump

import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join, basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { pumpFileToSocket, PUMP_CHUNK } from '../src/files/socket-pump.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '13022' }, root: { type: 'string' }, copy: { type: 'string', default: 'stream' } } });
const root = values.root!;

async function send(path: string, socket: Socket): Promise<void> {
  if (values.copy === 'pump') {
    const handle = await open(path, 'r');
    try {
      await pumpFileToSocket({ handle, start: 0, sizeHint: (await handle.stat()).size, socket, signal: new AbortController().signal });
    } finally {
      await handle.close();
    }
    await new Promise<void>((resolve) => socket.end(resolve));
  } else {
    await pipeline(createReadStream(path, { highWaterMark: PUMP_CHUNK }), socket);
  }
}

const control = createServer({ noDelay: true }, (c) => {
  let passive: Server | null = null;
  let data: Promise<Socket> | null = null;
  let buffered = '';
  c.on('error', () => {});
  c.write('220 ceiling\r\n');
  c.on('data', async (chunk) => {
    buffered += chunk.toString('latin1');
    let lf: number;
    while ((lf = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, lf).trim();
      buffered = buffered.slice(lf + 1);
      const [verb = '', ...rest] = line.split(' ');
      const arg = rest.join(' ');
      switch (verb.toUpperCase()) {
        case 'USER': c.write('331 ok\r\n'); break;
        case 'PASS': c.write('230 ok\r\n'); break;
        case 'PWD': c.write('257 "/"\r\n'); break;
        case 'EPSV': {
          passive = createServer({ pauseOnConnect: true });
          data = new Promise((resolve) => passive!.once('connection', (s: Socket) => (s.on('error', () => {}), passive!.close(), resolve(s))));
          await new Promise<void>((resolve) => passive!.listen(0, '127.0.0.1', resolve));
          c.write(`229 Entering Extended Passive Mode (|||${(passive.address() as { port: number }).port}|)\r\n`);
          break;
        }
        case 'SIZE': c.write(`213 ${(await stat(join(root, basename(arg)))).size}\r\n`); break;
        case 'RETR': {
          c.write('150 sending\r\n');
          const socket = await data!;
          await send(join(root, basename(arg)), socket);
          c.write('226 done\r\n');
          break;
        }
        case 'QUIT': c.end('221 bye\r\n'); break;
        default: c.write('200 ok\r\n');
      }
    }
  });
});
control.listen(Number(values.port), '127.0.0.1', () => process.stdout.write(`ready ${(control.address() as { port: number }).port}\n`));
process.on('SIGTERM', () => process.exit(0));
