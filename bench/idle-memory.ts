// Memory per idle SMTP connection: opens N connections that read the greeting and
// then sit idle, and reads the server's RSS before and after (/proc/PID/status).

import { connect, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { pid: { type: 'string' }, port: { type: 'string' }, connections: { type: 'string', default: '1000' }, 'imap-login': { type: 'string' } },
});
/** With --imap-login USER:PASS each connection logs in and then idles, authenticated, nothing selected. */
const imapLogin = values['imap-login'];
const pid = Number(values.pid);
const port = Number(values.port);
const count = Number(values.connections);

async function rssKiB(): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}
const settle = () => new Promise((r) => setTimeout(r, 1500));

// Warm up: one connection, so lazily loaded code does not count as per-connection cost.
await open(1).then((s) => s.forEach((x) => x.destroy()));
await settle();
const before = await rssKiB();
const sockets = await open(count);
await settle();
const after = await rssKiB();
for (const s of sockets) s.destroy();
const perConnection = ((after - before) * 1024) / count;
const label = imapLogin ? 'imap authenticated idle connection memory' : 'smtp idle connection memory';
console.log(`RESULT\t${label} septet n=${count}\t${(perConnection / 1024).toFixed(1)}\tKiB/connection`);
console.error(`RSS ${before} KiB -> ${after} KiB with ${count} idle connections`);

async function open(n: number): Promise<Socket[]> {
  const out: Socket[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      await new Promise<Socket>((resolve, reject) => {
        const s = connect(port, '127.0.0.1');
        s.once('error', reject);
        s.once('data', () => {
          if (!imapLogin) return resolve(s);
          const [user, pass] = imapLogin.split(':');
          s.write(`a LOGIN ${user} ${pass}\r\n`);
          let seen = '';
          const onData = (d: Buffer) => {
            seen += d.toString();
            if (/^a OK/m.test(seen)) {
              s.off('data', onData);
              resolve(s);
            } else if (/^a (NO|BAD)/m.test(seen)) reject(new Error(seen));
          };
          s.on('data', onData);
        });
      }),
    );
  }
  return out;
}
