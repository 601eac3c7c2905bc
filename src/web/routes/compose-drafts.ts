// Drafts: the compose form saved as a message in the account's Drafts mailbox (RFC
// 6154 \Drafts, flagged \Draft and \Seen, RFC 3501 §2.3.2), as IMAP clients keep
// theirs, so a draft saved here opens in Thunderbird and the other way round. Saving
// again with `draft` set replaces the old one (the new one is stored first, then the
// old is expunged, so a failure loses nothing); sending a form with `draft` removes it.
// A draft keeps its Bcc field (it is not sent); nothing is submitted.

import type { FastifyInstance } from 'fastify';
import type { Account } from '../../core/store/types.ts';
import { MessageWriter } from '../../mail/message-writer.ts';
import { SubmitError } from '../../mail/submit.ts';
import { signedIn } from '../access.ts';
import type { WebDeps } from '../deps.ts';
import { WebError } from '../replies.ts';
import { formDescription, messageIds, readComposeInput } from './compose-form.ts';
import { composeMessage } from './compose-message.ts';
import { addressLine, attachmentList, formReplySchema, listedAddresses, type FormReply } from './compose-prefill.ts';
import { field, openSource, rawField, specialMailbox, textOf } from './compose-source.ts';
import type { WebContext } from './types.ts';

const uidParams = { type: 'object', required: ['uid'], properties: { uid: { type: 'integer', minimum: 1 } } } as const;
const savedReply = { type: 'object', required: ['mailboxId', 'uid'], properties: { mailboxId: { type: 'integer' }, uid: { type: 'integer' } } } as const;

async function drafts(deps: WebDeps, account: Account) {
  return specialMailbox(deps.store, account, '\\Drafts', 'Drafts');
}

/** Writes the octets into a new blob and records it in Drafts; its UID. */
async function storeDraft(deps: WebDeps, account: Account, mailbox: string, octets: AsyncIterable<Buffer>): Promise<number> {
  const max = deps.config.smtp.max_message_size;
  const writer = await MessageWriter.open(deps.store, { prefix: '', maxSize: max });
  try {
    for await (const chunk of octets) await writer.write(chunk);
    if (writer.oversize) throw new SubmitError('size', `message larger than ${max} octets`);
    const blob = await writer.commit();
    try {
      const result = await deps.store.messages.deliver({ blobId: blob.blobId, size: blob.size, internalDate: new Date(), local: [{ accountId: account.id, mailbox, flags: ['\\Draft', '\\Seen'] }] });
      return result.local[0]!.uid;
    } catch (error) {
      await deps.store.blobs.delete(blob.blobId).catch(() => {});
      throw error;
    }
  } finally {
    await writer.abort().catch(() => {});
  }
}

export function registerDraftRoutes(app: FastifyInstance, { deps }: WebContext): void {
  app.post('/api/mail/drafts', {
    config: { access: 'user' },
    schema: {
      tags: ['compose'],
      summary: 'Save the compose form as a draft (with draft=<uid>: replace that draft)',
      description: formDescription,
      response: { 200: savedReply, 400: { $ref: 'ErrorBody#' }, 401: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 413: { $ref: 'ErrorBody#' } },
    },
  }, async (request) => {
    const { account } = signedIn(request);
    const input = await readComposeInput(request, deps.config.smtp.max_message_size);
    const mailbox = await drafts(deps, account);
    const replaced = input.form.draft;
    if (replaced !== null && (await deps.store.mailboxes.getMessages(mailbox.id, [replaced])).length === 0) throw new WebError('not-found', 'no such draft');
    const message = await composeMessage(deps, account, input, { withBcc: true });
    const uid = await storeDraft(deps, account, mailbox.name, message.octets);
    if (replaced !== null) await deps.store.mailboxes.expunge(mailbox.id, [replaced]);
    return { mailboxId: mailbox.id, uid };
  });

  app.get('/api/mail/drafts/:uid', {
    config: { access: 'user' },
    schema: { tags: ['compose'], summary: 'A draft as the compose form', params: uidParams, response: { 200: formReplySchema, 401: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } } },
  }, async (request): Promise<FormReply> => {
    const { account } = signedIn(request);
    const { uid } = request.params as { uid: number };
    const mailbox = await drafts(deps, account);
    const source = await openSource(deps.store, account, mailbox.id, uid);
    const from = listedAddresses(rawField(source, 'From'))[0];
    return {
      from: from?.address ?? account.address,
      fromName: from?.name ?? '',
      to: addressLine(listedAddresses(rawField(source, 'To'))),
      cc: addressLine(listedAddresses(rawField(source, 'Cc'))),
      bcc: addressLine(listedAddresses(rawField(source, 'Bcc'))),
      subject: field(source, 'Subject'),
      text: await textOf(deps.store, source),
      inReplyTo: messageIds([rawField(source, 'In-Reply-To')]).join(' '),
      references: messageIds([rawField(source, 'References')]).join(' '),
      draft: uid,
      origin: '',
      attachments: attachmentList(source),
    };
  });

  app.delete('/api/mail/drafts/:uid', {
    config: { access: 'user' },
    schema: { tags: ['compose'], summary: 'Discard a draft', params: uidParams, response: { 204: { type: 'null' }, 401: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } } },
  }, async (request, reply) => {
    const { account } = signedIn(request);
    const { uid } = request.params as { uid: number };
    const mailbox = await drafts(deps, account);
    const removed = await deps.store.mailboxes.expunge(mailbox.id, [uid]);
    if (removed.length === 0) throw new WebError('not-found', 'no such draft');
    return reply.code(204).send();
  });
}
