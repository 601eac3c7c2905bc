// What every webmail route shares: finding a mailbox or message of the SIGNED-IN
// account (another account's id answers exactly as a missing one: 404, nothing leaks),
// the Trash of an account, and the JSON schemas of the replies.

import type { Account, Mailbox, MessageMeta, Store } from '../../core/store/types.ts';
import { WebError } from '../replies.ts';

export const mailTexts = {
  noMailbox: 'No such folder',
  noMessage: 'No such message',
  noPart: 'No such part',
} as const;

/** The account's mailbox with this id; 404 when there is none or it is someone else's. */
export async function ownMailbox(store: Store, account: Account, mailboxId: number): Promise<Mailbox> {
  const mailbox = await store.mailboxes.getMailboxById(mailboxId);
  if (mailbox === null || mailbox.accountId !== account.id) throw new WebError('not-found', mailTexts.noMailbox);
  return mailbox;
}

/** The account's message (mailbox id, UID); 404 when either is missing or not the account's. */
export async function ownMessage(store: Store, account: Account, mailboxId: number, uid: number): Promise<{ mailbox: Mailbox; meta: MessageMeta }> {
  const mailbox = await ownMailbox(store, account, mailboxId);
  const [meta] = await store.mailboxes.getMessages(mailbox.id, [uid]);
  if (meta === undefined) throw new WebError('not-found', mailTexts.noMessage);
  return { mailbox, meta };
}

/** RFC 6154 \Trash of the account, else a mailbox named Trash, created when missing. */
export async function trashOf(store: Store, account: Account): Promise<Mailbox> {
  const all = await store.mailboxes.listMailboxes(account.id);
  const trash = all.find((m) => m.specialUse?.toLowerCase() === '\\trash') ?? all.find((m) => m.name.toLowerCase() === 'trash');
  if (trash !== undefined) return trash;
  return store.mailboxes.createMailbox(account.id, 'Trash', { specialUse: '\\Trash', subscribe: true });
}

// Params of /api/mail/messages/:mailboxId/:uid (ids are positive 32-bit integers).
export const idSchema = { type: 'integer', minimum: 1, maximum: 4294967295 } as const;
export const messageParams = {
  type: 'object',
  required: ['mailboxId', 'uid'],
  additionalProperties: false,
  properties: { mailboxId: idSchema, uid: idSchema },
} as const;
export type MessageParams = { mailboxId: number; uid: number };

export const addressSchema = {
  type: 'object',
  required: ['name', 'address'],
  properties: { name: { type: ['string', 'null'] }, address: { type: 'string' } },
} as const;
const addresses = { type: 'array', items: addressSchema } as const;

export const folderSchema = {
  type: 'object',
  required: ['id', 'name', 'specialUse', 'total', 'unread'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    specialUse: { type: ['string', 'null'] },
    total: { type: 'integer' },
    unread: { type: 'integer' },
  },
} as const;

export const flagsSchema = {
  type: 'object',
  required: ['flags', 'seen', 'flagged', 'answered'],
  properties: { flags: { type: 'array', items: { type: 'string' } }, seen: { type: 'boolean' }, flagged: { type: 'boolean' }, answered: { type: 'boolean' } },
} as const;

export const summarySchema = {
  type: 'object',
  required: ['uid', 'subject', 'from', 'to', 'date', 'internalDate', 'size', 'seen', 'flagged'],
  properties: {
    uid: { type: 'integer' },
    subject: { type: 'string' },
    from: addresses,
    to: addresses,
    cc: addresses,
    date: { type: ['string', 'null'], format: 'date-time' },
    internalDate: { type: 'string', format: 'date-time' },
    size: { type: 'integer' },
    flags: { type: 'array', items: { type: 'string' } },
    seen: { type: 'boolean' },
    flagged: { type: 'boolean' },
    answered: { type: 'boolean' },
    mixed: { type: 'boolean', description: 'multipart/mixed: attachments likely' },
  },
} as const;

export const partSchema = {
  type: 'object',
  required: ['part', 'type', 'filename', 'size', 'inline', 'url'],
  properties: {
    part: { type: 'string' },
    type: { type: 'string' },
    filename: { type: 'string' },
    size: { type: 'integer' },
    contentId: { type: ['string', 'null'] },
    inline: { type: 'boolean' },
    url: { type: 'string' },
  },
} as const;

export const messageSchema = {
  type: 'object',
  required: ['mailboxId', 'uid', 'subject', 'from', 'to', 'cc', 'date', 'flags', 'text', 'html', 'attachments'],
  properties: {
    mailboxId: { type: 'integer' },
    uid: { type: 'integer' },
    subject: { type: 'string' },
    from: addresses,
    to: addresses,
    cc: addresses,
    replyTo: addresses,
    date: { type: ['string', 'null'] },
    messageId: { type: ['string', 'null'] },
    internalDate: { type: 'string' },
    size: { type: 'integer' },
    flags: flagsSchema,
    text: { type: ['string', 'null'], description: 'the text/plain body, decoded' },
    textTruncated: { type: 'boolean' },
    html: {
      type: ['object', 'null'],
      description: 'the text/html body: load url (sanitised, own CSP) in a sandboxed frame',
      properties: { url: { type: 'string' }, remoteImages: { type: 'integer' }, truncated: { type: 'boolean' } },
    },
    attachments: { type: 'array', items: partSchema },
  },
} as const;

export const messageUrl = (mailboxId: number, uid: number): string => `/api/mail/messages/${mailboxId}/${uid}`;
