// Reading one stored message for the webmail: its structure parsed as it streams from
// the blob (memory stays flat whatever the size), then only the parts shown are read:
// the text/plain and text/html bodies (each up to a limit) and inline images for the
// HTML. Attachments are listed by part number and streamed on download (mail-parts.ts).

import { decodeBodyText, decodeEncodedWords, decodeTransfer, findSection, paramValue, parseMimeStructure, type MimePart } from '../../core/mime/index.ts';
import type { BlobStore, MessageMeta } from '../../core/store/types.ts';
import { addressList, headerText, type AddressView } from './addresses.ts';
import { summariseHeader } from './summary.ts';

export interface PartView {
  /** IMAP-style part number ("2", "1.3"), as findSection resolves it. */
  part: string;
  type: string;
  filename: string;
  /** Encoded size, octets (the decoded one is about 3/4 of it for base64). */
  size: number;
  contentId: string | null;
  inline: boolean;
}

export interface ParsedMessage {
  root: MimePart;
  textPart: MimePart | null;
  htmlPart: MimePart | null;
  attachments: PartView[];
  /** Content-ID (no <>) to the image part it names. */
  cids: Map<string, MimePart>;
}

export interface MessageHeaders {
  subject: string;
  from: AddressView[];
  to: AddressView[];
  cc: AddressView[];
  replyTo: AddressView[];
  date: string | null;
  messageId: string | null;
}

function partNumber(path: readonly number[]): string {
  return path.length === 0 ? '1' : path.join('.');
}

function isAttachment(part: MimePart): boolean {
  return part.disposition?.type.toLowerCase() === 'attachment';
}

export function filenameOf(part: MimePart): string {
  const raw = (part.disposition ? paramValue(part.disposition.params, 'filename') : null) ?? paramValue(part.params, 'name');
  const name = raw === null ? '' : decodeEncodedWords(raw);
  // A name for the download only: no folders, no control characters.
  const clean = name.replace(/[\x00-\x1f\x7f"\\/]/g, '_').replace(/^\.+/, '').slice(0, 200);
  if (clean !== '') return clean;
  return part.mediaType === 'message/rfc822' ? 'message.eml' : `part-${part.mediaType.replace(/[^a-z0-9]+/g, '-')}`;
}

export function contentIdOf(part: MimePart): string | null {
  return part.id === null ? null : part.id.trim().replace(/^<|>$/g, '');
}

/** The structure and the parts the reading pane needs. */
export function classifyParts(root: MimePart): ParsedMessage {
  let textPart: MimePart | null = null;
  let htmlPart: MimePart | null = null;
  const attachments: PartView[] = [];
  const cids = new Map<string, MimePart>();
  const visit = (part: MimePart, path: number[]): void => {
    if (part.structure === 'multipart') {
      part.children.forEach((child, i) => visit(child, [...path, i + 1]));
      return;
    }
    const cid = contentIdOf(part);
    if (cid !== null && part.type.toLowerCase() === 'image') cids.set(cid, part);
    const media = part.mediaType;
    if (!isAttachment(part) && media === 'text/plain' && textPart === null) textPart = part;
    else if (!isAttachment(part) && media === 'text/html' && htmlPart === null) htmlPart = part;
    else {
      attachments.push({
        part: partNumber(path),
        type: media,
        filename: filenameOf(part),
        size: part.bodyEnd - part.bodyStart,
        contentId: cid,
        inline: part.disposition?.type.toLowerCase() === 'inline' || (cid !== null && !isAttachment(part)),
      });
    }
  };
  visit(root, []);
  return { root, textPart, htmlPart, attachments, cids };
}

export async function parseStoredMessage(blobs: BlobStore, meta: Pick<MessageMeta, 'blobId' | 'size'>): Promise<ParsedMessage> {
  const whole = blobs.inMemory(meta.blobId);
  const root = await parseMimeStructure(whole ?? blobs.read(meta.blobId, undefined, meta.size));
  return classifyParts(root);
}

export function messageHeaders(root: MimePart): MessageHeaders {
  const s = summariseHeader(root.header);
  return { subject: s.subject, from: s.from, to: s.to, cc: s.cc, replyTo: addressList(root.header, 'reply-to'), date: s.date, messageId: headerText(root.header, 'message-id') };
}

/** The encoded octets of a part's body, at most `limit` of them. */
export async function readPartBody(blobs: BlobStore, meta: Pick<MessageMeta, 'blobId' | 'size'>, part: MimePart, limit: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  const end = Math.min(part.bodyEnd, part.bodyStart + limit);
  const truncated = end < part.bodyEnd;
  const whole = blobs.inMemory(meta.blobId);
  if (whole !== undefined) return { bytes: whole.subarray(part.bodyStart, end), truncated };
  if (end <= part.bodyStart) return { bytes: Buffer.alloc(0), truncated };
  const chunks: Buffer[] = [];
  for await (const chunk of blobs.read(meta.blobId, { start: part.bodyStart, end }, meta.size)) chunks.push(chunk as Buffer);
  return { bytes: Buffer.concat(chunks), truncated };
}

export async function partText(blobs: BlobStore, meta: Pick<MessageMeta, 'blobId' | 'size'>, part: MimePart, limit: number): Promise<{ text: string; truncated: boolean }> {
  const { bytes, truncated } = await readPartBody(blobs, meta, part, limit);
  return { text: decodeBodyText(bytes, part), truncated };
}

/** A small image part as a data: URL (for cid: references in the HTML), or undefined when over `limit`. */
export async function partDataUrl(blobs: BlobStore, meta: Pick<MessageMeta, 'blobId' | 'size'>, part: MimePart, limit: number): Promise<string | undefined> {
  if (part.bodyEnd - part.bodyStart > limit) return undefined;
  const type = part.mediaType;
  if (!/^image\/(?:png|gif|jpe?g|webp|bmp)$/.test(type)) return undefined;
  const { bytes } = await readPartBody(blobs, meta, part, limit);
  return `data:${type};base64,${decodeTransfer(bytes, part.encoding).toString('base64')}`;
}

/** The part named by "2.1", or null. */
export function partByNumber(root: MimePart, number: string): MimePart | null {
  if (!/^[1-9][0-9]{0,4}(?:\.[1-9][0-9]{0,4}){0,20}$/.test(number)) return null;
  const part = findSection(root, number.split('.').map(Number));
  if (part === null || part.structure === 'multipart') return null;
  return part;
}
