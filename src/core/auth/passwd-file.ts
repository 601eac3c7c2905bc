// Dovecot's passwd-file (doc.dovecot.org, "Passwd-file"): one user a line,
// "user:password:uid:gid:(gecos):home:shell:extra_fields", "#" comments and blank lines.
// Only the user and the password matter here: Septet has its own mail store and ids.
// A password without a "{SCHEME}" prefix is in passwd-file's default scheme, CRYPT.

import { parseDovecotHash, PLAIN_SCHEMES, unsupportedReason } from './schemes/dovecot.ts';

export interface PasswdEntry {
  /** 1-based line number, for messages. */
  line: number;
  user: string;
  /** The password field as written. */
  password: string;
}

export interface PasswdFile {
  entries: PasswdEntry[];
  /** Lines that are not "user:password...". */
  malformed: Array<{ line: number; message: string }>;
}

export function parsePasswdFile(text: string): PasswdFile {
  const entries: PasswdEntry[] = [];
  const malformed: PasswdFile['malformed'] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const [user = '', password] = line.split(':');
    if (user.trim() === '' || password === undefined) malformed.push({ line: index + 1, message: 'expected user:password[:uid:gid:gecos:home:shell:extra]' });
    else entries.push({ line: index + 1, user: user.trim(), password });
  });
  return { entries, malformed };
}

/** What to store for a password field: a hash kept as it is, a cleartext password to hash now, or why not. */
export type ImportedPassword = { kind: 'hash'; stored: string; scheme: string } | { kind: 'plain'; password: string } | { kind: 'refused'; reason: string };

export function importPassword(field: string): ImportedPassword {
  if (field === '') return { kind: 'refused', reason: 'no password (Dovecot nopassword users are not imported)' };
  const stored = field.startsWith('{') ? field : `{CRYPT}${field}`;
  const hash = parseDovecotHash(stored);
  if (!hash) return { kind: 'refused', reason: 'unreadable {SCHEME} prefix' };
  if (PLAIN_SCHEMES.has(hash.scheme)) {
    // A cleartext password is never stored: it is hashed with the configured scheme at import.
    const password = hash.encoding === null ? hash.data : Buffer.from(hash.data, hash.encoding).toString('utf8');
    return password === '' ? { kind: 'refused', reason: 'empty password' } : { kind: 'plain', password };
  }
  const reason = unsupportedReason(hash);
  return reason === null ? { kind: 'hash', stored, scheme: hash.scheme } : { kind: 'refused', reason };
}
