// The console's framing: a command line split into words the way a POSIX shell quotes
// them (POSIX.1-2017 XCU §2.2: backslash, '...' and "..."; no expansion, no operators,
// since nothing here runs an operating-system command), and the output side: line
// ends for a pty (CRLF, as the terminal's output processing is the server's job), text
// from the store made safe to show, and columns.

import type { Writable } from 'node:stream';

export class WordsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WordsError';
  }
}

/** "user add 'a b' \"c\\\"d\"" → ["user", "add", "a b", 'c"d']. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === '\\') {
      if (i + 1 < line.length) word += line[++i];
      continue;
    }
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1) throw new WordsError('unterminated quote (\')');
      word += line.slice(i + 1, end);
      i = end;
      continue;
    }
    if (c === '"') {
      // §2.2.3: inside double quotes a backslash escapes only $ ` " \ and a line end.
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '$`"\\'.includes(line[j + 1]!)) j++;
        word += line[j];
      }
      if (j >= line.length) throw new WordsError('unterminated quote (")');
      i = j;
      continue;
    }
    word += c;
  }
  if (inWord) words.push(word);
  return words;
}

// C0 and C1 controls (an ESC in a subject or file name would drive the user's terminal)
// and the bidirectional overrides that reorder what is shown (CVE-2021-42574).
const UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** One line of text from outside (a subject, a file name, a notice line) as it may be shown. */
export function printable(text: string): string {
  return text.replace(UNSAFE, '?');
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function columns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - [...cell].length))).join('  ').trimEnd());
}

/** 1536 → "1.5 KiB". */
export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} ${units[unit]}`;
}

/** Writes text honouring back-pressure. */
export function writeText(stream: Writable, text: string): Promise<void> {
  if (text === '' || stream.destroyed || stream.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    if (stream.write(text)) resolve();
    else {
      const done = () => {
        stream.off('drain', done);
        stream.off('close', done);
        stream.off('error', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('close', done);
      stream.on('error', done);
    }
  });
}

/** LF → CRLF for a pty (a CRLF already there stays one). */
export function forTerminal(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}
