// Reading stored messages for FETCH and SEARCH without holding them in memory: the
// header block alone (read until its blank line), or the whole MIME tree (one
// streaming pass through the parser), each cached in a small LRU keyed by blob id
// (blobs never change), and octet ranges streamed from the blob store. A body in the
// store's body cache is parsed from memory; a small one not cached is read whole (and
// cached) since the size is passed along.

import type { BlobStore, MessageMeta } from '../../core/store/types.ts';
import { MimeStructureParser, parseHeaderFields, type HeaderField, type MimePart } from '../mime.ts';

/** The top-level header of a message: its fields and where the body starts. */
export interface HeaderInfo {
  fields: HeaderField[];
  /** Octet offset of the body (after the blank line). */
  bodyStart: number;
  /** The header block's octets (through the blank line), when it was read on its own. */
  raw?: Buffer;
}

class Lru<V> {
  private readonly map = new Map<string, V>();
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }
  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}

// Shared by all sessions: a client that fetches BODYSTRUCTURE and then BODY[1]
// parses once. Blob ids are content-addressed handles that never change.
const trees = new Lru<MimePart>(256);
const headers = new Lru<HeaderInfo>(2048);
// Loads under way, so a prefetch and the FETCH that needs the result read the blob once.
const treesLoading = new Map<string, Promise<MimePart>>();
const headersLoading = new Map<string, Promise<HeaderInfo>>();

function once<V>(loading: Map<string, Promise<V>>, key: string, load: () => Promise<V>): Promise<V> {
  const pending = loading.get(key);
  if (pending) return pending;
  const started = load().finally(() => loading.delete(key));
  loading.set(key, started);
  return started;
}

/** The whole MIME tree (exact offsets of every part), parsed in one streaming pass. */
export async function loadTree(blobs: BlobStore, meta: Pick<MessageMeta, 'blobId' | 'size'>): Promise<MimePart> {
  const cached = trees.get(meta.blobId);
  if (cached) return cached;
  return once(treesLoading, meta.blobId, () => parseTree(blobs, meta));
}

async function parseTree(blobs: BlobStore, meta: Pick<MessageMeta, 'blobId' | 'size'>): Promise<MimePart> {
  const parser = new MimeStructureParser();
  const body = blobs.inMemory(meta.blobId);
  if (body) parser.push(body);
  else for await (const chunk of blobs.read(meta.blobId, undefined, meta.size)) parser.push(chunk as Buffer);
  const tree = parser.end();
  trees.set(meta.blobId, tree);
  headers.set(meta.blobId, { fields: tree.header, bodyStart: tree.bodyStart });
  return tree;
}

/** Index just past the first empty line (CRLF CRLF, LF LF, or a leading empty line), or -1. */
function headerEnd(data: Buffer): number {
  if (data[0] === 0x0a) return 1;
  if (data[0] === 0x0d && data[1] === 0x0a) return 2;
  let from = 0;
  for (;;) {
    const lf = data.indexOf(0x0a, from);
    if (lf < 0 || lf + 1 >= data.length) return -1;
    if (data[lf + 1] === 0x0a) return lf + 2;
    if (data[lf + 1] === 0x0d && data[lf + 2] === 0x0a) return lf + 3;
    if (data[lf + 1] === 0x0d && lf + 2 >= data.length) return -1;
    from = lf + 1;
  }
}

/** The top-level header only: reads the blob until the blank line. */
export async function loadHeader(blobs: BlobStore, meta: Pick<MessageMeta, 'blobId' | 'size'>, readLimit: number): Promise<HeaderInfo> {
  const cached = headers.get(meta.blobId);
  if (cached) return cached;
  return once(headersLoading, meta.blobId, () => readHeader(blobs, meta, readLimit));
}

/** Headers longer than readLimit (imap.header_read_limit) are read through the full parser instead. */
async function readHeader(blobs: BlobStore, meta: Pick<MessageMeta, 'blobId' | 'size'>, readLimit: number): Promise<HeaderInfo> {
  const chunks: Buffer[] = [];
  let length = 0;
  let end = -1;
  const body = blobs.inMemory(meta.blobId);
  const stream = body ? [body.subarray(0, Math.min(body.length, readLimit))] : blobs.read(meta.blobId, { start: 0, end: Math.min(meta.size, readLimit) }, meta.size);
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    // Scan from a little before the new chunk: the blank line may straddle chunks.
    const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    end = headerEnd(data);
    if (end >= 0) break; // leaving the loop stops (destroys) the stream
  }
  const data = Buffer.concat(chunks, length);
  let info: HeaderInfo;
  // The block is copied out so the LRU does not pin the rest of the read buffer.
  if (end >= 0) info = { fields: parseHeaderFields(data.subarray(0, end)), bodyStart: end, raw: Buffer.from(data.subarray(0, end)) };
  else if (meta.size <= readLimit) info = { fields: parseHeaderFields(data), bodyStart: meta.size };
  else {
    const tree = await loadTree(blobs, meta);
    return { fields: tree.header, bodyStart: tree.bodyStart };
  }
  headers.set(meta.blobId, info);
  return info;
}

/** Reads octets [start, end) of a blob into memory (small ranges only). */
export async function readRange(blobs: BlobStore, blobId: string, start: number, end: number): Promise<Buffer> {
  if (end <= start) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of blobs.read(blobId, { start, end })) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
