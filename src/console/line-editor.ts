// The console's line editor on a pty: keystroke octets in, the edited line and the
// octets that show it out. No I/O: the session feeds what the channel delivers (one
// octet at a time or many) and writes what comes back, so every key is unit-tested.
//
// The client's terminal is in raw mode (RFC 4254 §6.2 pty-req; OpenSSH's ssh -t puts
// the local tty in raw mode), so the server echoes and edits. Keys are the ones
// readline and linenoise give: ^A/^E/Home/End, ^B/^F/arrows, Backspace (DEL and ^H),
// Delete (ESC [ 3 ~), ^U, ^K, ^W, ^L, Up/Down history, ^C, ^D, Enter (CR or LF).
// Escape sequences follow ECMA-48 §5.4 (CSI: parameter octets 0x30-0x3F, intermediates
// 0x20-0x2F, a final octet 0x40-0x7E) and SS3 (ESC O x, the VT100 application keypad);
// those not known are dropped whole, never inserted. Each code point takes one column
// (wide East Asian characters and combining marks are not measured).

import { History } from './history.ts';

export type EditorEvent =
  /** Enter: the line as typed. */
  | { kind: 'line'; text: string }
  /** ^D on an empty line. */
  | { kind: 'eof' }
  /** ^C: the line is dropped. */
  | { kind: 'interrupt' };

export interface EditorOptions {
  prompt: string;
  /** Terminal width; wrapping is computed from it (pty-req / window-change, RFC 4254 §6.2, §6.7). */
  columns: number;
  /** Longest line in UTF-8 octets; keys that would pass it ring the bell. */
  maxBytes: number;
  /** null: the line is not recorded (a password). */
  history: History | null;
  /** Echo nothing of the line (passwords), only the prompt. */
  mask?: boolean;
  /** The previous line ended with CR: an LF right after it is that line end's second half. */
  afterCr?: boolean;
  /** Tab: the words that may complete the first word typed so far (command names). */
  complete?: (prefix: string) => readonly string[];
}

export interface FeedResult {
  /** Octets to write to the terminal. */
  output: string;
  /** Set when the line is finished; the octets after `consumed` belong to the next line. */
  event?: EditorEvent;
  /** Octets of the input used (all of them unless an event came first). */
  consumed: number;
}

const ESC = 0x1b;
const BELL = '\x07';
const MAX_SEQUENCE = 32;

type Escape =
  | { name: 'none' }
  | { name: 'esc' }
  | { name: 'csi'; params: string; overflow: boolean }
  | { name: 'ss3' };

export class LineEditor {
  private readonly prompt: string;
  private readonly promptWidth: number;
  private columns: number;
  private readonly maxBytes: number;
  private readonly history: History | null;
  private readonly mask: boolean;
  private skipLf: boolean;
  private readonly complete: ((prefix: string) => readonly string[]) | null;

  /** The line as code points. */
  private chars: string[] = [];
  private cursor = 0;
  /** Rows between the first row of the prompt and the terminal's cursor. */
  private cursorRow = 0;
  private escape: Escape = { name: 'none' };
  /** A UTF-8 sequence still missing octets. */
  private utf8: number[] = [];
  private utf8Need = 0;
  /** Where Up/Down stand: history.length = the line being typed. */
  private historyIndex: number;
  private draft: string[] | null = null;
  private finished = false;
  /** The screen does not show the line as it is (drawn at the end of the chunk). */
  private dirty = false;

  constructor(options: EditorOptions) {
    this.prompt = options.prompt;
    this.promptWidth = [...options.prompt].length;
    this.columns = Math.max(1, options.columns);
    this.maxBytes = options.maxBytes;
    this.history = options.history;
    this.mask = options.mask === true;
    this.skipLf = options.afterCr === true;
    this.complete = options.complete ?? null;
    this.historyIndex = this.history?.length ?? 0;
  }

  /** The line so far. */
  get text(): string {
    return this.chars.join('');
  }

  /** Cursor position in code points. */
  get position(): number {
    return this.cursor;
  }

  /** The prompt, to write when the editor starts. */
  start(): string {
    this.cursorRow = 0;
    return this.render();
  }

  feed(input: Uint8Array): FeedResult {
    let output = '';
    for (let i = 0; i < input.length; i++) {
      if (this.finished) return { output, consumed: i };
      const octet = input[i]!;
      if (this.skipLf) {
        this.skipLf = false;
        if (octet === 0x0a) continue;
      }
      const step = this.key(octet);
      // One bell per feed is enough, however much was refused.
      output += step.output === BELL && output.endsWith(BELL) ? '' : step.output;
      if (step.event) {
        this.finished = true;
        return { output, event: step.event, consumed: i + 1 };
      }
    }
    // The edits of one chunk (a paste) are drawn once, not once per key.
    return { output: output + this.flush(), consumed: input.length };
  }

  /** A new terminal width (window-change): redraw for it. */
  resize(columns: number): string {
    this.columns = Math.max(1, columns);
    // The terminal reflowed what was shown: start again from a fresh line.
    this.cursorRow = 0;
    return '\r\n' + this.render();
  }

  /** Shows `text` (CRLF line ends) above the line being typed, then the line again. */
  notice(text: string): string {
    return this.clearArea() + text + (text.endsWith('\r\n') || text === '' ? '' : '\r\n') + this.render();
  }

  // ---------------------------------------------------------------------------

  private key(octet: number): { output: string; event?: EditorEvent } {
    switch (this.escape.name) {
      case 'esc':
        return this.afterEsc(octet);
      case 'csi':
        return this.inCsi(this.escape, octet);
      case 'ss3':
        this.escape = { name: 'none' };
        return this.ss3(octet);
      case 'none':
        break;
    }
    if (this.utf8Need > 0) return this.continueUtf8(octet);
    if (octet >= 0x20 && octet < 0x7f) return { output: this.insert(String.fromCharCode(octet)) };
    if (octet >= 0x80) return this.startUtf8(octet);
    return this.control(octet);
  }

  private control(octet: number): { output: string; event?: EditorEvent } {
    switch (octet) {
      case 0x0d: // CR: Enter; an LF right after it is the same line end
        this.skipLf = true;
        return this.enter();
      case 0x0a:
        return this.enter();
      case 0x01: // ^A
        return { output: this.moveTo(0) };
      case 0x05: // ^E
        return { output: this.moveTo(this.chars.length) };
      case 0x02: // ^B
        return { output: this.moveTo(this.cursor - 1) };
      case 0x06: // ^F
        return { output: this.moveTo(this.cursor + 1) };
      case 0x08: // ^H
      case 0x7f: // DEL, what Backspace sends
        return { output: this.backspace() };
      case 0x04: // ^D: end of input on an empty line, else delete under the cursor
        if (this.chars.length === 0) return { output: '\r\n', event: { kind: 'eof' } };
        return { output: this.deleteForward() };
      case 0x03: // ^C
        this.toEnd();
        return { output: this.flush() + '^C\r\n', event: { kind: 'interrupt' } };
      case 0x0b: // ^K: kill to the end
        return { output: this.edit(this.chars.slice(0, this.cursor), this.cursor) };
      case 0x15: // ^U: kill to the start
        return { output: this.edit(this.chars.slice(this.cursor), 0) };
      case 0x17: // ^W: the word before the cursor
        return { output: this.deleteWordBack() };
      case 0x09: // Tab: complete the command name
        return { output: this.completeWord() };
      case 0x0c: // ^L: clear the screen, redraw
        this.cursorRow = 0;
        return { output: '\x1b[H\x1b[2J' + this.render() };
      case 0x10: // ^P
        return { output: this.historyStep(-1) };
      case 0x0e: // ^N
        return { output: this.historyStep(1) };
      case ESC:
        this.escape = { name: 'esc' };
        return { output: '' };
      default:
        return { output: '' };
    }
  }

  private afterEsc(octet: number): { output: string } {
    if (octet === 0x5b) {
      this.escape = { name: 'csi', params: '', overflow: false };
      return { output: '' };
    }
    if (octet === 0x4f) {
      this.escape = { name: 'ss3' };
      return { output: '' };
    }
    if (octet === ESC) return { output: '' }; // ESC ESC: still one escape pending
    this.escape = { name: 'none' };
    // Meta-b / Meta-f (readline's word moves); any other ESC x is dropped.
    if (octet === 0x62) return { output: this.moveTo(this.wordStart()) };
    if (octet === 0x66) return { output: this.moveTo(this.wordEnd()) };
    return { output: '' };
  }

  private inCsi(state: { params: string; overflow: boolean }, octet: number): { output: string; event?: EditorEvent } {
    if (octet >= 0x20 && octet <= 0x3f) {
      if (state.params.length < MAX_SEQUENCE) state.params += String.fromCharCode(octet);
      else state.overflow = true;
      return { output: '' };
    }
    this.escape = { name: 'none' };
    if (octet >= 0x40 && octet <= 0x7e) return state.overflow ? { output: '' } : { output: this.csi(state.params, String.fromCharCode(octet)) };
    // ECMA-48 §5.4: a control inside a control sequence is acted on; the sequence is abandoned.
    return this.key(octet);
  }

  private csi(params: string, final: string): string {
    const ctrl = params === '1;5' || params === '5';
    switch (final) {
      case 'A':
        return this.historyStep(-1);
      case 'B':
        return this.historyStep(1);
      case 'C':
        return this.moveTo(ctrl ? this.wordEnd() : this.cursor + 1);
      case 'D':
        return this.moveTo(ctrl ? this.wordStart() : this.cursor - 1);
      case 'H':
        return this.moveTo(0);
      case 'F':
        return this.moveTo(this.chars.length);
      case '~':
        // VT220 editing keys: 1/7 Home, 4/8 End, 3 Delete.
        if (params === '1' || params === '7') return this.moveTo(0);
        if (params === '4' || params === '8') return this.moveTo(this.chars.length);
        if (params === '3') return this.deleteForward();
        return '';
      default:
        return '';
    }
  }

  private ss3(octet: number): { output: string } {
    switch (String.fromCharCode(octet)) {
      case 'A':
        return { output: this.historyStep(-1) };
      case 'B':
        return { output: this.historyStep(1) };
      case 'C':
        return { output: this.moveTo(this.cursor + 1) };
      case 'D':
        return { output: this.moveTo(this.cursor - 1) };
      case 'H':
        return { output: this.moveTo(0) };
      case 'F':
        return { output: this.moveTo(this.chars.length) };
      default:
        return { output: '' };
    }
  }

  // UTF-8 (RFC 3629 §4): overlong forms, surrogates and code points past U+10FFFF are dropped.
  private startUtf8(octet: number): { output: string } {
    if (octet >= 0xc2 && octet <= 0xdf) this.utf8Need = 1;
    else if (octet >= 0xe0 && octet <= 0xef) this.utf8Need = 2;
    else if (octet >= 0xf0 && octet <= 0xf4) this.utf8Need = 3;
    else return { output: '' };
    this.utf8 = [octet];
    return { output: '' };
  }

  private continueUtf8(octet: number): { output: string; event?: EditorEvent } {
    if ((octet & 0xc0) !== 0x80) {
      // A broken sequence: drop it, and read this octet afresh.
      this.utf8 = [];
      this.utf8Need = 0;
      return this.key(octet);
    }
    this.utf8.push(octet);
    if (--this.utf8Need > 0) return { output: '' };
    const bytes = this.utf8;
    this.utf8 = [];
    let cp: number;
    if (bytes.length === 2) cp = ((bytes[0]! & 0x1f) << 6) | (bytes[1]! & 0x3f);
    else if (bytes.length === 3) cp = ((bytes[0]! & 0x0f) << 12) | ((bytes[1]! & 0x3f) << 6) | (bytes[2]! & 0x3f);
    else cp = ((bytes[0]! & 0x07) << 18) | ((bytes[1]! & 0x3f) << 12) | ((bytes[2]! & 0x3f) << 6) | (bytes[3]! & 0x3f);
    const minimum = bytes.length === 2 ? 0x80 : bytes.length === 3 ? 0x800 : 0x10000;
    if (cp < minimum || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return { output: '' };
    // C1 controls (U+0080-U+009F) and the line/paragraph separators are not text to insert.
    if (cp <= 0x9f || cp === 0x2028 || cp === 0x2029) return { output: '' };
    return { output: this.insert(String.fromCodePoint(cp)) };
  }

  // ---------------------------------------------------------------------------
  // Edits. Each returns the octets that bring the terminal up to date.

  private insert(char: string): string {
    if (Buffer.byteLength(this.text) + Buffer.byteLength(char) > this.maxBytes) return BELL;
    const atEnd = this.cursor === this.chars.length;
    this.chars.splice(this.cursor, 0, char);
    this.cursor++;
    this.draft = null;
    // Typing at the end without reaching the right margin: the echo is the character.
    if (atEnd && !this.mask && !this.dirty && (this.promptWidth + this.cursor) % this.columns !== 0) return char;
    return this.markDirty();
  }

  /** Inserts several characters at the cursor, as far as the bound allows. */
  private insertText(text: string): string {
    let room = this.maxBytes - Buffer.byteLength(this.text);
    const added: string[] = [];
    for (const char of text) {
      room -= Buffer.byteLength(char);
      if (room < 0) break;
      added.push(char);
    }
    if (added.length === 0) return BELL;
    return this.edit([...this.chars.slice(0, this.cursor), ...added, ...this.chars.slice(this.cursor)], this.cursor + added.length);
  }

  /** readline's Tab on the first word: the one completion, the longest common part, or the list. */
  private completeWord(): string {
    if (!this.complete || this.mask) return '';
    const typed = this.text;
    if (this.cursor !== this.chars.length || typed.includes(' ')) return BELL;
    const candidates = this.complete(typed).filter((c) => c.startsWith(typed));
    if (candidates.length === 0) return BELL;
    if (candidates.length === 1) return this.insertText(candidates[0]!.slice(typed.length) + ' ');
    let common = candidates[0]!;
    for (const c of candidates) while (!c.startsWith(common)) common = common.slice(0, -1);
    if (common.length > typed.length) return this.insertText(common.slice(typed.length));
    return this.notice(candidates.join('  '));
  }

  private backspace(): string {
    if (this.cursor === 0) return '';
    const next = [...this.chars];
    next.splice(this.cursor - 1, 1);
    return this.edit(next, this.cursor - 1);
  }

  private deleteForward(): string {
    if (this.cursor >= this.chars.length) return '';
    const next = [...this.chars];
    next.splice(this.cursor, 1);
    return this.edit(next, this.cursor);
  }

  private deleteWordBack(): string {
    const start = this.wordStart();
    return this.edit([...this.chars.slice(0, start), ...this.chars.slice(this.cursor)], start);
  }

  private wordStart(): number {
    let i = this.cursor;
    while (i > 0 && this.chars[i - 1] === ' ') i--;
    while (i > 0 && this.chars[i - 1] !== ' ') i--;
    return i;
  }

  private wordEnd(): number {
    let i = this.cursor;
    while (i < this.chars.length && this.chars[i] === ' ') i++;
    while (i < this.chars.length && this.chars[i] !== ' ') i++;
    return i;
  }

  private edit(chars: string[], cursor: number): string {
    this.chars = chars;
    this.cursor = Math.max(0, Math.min(cursor, chars.length));
    return this.markDirty();
  }

  private moveTo(position: number): string {
    const target = Math.max(0, Math.min(position, this.chars.length));
    if (target === this.cursor) return '';
    this.cursor = target;
    return this.markDirty();
  }

  private historyStep(direction: -1 | 1): string {
    if (!this.history || this.history.length === 0) return '';
    const index = this.historyIndex + direction;
    if (index < 0 || index > this.history.length) return '';
    if (this.historyIndex === this.history.length) this.draft = [...this.chars];
    this.historyIndex = index;
    const line = index === this.history.length ? (this.draft ?? []) : [...this.history.at(index)];
    // A line recorded under a larger bound is cut to this editor's.
    while (Buffer.byteLength(line.join('')) > this.maxBytes) line.pop();
    return this.edit(line, line.length);
  }

  private enter(): { output: string; event: EditorEvent } {
    const text = this.text;
    if (this.history && !this.mask) this.history.add(text);
    this.toEnd();
    return { output: this.flush() + this.newLine(), event: { kind: 'line', text } };
  }

  /** A line end after the line, unless the cursor already sits on a fresh row (the line filled its last one). */
  private newLine(): string {
    const end = this.promptWidth + (this.mask ? 0 : this.chars.length);
    return end > 0 && end % this.columns === 0 ? '\r' : '\r\n';
  }

  // ---------------------------------------------------------------------------
  // Drawing: the prompt and line are redrawn whole from their first row (as linenoise's
  // multi-line mode does), so wrapping at the margin never leaves stale characters.

  private shown(): string {
    return this.mask ? '' : this.text;
  }

  private shownCursor(): number {
    return this.mask ? 0 : this.cursor;
  }

  /** Moves the terminal's cursor to the first column of the prompt's first row and clears below. */
  private clearArea(): string {
    const up = this.cursorRow > 0 ? `\x1b[${this.cursorRow}A` : '';
    this.cursorRow = 0;
    return up + '\r\x1b[J';
  }

  private render(): string {
    this.dirty = false;
    let out = this.clearArea() + this.prompt + this.shown();
    const end = this.promptWidth + (this.mask ? 0 : this.chars.length);
    // At the right margin the terminal waits to wrap; a line end puts the cursor below.
    if (end > 0 && end % this.columns === 0) out += '\r\n';
    const endRow = Math.floor(end / this.columns);
    const target = this.promptWidth + this.shownCursor();
    const row = Math.floor(target / this.columns);
    this.cursorRow = row;
    // The cursor is where the text ended: nothing to move.
    if (target === end) return out;
    const column = target % this.columns;
    if (endRow > row) out += `\x1b[${endRow - row}A`;
    return out + '\r' + (column > 0 ? `\x1b[${column}C` : '');
  }

  /** Puts the cursor after the line's last character, for what comes after it. */
  private toEnd(): void {
    if (this.mask || this.cursor === this.chars.length) return;
    this.cursor = this.chars.length;
    this.dirty = true;
  }

  /** The line changed; it is drawn at the end of the chunk (flush). */
  private markDirty(): string {
    this.dirty = true;
    return '';
  }

  private flush(): string {
    return this.dirty ? this.render() : '';
  }
}
