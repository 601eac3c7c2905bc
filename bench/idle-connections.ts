// Slots cannot be taken hostage, at scale: opens N idle connections (default 10,000)
// to one service from many loopback source addresses (127.0.1.1-127.0.1.100 by
// default, 100 each), checks that the service is full, that python's imaplib and
// poplib still log in to the other services meanwhile, and reads the server's RSS
// before and after (/proc/PID/status) for the memory per idle connection.
// Run by bench/idle-connections.sh, which starts the server and raises ulimit -n.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const { values } = parseArgs({
  options: {
    pid: { type: 'string' },
    port: { type: 'string' },
    'imap-port': { type: 'string' },
    'pop3-port': { type: 'string' },
    login: { type: 'string', default: 'bench@example.test:bench' },
    addresses: { type: 'string', default: '100' },
    'per-address': { type: 'string', default: '100' },
    parallel: { type: 'string', default: '200' },
  },
});
const pid = Number(values.pid);
const port = Number(values.port);
const addresses = Number(values.addresses);
const perAddress = Number(values['per-address']);
const parallel = Number(values.parallel);
const [user, password] = values.login!.split(':') as [string, string];

async function rssKiB(): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}
const settle = () => new Promise((r) => setTimeout(r, 2000));

/** One connection from `source` that has read its first line (greeting or refusal). */
function open(source: string): Promise<{ socket: Socket; first: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: source });
    socket.once('error', reject);
    socket.once('data', (d: Buffer) => {
      socket.off('error', reject);
      socket.on('error', () => {});
      resolve({ socket, first: d.toString('latin1').split('\r\n')[0]! });
    });
  });
}

/** Logs in with imaplib and poplib from 127.0.0.1; returns the seconds each took. */
async function otherServicesLogin(): Promise<string> {
  const { stdout } = await execFileP(
    '/usr/bin/python3',
    [
      '-c',
      `
import imaplib, poplib, sys, time
user, password, imap_port, pop_port = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
t = time.monotonic()
m = imaplib.IMAP4('127.0.0.1', imap_port)
ok = m.login(user, password)[0]
m.logout()
print('imap', ok, '%.3f' % (time.monotonic() - t))
t = time.monotonic()
p = poplib.POP3('127.0.0.1', pop_port)
p.user(user)
ok = p.pass_(password).decode().split()[0]
p.quit()
print('pop3', ok, '%.3f' % (time.monotonic() - t))
`,
      user,
      password,
      values['imap-port']!,
      values['pop3-port']!,
    ],
    { timeout: 60_000 },
  );
  return stdout;
}

// Warm up: lazily loaded code does not count as per-connection cost.
(await open('127.0.0.1')).socket.destroy();
await settle();
const before = await rssKiB();
const started = Date.now();
const sockets: Socket[] = [];
let refusedEarly = 0;
const sources: string[] = [];
for (let a = 0; a < addresses; a++) for (let i = 0; i < perAddress; i++) sources.push(`127.0.${1 + Math.floor(a / 250)}.${1 + (a % 250)}`);
for (let i = 0; i < sources.length; i += parallel) {
  const batch = await Promise.all(sources.slice(i, i + parallel).map(open));
  for (const { socket, first } of batch) {
    sockets.push(socket);
    if (!/^(220|\+OK|\* OK)/.test(first)) refusedEarly++;
  }
}
const openSeconds = (Date.now() - started) / 1000;
// One more from a fresh address: the service is full now and must say so.
const extra = await open('127.0.2.250');
extra.socket.destroy();
await settle();
const after = await rssKiB();
const logins = await otherServicesLogin();
const stillOpen = sockets.filter((s) => !s.closed).length;
for (const s of sockets) s.destroy();

const n = sockets.length - refusedEarly;
console.log(`RESULT\tidle connections held n=${n} from ${addresses} addresses\t${n}\tconnections`);
console.log(`RESULT\tidle connections still open after the logins\t${stillOpen}\tconnections`);
console.log(`RESULT\tidle connections opened in\t${openSeconds.toFixed(1)}\ts`);
console.log(`RESULT\tidle connection memory (RSS) n=${n}\t${(((after - before) * 1024) / n / 1024).toFixed(2)}\tKiB/connection`);
console.log(`RESULT\tserver RSS with ${n} idle connections\t${(after / 1024).toFixed(1)}\tMiB`);
for (const line of logins.trim().split('\n')) {
  const [service, ok, seconds] = line.split(' ');
  console.log(`RESULT\t${service} login while full (${ok})\t${seconds}\ts`);
}
console.log(`RESULT\tnext connection to the full service\t${JSON.stringify(extra.first)}\treply`);
console.error(`RSS ${before} KiB -> ${after} KiB; ${refusedEarly} of ${sockets.length} refused while filling`);
