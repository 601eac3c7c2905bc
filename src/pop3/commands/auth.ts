// RFC 5034 §4: AUTH mechanism [initial-response], with the PLAIN mechanism (RFC 4616),
// which RFC 5034 §4 makes mandatory over TLS. Plain "AUTH" lists the mechanisms as
// RFC 1734 servers did (some clients still probe that way).

import { decodePlain, decodeSaslBase64, isSaslCancel, type PlainCredentials } from '../../core/auth/sasl.ts';
import { LineTooLongError } from '../../core/net/byte-reader.ts';
import { ConnectionClosedError } from '../../core/net/connection.ts';
import { sendListing } from '../message-stream.ts';
import { okLine, Pop3Error, ResponseCode, Text } from '../replies.ts';
import type { Pop3Session } from '../session.ts';
import { expectArguments } from '../wire.ts';
import type { Command } from './types.ts';
import { requirePlaintextAllowed } from './user-pass.ts';

export const MECHANISMS = ['PLAIN'] as const;

interface AuthArguments {
  /** Absent: list the mechanisms (RFC 1734 style). */
  mechanism: string | undefined;
  initial: string | undefined;
}

export const auth: Command<AuthArguments> = {
  states: ['authorization'],
  longLine: true,
  parse(rest) {
    const [mechanism, initial] = expectArguments(rest, 0, 2, 'AUTH mechanism [initial-response]');
    return { mechanism, initial };
  },
  async run(session, { mechanism, initial }) {
    requirePlaintextAllowed(session);
    if (mechanism === undefined) {
      await sendListing(session.conn, okLine(Text.authMechanismsFollow), MECHANISMS);
      return;
    }
    if (mechanism.toUpperCase() !== 'PLAIN') throw new Pop3Error(Text.authUnsupportedMechanism);
    const response = initial ?? (await askForResponse(session));
    const credentials = parsePlain(response);
    const canonical = (name: string) => session.deps.auth.canonicalUsername(name).toLowerCase();
    // Septet has no proxy authorization: the identity must be the user's own.
    if (credentials.authzid !== '' && canonical(credentials.authzid) !== canonical(credentials.authcid)) {
      throw new Pop3Error(Text.authzidMismatch, ResponseCode.auth);
    }
    await session.login(credentials.authcid, credentials.password);
  },
};

/** RFC 5034 §4: an empty challenge is "+ " alone; "*" cancels. */
async function askForResponse(session: Pop3Session): Promise<string> {
  session.conn.write('+ \r\n');
  let line: Buffer | null;
  try {
    line = await session.readAuthLine();
  } catch (error) {
    if (error instanceof LineTooLongError) throw new Pop3Error(Text.lineTooLong(session.limits.authLineOctets));
    throw error;
  }
  if (line === null) throw new ConnectionClosedError();
  const text = line.toString('latin1');
  if (isSaslCancel(text)) throw new Pop3Error(Text.authCancelled);
  return text;
}

function parsePlain(response: string): PlainCredentials {
  const credentials = decodePlain(response);
  if (credentials) return credentials;
  // RFC 5034 §4: undecodable base64 MUST be rejected; say which of the two went wrong.
  if (decodeSaslBase64(response) === null) throw new Pop3Error(Text.authBadBase64);
  throw new Pop3Error(Text.authBadPlain);
}
