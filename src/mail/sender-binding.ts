// The submission sender binding applied to the header (RFC 6409 §6.1: the MSA may
// check that the submitter is authorised to use the author addresses): every
// address in From: and Sender:, and any address shown in their display names, must
// belong to the authenticated user by the same rule as MAIL FROM
// (MailService.senderBelongsTo: own address, plus-variants, aliases leading to the
// user, and the send-as-domain settings). Used by the submission ports and by
// submitFromStream (the web console and other local entry points).

import type { Account } from '../core/store/types.ts';
import { extractHeaderSenders } from './header-senders.ts';
import type { MailService } from './mail-service.ts';

export interface HeaderSenderRefusal {
  field: 'From' | 'Sender';
  /** Reply text naming the header and the address, e.g. for 553 5.7.1. */
  text: string;
}

/**
 * Null when the header's author fields belong to `account`. `header` is the header
 * block as it will be stored (after header completion, which adds a missing From:
 * from the already checked envelope sender), or null when it was too large to hold.
 */
export async function headerSenderRefusal(mail: MailService, account: Account, header: Buffer | null, headerLimit: number): Promise<HeaderSenderRefusal | null> {
  const user = account.address;
  if (header === null) return { field: 'From', text: `From: header cannot be checked: header block larger than ${headerLimit} octets` };
  // A CR not followed by LF is no line end to the header parser but becomes one on
  // relay (the relay client sends CRLF), so "Subject: x\rFrom: other" would hide a
  // second From until it left. BDAT stores octets as sent: refuse rather than guess.
  if (hasBareCr(header)) return { field: 'From', text: 'From: header cannot be checked: bare CR in the header block (RFC 5322 section 2.3)' };
  const senders = extractHeaderSenders(header);
  if (!senders.ok) {
    const { problem } = senders;
    const field = problem.field;
    switch (problem.kind) {
      case 'repeated':
        return { field, text: `${field}: header occurs ${problem.count} times (RFC 5322 section 3.6 allows one)` };
      case 'unparseable':
        return { field, text: `${field}: header cannot be parsed (${problem.reason})` };
      case 'empty':
        return { field, text: `${field}: header has no address` };
      case 'missing':
        return { field, text: 'From: header missing (RFC 5322 section 3.6)' };
    }
  }
  for (const field of senders.fields) {
    for (const address of field.addresses) {
      if (!(await mail.senderBelongsTo(account, address))) return { field: field.name, text: `${field.name}: header address ${address} not owned by ${user}` };
    }
    for (const address of field.shownAddresses) {
      if (!(await mail.senderBelongsTo(account, address))) return { field: field.name, text: `${field.name}: header display name shows ${address}, not owned by ${user}` };
    }
  }
  return null;
}

function hasBareCr(header: Buffer): boolean {
  for (let i = header.indexOf(0x0d); i >= 0; i = header.indexOf(0x0d, i + 1)) if (header[i + 1] !== 0x0a) return true;
  return false;
}
