// The one delivery entry of Septet: given a committed body blob and resolved
// recipients, record the message in every local mailbox and queue it for remote
// recipients in one store transaction, then write the mail log line (one per
// message, like Postfix's maillog). SMTP, submission and `septet sendmail` all end here.

import type { DeliveryResult, LocalTarget, QueueRecipient } from '../core/store/types.ts';
import { StoreError } from '../core/store/types.ts';
import { countAccepted } from '../core/metrics/hooks.ts';
import type { MailService, Resolution } from './mail-service.ts';

export interface AcceptedRecipient {
  /** As the client gave it (for the log and the queue). */
  address: string;
  resolution: Exclude<Resolution, { kind: 'unknown' }>;
  /** RFC 3461 NOTIFY and ORCPT as given on RCPT, kept with the queue recipient. */
  notify?: string | null;
  orcpt?: string | null;
}

export interface DeliveryInput {
  blob: { blobId: string; size: number };
  /** Envelope sender; '' for the null reverse-path. */
  sender: string;
  recipients: AcceptedRecipient[];
  /** RFC 3461 ENVID and RET from MAIL FROM, kept with the queue entry for reports. */
  dsn?: { envid: string | null; ret: string | null };
  /** Our id of this message (Received "id", log correlation). */
  messageId: string;
  /** 'smtp', 'submission', 'sendmail': where it came from, for the log. */
  via: string;
  internalDate?: Date;
  /** Extra fields for the log line (client address, session id, ...). */
  logFields?: Record<string, unknown>;
  /** Further local targets in the same transaction, after the recipients' (the sender's Sent copy). */
  copies?: LocalTarget[];
}

export type DeliveryFailure = 'quota-temporary' | 'quota-permanent' | 'store';

/** Delivery failed; nothing was recorded and the blob is gone. */
export class DeliveryError extends Error {
  readonly reason: DeliveryFailure;
  constructor(reason: DeliveryFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeliveryError';
    this.reason = reason;
  }
}

export async function deliverMessage(mail: MailService, input: DeliveryInput): Promise<DeliveryResult> {
  const accountIds = new Set<number>();
  const remote = new Map<string, QueueRecipient>();
  for (const r of input.recipients) {
    if (r.resolution.kind === 'remote') remote.set(r.address.toLowerCase(), { address: r.address, notify: r.notify ?? null, orcpt: r.orcpt ?? null });
    else {
      for (const id of r.resolution.accountIds) accountIds.add(id);
      for (const f of r.resolution.forward) remote.set(f.toLowerCase(), { address: f });
    }
  }
  const fields = {
    msgid: input.messageId,
    from: input.sender || '<>',
    to: input.recipients.map((r) => r.address),
    size: input.blob.size,
    via: input.via,
    ...input.logFields,
  };
  try {
    const result = await mail.store.messages.deliver({
      blobId: input.blob.blobId,
      size: input.blob.size,
      internalDate: input.internalDate ?? new Date(),
      local: [...[...accountIds].map((accountId) => ({ accountId })), ...(input.copies ?? [])],
      ...(remote.size > 0 ? { remote: { sender: input.sender, recipients: [...remote.values()], envid: input.dsn?.envid ?? null, ret: input.dsn?.ret ?? null } } : {}),
    });
    const status = result.queueId && result.local.length > 0 ? 'delivered+queued' : result.queueId ? 'queued' : 'delivered';
    mail.log.info({ ...fields, mailboxes: result.local.length, queueId: result.queueId, status }, 'message accepted');
    countAccepted(input.via, result.local.length);
    if (result.queueId) mail.notifyQueued(result.queueId);
    return result;
  } catch (error) {
    await mail.store.blobs.delete(input.blob.blobId).catch(() => {});
    if (error instanceof StoreError && error.code === 'quota') {
      const permanent = await messageAloneExceedsQuota(mail, [...accountIds], input.blob.size);
      mail.log.info({ ...fields, status: 'rejected', reason: 'quota', permanent }, 'message not delivered: over quota');
      throw new DeliveryError(permanent ? 'quota-permanent' : 'quota-temporary', error.message, { cause: error });
    }
    mail.log.error({ ...fields, status: 'failed', err: error }, 'message not delivered: store error');
    throw new DeliveryError('store', (error as Error).message ?? String(error), { cause: error });
  }
}

/** RFC 3463 X.2.2: permanent only when no amount of waiting would make it fit. */
async function messageAloneExceedsQuota(mail: MailService, accountIds: number[], size: number): Promise<boolean> {
  for (const id of accountIds) {
    const account = await mail.store.accounts.getUserById(id).catch(() => null);
    if (account?.quotaBytes != null && size > account.quotaBytes) return true;
  }
  return false;
}
