// Address helpers shared by the mail protocols and the sendmail command. Addresses
// are compared case-insensitively: the domain always (RFC 5321 §2.4), the local part
// too, as every account and alias in Septet is unique case-insensitively.

export interface SplitAddress {
  local: string;
  /** Lower-cased; '' when the address has no domain ("postmaster"). */
  domain: string;
}

export function splitAddress(address: string): SplitAddress {
  const at = address.lastIndexOf('@');
  if (at < 0) return { local: address, domain: '' };
  return { local: address.slice(0, at), domain: address.slice(at + 1).toLowerCase() };
}

/** "user+tag@d" → "user@d"; null when there is no tag (plus-addressing). */
export function withoutPlusTag(address: string): string | null {
  const { local, domain } = splitAddress(address);
  const plus = local.indexOf('+');
  if (plus <= 0) return null;
  return `${local.slice(0, plus)}@${domain}`;
}

export function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
