// How the next data connection is made: PORT and PASV (RFC 959 §4.1.2), EPRT and
// EPSV (RFC 2428). Active targets must be the client's own address and an
// unprivileged port (RFC 2577 §3: no bounce attacks); passive listeners take only
// the client's own address (data-channel.ts).

import { isIP } from 'node:net';
import { normalizeAddress } from '../../core/net/address.ts';
import { PassiveListener } from '../data-channel.ts';
import { FtpError, Reply, Text } from '../replies.ts';
import type { FtpSession } from '../session.ts';
import { formatPasv, parseEprtArgument, parsePortArgument, type HostPort } from '../wire.ts';
import { command, LOGGED_IN, noArgument } from './types.ts';

function checkActiveTarget(session: FtpSession, target: HostPort): void {
  if (session.epsvAll) throw new FtpError(Reply.badSequence, Text.epsvAllInEffect);
  // RFC 2577 §3-4: the data connection goes only to the client itself, never to a privileged port.
  if (normalizeAddress(target.host) !== normalizeAddress(session.conn.remoteAddress)) {
    session.conn.log.warn({ target: target.host, client: session.conn.remoteAddress }, 'refused PORT/EPRT to a foreign address');
    throw new FtpError(Reply.parameterNotImplemented, 'Illegal PORT command: not your address.');
  }
  if (target.port < 1024) throw new FtpError(Reply.parameterNotImplemented, 'Illegal PORT command: privileged port.');
}

export const port = command({
  states: LOGGED_IN,
  parse(argument): HostPort {
    const target = parsePortArgument(argument);
    if (!target) throw new FtpError(Reply.badArguments, 'Syntax: PORT h1,h2,h3,h4,p1,p2');
    return target;
  },
  run(session, target) {
    checkActiveTarget(session, target);
    session.closeDataSetup();
    session.dataSetup = { kind: 'active', host: target.host, port: target.port };
    session.reply(Reply.ok, 'PORT command successful. Consider using PASV.');
  },
});

export const eprt = command({
  states: LOGGED_IN,
  parse(argument): HostPort {
    const target = parseEprtArgument(argument.trim());
    if (!target) throw new FtpError(Reply.badArguments, 'Syntax: EPRT |1|a.b.c.d|port| or |2|ipv6|port|');
    return target;
  },
  run(session, target) {
    if (isIP(target.host) !== isIP(normalizeAddress(session.conn.remoteAddress))) throw new FtpError(Reply.protocolNotSupported, 'Network protocol not supported, use (1,2)');
    checkActiveTarget(session, target);
    session.closeDataSetup();
    session.dataSetup = { kind: 'active', host: target.host, port: target.port };
    session.reply(Reply.ok, 'EPRT command successful.');
  },
});

async function openPassive(session: FtpSession): Promise<PassiveListener> {
  session.closeDataSetup();
  const { passive_port_min: min, passive_port_max: max } = session.ftpConfig;
  const expireMs = session.ftpConfig.data_timeout * 1000;
  const listener = await PassiveListener.open(normalizeAddress(session.conn.localAddress), { min, max }, session.conn.remoteAddress, session.conn.log, expireMs);
  session.dataSetup = { kind: 'passive', listener };
  return listener;
}

export const pasv = command({
  states: LOGGED_IN,
  parse: noArgument,
  async run(session) {
    if (session.epsvAll) throw new FtpError(Reply.badSequence, Text.epsvAllInEffect);
    const local = normalizeAddress(session.conn.localAddress);
    if (isIP(local) !== 4) throw new FtpError(Reply.cantOpenData, 'PASV is IPv4 only; use EPSV.');
    const listener = await openPassive(session);
    const announced = session.ftpConfig.external_address || local;
    session.reply(Reply.passive, `Entering Passive Mode (${formatPasv(announced, listener.port)}).`);
  },
});

export const epsv = command({
  states: LOGGED_IN,
  /** RFC 2428 §3: EPSV, EPSV ALL, or EPSV with a network protocol number. */
  parse: (argument) => argument.trim().toUpperCase(),
  async run(session, arg) {
    if (arg === 'ALL') {
      session.epsvAll = true;
      session.reply(Reply.ok, 'EPSV ALL ok.');
      return;
    }
    const family = isIP(normalizeAddress(session.conn.localAddress)) === 6 ? '2' : '1';
    if (arg !== '' && arg !== family) throw new FtpError(Reply.protocolNotSupported, `Network protocol not supported, use (${family})`);
    const listener = await openPassive(session);
    session.reply(Reply.extendedPassive, `Entering Extended Passive Mode (|||${listener.port}|)`);
  },
});
