// Transcripts of raw SFTP packets (draft-ietf-secsh-filexfer-02) against a session over
// a stream pair: the happy paths, and every kind of bad input giving its own status.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, symlink, writeFile, readlink, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { FX, FXP, PFLAG } from './wire.ts';
import { packet, parseReply, rawSession, SftpTestClient, type Reply } from './testing/pair.ts';

const status = (r: Reply) => {
  assert.equal(r.type, 'status', `expected a status, got ${r.type}`);
  return r as Extract<Reply, { type: 'status' }>;
};
const handleOf = (r: Reply) => {
  assert.equal(r.type, 'handle', `expected a handle, got ${JSON.stringify(r)}`);
  return (r as Extract<Reply, { type: 'handle' }>).handle;
};

async function started(o: Parameters<typeof SftpTestClient.start>[0] = {}) {
  const c = await SftpTestClient.start(o);
  await c.init();
  return c;
}

test('INIT is answered with version 3 and the OpenSSH extensions', async () => {
  const c = await SftpTestClient.start();
  const ext = await c.init();
  const names = ext.map(([n]) => n);
  for (const n of ['posix-rename@openssh.com', 'statvfs@openssh.com', 'fstatvfs@openssh.com', 'fsync@openssh.com', 'limits@openssh.com', 'hardlink@openssh.com']) assert.ok(names.includes(n), n);
  const limits = await c.request(FXP.EXTENDED, 'limits@openssh.com');
  assert.equal(limits.type, 'extended');
  const r = (limits as Extract<Reply, { type: 'extended' }>).reader;
  assert.deepEqual([r.u64(), r.u64(), r.u64(), r.u64()], [262144, 261120, 261120, 256]);
  await c.end();
  assert.equal(c.exitStatus, 0);
});

test('a request before INIT closes the session', async () => {
  const c = await SftpTestClient.start();
  c.send(packet(FXP.STAT, 1, '/'));
  assert.equal(await c.next(), null);
  assert.equal(c.exitStatus, 1);
});

test('open, write, read back, fstat, close; the transfer log has one line per handle', async () => {
  const c = await started();
  const h = handleOf(await c.request(FXP.OPEN, '/a.txt', PFLAG.WRITE | PFLAG.CREAT | PFLAG.TRUNC, { attrs: {} }));
  assert.equal(status(await c.request(FXP.WRITE, h, 0n, 'hello ')).code, FX.OK);
  assert.equal(status(await c.request(FXP.WRITE, h, 6n, 'world')).code, FX.OK);
  assert.equal(status(await c.request(FXP.CLOSE, h)).code, FX.OK);
  assert.equal(await readFile(join(c.home, 'a.txt'), 'utf8'), 'hello world');
  assert.equal((await stat(join(c.home, 'a.txt'))).mode & 0o777, 0o600);
  const r = handleOf(await c.request(FXP.OPEN, 'a.txt', PFLAG.READ, { attrs: {} }));
  const d = await c.request(FXP.READ, r, 6n, 100);
  assert.deepEqual(d.type === 'data' && d.data.toString(), 'world');
  assert.equal(status(await c.request(FXP.READ, r, 11n, 100)).code, FX.EOF);
  const a = await c.request(FXP.FSTAT, r);
  assert.equal(a.type === 'attrs' && a.attrs.size, 11);
  assert.equal(status(await c.request(FXP.CLOSE, r)).code, FX.OK);
  await c.end();
  assert.deepEqual(c.records.map((x) => [x.direction, x.path, x.bytes, x.result, x.service]), [['upload', '/a.txt', 11, 'ok', 'sftp'], ['download', '/a.txt', 5, 'ok', 'sftp']]);
});

test('a handle left open is logged as aborted when the channel ends', async () => {
  const c = await started();
  const h = handleOf(await c.request(FXP.OPEN, '/x', PFLAG.WRITE | PFLAG.CREAT, { attrs: {} }));
  await c.request(FXP.WRITE, h, 0n, 'abc');
  await c.end();
  assert.deepEqual(c.records.map((x) => [x.path, x.bytes, x.result]), [['/x', 3, 'aborted']]);
});

test('unknown handles, request types and extensions get FAILURE and OP_UNSUPPORTED', async () => {
  const c = await started();
  const bad = status(await c.request(FXP.READ, 'nope', 0n, 10));
  assert.equal(bad.code, FX.FAILURE);
  assert.match(bad.message, /handle/i);
  assert.equal(status(await c.request(FXP.CLOSE, Buffer.alloc(300))).code, FX.FAILURE);
  assert.equal(status(await c.request(99)).code, FX.OP_UNSUPPORTED);
  assert.equal(status(await c.request(FXP.EXTENDED, 'nonsense@example.com', 'x')).code, FX.OP_UNSUPPORTED);
  await c.end();
});

test('malformed bodies get BAD_MESSAGE with their id and the session goes on', async () => {
  const c = await started();
  // READ without its length field.
  c.send(packet(FXP.READ, 7, 'h', 0n));
  let r = parseReply((await c.next())!);
  assert.deepEqual([r.id, status(r).code], [7, FX.BAD_MESSAGE]);
  // A string longer than the packet.
  const p = packet(FXP.STAT, 8, 'abc');
  p.writeUInt32BE(1000, 9);
  c.send(p);
  r = parseReply((await c.next())!);
  assert.deepEqual([r.id, status(r).code], [8, FX.BAD_MESSAGE]);
  // A NUL octet inside a path.
  assert.equal(status(await c.request(FXP.STAT, Buffer.from('a\0b'))).code, FX.BAD_MESSAGE);
  // An offset past 2^53.
  assert.equal(status(await c.request(FXP.READ, 'h', 0xffffffffffffffffn, 10)).code, FX.BAD_MESSAGE);
  await c.end();
});

test('the session still answers after malformed bodies', async () => {
  const c = await started();
  c.send(packet(FXP.READ, 7, 'h', 0n));
  assert.equal(status(parseReply((await c.next())!)).code, FX.BAD_MESSAGE);
  const rp = await c.request(FXP.REALPATH, '.');
  assert.deepEqual(rp.type === 'name' && rp.names.map((n) => n.filename), ['/']);
  await c.end();
});

test('an oversized length gets BAD_MESSAGE naming the request, then the channel closes', async () => {
  const c = await started();
  const head = Buffer.alloc(9);
  head.writeUInt32BE(10_000_000, 0);
  head[4] = FXP.WRITE;
  head.writeUInt32BE(42, 5);
  c.send(head);
  const r = parseReply((await c.next())!);
  assert.deepEqual([r.id, status(r).code], [42, FX.BAD_MESSAGE]);
  assert.equal(await c.next(), null);
  assert.equal(c.exitStatus, 1);
});

test('a packet too short for its id, a zero length and a second INIT close the session', async () => {
  for (const bytes of [Buffer.from([0, 0, 0, 2, FXP.STAT, 0]), Buffer.from([0, 0, 0, 0]), packet(FXP.INIT, 3)]) {
    const c = await started();
    c.send(bytes);
    assert.equal(await c.next(), null);
    assert.equal(c.exitStatus, 1);
  }
});

test('".." stops at the home, and a missing name is NO_SUCH_FILE', async () => {
  const c = await started();
  await writeFile(join(c.home, 'passwd'), 'mine');
  const rp = await c.request(FXP.REALPATH, '/../../..');
  assert.deepEqual(rp.type === 'name' && rp.names[0]!.filename, '/');
  const a = await c.request(FXP.STAT, '../../../passwd');
  assert.equal(a.type === 'attrs' && a.attrs.size, 4);
  const missing = status(await c.request(FXP.STAT, '/../etc/shadow'));
  assert.deepEqual([missing.code, missing.message], [FX.NO_SUCH_FILE, 'No such file']);
  await c.end();
});

test('symbolic links out of the home are refused: following, creating, reading', async () => {
  const c = await started();
  await symlink('/etc', join(c.home, 'out'));
  await symlink('/etc/passwd', join(c.home, 'pw'));
  assert.equal(status(await c.request(FXP.STAT, '/out/passwd')).code, FX.PERMISSION_DENIED);
  assert.equal(status(await c.request(FXP.OPEN, '/pw', PFLAG.READ, { attrs: {} })).code, FX.PERMISSION_DENIED);
  assert.equal(status(await c.request(FXP.OPEN, '/out/new', PFLAG.WRITE | PFLAG.CREAT, { attrs: {} })).code, FX.PERMISSION_DENIED);
  assert.equal(status(await c.request(FXP.OPENDIR, '/out')).code, FX.PERMISSION_DENIED);
  assert.equal(status(await c.request(FXP.READLINK, '/pw')).code, FX.PERMISSION_DENIED);
  // The link itself may be seen and removed.
  const l = await c.request(FXP.LSTAT, '/pw');
  assert.equal(l.type === 'attrs' && (l.attrs.permissions! & 0o170000), 0o120000);
  // SYMLINK: OpenSSH order, target first then the link (PROTOCOL §4.1).
  assert.equal(status(await c.request(FXP.SYMLINK, '/../../etc/passwd', '/evil')).code, FX.PERMISSION_DENIED);
  assert.equal(status(await c.request(FXP.SYMLINK, '../x', '/evil')).code, FX.PERMISSION_DENIED);
  assert.equal(status(await c.request(FXP.SYMLINK, 'x', '/out/evil')).code, FX.PERMISSION_DENIED);
  await mkdir(join(c.home, 'd'));
  await writeFile(join(c.home, 'd', 'f'), 'data');
  assert.equal(status(await c.request(FXP.SYMLINK, '/d/f', '/d/link')).code, FX.OK);
  assert.equal(await readlink(join(c.home, 'd', 'link')), 'f');
  const rl = await c.request(FXP.READLINK, '/d/link');
  assert.deepEqual(rl.type === 'name' && rl.names[0]!.filename, 'f');
  const viaLink = await c.request(FXP.STAT, '/d/link');
  assert.equal(viaLink.type === 'attrs' && viaLink.attrs.size, 4);
  assert.equal(status(await c.request(FXP.REMOVE, '/pw')).code, FX.OK);
  await assert.rejects(lstat(join(c.home, 'pw')));
  await c.end();
});

test('rename refuses to overwrite, posix-rename overwrites; mkdir, rmdir and remove say why they fail', async () => {
  const c = await started();
  await writeFile(join(c.home, 'a'), 'A');
  await writeFile(join(c.home, 'b'), 'B');
  const exists = status(await c.request(FXP.RENAME, '/a', '/b'));
  assert.deepEqual([exists.code, exists.message], [FX.FAILURE, 'File already exists']);
  assert.equal(status(await c.request(FXP.EXTENDED, 'posix-rename@openssh.com', '/a', '/b')).code, FX.OK);
  assert.equal(await readFile(join(c.home, 'b'), 'utf8'), 'A');
  assert.equal(status(await c.request(FXP.RENAME, '/missing', '/c')).code, FX.NO_SUCH_FILE);
  assert.equal(status(await c.request(FXP.MKDIR, '/d', { attrs: { permissions: 0o4777 } })).code, FX.OK);
  assert.equal((await stat(join(c.home, 'd'))).mode & 0o7777, 0o700);
  assert.equal(status(await c.request(FXP.MKDIR, '/d', { attrs: {} })).message, 'File already exists');
  assert.equal(status(await c.request(FXP.MKDIR, '/nope/d', { attrs: {} })).code, FX.NO_SUCH_FILE);
  await writeFile(join(c.home, 'd', 'f'), 'x');
  const full = status(await c.request(FXP.RMDIR, '/d'));
  assert.deepEqual([full.code, full.message], [FX.FAILURE, 'Directory not empty']);
  assert.equal(status(await c.request(FXP.REMOVE, '/d')).message, 'Is a directory');
  assert.equal(status(await c.request(FXP.REMOVE, '/zz')).code, FX.NO_SUCH_FILE);
  assert.equal(status(await c.request(FXP.RMDIR, '/')).code, FX.PERMISSION_DENIED);
  const excl = status(await c.request(FXP.OPEN, '/b', PFLAG.WRITE | PFLAG.CREAT | PFLAG.EXCL, { attrs: {} }));
  assert.deepEqual([excl.code, excl.message], [FX.FAILURE, 'File already exists']);
  assert.equal(status(await c.request(FXP.OPEN, '/d', PFLAG.READ, { attrs: {} })).message, 'Is a directory');
  await c.end();
});

test('setstat: times and masked permissions are set, owner changes refused, size truncates', async () => {
  const c = await started();
  await writeFile(join(c.home, 'f'), '0123456789');
  assert.equal(status(await c.request(FXP.SETSTAT, '/f', { attrs: { permissions: 0o104755, atime: 1_000_000_000, mtime: 1_234_567_890 } })).code, FX.OK);
  const st = await stat(join(c.home, 'f'));
  assert.equal(st.mode & 0o7777, 0o700);
  assert.equal(Math.floor(st.mtimeMs / 1000), 1_234_567_890);
  const own = status(await c.request(FXP.SETSTAT, '/f', { attrs: { uid: st.uid + 1, gid: st.gid } }));
  assert.equal(own.code, FX.PERMISSION_DENIED);
  assert.equal(status(await c.request(FXP.SETSTAT, '/f', { attrs: { uid: st.uid, gid: st.gid } })).code, FX.OK);
  assert.equal(status(await c.request(FXP.SETSTAT, '/f', { attrs: { size: 4 } })).code, FX.OK);
  assert.equal(await readFile(join(c.home, 'f'), 'utf8'), '0123');
  await c.end();
});

test('quota: only growth counts; a write past it is FAILURE "Quota exceeded"; statvfs reports the quota', async () => {
  const c = await started({ quota: 4096 });
  const h = handleOf(await c.request(FXP.OPEN, '/q', PFLAG.WRITE | PFLAG.CREAT, { attrs: {} }));
  assert.equal(status(await c.request(FXP.WRITE, h, 0n, Buffer.alloc(3000))).code, FX.OK);
  // Rewriting inside the file (a reput, a random-access edit) costs nothing.
  for (let i = 0; i < 5; i++) assert.equal(status(await c.request(FXP.WRITE, h, 0n, Buffer.alloc(3000, i))).code, FX.OK);
  const over = status(await c.request(FXP.WRITE, h, 3000n, Buffer.alloc(2000)));
  assert.deepEqual([over.code, over.message], [FX.FAILURE, 'Quota exceeded']);
  assert.equal(status(await c.request(FXP.FSETSTAT, h, { attrs: { size: 9000 } })).message, 'Quota exceeded');
  assert.equal(status(await c.request(FXP.WRITE, h, 3000n, Buffer.alloc(1000))).code, FX.OK);
  const vfs = await c.request(FXP.EXTENDED, 'statvfs@openssh.com', '/');
  assert.equal(vfs.type, 'extended');
  const r = (vfs as Extract<Reply, { type: 'extended' }>).reader;
  const bsize = r.u64();
  r.u64();
  const blocks = r.u64();
  r.u64();
  const bavail = r.u64();
  assert.equal(blocks * bsize <= 4096, true);
  assert.equal(bavail * bsize <= 96, true);
  assert.equal(status(await c.request(FXP.EXTENDED, 'fsync@openssh.com', h)).code, FX.OK);
  assert.equal(status(await c.request(FXP.CLOSE, h)).code, FX.OK);
  assert.equal(status(await c.request(FXP.REMOVE, '/q')).code, FX.OK);
  const h2 = handleOf(await c.request(FXP.OPEN, '/q2', PFLAG.WRITE | PFLAG.CREAT, { attrs: {} }));
  assert.equal(status(await c.request(FXP.WRITE, h2, 0n, Buffer.alloc(4000))).code, FX.OK, 'removal gave the space back');
  await c.end();
});

test('readdir lists in batches with long names and ends with EOF', async () => {
  const c = await started({ limits: { readdirBatch: 7 } });
  for (let i = 0; i < 20; i++) await writeFile(join(c.home, `f${i}`), 'x'.repeat(i));
  const h = handleOf(await c.request(FXP.OPENDIR, '/'));
  const names: string[] = [];
  for (;;) {
    const r = await c.request(FXP.READDIR, h);
    if (r.type === 'status') {
      assert.equal(r.code, FX.EOF);
      break;
    }
    assert.equal(r.type, 'name');
    if (r.type !== 'name') break;
    assert.ok(r.names.length <= 7);
    for (const n of r.names) {
      assert.match(n.longname, new RegExp(`^-rw-r--r-- +1 \\S+ +\\S+ +${n.attrs.size} \\w{3} [ \\d]\\d \\d\\d:\\d\\d ${n.filename}$`));
      names.push(n.filename);
    }
  }
  assert.equal(names.length, 20);
  assert.equal(status(await c.request(FXP.CLOSE, h)).code, FX.OK);
  await c.end();
});

test('many writes in flight land in order of their offsets; a read after them sees them', async () => {
  const c = await started();
  const h = handleOf(await c.request(FXP.OPEN, '/big', PFLAG.WRITE | PFLAG.READ | PFLAG.CREAT, { attrs: {} }));
  const chunk = 32768;
  const expected = Buffer.alloc(chunk * 100);
  const ids: number[] = [];
  for (let i = 0; i < 100; i++) {
    const data = Buffer.alloc(chunk, i);
    data.copy(expected, i * chunk);
    const id = c.id();
    ids.push(id);
    c.send(packet(FXP.WRITE, id, h, BigInt(i * chunk), data));
  }
  // Overlapping write then read, pipelined: the read sees the write (§7: as if one at a time).
  const wid = c.id();
  c.send(packet(FXP.WRITE, wid, h, 0n, 'OVERWRITE'));
  const rid = c.id();
  c.send(packet(FXP.READ, rid, h, 0n, 9));
  const seen = new Map<number, Reply>();
  while (seen.size < 102) {
    const r = parseReply((await c.next())!);
    seen.set(r.id, r);
  }
  for (const id of [...ids, wid]) assert.equal(status(seen.get(id)!).code, FX.OK);
  const rr = seen.get(rid)!;
  assert.equal(rr.type === 'data' && rr.data.toString(), 'OVERWRITE');
  assert.equal(status(await c.request(FXP.CLOSE, h)).code, FX.OK);
  Buffer.from('OVERWRITE').copy(expected, 0);
  assert.ok((await readFile(join(c.home, 'big'))).equals(expected));
  await c.end();
});

test('the handle table is bounded', async () => {
  const c = await started({ limits: { maxHandles: 4 } });
  for (let i = 0; i < 4; i++) handleOf(await c.request(FXP.OPENDIR, '/'));
  const full = status(await c.request(FXP.OPEN, '/n', PFLAG.WRITE | PFLAG.CREAT, { attrs: {} }));
  assert.deepEqual([full.code, full.message], [FX.FAILURE, 'Too many open handles']);
  await c.end();
});

test('READ longer than max_read_length is shortened', async () => {
  const c = await started({ limits: { maxReadLength: 1000 } });
  await writeFile(join(c.home, 'f'), Buffer.alloc(5000, 1));
  const h = handleOf(await c.request(FXP.OPEN, '/f', PFLAG.READ, { attrs: {} }));
  const r = await c.request(FXP.READ, h, 0n, 4000);
  assert.equal(r.type === 'data' && r.data.length, 1000);
  await c.end();
});

test('back-pressure: with its output full the session stops reading requests, memory stays bounded', async () => {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const home = await mkdtemp(join(tmpdir(), 'sftp-bp-'));
  await writeFile(join(home, 'f'), Buffer.alloc(1 << 20, 7));
  const { input, output, done, state } = await rawSession({ home, maxInFlight: 8, outputHighWaterMark: 16 * 1024 });
  // The first handle of a session is "1".
  const requests = [packet(FXP.INIT, 3), packet(FXP.OPEN, 1, '/f', PFLAG.READ, { attrs: {} })];
  for (let i = 0; i < 400; i++) requests.push(packet(FXP.READ, 100 + i, '1', BigInt((i % 32) * 32768), 32768));
  // One chunk holding many requests: the framer stops inside it when enough are in flight.
  input.write(Buffer.concat(requests.slice(0, 200)));
  for (const r of requests.slice(200)) input.write(r);
  await new Promise((r) => setTimeout(r, 300));
  // Nobody reads the output: the session has stopped taking requests from its input.
  assert.ok(input.readableLength > 0, 'requests left unread');
  assert.ok(output.readableLength < 2 * 1024 * 1024, `output held ${output.readableLength}`);
  // Reading the output lets every request through.
  const { Framer } = await import('./wire.ts');
  let data = 0;
  const framer = new Framer(1 << 20, (b, s) => (b[s] === FXP.DATA && data++, true), () => {});
  output.on('data', (c: Buffer) => framer.push(c));
  input.end();
  await done;
  assert.equal(state.exited, true);
  assert.equal(data, 400);
});

test('replies leave in request order, even when a later request finishes first (OpenSSH 9.2 scp truncates a download otherwise)', async () => {
  const c = await started();
  const data = Buffer.alloc(4 * 261120);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
  await writeFile(join(c.home, 'blob'), data);
  const h = handleOf(await c.request(FXP.OPEN, '/blob', PFLAG.READ, { attrs: {} }));
  // Large READs in flight, each followed by requests that are answered without any I/O
  // (malformed ones) or with less (STAT): before, those overtook the READs.
  const order: number[] = [];
  for (let i = 0; i < 4; i++) {
    const rid = c.id();
    order.push(rid);
    c.send(packet(FXP.READ, rid, h, BigInt(i * 261120), 261120));
    const bad = c.id();
    order.push(bad);
    c.send(packet(FXP.READ, bad, 'h', 0n));
    const st = c.id();
    order.push(st);
    c.send(packet(FXP.STAT, st, '/blob'));
  }
  const seen: number[] = [];
  const got: Buffer[] = [];
  while (seen.length < order.length) {
    const r = parseReply((await c.next())!);
    seen.push(r.id);
    if (r.type === 'data') got.push(r.data);
  }
  assert.deepEqual(seen, order);
  assert.ok(Buffer.concat(got).equals(data));
  assert.equal(status(await c.request(FXP.CLOSE, h)).code, FX.OK);
  await c.end();
});

test('TRUNC on a handle opened only for reading truncates nothing', async () => {
  const c = await started();
  await writeFile(join(c.home, 'keep'), 'contents');
  const h = handleOf(await c.request(FXP.OPEN, '/keep', PFLAG.READ | PFLAG.TRUNC, { attrs: {} }));
  assert.equal(status(await c.request(FXP.CLOSE, h)).code, FX.OK);
  assert.equal(await readFile(join(c.home, 'keep'), 'utf8'), 'contents');
  await c.end();
});

test('permissions: a folder keeps rwx and a file rw for its owner; the home\'s own mode cannot change', async () => {
  const c = await started();
  await mkdir(join(c.home, 'd'));
  await writeFile(join(c.home, 'f'), 'x');
  assert.equal(status(await c.request(FXP.SETSTAT, '/d', { attrs: { permissions: 0 } })).code, FX.OK);
  assert.equal((await stat(join(c.home, 'd'))).mode & 0o7777, 0o700);
  assert.equal(status(await c.request(FXP.SETSTAT, '/f', { attrs: { permissions: 0o100 } })).code, FX.OK);
  assert.equal((await stat(join(c.home, 'f'))).mode & 0o7777, 0o700);
  assert.equal(status(await c.request(FXP.SETSTAT, '/f', { attrs: { permissions: 0 } })).code, FX.OK);
  assert.equal((await stat(join(c.home, 'f'))).mode & 0o7777, 0o600);
  const dh = handleOf(await c.request(FXP.OPENDIR, '/d'));
  assert.equal(status(await c.request(FXP.FSETSTAT, dh, { attrs: { permissions: 0o200 } })).code, FX.OK);
  assert.equal((await stat(join(c.home, 'd'))).mode & 0o7777, 0o700);
  assert.equal(status(await c.request(FXP.CLOSE, dh)).code, FX.OK);
  assert.equal(status(await c.request(FXP.MKDIR, '/e', { attrs: { permissions: 0 } })).code, FX.OK);
  assert.equal((await stat(join(c.home, 'e'))).mode & 0o7777, 0o700);
  const before = (await stat(c.home)).mode;
  for (const p of ['/', '.', '/d/..']) assert.equal(status(await c.request(FXP.SETSTAT, p, { attrs: { permissions: 0 } })).code, FX.PERMISSION_DENIED, p);
  assert.equal((await stat(c.home)).mode, before);
  await c.end();
});

test('scheduler: a task that rejects is reported, not left as an unhandled rejection, and the next job runs', async () => {
  const { Scheduler } = await import('./scheduler.ts');
  const errors: unknown[] = [];
  const s = new Scheduler((e) => errors.push(e));
  let ran = false;
  s.submit(null, () => Promise.reject(new Error('boom')));
  s.submit(null, async () => { ran = true; });
  await s.idle();
  assert.equal(ran, true);
  assert.deepEqual(errors.map((e) => (e as Error).message), ['boom']);
});

test('SYMLINK reads the target from the real folder and stores no "..": a link through a link cannot reach a neighbour\'s home', async () => {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const base = await mkdtemp(join(tmpdir(), 'sftp-homes-'));
  await mkdir(join(base, 'alice'));
  await mkdir(join(base, 'bob'));
  const c = await started({ home: join(base, 'alice') });
  // "/a" is the home itself; "/a/l" lies in the home, where "../bob" is bob's home.
  assert.equal(status(await c.request(FXP.SYMLINK, '.', '/a')).code, FX.OK);
  assert.equal(status(await c.request(FXP.SYMLINK, '../bob', '/a/l')).code, FX.PERMISSION_DENIED);
  await assert.rejects(lstat(join(c.home, 'l')));
  // Absolute targets: stored relative to the real folder.
  assert.equal(status(await c.request(FXP.SYMLINK, '/x', '/a/m')).code, FX.OK);
  assert.equal(await readlink(join(c.home, 'm')), 'x');
  // Nothing is stored with "..": a target beside the link's folder is refused.
  await mkdir(join(c.home, 'd'));
  await mkdir(join(c.home, 'd', 'e'));
  assert.equal(status(await c.request(FXP.SYMLINK, '/x', '/d/up')).code, FX.PERMISSION_DENIED);
  assert.equal(status(await c.request(FXP.SYMLINK, '../x', '/d/up')).code, FX.PERMISSION_DENIED);
  assert.equal(status(await c.request(FXP.SYMLINK, 'e/../e/f', '/d/down')).code, FX.OK);
  assert.equal(await readlink(join(c.home, 'd', 'down')), 'e/f');
  // READLINK reads the text from the real folder too.
  await symlink('../bob', join(c.home, 'legacy'));
  assert.equal(status(await c.request(FXP.READLINK, '/a/legacy')).code, FX.PERMISSION_DENIED);
  // A link whose text was made elsewhere (with "..") may not move to another folder, by rename or hard link.
  await symlink('../x', join(c.home, 'd', 'e', 'old'));
  assert.equal(status(await c.request(FXP.RENAME, '/d/e/old', '/old')).code, FX.PERMISSION_DENIED);
  assert.equal(status(await c.request(FXP.EXTENDED, 'hardlink@openssh.com', '/d/e/old', '/old')).code, FX.PERMISSION_DENIED);
  await assert.rejects(lstat(join(c.home, 'old')));
  assert.equal(status(await c.request(FXP.RENAME, '/d/e/old', '/d/e/old2')).code, FX.OK);
  // Links made here move freely: they only descend.
  assert.equal(status(await c.request(FXP.RENAME, '/d/down', '/down')).code, FX.OK);
  assert.equal(status(await c.request(FXP.EXTENDED, 'hardlink@openssh.com', '/m', '/d/m')).code, FX.OK);
  await c.end();
});

test('malformed packets behind a slow request count against max_in_flight: the session stops reading, replies stay in order', async () => {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { Framer } = await import('./wire.ts');
  const home = await mkdtemp(join(tmpdir(), 'sftp-held-'));
  await writeFile(join(home, 'slow'), 'x');
  // STAT "/slow" waits until the test lets it go.
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const { input, output, done } = await rawSession({
    home,
    maxInFlight: 8,
    prepare: (jail) => {
      const resolveExisting = jail.resolveExisting.bind(jail);
      jail.resolveExisting = async (cwd: string, path: string) => {
        if (path === '/slow') await gate;
        return resolveExisting(cwd, path);
      };
    },
  });
  const ids: number[] = [];
  const seen: number[] = [];
  const framer = new Framer(1 << 20, (b, s) => (b[s] !== FXP.VERSION && seen.push(b.readUInt32BE(s + 1)), true), () => {});
  output.on('data', (chunk: Buffer) => framer.push(chunk));
  input.write(packet(FXP.INIT, 3));
  ids.push(1);
  input.write(packet(FXP.STAT, 1, '/slow'));
  // READ without its length: BAD_MESSAGE, whose reply must wait for the STAT's.
  for (let i = 0; i < 200; i++) {
    ids.push(100 + i);
    input.write(packet(FXP.READ, 100 + i, 'h', 0n));
  }
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(input.readableLength > 0, 'the session stopped reading while max_in_flight replies were held');
  assert.deepEqual(seen, []);
  release();
  input.end();
  await done;
  assert.deepEqual(seen, ids);
});

test('quota: every handle of a file charges from one size; truncating or removing it by name while a handle is open frees nothing for that handle', async () => {
  const c = await started({ quota: 1000 });
  const h1 = handleOf(await c.request(FXP.OPEN, '/f', PFLAG.WRITE | PFLAG.CREAT, { attrs: {} }));
  assert.equal(status(await c.request(FXP.WRITE, h1, 0n, Buffer.alloc(900))).code, FX.OK);
  const h2 = handleOf(await c.request(FXP.OPEN, '/f', PFLAG.WRITE, { attrs: {} }));
  // Truncated by name: the 900 octets come back, and writing them again through either handle costs them again.
  assert.equal(status(await c.request(FXP.SETSTAT, '/f', { attrs: { size: 0 } })).code, FX.OK);
  assert.equal(status(await c.request(FXP.WRITE, h2, 0n, Buffer.alloc(900))).code, FX.OK);
  const g = handleOf(await c.request(FXP.OPEN, '/g', PFLAG.WRITE | PFLAG.CREAT, { attrs: {} }));
  assert.equal(status(await c.request(FXP.WRITE, g, 0n, Buffer.alloc(900))).message, 'Quota exceeded');
  // OPEN with TRUNC while h1 and h2 hold the file: the same.
  const h3 = handleOf(await c.request(FXP.OPEN, '/f', PFLAG.WRITE | PFLAG.TRUNC, { attrs: {} }));
  assert.equal(status(await c.request(FXP.WRITE, h1, 0n, Buffer.alloc(900))).code, FX.OK);
  assert.equal(status(await c.request(FXP.WRITE, g, 0n, Buffer.alloc(900))).message, 'Quota exceeded');
  // Removed while open: the octets stay stored (and writable through the handles) until the last close.
  assert.equal(status(await c.request(FXP.REMOVE, '/f')).code, FX.OK);
  assert.equal(status(await c.request(FXP.WRITE, h2, 0n, Buffer.alloc(900))).code, FX.OK);
  assert.equal(status(await c.request(FXP.WRITE, g, 0n, Buffer.alloc(900))).message, 'Quota exceeded');
  for (const h of [h1, h2]) assert.equal(status(await c.request(FXP.CLOSE, h)).code, FX.OK);
  assert.equal(status(await c.request(FXP.WRITE, g, 0n, Buffer.alloc(900))).message, 'Quota exceeded', 'h3 still holds it');
  assert.equal(status(await c.request(FXP.CLOSE, h3)).code, FX.OK);
  assert.equal(status(await c.request(FXP.WRITE, g, 0n, Buffer.alloc(900))).code, FX.OK, 'the last close freed it');
  assert.equal(status(await c.request(FXP.CLOSE, g)).code, FX.OK);
  // Replaced by RENAME while open: the same.
  const k = handleOf(await c.request(FXP.OPEN, '/g', PFLAG.WRITE, { attrs: {} }));
  await writeFile(join(c.home, 'e'), '');
  assert.equal(status(await c.request(FXP.EXTENDED, 'posix-rename@openssh.com', '/e', '/g')).code, FX.OK);
  assert.equal(status(await c.request(FXP.WRITE, k, 0n, Buffer.alloc(900))).code, FX.OK);
  const m = handleOf(await c.request(FXP.OPEN, '/m', PFLAG.WRITE | PFLAG.CREAT, { attrs: {} }));
  assert.equal(status(await c.request(FXP.WRITE, m, 0n, Buffer.alloc(900))).message, 'Quota exceeded');
  assert.equal(status(await c.request(FXP.CLOSE, k)).code, FX.OK);
  assert.equal(status(await c.request(FXP.WRITE, m, 0n, Buffer.alloc(900))).code, FX.OK);
  await c.end();
});

test('a folder swapped for a link between the path check and the open is refused: OPEN, OPENDIR, SETSTAT', async () => {
  const { mkdtemp, rename: mv, chmod } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const outside = await mkdtemp(join(tmpdir(), 'sftp-outside-'));
  await mkdir(join(outside, 'b'));
  await writeFile(join(outside, 'b', 'f'), 'secret');
  await chmod(join(outside, 'b', 'f'), 0o644);
  let swap: string | null = null;
  const c = await started({
    jail: (jail) => {
      const resolveExisting = jail.resolveExisting.bind(jail);
      // What another channel of the connection could do right after the jail's check.
      jail.resolveExisting = async (cwd: string, path: string) => {
        const r = await resolveExisting(cwd, path);
        if (swap !== null) {
          await mv(join(jail.root, swap), join(jail.root, `${swap}.was`));
          // "x/b" becomes a link to <outside>/b, "x" one to <outside>: either way x/b/f is <outside>/b/f.
          await symlink(swap.includes('/') ? join(outside, 'b') : outside, join(jail.root, swap));
          swap = null;
        }
        return r;
      };
    },
  });
  const fresh = async (top: string) => {
    await mkdir(join(c.home, top, 'b'), { recursive: true });
    await writeFile(join(c.home, top, 'b', 'f'), 'mine');
  };
  // The folder right above the file: refused (O_NOFOLLOW on it).
  await fresh('a');
  swap = 'a/b';
  assert.equal(status(await c.request(FXP.OPEN, '/a/b/f', PFLAG.READ, { attrs: {} })).code, FX.PERMISSION_DENIED);
  // A folder further up: the folder's descriptor is outside the home.
  await fresh('c');
  swap = 'c';
  assert.equal(status(await c.request(FXP.OPEN, '/c/b/f', PFLAG.WRITE | PFLAG.TRUNC, { attrs: {} })).code, FX.PERMISSION_DENIED);
  assert.equal(await readFile(join(outside, 'b', 'f'), 'utf8'), 'secret', 'nothing truncated outside');
  await fresh('e');
  swap = 'e';
  assert.equal(status(await c.request(FXP.SETSTAT, '/e/b/f', { attrs: { size: 0, permissions: 0o700 } })).code, FX.PERMISSION_DENIED);
  assert.equal(await readFile(join(outside, 'b', 'f'), 'utf8'), 'secret');
  assert.equal((await stat(join(outside, 'b', 'f'))).mode & 0o777, 0o644);
  await fresh('g');
  swap = 'g';
  assert.equal(status(await c.request(FXP.OPENDIR, '/g/b')).code, FX.PERMISSION_DENIED);
  await c.end();
});
