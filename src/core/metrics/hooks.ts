// The one-line hooks the protocol code calls where things happen. Each one only
// updates counters in memory (registry.ts); nothing here can fail or block.

import type { Socket } from 'node:net';
import { connectionOctets, messagesAccepted, messagesDelivered, metrics, sessionsOpen, sessionsTotal, transferOctets } from './registry.ts';

/** Sockets of sessions still running: their octets so far are read at each snapshot. */
const openSockets = new Map<Socket, string>();
metrics.addCollector(() =>
  [...openSockets].flatMap(([socket, listener]) => [
    { name: connectionOctets.name, labels: { listener, direction: 'in' }, value: socket.bytesRead },
    { name: connectionOctets.name, labels: { listener, direction: 'out' }, value: socket.bytesWritten },
  ]),
);

/**
 * A listener's session (src/core/net/listener.ts): open while `session` runs. Its
 * socket's octets count while it is open (read at each snapshot), and are added to
 * the counter when it ends, so a long HTTP/2 or IMAP IDLE connection shows its traffic live.
 */
export function trackSession(listener: string, socket: Socket, session: Promise<void>): void {
  sessionsOpen.add({ listener }, 1);
  sessionsTotal.add({ listener }, 1);
  openSockets.set(socket, listener);
  const end = () => {
    openSockets.delete(socket);
    sessionsOpen.add({ listener }, -1);
    connectionOctets.add({ listener, direction: 'in' }, socket.bytesRead);
    connectionOctets.add({ listener, direction: 'out' }, socket.bytesWritten);
  };
  session.then(end, end);
}

/** A message accepted (src/mail/deliver.ts), with how many local mailboxes got it. */
export function countAccepted(via: string, localCopies: number): void {
  messagesAccepted.add({ via }, 1);
  messagesDelivered.add({ path: 'local' }, localCopies);
}

/** Recipients a remote host accepted in one relay attempt (src/mail/relay/attempt.ts). */
export function countRelayed(results: readonly { outcome: string }[]): void {
  messagesDelivered.add({ path: 'relay' }, results.filter((r) => r.outcome === 'delivered').length);
}

/** A finished file transfer (src/files/transfer-log.ts, src/tftp/). */
export function countTransfer(service: string, direction: 'upload' | 'download', octets: number): void {
  transferOctets.add({ service, direction }, octets);
}
