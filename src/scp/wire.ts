// The legacy SCP ("rcp") protocol as OpenSSH's scp.c speaks it (`scp -O`, or any scp
// before OpenSSH 9.0): the client runs `scp -t PATH` (we are the sink and receive) or
// `scp -f PATH...` (we are the source and send) as an SSH exec request (RFC 4254
// §6.5), and the two ends then exchange record lines on the channel:
//   C<mode> <size> <name>\n   a file of <size> octets follows, then one 0x00
//   D<mode> 0 <name>\n        a directory follows (its records, then E); -r only
//   E\n                       end of the current directory
//   T<mtime> 0 <atime> 0\n    times of the next C or D record; -p only
// Every record is answered by one status octet: 0x00 ok, 0x01 warning (a message line
// follows, the transfer goes on), 0x02 fatal (a message line follows, the peer stops).
// There is no RFC; the reference is OpenSSH's scp.c (sink(), source(), response()).

export class ScpProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScpProtocolError';
  }
}

/** Limits on what a peer may send (scp.c itself caps a record line at its buffer). */
export const SCP_LIMITS = {
  /** A record line, without its LF (scp.c reads into a 2048-octet buffer). */
  maxLine: 4096,
  /** One path component, as NAME_MAX on Linux. */
  maxName: 255,
  /** Nesting of D records (each level holds an open directory walk on our side). */
  maxDepth: 64,
  /** A file size: what a JavaScript number counts exactly. */
  maxSize: Number.MAX_SAFE_INTEGER,
} as const;

export const ACK_OK = 0x00;
export const ACK_WARNING = 0x01;
export const ACK_FATAL = 0x02;

export type ScpRecord =
  | { kind: 'file'; mode: number; size: number; name: string }
  | { kind: 'dir'; mode: number; name: string }
  | { kind: 'end' }
  | { kind: 'times'; mtime: number; atime: number }
  /** A status line from the peer (0x01 or 0x02 then a message), e.g. a source that cannot read a file. */
  | { kind: 'status'; fatal: boolean; message: string };

/**
 * Whether `name` may be the name of a record: one path component, so a sink writes
 * only inside the folder it was given. A hostile source (CVE-2019-6111, CVE-2018-20685)
 * sends "../x", "/etc/x", "a/b", "." or ".." to write elsewhere; each is refused here.
 */
export function validRecordName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\0\n]/.test(name) && Buffer.byteLength(name) <= SCP_LIMITS.maxName;
}

/** The protocol's mode field: four octal digits (scp.c accepts exactly that). */
function parseMode(text: string): number {
  if (!/^[0-7]{4}$/.test(text)) throw new ScpProtocolError('bad mode');
  return Number.parseInt(text, 8);
}

function parseDecimal(text: string, what: string, max: number): number {
  if (!/^[0-9]{1,16}$/.test(text)) throw new ScpProtocolError(`bad ${what}`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n > max) throw new ScpProtocolError(`${what} too large`);
  return n;
}

/** One record line (without its LF), as scp.c's sink() reads it. */
export function parseRecord(line: Buffer): ScpRecord {
  if (line.length === 0) throw new ScpProtocolError('empty record');
  const type = line[0]!;
  if (type === ACK_WARNING || type === ACK_FATAL) {
    return { kind: 'status', fatal: type === ACK_FATAL, message: sanitizeMessage(line.subarray(1).toString('utf8')) };
  }
  const text = line.toString('utf8');
  // Names are octets on the wire; a line that is not UTF-8 would not round-trip.
  if (!Buffer.from(text, 'utf8').equals(line)) throw new ScpProtocolError('record is not UTF-8');
  if (text.includes('\0')) throw new ScpProtocolError('record holds a NUL octet');
  switch (text[0]) {
    case 'E':
      if (text !== 'E') throw new ScpProtocolError('bad E record');
      return { kind: 'end' };
    case 'T': {
      // scp.c: "T%llu 0 %llu 0" (mtime, its microseconds, atime, its microseconds).
      const m = /^T([0-9]+) ([0-9]+) ([0-9]+) ([0-9]+)$/.exec(text);
      if (!m) throw new ScpProtocolError('bad T record');
      const mtime = parseDecimal(m[1]!, 'mtime', 2 ** 40);
      const atime = parseDecimal(m[3]!, 'atime', 2 ** 40);
      parseDecimal(m[2]!, 'mtime.usec', 999_999);
      parseDecimal(m[4]!, 'atime.usec', 999_999);
      return { kind: 'times', mtime, atime };
    }
    case 'C':
    case 'D': {
      const firstSpace = text.indexOf(' ');
      const secondSpace = firstSpace < 0 ? -1 : text.indexOf(' ', firstSpace + 1);
      if (firstSpace < 0 || secondSpace < 0) throw new ScpProtocolError(`bad ${text[0]} record`);
      const mode = parseMode(text.slice(1, firstSpace));
      const size = parseDecimal(text.slice(firstSpace + 1, secondSpace), 'size', SCP_LIMITS.maxSize);
      const name = text.slice(secondSpace + 1);
      // "." names the folder itself (a source sends it for `scp -r host:. dir`): a D record only.
      if (!(validRecordName(name) || (text[0] === 'D' && name === '.'))) throw new ScpProtocolError(`unexpected filename: ${printable(name)}`);
      return text[0] === 'C' ? { kind: 'file', mode, size, name } : { kind: 'dir', mode, name };
    }
    default:
      throw new ScpProtocolError(`unknown record type ${printable(text.slice(0, 1))}`);
  }
}

/** The permission bits a record may carry: no setuid, setgid or sticky bit (scp.c masks with 07777 and umask; we keep 0777). */
export const MODE_MASK = 0o777;

const octal4 = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

export function formatFileRecord(mode: number, size: number, name: string): Buffer {
  return Buffer.from(`C${octal4(mode & MODE_MASK)} ${size} ${name}\n`, 'utf8');
}

export function formatDirRecord(mode: number, name: string): Buffer {
  return Buffer.from(`D${octal4(mode & MODE_MASK)} 0 ${name}\n`, 'utf8');
}

export const END_RECORD = Buffer.from('E\n');

export function formatTimesRecord(mtime: Date, atime: Date): Buffer {
  const s = (d: Date): number => Math.max(0, Math.floor(d.getTime() / 1000));
  return Buffer.from(`T${s(mtime)} 0 ${s(atime)} 0\n`);
}

/** A status line: 0x01 (warning) or 0x02 (fatal), the message, LF. */
export function formatStatus(fatal: boolean, message: string): Buffer {
  return Buffer.concat([Buffer.from([fatal ? ACK_FATAL : ACK_WARNING]), Buffer.from(`${sanitizeMessage(message)}\n`, 'utf8')]);
}

/** One line of printable text (a message a peer will print on its terminal). */
export function sanitizeMessage(text: string): string {
  return printable(text).slice(0, 1024);
}

/** Control characters shown as "?", so a name cannot move a terminal's cursor. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

// ---- the command line ----------------------------------------------------------

export interface ScpCommand {
  /** -t: we receive (sink); -f: we send (source). */
  direction: 'sink' | 'source';
  recursive: boolean;
  preserveTimes: boolean;
  /** -d: the target must be a directory (the client sends several files). */
  targetIsDirectory: boolean;
  /** One target for -t; one or more sources for -f. */
  paths: string[];
}

/**
 * Splits a command line the way the remote shell would for the words OpenSSH's scp
 * writes: whitespace separates, single quotes keep everything literally, double quotes
 * keep everything but backslash escapes, a backslash escapes the next character.
 * (OpenSSH passes a path as the user typed it after "host:", so `'a b'` and `a\ b`
 * both arrive.) null for unbalanced quotes or a NUL.
 */
export function splitShellWords(line: string): string[] | null {
  if (line.includes('\0')) return null;
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return null;
      word += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      i++;
      for (; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) i++;
        word += line[i];
      }
      if (i >= line.length) return null;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= line.length) return null;
      i++;
      if (line[i] !== '\n') word += line[i];
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * The exec command OpenSSH's scp sends for the legacy protocol: "scp" (or a path
 * ending in "/scp"), then single-letter options among -t -f -r -p -d -v (each alone or
 * grouped, as "-rpt"), an optional "--", then the paths. null for anything else, so
 * the SSH server can refuse other commands.
 */
export function parseScpCommand(line: string): ScpCommand | null {
  const words = splitShellWords(line);
  if (!words || words.length < 2) return null;
  const program = words[0]!;
  if (program !== 'scp' && !program.endsWith('/scp')) return null;
  let direction: ScpCommand['direction'] | null = null;
  let recursive = false;
  let preserveTimes = false;
  let targetIsDirectory = false;
  let i = 1;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') {
      i++;
      break;
    }
    if (!w.startsWith('-') || w === '-') break;
    for (const letter of w.slice(1)) {
      switch (letter) {
        case 't':
        case 'f': {
          const d = letter === 't' ? 'sink' : 'source';
          if (direction && direction !== d) return null;
          direction = d;
          break;
        }
        case 'r':
          recursive = true;
          break;
        case 'p':
          preserveTimes = true;
          break;
        case 'd':
          targetIsDirectory = true;
          break;
        case 'v':
          break; // verbose: scp.c prints debug lines on stderr; nothing to do here
        default:
          return null;
      }
    }
  }
  const paths = words.slice(i);
  if (!direction || paths.length === 0) return null;
  // scp.c's sink takes exactly one target ("ambiguous target" otherwise).
  if (direction === 'sink' && paths.length !== 1) return null;
  return { direction, recursive, preserveTimes, targetIsDirectory, paths };
}
