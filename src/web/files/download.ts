// What a download says besides its bytes: the attachment name (RFC 6266 with the
// RFC 8187 filename* for names beyond ASCII) and the one byte range it serves
// (RFC 9110 §14: "bytes=first-last", "bytes=first-", "bytes=-suffix"; several ranges
// are answered with the whole file, which §14.2 allows).

/** Content-Disposition: attachment with an ASCII fallback and the exact name in filename*. */
export function attachmentDisposition(name: string): string {
  // The fallback: printable ASCII without the quoted-string specials.
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_') || 'download';
  // RFC 8187 §3.2.1 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"; everything else percent-encoded.
  const encoded = Array.from(new TextEncoder().encode(name), (octet) => {
    const c = String.fromCharCode(octet);
    return /[A-Za-z0-9!#$&+\-.^_`|~]/.test(c) ? c : `%${octet.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

export type RangeAnswer =
  | { kind: 'whole' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

/** The range of a file of `size` octets a Range header asks for. */
export function byteRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: 'whole' };
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Another unit, several ranges or nonsense: RFC 9110 §14.2 lets the server ignore it.
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'whole' };
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return { kind: 'unsatisfiable' };
    if (size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size) return { kind: 'unsatisfiable' };
  if (end < start) return { kind: 'whole' };
  return { kind: 'partial', start, end };
}
