// SFTP over stdin/stdout, for OpenSSH's `sftp -D program` (which talks SFTP to a local
// program without SSH) and for benchmarks of the engine alone:
//   sftp -b batch -D "/path/to/node /path/to/stdio-server.ts HOME [QUOTA_BYTES]"
// HOME is served as a fake account's home folder; the transfer log goes to
// $SFTP_TRANSFER_LOG when set, else to stderr through the logger. Test-only.

import { QuotaTracker } from '../../files/limits.ts';
import { HomeJail } from '../../files/jail.ts';
import { TransferLog } from '../../files/transfer-log.ts';
import pino from 'pino';
import { defaultConfig } from '../../core/config/load.ts';
import type { ByteChannel } from '../../core/service/byte-channel.ts';
import { runSftpSession, sftpLimits } from '../server.ts';

const [home, quota] = process.argv.slice(2);
if (!home) {
  process.stderr.write('usage: stdio-server.ts HOME [QUOTA_BYTES]\n');
  process.exit(2);
}
// Logs go to stderr (fd 2), which sftp -D passes through to the user.
const log = pino({ level: process.env.SFTP_LOG_LEVEL ?? 'warn' }, pino.destination(2));
const jail = await HomeJail.open(home);
const area = { jail, quota: await QuotaTracker.open(jail.root, quota ? Number(quota) : null) };
const config = defaultConfig();
const controller = new AbortController();
let status = 0;
const channel: ByteChannel = {
  input: process.stdin,
  output: process.stdout,
  errors: process.stderr,
  exit(code) {
    status = code;
  },
  signal: controller.signal,
};
const transfers = new TransferLog(log, process.env.SFTP_TRANSFER_LOG ?? '');
await runSftpSession(channel, area, { limits: sftpLimits(config), transfers, user: 'tester', remote: 'stdio', log });
transfers.close();
process.stdout.end(() => process.exit(status));
