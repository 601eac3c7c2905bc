// RFC 3501 §7.2.1 / RFC 9051 §7.2.2: the capabilities Septet offers, which depend on
// the state and on TLS (RFC 2595 §3.2: no password mechanism in clear).

import type { StateName } from './session.ts';

/** What the capability list depends on. */
export interface CapabilityContext {
  readonly state: { readonly name: StateName };
  readonly starttlsAvailable: boolean;
  readonly plaintextLoginAllowed: boolean;
  readonly limits: { readonly appendLiteralOctets: number };
}

const ALWAYS = ['IMAP4rev1', 'IMAP4rev2', 'LITERAL+', 'SASL-IR', 'ID', 'ENABLE', 'IDLE'];

const AFTER_LOGIN = [
  'NAMESPACE',
  'UIDPLUS',
  'MOVE',
  'UNSELECT',
  'CHILDREN',
  'SPECIAL-USE',
  'LIST-EXTENDED',
  'LIST-STATUS',
  'ESEARCH',
  'SEARCHRES',
  'STATUS=SIZE',
  'QUOTA',
  'QUOTA=RES-STORAGE',
  'QUOTA=RES-MESSAGE',
  'CONDSTORE',
  'QRESYNC',
  'BINARY',
  'UTF8=ACCEPT',
  'MULTIAPPEND', // RFC 3502
  'CATENATE', // RFC 4469
];

export function capabilities(session: CapabilityContext): string[] {
  const caps = [...ALWAYS];
  if (session.state.name === 'not-authenticated') {
    if (session.starttlsAvailable) caps.push('STARTTLS');
    // RFC 2595 §3.2: LOGINDISABLED, and no AUTH= mechanism that sends the password in clear.
    if (session.plaintextLoginAllowed) caps.push('AUTH=PLAIN');
    else caps.push('LOGINDISABLED');
    return caps;
  }
  // RFC 7889 §3: APPENDLIMIT announces the largest message APPEND takes.
  caps.push(...AFTER_LOGIN, `APPENDLIMIT=${session.limits.appendLiteralOctets}`);
  return caps;
}

/** The "CAPABILITY ..." response code of the greeting and of the login OK (RFC 9051 §6.2.3). */
export function capabilityCode(session: CapabilityContext): string {
  return `CAPABILITY ${capabilities(session).join(' ')}`;
}
