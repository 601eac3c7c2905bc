// Open console terminals per account (SSH shell sessions and, later, the web console),
// so that SMTP SEND/SOML/SAML (RFC 821 §3.5) can show a message on the recipient's
// terminal. A console session attaches while it is open; a notice for an account
// reaches every terminal of that account, in this process and in the other workers.

export interface TerminalNotice {
  /** Who sent it: the authenticated account, with the envelope sender when that differs (src/smtp/commands/terminal.ts). */
  from: string;
  /** The message as text to show: header lines and body, CRLF line ends. */
  text: string;
  at: Date;
}

export interface TerminalAttachment {
  /** Stops delivery to this terminal; idempotent. */
  detach(): void;
}

export interface TerminalRegistry {
  /** Registers an open terminal of the account; `show` is called for each notice. */
  attach(accountId: number, show: (notice: TerminalNotice) => void): TerminalAttachment;
  /** Whether the account has at least one open terminal anywhere (any worker). */
  hasTerminal(accountId: number): Promise<boolean>;
  /** Shows the notice on every open terminal of the account; how many it reached. */
  send(accountId: number, notice: TerminalNotice): Promise<number>;
}
