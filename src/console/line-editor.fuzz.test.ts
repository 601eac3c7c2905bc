// Seeded fuzz of the line editor: random keys, escape sequences (known, unknown,
// truncated, endless), UTF-8 (valid and broken) and raw octets, in random chunks down
// to one octet. It never throws, the line stays within its bound, and a small VT100
// screen model fed the editor's output always shows exactly prompt + line with the
// cursor where the editor says it is.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { int, pick, prng, type Rand } from '../core/testing/prng.ts';
import { History } from './history.ts';
import { LineEditor } from './line-editor.ts';

/** Enough of a VT100/xterm for what the editor writes (ECMA-48 CUU, CUF, ED, CUP home; autowrap with a pending wrap). */
class Screen {
  rows: string[][] = [[]];
  row = 0;
  col = 0;
  pendingWrap = false;
  readonly columns: number;
  constructor(columns: number) {
    this.columns = columns;
  }

  write(text: string): void {
    const chars = [...text];
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (c === '\x1b') {
        assert.equal(chars[i + 1], '[', `only CSI sequences are written: ${JSON.stringify(text)}`);
        let j = i + 2;
        let params = '';
        while (/[0-9;?]/.test(chars[j]!)) params += chars[j++];
        this.csi(params, chars[j]!);
        i = j;
      } else if (c === '\r') {
        this.col = 0;
        this.pendingWrap = false;
      } else if (c === '\n') {
        this.row++;
        this.pendingWrap = false;
      } else if (c === '\x07') {
        // bell
      } else {
        assert.ok(c >= ' ' && c !== '\x7f', `no control in the output: ${JSON.stringify(c)}`);
        if (this.pendingWrap) {
          this.row++;
          this.col = 0;
          this.pendingWrap = false;
        }
        this.line(this.row)[this.col] = c;
        if (this.col === this.columns - 1) this.pendingWrap = true;
        else this.col++;
      }
    }
  }

  private line(row: number): string[] {
    while (this.rows.length <= row) this.rows.push([]);
    return this.rows[row]!;
  }

  private csi(params: string, final: string): void {
    const n = Number(params || '1');
    this.pendingWrap = false;
    switch (final) {
      case 'A':
        this.row = Math.max(0, this.row - n);
        break;
      case 'C':
        this.col = Math.min(this.columns - 1, this.col + n);
        break;
      case 'J':
        if (params === '2') this.rows = [[]];
        else {
          this.line(this.row).length = this.col;
          this.rows.length = this.row + 1;
        }
        break;
      case 'H':
        this.row = 0;
        this.col = 0;
        break;
      default:
        assert.fail(`unexpected CSI ${params}${final}`);
    }
  }

  /** The text from `startRow` on, rows joined (each row exactly `columns` wide except the last). */
  textFrom(startRow: number): string {
    const rows = this.rows.slice(startRow).map((r) => Array.from({ length: r.length }, (_, i) => r[i] ?? ' ').join(''));
    return rows.map((r, i) => (i < rows.length - 1 ? r.padEnd(this.columns, ' ') : r)).join('').trimEnd();
  }
}

const KEYS = [
  'a', 'b', 'z', ' ', '~', '\t', 'm', 'q', 'h', '0', 'ä', '€', '😀', '\x7f', '\x08', '\x01', '\x05', '\x02', '\x06', '\x0b', '\x15', '\x17', '\x0c', '\x04',
  '\x1b[A', '\x1b[B', '\x1b[C', '\x1b[D', '\x1b[H', '\x1b[F', '\x1bOH', '\x1bOF', '\x1b[3~', '\x1b[1~', '\x1b[4~', '\x1b[1;5C', '\x1b[1;5D',
  '\x1bb', '\x1bf', '\x1b[200~', '\x1b[?1049h', '\x1b[15~', '\x1bOP', '\x1b', '\x1b[', '\x1b[1;', '\x1b]0;title\x07', '\x1bx',
];
const ENDERS = ['\r', '\n', '\x03', '\x04'];

function randomInput(rand: Rand): Buffer {
  const parts: Buffer[] = [];
  for (let n = int(rand, 60); n > 0; n--) {
    const r = rand();
    if (r < 0.8) parts.push(Buffer.from(pick(rand, KEYS), 'utf8'));
    else if (r < 0.9) parts.push(Buffer.from([int(rand, 256)]));
    else if (r < 0.95) parts.push(Buffer.from([0xf0 + int(rand, 16), 0x80 + int(rand, 64)]));
    else parts.push(Buffer.from('\x1b[' + '9'.repeat(int(rand, 80)), 'latin1'));
  }
  if (rand() < 0.7) parts.push(Buffer.from(pick(rand, ENDERS)));
  return Buffer.concat(parts);
}

test('line editor fuzz: never throws, stays bounded, the screen always shows prompt + line (seeded)', () => {
  for (let seed = 1; seed <= 400; seed++) {
    const rand = prng(seed);
    const columns = pick(rand, [10, 13, 20, 80]);
    const maxBytes = pick(rand, [8, 40, 200]);
    const history = new History(5);
    history.add('previous command');
    const prompt = pick(rand, ['> ', 'alice@example.org> ', 'Password: ']);
    const mask = rand() < 0.15;
    const screen = new Screen(columns);
    const complete = (p: string) => ['help', 'mailboxes', 'messages', 'quota', 'queue'].filter((n) => n.startsWith(p));
    let editor = new LineEditor({ prompt, columns, maxBytes, history, mask, complete });
    screen.write(editor.start());
    let input = randomInput(rand);
    while (input.length > 0) {
      const size = Math.min(input.length, pick(rand, [1, 1, 2, 3, 17, 64]));
      const result = editor.feed(input.subarray(0, size));
      screen.write(result.output);
      input = input.subarray(result.consumed > 0 || result.event ? result.consumed : size);
      assert.ok(Buffer.byteLength(editor.text) <= maxBytes, `seed ${seed}: bounded`);
      if (result.event) {
        editor = new LineEditor({ prompt, columns, maxBytes, history, mask, complete });
        screen.write(editor.start());
        continue;
      }
      const promptWidth = [...prompt].length;
      const shown = mask ? '' : editor.text;
      const at = promptWidth + (mask ? 0 : editor.position);
      const startRow = screen.row - Math.floor(at / columns);
      assert.equal(screen.textFrom(startRow), (prompt + shown).trimEnd(), `seed ${seed}: screen text`);
      assert.equal(screen.col, at % columns, `seed ${seed}: cursor column`);
      if (rand() < 0.05) {
        const text = `notice ${seed}\r\n`;
        screen.write(editor.notice(text));
      }
    }
  }
});
