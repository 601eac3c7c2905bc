// The MIME structure parser: one pass over a stored message, in chunks of any size,
// yielding the part tree with exact octet offsets. Memory stays constant apart from
// the kept headers (capped per part) and the tree itself: body octets are only
// looked at line by line, and of each line only its first 84 octets are kept (enough
// to recognise "--" + an 80-octet boundary + "--").
//
// Boundary rules follow RFC 2046 §5.1.1 and, where the RFC leaves a gap or the input
// is broken, what Dovecot's message-parser does, so BODYSTRUCTURE sizes agree:
// - a line is a delimiter when it starts with "--" + the boundary of any enclosing
//   multipart (prefix match, longest wins, innermost on a tie); what follows the
//   boundary on that line is ignored;
// - the line end before a delimiter line belongs to the delimiter, not to the part;
// - a delimiter of an outer multipart closes every part inside it;
// - a delimiter inside a header ends that header there (the part gets no body);
// - a close delimiter ("--b--") retires b: what follows is the multipart's epilogue;
// - a multipart without boundary, or whose header has no blank line, has no children;
// - a message/rfc822 part always holds one nested message (possibly empty);
// - nesting deeper than maxDepth, or more than maxParts parts, stop structure
//   parsing: the part concerned is a leaf and the rest of the data belongs to it;
// - everything ends at EOF: a missing final boundary is no error.
// Bad input never throws.

import type { Readable } from 'node:stream';
import { parseHeaderFields } from './header.ts';
import type { MimePart } from './part.ts';
import { BOUNDARY_MAX, readPartFields } from './part-fields.ts';

export interface MimeParseOptions {
  /** Header octets kept per part for field parsing; offsets are exact beyond it. Default 64 KiB. */
  maxHeaderBytes?: number;
  /** Containers (multipart, message/rfc822) nested at most this deep. Default 100, as Dovecot. */
  maxDepth?: number;
  /** Parts in one message at most. Default 10000, as Dovecot. */
  maxParts?: number;
}

export const MIME_PARSE_DEFAULTS = { maxHeaderBytes: 64 * 1024, maxDepth: 100, maxParts: 10000 } as const;

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
const PREFIX_MAX = 2 + BOUNDARY_MAX + 2;

interface Frame {
  readonly part: MimePart;
  readonly parent: Frame | null;
  /** Containers above this part (the top-level message: 0). */
  readonly depth: number;
  lfAtBodyStart: number;
  /** The header ended at a blank line (not at a delimiter or EOF). */
  blankLine: boolean;
}

interface ActiveBoundary {
  readonly bytes: Buffer;
  readonly owner: Frame;
}

/** Push-style parser: feed chunks with push(), then end() returns the root part. */
export class MimeStructureParser {
  private readonly maxHeaderBytes: number;
  private readonly maxDepth: number;
  private readonly maxParts: number;

  /** Octets consumed so far, and the LFs among them. */
  private offset = 0;
  private lfCount = 0;

  // The line being read.
  private lineStart = 0;
  private lfAtLineStart = 0;
  private lineLastByte = -1;
  private readonly prefix = Buffer.alloc(PREFIX_MAX);
  private prefixLen = 0;
  /** Length of the previous line's line end (2 CRLF, 1 LF, 0 none). */
  private prevNewline = 0;

  private mode: 'header' | 'body' = 'header';
  private readonly stack: Frame[] = [];
  private boundaries: ActiveBoundary[] = [];
  private headerChunks: Buffer[] = [];
  private headerKept = 0;
  private partCount = 1;
  private overflow = false;
  private readonly root: MimePart;
  private ended = false;

  constructor(options: MimeParseOptions = {}) {
    this.maxHeaderBytes = options.maxHeaderBytes ?? MIME_PARSE_DEFAULTS.maxHeaderBytes;
    this.maxDepth = options.maxDepth ?? MIME_PARSE_DEFAULTS.maxDepth;
    this.maxParts = options.maxParts ?? MIME_PARSE_DEFAULTS.maxParts;
    this.root = emptyPart(0);
    this.stack.push({ part: this.root, parent: null, depth: 0, lfAtBodyStart: 0, blankLine: false });
  }

  push(chunk: Uint8Array): void {
    if (this.ended) return;
    const n = chunk.length;
    let pos = 0;
    while (pos < n) {
      const lf = chunk.indexOf(LF, pos);
      const segmentEnd = lf === -1 ? n : lf + 1;
      this.collect(chunk, pos, segmentEnd);
      this.offset += segmentEnd - pos;
      if (lf === -1) {
        this.lineLastByte = chunk[n - 1]!;
        break;
      }
      const beforeLf = lf > pos ? chunk[lf - 1]! : this.lineLastByte;
      this.lfCount++;
      this.endLine(this.offset - this.lineStart >= 2 && beforeLf === CR ? 2 : 1);
      pos = segmentEnd;
    }
  }

  /** Ends the input: closes every open part at EOF and returns the tree. */
  end(): MimePart {
    if (this.ended) return this.root;
    if (this.offset > this.lineStart) this.endLine(0); // a last line without line end
    while (this.mode === 'header') this.endHeader(this.offset, this.lfCount, false);
    while (this.stack.length > 0) closeFrame(this.stack.pop()!, this.offset, this.lfCount);
    this.ended = true;
    return this.root;
  }

  /** Keeps what a line's handling needs: its first octets and, in a header, the header octets. */
  private collect(chunk: Uint8Array, start: number, end: number): void {
    if (this.boundaries.length > 0 && this.prefixLen < PREFIX_MAX) {
      // Most lines cannot be delimiters: skip copying unless the line starts with '-'.
      if (this.prefixLen === 0 && chunk[start] !== DASH) {
        this.prefix[0] = chunk[start]!;
        this.prefixLen = PREFIX_MAX;
        return this.collectHeader(chunk, start, end);
      }
      const take = Math.min(end - start, PREFIX_MAX - this.prefixLen);
      this.prefix.set(chunk.subarray(start, start + take), this.prefixLen);
      this.prefixLen += take;
    }
    this.collectHeader(chunk, start, end);
  }

  private collectHeader(chunk: Uint8Array, start: number, end: number): void {
    if (this.mode === 'header' && this.headerKept < this.maxHeaderBytes) {
      const take = Math.min(end - start, this.maxHeaderBytes - this.headerKept);
      this.headerChunks.push(Buffer.from(chunk.subarray(start, start + take)));
      this.headerKept += take;
    }
  }

  private endLine(newline: number): void {
    const lineLength = this.offset - this.lineStart;
    const delimiter = this.boundaries.length > 0 ? this.matchDelimiter() : null;
    if (delimiter !== null) this.onDelimiter(delimiter.boundary, delimiter.close);
    else if (this.mode === 'header' && newline > 0 && lineLength === newline) this.endHeader(this.offset, this.lfCount, true);
    this.prevNewline = newline;
    this.lineStart = this.offset;
    this.lfAtLineStart = this.lfCount;
    this.prefixLen = 0;
    this.lineLastByte = -1;
  }

  private matchDelimiter(): { boundary: ActiveBoundary; close: boolean } | null {
    const p = this.prefix;
    if (this.prefixLen < 2 || p[0] !== DASH || p[1] !== DASH) return null;
    let best: ActiveBoundary | null = null;
    // Innermost first, so a boundary reused by a nested multipart belongs to the inner one.
    for (let i = this.boundaries.length - 1; i >= 0; i--) {
      const b = this.boundaries[i]!;
      if (b.bytes.length + 2 > this.prefixLen || (best !== null && b.bytes.length <= best.bytes.length)) continue;
      if (p.compare(b.bytes, 0, b.bytes.length, 2, 2 + b.bytes.length) === 0) best = b;
    }
    if (best === null) return null;
    const after = 2 + best.bytes.length;
    const close = this.prefixLen >= after + 2 && p[after] === DASH && p[after + 1] === DASH;
    return { boundary: best, close };
  }

  private onDelimiter(boundary: ActiveBoundary, close: boolean): void {
    const top = this.stack[this.stack.length - 1]!;
    const contentStart = this.mode === 'header' ? top.part.headerStart : top.part.bodyStart;
    // RFC 2046 §5.1.1: the CRLF before the delimiter is part of the delimiter.
    let cut = this.lineStart;
    let cutLf = this.lfAtLineStart;
    if (this.lineStart > contentStart && this.prevNewline > 0) {
      cut -= this.prevNewline;
      cutLf -= 1;
    } else if (this.mode === 'body' && top.blankLine && top !== boundary.owner && this.prevNewline > 0) {
      // An empty body right after the blank line: that line end is the delimiter's
      // CRLF, so the part has no body at all (RFC 2046 §5.1.1 body-part; Dovecot
      // agrees) and its header ends before the blank line's line end.
      cut -= this.prevNewline;
      cutLf -= 1;
      top.part.headerEnd = top.part.bodyStart = cut;
      top.lfAtBodyStart = cutLf;
    }
    while (this.mode === 'header') this.endHeader(cut, cutLf, false);
    while (this.stack.length > 1 && this.stack[this.stack.length - 1] !== boundary.owner) {
      closeFrame(this.stack.pop()!, cut, cutLf);
    }
    const index = this.boundaries.indexOf(boundary);
    this.boundaries.length = close ? index : index + 1; // inner boundaries went with their parts
    if (!close) this.openChild(boundary.owner, this.offset);
  }

  private endHeader(headerEnd: number, lfAtHeaderEnd: number, blankLine: boolean): void {
    const frame = this.stack[this.stack.length - 1]!;
    const part = frame.part;
    part.headerEnd = part.bodyStart = headerEnd;
    frame.lfAtBodyStart = lfAtHeaderEnd;
    frame.blankLine = blankLine;
    const length = headerEnd - part.headerStart;
    const kept = Buffer.concat(this.headerChunks);
    part.headerTruncated = length > kept.length;
    part.header = parseHeaderFields(kept.subarray(0, Math.min(length, kept.length)), part.headerStart);
    if (part.headerTruncated) part.header.pop(); // the last field was cut short
    this.headerChunks = [];
    this.headerKept = 0;
    const parent = frame.parent?.part;
    const inDigest = parent !== undefined && parent.structure === 'multipart' && parent.mediaType === 'multipart/digest';
    Object.assign(part, readPartFields(part.header, inDigest));
    this.mode = 'body';
    const canContain = !this.overflow && frame.depth + 1 < this.maxDepth;
    if (part.mediaType.startsWith('multipart/') && canContain) {
      part.structure = 'multipart';
      if (blankLine && part.boundary !== null) this.boundaries.push({ bytes: Buffer.from(part.boundary, 'utf8'), owner: frame });
    } else if (part.mediaType === 'message/rfc822' && canContain) {
      part.structure = 'message';
      this.openChild(frame, headerEnd, lfAtHeaderEnd);
    }
  }

  /** A new part whose header starts at `start`: the next multipart child, or a message/rfc822's message. */
  private openChild(parent: Frame, start: number, lfAtStart = this.lfCount): void {
    const part = emptyPart(start);
    if (parent.part.structure === 'message') parent.part.message = part;
    else parent.part.children.push(part);
    this.stack.push({ part, parent, depth: parent.depth + 1, lfAtBodyStart: lfAtStart, blankLine: false });
    this.mode = 'header';
    this.headerChunks = [];
    this.headerKept = 0;
    if (++this.partCount >= this.maxParts) {
      // Dovecot's answer to part bombs: no more structure, the rest belongs to this part.
      this.overflow = true;
      this.boundaries = [];
    }
  }
}

function closeFrame(frame: Frame, end: number, lfAtEnd: number): void {
  frame.part.bodyEnd = end;
  frame.part.bodyLines = lfAtEnd - frame.lfAtBodyStart;
}

function emptyPart(start: number): MimePart {
  return {
    headerStart: start,
    headerEnd: start,
    bodyStart: start,
    bodyEnd: start,
    bodyLines: 0,
    header: [],
    headerTruncated: false,
    structure: 'leaf',
    type: 'text',
    subtype: 'plain',
    mediaType: 'text/plain',
    params: [],
    rawParams: [],
    charset: 'us-ascii',
    boundary: null,
    id: null,
    description: null,
    encoding: null,
    md5: null,
    disposition: null,
    language: null,
    location: null,
    children: [],
    message: null,
  };
}

export type MimeSource = Uint8Array | Readable | AsyncIterable<Uint8Array | string>;

/** Parses a whole message from a buffer, a Readable or any async iterable of chunks. */
export async function parseMimeStructure(source: MimeSource, options?: MimeParseOptions): Promise<MimePart> {
  const parser = new MimeStructureParser(options);
  if (source instanceof Uint8Array) {
    parser.push(source);
    return parser.end();
  }
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    parser.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  }
  return parser.end();
}

/** The synchronous convenience for a message already in memory. */
export function parseMimeBuffer(message: Uint8Array, options?: MimeParseOptions): MimePart {
  const parser = new MimeStructureParser(options);
  parser.push(message);
  return parser.end();
}
