// Which keywords the client has been told about (RFC 3501 §7.2.6, RFC 9051 §7.3.5): a
// keyword may appear in a FETCH only after an untagged FLAGS (and OK [PERMANENTFLAGS])
// that names it, or clients drop it. SELECT tells the mailbox's keywords; a keyword
// first used later (STORE, APPEND, another session) is announced just before the first
// response that carries it.

import { foldCase, SYSTEM_FLAGS } from '../core/store/names.ts';
import { flagList } from './encode.ts';
import { untaggedStatus } from './replies.ts';
import type { MailboxView } from './selected-view.ts';

/** "* FLAGS (...)" and "* OK [PERMANENTFLAGS (...)]" for the keywords the view knows. */
export function flagsAnnouncement(view: MailboxView): string {
  const flags = [...SYSTEM_FLAGS, ...view.keywords.values()];
  // RFC 3501 §7.1: "\*" says clients may create new keywords.
  return (
    `* FLAGS ${flagList(flags)}\r\n` +
    untaggedStatus('OK', view.readOnly ? 'No permanent flags permitted' : 'Flags permitted', `PERMANENTFLAGS ${flagList(view.readOnly ? [] : [...flags, '\\*'])}`)
  );
}

/** Records the keywords among `flags` the client does not know; the announcement to send first, or ''. */
export function newKeywordsAnnouncement(view: MailboxView, flags: readonly string[]): string {
  let grew = false;
  for (const flag of flags) {
    if (flag.startsWith('\\')) continue;
    const folded = foldCase(flag);
    if (view.keywords.has(folded)) continue;
    view.keywords.set(folded, flag);
    grew = true;
  }
  return grew ? flagsAnnouncement(view) : '';
}
