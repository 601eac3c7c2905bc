// An address list as the one line SEARCH FROM/TO/CC/BCC matches against (RFC 3501
// §6.4.4: "contain the specified string in the envelope structure's FROM field"):
// parsed as RFC 5322 §3.4 addresses, so comments and folding whitespace are gone,
// display names are decoded (RFC 2047) and routes and groups are kept, then written
// back as "Name <@route:local@domain>", "<local@domain>" or "Group: <a>, B <b>;".
// Dovecot searches the same normalised form: "<user-from (c)@ (c) domain.org>"
// matches "user-from@domain.org" and "<user-from@domain.org>". (Dovecot leaves out the
// brackets of a bare addr-spec that had none; the parser does not tell the two apart,
// and a search for "<a@b>" finding "a@b" too is the kinder error.)

import { parseAddressList, type MailboxAddress } from './address.ts';
import { decodeEncodedWords } from './encoded-words.ts';

function mailboxText(a: MailboxAddress): string {
  const spec = a.host === null ? (a.mailbox ?? '') : `${a.mailbox ?? ''}@${a.host}`;
  const route = a.adl ? `${a.adl}:` : '';
  return `${a.name === null ? '' : decodeEncodedWords(a.name) + ' '}<${route}${spec}>`;
}

/** The normalised text of an address header's value; null when nothing in it reads as an address. */
export function addressSearchText(value: string): string | null {
  const items = parseAddressList(value);
  if (items.length === 0) return null;
  return items
    .map((item) => (item.kind === 'group' ? `${decodeEncodedWords(item.name)}: ${item.members.map(mailboxText).join(', ')};` : mailboxText(item)))
    .join(', ');
}
