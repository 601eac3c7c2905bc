// The stored messages compose works from (the one replied to or forwarded, a draft
// reopened, the parts of them kept as attachments): always looked up through the
// signed-in account, so another user's mailbox id or UID is "not found" like one that
// does not exist. Bodies stream from the blob store; the structure parser gives each
// part's octet range, and a kept attachment is decoded from its transfer encoding as
// it is read.

import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  decodeBodyText,
  decodeHeaderValue,
  headerValue,
  paramValue,
  parseMimeStructure,
  transferDecoder,
  type BuildAttachment,
  type MimePart,
} from '../../core/mime/index.ts';
import type { Account, Mailbox, MessageMeta, Store } from '../../core/store/types.ts';
import { WebError } from '../replies.ts';
import type { AttachmentRef } from './compose-form.ts';

/** Most octets of a text part read for quoting or for reopening a draft. */
export const MAX_TEXT_OCTETS = 1024 * 1024;

export interface SourceMessage {
  mailbox: Mailbox;
  meta: MessageMeta;
  root: MimePart;
}

export interface StoredAttachment {
  path: number[];
  filename: string;
  contentType: string;
  /** Octets of the encoded body (what the part takes in the message). */
  size: number;
}

/** The account's mailbox with this id, or not-found (also for another user's). */
export async function ownMailbox(store: Store, account: Account, mailboxId: number): Promise<Mailbox> {
  const mailbox = await store.mailboxes.getMailboxById(mailboxId);
  if (!mailbox || mailbox.accountId !== account.id) throw new WebError('not-found', 'no such mailbox');
  return mailbox;
}

/** The account's mailbox of a special use (RFC 6154 "\\Sent", "\\Drafts"), created when missing. */
export async function specialMailbox(store: Store, account: Account, specialUse: '\\Sent' | '\\Drafts', name: string): Promise<Mailbox> {
  const all = await store.mailboxes.listMailboxes(account.id);
  const found = all.find((m) => m.specialUse?.toLowerCase() === specialUse.toLowerCase());
  if (found) return found;
  const byName = all.find((m) => m.name === name);
  if (byName) return byName;
  return store.mailboxes.createMailbox(account.id, name, { specialUse, subscribe: true });
}

export async function openSource(store: Store, account: Account, mailboxId: number, uid: number): Promise<SourceMessage> {
  const mailbox = await ownMailbox(store, account, mailboxId);
  const [meta] = await store.mailboxes.getMessages(mailbox.id, [uid]);
  if (!meta) throw new WebError('not-found', 'no such message');
  const root = await parseMimeStructure(store.blobs.read(meta.blobId, undefined, meta.size));
  return { mailbox, meta, root };
}

/** A header field of the message, encoded words decoded; '' when absent. */
export function field(source: SourceMessage, name: string): string {
  const value = headerValue(source.root.header, name);
  return value === null ? '' : decodeHeaderValue(value);
}

/** A header field as written (for msg-ids and address lists). */
export function rawField(source: SourceMessage, name: string): string {
  return headerValue(source.root.header, name) ?? '';
}

function isAttachment(part: MimePart): boolean {
  if (part.disposition?.type.toLowerCase() === 'attachment') return true;
  if (filenameOf(part) !== null) return true;
  return part.type.toLowerCase() !== 'text' && part.structure !== 'multipart';
}

function filenameOf(part: MimePart): string | null {
  return (part.disposition ? paramValue(part.disposition.params, 'filename') : null) ?? paramValue(part.params, 'name');
}

interface Located {
  part: MimePart;
  path: number[];
}

/** Leaves (and message/rfc822 parts, whole) with their part numbers (RFC 3501 §6.4.5). */
function leaves(root: MimePart): Located[] {
  if (root.structure !== 'multipart') return [{ part: root, path: [1] }];
  const out: Located[] = [];
  const walk = (part: MimePart, path: number[]) => {
    if (part.structure === 'multipart') part.children.forEach((child, i) => walk(child, [...path, i + 1]));
    else out.push({ part, path });
  };
  root.children.forEach((child, i) => walk(child, [i + 1]));
  return out;
}

/** The part a path names (the root for [1] of a single-part message). */
function partAt(root: MimePart, path: readonly number[]): MimePart | null {
  if (root.structure !== 'multipart') return path.length === 1 && path[0] === 1 ? root : null;
  let current = root;
  for (const n of path) {
    if (current.structure !== 'multipart') return null;
    const child = current.children[n - 1];
    if (!child) return null;
    current = child;
  }
  return current;
}

export function attachmentsOf(source: SourceMessage): StoredAttachment[] {
  return leaves(source.root)
    .filter(({ part }) => isAttachment(part))
    .map(({ part, path }) => ({
      path,
      filename: filenameOf(part) ?? (part.mediaType === 'message/rfc822' ? 'message.eml' : 'attachment'),
      contentType: part.mediaType,
      size: part.bodyEnd - part.bodyStart,
    }));
}

/** The message's text: its first text/plain part that is no attachment, else its HTML as plain text. */
export async function textOf(store: Store, source: SourceMessage): Promise<string> {
  const all = leaves(source.root).filter(({ part }) => !isAttachment(part) && part.type.toLowerCase() === 'text');
  const plain = all.find(({ part }) => part.subtype.toLowerCase() === 'plain');
  const chosen = plain ?? all.find(({ part }) => part.subtype.toLowerCase() === 'html');
  if (!chosen) return '';
  const { part } = chosen;
  const end = Math.min(part.bodyEnd, part.bodyStart + MAX_TEXT_OCTETS);
  const octets = await readRange(store, source.meta, part.bodyStart, end);
  const text = decodeBodyText(octets, part).replace(/\r\n/g, '\n');
  return plain ? text : htmlToText(text);
}

/** Just enough to quote an HTML-only message: no tags, block ends as line ends, common entities. */
function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<(br|\/p|\/div|\/li|\/tr|\/h[1-6])\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

async function readRange(store: Store, meta: MessageMeta, start: number, end: number): Promise<Buffer> {
  if (end <= start) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of store.blobs.read(meta.blobId, { start, end }, meta.size)) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * The kept attachments, checked now (each must be an attachment of a message of this
 * account) and read later, one after the other, while the message is built.
 */
export async function keptAttachments(store: Store, account: Account, refs: readonly AttachmentRef[]): Promise<BuildAttachment[]> {
  const out: BuildAttachment[] = [];
  const sources = new Map<string, SourceMessage>();
  for (const ref of refs) {
    const key = `${ref.mailboxId}/${ref.uid}`;
    const source = sources.get(key) ?? (await openSource(store, account, ref.mailboxId, ref.uid));
    sources.set(key, source);
    const part = partAt(source.root, ref.path);
    if (!part || !isAttachment(part)) throw new WebError('not-found', `no such attachment: ${ref.path.join('.')}`);
    const described = attachmentsOf(source).find((a) => a.path.join('.') === ref.path.join('.'))!;
    out.push({ filename: described.filename, contentType: described.contentType, content: decodedPart(store, source.meta, part) });
  }
  return out;
}

/** The part's octets with the transfer encoding undone, streamed (opened when first read). */
function decodedPart(store: Store, meta: MessageMeta, part: MimePart): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      const raw: Readable = part.bodyEnd > part.bodyStart ? store.blobs.read(meta.blobId, { start: part.bodyStart, end: part.bodyEnd }, meta.size) : Readable.from([]);
      const decoder = transferDecoder(part.structure === 'message' ? null : part.encoding);
      if (!decoder) return raw[Symbol.asyncIterator]();
      const out = new PassThrough();
      pipeline(raw, decoder, out).catch((error: unknown) => out.destroy(error as Error));
      return out[Symbol.asyncIterator]();
    },
  };
}
