// Changing a message: PATCH .../flags (seen, flagged), POST .../move (to another folder
// of the same account, RFC 6851 MOVE in the store), DELETE (to Trash; expunged when it
// already is in Trash). Every change needs X-CSRF-Token (src/web/app.ts).

import { signedIn } from '../access.ts';
import { flagState } from '../mail/summary.ts';
import { WebError } from '../replies.ts';
import { flagsSchema, idSchema, messageParams, ownMailbox, ownMessage, trashOf, type MessageParams } from './mail-common.ts';
import type { RouteGroup } from './types.ts';

const movedSchema = {
  type: 'object',
  required: ['mailboxId', 'uid'],
  properties: { mailboxId: { type: 'integer' }, uid: { type: ['integer', 'null'], description: 'the new UID; null when expunged' }, expunged: { type: 'boolean' } },
} as const;

export const mailChangeRoutes: RouteGroup = {
  name: 'mail-change',
  register(app, { deps }) {
    const store = deps.store;

    app.patch('/api/mail/messages/:mailboxId/:uid/flags', {
      config: { access: 'user' },
      schema: {
        tags: ['mail'],
        summary: 'Set or clear \\Seen and \\Flagged',
        params: messageParams,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { seen: { type: 'boolean' }, flagged: { type: 'boolean' } } },
        response: { 200: flagsSchema },
      },
    }, async (request) => {
      const { account } = signedIn(request);
      const { mailboxId, uid } = request.params as MessageParams;
      const body = request.body as { seen?: boolean; flagged?: boolean };
      // Unknown properties are stripped by the validator (Fastify's removeAdditional), so check what is left.
      if (body.seen === undefined && body.flagged === undefined) throw new WebError('bad-request', 'Say seen or flagged');
      const { mailbox, meta } = await ownMessage(store, account, mailboxId, uid);
      let flags = meta.flags;
      for (const [flag, on] of [['\\Seen', body.seen], ['\\Flagged', body.flagged]] as const) {
        if (on === undefined) continue;
        const result = await store.mailboxes.storeFlags(mailbox.id, [uid], on ? 'add' : 'remove', [flag]);
        flags = result.messages[0]?.flags ?? flags;
      }
      return { flags, ...flagState(flags) };
    });

    app.post('/api/mail/messages/:mailboxId/:uid/move', {
      config: { access: 'user' },
      schema: {
        tags: ['mail'],
        summary: 'Move a message to another folder of the account',
        params: messageParams,
        body: { type: 'object', required: ['to'], additionalProperties: false, properties: { to: idSchema } },
        response: { 200: movedSchema },
      },
    }, async (request) => {
      const { account } = signedIn(request);
      const { mailboxId, uid } = request.params as MessageParams;
      const { to } = request.body as { to: number };
      const { mailbox } = await ownMessage(store, account, mailboxId, uid);
      const target = await ownMailbox(store, account, to);
      if (target.id === mailbox.id) throw new WebError('bad-request', 'The message is already in that folder');
      const moved = await store.mailboxes.moveMessages(mailbox.id, [uid], target.id);
      return { mailboxId: target.id, uid: moved.mapping[0]?.dstUid ?? null, expunged: false };
    });

    app.delete('/api/mail/messages/:mailboxId/:uid', {
      config: { access: 'user' },
      schema: {
        tags: ['mail'],
        summary: 'Delete: move to Trash, or expunge when already in Trash',
        params: messageParams,
        response: { 200: movedSchema },
      },
    }, async (request) => {
      const { account } = signedIn(request);
      const { mailboxId, uid } = request.params as MessageParams;
      const { mailbox } = await ownMessage(store, account, mailboxId, uid);
      const trash = await trashOf(store, account);
      if (trash.id === mailbox.id) {
        await store.mailboxes.expunge(mailbox.id, [uid]);
        return { mailboxId: mailbox.id, uid: null, expunged: true };
      }
      const moved = await store.mailboxes.moveMessages(mailbox.id, [uid], trash.id);
      return { mailboxId: trash.id, uid: moved.mapping[0]?.dstUid ?? null, expunged: false };
    });
  },
};
