// Writing mail in the webmail (the lecture's form: From, To, Cc, Subject, text,
// attachments). POST /api/mail/send hands the built message to the submission path of
// `septet sendmail` and port 587 (src/mail/submit.ts) with the account as submitter:
// the same sender binding for the envelope and From:, the same recipient checks, size
// limit, Received/Message-ID/Date and delivery entry, and remote recipients go to the
// queue. A copy is filed in the account's Sent mailbox (RFC 6154 \Sent, flagged \Seen)
// in the same store transaction, so a message is sent and filed or neither. Bcc
// recipients get the message but are not written into it (RFC 5322 §3.6.3 (2)); as mail
// clients do, the Sent copy then shows them: it is replaced by one with a Bcc field
// (streamed from the stored copy; if that fails, the copy without it stays).
// Drafts and the prefilled forms of reply and forward are in compose-drafts.ts and
// compose-prefill.ts.

import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { addressField, type HeaderAddress } from '../../core/mime/index.ts';
import type { Account, Mailbox } from '../../core/store/types.ts';
import { MessageWriter } from '../../mail/message-writer.ts';
import { splitAddress } from '../../mail/address.ts';
import { submitFromStream } from '../../mail/submit.ts';
import { signedIn } from '../access.ts';
import type { WebDeps } from '../deps.ts';
import { registerDraftRoutes } from './compose-drafts.ts';
import { formDescription, readComposeInput } from './compose-form.ts';
import { composeMessage } from './compose-message.ts';
import { registerPrefillRoutes } from './compose-prefill.ts';
import { ownMailbox, specialMailbox } from './compose-source.ts';
import type { RouteGroup, WebContext } from './types.ts';

const errors = { 400: { $ref: 'ErrorBody#' }, 401: { $ref: 'ErrorBody#' }, 403: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 413: { $ref: 'ErrorBody#' }, 422: { $ref: 'ErrorBody#' } } as const;

/** Addresses the account may send as, its own first (src/mail/sender-binding.ts decides; this lists what it allows). */
export async function fromChoices(deps: WebDeps, account: Account): Promise<string[]> {
  const candidates = new Set<string>();
  const domain = splitAddress(account.address).domain;
  for (const user of await deps.store.accounts.listUsers()) if (splitAddress(user.address).domain === domain) candidates.add(user.address);
  for (const alias of await deps.store.accounts.listAliases()) if (!alias.alias.startsWith('@')) candidates.add(alias.alias);
  const out = [account.address];
  for (const address of [...candidates].sort()) {
    if (address.toLowerCase() === account.address.toLowerCase() || out.includes(address)) continue;
    if (await deps.mail.senderBelongsTo(account, address)) out.push(address);
  }
  return out;
}

/** Replaces the Sent copy `uid` by the same octets with a Bcc field in front. */
async function showBccInSentCopy(deps: WebDeps, account: Account, sent: Mailbox, uid: number, bcc: readonly HeaderAddress[]): Promise<void> {
  try {
    const [meta] = await deps.store.mailboxes.getMessages(sent.id, [uid]);
    if (!meta) return;
    const writer = await MessageWriter.open(deps.store, { prefix: addressField('Bcc', bcc), maxSize: Number.MAX_SAFE_INTEGER });
    try {
      for await (const chunk of deps.store.blobs.read(meta.blobId, undefined, meta.size)) await writer.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      const blob = await writer.commit();
      try {
        await deps.store.messages.deliver({ blobId: blob.blobId, size: blob.size, internalDate: meta.internalDate, local: [{ accountId: account.id, mailbox: sent.name, flags: meta.flags }] });
      } catch (error) {
        await deps.store.blobs.delete(blob.blobId).catch(() => {});
        throw error;
      }
    } finally {
      await writer.abort().catch(() => {});
    }
    await deps.store.mailboxes.expunge(sent.id, [uid]);
  } catch (error) {
    deps.log.warn({ err: error, user: account.address }, 'Sent copy kept without its Bcc field');
  }
}

export const composeRoutes: RouteGroup = {
  name: 'compose',
  async register(app: FastifyInstance, ctx: WebContext) {
    const { deps } = ctx;

    app.get('/api/mail/from', {
      config: { access: 'user' },
      schema: {
        tags: ['compose'],
        summary: 'The From addresses the account may use',
        response: { 200: { type: 'object', required: ['addresses'], properties: { addresses: { type: 'array', items: { type: 'string' } } } }, 401: errors[401] },
      },
    }, async (request) => {
      const { account } = signedIn(request);
      return { addresses: await fromChoices(deps, account) };
    });

    app.post('/api/mail/send', {
      config: { access: 'user' },
      schema: {
        tags: ['compose'],
        summary: 'Send a message through the submission path (as port 587)',
        description: formDescription,
        response: {
          200: {
            type: 'object',
            required: ['messageId', 'queued'],
            properties: { messageId: { type: 'string' }, queued: { type: 'boolean', description: 'some recipients are remote: the message is in the queue' } },
          },
          ...errors,
        },
      },
    }, async (request) => {
      const { account } = signedIn(request);
      const input = await readComposeInput(request, deps.config.smtp.max_message_size);
      const { form } = input;
      const recipients = [...form.to, ...form.cc, ...form.bcc].map((a) => a.address);
      const sent = await specialMailbox(deps.store, account, '\\Sent', 'Sent');
      const origin = form.origin ? await ownMailbox(deps.store, account, form.origin.mailboxId) : null;
      const message = await composeMessage(deps, account, input, { withBcc: false });
      const result = await submitFromStream(deps.mail, {
        sender: message.from,
        recipients,
        source: Readable.from(message.octets),
        submitter: account,
        via: 'web',
        copies: [{ accountId: account.id, mailbox: sent.name, flags: ['\\Seen'] }],
      });
      const copy = result.local.at(-1);
      if (form.bcc.length > 0 && copy) await showBccInSentCopy(deps, account, sent, copy.uid, form.bcc);
      if (origin && form.origin) {
        // RFC 3501 §2.3.2 \Answered; RFC 5550 §5.9 $Forwarded: what mail clients set after sending.
        await deps.store.mailboxes.storeFlags(origin.id, [form.origin.uid], 'add', [form.origin.kind === 'reply' ? '\\Answered' : '$Forwarded']);
      }
      if (form.draft !== null) {
        const drafts = await specialMailbox(deps.store, account, '\\Drafts', 'Drafts');
        await deps.store.mailboxes.expunge(drafts.id, [form.draft]);
      }
      return { messageId: message.messageId, queued: result.queueId !== null };
    });

    registerDraftRoutes(app, ctx);
    registerPrefillRoutes(app, ctx);
  },
};
