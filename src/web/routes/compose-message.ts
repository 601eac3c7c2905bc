// From the compose form to the octets of a message (src/core/mime/message-builder.ts),
// for sending and for drafts alike, bounded by smtp.max_message_size as it streams: a
// message that grows past it stops at once with the submission path's size error
// (413), before the rest of an upload is read.

import { randomUUID } from 'node:crypto';
import { buildMessage, type BuildAttachment } from '../../core/mime/index.ts';
import type { Account } from '../../core/store/types.ts';
import { formatMailDate } from '../../mail/mail-date.ts';
import { SubmitError } from '../../mail/submit.ts';
import type { WebDeps } from '../deps.ts';
import type { ComposeInput } from './compose-form.ts';
import { keptAttachments } from './compose-source.ts';

export interface ComposedMessage {
  messageId: string;
  /** The envelope sender and From: address. */
  from: string;
  octets: AsyncGenerator<Buffer>;
}

/** Builds the message of a form; kept attachments (forward, draft) are checked before anything is read. */
export async function composeMessage(deps: WebDeps, account: Account, input: ComposeInput, options: { withBcc: boolean }): Promise<ComposedMessage> {
  const { form } = input;
  const kept = await keptAttachments(deps.store, account, form.keep);
  const messageId = `<${randomUUID()}@${deps.hostname}>`;
  const from = form.from || account.address;
  async function* attachments(): AsyncGenerator<BuildAttachment> {
    yield* kept;
    yield* input.uploads;
  }
  const octets = buildMessage({
    from: { name: form.fromName, address: from },
    to: form.to,
    cc: form.cc,
    ...(options.withBcc ? { bcc: form.bcc } : {}),
    subject: form.subject,
    text: form.text,
    date: new Date(),
    messageId,
    inReplyTo: form.inReplyTo,
    references: form.references,
    attachments: attachments(),
    hasAttachments: kept.length > 0 || input.hasUploads,
    formatDate: formatMailDate,
  });
  return { messageId, from, octets: bounded(octets, deps.config.smtp.max_message_size) };
}

/** Passes the octets on until there are more than `max`, then fails with the size error. */
async function* bounded(source: AsyncGenerator<Buffer>, max: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > max) throw new SubmitError('size', `message larger than ${max} octets`);
    yield chunk;
  }
}
