// The URL parts of CATENATE (RFC 4469 §5): an IMAP URL (RFC 5092) of a message, or of
// a section or a partial range of one, in a mailbox of the logged-in account. Its
// octets are streamed from the stored body into the message being built, the way
// FETCH BODY[section] would send them. A URL that does not name such a message, or
// that names another user or another UIDVALIDITY, fails the APPEND with
// NO [BADURL url] (RFC 4469 §5); a result over the APPEND limit with NO [TOOBIG].

import type { BlobWriter } from '../../core/store/types.ts';
import { parseFetchItems, type Section } from '../fetch/items.ts';
import { loadTree } from '../fetch/message-source.ts';
import { treeSection } from '../fetch/sections.ts';
import { decodeMailboxName } from '../mailbox-names.ts';
import { Code, ImapError, no, Text } from '../replies.ts';
import type { ImapSession } from '../session.ts';
import { ArgParser } from '../wire.ts';

interface ImapUrl {
  mailbox: string;
  uidValidity: number | null;
  uid: number;
  section: Section | null;
  partial: { start: number; length: number | null } | null;
}

/** url-resp-text (RFC 4469 §6): no "]", no CR or LF. */
const badUrl = (url: string): ImapError => no('Bad URL', `BADURL ${url.replace(/[\]\r\n\0]/g, '')}`);

/** Appends the octets the URL names to writer; never more than `limit` in all. */
export async function appendUrlPart(session: ImapSession, url: string, writer: BlobWriter, limit: number): Promise<void> {
  const parsed = parseUrl(url, session.account.address);
  if (!parsed) throw badUrl(url);
  const { store } = session;
  const mailbox = await store.mailboxes.getMailbox(session.account.id, parsed.mailbox);
  if (!mailbox || (parsed.uidValidity !== null && parsed.uidValidity !== mailbox.uidValidity)) throw badUrl(url);
  const [meta] = await store.mailboxes.getMessages(mailbox.id, [parsed.uid]);
  if (!meta) throw badUrl(url);
  let start = 0;
  let end = meta.size;
  if (parsed.section) {
    const source = treeSection(parsed.section, await loadTree(store.blobs, meta), false);
    if (source.kind === 'bytes') {
      const data = cut(source.data, parsed.partial);
      if (writer.size + data.length > limit) throw no(Text.literalTooBig(limit), Code.tooBig);
      if (data.length > 0) await writer.write(data);
      return;
    }
    if (source.kind !== 'range') throw badUrl(url);
    ({ start, end } = source);
  }
  if (parsed.partial) {
    start = Math.min(end, start + parsed.partial.start);
    if (parsed.partial.length !== null) end = Math.min(end, start + parsed.partial.length);
  }
  if (writer.size + (end - start) > limit) throw no(Text.literalTooBig(limit), Code.tooBig);
  if (end <= start) return;
  for await (const chunk of store.blobs.read(meta.blobId, { start, end })) await writer.write(chunk as Buffer);
}

function cut(data: Buffer, partial: ImapUrl['partial']): Buffer {
  if (!partial) return data;
  const start = Math.min(data.length, partial.start);
  return data.subarray(start, partial.length === null ? data.length : Math.min(data.length, start + partial.length));
}

/**
 * "/" enc-mailbox [";UIDVALIDITY=" n] "/;UID=" n ["/;SECTION=" section] ["/;PARTIAL=" a["." b]]
 * (RFC 5092 §3), relative to this server; or the same after "imap://[user[;AUTH=..]@]host[:port]",
 * when the user is the one logged in. null when it is none of these.
 */
export function parseUrl(url: string, address: string): ImapUrl | null {
  let path = url;
  const absolute = /^imap:\/\/([^/]*)(\/.*)$/i.exec(url);
  if (absolute) {
    const authority = absolute[1]!;
    const at = authority.lastIndexOf('@');
    if (at >= 0) {
      const user = decodePercent(authority.slice(0, at).replace(/;AUTH=.*$/i, ''));
      if (user === null || user.toString('utf8').toLowerCase() !== address.toLowerCase()) return null;
    }
    path = absolute[2]!;
  }
  // URLAUTH (RFC 4467) and anything after it is not offered.
  const m = /^\/([^;/]+)(?:;UIDVALIDITY=([1-9][0-9]{0,9}))?\/;UID=([1-9][0-9]{0,9})(?:\/;SECTION=([^/;]+))?(?:\/;PARTIAL=([0-9]{1,10})(?:\.([1-9][0-9]{0,9}))?)?$/i.exec(path);
  if (!m) return null;
  const mailboxBytes = decodePercent(m[1]!);
  if (mailboxBytes === null) return null;
  let mailbox: string;
  try {
    // RFC 5092 §3.2: UTF-8, percent-encoded; a modified UTF-7 name (RFC 2192) decodes too.
    mailbox = decodeMailboxName(mailboxBytes, { utf8: mailboxBytes.some((b) => b >= 0x80) });
  } catch {
    return null;
  }
  let section: Section | null = null;
  if (m[4] !== undefined) {
    const text = decodePercent(m[4]);
    if (text === null) return null;
    try {
      const [item] = parseFetchItems(new ArgParser([Buffer.concat([Buffer.from('BODY.PEEK['), text, Buffer.from(']')])]));
      if (item?.kind !== 'section') return null;
      section = item.section;
    } catch {
      return null;
    }
  }
  const partial = m[5] === undefined ? null : { start: Number(m[5]), length: m[6] === undefined ? null : Number(m[6]) };
  return { mailbox, uidValidity: m[2] === undefined ? null : Number(m[2]), uid: Number(m[3]), section, partial };
}

function decodePercent(text: string): Buffer | null {
  if (/%(?![0-9a-fA-F]{2})/.test(text)) return null;
  const parts = text.split(/(%[0-9a-fA-F]{2})/);
  return Buffer.concat(parts.map((part, i) => (i % 2 === 1 ? Buffer.from([parseInt(part.slice(1), 16)]) : Buffer.from(part, 'utf8'))));
}
