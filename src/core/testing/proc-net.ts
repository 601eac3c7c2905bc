// The kernel's table of IPv4 TCP sockets (/proc/net/tcp, Linux), read by tests that
// must look at a socket without touching it: whether a port listens (a probe
// connection would be accepted and change what it tests), and how many octets wait
// in a connection's queues. Test-only.

import { readFileSync } from 'node:fs';

export interface TcpSocketRow {
  localPort: number;
  remotePort: number;
  /** The kernel's state number: 0x01 established, 0x0a listen. */
  state: number;
  /** Octets written by the process and not yet acknowledged by the peer (established). */
  txQueue: number;
  /** Octets received and not yet read by the process (established). */
  rxQueue: number;
}

export const TCP_ESTABLISHED = 0x01;
export const TCP_LISTEN = 0x0a;

export function tcpSockets(): TcpSocketRow[] {
  const rows: TcpSocketRow[] = [];
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    // "sl local_address rem_address st tx_queue:rx_queue ...", addresses as HEXIP:HEXPORT.
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5) continue;
    const port = (address: string) => Number.parseInt(address.split(':')[1]!, 16);
    const [tx, rx] = fields[4]!.split(':').map((hex) => Number.parseInt(hex, 16));
    rows.push({ localPort: port(fields[1]!), remotePort: port(fields[2]!), state: Number.parseInt(fields[3]!, 16), txQueue: tx!, rxQueue: rx! });
  }
  return rows;
}

/** Whether some IPv4 socket listens on `port`, seen without connecting to it. */
export function isListeningOn(port: number): boolean {
  return tcpSockets().some((s) => s.state === TCP_LISTEN && s.localPort === port);
}

/** The queues of the connection localPort -> remotePort. */
export function tcpQueues(localPort: number, remotePort: number): { tx: number; rx: number } {
  const row = tcpSockets().find((s) => s.localPort === localPort && s.remotePort === remotePort && s.state !== TCP_LISTEN);
  if (!row) throw new Error(`no TCP socket ${localPort} -> ${remotePort} in /proc/net/tcp`);
  return { tx: row.txQueue, rx: row.rxQueue };
}
