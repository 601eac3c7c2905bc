// Transcripts of the legacy SCP engine with a scripted peer: a well-behaved source
// (times, modes, acknowledgements in scp.c's order) and hostile ones — names that
// escape the target (CVE-2019-6111 / CVE-2018-20685 style), absurd sizes, broken
// records, symlinks out of the home, a peer that stops mid-file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile, utimes, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scpFixture, statuses } from './test-support.ts';

test('sink: T and C records, then the data and a 0x00, are each acknowledged; times and the owner bits of the mode are kept', async () => {
  const f = await scpFixture();
  try {
    const r = await f.run('scp -p -t incoming.txt', ['T1000000000 0 1000000001 0\n', 'C4755 5 whatever\n', 'hello', '\0']);
    assert.deepEqual(statuses(r.output), ['0', '0', '0', '0']);
    assert.equal(r.status, 0);
    const st = statSync(join(f.home, 'incoming.txt'));
    assert.equal(readFileSync(join(f.home, 'incoming.txt'), 'utf8'), 'hello');
    assert.equal(st.mtimeMs, 1_000_000_000_000);
    // Owner-only home (src/files/modes.ts): setuid and the group/other bits are dropped.
    assert.equal(st.mode & 0o7777, 0o700, 'owner bits only');
  } finally {
    await f.cleanup();
  }
});

test('sink: hostile record names are refused with a fatal protocol error and nothing is written outside', async () => {
  const f = await scpFixture();
  try {
    await mkdir(join(f.home, 'in'));
    for (const name of ['../x', '/etc/x', 'a/b', '..', '.', 'a\0b', 'n'.repeat(256)]) {
      const r = await f.run('scp -t in', [`C0644 1 ${name}\n`, 'x', '\0']);
      const s = statuses(r.output);
      assert.equal(s[0], '0', name);
      assert.match(s[1]!, /^F:scp: protocol error: /, name);
      assert.equal(s.length, 2, name);
      assert.equal(r.status, 1, name);
    }
    for (const name of ['../x', '..', 'a/b']) {
      const r = await f.run('scp -r -t in', [`D0755 0 ${name}\n`, 'C0644 1 y\n', 'y', '\0', 'E\n']);
      assert.match(statuses(r.output)[1]!, /^F:scp: protocol error: unexpected filename/, name);
    }
    assert.equal(existsSync(join(f.home, 'x')), false);
    assert.equal(existsSync(join(f.dataDir, 'home', 'x')), false);
    assert.equal(existsSync(join(f.home, 'in', 'a')), false);
  } finally {
    await f.cleanup();
  }
});

test('sink: sizes past 2^53, bad modes, unknown records, overlong lines and NUL octets are protocol errors', async () => {
  const f = await scpFixture();
  try {
    const bad = ['C0644 99999999999999999999 x\n', 'C0644 -1 x\n', 'C644 1 x\n', 'C0648 1 x\n', 'C0644 1\n', 'Q\n', 'E extra\n', 'T1 0 2\n', 'T1 0 2 1000000\n', `C0644 1 ${'y'.repeat(5000)}\n`, 'C0644 1 a\0\n', 'C0644 0x1 x\n', 'D0755 0 dir\n'];
    for (const line of bad) {
      const r = await f.run('scp -t .', [line, 'x\0']);
      const s = statuses(r.output);
      assert.match(s[1] ?? '', /^F:scp: protocol error: /, JSON.stringify(line));
      assert.equal(r.status, 1);
    }
  } finally {
    await f.cleanup();
  }
});

test('sink: a size beyond the quota is refused before any data (a warning); the transfer goes on', async () => {
  const f = await scpFixture();
  try {
    const r = await f.run('scp -t .', ['C0644 9007199254740991 huge\n', 'C0644 2 ok\n', 'ok', '\0'], { quota: 1000 });
    assert.deepEqual(statuses(r.output), ['0', 'W:scp: ./huge: Disk quota exceeded', '0', '0']);
    assert.equal(r.status, 1);
    assert.equal(existsSync(join(f.home, 'huge')), false);
    assert.equal(await readFile(join(f.home, 'ok'), 'utf8'), 'ok');
  } finally {
    await f.cleanup();
  }
});

test('sink: -d with a target that is not a folder, a missing target folder, a symlink out of the home', async () => {
  const f = await scpFixture();
  const outside = await mkdtemp(join(tmpdir(), 'septet-scp-outside-'));
  try {
    await writeFile(join(f.home, 'file'), 'f');
    let r = await f.run('scp -d -t file', []);
    assert.deepEqual(statuses(r.output), ['F:scp: file: Not a directory']);
    assert.equal(r.status, 1);
    r = await f.run('scp -d -t nothere', []);
    assert.deepEqual(statuses(r.output), ['F:scp: nothere: No such file or directory']);
    await symlink(outside, join(f.home, 'out'));
    r = await f.run('scp -t out', ['C0644 1 x\n', 'x', '\0']);
    assert.match(statuses(r.output)[0]!, /^F:scp: out: Permission denied/);
    r = await f.run('scp -t out/x', ['C0644 1 x\n', 'x', '\0']);
    assert.match(statuses(r.output)[0]!, /^F:scp: out\/x: Permission denied/);
    await symlink(join(outside, 'target'), join(f.home, 'dangling'));
    r = await f.run('scp -t .', ['C0644 1 dangling\n', 'x', '\0']);
    assert.match(statuses(r.output)[1]!, /^W:scp: \.\/dangling: Permission denied/);
    assert.equal(existsSync(join(outside, 'x')), false);
    assert.equal(existsSync(join(outside, 'target')), false);
  } finally {
    await f.cleanup();
    await rm(outside, { recursive: true, force: true });
  }
});

test('sink: a source that stops mid-file ends the session with status 1 and logs the transfer as aborted', async () => {
  const f = await scpFixture();
  try {
    const log = join(f.dataDir, 'xfer.log');
    const r = await f.run('scp -t part', ['C0644 100 part\n', 'only ten..'], { transferLog: log });
    assert.deepEqual(statuses(r.output), ['0', '0']);
    assert.equal(r.status, 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(await readFile(log, 'utf8'), /\tscp\tuser@example\.test\t192\.0\.2\.1\tupload\t10\t\d+\taborted\t-\t\/part\n/);
  } finally {
    await f.cleanup();
  }
});

test('sink: a warning from the source is counted (exit 1), the next file still arrives', async () => {
  const f = await scpFixture();
  try {
    const r = await f.run('scp -t .', ['\x01scp: x: Permission denied\n', 'C0600 1 y\n', 'y', '\0']);
    assert.deepEqual(statuses(r.output), ['0', '0', '0']);
    assert.equal(r.status, 1);
    assert.equal(statSync(join(f.home, 'y')).mode & 0o777, 0o600);
  } finally {
    await f.cleanup();
  }
});

test('sink -r: nested D/E records make folders; times of a folder are set after its E', async () => {
  const f = await scpFixture();
  try {
    const r = await f.run('scp -r -p -t .', ['T1500000000 0 1500000000 0\n', 'D0750 0 top\n', 'C0644 3 a\n', 'aaa', '\0', 'D0000 0 sub\n', 'C0644 0 empty\n', '\0', 'E\n', 'E\n']);
    assert.deepEqual(statuses(r.output), ['0', '0', '0', '0', '0', '0', '0', '0', '0', '0']);
    assert.equal(r.status, 0);
    assert.equal(await readFile(join(f.home, 'top', 'a'), 'utf8'), 'aaa');
    assert.equal(statSync(join(f.home, 'top', 'sub', 'empty')).size, 0);
    assert.equal(statSync(join(f.home, 'top')).mtimeMs, 1_500_000_000_000);
    assert.equal(statSync(join(f.home, 'top')).mode & 0o777, 0o700, 'folders stay 0700');
  } finally {
    await f.cleanup();
  }
});

test('source: sends T, C, the data and 0x00 in answer to the sink; missing files and folders without -r are warnings', async () => {
  const f = await scpFixture();
  try {
    await writeFile(join(f.home, 'a'), 'abc', { mode: 0o640 });
    await utimes(join(f.home, 'a'), 1_234_567_890, 1_234_567_891);
    await mkdir(join(f.home, 'd'));
    const r = await f.run('scp -p -f a missing d', ['\0', '\0', '\0', '\0']);
    assert.equal(
      r.output.toString('latin1'),
      'T1234567891 0 1234567890 0\nC0640 3 a\nabc\0' + '\x01scp: missing: No such file or directory\n' + '\x01scp: d: not a regular file\n',
    );
    assert.equal(r.status, 1);
  } finally {
    await f.cleanup();
  }
});

test('source -r: a symlink out of the home is refused, a symlink loop ends with a warning', async () => {
  const f = await scpFixture();
  const outside = await mkdtemp(join(tmpdir(), 'septet-scp-outside-'));
  try {
    await writeFile(join(outside, 'secret'), 'secret');
    await mkdir(join(f.home, 't'));
    await writeFile(join(f.home, 't', 'f'), 'f');
    await symlink(join(outside, 'secret'), join(f.home, 't', 'leak'));
    await symlink('..', join(f.home, 't', 'loop'));
    const acks = Array.from({ length: 40 }, () => '\0');
    const r = await f.run('scp -r -f t', acks);
    const text = r.output.toString('latin1');
    assert.ok(!text.includes('secret'), text);
    assert.match(text, /\x01scp: \/t\/leak: Permission denied \(outside the home folder\)\n/);
    assert.match(text, /\x01scp: \/t\/loop\/t: directories nested too deeply\n/);
    assert.equal(r.status, 1);
    const r2 = await f.run('scp -f t/leak', ['\0']);
    assert.match(r2.output.toString('latin1'), /^\x01scp: t\/leak: Permission denied/);
  } finally {
    await f.cleanup();
    await rm(outside, { recursive: true, force: true });
  }
});

test('source: the sink refusing a file (0x01) skips its data; a fatal 0x02 ends the session', async () => {
  const f = await scpFixture();
  try {
    await writeFile(join(f.home, 'a'), 'AAA');
    await writeFile(join(f.home, 'b'), 'BBB');
    let r = await f.run('scp -f a b', ['\0', '\x01no room\n', '\0', '\0']);
    assert.equal(r.output.toString('latin1'), 'C0644 3 a\nC0644 3 b\nBBB\0');
    assert.equal(r.status, 1);
    r = await f.run('scp -f a b', ['\0', '\x02go away\n']);
    assert.equal(r.output.toString('latin1'), 'C0644 3 a\n');
    assert.equal(r.status, 1);
  } finally {
    await f.cleanup();
  }
});

test('source: a glob in the last component is expanded (sorted, no dot files); no match is a warning', async () => {
  const f = await scpFixture();
  try {
    await mkdir(join(f.home, 'd'));
    for (const name of ['b.txt', 'a.txt', '.hidden.txt', 'c.md']) await writeFile(join(f.home, 'd', name), name[0]!);
    let r = await f.run("scp -f 'd/*.txt'", ['\0', '\0', '\0', '\0', '\0']);
    assert.equal(r.output.toString('latin1'), 'C0644 1 a.txt\na\0C0644 1 b.txt\nb\0');
    assert.equal(r.status, 0);
    r = await f.run('scp -f d/[ab].t?t d/*.none', ['\0', '\0', '\0', '\0', '\0']);
    assert.equal(r.output.toString('latin1'), 'C0644 1 a.txt\na\0C0644 1 b.txt\nb\0\x01scp: d/*.none: No such file or directory\n');
    assert.equal(r.status, 1);
  } finally {
    await f.cleanup();
  }
});

test('an exec command that is not scp -t/-f is refused with a usage line and status 1', async () => {
  const f = await scpFixture();
  try {
    for (const command of ['scp', 'scp -x -t a', 'scp -t a b', 'scp -t -f a', 'ls -la', "scp -t 'unbalanced"]) {
      const r = await f.run(command, []);
      assert.equal(r.status, 1, command);
      assert.match(r.errors, /usage/, command);
    }
  } finally {
    await f.cleanup();
  }
});
