// Local submission without SMTP, for `septet sendmail` and the webmail: a message from
// a stream, submitted as the authenticated local user `submitter` would on port 587 —
// same sender binding (envelope and From:/Sender: header), same recipient checks
// (unknown local users refused, smtp.max_recipients), same size limit, same
// Received/Message-ID/Date handling, same delivery entry and queue.
// A null submitter is the trusted local operator (like Postfix's sendmail run by
// whoever can reach the data directory): any sender is allowed.

import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Account, DeliveryResult, LocalTarget } from '../core/store/types.ts';
import { deliverMessage, type AcceptedRecipient } from './deliver.ts';
import { HeaderCompleter } from './header-completion.ts';
import { CrlfNormalizer } from './line-ends.ts';
import type { MailService } from './mail-service.ts';
import { MessageWriter } from './message-writer.ts';
import { buildReceivedHeader } from './received-header.ts';
import { headerSenderRefusal } from './sender-binding.ts';

export type SubmitFailure = 'sender' | 'header-sender' | 'recipient' | 'size' | 'no-recipients';

export class SubmitError extends Error {
  readonly reason: SubmitFailure;
  constructor(reason: SubmitFailure, message: string) {
    super(message);
    this.name = 'SubmitError';
    this.reason = reason;
  }
}

export interface SubmitRequest {
  /** Envelope sender; defaults to the submitter's address. */
  sender?: string;
  recipients: string[];
  source: Readable;
  /** The authenticated user, or null for the trusted local operator (no sender binding). */
  submitter: Account | null;
  /** Where it came from, for the log line: 'sendmail' (default), 'web'. */
  via?: string;
  /**
   * The submitter's own copies (the webmail's Sent copy), recorded in the same store
   * transaction as the delivery: a message is sent and filed, or neither.
   */
  copies?: LocalTarget[];
}

/** Octets of header held while looking for Message-ID and Date (RFC 6409 §8). */
export const HEADER_COMPLETION_LIMIT = 1024 * 1024;

/** A log id for one message: sortable by time, unique enough for correlation. */
export function newMessageLogId(): string {
  return Date.now().toString(36).toUpperCase() + randomBytes(4).toString('hex').toUpperCase();
}

export interface SubmitResult {
  /** Our log id (the Received "id"). */
  messageId: string;
  queueId: string | null;
  /** Where the message was recorded locally, the recipients' mailboxes then `copies`, in request order. */
  local: DeliveryResult['local'];
}

export async function submitFromStream(mail: MailService, request: SubmitRequest): Promise<SubmitResult> {
  const submitter = request.submitter;
  const sender = request.sender ?? submitter?.address ?? '';
  if (submitter && !(await mail.senderBelongsTo(submitter, sender))) {
    throw new SubmitError('sender', `${sender} does not belong to ${submitter.address}`);
  }
  if (request.recipients.length === 0) throw new SubmitError('no-recipients', 'no recipients');
  // The same bound as RCPT on the submission ports (src/smtp/commands/rcpt.ts).
  const maxRecipients = mail.config.smtp.max_recipients;
  if (request.recipients.length > maxRecipients) throw new SubmitError('recipient', `too many recipients: at most ${maxRecipients} a message`);
  const accepted: AcceptedRecipient[] = [];
  for (const address of request.recipients) {
    const resolution = await mail.resolveRecipient(address);
    if (resolution.kind === 'unknown') throw new SubmitError('recipient', `no such local recipient: ${address}`);
    accepted.push({ address, resolution });
  }
  const now = new Date();
  const messageId = newMessageLogId();
  const prefix = buildReceivedHeader({
    hostname: mail.hostname,
    id: messageId,
    date: now,
    ...(submitter ? { localUser: submitter.address } : {}),
    recipient: accepted.length === 1 ? accepted[0]!.address : null,
  });
  const writer = await MessageWriter.open(mail.store, {
    prefix,
    maxSize: mail.config.smtp.max_message_size,
    completer: new HeaderCompleter({ hostname: mail.hostname, date: now, limit: HEADER_COMPLETION_LIMIT, ...(submitter ? { from: sender } : {}) }),
  });
  const crlf = new CrlfNormalizer();
  try {
    for await (const chunk of request.source) {
      await writer.write(crlf.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))));
    }
    await writer.write(crlf.end());
    if (writer.oversize) throw new SubmitError('size', `message larger than ${mail.config.smtp.max_message_size} octets`);
    if (submitter) {
      // The same binding as the submission ports (sender-binding.ts), before anything is stored.
      await writer.endOfInput();
      const refusal = await headerSenderRefusal(mail, submitter, writer.header, HEADER_COMPLETION_LIMIT);
      if (refusal) throw new SubmitError('header-sender', refusal.text);
    }
    const blob = await writer.commit();
    const result = await deliverMessage(mail, { blob, sender, recipients: accepted, messageId, via: request.via ?? 'sendmail', internalDate: now, ...(request.copies ? { copies: request.copies } : {}), logFields: { user: submitter?.address ?? null } });
    return { messageId, queueId: result.queueId, local: result.local };
  } finally {
    await writer.abort().catch(() => {});
  }
}
