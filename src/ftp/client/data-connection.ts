// The client's data connections (RFC 959 §3.2-3.3): passive (EPSV, RFC 2428 §3, then
// PASV) or active (EPRT, RFC 2428 §2, then PORT), and with PROT P TLS on top, the
// client in the TLS client role resuming the control connection's session (RFC 4217
// §10; require_ssl_reuse servers insist).

import { once } from 'node:events';
import { connect, createServer, isIP, type AddressInfo, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { ControlConnection } from './connection.ts';
import { FtpReplyError, parseEpsvPort, parsePasvPort } from './replies.ts';

/** A data connection being prepared: opened after the transfer command's 1yz reply. */
export interface PendingData {
  open(): Promise<Socket>;
  cancel(): void;
}

/**
 * Passive: EPSV, or PASV when the server has no EPSV. Servers behind NAT announce
 * private addresses in 227, so the control connection's host is the one dialled.
 */
export async function preparePassive(control: ControlConnection, host: string): Promise<PendingData> {
  let port: number | null;
  const epsv = await control.command('EPSV');
  if (epsv.code === 229) {
    port = parseEpsvPort(epsv);
    if (port === null) throw new FtpReplyError('EPSV', epsv);
  } else {
    const pasv = await control.expect('PASV', 227);
    port = parsePasvPort(pasv);
    if (port === null) throw new FtpReplyError('PASV', pasv);
  }
  const socket = connect({ host, port });
  const ready = once(socket, 'connect').then(() => socket);
  ready.catch(() => {});
  return { open: () => ready, cancel: () => socket.destroy() };
}

/** Active: a listener on the control connection's local address, announced by EPRT (or PORT on IPv4). */
export async function prepareActive(control: ControlConnection): Promise<PendingData> {
  const local = control.socket.localAddress ?? '127.0.0.1';
  const server = createServer();
  server.listen(0, local);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const plain = local.replace(/^::ffff:/, '');
  const eprt = await control.command(`EPRT |${isIP(plain) === 6 ? 2 : 1}|${plain}|${port}|`);
  if (eprt.code !== 200) {
    if (isIP(plain) !== 4) throw new FtpReplyError('EPRT', eprt);
    await control.expect(`PORT ${plain.split('.').join(',')},${port >> 8},${port & 0xff}`, 200);
  }
  const accepted = once(server, 'connection').then(([s]) => {
    server.close();
    return s as Socket;
  });
  accepted.catch(() => {});
  return { open: () => accepted, cancel: () => server.close() };
}

/** RFC 4217 §10: the client is the TLS client, resuming the control session. */
export async function secureData(raw: Socket, control: TLSSocket | null, host: string, rejectUnauthorized: boolean): Promise<Socket> {
  const session = control?.getSession();
  const secure = tlsConnect({ socket: raw, rejectUnauthorized, ...(session ? { session } : {}), ...(isIP(host) ? {} : { servername: host }) });
  await once(secure, 'secureConnect');
  return secure;
}
