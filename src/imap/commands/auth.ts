// Not-authenticated state (RFC 3501 §6.2, RFC 9051 §6.2): STARTTLS, LOGIN and
// AUTHENTICATE PLAIN with SASL-IR (RFC 4959). On a plaintext connection that is not
// from loopback (unless auth.allow_plaintext) LOGIN is refused without checking the
// password and no mechanism is offered (RFC 2595 §3.2, RFC 9051 §6.2.3).

import { decodePlain, decodeSaslBase64, isSaslCancel } from '../../core/auth/sasl.ts';
import { LineTooLongError } from '../../core/net/byte-reader.ts';
import { ConnectionClosedError } from '../../core/net/connection.ts';
import { bad, Code, no, taggedLine, Text } from '../replies.ts';
import type { ImapSession } from '../session.ts';
import { decodeUtf8 } from '../wire.ts';
import { NOT_AUTHENTICATED, noArguments, type Command } from './types.ts';

function requirePlaintextAllowed(session: ImapSession): void {
  // RFC 5530 §3: PRIVACYREQUIRED — the operation needs TLS first.
  if (!session.plaintextLoginAllowed) throw no(Text.loginDisabled, Code.privacyRequired);
}

export const starttls: Command<void> = {
  states: NOT_AUTHENTICATED,
  parse: noArguments,
  async run(session, _parsed, { tag }) {
    if (session.conn.secure) throw bad(Text.tlsActive);
    if (!session.starttlsAvailable) throw bad('STARTTLS is not available on this connection');
    session.write(taggedLine(tag, 'OK', Text.beginTls));
    // startTls drops pipelined plaintext (RFC 2595 §3.1 / RFC 9051 §6.2.1 command injection).
    try {
      await session.conn.startTls(session.deps.tls);
    } catch (error) {
      session.log.info({ err: (error as Error).message }, 'STARTTLS handshake failed');
      session.conn.destroy();
      throw new ConnectionClosedError();
    }
    // RFC 9051 §6.2.1: the client must discard what it knew; so do we.
    session.commandsBeforeLogin = 0;
    session.unknownBeforeLogin = 0;
    return { answered: true };
  },
};

export const login: Command<{ user: string; password: string }> = {
  states: NOT_AUTHENTICATED,
  parse(args) {
    args.sp();
    const user = decodeUtf8(args.astring('user name'), 'user name');
    args.sp();
    const password = decodeUtf8(args.astring('password'), 'password');
    args.end();
    return { user, password };
  },
  async run(session, { user, password }) {
    requirePlaintextAllowed(session);
    return session.login(user, password);
  },
};

export const authenticate: Command<{ mechanism: string; initial: string | null }> = {
  states: NOT_AUTHENTICATED,
  parse(args) {
    args.sp();
    const mechanism = args.atom('mechanism').toUpperCase();
    let initial: string | null = null;
    if (args.trySp()) initial = args.atom('initial response');
    args.end();
    return { mechanism, initial };
  },
  async run(session, { mechanism, initial }) {
    if (mechanism !== 'PLAIN') throw no('Unsupported authentication mechanism; use PLAIN');
    requirePlaintextAllowed(session);
    // RFC 4959 §3: "=" is an empty initial response.
    const response = initial ?? (await askForResponse(session));
    const credentials = decodePlain(response);
    if (!credentials) {
      throw bad(decodeSaslBase64(response) === null ? 'Invalid base64 in SASL response' : 'Malformed SASL PLAIN response');
    }
    const canonical = (name: string) => session.deps.auth.canonicalUsername(name).toLowerCase();
    // No proxy authorization: the authorization identity must be the user's own.
    if (credentials.authzid !== '' && canonical(credentials.authzid) !== canonical(credentials.authcid)) {
      throw no('Authorization identity must be empty or your own', Code.authorizationFailed);
    }
    return session.login(credentials.authcid, credentials.password);
  },
};

/** RFC 3501 §6.2.2: an empty challenge "+ ", then one line of base64; "*" cancels. */
async function askForResponse(session: ImapSession): Promise<string> {
  session.write('+ \r\n');
  let line: Buffer | null;
  try {
    line = await session.conn.reader.readLine(session.limits.lineOctets);
  } catch (error) {
    if (error instanceof LineTooLongError) throw bad(Text.lineTooLong(session.limits.lineOctets));
    throw error;
  }
  if (line === null) throw new ConnectionClosedError();
  const text = line.toString('latin1');
  if (isSaslCancel(text)) throw bad('Authentication cancelled');
  return text;
}
