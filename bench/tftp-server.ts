// bench/tftp-server.ts ROOT PORT [HOST]: Septet's TFTP server alone (createTftpServer),
// serving ROOT read-only on HOST:PORT (default 127.0.0.1), for bench/tftp.sh. Logs at warn.
// Prints "ready HOST PORT" once bound; stops on SIGTERM/SIGINT.

import { configFromObject } from '../src/core/config/load.ts';
import { createLogger } from '../src/core/log/logger.ts';
import { createTftpServer } from '../src/tftp/server.ts';

const [root, portText, host = '127.0.0.1'] = process.argv.slice(2);
if (!root || !portText) {
  process.stderr.write('usage: tftp-server.ts ROOT PORT [HOST]\n');
  process.exit(2);
}
const config = configFromObject({ tftp: { root, max_blksize: 65464, max_windowsize: 64 } });
const server = createTftpServer({ config, log: createLogger({ level: 'warn' }), dataDir: root });
const [bound] = await server.listen([host], Number(portText));
process.stdout.write(`ready ${bound!.address} ${bound!.port}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
