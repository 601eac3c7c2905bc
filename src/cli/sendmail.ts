// septet sendmail [-t] [-f FROM] [RECIPIENT...]: the Postfix-compatible way for
// scripts and cron to send mail. The message comes on standard input; it goes
// through the same delivery path as SMTP submission. Whoever can run this against
// the data directory is trusted like Postfix's local sendmail: any -f is allowed.

import { hostname as systemHostname, userInfo } from 'node:os';
import { Readable } from 'node:stream';
import { createMailService } from '../mail/mail-service.ts';
import { submitFromStream, SubmitError } from '../mail/submit.ts';
import { silentLogger } from '../core/log/logger.ts';
import { parse, UsageError } from './args.ts';
import { withStore } from './store.ts';

/** Header block size we are willing to read to find recipients for -t. */
const HEADER_LIMIT = 1024 * 1024;

export async function sendmailCommand(argv: string[]): Promise<void> {
  // Classic sendmail flags that scripts pass and we accept without effect.
  const ignored = new Set(['-i', '-oi', '-odi', '-odb', '-oem', '-U']);
  const { values, positionals } = parse(
    argv.filter((a) => !ignored.has(a)),
    { t: { type: 'boolean', short: 't' }, f: { type: 'string', short: 'f' } },
  );
  await withStore(values, async (store, config) => {
    const hostname = config.hostname || systemHostname();
    const mail = createMailService({ config, hostname, store, log: silentLogger() });
    const sender = values.f ?? `${userInfo().username}@${hostname}`;
    let recipients = positionals;
    let source: Readable = process.stdin;
    if (values.t) {
      const { header, rest } = await readHeaderBlock(process.stdin);
      const fromHeaders = recipientsFromHeaders(header);
      recipients = [...new Set([...recipients, ...fromHeaders])];
      // Bcc names recipients that the others must not see (RFC 5322 §3.6.3).
      source = Readable.from(prepend(Buffer.from(removeField(header, 'bcc')), rest));
    }
    if (recipients.length === 0) throw new UsageError('sendmail: no recipients (name them, or use -t)');
    try {
      const { messageId, queueId } = await submitFromStream(mail, { sender, recipients, source, submitter: null });
      process.stderr.write(`septet sendmail: accepted ${messageId}${queueId ? ` (queued ${queueId})` : ''}\n`);
    } catch (error) {
      if (error instanceof SubmitError) throw new Error(`sendmail: ${error.message}`);
      throw error;
    }
  });
}

async function* prepend(first: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield first;
  yield* rest;
}

/** Reads up to and including the blank line that ends the header; the rest streams on. */
async function readHeaderBlock(input: Readable): Promise<{ header: string; rest: AsyncIterable<Buffer> }> {
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let buffered = Buffer.alloc(0);
  for (;;) {
    const end = headerEnd(buffered);
    if (end >= 0) {
      const remainder = buffered.subarray(end);
      return { header: buffered.subarray(0, end).toString('utf8'), rest: continueWith(remainder, iterator) };
    }
    if (buffered.length > HEADER_LIMIT) throw new Error('sendmail -t: header block too large');
    const next = await iterator.next();
    if (next.done) return { header: buffered.toString('utf8'), rest: continueWith(Buffer.alloc(0), iterator) };
    buffered = Buffer.concat([buffered, Buffer.from(next.value)]);
  }
}

function headerEnd(data: Buffer): number {
  if (data.subarray(0, 1).toString() === '\n') return 1;
  if (data.subarray(0, 2).toString() === '\r\n') return 2;
  const lf = data.indexOf('\n\n');
  const crlf = data.indexOf('\r\n\r\n');
  const candidates = [lf >= 0 ? lf + 2 : -1, crlf >= 0 ? crlf + 4 : -1].filter((n) => n >= 0);
  return candidates.length ? Math.min(...candidates) : -1;
}

async function* continueWith(first: Buffer, iterator: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (first.length) yield first;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    yield Buffer.from(next.value);
  }
}

/** Unfolded header fields (RFC 5322 §2.2.3). */
function fields(header: string): { name: string; value: string; raw: string }[] {
  const out: { name: string; value: string; raw: string }[] = [];
  for (const line of header.split(/(?<=\n)/)) {
    if (/^[ \t]/.test(line) && out.length) {
      const last = out[out.length - 1]!;
      last.value += ' ' + line.trim();
      last.raw += line;
    } else {
      const colon = line.indexOf(':');
      if (colon > 0) out.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim(), raw: line });
      else out.push({ name: '', value: '', raw: line });
    }
  }
  return out;
}

/** Addresses in To, Cc and Bcc: "<addr>" forms, or bare addr-specs between commas. */
export function recipientsFromHeaders(header: string): string[] {
  const found: string[] = [];
  for (const field of fields(header)) {
    if (!['to', 'cc', 'bcc'].includes(field.name)) continue;
    // Drop quoted display names and comments so their commas and @ do not confuse us.
    const value = field.value.replace(/"(?:[^"\\]|\\.)*"/g, '').replace(/\([^()]*\)/g, '');
    for (const part of value.split(',')) {
      const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(part);
      const bare = /([^\s<>:;]+@[^\s<>:;]+)/.exec(part);
      const address = angle?.[1] ?? bare?.[1];
      if (address) found.push(address);
    }
  }
  return found;
}

function removeField(header: string, name: string): string {
  return fields(header)
    .filter((f) => f.name !== name)
    .map((f) => f.raw)
    .join('');
}
