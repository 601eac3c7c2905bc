// The shape docs/ARCHITECTURE.md promises, checked so it stays true: every folder it
// names exists, every protocol folder has the common skeleton, no protocol folder
// imports another, core imports nothing above it, and the rules every protocol shares
// (the HTTP-method probe, the plaintext password policy) exist once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');
const STREAM_PROTOCOLS = ['smtp', 'pop3', 'imap', 'ftp'];
// Engines carried inside an SSH session channel (and later the web console): the same
// skeleton over a ByteChannel instead of a listener.
const CHANNEL_ENGINES = ['sftp', 'scp', 'console'];
const PROTOCOLS = [...STREAM_PROTOCOLS, 'tftp', 'ssh', ...CHANNEL_ENGINES, 'web'];

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** Relative imports of a file, resolved to paths under the repository. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g)) found.push(resolve(dirname(file), match[1]!));
  for (const match of text.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g)) found.push(resolve(dirname(file), match[1]!));
  return found;
}

/** The code of a file without its comment lines (comments may name a rule without applying it). */
const withoutComments = (text: string): string =>
  text
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\/?\*)/.test(line))
    .join('\n');

const topFolder = (path: string): string => relative(SRC, path).split('/')[0]!;

test('every path docs/ARCHITECTURE.md names in backticks exists', () => {
  const doc = readFileSync(join(ROOT, 'docs/ARCHITECTURE.md'), 'utf8');
  const named = [...doc.matchAll(/`((?:src|test|bench|docs|bin)\/[\w./-]*)`/g)].map((m) => m[1]!);
  assert.ok(named.length > 10, 'the map names the folders it describes');
  const missing = named.filter((p) => !existsSync(join(ROOT, p)));
  assert.deepEqual(missing, []);
});

test('every stream protocol and channel engine folder has server.ts, session.ts, dispatch.ts, commands/, wire.ts and replies.ts', () => {
  for (const protocol of [...STREAM_PROTOCOLS, ...CHANNEL_ENGINES]) {
    for (const part of ['server.ts', 'session.ts', 'dispatch.ts', 'wire.ts', 'replies.ts']) {
      assert.ok(existsSync(join(SRC, protocol, part)), `src/${protocol}/${part}`);
    }
    assert.ok(statSync(join(SRC, protocol, 'commands')).isDirectory(), `src/${protocol}/commands/`);
    assert.ok(existsSync(join(SRC, protocol, 'commands', 'index.ts')), `src/${protocol}/commands/index.ts`);
  }
});

test('TFTP has its datagram equivalents: server.ts, wire.ts, replies.ts', () => {
  for (const part of ['server.ts', 'wire.ts', 'replies.ts']) assert.ok(existsSync(join(SRC, 'tftp', part)), `src/tftp/${part}`);
});

test('SSH, whose wire is the ssh2 library, has server.ts, session.ts, replies.ts and a channel router', () => {
  for (const part of ['server.ts', 'session.ts', 'replies.ts', 'channels.ts']) assert.ok(existsSync(join(SRC, 'ssh', part)), `src/ssh/${part}`);
});

test('the web folder has the shape in HTTP terms: server.ts, session.ts, dispatch.ts, wire.ts, replies.ts, the route table routes/index.ts and app.ts', () => {
  for (const part of ['server.ts', 'session.ts', 'dispatch.ts', 'wire.ts', 'replies.ts', 'app.ts', 'routes/index.ts', 'routes/types.ts']) {
    assert.ok(existsSync(join(SRC, 'web', part)), `src/web/${part}`);
  }
});

test('no file under src/ imports another protocol folder; core imports nothing above it', () => {
  const crossings: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = topFolder(file);
    for (const target of importsOf(file)) {
      if (!target.startsWith(SRC)) continue;
      const to = topFolder(target);
      if (PROTOCOLS.includes(from) && PROTOCOLS.includes(to) && from !== to) crossings.push(`${relative(ROOT, file)} -> ${relative(ROOT, target)}`);
      if (from === 'core' && to !== 'core') crossings.push(`${relative(ROOT, file)} -> ${relative(ROOT, target)}`);
    }
  }
  assert.deepEqual(crossings, []);
});

test('one HTTP-method probe and one plaintext password policy, used by every stream protocol', () => {
  const probes: string[] = [];
  const policies: string[] = [];
  for (const file of sourceFiles(SRC)) {
    if (file.endsWith('.test.ts')) continue;
    const text = withoutComments(readFileSync(file, 'utf8'));
    if (/'CONNECT'/.test(text) && /'OPTIONS'/.test(text)) probes.push(relative(ROOT, file));
    if (/\.allow_plaintext\b/.test(text)) policies.push(relative(ROOT, file));
  }
  assert.deepEqual(probes, ['src/core/service/cross-protocol.ts']);
  assert.deepEqual(policies, ['src/core/service/plaintext-policy.ts']);
  for (const protocol of STREAM_PROTOCOLS) {
    const users = [...sourceFiles(join(SRC, protocol))].filter((f) => !f.endsWith('.test.ts') && /passwordsAllowed\(/.test(readFileSync(f, 'utf8')));
    assert.ok(users.length > 0, `src/${protocol} uses passwordsAllowed`);
  }
});
