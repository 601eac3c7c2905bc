// Why a connection is refused before its session starts, in words every protocol uses
// inside its own reply format (SMTP 421, POP3 -ERR [SYS/TEMP], IMAP * BYE
// [UNAVAILABLE], FTP 421, TFTP ERROR). One table, so the services say the same thing.

import type { RefusalReason } from '../net/limits.ts';

export type Refusal = RefusalReason | 'starting';

export const refusalText: Readonly<Record<Refusal, string>> = {
  starting: 'Service not available',
  'too-many': 'Too many connections, try again later',
  'too-many-from-ip': 'Too many connections from your address, try again later',
  'shutting-down': 'Server shutting down, try again later',
  banned: 'Too many failed logins from your address, try again later',
};
