// Small extensions of the authenticated state: ENABLE (RFC 5161), NAMESPACE (RFC 2342)
// and QUOTA (RFC 9208: GETQUOTA, GETQUOTAROOT; SETQUOTA is refused, quotas are set
// with the septet CLI).

import { mailboxName } from '../encode.ts';
import { oneMailbox } from '../mailbox-names.ts';
import { Code, no } from '../replies.ts';
import type { Enableable, ImapSession } from '../session.ts';
import { AUTHENTICATED, noArguments, type Command } from './types.ts';

const ENABLEABLE: ReadonlySet<string> = new Set<Enableable>(['CONDSTORE', 'QRESYNC', 'IMAP4REV2', 'UTF8=ACCEPT']);

/** RFC 5161 §3.1: enables what we know, ignores the rest, reports what changed. */
export const enable: Command<string[]> = {
  states: AUTHENTICATED,
  parse(args) {
    const names: string[] = [];
    args.sp();
    do names.push(args.atom('capability').toUpperCase());
    while (args.trySp());
    args.end();
    return names;
  },
  async run(session, names) {
    const condstoreBefore = session.condstore;
    const newly: string[] = [];
    for (const key of names) {
      if (!ENABLEABLE.has(key) || session.enabled.has(key as Enableable)) continue;
      session.enabled.add(key as Enableable);
      // RFC 7162 §3.2.3: enabling QRESYNC enables CONDSTORE as well.
      if (key === 'QRESYNC' && !session.enabled.has('CONDSTORE')) {
        session.enabled.add('CONDSTORE');
        newly.push('CONDSTORE');
      }
      newly.push(key === 'IMAP4REV2' ? 'IMAP4rev2' : key);
    }
    session.write(`* ENABLED${newly.map((n) => ' ' + n).join('')}\r\n`);
    // RFC 7162 §3.1: ENABLE CONDSTORE is a CONDSTORE enabling command, so with a mailbox
    // selected it reports HIGHESTMODSEQ (once per session, as every first enabling command).
    if (!condstoreBefore && session.condstore) await session.reportHighestModseq();
  },
};

/** RFC 2342 §5: one personal namespace "" with delimiter "/", no shared or other users' ones. */
export const namespace: Command<void> = {
  states: AUTHENTICATED,
  parse: noArguments,
  run(session) {
    session.write('* NAMESPACE (("" "/")) NIL NIL\r\n');
  },
};

/** The single quota root "" of an account (RFC 9208 §3.2). */
async function quotaLine(session: ImapSession): Promise<string> {
  const usage = await session.store.mailboxes.quota(session.account.id);
  const resources: string[] = [];
  // RFC 9208 §5.1: STORAGE in units of 1024 octets.
  if (usage.limitBytes !== null) resources.push(`STORAGE ${Math.ceil(usage.usedBytes / 1024)} ${Math.floor(usage.limitBytes / 1024)}`);
  return `* QUOTA "" (${resources.join(' ')})\r\n`;
}

export const getquota: Command<string> = {
  states: AUTHENTICATED,
  parse(args) {
    args.sp();
    const root = args.astringText('quota root');
    args.end();
    return root;
  },
  async run(session, root) {
    if (root !== '') throw no('No such quota root', Code.nonExistent);
    session.write(await quotaLine(session));
  },
};

export const getquotaroot: Command<string> = {
  states: AUTHENTICATED,
  parse: oneMailbox,
  async run(session, name) {
    const mailbox = await session.store.mailboxes.getMailbox(session.account.id, name);
    if (!mailbox) throw no('No such mailbox', Code.nonExistent);
    session.write(`* QUOTAROOT ${mailboxName(mailbox.name, session.utf8)} ""\r\n`);
    session.write(await quotaLine(session));
  },
};

export const setquota: Command<void> = {
  states: AUTHENTICATED,
  // Refused whatever follows, so nothing is parsed.
  parse() {},
  run() {
    // RFC 9208 §4.3: administrators set quotas; users may not.
    throw no('Quotas are set by the administrator', Code.noPerm);
  },
};
