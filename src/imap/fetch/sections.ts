// Where the octets of a FETCH section come from (RFC 3501 §6.4.5): a range of the
// stored message (streamed from the blob: exact octets, never the whole message in
// memory), a small buffer built from header fields (HEADER.FIELDS), or a transfer-
// decoded part (BINARY, RFC 3516).

import type { BlobStore, MessageMeta } from '../../core/store/types.ts';
import { findSection, transferDecoder, type HeaderField, type MimePart } from '../mime.ts';
import { Code, no } from '../replies.ts';
import type { Section } from './items.ts';
import type { HeaderInfo } from './message-source.ts';

export type SectionSource =
  | { kind: 'range'; start: number; end: number }
  | { kind: 'bytes'; data: Buffer }
  | { kind: 'decoded'; start: number; end: number; encoding: string }
  | { kind: 'nil' };

const CRLF = Buffer.from('\r\n');

function filterFields(fields: readonly HeaderField[], names: readonly string[], keep: boolean): Buffer {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const raw = fields.filter((f) => wanted.has(f.lowerName) === keep).map((f) => f.raw);
  // RFC 3501 §6.4.5: the returned header ends with its blank line.
  return Buffer.concat([...raw, CRLF]);
}

/** Sections of the top level that need only the header. */
export function rootSection(section: Section, meta: MessageMeta, header: HeaderInfo | null): SectionSource {
  switch (section.kind) {
    case 'all':
      return { kind: 'range', start: 0, end: meta.size };
    case 'header':
      // The header block read for FETCH is kept with the header: no second file read.
      if (header!.raw && header!.raw.length === header!.bodyStart) return { kind: 'bytes', data: header!.raw };
      return { kind: 'range', start: 0, end: header!.bodyStart };
    case 'text':
      return { kind: 'range', start: header!.bodyStart, end: meta.size };
    case 'fields':
    case 'fields-not':
      return { kind: 'bytes', data: filterFields(header!.fields, section.fields, section.kind === 'fields') };
    case 'mime':
      return { kind: 'nil' };
  }
}

/**
 * findSection, extended as Dovecot does: ".1" of a part that is neither multipart nor
 * message/rfc822 names the part itself (as RFC 3501 §6.4.5 says of a one-part message).
 */
function findPart(tree: MimePart, numbers: readonly number[]): MimePart | null {
  const part = findSection(tree, numbers);
  if (part !== null || numbers.length < 2 || numbers[numbers.length - 1] !== 1) return part;
  const parent = findPart(tree, numbers.slice(0, -1));
  // Not for the top level's own body: "1.1" of a one-part message does not exist.
  return parent !== null && parent !== tree && parent.structure === 'leaf' ? parent : null;
}

/** Dovecot answers a section that does not exist with an empty string. */
const EMPTY: SectionSource = { kind: 'bytes', data: Buffer.alloc(0) };

/** Any section, given the whole tree. */
export function treeSection(section: Section, tree: MimePart, binary: boolean): SectionSource {
  if (section.part.length === 0 && !binary) {
    return rootSection(section, { size: tree.bodyEnd } as MessageMeta, { fields: tree.header, bodyStart: tree.bodyStart });
  }
  if (section.part.length === 0) return { kind: 'range', start: 0, end: tree.bodyEnd };
  const part = findPart(tree, section.part);
  if (part === null) return EMPTY;
  switch (section.kind) {
    case 'all': {
      if (!binary || part.structure !== 'leaf') return { kind: 'range', start: part.bodyStart, end: part.bodyEnd };
      const encoding = (part.encoding ?? '7bit').toLowerCase();
      if (encoding === 'base64' || encoding === 'quoted-printable') return { kind: 'decoded', start: part.bodyStart, end: part.bodyEnd, encoding };
      if (encoding === '7bit' || encoding === '8bit' || encoding === 'binary') return { kind: 'range', start: part.bodyStart, end: part.bodyEnd };
      // RFC 3516 §4.3: a transfer encoding we cannot undo.
      throw no(`Unknown Content-Transfer-Encoding ${encoding}`, Code.unknownCte);
    }
    case 'mime':
      return { kind: 'range', start: part.headerStart, end: part.bodyStart };
    default: {
      const message = part.structure === 'message' ? part.message : null;
      if (message === null) return EMPTY;
      if (section.kind === 'header') return { kind: 'range', start: message.headerStart, end: message.bodyStart };
      if (section.kind === 'text') return { kind: 'range', start: message.bodyStart, end: message.bodyEnd };
      return { kind: 'bytes', data: filterFields(message.header, section.fields, section.kind === 'fields') };
    }
  }
}

/** Streams a transfer-decoded range through sink; returns the decoded size. */
export async function pipeDecoded(blobs: BlobStore, blobId: string, source: { start: number; end: number; encoding: string }, sink: (chunk: Buffer) => Promise<void> | void): Promise<number> {
  const decoder = transferDecoder(source.encoding);
  let size = 0;
  if (source.end <= source.start) return 0;
  const input = blobs.read(blobId, { start: source.start, end: source.end });
  if (decoder === null) {
    for await (const chunk of input) {
      size += (chunk as Buffer).length;
      await sink(chunk as Buffer);
    }
    return size;
  }
  input.on('error', (error) => decoder.destroy(error));
  input.pipe(decoder);
  for await (const chunk of decoder) {
    size += (chunk as Buffer).length;
    await sink(chunk as Buffer);
  }
  return size;
}
