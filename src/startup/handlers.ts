// The protocol handler of each listener, from the services start-up made. The one
// place that knows every protocol; adding a protocol adds a case here.

import { listeners, type Config, type ListenerName } from '../core/config/schema.ts';
import type { Authenticator } from '../core/auth/types.ts';
import type { ConnectionHandler } from '../core/net/listener.ts';
import type { Logger } from 'pino';
import type { Store } from '../core/store/types.ts';
import type { CertificateManager } from '../core/tls/certificate-manager.ts';
import type { MailService } from '../mail/mail-service.ts';
import type { TerminalRegistry } from '../core/bus/terminals.ts';
import { createFtpHandler, ftpRefusal } from '../ftp/server.ts';
import { createImapHandler, imapRefusal } from '../imap/server.ts';
import { createPop3Handler, pop3Refusal } from '../pop3/server.ts';
import { createSmtpHandler, smtpRefusal } from '../smtp/server.ts';
import type { HostKey } from '../ssh/host-keys.ts';
import { createSshHandler, sshRefusal, type SshChannelServices } from '../ssh/server.ts';
import { createConsoleService } from '../console/server.ts';
import { createScpService } from '../scp/server.ts';
import { createSftpService } from '../sftp/server.ts';
import { createRedirectHandler, createWebHandler, webRefusal } from '../web/server.ts';
import { LocalTerminalRegistry } from '../core/bus/terminal-registry.ts';

export type Protocol = (typeof listeners)[ListenerName]['protocol'];

export interface Services {
  config: Config;
  hostname: string;
  store: Store;
  auth: Authenticator;
  tls: CertificateManager;
  mail: MailService;
  log: Logger;
  portOffset: number;
  /** With [ssh] enabled: the host keys (src/ssh/host-keys.ts), made before the handlers. */
  sshHostKeys: HostKey[] | null;
  /** Open console terminals of every worker (SMTP SEND/SOML/SAML; the SSH console attaches). */
  terminals?: TerminalRegistry;
}

/** What a client hears if it is refused while its service is still starting. */
export function startingRefusal(protocol: Protocol): string {
  switch (protocol) {
    case 'smtp':
      return smtpRefusal('starting');
    case 'pop3':
      return pop3Refusal('starting');
    case 'imap':
      return imapRefusal('starting');
    case 'ftp':
      return ftpRefusal('starting');
    case 'ssh':
      return sshRefusal('starting');
    case 'http':
      return webRefusal('starting');
  }
}

export function createHandler(name: ListenerName, s: Services): ConnectionHandler {
  const spec = listeners[name];
  const base = { config: s.config, implicitTls: spec.tls === 'implicit', hostname: s.hostname, auth: s.auth, tls: s.tls, log: s.log.child({ service: name }) };
  const protocol: Protocol = spec.protocol;
  switch (protocol) {
    case 'smtp':
      return createSmtpHandler({ ...base, mode: spec.mode as 'mta' | 'submission', store: s.store, mail: s.mail, ...(s.terminals ? { terminals: s.terminals } : {}) });
    case 'pop3':
      return createPop3Handler({ ...base, store: s.store });
    case 'imap':
      return createImapHandler({ ...base, store: s.store });
    case 'ftp':
      return createFtpHandler({ ...base, dataDir: s.config.data, portOffset: s.portOffset });
    case 'ssh':
      if (!s.sshHostKeys) throw new Error('ssh: no host keys');
      return createSshHandler({ ...base, store: s.store, hostKeys: s.sshHostKeys, services: sshChannelServices(s) });
    case 'http': {
      const web = { ...base, store: s.store, mail: s.mail, dataDir: s.config.data, portOffset: s.portOffset, hostKeys: (s.sshHostKeys ?? []).map((k) => ({ type: k.type, bits: k.bits, fingerprint: k.fingerprint })) };
      return spec.mode === 'redirect' ? createRedirectHandler(web) : createWebHandler(web);
    }
    default: {
      // A listener in the schema's table that nobody wired is a programming error.
      const unwired: never = protocol;
      throw new Error(`no handler for protocol ${String(unwired)}`);
    }
  }
}

/**
 * The engines an SSH session channel runs: SFTP (src/sftp/), legacy SCP (src/scp/) and
 * the console (src/console/), each over the channel's ByteChannel. null = not offered
 * (the client is told so).
 */
function sshChannelServices(s: Services): SshChannelServices {
  const terminals = s.terminals ?? processTerminals;
  const console = createConsoleService({ config: s.config, store: s.store, dataDir: s.config.data, terminals, auth: s.auth, log: s.log.child({ service: 'console' }) });
  const sftp = createSftpService({ config: s.config, dataDir: s.config.data, log: s.log.child({ service: 'sftp' }) });
  const scp = createScpService({ config: s.config, dataDir: s.config.data, log: s.log.child({ service: 'scp' }) });
  return { sftp, scp, console };
}

/** Without the start-up's shared registry (tests building handlers alone): this process's terminals. */
const processTerminals = new LocalTerminalRegistry();
