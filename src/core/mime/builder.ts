// A small multipart builder for messages Septet writes itself (delivery status
// notifications, RFC 3464 / RFC 6522 multipart/report). Parts are given whole: the
// messages built here are small; a returned original is attached by reference
// (header only, or truncated) by the caller.

import { randomBytes } from 'node:crypto';

export interface BuildPart {
  /** Header fields of the part, in order, without line ends ("Content-Type", "text/plain; charset=utf-8"). */
  headers: ReadonlyArray<readonly [name: string, value: string]>;
  /** The body, already in its transfer encoding, CRLF line ends. */
  body: Buffer | string;
}

export interface BuildMultipartOptions {
  /** The multipart subtype: 'mixed', 'report', 'alternative', ... */
  type: string;
  /** Content-Type parameters besides the boundary (report-type=delivery-status). */
  params?: Readonly<Record<string, string>>;
  parts: readonly BuildPart[];
  /** For tests; random otherwise. */
  boundary?: string;
}

export interface BuiltMultipart {
  /** "MIME-Version" and "Content-Type" fields, CRLF-terminated, to add to the message header. */
  header: string;
  body: Buffer;
  boundary: string;
}

export function buildMultipart(options: BuildMultipartOptions): BuiltMultipart {
  const bodies = options.parts.map((p) => (typeof p.body === 'string' ? Buffer.from(p.body, 'utf8') : p.body));
  let boundary = options.boundary ?? newBoundary();
  // RFC 2046 §5.1.1: the boundary must not occur in the encapsulated parts.
  while (bodies.some((b) => b.includes(`--${boundary}`))) boundary = newBoundary();

  const chunks: Buffer[] = [];
  options.parts.forEach((part, i) => {
    const fields = part.headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
    chunks.push(Buffer.from(`--${boundary}\r\n${fields}\r\n`, 'utf8'), bodies[i]!);
    // The CRLF before the next delimiter belongs to the delimiter: add one so the body keeps its own last line end.
    chunks.push(Buffer.from('\r\n'));
  });
  chunks.push(Buffer.from(`--${boundary}--\r\n`));

  const params = Object.entries(options.params ?? {}).map(([name, value]) => `;\r\n\t${name}=${quoteParam(value)}`).join('');
  const header = `MIME-Version: 1.0\r\nContent-Type: multipart/${options.type}${params};\r\n\tboundary="${boundary}"\r\n`;
  return { header, body: Buffer.concat(chunks), boundary };
}

function newBoundary(): string {
  // "=_" cannot occur in base64 or in quoted-printable output, so it is safe in any encoded part.
  return `=_septet_${randomBytes(12).toString('hex')}`;
}

/** A parameter value as an RFC 2045 token when it is one, else as a quoted string. */
export function quoteParam(value: string): string {
  if (/^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/.test(value)) return value;
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}
