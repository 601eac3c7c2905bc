// Septet's own console: what an SSH "shell" or "exec" request (RFC 4254 §6.5) reaches,
// and later the web console's terminal. Never the operating system's shell: no OS
// command is run; the words of a line name a console command from commands/index.ts.
// It sees only the ByteChannel, so it is tested over a pair of streams.

import type { ByteChannel, ChannelPeer } from '../core/service/byte-channel.ts';
import type { ConsoleDeps } from './commands/command.ts';
import { ConsoleSession, type ShellTerminal } from './session.ts';

export type { ConsoleDeps } from './commands/command.ts';

export interface ConsoleService {
  /**
   * `ssh user@host 'command args'`: runs one console command; exit status 0, 1, or 127
   * for an unknown command. With `terminal` (`ssh -t`: a pty-req before the exec) the
   * output has CRLF line ends and passwd asks without echo, as in the shell.
   */
  command(line: string, channel: ByteChannel, peer: ChannelPeer, terminal?: ShellTerminal | null): Promise<void>;
  /** An interactive session; `terminal` is the pty (pty-req, RFC 4254 §6.2) or null without one. */
  shell(channel: ByteChannel, peer: ChannelPeer, terminal: ShellTerminal | null): Promise<void>;
}

export function createConsoleService(deps: ConsoleDeps): ConsoleService {
  return {
    command: (line, channel, peer, terminal) => new ConsoleSession(deps, channel, peer, terminal ?? null).exec(line),
    shell: (channel, peer, terminal) => new ConsoleSession(deps, channel, peer, terminal).shell(),
  };
}
