// RFC 821 §3.5 (and §4.1.1): SEND, SOML and SAML begin a transaction like MAIL, but
// the message goes to the recipients' terminals — here, their open Septet console
// sessions (TerminalRegistry, src/core/bus/terminals.ts):
//   SEND  only to a terminal: RCPT of a user with none is 450 "User not active now"
//   SOML  to the terminal if the user has one, else to the mailbox (normal delivery)
//   SAML  to the terminal if the user has one, and to the mailbox always
// RFC 5321 Appendix F.6 calls them obsolete ("Servers MAY implement them. If they are
// implemented by servers, the implementation model specified in RFC 821 MUST be used
// and the command names MUST be published in the response to the EHLO command"), and
// we do exactly that, because a console is a terminal in RFC 821's sense again. Off
// unless smtp.terminal_delivery; only after AUTH (writing to someone's screen is not
// for anonymous peers); local recipients only (551). A message for a terminal is held
// in memory up to smtp.terminal_max_message and shown as text with control
// characters replaced, so a sender cannot drive the reader's terminal.

import { ConnectionClosedError } from '../../core/net/connection.ts';
import { DotDecoder } from '../../core/net/dot-decoder.ts';
import { finishBody, openBody, withDataTimeout } from '../data.ts';
import { Replies, SmtpError } from '../replies.ts';
import type { Envelope, SessionState, SmtpSession } from '../session.ts';
import type { RcptOptions } from '../wire.ts';
import type { AcceptedRecipient } from '../../mail/deliver.ts';
import { bdat } from './bdat.ts';
import { ANY_STATE, command, type Command } from './command.ts';
import { data } from './data.ts';
import { mail } from './mail.ts';
import { rcpt } from './rcpt.ts';

type Kind = NonNullable<Envelope['terminal']>;

/** Whether SEND, SOML and SAML are offered (and listed in EHLO, RFC 5321 F.6). */
export function terminalDeliveryEnabled(session: SmtpSession): boolean {
  return session.config.smtp.terminal_delivery && session.deps.terminals !== undefined;
}

function begin(kind: Kind): Command {
  const verb = kind.toUpperCase();
  return command({
    // Any state, so that a server without terminal delivery answers 502 as RFC 821 §4.3 lists, never 503.
    states: ANY_STATE,
    parse: (args: string) => args,
    run: async (session, args: string) => {
      if (!terminalDeliveryEnabled(session)) throw new SmtpError(Replies.terminalDisabled(verb));
      if (session.state.name !== 'ready') throw new SmtpError(Replies.badSequence, session.state.name === 'greeting' ? 'Send HELO/EHLO first' : `Nested ${verb} command`);
      if (!session.account) throw new SmtpError(Replies.terminalNeedsAuth(verb));
      // The same reverse-path, parameters and sender checks as MAIL (RFC 821 §3.5: "The argument field contains a reverse-path").
      await mail.run(session, mail.parse(args));
      const after = session.state as SessionState; // mail.run moved it on
      if (after.name === 'mail') after.envelope.terminal = kind;
    },
  });
}

export const send = begin('send');
export const soml = begin('soml');
export const saml = begin('saml');

function terminalOf(session: SmtpSession): Kind | undefined {
  const state = session.state;
  return state.name === 'mail' || state.name === 'rcpt' ? state.envelope.terminal : undefined;
}

/** RCPT: in a SEND/SOML/SAML transaction a local user, with a terminal for SEND. */
export const rcptWithTerminals = command({
  ...(rcpt as ReturnType<typeof command>),
  run: async (session, options: RcptOptions) => {
    const kind = terminalOf(session);
    if (!kind) return rcpt.run(session, options);
    const state = session.state;
    if (state.name !== 'mail' && state.name !== 'rcpt') throw new SmtpError(Replies.badSequence);
    const { mailbox, notify, orcpt } = options;
    if (mailbox.utf8 && !state.envelope.smtputf8) throw new SmtpError(Replies.utf8NotPermitted);
    if (state.envelope.recipients.length >= session.config.smtp.max_recipients) throw new SmtpError(Replies.tooManyRecipients);
    const resolution = await session.deps.mail.resolveRecipient(mailbox.address);
    if (resolution.kind === 'unknown') throw new SmtpError(Replies.userUnknown, `<${mailbox.address}>: Recipient address rejected: no such user here`);
    if (resolution.kind === 'remote' || resolution.accountIds.length === 0) throw new SmtpError(Replies.terminalNotLocal(mailbox.address));
    const active = await anyTerminal(session, resolution.accountIds);
    if (kind === 'send' && !active) throw new SmtpError(Replies.userNotActive(mailbox.address));
    state.envelope.recipients.push({ address: mailbox.address, resolution, notify, orcpt });
    session.state = { name: 'rcpt', client: state.client, envelope: state.envelope };
    session.reply(kind === 'soml' && !active ? Replies.willMail(mailbox.address) : Replies.recipientOk);
  },
});

async function anyTerminal(session: SmtpSession, accountIds: number[]): Promise<boolean> {
  for (const id of accountIds) if (await session.deps.terminals!.hasTerminal(id)) return true;
  return false;
}

/** DATA: a terminal transaction reads the message into memory, shows it, and mails what it must. */
export const dataWithTerminals = command({
  ...(data as ReturnType<typeof command>),
  run: async (session, parsed: unknown) => {
    const kind = terminalOf(session);
    if (!kind) return data.run(session, parsed);
    await terminalData(session, kind);
  },
});

/** BDAT cannot be used in a terminal transaction; its chunk is read and dropped. */
export const bdatWithTerminals = command({
  ...(bdat as ReturnType<typeof command>),
  run: async (session, parsed: unknown) => {
    if (!terminalOf(session)) return bdat.run(session, parsed);
    const { size } = parsed as { size: number };
    if (!(await session.conn.reader.pipeExact(size, () => {}))) throw new ConnectionClosedError();
    throw new SmtpError(Replies.terminalBdat);
  },
});

async function terminalData(session: SmtpSession, kind: Kind): Promise<void> {
  const state = session.state;
  if (state.name !== 'rcpt') throw new SmtpError(Replies.badSequence);
  const { envelope, client } = state;
  const max = session.config.smtp.terminal_max_message;
  session.reply(Replies.startData);
  const chunks: Buffer[] = [];
  let size = 0;
  const decoder = new DotDecoder();
  const complete = await withDataTimeout(session, () =>
    session.conn.reader.pipeDotTerminated((chunk) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
    }, decoder),
  );
  if (!complete) throw new ConnectionClosedError();
  try {
    if (session.config.smtp.bare_newline === 'reject' && decoder.bareNewline) throw new SmtpError(Replies.bareNewlineInData);
    if (size > max) throw new SmtpError(Replies.terminalTooLarge(max));
  } catch (error) {
    await session.resetTransaction();
    throw error;
  }
  const message = Buffer.concat(chunks);
  const notice = { from: shownSender(session.account?.address ?? '', envelope.sender), text: terminalText(message), at: new Date() };
  const terminals = session.deps.terminals!;

  // Who gets the mailbox copy: everyone with SAML; with SOML those without a terminal now.
  const mailboxes: AcceptedRecipient[] = [];
  const shown: AcceptedRecipient[] = [];
  for (const recipient of envelope.recipients) {
    const ids = recipient.resolution.kind === 'local' ? recipient.resolution.accountIds : [];
    const active = await anyTerminal(session, ids);
    if (active) shown.push(recipient);
    if (kind === 'saml' || (kind === 'soml' && !active)) mailboxes.push(recipient);
  }
  // The mailbox part first: SAML and SOML succeed when the mailbox has the message
  // (RFC 821 §3.5), and a refusal (quota, a foreign From: on submission) must come
  // before anything is shown. finishBody sends the 250 and ends the transaction.
  if (mailboxes.length > 0) {
    const mailed: Envelope = { ...envelope, recipients: mailboxes, terminal: undefined };
    const body = await openBody(session, client, mailed);
    let failure: unknown = null;
    await body.writer.write(message).catch((error: unknown) => (failure = error));
    await finishBody(session, mailed, body, failure);
  }
  let reached = 0;
  const missed: string[] = [];
  for (const recipient of shown.length > 0 ? shown : []) {
    let n = 0;
    for (const id of recipient.resolution.kind === 'local' ? recipient.resolution.accountIds : []) n += await terminals.send(id, notice);
    reached += n;
    if (n === 0) missed.push(recipient.address);
  }
  for (const recipient of envelope.recipients) if (!shown.includes(recipient) && !mailboxes.includes(recipient)) missed.push(recipient.address);
  session.log.info({ kind, from: envelope.sender, recipients: envelope.recipients.length, terminals: reached, mailboxes: mailboxes.length, user: session.account?.address }, 'terminal delivery');
  if (mailboxes.length > 0) return; // answered by finishBody
  await session.resetTransaction();
  // SEND "is successful if the message is delivered to a terminal" (RFC 821 §3.5).
  if (reached === 0) throw new SmtpError(Replies.noTerminalReached);
  session.reply(Replies.shownOnTerminals(reached, missed));
}

/**
 * The message as a terminal may show it: UTF-8 (invalid octets become U+FFFD), CRLF
 * line ends, and every other control character (ESC above all: no cursor moves, no
 * title changes, no OSC 52 clipboard writes) shown as "?"; tabs kept.
 */
export function terminalText(message: Buffer): string {
  const text = message.toString('utf8').replace(/\r?\n/g, '\n').replace(/\r/g, '\n');
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, '?').replace(/\n/g, '\r\n');
}

/**
 * Who the recipient's terminal says it is from: the account that authenticated (SEND needs
 * AUTH), as write(1) shows the real login; the envelope sender beside it when it differs,
 * since on port 25 an authenticated user may give any MAIL FROM.
 */
export function shownSender(account: string, sender: string): string {
  if (account === '' || account.toLowerCase() === sender.toLowerCase()) return sender;
  return `${account} (envelope sender ${sender === '' ? '<>' : sender})`;
}
