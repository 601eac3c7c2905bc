// The compose form as the API receives it: JSON (no uploads) or multipart/form-data
// (RFC 7578) whose text fields come first and whose files follow, so the fields are
// known before the first file octet and each file streams straight into the message
// being built. Addresses are read with the mail parser (RFC 5322 §3.4) and must be
// plain ASCII addr-specs; message ids (In-Reply-To, References) are kept only when
// they look like msg-ids (§3.6.4).

import type { FastifyRequest } from 'fastify';
import type { Multipart, MultipartFile } from '@fastify/multipart';
import { parseAddressList, type HeaderAddress } from '../../core/mime/index.ts';
import type { BuildAttachment } from '../../core/mime/index.ts';
import { WebError } from '../replies.ts';

/** An attachment kept from a stored message (forward, a reopened draft): mailbox id, UID, part path. */
export interface AttachmentRef {
  mailboxId: number;
  uid: number;
  path: number[];
}

export interface ComposeForm {
  from: string;
  fromName: string;
  to: HeaderAddress[];
  cc: HeaderAddress[];
  bcc: HeaderAddress[];
  subject: string;
  text: string;
  inReplyTo: string[];
  references: string[];
  /** The UID in Drafts this form was opened from (deleted once sent, replaced when saved). */
  draft: number | null;
  keep: AttachmentRef[];
  /** The message answered or forwarded: flagged \\Answered or $Forwarded once sent. */
  origin: Origin | null;
}

export interface Origin {
  kind: 'reply' | 'forward';
  mailboxId: number;
  uid: number;
}

export interface ComposeInput {
  form: ComposeForm;
  /** Uploaded files in order; each is read once, while the message is built. */
  uploads: AsyncIterable<BuildAttachment>;
  hasUploads: boolean;
}

/** The form's fields, for the OpenAPI descriptions of send and save. */
export const formDescription =
  'JSON, or multipart/form-data with the text fields first and the files after them (field "attachment"). Fields: from, fromName, to, cc, bcc ' +
  '(address lists, "Name <a@b>, c@d"), subject, text, inReplyTo, references (msg-ids), draft (UID in Drafts), keep (attachment references ' +
  '"mailboxId/uid/part" of a stored message, repeatable), origin ("reply:mailboxId/uid" or "forward:mailboxId/uid", as the prefilled form gives it).';

/** Field names of the form (JSON keys and multipart field names alike). */
const TEXT_FIELDS = ['from', 'fromName', 'to', 'cc', 'bcc', 'subject', 'text', 'inReplyTo', 'references', 'draft', 'keep', 'origin'] as const;
type FieldName = (typeof TEXT_FIELDS)[number];
const MAX_REFERENCES = 40;
/** Characters; with "Subject: " an unbroken ASCII subject still fits RFC 5322 §2.1.1's 998-octet line. */
const MAX_SUBJECT = 900;

/** Reads the request: JSON body or multipart with fields before files (`attachment`). */
export async function readComposeInput(request: FastifyRequest, maxFileSize: number): Promise<ComposeInput> {
  if (!request.isMultipart()) {
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new WebError('bad-request', 'send a JSON object or multipart/form-data');
    const fields = new Map<FieldName, string[]>();
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (!(TEXT_FIELDS as readonly string[]).includes(key)) throw new WebError('bad-request', `unknown field: ${key.slice(0, 40)}`);
      const values = Array.isArray(value) ? value : [value];
      if (!values.every((v) => typeof v === 'string' || typeof v === 'number')) throw new WebError('bad-request', `${key}: a string or a list of strings`);
      fields.set(key as FieldName, values.map(String));
    }
    return { form: toForm(fields), uploads: noUploads(), hasUploads: false };
  }
  const parts = request.parts({ limits: { fileSize: maxFileSize } });
  const fields = new Map<FieldName, string[]>();
  let first: MultipartFile | null = null;
  for (;;) {
    const next = await parts.next();
    if (next.done) break;
    const part = next.value;
    if (part.type === 'file') {
      if (await skippedEmpty(part)) continue;
      first = part;
      break;
    }
    addField(fields, part);
  }
  return { form: toForm(fields), uploads: uploads(first, parts), hasUploads: first !== null };
}

async function* noUploads(): AsyncGenerator<BuildAttachment> {
  // A JSON body carries no files.
}

/** The files after the fields: the one already met, then the rest of the parts. */
async function* uploads(first: MultipartFile | null, parts: AsyncIterableIterator<Multipart>): AsyncGenerator<BuildAttachment> {
  if (first === null) return;
  yield toAttachment(first);
  for (;;) {
    const next = await parts.next();
    if (next.done) return;
    const part = next.value;
    if (part.type !== 'file') throw new WebError('bad-request', 'form fields must come before the files');
    if (await skippedEmpty(part)) continue;
    yield toAttachment(part);
  }
}

function toAttachment(part: MultipartFile): BuildAttachment {
  if (part.fieldname !== 'attachment') throw new WebError('bad-request', `unexpected file field: ${part.fieldname.slice(0, 40)}`);
  return { filename: part.filename, contentType: part.mimetype, content: part.file };
}

/** A file input left empty sends a part with no file name and no content: read it and go on. */
async function skippedEmpty(part: MultipartFile): Promise<boolean> {
  if (part.filename !== '') return false;
  for await (const _ of part.file) {
    // drained
  }
  return true;
}

function addField(fields: Map<FieldName, string[]>, part: Exclude<Multipart, MultipartFile>): void {
  const name = part.fieldname;
  if (!(TEXT_FIELDS as readonly string[]).includes(name)) throw new WebError('bad-request', `unknown field: ${name.slice(0, 40)}`);
  if (part.valueTruncated) throw new WebError('too-large', `${name}: field too long`);
  const list = fields.get(name as FieldName) ?? [];
  list.push(String(part.value));
  fields.set(name as FieldName, list);
}

function one(fields: Map<FieldName, string[]>, name: FieldName): string {
  const values = fields.get(name) ?? [];
  if (values.length > 1) throw new WebError('bad-request', `${name}: given more than once`);
  return values[0] ?? '';
}

function toForm(fields: Map<FieldName, string[]>): ComposeForm {
  const subject = one(fields, 'subject');
  if (subject.length > MAX_SUBJECT) throw new WebError('bad-request', 'subject too long');
  const draft = one(fields, 'draft');
  if (draft !== '' && !/^[1-9][0-9]{0,9}$/.test(draft)) throw new WebError('bad-request', 'draft: a UID');
  const from = one(fields, 'from').trim();
  if (from !== '' && !isAddrSpec(from)) throw new WebError('bad-request', `from: not an address: ${from.slice(0, 80)}`);
  const fromName = one(fields, 'fromName');
  if (/[\x00-\x1f\x7f]/.test(fromName) || fromName.length > 200) throw new WebError('bad-request', 'fromName: one line of at most 200 characters');
  return {
    from,
    fromName,
    to: addresses(fields, 'to'),
    cc: addresses(fields, 'cc'),
    bcc: addresses(fields, 'bcc'),
    subject,
    text: one(fields, 'text'),
    inReplyTo: messageIds(fields.get('inReplyTo') ?? []).slice(0, 1),
    references: trimReferences(messageIds(fields.get('references') ?? [])),
    draft: draft === '' ? null : Number(draft),
    keep: (fields.get('keep') ?? []).map(parseRef),
    origin: parseOrigin(one(fields, 'origin')),
  };
}

/** "Bob <bob@example.org>, carol@example.org" (any number of values) as addresses. */
export function parseRecipients(texts: readonly string[], field: string): HeaderAddress[] {
  const out: HeaderAddress[] = [];
  for (const text of texts) {
    if (/[\r\n\x00]/.test(text)) throw new WebError('bad-request', `${field}: one line, please`);
    if (text.trim() === '') continue;
    for (const item of parseAddressList(text)) {
      const members = item.kind === 'group' ? item.members : [item];
      for (const m of members) {
        const address = m.mailbox !== null && m.host !== null ? `${m.mailbox}@${m.host}` : '';
        if (!isAddrSpec(address)) throw new WebError('bad-request', `${field}: not an address: ${(address || text).slice(0, 80)}`);
        out.push({ name: m.name, address });
      }
    }
  }
  return out;
}

function addresses(fields: Map<FieldName, string[]>, name: 'to' | 'cc' | 'bcc'): HeaderAddress[] {
  return parseRecipients(fields.get(name) ?? [], name);
}

/** A dot-atom local part and a domain name, ASCII (SMTPUTF8 addresses are not offered here). */
export function isAddrSpec(address: string): boolean {
  return address.length <= 254 && /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(address);
}

/** Every "<...>" msg-id in the values (RFC 5322 §3.6.4), without anything that could end a header line. */
export function messageIds(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of values) for (const m of value.matchAll(/<[\x21-\x3b\x3d\x3f-\x7e]{1,250}>/g)) out.push(m[0]);
  return out;
}

/** RFC 5322 §3.6.4 lets References be trimmed: keep the first (the thread's root) and the latest. */
function trimReferences(ids: string[]): string[] {
  if (ids.length <= MAX_REFERENCES) return ids;
  return [ids[0]!, ...ids.slice(ids.length - (MAX_REFERENCES - 1))];
}

export function formatRef(ref: AttachmentRef): string {
  return `${ref.mailboxId}/${ref.uid}/${ref.path.join('.')}`;
}

export function parseRef(text: string): AttachmentRef {
  const m = /^([1-9][0-9]{0,14})\/([1-9][0-9]{0,9})\/([1-9][0-9]{0,4}(?:\.[1-9][0-9]{0,4}){0,9})$/.exec(text);
  if (!m) throw new WebError('bad-request', `keep: not an attachment reference: ${text.slice(0, 60)}`);
  return { mailboxId: Number(m[1]), uid: Number(m[2]), path: m[3]!.split('.').map(Number) };
}

export function formatOrigin(origin: Origin): string {
  return `${origin.kind}:${origin.mailboxId}/${origin.uid}`;
}

function parseOrigin(text: string): Origin | null {
  if (text === '') return null;
  const m = /^(reply|forward):([1-9][0-9]{0,14})\/([1-9][0-9]{0,9})$/.exec(text);
  if (!m) throw new WebError('bad-request', `origin: not a message reference: ${text.slice(0, 60)}`);
  return { kind: m[1] as Origin['kind'], mailboxId: Number(m[2]), uid: Number(m[3]) };
}
