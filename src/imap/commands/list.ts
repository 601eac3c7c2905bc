// LIST and LSUB (RFC 3501 §6.3.8-6.3.9) with LIST-EXTENDED (RFC 5258: selection and
// return options, several patterns), LIST-STATUS (RFC 5819), SPECIAL-USE (RFC 6154)
// and CHILDREN (RFC 3348) attributes. Names a mailbox's descendants imply but that are
// not mailboxes themselves show as \Noselect (\NonExistent for LIST-EXTENDED).

import type { Mailbox } from '../../core/store/types.ts';
import { mailboxName } from '../encode.ts';
import { ancestors, decodeListPattern, DELIMITER, patternMatcher } from '../mailbox-names.ts';
import { bad } from '../replies.ts';
import type { ImapSession } from '../session.ts';
import type { ArgParser } from '../wire.ts';
import { parseStatusItems, statusLine } from './status.ts';
import { AUTHENTICATED, type Command, type ParseContext } from './types.ts';

interface ListOptions {
  subscribedOnly: boolean;
  recursiveMatch: boolean;
  specialUseOnly: boolean;
  returnSubscribed: boolean;
  returnStatus: string[] | null;
  extended: boolean;
}

interface ListArguments {
  /** Null (here and in patterns) when not valid in the client's encoding: it matches nothing. */
  reference: string | null;
  patterns: (string | null)[];
  options: ListOptions;
}

/** RFC 5258 §3: LIST [(selection options)] reference patterns [RETURN (options)]. */
function parseList(args: ArgParser, ctx: ParseContext): ListArguments {
  const options: ListOptions = { subscribedOnly: false, recursiveMatch: false, specialUseOnly: false, returnSubscribed: false, returnStatus: null, extended: false };
  args.sp();
  // RFC 5258 §3: LIST (selection options) reference patterns [RETURN (options)].
  if (args.tryChar('(')) {
    options.extended = true;
    while (!args.tryChar(')')) {
      const option = args.keyword('selection option');
      if (option === 'SUBSCRIBED') options.subscribedOnly = true;
      else if (option === 'RECURSIVEMATCH') options.recursiveMatch = true;
      else if (option === 'SPECIAL-USE') options.specialUseOnly = true;
      else if (option !== 'REMOTE') throw bad(`Unknown LIST selection option ${option}`);
      args.trySp();
    }
    if (options.recursiveMatch && !options.subscribedOnly) throw bad('RECURSIVEMATCH needs another selection option (RFC 5258 section 3)');
    args.sp();
  }
  const reference = decodeListPattern(args.astring('reference'), ctx);
  args.sp();
  const patterns: (string | null)[] = [];
  if (args.tryChar('(')) {
    options.extended = true;
    for (;;) {
      patterns.push(decodeListPattern(args.listMailbox(), ctx));
      if (args.tryChar(')')) break;
      args.sp();
    }
  } else {
    patterns.push(decodeListPattern(args.listMailbox(), ctx));
  }
  if (args.trySp()) {
    if (args.keyword('RETURN') !== 'RETURN') throw bad('Expected RETURN');
    options.extended = true;
    args.sp();
    args.expect('(');
    while (!args.tryChar(')')) {
      const option = args.keyword('return option');
      if (option === 'SUBSCRIBED') options.returnSubscribed = true;
      else if (option === 'STATUS') {
        args.sp();
        options.returnStatus = parseStatusItems(args);
      } else if (option !== 'CHILDREN' && option !== 'SPECIAL-USE') throw bad(`Unknown LIST return option ${option}`);
      args.trySp();
    }
  }
  args.end();
  return { reference, patterns, options };
}

export const list: Command<ListArguments> = {
  states: AUTHENTICATED,
  parse: parseList,
  async run(session, { reference, patterns, options }) {
    // RFC 3501 §6.3.8: an empty pattern asks for the delimiter and the root.
    if (patterns.length === 1 && patterns[0] === '') {
      session.write(`* LIST (\\Noselect) "${DELIMITER}" ""\r\n`);
      return;
    }
    await sendList(session, 'LIST', reference, patterns, options);
  },
};

export const lsub: Command<{ reference: string | null; pattern: string | null }> = {
  states: AUTHENTICATED,
  parse(args, ctx) {
    args.sp();
    const reference = decodeListPattern(args.astring('reference'), ctx);
    args.sp();
    const pattern = decodeListPattern(args.listMailbox(), ctx);
    args.end();
    return { reference, pattern };
  },
  async run(session, { reference, pattern }) {
    if (pattern === '') {
      session.write(`* LSUB (\\Noselect) "${DELIMITER}" ""\r\n`);
      return;
    }
    await sendList(session, 'LSUB', reference, [pattern], {
      subscribedOnly: true,
      recursiveMatch: false,
      specialUseOnly: false,
      returnSubscribed: false,
      returnStatus: null,
      extended: false,
    });
  },
};

interface Node {
  name: string;
  mailbox: Mailbox | null;
  subscribed: boolean;
  hasChildren: boolean;
  /** RFC 5258 §3.5 CHILDINFO: a descendant is subscribed. */
  subscribedChild: boolean;
}

/** Mailboxes, subscriptions and the parents their names imply, INBOX first, then by name. */
function mailboxTree(all: readonly Mailbox[], subscriptions: readonly string[]): Node[] {
  const subscribed = new Set(subscriptions);
  const nodes = new Map<string, Node>();
  const node = (name: string): Node => {
    let n = nodes.get(name);
    if (!n) {
      n = { name, mailbox: null, subscribed: subscribed.has(name), hasChildren: false, subscribedChild: false };
      nodes.set(name, n);
    }
    return n;
  };
  for (const mailbox of all) node(mailbox.name).mailbox = mailbox;
  for (const name of subscriptions) node(name);
  // Implied parents: "a/b" makes "a" a node (a \Noselect one unless it is a mailbox).
  for (const name of [...nodes.keys()]) {
    for (const parent of ancestors(name)) {
      const p = node(parent);
      if (nodes.get(name)!.mailbox) p.hasChildren = true;
      if (subscribed.has(name)) p.subscribedChild = true;
    }
  }

  return [...nodes.values()].sort((a, b) => (a.name === 'INBOX' ? -1 : b.name === 'INBOX' ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Name attributes (RFC 3501 §7.2.2, RFC 5258 §3.4, RFC 3348, RFC 6154 §2). */
function listAttributes(n: Node, verb: 'LIST' | 'LSUB', options: ListOptions, rev2: boolean): string[] {
  const attrs: string[] = [];
  if (!n.mailbox) attrs.push(options.extended || rev2 ? '\\NonExistent' : '\\Noselect');
  if (verb === 'LIST') {
    if (n.mailbox || n.hasChildren) attrs.push(n.hasChildren ? '\\HasChildren' : '\\HasNoChildren');
    if ((options.subscribedOnly || options.returnSubscribed) && n.subscribed) attrs.push('\\Subscribed');
    if (n.mailbox?.specialUse) attrs.push(n.mailbox.specialUse);
  }
  if (verb === 'LSUB' && !n.mailbox) attrs.push('\\Noselect');
  return [...new Set(attrs)];
}

async function sendList(session: ImapSession, verb: 'LIST' | 'LSUB', reference: string | null, given: (string | null)[], options: ListOptions): Promise<void> {
  const { mailboxes } = session.store;
  const accountId = session.account.id;
  const [all, subscriptions] = await Promise.all([mailboxes.listMailboxes(accountId), mailboxes.listSubscriptions(accountId)]);
  // A reference or pattern not valid in the client's encoding names no mailbox (Dovecot: OK, nothing listed).
  const patterns = given.filter((p) => p !== null);
  if (reference === null || patterns.length === 0) return;
  const matchers = patterns.map((p) => patternMatcher(reference, p));
  // RFC 5258 §3.5: "Servers SHOULD ONLY return a non-matching mailbox name along with
  // CHILDINFO if at least one matching child is not also being returned" (and §3.4 b):
  // only parents of subscribed names that match no pattern themselves (as Dovecot).
  const parentsOfUnlisted = new Set<string>();
  if (options.recursiveMatch) {
    for (const name of subscriptions) if (!matchers.some((m) => m(name))) for (const parent of ancestors(name)) parentsOfUnlisted.add(parent);
  }
  for (const n of mailboxTree(all, subscriptions)) {
    if (!matchers.some((m) => m(n.name))) continue;
    if (options.specialUseOnly && !n.mailbox?.specialUse) continue;
    let childInfo = false;
    if (options.subscribedOnly) {
      if (!n.subscribed) {
        // RFC 5258 §3.5 RECURSIVEMATCH / RFC 3501 §6.3.9 LSUB "%": a parent of subscribed names.
        if (options.recursiveMatch && n.subscribedChild && parentsOfUnlisted.has(n.name)) childInfo = true;
        else if (verb === 'LSUB' && n.subscribedChild && patterns.some((p) => p.endsWith('%'))) {
          session.write(`* LSUB (\\Noselect) "${DELIMITER}" ${mailboxName(n.name, session.utf8)}\r\n`);
          continue;
        } else continue;
      }
    } else if (!n.mailbox && !n.hasChildren) {
      continue; // a subscription to a name that does not exist: only LIST (SUBSCRIBED) shows it
    }
    const attrs = listAttributes(n, verb, options, session.rev2);
    const extra = childInfo ? ` ("CHILDINFO" ("SUBSCRIBED"))` : '';
    await session.send(`* ${verb} (${attrs.join(' ')}) "${DELIMITER}" ${mailboxName(n.name, session.utf8)}${extra}\r\n`);
    // RFC 5819 §2: the STATUS response follows its LIST response.
    if (options.returnStatus && n.mailbox) await session.send(await statusLine(session, n.mailbox, options.returnStatus));
  }
}
