// Legacy SCP for the SSH server: `matches` tells whether an exec request's command is
// one OpenSSH's scp sends for its old protocol (`scp -t ...`, `scp -f ...`), and `run`
// serves it over the session channel in the user's home folder (the same jail, quota
// and transfer log as FTP and SFTP), then ends the channel with scp.c's exit status.

import type { Config } from '../core/config/schema.ts';
import type { Logger } from '../core/log/logger.ts';
import type { ByteChannel, ChannelPeer } from '../core/service/byte-channel.ts';
import { openAccountFiles } from '../files/file-area.ts';
import { TransferLog } from '../files/transfer-log.ts';
import { dispatchScp, failureMessage } from './dispatch.ts';
import { scpReplies } from './replies.ts';
import { ScpSession } from './session.ts';
import { formatStatus, parseScpCommand } from './wire.ts';

export interface ScpDeps {
  config: Config;
  dataDir: string;
  log: Logger;
}

export interface ScpService {
  matches(command: string): boolean;
  run(command: string, channel: ByteChannel, peer: ChannelPeer): Promise<void>;
}

export function createScpService(deps: ScpDeps): ScpService {
  const transfers = new TransferLog(deps.log, deps.config.ftp.transfer_log);
  return {
    matches: (command) => parseScpCommand(command) !== null,
    async run(command, channel, peer) {
      const parsed = parseScpCommand(command);
      if (!parsed) {
        channel.errors.write(`${scpReplies.usage()}\n`);
        channel.exit(1);
        return;
      }
      let area;
      try {
        area = await openAccountFiles(deps.dataDir, peer.account, deps.config.ftp.quota_bytes);
      } catch (error) {
        peer.log.error({ err: (error as Error).message }, 'scp: cannot open the home folder');
        channel.output.write(formatStatus(true, failureMessage(error, '~')));
        channel.exit(1);
        return;
      }
      const session = new ScpSession(parsed, channel, peer, area, transfers, { fsync: deps.config.ftp.fsync });
      peer.log.info({ direction: parsed.direction, recursive: parsed.recursive, paths: parsed.paths.length }, 'scp');
      const status = await dispatchScp(session);
      channel.exit(status);
    },
  };
}
