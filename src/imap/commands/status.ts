// STATUS (RFC 3501 §6.3.10, RFC 9051 §6.3.11) and the status items that LIST-STATUS
// (RFC 5819) reuses: MESSAGES, RECENT, UIDNEXT, UIDVALIDITY, UNSEEN, SIZE (RFC 8438),
// DELETED (RFC 9051) and HIGHESTMODSEQ (RFC 7162 §3.1.2.1).

import type { Mailbox } from '../../core/store/types.ts';
import { mailboxName } from '../encode.ts';
import { mailboxArg } from '../mailbox-names.ts';
import { bad, Code, no } from '../replies.ts';
import type { ImapSession } from '../session.ts';
import type { ArgParser } from '../wire.ts';
import { AUTHENTICATED, type Command } from './types.ts';

const ITEMS = new Set(['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'SIZE', 'DELETED', 'HIGHESTMODSEQ']);

/** "(" status-att *(SP status-att) ")". */
export function parseStatusItems(args: ArgParser): string[] {
  args.expect('(');
  const items: string[] = [];
  for (;;) {
    const item = args.keyword('status item');
    if (!ITEMS.has(item)) throw bad(`Unknown STATUS item ${item}`);
    items.push(item);
    if (args.tryChar(')')) return items;
    args.sp();
  }
}

/** The "* STATUS name (...)" line for a mailbox. */
export async function statusLine(session: ImapSession, mailbox: Mailbox, items: readonly string[]): Promise<string> {
  const { mailboxes } = session.store;
  const status = await mailboxes.status(mailbox.id);
  const parts: string[] = [];
  for (const item of items) {
    switch (item) {
      case 'MESSAGES':
        parts.push(`MESSAGES ${status.messages}`);
        break;
      case 'RECENT':
        parts.push(`RECENT ${status.recent}`);
        break;
      case 'UIDNEXT':
        parts.push(`UIDNEXT ${status.uidNext}`);
        break;
      case 'UIDVALIDITY':
        parts.push(`UIDVALIDITY ${status.uidValidity}`);
        break;
      case 'UNSEEN':
        parts.push(`UNSEEN ${status.unseen}`);
        break;
      case 'SIZE':
        parts.push(`SIZE ${status.size}`);
        break;
      case 'DELETED': {
        // No counter for this one: count from the metadata (rarely asked for).
        const all = await mailboxes.listMessages(mailbox.id);
        parts.push(`DELETED ${all.filter((m) => m.flags.includes('\\Deleted')).length}`);
        break;
      }
      case 'HIGHESTMODSEQ':
        await session.useCondstore();
        parts.push(`HIGHESTMODSEQ ${status.highestModseq}`);
        break;
    }
  }
  return `* STATUS ${mailboxName(mailbox.name, session.utf8)} (${parts.join(' ')})\r\n`;
}

export const status: Command<{ name: string; items: string[] }> = {
  states: AUTHENTICATED,
  parse(args, ctx) {
    args.sp();
    const name = mailboxArg(args, ctx);
    args.sp();
    const items = parseStatusItems(args);
    args.end();
    return { name, items };
  },
  async run(session, { name, items }) {
    const mailbox = await session.store.mailboxes.getMailbox(session.account.id, name);
    if (!mailbox) throw no('No such mailbox', Code.nonExistent);
    session.write(await statusLine(session, mailbox, items));
  },
};
