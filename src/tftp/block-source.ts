// The sending side's file reader: reads a file in large chunks straight into
// ready-made DATA packets. An "area" is one buffer of `count` packets laid out as
// [header(4) | payload(blksize)] × count; in octet mode one readv() fills all the
// payloads, so the per-packet path only writes a 4-octet header (done here, once)
// and calls send(). An acknowledged area's buffer is recycled for a later area only
// when the socket's send queue is empty (`sendIdle`): then every packet has been
// copied into the kernel and none still points into it. Without that check areas
// are fresh buffers left to the garbage collector.

import type { FileHandle } from 'node:fs/promises';
import { encodeNetascii } from './netascii.ts';
import { writeDataHeader } from './wire.ts';

export interface Area {
  /** Absolute number of the first block (1-based, never wraps). */
  first: number;
  count: number;
  buf: Buffer;
  /** The payload slots of buf (readv targets). */
  views: Buffer[];
  /** 4 + blksize. */
  stride: number;
  /** Whether the last block of this area is the final block of the transfer. */
  final: boolean;
  /** Payload length of the last block of this area. */
  lastLength: number;
}

/** A lower bound on the octets read per area, so small blocks still mean large reads. */
const AREA_TARGET_OCTETS = 512 * 1024;
/** Linux IOV_MAX: a readv() takes at most this many buffers. */
const MAX_IOV = 1024;
const NETASCII_READ = 64 * 1024;

/** Blocks per area: at least a window, about 512 KiB, at most IOV_MAX buffers. */
export function areaBlocksFor(blksize: number, windowsize: number): number {
  return Math.max(windowsize, Math.min(MAX_IOV, Math.ceil(AREA_TARGET_OCTETS / blksize)));
}

export class BlockSource {
  readonly blockSize: number;
  /** The final block's absolute number, once the end of the file has been read. */
  lastBlock: number | null = null;
  /** Payload length of the final block, once known. */
  finalLength = 0;
  private readonly file: FileHandle;
  private readonly netascii: boolean;
  readonly areaBlocks: number;
  private readonly areas: Area[] = [];
  private nextBlock = 1;
  private position = 0;
  private pending: Buffer = Buffer.alloc(0);
  private rawEof = false;
  private loading: Promise<void> | null = null;
  /** Buffers of acknowledged areas, with their views, waiting to be reused. */
  private readonly spare: { buf: Buffer; views: Buffer[] }[] = [];
  private readonly sendIdle: (() => boolean) | null;

  constructor(file: FileHandle, options: { blockSize: number; windowsize: number; netascii: boolean; sendIdle?: () => boolean }) {
    this.file = file;
    this.blockSize = options.blockSize;
    this.netascii = options.netascii;
    this.areaBlocks = areaBlocksFor(options.blockSize, options.windowsize);
    this.sendIdle = options.sendIdle ?? null;
  }

  /** The loaded area holding block n, or null. */
  areaOf(n: number): Area | null {
    for (const area of this.areas) if (n >= area.first && n < area.first + area.count) return area;
    return null;
  }

  /** Whether blocks through n are loaded (or the file ends before n). */
  hasThrough(n: number): boolean {
    return n < this.nextBlock || (this.lastBlock !== null && n > this.lastBlock);
  }

  /** Reads the next area unless the end is known; concurrent calls share one read. */
  loadNext(): Promise<void> {
    if (this.lastBlock !== null) return Promise.resolve();
    this.loading ??= (this.netascii ? this.loadNetascii() : this.loadOctets()).finally(() => (this.loading = null));
    return this.loading;
  }

  get isLoading(): boolean {
    return this.loading !== null;
  }

  /** Forgets areas wholly before block n (acknowledged). */
  release(before: number): void {
    while (this.areas.length > 0 && this.areas[0]!.first + this.areas[0]!.count <= before) {
      const done = this.areas.shift()!;
      if (this.sendIdle !== null && this.spare.length < 2 && done.count === this.areaBlocks) this.spare.push({ buf: done.buf, views: done.views });
    }
  }

  private newArea(count: number): Area {
    const stride = 4 + this.blockSize;
    // Reuse only when nothing is queued for sending: the kernel has copied every packet.
    const recycled = this.spare.length > 0 && this.sendIdle!() ? this.spare.pop()! : null;
    const buf = recycled?.buf ?? Buffer.allocUnsafe(count * stride);
    let views = recycled?.views;
    if (views === undefined) {
      views = [];
      for (let i = 0; i < count; i++) views.push(buf.subarray(i * stride + 4, (i + 1) * stride));
    }
    return { first: this.nextBlock, count, buf, views, stride, final: false, lastLength: this.blockSize };
  }

  private finishArea(area: Area, octets: number): void {
    const bs = this.blockSize;
    const capacity = area.count * bs;
    if (octets < capacity) {
      // The end of the file: full blocks, then one short (possibly empty) final block.
      area.count = Math.floor(octets / bs) + 1;
      area.lastLength = octets % bs;
      area.final = true;
      this.lastBlock = area.first + area.count - 1;
      this.finalLength = area.lastLength;
    }
    for (let i = 0; i < area.count; i++) writeDataHeader(area.buf, i * area.stride, area.first + i);
    this.areas.push(area);
    this.nextBlock = area.first + area.count;
  }

  private async loadOctets(): Promise<void> {
    const area = this.newArea(this.areaBlocks);
    // A regular file gives a full read unless it ends: a short read is the end of the file.
    const { bytesRead } = await this.file.readv(area.views, this.position);
    this.position += bytesRead;
    this.finishArea(area, bytesRead);
  }

  private async loadNetascii(): Promise<void> {
    const area = this.newArea(this.areaBlocks);
    const capacity = area.count * this.blockSize;
    const parts: Buffer[] = [this.pending];
    let have = this.pending.length;
    while (have < capacity && !this.rawEof) {
      const chunk = Buffer.allocUnsafe(NETASCII_READ);
      const { bytesRead } = await this.file.read(chunk, 0, chunk.length, this.position);
      if (bytesRead === 0) {
        this.rawEof = true;
        break;
      }
      this.position += bytesRead;
      const encoded = encodeNetascii(chunk.subarray(0, bytesRead));
      parts.push(encoded);
      have += encoded.length;
    }
    const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts, have);
    const used = Math.min(have, capacity);
    this.pending = all.subarray(used);
    for (let i = 0, at = 0; at < used; i++, at += this.blockSize) {
      all.copy(area.buf, i * area.stride + 4, at, Math.min(at + this.blockSize, used));
    }
    // Exactly full with more to come is not the end; the next area decides.
    this.finishArea(area, used < capacity ? used : capacity);
  }

  /** Payload length of block n (loaded). */
  payloadLength(area: Area, n: number): number {
    return n === area.first + area.count - 1 ? area.lastLength : this.blockSize;
  }
}
