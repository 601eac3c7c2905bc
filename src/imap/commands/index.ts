// The IMAP command table: verb → the states it is valid in, how its arguments parse and
// what it does (RFC 3501 §6, RFC 9051 §6, and the extensions). "UID X" verbs are the UID forms.

import { append } from './append.ts';
import { authenticate, login, starttls } from './auth.ts';
import { capability, id, logout, noop } from './any-state.ts';
import { copy, move } from './copy-move.ts';
import { expunge, uidExpunge } from './expunge.ts';
import { enable, getquota, getquotaroot, namespace, setquota } from './extensions.ts';
import { fetch } from './fetch.ts';
import { idle } from './idle.ts';
import { list, lsub } from './list.ts';
import { create, deleteMailbox, rename, subscribe, unsubscribe } from './mailboxes.ts';
import { search } from './search.ts';
import { check, close, examine, select, unselect } from './select.ts';
import { status } from './status.ts';
import { store } from './store.ts';
import type { Command } from './types.ts';

export const commands: ReadonlyMap<string, Command> = new Map<string, Command>([
  // RFC 3501 §6.1 any state, RFC 2971 ID
  ['CAPABILITY', capability],
  ['NOOP', noop],
  ['LOGOUT', logout],
  ['ID', id],
  // RFC 3501 §6.2 not authenticated, RFC 4959 SASL-IR
  ['STARTTLS', starttls],
  ['AUTHENTICATE', authenticate],
  ['LOGIN', login],
  // RFC 3501 §6.3 authenticated
  ['SELECT', select],
  ['EXAMINE', examine],
  ['CREATE', create],
  ['DELETE', deleteMailbox],
  ['RENAME', rename],
  ['SUBSCRIBE', subscribe],
  ['UNSUBSCRIBE', unsubscribe],
  ['LIST', list],
  ['LSUB', lsub],
  ['STATUS', status],
  ['APPEND', append],
  ['ENABLE', enable],
  ['NAMESPACE', namespace],
  ['IDLE', idle],
  ['GETQUOTA', getquota],
  ['GETQUOTAROOT', getquotaroot],
  ['SETQUOTA', setquota],
  // RFC 3501 §6.4 selected
  ['CHECK', check],
  ['CLOSE', close],
  ['UNSELECT', unselect],
  ['EXPUNGE', expunge],
  ['SEARCH', search],
  ['FETCH', fetch],
  ['STORE', store],
  ['COPY', copy],
  ['MOVE', move],
  ['UID SEARCH', search],
  ['UID FETCH', fetch],
  ['UID STORE', store],
  ['UID COPY', copy],
  ['UID MOVE', move],
  ['UID EXPUNGE', uidExpunge],
]);
