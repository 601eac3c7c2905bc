// The SFTP service the SSH server starts for the "sftp" subsystem (RFC 4254 §6.5):
// one SftpSession per channel, over the account's home folder shared with FTP
// (src/files/file-area.ts: the same jail, quota and transfer log).

import type { Logger } from 'pino';
import type { Config } from '../core/config/schema.ts';
import type { ByteChannel, ChannelPeer } from '../core/service/byte-channel.ts';
import { openAccountFiles, type FileArea } from '../files/file-area.ts';
import { TransferLog } from '../files/transfer-log.ts';
import { HandleTable } from './handles.ts';
import { SftpSession } from './session.ts';
import type { SftpLimits } from './commands/types.ts';

export interface SftpDeps {
  config: Config;
  dataDir: string;
  log: Logger;
}

/** The session limits from `sftp.*`. */
export function sftpLimits(config: Config): SftpLimits {
  const c = config.sftp;
  return {
    maxPacketLength: c.max_packet_length,
    // A READ reply carries 13 octets of header besides the data; keep it inside one packet.
    maxReadLength: Math.min(c.max_read_length, c.max_packet_length - 1024),
    maxWriteLength: c.max_packet_length - 1024,
    maxHandles: c.max_handles,
    maxInFlight: c.max_in_flight,
    readdirBatch: c.readdir_batch,
  };
}

/** Runs one session on a file area already opened (also the stdio test server's entry). */
export async function runSftpSession(channel: ByteChannel, area: FileArea, o: { limits: SftpLimits; transfers: TransferLog; user: string; remote: string; log: Logger }): Promise<void> {
  const session = new SftpSession(channel, { jail: area.jail, quota: area.quota, handles: new HandleTable(o.limits.maxHandles), ...o });
  await session.run();
}

export function createSftpService(deps: SftpDeps): (channel: ByteChannel, peer: ChannelPeer) => Promise<void> {
  const transfers = new TransferLog(deps.log, deps.config.ftp.transfer_log);
  const limits = sftpLimits(deps.config);
  return async (channel, peer) => {
    let area: FileArea;
    try {
      area = await openAccountFiles(deps.dataDir, peer.account, deps.config.ftp.quota_bytes);
    } catch (error) {
      peer.log.error({ err: (error as Error).message }, 'sftp: home folder unavailable');
      channel.errors.write('home folder unavailable\r\n');
      channel.exit(1);
      return;
    }
    await runSftpSession(channel, area, { limits, transfers, user: peer.account.address, remote: peer.remoteAddress, log: peer.log });
  };
}
