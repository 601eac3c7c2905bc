// What the remote can take: 8-bit bodies need 8BITMIME (RFC 6152), UTF-8 in the
// header or addresses needs SMTPUTF8 (RFC 6531). Without 8BITMIME, every MIME leaf
// part with 8-bit octets is re-encoded as quoted-printable (RFC 6152 §3, RFC 1652 §5:
// the client converts); the rest of the message stays byte for byte. The conversion
// streams: the stored message is read, never held.

import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { QuotedPrintableEncodeState } from '../../../core/mime/transfer-encoding.ts';
import { parseMimeStructure, walkParts, type MimePart } from '../../../core/mime/index.ts';

export interface BodyTraits {
  /** Octets >= 0x80 anywhere after the header: BODY=8BITMIME. */
  eightBitBody: boolean;
  /** Octets >= 0x80 in the top-level header: only an SMTPUTF8 server may take it (RFC 6532). */
  utf8Header: boolean;
}

const hasHighBit = (bytes: Uint8Array, start = 0, end = bytes.length): boolean => {
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return true;
  return false;
};

/** Scans a chunk stream once; `feed` each chunk in order, then `traits`. */
export class TraitScanner {
  private inHeader = true;
  private tail = '';
  private result: BodyTraits = { eightBitBody: false, utf8Header: false };

  feed(chunk: Buffer): void {
    if (!this.inHeader) {
      if (!this.result.eightBitBody && hasHighBit(chunk)) this.result.eightBitBody = true;
      return;
    }
    const text = this.tail + chunk.toString('latin1');
    const end = text.indexOf('\r\n\r\n');
    const headerPart = end >= 0 ? text.slice(0, end) : text;
    if (/[\x80-\xff]/.test(headerPart)) this.result.utf8Header = true;
    if (end >= 0) {
      this.inHeader = false;
      if (/[\x80-\xff]/.test(text.slice(end))) this.result.eightBitBody = true;
    } else this.tail = text.slice(-3);
  }

  get traits(): BodyTraits {
    return { ...this.result };
  }
}

const CTE_QP = Buffer.from('Content-Transfer-Encoding: quoted-printable\r\n');

/** One change to the stored octets, by absolute offset; edits never overlap. */
type Edit =
  /** Octets [start, end) are replaced by `text` (end === start: an insertion). */
  | { kind: 'replace'; start: number; end: number; text: Buffer }
  /** Octets [start, end) go through a quoted-printable encoder (a leaf's body). */
  | { kind: 'qp'; start: number; end: number };

/**
 * How to send the message with each 8-bit leaf part quoted-printable encoded and its
 * Content-Transfer-Encoding set to match: the edits for a SevenBitRewriter. `open`
 * gives a fresh stream of the stored message; it is read twice here (the structure,
 * then which leaves hold 8-bit octets) and once more by the rewriter, so memory stays
 * bounded by the chunk size and the part tree, never by the message.
 */
export async function planDowngrade(open: () => Readable): Promise<DowngradePlan> {
  const root = await parseMimeStructure(open());
  const leaves = [...walkParts(root)].filter((p) => p.structure === 'leaf' && p.bodyEnd > p.bodyStart).sort((a, b) => a.bodyStart - b.bodyStart);
  const edits: Edit[] = [];
  for (const part of await leavesWithHighBit(open(), leaves)) {
    const cte = part.header.find((f) => f.lowerName === 'content-transfer-encoding');
    // The field replaced where it stands, or a new one at the start of the part's header.
    if (cte) edits.push({ kind: 'replace', start: cte.start, end: cte.start + cte.raw.length, text: CTE_QP });
    else edits.push({ kind: 'replace', start: part.headerStart, end: part.headerStart, text: CTE_QP });
    edits.push({ kind: 'qp', start: part.bodyStart, end: part.bodyEnd });
  }
  return { edits: edits.sort((a, b) => a.start - b.start || a.end - b.end) };
}

export interface DowngradePlan {
  readonly edits: readonly Edit[];
}

/** The leaves (sorted by bodyStart, disjoint) whose body holds an octet >= 0x80. */
async function leavesWithHighBit(source: Readable, leaves: MimePart[]): Promise<MimePart[]> {
  const found: MimePart[] = [];
  let k = 0;
  let offset = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    const end = offset + chunk.length;
    while (k < leaves.length && leaves[k]!.bodyStart < end) {
      const leaf = leaves[k]!;
      const from = Math.max(leaf.bodyStart, offset) - offset;
      const to = Math.min(leaf.bodyEnd, end) - offset;
      if (hasHighBit(chunk, from, to)) {
        found.push(leaf);
        k++;
      } else if (leaf.bodyEnd <= end) k++;
      else break; // the leaf goes on in the next chunk
    }
    offset = end;
    if (k >= leaves.length) {
      source.destroy();
      break;
    }
  }
  return found;
}

/**
 * Applies a plan's edits while the stored message streams through (a fresh open()). `consumed` counts the input
 * octets handled so far (tests measure what is in flight with it).
 */
export class SevenBitRewriter extends Transform {
  private readonly edits: readonly Edit[];
  private next = 0;
  private qp: QuotedPrintableEncodeState | null = null;
  consumed = 0;

  constructor(plan: DowngradePlan) {
    super();
    this.edits = plan.edits;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const base = this.consumed;
    const end = base + chunk.length;
    let at = base;
    const out: Buffer[] = [];
    while (at < end) {
      const edit = this.edits[this.next];
      if (!edit || edit.start >= end) {
        out.push(chunk.subarray(at - base));
        at = end;
        break;
      }
      if (at < edit.start) {
        out.push(chunk.subarray(at - base, edit.start - base));
        at = edit.start;
      }
      const stop = Math.min(edit.end, end);
      if (edit.kind === 'replace') {
        if (at === edit.start) out.push(edit.text);
      } else {
        this.qp ??= new QuotedPrintableEncodeState();
        out.push(this.qp.update(chunk.subarray(at - base, stop - base)));
      }
      at = stop;
      if (at === edit.end) {
        if (edit.kind === 'qp') out.push(this.qp!.finish());
        this.qp = null;
        this.next++;
      }
    }
    this.consumed = end;
    this.push(out.length === 1 ? out[0] : Buffer.concat(out));
    done();
  }

  override _flush(done: TransformCallback): void {
    // A part that runs to the end of the message ends with it.
    if (this.qp) this.push(this.qp.finish());
    for (; this.next < this.edits.length; this.next++) {
      const edit = this.edits[this.next]!;
      if (edit.kind === 'replace' && edit.start >= this.consumed) this.push(edit.text);
    }
    done();
  }
}
