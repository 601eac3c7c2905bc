// GET /api/mail/folders: the account's mailboxes with total and unread counts (the
// store's STATUS aggregates), INBOX first, then the special-use folders, then the rest.

import type { Mailbox, Store } from '../../core/store/types.ts';
import { signedIn } from '../access.ts';
import { folderSchema } from './mail-common.ts';
import type { RouteGroup } from './types.ts';

const SPECIAL_ORDER = ['\\inbox', '\\drafts', '\\sent', '\\archive', '\\junk', '\\trash'];

function rank(m: Mailbox): number {
  if (m.name === 'INBOX') return 0;
  const i = SPECIAL_ORDER.indexOf(m.specialUse?.toLowerCase() ?? '');
  return i < 0 ? SPECIAL_ORDER.length + 1 : i + 1;
}

export async function folderList(store: Store, accountId: number) {
  const mailboxes = (await store.mailboxes.listMailboxes(accountId)).sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  return Promise.all(
    mailboxes.map(async (m) => {
      const s = await store.mailboxes.status(m.id);
      return { id: m.id, name: m.name, specialUse: m.specialUse, total: s.messages, unread: s.unseen };
    }),
  );
}

export const mailFolderRoutes: RouteGroup = {
  name: 'mail-folders',
  register(app, { deps }) {
    app.get('/api/mail/folders', {
      config: { access: 'user' },
      schema: {
        tags: ['mail'],
        summary: 'Folders of the signed-in account with total and unread counts',
        response: { 200: { type: 'object', required: ['folders'], properties: { folders: { type: 'array', items: folderSchema } } } },
      },
    }, async (request) => ({ folders: await folderList(deps.store, signedIn(request).account.id) }));
  },
};
