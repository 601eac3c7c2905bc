// Opens N FTP control connections that read the 220 greeting and then sit idle, prints
// "open N", and keeps them until SIGTERM. bench/ftp.sh reads the
// server's memory meanwhile (vsftpd: all its processes; Septet: its one process).
// usage: node bench/ftp-idle.ts --port 12021 --connections 300

import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, connections: { type: 'string', default: '300' } } });
const sockets: Socket[] = [];
for (let i = 0; i < Number(values.connections); i++) {
  sockets.push(
    await new Promise<Socket>((resolve, reject) => {
      const s = connect(Number(values.port), values.host);
      s.once('error', reject);
      s.once('data', (greeting) => (String(greeting).startsWith('220') ? resolve(s) : reject(new Error(String(greeting)))));
    }),
  );
}
process.stdout.write(`open ${sockets.length}\n`);
const close = () => {
  for (const s of sockets) s.destroy();
  process.exit(0);
};
process.on('SIGTERM', close);
setInterval(() => {}, 1 << 30);
