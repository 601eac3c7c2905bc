// Every text the console shows, and its typed failures. A command throws one of
// these (or a store/jail/admin error, mapped in dispatch.ts); a success is a line it writes.

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
/** As a POSIX shell answers a command it cannot find (XCU §2.8.2). */
export const EXIT_UNKNOWN = 127;

export type ConsoleErrorKind = 'usage' | 'denied' | 'failed' | 'unknown-command';

export class ConsoleError extends Error {
  readonly kind: ConsoleErrorKind;
  constructor(kind: ConsoleErrorKind, message: string) {
    super(message);
    this.name = 'ConsoleError';
    this.kind = kind;
  }
}

export const usageError = (usage: string, why?: string) => new ConsoleError('usage', why ? `${why}; usage: ${usage}` : `usage: ${usage}`);
export const failure = (message: string) => new ConsoleError('failed', message);

export const replies = {
  unknownCommand: (name: string) => `unknown command: ${name}; try help`,
  permissionDenied: (name: string) => `${name}: permission denied (administrators only)`,
  internalError: 'internal error; the server log has the details',
  lineTooLong: (max: number) => `line too long (at most ${max} octets)`,
  welcome: (address: string) => `Septet console for ${address}. Type "help" for the commands, "exit" to leave.`,
  prompt: (address: string) => `${address}> `,
  noticeHeader: (from: string, at: Date) => `*** message from ${from === '' ? '<>' : from} at ${at.toISOString().replace('T', ' ').slice(0, 19)} UTC ***`,
  noticeFooter: '*** end of message ***',
  accountGone: 'your account no longer exists',
  noSuchMailbox: (name: string) => `no such mailbox: ${name}`,
  noSuchFile: (path: string) => `no such file or folder: ${path}`,
  outsideHome: 'that path leads outside your home folder',
  badPath: (why: string) => `bad path: ${why}`,
  wrongPassword: 'wrong password; the password was not changed',
  passwordsDiffer: 'the new passwords differ; the password was not changed',
  passwordRaced: 'the password was changed meanwhile; not changed',
  passwordChanged: 'password changed',
  noInput: 'no input (end of stream)',
  oldPasswordPrompt: 'Old password: ',
  newPasswordPrompt: 'New password: ',
  againPrompt: 'Retype new password: ',
  passwordPrompt: 'Password: ',
  keyPrompt: 'Public key line: ',
  selfDelete: 'you cannot delete your own account from its console',
} as const;
