// Starts Septet's FTP handler alone (no other service, no SQLite) for bench/ftp.sh:
// one user, bench@example.test / bench (scrypt cost 1024, the cheapest), a data
// directory, a self-signed certificate, 127.0.0.1 only. Prints "ready <port>".
// usage: node bench/ftp-server.ts --port 13021 --data /tmp/septet-bench/ftp

import { parseArgs } from 'node:util';
import { createSecureContext } from 'node:tls';
import { PasswordAuthenticator } from '../src/core/auth/authenticator.ts';
import { hashPassword } from '../src/core/auth/password.ts';
import { defaultConfig } from '../src/core/config/load.ts';
import { silentLogger } from '../src/core/log/logger.ts';
import { ListenerGroup } from '../src/core/net/listener.ts';
import { ConnectionLimits } from '../src/core/net/limits.ts';
import { createMemoryStore } from '../src/core/store/memory/memory-store.ts';
import { generateSelfSigned } from '../src/core/tls/self-signed.ts';
import { createFtpHandler } from '../src/ftp/server.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '13021' }, data: { type: 'string', default: '/tmp/septet-bench/ftp' } } });
const config = defaultConfig();
config.ftp.idle_timeout = 600;
const store = createMemoryStore();
await store.accounts.addUser('bench@example.test', await hashPassword('bench', 1024));
const auth = new PasswordAuthenticator({ accounts: store.accounts, defaultDomain: 'example.test', scryptCost: 1024, freeFailures: 1000, maxDelayMs: 0 });
const { certPem, keyPem } = await generateSelfSigned('localhost');
const context = createSecureContext({ cert: certPem, key: keyPem });
const tls = { contextFor: () => context };
const log = silentLogger();
const group = new ListenerGroup({ log, tls, limits: new ConnectionLimits({ maxConnections: 10000, maxPerIp: 10000 }) });
const handler = createFtpHandler({ config, implicitTls: false, hostname: 'bench.septet.test', dataDir: values.data!, auth, tls, log, portOffset: 13000 });
const [bound] = await group.listen({ name: 'ftp', addresses: ['127.0.0.1'], port: Number(values.port), implicitTls: false, proxyProtocol: false }, handler);
process.stdout.write(`ready ${bound!.port}\n`);
process.on('SIGTERM', () => void group.close(1000).then(() => process.exit(0)));
