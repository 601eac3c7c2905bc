// IMAP part numbers (RFC 3501 §6.4.5, RFC 9051 §6.4.5) over the part tree. This is
// MIME knowledge with an IMAP name: a message's part 1 is its body when it is not
// multipart; the parts of a message/rfc822 are the parts of the message inside it.

import type { MimePart } from './part.ts';

/**
 * The part named by a section number such as [1, 2, 3] ("1.2.3"), or null when the
 * message has no such part. [] is the message itself.
 */
export function findSection(root: MimePart, numbers: readonly number[]): MimePart | null {
  let current = root;
  let isMessage = true; // `current` is a message (root or a message/rfc822's content)
  for (const n of numbers) {
    if (!Number.isInteger(n) || n < 1) return null;
    if (!isMessage && current.structure === 'message' && current.message !== null) {
      current = current.message;
      isMessage = true;
    }
    if (current.structure === 'multipart') {
      const child = current.children[n - 1];
      if (child === undefined) return null;
      current = child;
    } else if (isMessage && n === 1) {
      // A non-multipart message: part 1 is its body, described by the message header.
    } else {
      return null;
    }
    isMessage = false;
  }
  return current;
}

/** The message whose HEADER / TEXT a section like "2.HEADER" names: the part itself for the root, its `message` for message/rfc822. */
export function messageOfSection(root: MimePart, numbers: readonly number[]): MimePart | null {
  if (numbers.length === 0) return root;
  const part = findSection(root, numbers);
  if (part === null || part.structure !== 'message') return null;
  return part.message;
}
