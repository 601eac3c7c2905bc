// bench/tftp-client.ts HOST PORT REMOTE BLKSIZE WINDOWSIZE [OUT]: one download with
// Septet's TFTP client library, to OUT or discarded; prints "octets seconds MiB/s".

import { Writable } from 'node:stream';
import { tftpGet } from '../src/tftp/client/client.ts';

const [host, port, remote, blksize, windowsize, out] = process.argv.slice(2);
if (!host || !port || !remote || !blksize || !windowsize) {
  process.stderr.write('usage: tftp-client.ts HOST PORT REMOTE BLKSIZE WINDOWSIZE [OUT]\n');
  process.exit(2);
}
const discard = new Writable({ write: (_chunk, _encoding, callback) => callback() });
const blk = Number(blksize);
const result = await tftpGet(
  // 512 without the option, as curl does (RFC 1350); the window needs an OACK anyway.
  { host, port: Number(port), blksize: blk === 512 && windowsize === '1' ? undefined : blk, windowsize: Number(windowsize) },
  remote,
  out ?? discard,
);
const seconds = result.ms / 1000;
process.stdout.write(`${result.octets} ${seconds.toFixed(3)} ${(result.octets / seconds / 1048576).toFixed(1)}\n`);
