// The SMTP command table: verb -> where it is allowed, how its arguments parse, what it
// does. The dispatcher (../dispatch.ts) looks verbs up here.

import type { Command } from './command.ts';
import { ehlo, helo } from './hello.ts';
import { mail } from './mail.ts';
import { help, noop, quit, rset } from './basic.ts';
import { expn, vrfy } from './verify.ts';
import { auth } from './auth.ts';
import { starttls } from './starttls.ts';
import { turn } from './obsolete.ts';
import { bdatWithTerminals, dataWithTerminals, rcptWithTerminals, saml, send, soml } from './terminal.ts';

export const commands: Readonly<Record<string, Command>> = {
  EHLO: ehlo,
  HELO: helo,
  MAIL: mail,
  // RCPT, DATA and BDAT as usual, or for a SEND/SOML/SAML transaction (RFC 821 §3.5).
  RCPT: rcptWithTerminals,
  DATA: dataWithTerminals,
  BDAT: bdatWithTerminals,
  RSET: rset,
  NOOP: noop,
  QUIT: quit,
  HELP: help,
  VRFY: vrfy,
  EXPN: expn,
  AUTH: auth,
  STARTTLS: starttls,
  TURN: turn,
  SEND: send,
  SOML: soml,
  SAML: saml,
};
