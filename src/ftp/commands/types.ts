import type { FtpSession } from '../session.ts';

/** One entry of the command table. */
export interface Command {
  /** RFC 959 §5.4: most commands need a completed login (530 otherwise). */
  needsLogin: boolean;
  /** `argument` is the rest of the line after the verb and one space. Throws FtpError for a failure reply. */
  run(session: FtpSession, argument: string): Promise<void> | void;
}
