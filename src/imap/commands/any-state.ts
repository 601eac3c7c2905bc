// Commands valid in any state (RFC 3501 §6.1): CAPABILITY, NOOP, LOGOUT; and ID
// (RFC 2971), which clients send before and after login.

import { capabilities } from '../capabilities.ts';
import { imapString, nstring } from '../encode.ts';
import { bad, Text, untaggedStatus } from '../replies.ts';
import { ANY_STATE, noArguments, type Command } from './types.ts';

export const capability: Command<void> = {
  states: ANY_STATE,
  parse: noArguments,
  run(session) {
    session.write(`* CAPABILITY ${capabilities(session).join(' ')}\r\n`);
  },
};

/** RFC 3501 §6.1.2: does nothing, but pending updates go out (the dispatcher syncs). */
export const noop: Command<void> = {
  states: ANY_STATE,
  parse: noArguments,
  run() {},
};

/** RFC 3501 §6.1.3: BYE first, then the tagged OK, then the connection closes. */
export const logout: Command<void> = {
  states: ANY_STATE,
  parse: noArguments,
  run(session) {
    session.write(untaggedStatus('BYE', Text.bye));
    session.state = { name: 'logout' };
  },
};

/** RFC 2971 §3.1: ID ("name" "value" ...) or ID NIL; logged, answered with our own. */
/** The client's ID fields, names lower-cased (RFC 2971 §3.3). */
type IdFields = Record<string, string | null>;

export const id: Command<IdFields> = {
  states: ANY_STATE,
  parse(args) {
    args.sp();
    const fields: IdFields = {};
    if (args.tryChar('(')) {
      let n = 0;
      while (!args.tryChar(')')) {
        if (n > 0) args.sp();
        const key = args.string('field name').toString('utf8');
        args.sp();
        const value = args.nstring('field value');
        // RFC 2971 §3.3: at most 30 pairs, names up to 30 octets, values up to 1024.
        if (++n > 30 || key.length > 30 || (value && value.length > 1024)) throw bad('ID list too long');
        fields[key.toLowerCase()] = value ? value.toString('utf8') : null;
      }
    } else if (args.keyword('ID list') !== 'NIL') {
      throw bad('Expected a parenthesized list or NIL');
    }
    args.end();
    return fields;
  },
  run(session, fields) {
    if (Object.keys(fields).length > 0) session.log.info({ client: fields }, 'imap client id');
    session.write(`* ID (${imapString('name')} ${imapString('Septet')} ${imapString('vendor')} ${nstring('Septet')} ${imapString('support-url')} NIL)\r\n`);
  },
};
