// Reports to the sender (RFC 3461 §6, RFC 3464): failures (NOTIFY=FAILURE or the
// default), one "delayed" notice (NOTIFY=DELAY or the default), and "relayed" for
// NOTIFY=SUCCESS when the next hop does not speak DSN (RFC 3461 §5.2.2). Never to the
// null sender: a DSN is itself sent from "<>", so no report causes another (RFC 5321
// §4.5.5, no bounce loops). The report goes the way all Septet mail goes: into the
// sender's mailbox when local, else into the queue.

import { randomBytes } from 'node:crypto';
import type { QueueEntry } from '../../core/store/types.ts';
import { deliverMessage } from '../deliver.ts';
import type { MailService } from '../mail-service.ts';
import { buildDsn, type DsnAction, type DsnRecipient } from './dsn.ts';

/** RFC 3461 §4.1: NOTIFY absent means FAILURE (and DELAY, at the MTA's discretion: Septet sends it). */
export function wantsReport(notify: string | null | undefined, action: DsnAction): boolean {
  const keywords = (notify ?? '').toUpperCase().split(',').map((k) => k.trim()).filter(Boolean);
  if (keywords.length === 0) return action === 'failed' || action === 'delayed';
  if (keywords.includes('NEVER')) return false;
  const wanted = { failed: 'FAILURE', delayed: 'DELAY', delivered: 'SUCCESS', relayed: 'SUCCESS', expanded: 'SUCCESS' }[action];
  return keywords.includes(wanted);
}

/** The RFC 3463 status in a reply line ("550 5.1.1 ..." or "5.1.10 ..."), or a default by class. */
export function statusOf(reply: string | null | undefined, fallback: string): string {
  const match = /^(?:\d{3}[ -])?([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply ?? '');
  if (match) return match[1]!;
  const code = /^([245])\d\d\b/.exec(reply ?? '');
  return code ? `${code[1]}.0.0` : fallback;
}

/** What a report returns of the original (RFC 3461 §4.3): its header, or with RET=FULL the message; each bounded by the configuration. */
async function readOriginal(mail: MailService, entry: QueueEntry, full: boolean): Promise<Buffer> {
  const limit = full ? mail.config.relay.report_max_full : mail.config.relay.report_max_header;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of mail.store.blobs.read(entry.blobId)) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    size += buffer.length;
    if (size >= limit) break;
    if (!full && Buffer.concat(chunks.slice(-2)).includes('\r\n\r\n')) break;
  }
  return Buffer.concat(chunks).subarray(0, limit);
}

export interface ReportOptions {
  mail: MailService;
  entry: QueueEntry;
  action: DsnAction;
  recipients: DsnRecipient[];
}

/** Sends one report about `recipients` of `entry`; false when none is due (null sender, NOTIFY). */
export async function sendReport({ mail, entry, action, recipients }: ReportOptions): Promise<boolean> {
  if (entry.sender === '') return false; // never a bounce to the null sender
  const wanted = recipients.filter((r) => wantsReport(entry.recipients.find((q) => q.address === r.address)?.notify, action));
  if (wanted.length === 0) return false;
  const returnFull = action === 'failed' && (entry.ret ?? '').toUpperCase() === 'FULL';
  const original = await readOriginal(mail, entry, returnFull);
  const message = buildDsn({
    reportingMta: mail.hostname,
    to: entry.sender,
    envid: entry.envid ?? null,
    arrivalDate: entry.createdAt,
    recipients: wanted,
    original,
    returnFull,
  });
  const resolution = await mail.resolveRecipient(entry.sender);
  if (resolution.kind === 'unknown') {
    mail.log.warn({ queueId: entry.id, sender: entry.sender }, 'delivery report dropped: the local sender no longer exists');
    return false;
  }
  const writer = await mail.store.blobs.create();
  try {
    await writer.write(message);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  const blob = await writer.commit();
  await deliverMessage(mail, {
    blob,
    sender: '',
    recipients: [{ address: entry.sender, resolution }],
    messageId: `dsn-${randomBytes(6).toString('hex')}`,
    via: 'relay-dsn',
    logFields: { queueId: entry.id, action },
  });
  return true;
}
