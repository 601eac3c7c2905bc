// Addresses and header text as the webmail shows them: RFC 2047 encoded words decoded,
// groups flattened to their members, every field plain text (the page sets textContent).

import { decodeEncodedWords, findField, parseAddressList, unfold, type HeaderField } from '../../core/mime/index.ts';

export interface AddressView {
  /** Display name, decoded; null when there is none. */
  name: string | null;
  /** "local@domain", or the group name for an empty group. */
  address: string;
}

/** The decoded text of a field, or null when absent. */
export function headerText(header: readonly HeaderField[], name: string): string | null {
  const field = findField(header, name);
  if (field === undefined) return null;
  return decodeEncodedWords(unfold(field.value)).trim();
}

/** Every mailbox of an address field (RFC 5322 §3.4), decoded; [] when absent. */
export function addressList(header: readonly HeaderField[], name: string): AddressView[] {
  const field = findField(header, name);
  if (field === undefined) return [];
  const out: AddressView[] = [];
  for (const item of parseAddressList(field.value)) {
    const members = item.kind === 'group' ? item.members : [item];
    for (const m of members) {
      if (m.mailbox === null) continue;
      out.push({ name: m.name === null ? null : decodeEncodedWords(m.name), address: m.host === null ? m.mailbox : `${m.mailbox}@${m.host}` });
    }
  }
  return out;
}

/** "Ann <ann@example.org>, bob@example.org": for search. */
export function addressText(list: readonly AddressView[]): string {
  return list.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(', ');
}
