// A session over a pair of in-memory streams and a raw-packet client for transcript
// tests: the test writes request packets and reads reply packets as they are framed.
// Test-only.

import { PassThrough } from 'node:stream';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../core/log/logger.ts';
import { defaultConfig } from '../../core/config/load.ts';
import type { ByteChannel } from '../../core/service/byte-channel.ts';
import { HomeJail } from '../../files/jail.ts';
import { QuotaTracker } from '../../files/limits.ts';
import { TransferLog, type TransferRecord } from '../../files/transfer-log.ts';
import { runSftpSession, sftpLimits } from '../server.ts';
import type { SftpLimits } from '../commands/types.ts';
import { FXP, Framer, PacketReader, type Attrs } from '../wire.ts';

export interface Packet {
  type: number;
  body: Buffer;
  /** A reader positioned after the type (at the id, for every reply but VERSION). */
  reader(): PacketReader;
}

/** Encodes a request: type, then fields (number = uint32, bigint = uint64, string/Buffer = string, {attrs} = ATTRS). */
export function packet(type: number, ...fields: Array<number | bigint | string | Buffer | { attrs: Attrs }>): Buffer {
  const parts: Buffer[] = [Buffer.from([type])];
  for (const f of fields) {
    if (typeof f === 'number') {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(f >>> 0);
      parts.push(b);
    } else if (typeof f === 'bigint') {
      const b = Buffer.alloc(8);
      b.writeBigUInt64BE(f);
      parts.push(b);
    } else if (typeof f === 'string' || Buffer.isBuffer(f)) {
      const v = typeof f === 'string' ? Buffer.from(f, 'utf8') : f;
      const n = Buffer.alloc(4);
      n.writeUInt32BE(v.length);
      parts.push(n, v);
    } else {
      parts.push(encodeAttrs(f.attrs));
    }
  }
  const body = Buffer.concat(parts);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

export function encodeAttrs(a: Attrs): Buffer {
  const parts: Buffer[] = [];
  let flags = 0;
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    parts.push(b);
  };
  if (a.size !== undefined) flags |= 1;
  if (a.uid !== undefined) flags |= 2;
  if (a.permissions !== undefined) flags |= 4;
  if (a.mtime !== undefined) flags |= 8;
  u32(flags);
  if (a.size !== undefined) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(a.size));
    parts.push(b);
  }
  if (a.uid !== undefined) {
    u32(a.uid);
    u32(a.gid ?? 0);
  }
  if (a.permissions !== undefined) u32(a.permissions);
  if (a.mtime !== undefined) {
    u32(a.atime ?? a.mtime);
    u32(a.mtime);
  }
  return Buffer.concat(parts);
}

export class SftpTestClient {
  readonly input = new PassThrough();
  readonly output = new PassThrough();
  readonly records: TransferRecord[] = [];
  exitStatus: number | null = null;
  done!: Promise<void>;
  private packets: Packet[] = [];
  private waiter: (() => void) | null = null;
  private ended = false;
  private nextId = 1;

  /** `jail`: a hook that may wrap the session's jail (a test that races a path check). */
  static async start(o: { home?: string; quota?: number | null; limits?: Partial<SftpLimits>; jail?: (jail: HomeJail) => void } = {}): Promise<SftpTestClient & { home: string }> {
    const home = o.home ?? (await mkdtemp(join(tmpdir(), 'sftp-test-')));
    const client = new SftpTestClient() as SftpTestClient & { home: string };
    client.home = home;
    const jail = await HomeJail.open(home);
    o.jail?.(jail);
    const quota = await QuotaTracker.open(jail.root, o.quota ?? null);
    const controller = new AbortController();
    const channel: ByteChannel = {
      input: client.input,
      output: client.output,
      errors: new PassThrough(),
      exit: (status) => {
        client.exitStatus = status;
        client.output.end();
      },
      signal: controller.signal,
    };
    const transfers = new TransferLog(silentLogger());
    transfers.record = (r) => void client.records.push(r);
    const framer = new Framer(1 << 30, (b, s, e) => {
      const body = Buffer.from(b.subarray(s, e));
      client.packets.push({ type: body[0]!, body, reader: () => new PacketReader(body, 1, body.length) });
      client.wake();
      return true;
    }, () => {});
    client.output.on('data', (c: Buffer) => framer.push(c));
    client.output.on('end', () => {
      client.ended = true;
      client.wake();
    });
    client.done = runSftpSession(channel, { jail, quota }, { limits: { ...sftpLimits(defaultConfig()), ...o.limits }, transfers, user: 'tester', remote: 'test', log: silentLogger() });
    return client;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  send(bytes: Buffer): void {
    this.input.write(bytes);
  }

  id(): number {
    return this.nextId++;
  }

  /** The next reply packet; null when the session ended its output. */
  async next(timeoutMs = 5000): Promise<Packet | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.packets.length === 0) {
      if (this.ended) return null;
      if (Date.now() > deadline) throw new Error('no reply in time');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.packets.shift()!;
  }

  async init(): Promise<Array<[string, string]>> {
    this.send(packet(FXP.INIT, 3));
    const p = await this.next();
    if (p?.type !== FXP.VERSION) throw new Error('no VERSION');
    const r = p.reader();
    r.u32();
    const ext: Array<[string, string]> = [];
    while (r.pos < r.end) ext.push([r.text(), r.text()]);
    return ext;
  }

  /** Sends a request with a fresh id and returns its reply (in order, for transcripts of one request at a time). */
  async request(type: number, ...fields: Array<number | bigint | string | Buffer | { attrs: Attrs }>): Promise<Reply> {
    const id = this.id();
    this.send(packet(type, id, ...fields));
    const p = await this.next();
    if (!p) throw new Error('session ended');
    return parseReply(p);
  }

  async end(): Promise<void> {
    this.input.end();
    await this.done;
  }
}

export type Reply =
  | { type: 'status'; id: number; code: number; message: string }
  | { type: 'handle'; id: number; handle: Buffer }
  | { type: 'data'; id: number; data: Buffer }
  | { type: 'name'; id: number; names: Array<{ filename: string; longname: string; attrs: Attrs }> }
  | { type: 'attrs'; id: number; attrs: Attrs }
  | { type: 'extended'; id: number; reader: PacketReader };

export function parseReply(p: Packet): Reply {
  const r = p.reader();
  const id = r.u32();
  switch (p.type) {
    case FXP.STATUS: return { type: 'status', id, code: r.u32(), message: r.text() };
    case FXP.HANDLE: return { type: 'handle', id, handle: Buffer.from(r.bytes()) };
    case FXP.DATA: return { type: 'data', id, data: Buffer.from(r.bytes()) };
    case FXP.NAME: {
      const n = r.u32();
      const names = [];
      for (let i = 0; i < n; i++) names.push({ filename: r.text(), longname: r.text(), attrs: r.attrs() });
      return { type: 'name', id, names };
    }
    case FXP.ATTRS: return { type: 'attrs', id, attrs: r.attrs() };
    case FXP.EXTENDED_REPLY: return { type: 'extended', id, reader: r };
    default: throw new Error(`unexpected reply type ${p.type}`);
  }
}

/**
 * A session over bare streams the test drives itself (for back-pressure and ordering
 * tests that need the output unread or a request held): `prepare` may wrap the jail.
 */
export async function rawSession(o: { home: string; maxInFlight: number; outputHighWaterMark?: number; prepare?: (jail: HomeJail) => void }) {
  const input = new PassThrough();
  const output = new PassThrough(o.outputHighWaterMark ? { highWaterMark: o.outputHighWaterMark } : {});
  const jail = await HomeJail.open(o.home);
  o.prepare?.(jail);
  const controller = new AbortController();
  const state = { exited: false };
  const done = runSftpSession(
    { input, output, errors: new PassThrough(), exit: () => ((state.exited = true), output.end()), signal: controller.signal },
    { jail, quota: await QuotaTracker.open(jail.root, null) },
    { limits: { ...sftpLimits(defaultConfig()), maxInFlight: o.maxInFlight }, transfers: new TransferLog(silentLogger()), user: 't', remote: 't', log: silentLogger() },
  );
  return { input, output, done, state };
}
