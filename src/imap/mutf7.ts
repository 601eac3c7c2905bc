// Modified UTF-7 for mailbox names (RFC 3501 §5.1.3): printable ASCII stands for
// itself except "&", which is "&-"; other characters are UTF-16 in base64 with ","
// for "/" and no padding, between "&" and "-". IMAP4rev2 and UTF8=ACCEPT clients use
// plain UTF-8 instead (RFC 9051 §5.1, RFC 6855 §3).

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';

export function encodeModifiedUtf7(name: string): string {
  let out = '';
  let pending: number[] = [];
  const flushPending = () => {
    if (pending.length === 0) return;
    const bytes = Buffer.alloc(pending.length * 2);
    pending.forEach((unit, i) => bytes.writeUInt16BE(unit, i * 2));
    out += '&' + bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',') + '-';
    pending = [];
  };
  for (let i = 0; i < name.length; i++) {
    const unit = name.charCodeAt(i);
    if (unit >= 0x20 && unit <= 0x7e) {
      flushPending();
      out += unit === 0x26 ? '&-' : name[i];
    } else {
      pending.push(unit);
    }
  }
  flushPending();
  return out;
}

/** Decodes a modified UTF-7 name; null when it is not valid modified UTF-7. */
export function decodeModifiedUtf7(text: string): string | null {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return null;
    if (c !== 0x26) {
      out += text[i];
      continue;
    }
    const end = text.indexOf('-', i + 1);
    if (end < 0) return null;
    const run = text.slice(i + 1, end);
    i = end;
    if (run === '') {
      out += '&';
      continue;
    }
    for (const ch of run) if (!B64.includes(ch)) return null;
    const bytes = Buffer.from(run.replace(/,/g, '/'), 'base64');
    if (bytes.length % 2 !== 0 || bytes.length === 0) return null;
    let decoded = '';
    for (let j = 0; j < bytes.length; j += 2) decoded += String.fromCharCode(bytes.readUInt16BE(j));
    // RFC 3501 §5.1.3: printable ASCII must not be encoded in a base64 run.
    if (/[\x20-\x7e]/.test(decoded) || !decoded.isWellFormed()) return null;
    // Must round-trip, which also rejects stray bits and unpaired surrogates.
    if (encodeModifiedUtf7(decoded) !== `&${run}-`) return null;
    out += decoded;
  }
  return out;
}
