// The body path shared by DATA and BDAT: open a MessageWriter (Received field first,
// header completion on the submission ports), stream the client's octets into a
// blob, and at the end commit (fsync) and deliver before answering 250 — a 250 means
// the message is on disk (RFC 5321 §4.1.1.4, §6.1). On the submission ports the
// From:/Sender: header must belong to the user (mail/sender-binding.ts) before the
// message is committed: a refused message is never stored or queued.

import { DeliveryError, deliverMessage } from '../mail/deliver.ts';
import { HeaderCompleter } from '../mail/header-completion.ts';
import { MessageWriter } from '../mail/message-writer.ts';
import { buildReceivedHeader, receivedProtocol } from '../mail/received-header.ts';
import { headerSenderRefusal } from '../mail/sender-binding.ts';
import { HEADER_COMPLETION_LIMIT, newMessageLogId } from '../mail/submit.ts';
import { Replies, SmtpError } from './replies.ts';
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
  try {
    const writer = await MessageWriter.open(deps.store, { prefix, maxSize: deps.config.smtp.max_message_size, completer });
    return { writer, messageId, receivedAt };
  } catch (error) {
    session.log.error({ err: error }, 'cannot create message blob');
    throw Replies.localError;
  }
}

/**
 * A sink for the body octets that never throws: after a storage failure it keeps
 * swallowing input, so the rest of the body is not read as commands.
 */
export function bodySink(session: SmtpSession, body: BodyInProgress): { sink: (chunk: Buffer) => Promise<void>; failure: () => unknown } {
  let failure: unknown = null;
  const sink = async (chunk: Buffer) => {
    if (failure) return;
    try {
      await body.writer.write(chunk);
    } catch (error) {
      failure = error;
      session.log.error({ err: error, msgid: body.messageId }, 'writing message body failed');
      await body.writer.abort().catch(() => {});
    }
  };
  return { sink, failure: () => failure };
}

/** Throws 553 5.7.1 naming the header when From:/Sender: is not the user's (RFC 6409 §6.1). */
async function refuseForeignHeaderSenders(session: SmtpSession, body: BodyInProgress): Promise<void> {
  const account = session.account;
  if (!account) throw Replies.authRequired; // MAIL FROM already demands AUTH here (RFC 6409 §4.3)
  try {
    await body.writer.endOfInput();
  } catch (error) {
    session.log.error({ err: error, msgid: body.messageId }, 'writing message body failed');
    throw Replies.localError;
  }
  const refusal = await headerSenderRefusal(session.deps.mail, account, body.writer.header, HEADER_COMPLETION_LIMIT);
  if (refusal) {
    session.log.info({ msgid: body.messageId, user: account.address, field: refusal.field, reason: refusal.text }, 'message refused: header sender not owned');
    throw Replies.senderNotOwned.with(refusal.text);
  }
}

/** After the last octet: size check, fsync, delivery, then the one reply. Always ends the transaction. */
export async function finishBody(session: SmtpSession, envelope: Envelope, body: BodyInProgress, failed: unknown): Promise<void> {
  const { writer, messageId } = body;
  try {
    if (failed) throw Replies.localError;
    if (writer.oversize) {
      session.log.info({ msgid: messageId, size: writer.size }, 'message refused: too large');
      throw Replies.sizeExceeded.with(`Message size exceeds fixed maximum message size (${session.config.smtp.max_message_size} octets)`);
    }
    if (session.deps.mode === 'submission') await refuseForeignHeaderSenders(session, body);
    let blob: { blobId: string; size: number };
    try {
      blob = await writer.commit();
    } catch (error) {
      session.log.error({ err: error, msgid: messageId }, 'committing message body failed');
      throw Replies.localError;
    }
    try {
      await deliverMessage(session.deps.mail, {
        blob,
        sender: envelope.sender,
        recipients: envelope.recipients,
        dsn: { envid: envelope.envid, ret: envelope.ret },
        messageId,
        via: session.deps.mode,
        internalDate: body.receivedAt,
        logFields: { cid: session.conn.id, client: session.conn.remoteAddress, user: session.account?.address },
      });
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error;
      if (error.reason === 'quota-temporary') throw Replies.quotaTemporary;
      if (error.reason === 'quota-permanent') throw Replies.quotaPermanent;
      throw Replies.localError;
    }
    session.accepted++;
    session.conn.markTrusted(); // port 25: a completed transaction ends the deadline (core/net/limits.ts)
    session.reply({ code: 250, enhanced: '2.0.0', text: `Ok: queued as ${messageId}` });
  } catch (error) {
    await writer.abort().catch(() => {});
    if (error instanceof SmtpError) session.reply(error);
    else {
      session.log.error({ err: error, msgid: messageId }, 'delivery failed');
      session.reply(Replies.localError);
    }
  } finally {
    if (session.state.name !== 'closed') await session.resetTransaction();
  }
}
