// AUTH (RFC 4954) with the PLAIN (RFC 4616) and LOGIN mechanisms. Offered only
// over TLS or on loopback unless configured otherwise (RFC 4954 §4, RFC 8314); not
// during a mail transaction and not twice (§4: 503).

import {
  decodeLoginResponse,
  decodePlain,
  isSaslCancel,
  LOGIN_PASSWORD_PROMPT,
  LOGIN_USERNAME_PROMPT,
} from '../../core/auth/sasl.ts';
import { Replies, SmtpError } from '../replies.ts';
import type { SmtpSession } from '../session.ts';
import { command } from './command.ts';

const cancelled = (): SmtpError => new SmtpError(Replies.badArguments, 'Authentication cancelled'); // RFC 4954 §4: 501 on "*"

/** Sends a 334 challenge and reads the client's answer line (an overlong one is the dispatcher's 500 5.5.6). */
async function challenge(session: SmtpSession, prompt: string): Promise<string> {
  session.reply(Replies.challenge(prompt));
  const text = (await session.readLine()).toString('latin1');
  if (isSaslCancel(text)) throw cancelled();
  return text;
}

interface Credentials {
  username: string;
  password: string;
}

/** RFC 4616: one response "authzid NUL authcid NUL password". */
async function plainCredentials(session: SmtpSession, initial: string | null): Promise<Credentials> {
  const plain = decodePlain(initial ?? (await challenge(session, '')));
  if (!plain) throw new SmtpError(Replies.badArguments, 'Invalid PLAIN response');
  // We do not act on behalf of others: an authorization identity must be the user itself.
  if (plain.authzid !== '' && plain.authzid.toLowerCase() !== plain.authcid.toLowerCase()) throw new SmtpError(Replies.authFailed);
  return { username: plain.authcid, password: plain.password };
}

/** LOGIN (draft-murchison-sasl-login): user name and password, each asked for with 334. */
async function loginCredentials(session: SmtpSession, initial: string | null): Promise<Credentials> {
  const username = decodeLoginResponse(initial ?? (await challenge(session, LOGIN_USERNAME_PROMPT)));
  if (username === null) throw new SmtpError(Replies.badBase64);
  const password = decodeLoginResponse(await challenge(session, LOGIN_PASSWORD_PROMPT));
  if (password === null) throw new SmtpError(Replies.badBase64);
  return { username, password };
}

/** RFC 4954 §4: refusals before any challenge is sent. */
function requireAuthPossible(session: SmtpSession, mechanism: string): void {
  if (session.account) throw new SmtpError(Replies.badSequence, 'Already authenticated');
  if (!session.authAllowed) throw new SmtpError(Replies.encryptionRequired, 'Must issue a STARTTLS command first');
  if (mechanism !== 'PLAIN' && mechanism !== 'LOGIN') throw new SmtpError(Replies.paramNotImplemented, 'Unrecognized authentication type');
}

export const auth = command({
  states: ['ready'],
  sequenceHint: (state) => (state === 'greeting' ? 'Send EHLO first' : 'AUTH not allowed during a mail transaction'),
  parse: (args) => {
    const [mechanism, initial, extra] = args.trim().split(/ +/);
    if (!mechanism || extra !== undefined) throw new SmtpError(Replies.badArguments, 'Syntax: AUTH mechanism [initial-response]');
    return { mechanism: mechanism.toUpperCase(), initial: initial ?? null };
  },
  run: async (session, { mechanism, initial }) => {
    requireAuthPossible(session, mechanism);
    if (initial === '*') throw cancelled();
    const { username, password } = mechanism === 'PLAIN' ? await plainCredentials(session, initial) : await loginCredentials(session, initial);
    const account = await session.deps.auth.login({ username, password, remoteAddress: session.conn.remoteAddress, service: 'smtp' });
    if (!account) throw new SmtpError(Replies.authFailed);
    session.account = account;
    session.conn.markTrusted(); // no pre-authentication deadline any more (core/net/limits.ts)
    session.log.info({ user: account.address, mechanism }, 'authenticated');
    session.reply(Replies.authOk);
  },
});
