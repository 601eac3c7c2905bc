// Managing mailboxes (RFC 3501 §6.3.3-6.3.7, RFC 9051 §6.3.4-6.3.8): CREATE, DELETE,
// RENAME, SUBSCRIBE, UNSUBSCRIBE. Names belong to the logged-in account only, so
// nobody reaches another user's mailboxes.

import { StoreError } from '../../core/store/types.ts';
import { ancestors, checkNewName, DELIMITER, mailboxArg, oneMailbox } from '../mailbox-names.ts';
import { Code, no } from '../replies.ts';
import { AUTHENTICATED, type Command } from './types.ts';

export const create: Command<string> = {
  states: AUTHENTICATED,
  parse: oneMailbox,
  async run(session, name) {
    // RFC 3501 §6.3.3: a trailing delimiter declares a future parent; the name is created without it.
    if (name.endsWith(DELIMITER)) name = name.slice(0, -1);
    if (name.toUpperCase() === 'INBOX') throw no('INBOX always exists', Code.alreadyExists);
    checkNewName(name);
    const { mailboxes } = session.store;
    const accountId = session.account.id;
    if (await mailboxes.getMailbox(accountId, name)) throw no('Mailbox already exists', Code.alreadyExists);
    // RFC 9051 §6.3.4: superior hierarchical names are created as needed.
    for (const parent of ancestors(name)) {
      if (await mailboxes.getMailbox(accountId, parent)) continue;
      try {
        await mailboxes.createMailbox(accountId, parent);
      } catch (error) {
        if (!(error instanceof StoreError && error.code === 'exists')) throw error;
      }
    }
    await mailboxes.createMailbox(accountId, name);
  },
};

export const deleteMailbox: Command<string> = {
  states: AUTHENTICATED,
  parse: oneMailbox,
  async run(session, name) {
    if (name === 'INBOX') throw no('INBOX cannot be deleted', Code.cannot);
    const { mailboxes } = session.store;
    const accountId = session.account.id;
    const mailbox = await mailboxes.getMailbox(accountId, name);
    if (!mailbox) {
      const hasChildren = (await mailboxes.listMailboxes(accountId)).some((m) => m.name.startsWith(name + DELIMITER));
      if (hasChildren) throw no(`"${name}" has inferior hierarchical names and is not a mailbox`, Code.hasChildren);
      throw no('No such mailbox', Code.nonExistent);
    }
    // RFC 9051 §6.3.5: permitted with children; they stay, and "name" lists as \Noselect.
    if (session.state.name === 'selected' && session.state.view.mailboxId === mailbox.id) {
      // Deleting the selected mailbox: leave it first (as Dovecot does), quietly.
      session.leaveSelected();
    }
    await mailboxes.deleteMailbox(accountId, name);
  },
};

export const rename: Command<{ from: string; to: string }> = {
  states: AUTHENTICATED,
  parse(args, ctx) {
    args.sp();
    const from = mailboxArg(args, ctx);
    args.sp();
    const to = mailboxArg(args, ctx);
    args.end();
    return { from, to };
  },
  async run(session, { from, to }) {
    if (to.endsWith(DELIMITER)) to = to.slice(0, -1);
    checkNewName(to);
    if (to === 'INBOX') throw no('Cannot rename to INBOX', Code.alreadyExists);
    const { mailboxes } = session.store;
    const accountId = session.account.id;
    if (!(await mailboxes.getMailbox(accountId, from))) throw no('No such mailbox', Code.nonExistent);
    if (await mailboxes.getMailbox(accountId, to)) throw no('Target mailbox already exists', Code.alreadyExists);
    if (to.startsWith(from + DELIMITER)) throw no('Cannot move a mailbox into itself', Code.cannot);
    // RFC 3501 §6.3.5: superior names of the new name are created as needed.
    for (const parent of ancestors(to)) {
      if (parent === from || (await mailboxes.getMailbox(accountId, parent))) continue;
      await mailboxes.createMailbox(accountId, parent);
    }
    // Renaming INBOX moves its messages into a new mailbox (the store does it, §6.3.5).
    await mailboxes.renameMailbox(accountId, from, to);
  },
};

export const subscribe: Command<string> = {
  states: AUTHENTICATED,
  parse: oneMailbox,
  async run(session, name) {
    // RFC 9051 §6.3.7 lets a server refuse names that do not exist; Septet does (most clients expect it).
    if (!(await session.store.mailboxes.getMailbox(session.account.id, name))) throw no('No such mailbox', Code.nonExistent);
    await session.store.mailboxes.subscribe(session.account.id, name);
  },
};

export const unsubscribe: Command<string> = {
  states: AUTHENTICATED,
  parse: oneMailbox,
  async run(session, name) {
    // RFC 9051 §6.3.8: unsubscribing a name that is not subscribed is not an error there.
    await session.store.mailboxes.unsubscribe(session.account.id, name);
  },
};
