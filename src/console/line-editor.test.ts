// The line editor key by key: what each keystroke does to the line and the cursor,
// what it echoes, and that unknown escape sequences and broken UTF-8 are dropped.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { History } from './history.ts';
import { LineEditor, type EditorEvent } from './line-editor.ts';

const PROMPT = 'a@b> ';

function editor(options: { columns?: number; maxBytes?: number; history?: History | null; mask?: boolean; afterCr?: boolean } = {}) {
  return new LineEditor({ prompt: PROMPT, columns: options.columns ?? 80, maxBytes: options.maxBytes ?? 100, history: options.history === undefined ? null : options.history, mask: options.mask, afterCr: options.afterCr });
}

/** Feeds the keys (a string of octets, latin1) and returns the event, if any, and all output. */
function type(e: LineEditor, keys: string | Buffer): { event?: EditorEvent; output: string; consumed: number } {
  return e.feed(typeof keys === 'string' ? Buffer.from(keys, 'latin1') : keys);
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');

describe('line editor', () => {
  test('start shows the prompt; printable characters are echoed as typed', () => {
    const e = editor();
    assert.match(e.start(), /a@b> $/);
    const r = type(e, 'who');
    assert.equal(r.output, 'who');
    assert.equal(e.text, 'who');
    assert.equal(e.position, 3);
  });

  test('Enter (CR) finishes the line; CR LF counts once; LF alone also works', () => {
    const e = editor();
    const r = type(e, 'ls\r\nmore');
    assert.deepEqual(r.event, { kind: 'line', text: 'ls' });
    assert.equal(r.consumed, 3, 'the LF after CR is left for the next line');
    assert.ok(r.output.endsWith('\r\n'));
    const next = editor({ afterCr: true });
    const n = type(next, '\nx\n');
    assert.deepEqual(n.event, { kind: 'line', text: 'x' }, 'the LF that completes the CR is skipped');
    const lf = type(editor(), 'y\n');
    assert.deepEqual(lf.event, { kind: 'line', text: 'y' });
  });

  test('Backspace as DEL (0x7f) and as ^H deletes before the cursor', () => {
    const e = editor();
    type(e, 'abc\x7f');
    assert.equal(e.text, 'ab');
    type(e, '\x08');
    assert.equal(e.text, 'a');
    type(e, '\x7f\x7f');
    assert.equal(e.text, '');
    assert.equal(e.position, 0);
  });

  test('Left/Right arrows (CSI and SS3), ^B/^F move; typing inserts at the cursor', () => {
    const e = editor();
    type(e, 'ac\x1b[D');
    assert.equal(e.position, 1);
    type(e, 'b');
    assert.equal(e.text, 'abc');
    type(e, '\x1bOD\x1bOD');
    assert.equal(e.position, 0);
    type(e, '\x06\x1b[C');
    assert.equal(e.position, 2);
    type(e, '\x02');
    assert.equal(e.position, 1);
    type(e, '\x1b[D\x1b[D\x1b[D');
    assert.equal(e.position, 0, 'the cursor stops at the start');
  });

  test('Home/End: ESC [ H, ESC [ F, ESC O H, ESC O F, ESC [ 1 ~, ESC [ 4 ~, ^A, ^E', () => {
    const e = editor();
    type(e, 'hello');
    for (const [home, end] of [['\x1b[H', '\x1b[F'], ['\x1bOH', '\x1bOF'], ['\x1b[1~', '\x1b[4~'], ['\x1b[7~', '\x1b[8~'], ['\x01', '\x05']]) {
      type(e, home!);
      assert.equal(e.position, 0, JSON.stringify(home));
      type(e, end!);
      assert.equal(e.position, 5, JSON.stringify(end));
    }
  });

  test('Delete (ESC [ 3 ~) and ^D delete under the cursor; ^D on an empty line is the end', () => {
    const e = editor();
    type(e, 'abcd\x01\x1b[3~');
    assert.equal(e.text, 'bcd');
    type(e, '\x04');
    assert.equal(e.text, 'cd');
    assert.equal(type(e, '\x05\x04').event, undefined, '^D at the end of a non-empty line does nothing');
    assert.deepEqual(type(editor(), '\x04').event, { kind: 'eof' });
  });

  test('^U kills to the start, ^K to the end, ^W the word before the cursor', () => {
    const e = editor();
    type(e, 'user add bob\x1b[D\x1b[D\x1b[D\x0b');
    assert.equal(e.text, 'user add ');
    type(e, '\x17');
    assert.equal(e.text, 'user ');
    type(e, 'x y\x1b[D\x15');
    assert.equal(e.text, 'y');
    assert.equal(e.position, 0);
  });

  test('^L clears the screen and redraws the prompt and line', () => {
    const e = editor();
    type(e, 'abc');
    const r = type(e, '\x0c');
    assert.ok(r.output.startsWith('\x1b[H\x1b[2J'));
    assert.ok(r.output.includes(PROMPT + 'abc'));
    assert.equal(e.text, 'abc');
  });

  test('^C drops the line', () => {
    const e = editor();
    const r = type(e, 'abc\x03');
    assert.deepEqual(r.event, { kind: 'interrupt' });
    assert.ok(r.output.includes('^C\r\n'));
  });

  test('Up/Down walk the history and come back to the line being typed', () => {
    const history = new History(10);
    history.add('first');
    history.add('second');
    const e = editor({ history });
    type(e, 'draft');
    type(e, '\x1b[A');
    assert.equal(e.text, 'second');
    type(e, '\x1bOA');
    assert.equal(e.text, 'first');
    type(e, '\x1b[A');
    assert.equal(e.text, 'first', 'no further back than the oldest');
    type(e, '\x1b[B\x0e');
    assert.equal(e.text, 'draft');
    type(e, '\x10\r');
    assert.equal(history.at(history.length - 1), 'second', 'running a line from history does not repeat it');
  });

  test('history is bounded, skips blanks, repeats and lines starting with a space', () => {
    const history = new History(3);
    for (const line of ['a', 'b', 'b', '', '  ', ' secret', 'c', 'd']) history.add(line);
    assert.equal(history.length, 3);
    assert.deepEqual([history.at(0), history.at(1), history.at(2)], ['b', 'c', 'd']);
  });

  test('an Enter records the line in the history (not when masked)', () => {
    const history = new History(5);
    type(editor({ history }), 'whoami\r');
    assert.equal(history.at(0), 'whoami');
    type(editor({ history, mask: true }), 'pw\r');
    assert.equal(history.length, 1);
  });

  test('UTF-8: multi-octet characters, also split across feeds, are one character each', () => {
    const e = editor();
    const bytes = utf8('ä€😀');
    for (const octet of bytes) type(e, Buffer.from([octet]));
    assert.equal(e.text, 'ä€😀');
    assert.equal(e.position, 3);
    type(e, '\x7f');
    assert.equal(e.text, 'ä€');
  });

  test('broken UTF-8, overlong forms, surrogates and C1 controls are not inserted', () => {
    const e = editor();
    type(e, Buffer.from([0xc0, 0xaf, 0xe0, 0x80, 0xaf, 0xed, 0xa0, 0x80, 0xc2, 0x9b, 0xff, 0x80, 0xc3, 0x41]));
    assert.equal(e.text, 'A', 'only the ASCII octet that broke a sequence stays');
  });

  test('unknown escape sequences are ignored whole, never inserted', () => {
    const e = editor();
    type(e, 'x\x1b[200~\x1b[1;2P\x1b[?25h\x1b[15~\x1bOP\x1bz\x1b[99;99;99Zy');
    assert.equal(e.text, 'xy');
    // A control in the middle of a CSI sequence is acted on (ECMA-48 §5.4).
    const f = editor();
    const r = type(f, 'ab\x1b[1\r');
    assert.deepEqual(r.event, { kind: 'line', text: 'ab' });
    // An endless parameter string stays one ignored sequence.
    const g = editor();
    type(g, '\x1b[' + '1;'.repeat(500) + 'Cz');
    assert.equal(g.text, 'z');
  });

  test('Ctrl-Left/Right and Meta-b/f move by words', () => {
    const e = editor();
    type(e, 'one two three');
    type(e, '\x1b[1;5D');
    assert.equal(e.position, 8);
    type(e, '\x1bb');
    assert.equal(e.position, 4);
    type(e, '\x1b[1;5C');
    assert.equal(e.position, 7);
    type(e, '\x1bf');
    assert.equal(e.position, 13);
  });

  test('the line is bounded in octets; more rings the bell', () => {
    const e = editor({ maxBytes: 4 });
    const r = type(e, 'abcdef');
    assert.equal(e.text, 'abcd');
    assert.ok(r.output.includes('\x07'));
    type(e, '\x7f');
    assert.equal(type(e, utf8('ä')).output, '\x07', 'a two-octet character does not fit in one octet');
  });

  test('masked input echoes nothing of the line', () => {
    const e = editor({ mask: true });
    e.start();
    const r = type(e, 'hunter2\x7f');
    assert.ok(!r.output.includes('hunter'));
    const done = type(e, '\r');
    assert.deepEqual(done.event, { kind: 'line', text: 'hunter' });
  });

  test('wrapping: at the right margin the cursor moves to the next row; editing redraws from the first row', () => {
    // Prompt of 5 columns on a 10-column terminal: the 5th character fills the row.
    const e = editor({ columns: 10 });
    e.start();
    assert.equal(type(e, 'abcd').output, 'abcd');
    const full = type(e, 'e').output;
    assert.ok(full.includes('a@b> abcde\r\n'), JSON.stringify(full));
    type(e, 'fgh');
    // Home goes up one row from the second row.
    const home = type(e, '\x01').output;
    assert.ok(home.startsWith('\x1b[1A\r\x1b[J'), JSON.stringify(home));
    assert.equal(home, '\x1b[1A\r\x1b[Ja@b> abcdefgh\x1b[1A\r\x1b[5C');
  });

  test('resize redraws for the new width; a notice is shown above the line, which survives', () => {
    const e = editor({ columns: 80 });
    e.start();
    type(e, 'half a line');
    const resized = e.resize(20);
    assert.ok(resized.includes(PROMPT + 'half a line'));
    const shown = e.notice('*** message ***\r\nhello\r\n');
    assert.ok(shown.startsWith('\r\x1b[J') || shown.includes('\x1b[J'), 'the line is cleared first');
    assert.ok(shown.indexOf('hello') < shown.lastIndexOf(PROMPT + 'half a line'), 'then the line comes back');
    assert.equal(e.text, 'half a line');
  });

  test('Tab completes the command name: one match, the common part, or the list', () => {
    const names = ['help', 'mailboxes', 'messages', 'quota', 'queue', 'quit'];
    const e = new LineEditor({ prompt: PROMPT, columns: 80, maxBytes: 100, history: null, complete: (p) => names.filter((n) => n.startsWith(p)) });
    e.start();
    type(e, 'he\t');
    assert.equal(e.text, 'help ');
    const f = new LineEditor({ prompt: PROMPT, columns: 80, maxBytes: 100, history: null, complete: (p) => names.filter((n) => n.startsWith(p)) });
    type(f, 'm\t');
    assert.equal(f.text, 'm', 'mailboxes and messages share only "m"');
    const listed = type(f, 'a\t');
    assert.equal(f.text, 'mailboxes ');
    const g = new LineEditor({ prompt: PROMPT, columns: 80, maxBytes: 100, history: null, complete: (p) => names.filter((n) => n.startsWith(p)) });
    type(g, 'qu');
    const list = type(g, '\t').output;
    assert.ok(list.includes('quota  queue  quit'), JSON.stringify(list));
    assert.ok(list.endsWith(PROMPT + 'qu'), 'the line comes back after the list');
    assert.ok(type(g, 'x\t').output.endsWith('\x07'), 'nothing matches: the bell');
    assert.equal(listed.output.includes('\x07'), false);
    assert.equal(type(editor(), '\t').output, '', 'without completion Tab does nothing');
  });

  test('a paste into the middle of the line is drawn once per chunk, not once per key', () => {
    const e = editor({ maxBytes: 4096 });
    e.start();
    type(e, 'end\x01');
    const paste = 'x'.repeat(1000);
    const r = type(e, paste);
    assert.equal(e.text, paste + 'end');
    assert.ok(r.output.length < 1100, `one redraw: ${r.output.length} octets`);
  });

  test('after the line is finished, further octets are left unconsumed', () => {
    const e = editor();
    const r = type(e, 'a\rb');
    assert.equal(r.consumed, 2);
    assert.equal(type(e, 'c').consumed, 0);
  });
});
