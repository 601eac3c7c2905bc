// The SSH-2 server (RFC 4251-4254) as a ConnectionHandler of the shared listener:
// one ssh2 Server per handler, fed the sockets the listener accepted
// (injectSocket), so bans, the PROXY header, connection limits and the
// pre-authentication deadline are the same as on every other port. What runs inside
// a session channel comes from the engines composed in src/startup/handlers.ts.

import type { Socket } from 'node:net';
import type { Connection } from '../core/net/connection.ts';
import type { ConnectionHandler, RefusalReason } from '../core/net/listener.ts';
import type { ServiceDeps } from '../core/service/deps.ts';
import type { ByteChannel, ChannelPeer, TerminalSize } from '../core/service/byte-channel.ts';
import type { Refusal } from '../core/service/refusals.ts';
import type { Store } from '../core/store/types.ts';
import { sshAlgorithms } from './algorithms.ts';
import type { HostKey } from './host-keys.ts';
import { loadSsh2, serverOffer } from './library.ts';
import { IDENT, refusalLine } from './replies.ts';
import { SshSession } from './session.ts';

/** A terminal the client asked for, as the console's shell gets it. */
export interface SshTerminal {
  readonly size: TerminalSize;
  onResize(listener: (size: TerminalSize) => void): void;
}

/** The engines a session channel runs (src/sftp/, src/scp/, src/console/); null = not offered. */
export interface SshChannelServices {
  sftp: ((channel: ByteChannel, peer: ChannelPeer) => Promise<void>) | null;
  scp: { matches(command: string): boolean; run(command: string, channel: ByteChannel, peer: ChannelPeer): Promise<void> } | null;
  console: {
    /** `terminal`: the pty when the client asked for one before exec (ssh -t host COMMAND). */
    command(line: string, channel: ByteChannel, peer: ChannelPeer, terminal: SshTerminal | null): Promise<void>;
    shell(channel: ByteChannel, peer: ChannelPeer, terminal: SshTerminal | null): Promise<void>;
  } | null;
}

export interface SshDeps extends ServiceDeps {
  store: Store;
  /** ensureHostKeys() of the data directory, made before the handlers. */
  hostKeys: HostKey[];
  services: SshChannelServices;
}

/** What a refused client hears before the close (also while starting). */
export function sshRefusal(reason: RefusalReason | Refusal): string {
  return refusalLine(reason);
}

export function createSshHandler(deps: SshDeps): ConnectionHandler & { readonly native: boolean } {
  const { ssh2, native } = loadSsh2(deps.config.ssh.native_crypto);
  deps.log.info(
    { native, wanted: deps.config.ssh.native_crypto },
    native ? 'ssh crypto: native OpenSSL binding (AES-GCM, chacha20-poly1305)' : 'ssh crypto: pure JavaScript (the native binding is not built or ssh.native_crypto = false)',
  );
  const sessions = new WeakMap<Socket, SshSession>();
  const algorithms = sshAlgorithms(deps.config);
  const server = new ssh2.Server({
    hostKeys: deps.hostKeys.map((key) => key.privateKey),
    algorithms,
    ident: IDENT,
    keepaliveInterval: deps.config.ssh.keepalive_interval * 1000,
    keepaliveCountMax: deps.config.ssh.keepalive_count_max,
  });
  const offer = serverOffer(algorithms);
  // ssh2 emits 'connection' once it has the client's identification string, before it
  // sends its KEXINIT: the offer without ssh-rsa goes in now (library.ts says why).
  server.on('connection', (client, info) => {
    const session = sessions.get(client._sock);
    if (!session || typeof client._protocol?._offer !== 'object') return client.end();
    client._protocol._offer = offer;
    session.attach(client, info.header.identRaw);
  });
  return {
    native,
    async handle(conn: Connection): Promise<void> {
      const session = new SshSession(deps, conn);
      await session.run(
        (socket, s) => sessions.set(socket, s),
        (socket) => server.injectSocket(socket),
      );
    },
    refusal: (reason) => sshRefusal(reason),
  };
}
