// The body path shared by DATA and BDAT: open a MessageWriter (Received field first,
// header completion on the submission ports), stream the client's octets into a
// blob, and at the end commit (fsync) and deliver before answering 250 — a 250 means
// the message is on disk (RFC 5321 §4.1.1.4, §6.1). On the submission ports the
// From:/Sender: header must belong to the user (mail/sender-binding.ts) before the
// message is committed: a refused message is never stored or queued. Storage and
// delivery failures are thrown on to the dispatcher, which words the reply.

import { deliverMessage } from '../mail/deliver.ts';
import { HeaderCompleter } from '../mail/header-completion.ts';
import { MessageWriter } from '../mail/message-writer.ts';
import { buildReceivedHeader, receivedProtocol } from '../mail/received-header.ts';
import { headerSenderRefusal } from '../mail/sender-binding.ts';
import { HEADER_COMPLETION_LIMIT, newMessageLogId } from '../mail/submit.ts';
import { Replies, SmtpError, sizeLimitText } from './replies.ts';
import type { BodyInProgress, ClientIdentity, Envelope, SmtpSession } from './session.ts';

export async function openBody(session: SmtpSession, client: ClientIdentity, envelope: Envelope): Promise<BodyInProgress> {
  const { deps, conn } = session;
  const messageId = newMessageLogId();
  const receivedAt = new Date();
  const prefix = buildReceivedHeader({
    hostname: deps.hostname,
    id: messageId,
    date: receivedAt,
    network: {
      helo: client.helo,
      remoteAddress: conn.remoteAddress,
      protocol: receivedProtocol({ esmtp: client.esmtp, tls: conn.secure, authenticated: session.account !== null }),
      tls: conn.tls,
    },
    recipient: envelope.recipients.length === 1 ? envelope.recipients[0]!.address : null,
  });
  // The envelope sender was checked at MAIL FROM, so a From: made from it is the user's own.
  const completer =
    deps.mode === 'submission' ? new HeaderCompleter({ hostname: deps.hostname, date: receivedAt, limit: HEADER_COMPLETION_LIMIT, from: envelope.sender }) : null;
  const writer = await MessageWriter.open(deps.store, { prefix, maxSize: deps.config.smtp.max_message_size, completer });
  return { writer, messageId, receivedAt };
}

/**
 * A sink for the body octets that never throws: after a storage failure it keeps
 * swallowing input, so the rest of the body is not read as commands; finishBody
 * then throws the failure.
 */
export function bodySink(body: BodyInProgress): { sink: (chunk: Buffer) => Promise<void>; failure: () => unknown } {
  let failure: unknown = null;
  const sink = async (chunk: Buffer) => {
    if (failure) return;
    try {
      await body.writer.write(chunk);
    } catch (error) {
      failure = error;
      await body.writer.abort().catch(() => {});
    }
  };
  return { sink, failure: () => failure };
}

/** Reads body octets under smtp.data_timeout (RFC 5321 §4.5.3.2.5-6); commands again get command_timeout. */
export async function withDataTimeout<T>(session: SmtpSession, read: () => Promise<T>): Promise<T> {
  const { conn, config } = session;
  conn.setIdleTimeout(config.smtp.data_timeout * 1000);
  try {
    return await read();
  } finally {
    conn.setIdleTimeout(config.smtp.command_timeout * 1000);
  }
}

/** After the last octet: checks, fsync, delivery, then the one reply. Always ends the transaction. */
export async function finishBody(session: SmtpSession, envelope: Envelope, body: BodyInProgress, failed: unknown): Promise<void> {
  try {
    await checkBody(session, body, failed);
    await commitAndDeliver(session, envelope, body);
    session.accepted++;
    session.conn.markTrusted(); // port 25: a completed transaction ends the deadline (core/net/limits.ts)
    session.reply(Replies.queued(body.messageId));
  } catch (error) {
    await body.writer.abort().catch(() => {});
    throw error;
  } finally {
    if (session.state.name !== 'closed') await session.resetTransaction();
  }
}

/** Refuses the message before anything is stored: a write failure, the size limit, a foreign header sender. */
async function checkBody(session: SmtpSession, body: BodyInProgress, failed: unknown): Promise<void> {
  if (failed) throw failed;
  if (body.writer.oversize) {
    session.log.info({ msgid: body.messageId, size: body.writer.size }, 'message refused: too large');
    throw new SmtpError(Replies.sizeExceeded, sizeLimitText(session.config.smtp.max_message_size));
  }
  if (session.deps.mode === 'submission') await refuseForeignHeaderSenders(session, body);
}

/** Throws 553 5.7.1 naming the header when From:/Sender: is not the user's (RFC 6409 §6.1). */
async function refuseForeignHeaderSenders(session: SmtpSession, body: BodyInProgress): Promise<void> {
  const account = session.account;
  if (!account) throw new SmtpError(Replies.authRequired); // MAIL FROM already demands AUTH here (RFC 6409 §4.3)
  await body.writer.endOfInput();
  const refusal = await headerSenderRefusal(session.deps.mail, account, body.writer.header, HEADER_COMPLETION_LIMIT);
  if (refusal) {
    session.log.info({ msgid: body.messageId, user: account.address, field: refusal.field, reason: refusal.text }, 'message refused: header sender not owned');
    throw new SmtpError(Replies.senderNotOwned, refusal.text);
  }
}

/** fsync, then one delivery transaction (mail/deliver.ts); its DeliveryError goes to the dispatcher. */
async function commitAndDeliver(session: SmtpSession, envelope: Envelope, body: BodyInProgress): Promise<void> {
  const blob = await body.writer.commit();
  await deliverMessage(session.deps.mail, {
    blob,
    sender: envelope.sender,
    recipients: envelope.recipients,
    dsn: { envid: envelope.envid, ret: envelope.ret },
    messageId: body.messageId,
    via: session.deps.mode,
    internalDate: body.receivedAt,
    logFields: { cid: session.conn.id, client: session.conn.remoteAddress, user: session.account?.address },
  });
}
