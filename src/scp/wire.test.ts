// The SCP command line and record codec: what OpenSSH's scp sends, shell quoting,
// and a seeded fuzz of record lines (only ScpProtocolError, never a name that escapes).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mutate, prng } from '../core/testing/prng.ts';
import { formatDirRecord, formatFileRecord, formatTimesRecord, parseRecord, parseScpCommand, ScpProtocolError, splitShellWords, validRecordName } from './wire.ts';

test('the command lines OpenSSH 9 scp -O sends are recognised, with grouped options and --', () => {
  assert.deepEqual(parseScpCommand('scp -t .'), { direction: 'sink', recursive: false, preserveTimes: false, targetIsDirectory: false, paths: ['.'] });
  assert.deepEqual(parseScpCommand('scp -v -r -p -d -t -- -dash'), { direction: 'sink', recursive: true, preserveTimes: true, targetIsDirectory: true, paths: ['-dash'] });
  assert.deepEqual(parseScpCommand("scp -rpf 'a b' c\\ d \"e\\\"f\""), { direction: 'source', recursive: true, preserveTimes: true, targetIsDirectory: false, paths: ['a b', 'c d', 'e"f'] });
  assert.equal(parseScpCommand('/usr/bin/scp -f x')?.direction, 'source');
  for (const bad of ['scp', 'scp -t', 'scp -x -t a', 'scp -tf a', 'rsync -t a', 'scp -t a b', "scp -f 'a", 'scp -f a\\', 'scp -f a\0b']) assert.equal(parseScpCommand(bad), null, bad);
  assert.deepEqual(splitShellWords(`a 'b c'd "e f" g\\ h`), ['a', 'b cd', 'e f', 'g h']);
});

test('records round-trip and carry only the permission bits', () => {
  assert.deepEqual(parseRecord(formatFileRecord(0o104755, 12, 'name with spaces').subarray(0, -1)), { kind: 'file', mode: 0o755, size: 12, name: 'name with spaces' });
  assert.deepEqual(parseRecord(formatDirRecord(0o40700, 'd').subarray(0, -1)), { kind: 'dir', mode: 0o700, name: 'd' });
  assert.deepEqual(parseRecord(formatTimesRecord(new Date(5000), new Date(7000)).subarray(0, -1)), { kind: 'times', mtime: 5, atime: 7 });
  assert.deepEqual(parseRecord(Buffer.from('\x02bad\x1b[2J')), { kind: 'status', fatal: true, message: 'bad?[2J' });
  assert.equal(validRecordName('ok.txt'), true);
  for (const name of ['', '.', '..', 'a/b', '/x', 'a\0', 'a\nb', 'é'.repeat(128)]) assert.equal(validRecordName(name), false, name);
});

test('fuzz: mutated records parse or throw ScpProtocolError, and a parsed name is one component', () => {
  const seeds = ['C0644 12 file.txt', 'D0755 0 dir', 'E', 'T1700000000 0 1700000000 0', '\x01scp: warning'].map((s) => Buffer.from(s));
  const tokens = ['/', '..', '\0', ' ', '\n', '-', '9999999999999999999', 'C', 'D', '0777'];
  for (let seed = 1; seed <= 3000; seed++) {
    const rand = prng(seed);
    const line = mutate(rand, seeds[seed % seeds.length]!, tokens);
    try {
      const record = parseRecord(line);
      if (record.kind === 'file') assert.ok(validRecordName(record.name), `seed ${seed}`);
      if (record.kind === 'dir') assert.ok(validRecordName(record.name) || record.name === '.', `seed ${seed}`);
      if (record.kind === 'file') assert.ok(Number.isSafeInteger(record.size) && record.size >= 0);
    } catch (error) {
      assert.ok(error instanceof ScpProtocolError, `seed ${seed}: ${(error as Error).message}`);
    }
  }
});

test('globMatcher: sh patterns for one component, without backtracking blow-up', async () => {
  const { globMatcher } = await import('./commands/source.ts');
  const cases: [string, string, boolean][] = [
    ['*.txt', 'notes.txt', true],
    ['*.txt', 'notes.txt.gz', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['[ab]x', 'bx', true],
    ['[!ab]x', 'bx', false],
    ['[a-c]*', 'cat', true],
    ['[a-c]*', 'dog', false],
    ['*', '', true],
    ['**b*', 'aab', true],
    ['[', '[', true],
    ['*é', 'café', true],
  ];
  for (const [pattern, name, expected] of cases) assert.equal(globMatcher(pattern)(name), expected, `${pattern} vs ${name}`);
  // A regular expression built from this pattern backtracks for seconds on such a name;
  // the matcher answers at once (the test would time out otherwise).
  const hostile = globMatcher('*a'.repeat(14) + 'b');
  for (let i = 0; i < 50; i++) assert.equal(hostile('a'.repeat(255)), false);
});
