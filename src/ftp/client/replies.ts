// What the FTP client reads on its control connection: replies as RFC 959 §4.2
// frames them (one line "xyz text", or "xyz-first" ... "xyz last" for a multi-line
// reply), what their first digit says, and the replies whose text carries data
// (227 PASV, 229 EPSV, 257 PWD).

export interface FtpReply {
  code: number;
  /** The text of every line, codes removed, joined with "\n". */
  message: string;
}

export class FtpReplyError extends Error {
  readonly reply: FtpReply;
  constructor(command: string, reply: FtpReply) {
    super(`${command} → ${reply.code} ${reply.message}`);
    this.name = 'FtpReplyError';
    this.reply = reply;
  }
}

/** The server sent something that is not a reply: the conversation cannot go on. */
export class FtpProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FtpProtocolError';
  }
}

/**
 * One reply from its lines (CRLF removed). RFC 959 §4.2: a multi-line reply ends at
 * the first line that starts with the same code and a space; the lines between may
 * say anything (servers indent them by one space, which is removed).
 */
export async function readReply(nextLine: () => Promise<string>): Promise<FtpReply> {
  const first = await nextLine();
  if (!/^\d{3}[ -]/.test(first) && !/^\d{3}$/.test(first)) throw new FtpProtocolError(`malformed reply: ${first}`);
  const code = Number(first.slice(0, 3));
  const lines = [first.slice(4)];
  if (first[3] === '-') {
    const end = `${first.slice(0, 3)} `;
    for (;;) {
      const line = await nextLine();
      if (line.startsWith(end)) {
        lines.push(line.slice(4));
        break;
      }
      lines.push(line.startsWith(' ') ? line.slice(1) : line);
    }
  }
  return { code, message: lines.join('\n') };
}

/**
 * Whether a reply is one of those accepted: a single digit is a class (RFC 959 §4.2:
 * 1 preliminary, 2 completion, 3 intermediate), a larger number an exact code.
 */
export function isAccepted(reply: FtpReply, accepted: readonly number[]): boolean {
  return accepted.some((a) => (a < 10 ? replyClass(reply) === a : reply.code === a));
}

/** The first digit of the code. */
export function replyClass(reply: FtpReply): number {
  return Math.floor(reply.code / 100);
}

/** RFC 959 §4.1.3 / §4.2: "110 MARK yyyy = mmmm" may come before a transfer's final reply. */
export const RESTART_MARKER = 110;

/** RFC 2428 §3: "229 Entering Extended Passive Mode (|||port|)", any delimiter. */
export function parseEpsvPort(reply: FtpReply): number | null {
  const m = /\(([!-~])\1\1(\d+)\1\)/.exec(reply.message);
  return m ? Number(m[2]) : null;
}

/** RFC 959 §4.1.2: "227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)"; the port only. */
export function parsePasvPort(reply: FtpReply): number | null {
  const m = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(reply.message);
  return m ? Number(m[5]) * 256 + Number(m[6]) : null;
}

/** RFC 959 Appendix II: 257 "path" with doubled quotes inside; the text itself when unquoted. */
export function parseQuotedPath(reply: FtpReply): string {
  const m = /^"((?:[^"]|"")*)"/.exec(reply.message);
  return m ? m[1]!.replace(/""/g, '"') : reply.message;
}
