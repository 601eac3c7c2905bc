// The POP3 command table: keyword → where it is valid, how its arguments parse and what it does.

import { auth } from './auth.ts';
import { capa } from './capa.ts';
import { list, stat, uidl } from './maildrop-info.ts';
import { dele, rset } from './marks.ts';
import { noop, quit } from './noop-quit.ts';
import { retr, top } from './retrieve.ts';
import { stls } from './stls.ts';
import type { Command } from './types.ts';
import { apop, pass, user } from './user-pass.ts';

export const commands: ReadonlyMap<string, Command> = new Map<string, Command>([
  // RFC 1939 §7, §5-6
  ['USER', user],
  ['PASS', pass],
  ['APOP', apop],
  ['QUIT', quit],
  ['STAT', stat],
  ['LIST', list],
  ['RETR', retr],
  ['DELE', dele],
  ['NOOP', noop],
  ['RSET', rset],
  ['TOP', top],
  ['UIDL', uidl],
  // RFC 2449 §5, RFC 2595 §4, RFC 5034 §4
  ['CAPA', capa],
  ['STLS', stls],
  ['AUTH', auth],
]);
