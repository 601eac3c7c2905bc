// Test runner: serves one legacy SCP command on this process's stdin/stdout, with
// <data>/home/<address>/ as a fake account's home, so OpenSSH's own scp can be the
// client before (and without) the SSH server: `scp -O -S fake-ssh ...` runs
// fake-ssh, which ignores ssh's options and host and execs this with the command.
//
//   node src/scp/testing/stdio-server.ts DATA_DIR ADDRESS 'scp -t path' [QUOTA_BYTES]

import { defaultConfig } from '../../core/config/load.ts';
import { silentLogger, createLogger } from '../../core/log/logger.ts';
import type { ByteChannel } from '../../core/service/byte-channel.ts';
import { createScpService } from '../server.ts';

const [dataDir, address, command, quota, transferLog] = process.argv.slice(2);
if (!dataDir || !address || command === undefined) {
  process.stderr.write('usage: stdio-server.ts DATA_DIR ADDRESS COMMAND [QUOTA_BYTES] [TRANSFER_LOG]\n');
  process.exit(2);
}
const config = defaultConfig();
config.ftp.quota_bytes = Number(quota ?? 0);
config.ftp.transfer_log = transferLog ?? '';
const log = process.env.SCP_TEST_LOG ? createLogger({ file: process.env.SCP_TEST_LOG, level: 'debug' }) : silentLogger();
const service = createScpService({ config, dataDir, log });
const aborter = new AbortController();
process.stdin.on('error', () => aborter.abort());
process.stdout.on('error', () => aborter.abort());
const channel: ByteChannel = {
  input: process.stdin,
  output: process.stdout,
  errors: process.stderr,
  exit(status) {
    process.exitCode = status;
    process.stdout.end(() => process.exit(status));
  },
  signal: aborter.signal,
};
const account = { id: 1, address, passwordHash: '', admin: false, createdAt: new Date(), quotaBytes: null, sendAsDomain: false };
await service.run(command, channel, { account, remoteAddress: '127.0.0.1', service: 'test', log });
