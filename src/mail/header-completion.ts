// Adds Message-ID and Date to a submitted message that lacks them (RFC 6409 §8.2,
// §8.3), and From (RFC 5322 §3.6 requires it) from the envelope sender, as a
// streaming filter: only the header block is held in memory (up to a limit), the
// body passes straight through. The completed header is kept for the submission
// sender binding (sender-binding.ts), which reads From: and Sender: in it.

import { randomUUID } from 'node:crypto';
import { formatMailDate } from './mail-date.ts';

const CR = 0x0d;
const LF = 0x0a;

export interface HeaderCompletionOptions {
  hostname: string;
  date: Date;
  /** Octets of header to hold at most; beyond it the message passes through unchanged. */
  limit: number;
  /** Written as "From: <this>" when the message has no From field; the envelope sender, already checked. */
  from?: string;
}

export class HeaderCompleter {
  private readonly options: HeaderCompletionOptions;
  private held: Buffer[] = [];
  private heldSize = 0;
  /** How many octets of CR LF CR LF have been seen; the message start counts as after a CRLF. */
  private matched = 2;
  private passing = false;
  /** Set when the header was complete and fields were added (for logs and tests). */
  added: string[] = [];
  /** The header block as stored (added fields first); null until complete or when over the limit. */
  header: Buffer | null = null;

  constructor(options: HeaderCompletionOptions) {
    this.options = options;
  }

  /** Returns what may be written now (possibly nothing while the header is incomplete). */
  push(chunk: Buffer): Buffer[] {
    if (this.passing) return [chunk];
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      const before = this.matched;
      // A line end is CRLF or a bare LF: looking for two line ends in a row.
      if (b === LF) this.matched = before === 1 || before === 3 ? before + 1 : before === 2 ? 4 : 2;
      else if (b === CR) this.matched = before === 2 ? 3 : 1;
      else this.matched = 0;
      if (this.matched === 4) {
        // The header ends where the blank line starts: at its CR (CRLF) or its LF (bare LF).
        const blankStart = this.heldSize + i - (before === 3 ? 1 : 0);
        const all = Buffer.concat([...this.held, chunk]);
        this.release();
        return [...this.complete(all.subarray(0, blankStart)), all.subarray(blankStart)];
      }
    }
    this.held.push(chunk);
    this.heldSize += chunk.length;
    if (this.heldSize > this.options.limit) {
      const out = this.held;
      this.release();
      return out;
    }
    return [];
  }

  /** At the end of the message: a message that is all header gets its fields too. */
  end(): Buffer[] {
    if (this.passing) return [];
    const all = Buffer.concat(this.held);
    this.release();
    return this.complete(all);
  }

  private release(): void {
    this.passing = true;
    this.held = [];
    this.heldSize = 0;
  }

  private complete(header: Buffer): Buffer[] {
    const names = new Set<string>();
    // Field names start a line (RFC 5322 §2.2); folded lines start with WSP.
    for (const line of header.toString('latin1').split('\n')) {
      const m = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:/.exec(line);
      if (m) names.add(m[1]!.toLowerCase());
    }
    const extra: string[] = [];
    if (!names.has('message-id')) extra.push(`Message-ID: <${randomUUID()}@${this.options.hostname}>\r\n`);
    if (!names.has('date')) extra.push(`Date: ${formatMailDate(this.options.date)}\r\n`);
    // A From: name written with blanks around it counts as present (sender-binding.ts reads it so).
    if (this.options.from && ![...names].some((n) => n.trim() === 'from')) extra.push(`From: ${this.options.from}\r\n`);
    this.added = extra.map((f) => f.slice(0, f.indexOf(':')));
    const parts = extra.length > 0 ? [Buffer.from(extra.join('')), header] : [header];
    this.header = Buffer.concat(parts);
    return parts;
  }
}
