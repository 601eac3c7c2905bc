// `scp -f PATH...`: we are the source and send files to the client's sink (scp.c's
// source() and rsource()). Each file streams from disk in 64 KiB reads, with the
// channel's back-pressure; folders (with -r) are walked depth-first, a symlink is
// followed only when its target lies in the home, and a loop or too deep a tree ends
// in a warning, not a hang.

import { constants } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { posix } from 'node:path';
import { failureMessage } from '../dispatch.ts';
import { scpReplies } from '../replies.ts';
import { PeerGoneError, type ScpSession } from '../session.ts';
import { END_RECORD, formatDirRecord, formatFileRecord, formatStatus, formatTimesRecord, SCP_LIMITS, validRecordName } from '../wire.ts';
import { childPath, homePath } from './paths.ts';

const CHUNK = 64 * 1024;

export async function runSource(session: ScpSession): Promise<void> {
  session.state = { name: 'sending', path: session.command.paths[0]! };
  // The sink speaks first: one 0x00 when it is ready.
  if (!(await peerOk(session))) return;
  for (const path of session.command.paths) {
    session.state = { name: 'sending', path };
    for (const each of await expandGlob(session, path)) await sendPath(session, homePath(each), each, new Set());
  }
}

/**
 * The remote shell would expand `scp host:'*.txt' .` before scp -f saw it; we have no
 * shell, so a last component with * ? or [...] that names no file itself is matched
 * against its folder's entries (sorted; a leading "." only matched explicitly, as sh
 * does). No match: the pattern as given (a "No such file" warning follows).
 */
async function expandGlob(session: ScpSession, path: string): Promise<string[]> {
  const slash = path.lastIndexOf('/');
  const folder = slash < 0 ? '' : path.slice(0, slash + 1);
  const pattern = path.slice(slash + 1);
  if (!/[*?[]/.test(pattern) || /[*?[]/.test(folder)) return [path];
  try {
    await session.area.jail.resolveExisting('/', homePath(path));
    return [path]; // a file really has that name
  } catch {
    // no such file: expand
  }
  let names: string[];
  try {
    names = await readdir((await session.area.jail.resolveExisting('/', homePath(folder || '.'))).real);
  } catch {
    return [path];
  }
  const matches = globMatcher(pattern);
  const matched = names.filter((n) => matches(n) && (!n.startsWith('.') || pattern.startsWith('.'))).sort();
  return matched.length > 0 ? matched.map((n) => folder + n) : [path];
}

/** One element of a compiled pattern: a literal code point, `?`, a bracket expression, or `*`. */
type GlobToken = { kind: 'char'; c: string } | { kind: 'any' } | { kind: 'set'; chars: Set<string>; ranges: [string, string][]; negate: boolean } | { kind: 'star' };

/**
 * sh's pattern matching for one path component (POSIX 2.13.1): * ? [...] [!...]. Matched
 * by the two-pointer method (backtrack only to the last `*`), so the time is at most
 * names × pattern length whatever the pattern: a backtracking regular expression would
 * let "*a*a*a*a*a*a*a*b" against a long name block the worker for seconds.
 */
export function globMatcher(pattern: string): (name: string) => boolean {
  const tokens = compileGlob(pattern);
  return (name) => globMatch(tokens, [...name]);
}

function compileGlob(pattern: string): GlobToken[] {
  const p = [...pattern];
  const tokens: GlobToken[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (c === '?') tokens.push({ kind: 'any' });
    else if (c === '[') {
      const end = p.indexOf(']', i + 2);
      if (end < 0) {
        tokens.push({ kind: 'char', c });
        continue;
      }
      let body = p.slice(i + 1, end);
      const negate = body[0] === '!' || body[0] === '^';
      if (negate) body = body.slice(1);
      const chars = new Set<string>();
      const ranges: [string, string][] = [];
      for (let j = 0; j < body.length; j++) {
        if (body[j + 1] === '-' && j + 2 < body.length) {
          ranges.push([body[j]!, body[j + 2]!]);
          j += 2;
        } else chars.add(body[j]!);
      }
      tokens.push({ kind: 'set', chars, ranges, negate });
      i = end;
    } else tokens.push({ kind: 'char', c });
  }
  return tokens;
}

function tokenMatches(t: GlobToken, c: string): boolean {
  switch (t.kind) {
    case 'char':
      return t.c === c;
    case 'any':
      return true;
    case 'set': {
      const inSet = t.chars.has(c) || t.ranges.some(([lo, hi]) => c >= lo && c <= hi);
      return inSet !== t.negate;
    }
    case 'star':
      return false;
  }
}

function globMatch(tokens: GlobToken[], name: string[]): boolean {
  let t = 0;
  let n = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (n < name.length) {
    const token = tokens[t];
    if (token?.kind === 'star') {
      starAt = t++;
      resumeAt = n;
    } else if (token && tokenMatches(token, name[n]!)) {
      t++;
      n++;
    } else if (starAt >= 0) {
      t = starAt + 1;
      n = ++resumeAt;
    } else return false;
  }
  while (tokens[t]?.kind === 'star') t++;
  return t === tokens.length;
}

/** The sink's answer; false after a warning, and a fatal answer ends the session. */
async function peerOk(session: ScpSession): Promise<boolean> {
  const status = await session.readStatus();
  if (status.ok) return true;
  if (status.fatal) throw new PeerGoneError();
  return false;
}

async function sendPath(session: ScpSession, path: string, shown: string, ancestors: Set<string>): Promise<void> {
  let real: string;
  let virtual: string;
  let st: Stats;
  try {
    ({ real, virtual } = await session.area.jail.resolveExisting('/', path));
    st = await stat(real);
  } catch (error) {
    await session.warn(failureMessage(error, shown));
    return;
  }
  const name = virtual === '/' ? '.' : posix.basename(virtual);
  if (name !== '.' && !validRecordName(name)) {
    await session.warn(scpReplies.badName(shown));
    return;
  }
  if (st.isDirectory()) {
    if (!session.command.recursive) await session.warn(scpReplies.notRegular(shown));
    else await sendFolder(session, real, virtual, name, st, ancestors);
  } else if (st.isFile()) {
    await sendFile(session, real, virtual, name);
  } else {
    await session.warn(scpReplies.notRegular(shown));
  }
}

async function sendTimes(session: ScpSession, st: Stats): Promise<boolean> {
  if (!session.command.preserveTimes) return true;
  await session.write(formatTimesRecord(st.mtime, st.atime));
  return peerOk(session);
}

async function sendFolder(session: ScpSession, real: string, virtual: string, name: string, st: Stats, ancestors: Set<string>): Promise<void> {
  const id = `${st.dev}:${st.ino}`;
  if (ancestors.has(id) || ancestors.size >= SCP_LIMITS.maxDepth) {
    await session.warn(scpReplies.tooDeep(virtual));
    return;
  }
  let entries: string[];
  try {
    entries = (await readdir(real)).sort();
  } catch (error) {
    await session.warn(failureMessage(error, virtual));
    return;
  }
  if (!(await sendTimes(session, st))) return;
  await session.write(formatDirRecord(st.mode, name));
  if (!(await peerOk(session))) return;
  const inner = new Set(ancestors).add(id);
  for (const entry of entries) {
    const path = childPath(virtual, entry);
    await sendPath(session, path, path, inner);
  }
  await session.write(END_RECORD);
  await peerOk(session);
}

async function sendFile(session: ScpSession, real: string, virtual: string, name: string): Promise<void> {
  const started = Date.now();
  let handle: FileHandle;
  let st: Stats;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
    st = await handle.stat();
  } catch (error) {
    await session.warn(failureMessage(error, virtual));
    return;
  }
  let sent = 0;
  let result: 'ok' | 'aborted' | 'failed' = 'aborted';
  try {
    if (!(await sendTimes(session, st))) return;
    const size = st.size;
    await session.write(formatFileRecord(st.mode, size, name));
    if (!(await peerOk(session))) return;
    let shrank = false;
    while (sent < size) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK, size - sent));
      let n = 0;
      if (!shrank) ({ bytesRead: n } = await handle.read(buffer, 0, buffer.length, sent));
      if (n === 0) {
        // The file shrank while we read it: the sink still expects `size` octets
        // (scp.c pads the same way and then reports the error instead of 0x00).
        shrank = true;
        buffer.fill(0);
        n = buffer.length;
      }
      await session.write(n === buffer.length ? buffer : buffer.subarray(0, n));
      sent += n;
    }
    if (shrank) {
      session.errors++;
      await session.write(formatStatus(false, scpReplies.shrank(virtual)));
    } else {
      await session.ack();
    }
    result = (await peerOk(session)) && !shrank ? 'ok' : 'failed';
  } finally {
    await handle.close().catch(() => {});
    session.transfers.record({
      service: 'scp',
      user: session.peer.account.address,
      remote: session.peer.remoteAddress,
      direction: 'download',
      path: virtual,
      bytes: sent,
      durationMs: Date.now() - started,
      result,
    });
  }
}
