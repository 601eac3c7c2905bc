// mailboxes, messages MAILBOX [N]: what the user's mail looks like, from the store
// (the figures IMAP's STATUS gives, RFC 3501 §6.3.10 / RFC 8438 SIZE).

import type { Readable } from 'node:stream';
import { decodeHeaderValue, headerValue, parseHeaderFields } from '../../core/mime/header.ts';
import type { MessageMeta, Store } from '../../core/store/types.ts';
import { failure, replies, usageError } from '../replies.ts';
import { columns, humanBytes, printable } from '../wire.ts';
import { command } from './command.ts';

export const mailboxes = command({
  name: 'mailboxes',
  admin: false,
  usage: 'mailboxes',
  summary: 'your mailboxes: messages, unseen, size',
  parse(args) {
    if (args.length > 0) throw usageError('mailboxes', 'no arguments expected');
  },
  async run(ctx) {
    const { store } = ctx.deps;
    const rows: string[][] = [['MAILBOX', 'MESSAGES', 'UNSEEN', 'SIZE']];
    let total = 0;
    for (const mailbox of await store.mailboxes.listMailboxes(ctx.account.id)) {
      const status = await store.mailboxes.status(mailbox.id);
      total += status.size;
      rows.push([printable(mailbox.name), String(status.messages), String(status.unseen), humanBytes(status.size)]);
    }
    await ctx.io.out(...columns(rows), `total ${humanBytes(total)}`);
  },
});

const DEFAULT_COUNT = 20;
const MAX_COUNT = 1000;
/** The header is read up to this many octets; a longer one shows what was found in them. */
const HEADER_PEEK = 16 * 1024;

export const messages = command({
  name: 'messages',
  admin: false,
  usage: `messages [MAILBOX] [N]`,
  summary: `the last N messages (default ${DEFAULT_COUNT}) of a mailbox (default INBOX): uid, date, from, subject`,
  parse(args) {
    const usage = 'messages [MAILBOX] [N]';
    if (args.length > 2) throw usageError(usage);
    const numeric = (word: string | undefined) => word !== undefined && /^\d{1,7}$/.test(word);
    // "messages 5" is the last five of INBOX; "messages Archive 5" of Archive.
    const countWord = args.length === 2 ? args[1] : numeric(args[0]) ? args[0] : undefined;
    if (args.length === 2 && !numeric(countWord)) throw usageError(usage, 'N is a number');
    const mailbox = args.length === 2 || countWord === undefined ? (args[0] ?? 'INBOX') : 'INBOX';
    const count = countWord === undefined ? DEFAULT_COUNT : Number(countWord);
    if (count < 1 || count > MAX_COUNT) throw usageError(usage, `N is 1 to ${MAX_COUNT}`);
    return { mailbox, count };
  },
  async run(ctx, { mailbox: name, count }) {
    const { store } = ctx.deps;
    const mailbox = await store.mailboxes.getMailbox(ctx.account.id, name);
    if (!mailbox) throw failure(replies.noSuchMailbox(printable(name)));
    const uids = await store.mailboxes.listUids(mailbox.id);
    const wanted = Array.from(uids.subarray(Math.max(0, uids.length - count)));
    const rows: string[][] = [['UID', 'DATE', 'FROM', 'SUBJECT']];
    for (const meta of await store.mailboxes.getMessages(mailbox.id, wanted)) {
      const header = await readHeader(store, meta);
      const seen = meta.flags.some((f) => f.toLowerCase() === '\\seen');
      rows.push([`${seen ? ' ' : '*'}${meta.uid}`, shortDate(meta.internalDate), clip(header.from, 30), clip(header.subject, 60)]);
    }
    await ctx.io.out(...columns(rows), `${uids.length} message${uids.length === 1 ? '' : 's'} in ${printable(mailbox.name)}${uids.length > wanted.length ? `, the last ${wanted.length} shown` : ''}; * = unseen`);
  },
});

async function readHeader(store: Store, meta: MessageMeta): Promise<{ from: string; subject: string }> {
  try {
    return await peekHeader(store, meta);
  } catch {
    // One unreadable body (a missing blob file) does not hide the others.
    return { from: '?', subject: '(unreadable)' };
  }
}

async function peekHeader(store: Store, meta: MessageMeta): Promise<{ from: string; subject: string }> {
  const end = Math.min(meta.size, HEADER_PEEK);
  const block = store.blobs.inMemory(meta.blobId)?.subarray(0, end) ?? (await collect(store.blobs.read(meta.blobId, { start: 0, end })));
  const fields = parseHeaderFields(block);
  const decoded = (name: string) => printable(decodeHeaderValue(headerValue(fields, name) ?? ''));
  return { from: decoded('from'), subject: decoded('subject') };
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const shortDate = (d: Date): string => d.toISOString().slice(0, 16).replace('T', ' ');

function clip(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : chars.slice(0, width - 1).join('') + '…';
}
