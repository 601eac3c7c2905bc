// A real DNS server for the relay tests: Debian's dnsmasq on loopback, authoritative
// for .test (unknown names NXDOMAIN, missing types NODATA), answering only the MX and
// address records a test gives it. Septet asks it through `[dns] servers`.

import { spawn, type ChildProcess } from 'node:child_process';

const DNSMASQ = '/usr/sbin/dnsmasq';

/** `records` are dnsmasq options such as "--mx-host=b.test,mx.b.test,10" and "--host-record=mx.b.test,127.0.0.3". */
export async function startDnsmasq(port: number, records: string[]): Promise<ChildProcess> {
  const child = spawn(
    DNSMASQ,
    [
      '--keep-in-foreground', '--no-resolv', '--no-hosts', '--bind-interfaces', '--user=root', '--pid-file=',
      `--port=${port}`, '--listen-address=127.0.0.1', '--local=/test/',
      ...records,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise((r) => setTimeout(r, 300));
  if (child.exitCode !== null) throw new Error(`dnsmasq failed: ${stderr}`);
  return child;
}
