// The prefilled compose form for a reply, a reply to all and a forward (GET
// /api/mail/compose/{mode}/{mailboxId}/{uid}): recipients from Reply-To or From
// (RFC 5322 §3.6.2), for reply-all also the other To and Cc addresses but the
// account's own; "Re: "/"Fwd: " subjects; In-Reply-To and References (§3.6.4); the text
// quoted; a forward keeps the original's attachments (as references the send reads
// from the stored message, never copied through the browser).

import type { FastifyInstance } from 'fastify';
import { decodeEncodedWords, parseAddressList } from '../../core/mime/index.ts';
import type { Account } from '../../core/store/types.ts';
import { signedIn } from '../access.ts';
import type { WebDeps } from '../deps.ts';
import { formatOrigin, formatRef, messageIds } from './compose-form.ts';
import { attachmentsOf, field, openSource, rawField, textOf, type SourceMessage } from './compose-source.ts';
import type { WebContext } from './types.ts';

export interface FormReply {
  from: string;
  fromName: string;
  to: string;
  cc: string;
  bcc: string;
  subject: string;
  text: string;
  inReplyTo: string;
  references: string;
  draft: number | null;
  /** Send back as the "origin" field: the original is flagged \\Answered or $Forwarded once sent. */
  origin: string;
  attachments: { ref: string; filename: string; contentType: string; size: number }[];
}

export const formReplySchema = {
  type: 'object',
  required: ['from', 'fromName', 'to', 'cc', 'bcc', 'subject', 'text', 'inReplyTo', 'references', 'draft', 'origin', 'attachments'],
  properties: {
    from: { type: 'string' },
    fromName: { type: 'string' },
    to: { type: 'string' },
    cc: { type: 'string' },
    bcc: { type: 'string' },
    subject: { type: 'string' },
    text: { type: 'string' },
    inReplyTo: { type: 'string' },
    references: { type: 'string' },
    draft: { type: ['integer', 'null'] },
    origin: { type: 'string', description: 'send back as the "origin" field' },
    attachments: {
      type: 'array',
      items: {
        type: 'object',
        required: ['ref', 'filename', 'contentType', 'size'],
        properties: { ref: { type: 'string', description: 'send back as a "keep" field' }, filename: { type: 'string' }, contentType: { type: 'string' }, size: { type: 'integer' } },
      },
    },
  },
} as const;

export interface ListedAddress {
  name: string;
  address: string;
}

/** The addresses of a raw header address list, display names decoded. */
export function listedAddresses(raw: string): ListedAddress[] {
  const out: ListedAddress[] = [];
  for (const item of parseAddressList(raw)) {
    for (const m of item.kind === 'group' ? item.members : [item]) {
      if (m.mailbox === null || m.host === null) continue;
      out.push({ name: m.name ? decodeEncodedWords(m.name) : '', address: `${m.mailbox}@${m.host}` });
    }
  }
  return out;
}

/** As a person types it: 'Name <a@b>, "Last, First" <c@d>'. */
export function addressLine(list: readonly ListedAddress[]): string {
  return list
    .map(({ name, address }) => {
      if (!name) return address;
      const shown = /[,;:<>@"()[\]\\]/.test(name) ? `"${name.replace(/[\\"]/g, '\\$&')}"` : name;
      return `${shown} <${address}>`;
    })
    .join(', ');
}

export function attachmentList(source: SourceMessage): FormReply['attachments'] {
  return attachmentsOf(source).map((a) => ({ ref: formatRef({ mailboxId: source.mailbox.id, uid: source.meta.uid, path: a.path }), filename: a.filename, contentType: a.contentType, size: a.size }));
}

type Mode = 'reply' | 'reply-all' | 'forward';

function prefixed(prefix: 'Re' | 'Fwd', subject: string): string {
  const pattern = prefix === 'Re' ? /^\s*re\s*:/i : /^\s*(fwd?|fw)\s*:/i;
  return pattern.test(subject) ? subject : `${prefix}: ${subject}`;
}

function quote(text: string): string {
  return text
    .replace(/\n+$/, '')
    .split('\n')
    .map((line) => (line === '' ? '>' : `> ${line}`))
    .join('\n');
}

async function prefill(deps: WebDeps, account: Account, mode: Mode, source: SourceMessage): Promise<FormReply> {
  const own = async (address: string) => deps.mail.senderBelongsTo(account, address);
  const fromList = listedAddresses(rawField(source, 'From'));
  const toList = listedAddresses(rawField(source, 'To'));
  const ccList = listedAddresses(rawField(source, 'Cc'));
  // Answer from the address the message was sent to, when it is one of ours.
  let from = account.address;
  for (const a of [...toList, ...ccList]) {
    if (await own(a.address)) {
      from = a.address;
      break;
    }
  }
  const subject = field(source, 'Subject');
  const date = field(source, 'Date');
  const text = await textOf(deps.store, source);
  const fromShown = addressLine(fromList) || 'someone';
  const origin = formatOrigin({ kind: mode === 'forward' ? 'forward' : 'reply', mailboxId: source.mailbox.id, uid: source.meta.uid });
  const base = { from, fromName: '', bcc: '', draft: null, origin };
  if (mode === 'forward') {
    const lines = ['', '', '---------- Forwarded message ----------', `From: ${fromShown}`, `Date: ${date}`, `Subject: ${subject}`, `To: ${addressLine(toList)}`];
    if (ccList.length > 0) lines.push(`Cc: ${addressLine(ccList)}`);
    return { ...base, to: '', cc: '', subject: prefixed('Fwd', subject), text: `${lines.join('\n')}\n\n${text}`, inReplyTo: '', references: '', attachments: attachmentList(source) };
  }
  const replyTo = listedAddresses(rawField(source, 'Reply-To'));
  const to = replyTo.length > 0 ? replyTo : fromList;
  const cc: ListedAddress[] = [];
  if (mode === 'reply-all') {
    const seen = new Set(to.map((a) => a.address.toLowerCase()));
    for (const a of [...toList, ...ccList]) {
      const key = a.address.toLowerCase();
      if (seen.has(key) || (await own(a.address))) continue;
      seen.add(key);
      cc.push(a);
    }
  }
  const messageId = messageIds([rawField(source, 'Message-ID')])[0] ?? '';
  const parents = messageIds([rawField(source, 'References')]);
  if (parents.length === 0) parents.push(...messageIds([rawField(source, 'In-Reply-To')]).slice(0, 1));
  const references = messageId ? [...parents, messageId] : parents;
  return {
    ...base,
    to: addressLine(to),
    cc: addressLine(cc),
    subject: prefixed('Re', subject),
    text: `\n\nOn ${date || 'an earlier date'}, ${fromShown} wrote:\n${quote(text)}\n`,
    inReplyTo: messageId,
    references: references.join(' '),
    attachments: [],
  };
}

export function registerPrefillRoutes(app: FastifyInstance, { deps }: WebContext): void {
  app.get('/api/mail/compose/:mode/:mailboxId/:uid', {
    config: { access: 'user' },
    schema: {
      tags: ['compose'],
      summary: 'The compose form prefilled to reply, reply to all, or forward a message',
      params: {
        type: 'object',
        required: ['mode', 'mailboxId', 'uid'],
        properties: { mode: { type: 'string', enum: ['reply', 'reply-all', 'forward'] }, mailboxId: { type: 'integer', minimum: 1 }, uid: { type: 'integer', minimum: 1 } },
      },
      response: { 200: formReplySchema, 401: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } },
    },
  }, async (request) => {
    const { account } = signedIn(request);
    const { mode, mailboxId, uid } = request.params as { mode: Mode; mailboxId: number; uid: number };
    const source = await openSource(deps.store, account, mailboxId, uid);
    return prefill(deps, account, mode, source);
  });
}
