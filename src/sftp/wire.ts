// SFTP version 3 on a byte stream (draft-ietf-secsh-filexfer-02, "sftp-draft-02.txt"):
// the packet framing (§3: uint32 length, byte type, data), the primitive codec of
// RFC 4251 §5 (uint32, uint64, string) and the file attributes of §5. Every limit comes
// from the config (`sftp.*`): a length over `max_packet_length` is refused before any
// octet of its body is buffered, as OpenSSH's sftp-server refuses SFTP_MAX_MSG_LENGTH.
//
// The framer copies nothing when a packet lies inside one input chunk (the usual case
// for small requests); a packet spread over several chunks is gathered once into a
// buffer of its exact length. Replies are built into a shared batch buffer
// (`ReplyBuilder`) that is cut into one write per event-loop turn.

/** §3 / §7 packet types. */
export const FXP = {
  INIT: 1, VERSION: 2, OPEN: 3, CLOSE: 4, READ: 5, WRITE: 6, LSTAT: 7, FSTAT: 8, SETSTAT: 9, FSETSTAT: 10,
  OPENDIR: 11, READDIR: 12, REMOVE: 13, MKDIR: 14, RMDIR: 15, REALPATH: 16, STAT: 17, RENAME: 18, READLINK: 19, SYMLINK: 20,
  STATUS: 101, HANDLE: 102, DATA: 103, NAME: 104, ATTRS: 105, EXTENDED: 200, EXTENDED_REPLY: 201,
} as const;

/** §7 status codes (version 3 has no more: no QUOTA_EXCEEDED, no INVALID_HANDLE). */
export const FX = {
  OK: 0, EOF: 1, NO_SUCH_FILE: 2, PERMISSION_DENIED: 3, FAILURE: 4, BAD_MESSAGE: 5, NO_CONNECTION: 6, CONNECTION_LOST: 7, OP_UNSUPPORTED: 8,
} as const;
export type StatusCode = (typeof FX)[keyof typeof FX];

/** §6.3 pflags of SSH_FXP_OPEN. */
export const PFLAG = { READ: 0x01, WRITE: 0x02, APPEND: 0x04, CREAT: 0x08, TRUNC: 0x10, EXCL: 0x20 } as const;

/** §5 attribute flags. */
export const ATTR = { SIZE: 0x1, UIDGID: 0x2, PERMISSIONS: 0x4, ACMODTIME: 0x8, EXTENDED: 0x80000000 } as const;

export interface Attrs {
  size?: number;
  uid?: number;
  gid?: number;
  permissions?: number;
  atime?: number;
  mtime?: number;
  extended?: Array<[string, Buffer]>;
}

/** A request the peer framed wrongly: answered with SSH_FX_BAD_MESSAGE. */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

/** Reads the fields of one packet body (RFC 4251 §5 encodings), refusing short data. */
export class PacketReader {
  buf: Buffer;
  pos: number;
  end: number;

  constructor(buf: Buffer, pos: number, end: number) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  private need(n: number): void {
    if (this.end - this.pos < n) throw new WireError('packet too short');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** uint64 as a JavaScript number; beyond 2^53 is refused (no file is that big). */
  u64(): number {
    this.need(8);
    const hi = this.buf.readUInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    if (hi > 0x1fffff) throw new WireError('uint64 beyond 2^53');
    return hi * 0x100000000 + lo;
  }

  /** A string's octets, as a view of the packet (no copy). */
  bytes(): Buffer {
    const n = this.u32();
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A UTF-8 string (file names are UTF-8 in practice; v3 says nothing of charsets). */
  text(): string {
    const n = this.u32();
    this.need(n);
    const v = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A path: a NUL octet can never be part of one (it would cut the name short in the OS). */
  path(): string {
    const n = this.u32();
    this.need(n);
    if (this.buf.subarray(this.pos, this.pos + n).includes(0)) throw new WireError('path contains a NUL octet');
    const v = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** §5 ATTRS. */
  attrs(): Attrs {
    const flags = this.u32();
    const a: Attrs = {};
    if (flags & ATTR.SIZE) a.size = this.u64();
    if (flags & ATTR.UIDGID) {
      a.uid = this.u32();
      a.gid = this.u32();
    }
    if (flags & ATTR.PERMISSIONS) a.permissions = this.u32();
    if (flags & ATTR.ACMODTIME) {
      a.atime = this.u32();
      a.mtime = this.u32();
    }
    if (flags & ATTR.EXTENDED) {
      const count = this.u32();
      // Each pair takes at least 8 octets: a count the packet cannot hold is refused at once.
      if (count > (this.end - this.pos) / 8) throw new WireError('extended attribute count beyond the packet');
      a.extended = [];
      for (let i = 0; i < count; i++) a.extended.push([this.text(), this.bytes()]);
    }
    return a;
  }
}

/** Octets an attribute block takes when encoded. */
export function attrsLength(a: Attrs): number {
  let n = 4;
  if (a.size !== undefined) n += 8;
  if (a.uid !== undefined && a.gid !== undefined) n += 8;
  if (a.permissions !== undefined) n += 4;
  if (a.atime !== undefined && a.mtime !== undefined) n += 8;
  return n;
}

/**
 * Builds reply packets into a batch buffer. `begin` reserves the length field, the
 * field writers append, `end` fills the length in. `take` hands the octets written
 * since the last take to the caller, who may keep them (they are never overwritten).
 */
export class ReplyBuilder {
  private buf: Buffer;
  private start = 0;
  private pos = 0;
  private packetStart = 0;
  private readonly chunkSize: number;

  constructor(chunkSize = 65_536) {
    this.chunkSize = chunkSize;
    this.buf = Buffer.allocUnsafe(chunkSize);
  }

  /** Whether octets wait to be taken. */
  get pending(): boolean {
    return this.pos > this.start;
  }

  /** Starts a packet that needs at most `room` octets after the 5-octet header. */
  begin(type: number, room: number): this {
    const need = 5 + room;
    if (this.buf.length - this.pos < need) {
      // The octets not yet taken move to the new buffer; taken ones stay where they are.
      const carry = this.buf.subarray(this.start, this.pos);
      const next = Buffer.allocUnsafe(Math.max(this.chunkSize, need + carry.length));
      carry.copy(next, 0);
      this.buf = next;
      this.pos = carry.length;
      this.start = 0;
    }
    this.packetStart = this.pos;
    this.pos += 4;
    this.buf[this.pos++] = type;
    return this;
  }

  u8(v: number): this {
    this.buf[this.pos++] = v;
    return this;
  }

  u32(v: number): this {
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  u64(v: number): this {
    const n = Math.max(0, Math.floor(v));
    this.buf.writeUInt32BE(Math.floor(n / 0x100000000) >>> 0, this.pos);
    this.buf.writeUInt32BE(n >>> 0, this.pos + 4);
    this.pos += 8;
    return this;
  }

  /** A string; `room` given to `begin` must include 4 + its UTF-8 length. */
  text(s: string): this {
    const n = this.buf.write(s, this.pos + 4, 'utf8');
    this.buf.writeUInt32BE(n, this.pos);
    this.pos += 4 + n;
    return this;
  }

  bytes(b: Buffer): this {
    this.buf.writeUInt32BE(b.length, this.pos);
    b.copy(this.buf, this.pos + 4);
    this.pos += 4 + b.length;
    return this;
  }

  attrs(a: Attrs): this {
    let flags = 0;
    if (a.size !== undefined) flags |= ATTR.SIZE;
    if (a.uid !== undefined && a.gid !== undefined) flags |= ATTR.UIDGID;
    if (a.permissions !== undefined) flags |= ATTR.PERMISSIONS;
    if (a.atime !== undefined && a.mtime !== undefined) flags |= ATTR.ACMODTIME;
    this.u32(flags);
    if (a.size !== undefined) this.u64(a.size);
    if (flags & ATTR.UIDGID) this.u32(a.uid!).u32(a.gid!);
    if (a.permissions !== undefined) this.u32(a.permissions);
    if (flags & ATTR.ACMODTIME) this.u32(a.atime!).u32(a.mtime!);
    return this;
  }

  end(): void {
    this.buf.writeUInt32BE(this.pos - this.packetStart - 4, this.packetStart);
  }

  /** The octets built since the last take (a view; the builder never writes there again). */
  take(): Buffer {
    const out = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    if (this.buf.length - this.pos < 1024) {
      this.buf = Buffer.allocUnsafe(this.chunkSize);
      this.start = this.pos = 0;
    }
    return out;
  }
}

/** UTF-8 length of a string (for `begin`'s room). */
export const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** The 13-octet header of an SSH_FXP_DATA reply that precedes the data (§7). */
export const DATA_HEADER = 13;

/** Fills in the header of a DATA packet whose `n` data octets start at DATA_HEADER. */
export function finishData(packet: Buffer, id: number, n: number): Buffer {
  packet.writeUInt32BE(DATA_HEADER - 4 + n, 0);
  packet[4] = FXP.DATA;
  packet.writeUInt32BE(id, 5);
  packet.writeUInt32BE(n, 9);
  return packet.subarray(0, DATA_HEADER + n);
}

/** Packets at least this long that span chunks are gathered into pooled buffers. */
const POOLED_PACKET = 65_536;

export type FrameError = { kind: 'too-long'; length: number; head: Buffer } | { kind: 'empty' };

/**
 * §3 framing: splits the input into packet bodies (type and data, without the length).
 * A body inside one chunk is passed as a view of that chunk; otherwise it is gathered
 * into a buffer of its own length. `onPacket` gets (buffer, start, end).
 */
export class Framer {
  private readonly maxLength: number;
  /** Returns false to stop before the next packet (too much in flight); `push` then returns where it stopped. */
  private readonly onPacket: (buf: Buffer, start: number, end: number) => boolean;
  private readonly onError: (error: FrameError) => void;
  private readonly lengthField = Buffer.alloc(4);
  private lengthHave = 0;
  private body: Buffer | null = null;
  private bodyHave = 0;
  private failed = false;
  /**
   * Buffers of `maxLength` octets for large packets spread over chunks (WRITEs), given
   * back with `release` once their request is done: a transfer reuses a few dozen
   * instead of allocating one per packet (fewer garbage collections).
   */
  private readonly pool: Buffer[] = [];
  private readonly owned = new WeakSet<ArrayBufferLike>();
  private readonly poolMax: number;

  constructor(maxLength: number, onPacket: Framer['onPacket'], onError: Framer['onError'], poolMax = 0) {
    this.maxLength = maxLength;
    this.onPacket = onPacket;
    this.onError = onError;
    this.poolMax = poolMax;
  }

  /** Gives back the buffer of a packet whose request is finished (no-op for other buffers). */
  release(buf: Buffer): void {
    if (buf.byteOffset !== 0 || !this.owned.has(buf.buffer) || this.pool.length >= this.poolMax) return;
    this.pool.push(Buffer.from(buf.buffer, 0, this.maxLength));
  }

  private allocate(length: number): Buffer {
    if (this.poolMax === 0 || length < POOLED_PACKET) return Buffer.allocUnsafe(length);
    let whole = this.pool.pop();
    if (!whole) {
      whole = Buffer.allocUnsafeSlow(this.maxLength);
      this.owned.add(whole.buffer);
    }
    return whole.subarray(0, length);
  }

  /** Octets of an unfinished packet held now (for tests of flat memory). */
  get buffered(): number {
    return this.lengthHave + this.bodyHave;
  }

  /**
   * Frames `chunk` from `from`. Returns the offset it stopped at: `chunk.length` when all
   * was taken, less when `onPacket` asked to stop (call again from there later), so a
   * chunk holding a thousand small requests cannot put a thousand in flight at once.
   */
  push(chunk: Buffer, from = 0): number {
    let off = from;
    const n = chunk.length;
    while (off < n && !this.failed) {
      if (this.body !== null) {
        const take = Math.min(this.body.length - this.bodyHave, n - off);
        chunk.copy(this.body, this.bodyHave, off, off + take);
        this.bodyHave += take;
        off += take;
        if (this.bodyHave === this.body.length) {
          const body = this.body;
          this.body = null;
          this.bodyHave = 0;
          if (!this.onPacket(body, 0, body.length)) return off;
        }
        continue;
      }
      let length: number;
      if (this.lengthHave === 0 && n - off >= 4) {
        length = chunk.readUInt32BE(off);
        off += 4;
      } else {
        const take = Math.min(4 - this.lengthHave, n - off);
        chunk.copy(this.lengthField, this.lengthHave, off, off + take);
        this.lengthHave += take;
        off += take;
        if (this.lengthHave < 4) return off;
        this.lengthHave = 0;
        length = this.lengthField.readUInt32BE(0);
      }
      if (length === 0) {
        this.failed = true;
        this.onError({ kind: 'empty' });
        return n;
      }
      if (length > this.maxLength) {
        // The type and request id, when present, let the reply name the request.
        this.failed = true;
        this.onError({ kind: 'too-long', length, head: Buffer.from(chunk.subarray(off, off + 5)) });
        return n;
      }
      if (n - off >= length) {
        const start = off;
        off += length;
        if (!this.onPacket(chunk, start, off)) return off;
      } else {
        this.body = this.allocate(length);
        this.bodyHave = 0;
      }
    }
    return this.failed ? n : off;
  }
}
