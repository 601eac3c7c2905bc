// Everything the SSH server says to a client outside the channels' data, in one place:
// the identification string, disconnect reasons, what a refused connection hears, the
// keyboard-interactive prompt, and the one mapper from a failure to what the client
// is told (a disconnect reason or a channel's exit status and message).

import { refusalText, type Refusal } from '../core/service/refusals.ts';

/**
 * RFC 4253 §4.2: "SSH-protoversion-softwareversion SP comments"; ssh2 adds "SSH-2.0-".
 * No version number: it tells an attacker nothing (OpenSSH's is famous for that).
 */
export const IDENT = 'Septet';

/** RFC 4253 §11.1 disconnect reason codes (the ones this server sends). */
export const DISCONNECT = {
  PROTOCOL_ERROR: 2,
  BY_APPLICATION: 11,
  TOO_MANY_CONNECTIONS: 12,
  NO_MORE_AUTH_METHODS_AVAILABLE: 14,
} as const;

/**
 * A connection refused before the SSH exchange (limits, bans, start-up): a text line
 * and the close. RFC 4253 §4.2 lets a server send lines before its version string;
 * OpenSSH's ssh shows none of them, and reports "Connection closed by remote host".
 */
export function refusalLine(reason: Refusal): string {
  return `${refusalText[reason]}\r\n`;
}

/** The one keyboard-interactive prompt (RFC 4256 §3.2): a password, not echoed. */
export const PASSWORD_PROMPT = { prompt: 'Password: ', echo: false } as const;

/** Methods a client may try (RFC 4252 §5.1, the "authentications that can continue"). */
export const AUTH_METHODS = ['publickey', 'password', 'keyboard-interactive'];

/** Why the server ends a connection, for the log and the DISCONNECT it sends. */
export type Goodbye =
  | { name: 'too-many-auth-attempts' }
  | { name: 'login-deadline' }
  | { name: 'login-idle' }
  | { name: 'idle' }
  | { name: 'shutting-down' };

export function disconnectReason(goodbye: Goodbye): { code: number; log: string } {
  switch (goodbye.name) {
    case 'too-many-auth-attempts':
      // OpenSSH MaxAuthTries: "Too many authentication failures".
      return { code: DISCONNECT.NO_MORE_AUTH_METHODS_AVAILABLE, log: 'too many authentication attempts; disconnecting' };
    case 'login-deadline':
      // OpenSSH LoginGraceTime: "Timeout before authentication".
      return { code: DISCONNECT.BY_APPLICATION, log: 'no login before the deadline; disconnecting' };
    case 'login-idle':
      return { code: DISCONNECT.BY_APPLICATION, log: 'idle before login; disconnecting' };
    case 'idle':
      return { code: DISCONNECT.BY_APPLICATION, log: 'idle timeout; disconnecting' };
    case 'shutting-down':
      return { code: DISCONNECT.BY_APPLICATION, log: 'server shutting down; disconnecting' };
  }
}

/** Refused channel requests, logged at debug with these names. */
export const REFUSED_REQUEST = {
  x11: 'X11 forwarding is refused (RFC 4254 §6.3)',
  agent: 'agent forwarding is refused',
  tcpip: 'port forwarding is refused (RFC 4254 §7)',
  streamlocal: 'Unix socket forwarding is refused',
  global: 'global request refused (RFC 4254 §4)',
  unknownSubsystem: 'unknown subsystem',
  noService: 'that service is not available on this server',
  tooManySessions: 'too many sessions on this connection (ssh.max_sessions)',
} as const;

/** Text on stderr and exit status when an engine failed unexpectedly (RFC 4254 §6.10). */
export function engineFailure(): { status: number; message: string } {
  return { status: 1, message: 'septet: internal error, see the server log\r\n' };
}

/** The request is not offered (no engine wired): said on stderr of a command, exit 127 as a shell would. */
export function serviceMissing(what: string): { status: number; message: string } {
  return { status: 127, message: `septet: ${what} is not available on this server\r\n` };
}
