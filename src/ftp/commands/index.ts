// The FTP command table: verb → what it needs and does. X-prefixed aliases are the
// RFC 775 forms that some old clients still send (RFC 1123 §4.1.3.1).

import { abor, allo, appe, rest, retr, stor, stou } from './transfer.ts';
import { cdup, cwd, dele, mdtmCommand, mfmt, mkd, pwd, rmd, rnfr, rnto, size, smnt } from './files.ts';
import { epsv, eprt, pasv, port } from './data-setup.ts';
import { feat, hash, help, noop, opts, site, stat, syst } from './info.ts';
import { list, mlsd, mlst, nlst } from './listing.ts';
import { acct, pass, quit, rein, user } from './login.ts';
import { mode, stru, type } from './params.ts';
import { auth, pbsz, prot } from './security.ts';
import { Reply, Text } from '../replies.ts';
import { ANY_STATE, asIs, command, type Command } from './types.ts';

/** CCC (RFC 4217 §12.3) would drop TLS on the control connection: not offered. */
const notOffered = command({
  states: ANY_STATE,
  parse: asIs,
  run(session) {
    session.reply(Reply.notImplemented, Text.notImplemented);
  },
});

export type { Command } from './types.ts';

export const commands: ReadonlyMap<string, Command<unknown>> = new Map<string, Command<unknown>>([
  // RFC 959 §4.1.1 access control
  ['USER', user],
  ['PASS', pass],
  ['ACCT', acct],
  ['CWD', cwd],
  ['XCWD', cwd],
  ['CDUP', cdup],
  ['XCUP', cdup],
  ['SMNT', smnt],
  ['REIN', rein],
  ['QUIT', quit],
  // §4.1.2 transfer parameters
  ['PORT', port],
  ['PASV', pasv],
  ['TYPE', type],
  ['STRU', stru],
  ['MODE', mode],
  // §4.1.3 service commands
  ['RETR', retr],
  ['STOR', stor],
  ['STOU', stou],
  ['APPE', appe],
  ['ALLO', allo],
  ['REST', rest],
  ['RNFR', rnfr],
  ['RNTO', rnto],
  ['ABOR', abor],
  ['DELE', dele],
  ['RMD', rmd],
  ['XRMD', rmd],
  ['MKD', mkd],
  ['XMKD', mkd],
  ['PWD', pwd],
  ['XPWD', pwd],
  ['LIST', list],
  ['NLST', nlst],
  ['SITE', site],
  ['SYST', syst],
  ['STAT', stat],
  ['HELP', help],
  ['NOOP', noop],
  // RFC 2389, 2428, 3659, 4217, HASH draft
  ['FEAT', feat],
  ['OPTS', opts],
  ['EPRT', eprt],
  ['EPSV', epsv],
  ['MLST', mlst],
  ['MLSD', mlsd],
  ['SIZE', size],
  ['MDTM', mdtmCommand],
  ['MFMT', mfmt],
  ['AUTH', auth],
  ['PBSZ', pbsz],
  ['PROT', prot],
  ['CCC', notOffered],
  ['HASH', hash],
]);
