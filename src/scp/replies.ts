// Every message SCP sends to the peer (after a 0x01 or 0x02 status octet) or prints on
// the channel's stderr. scp.c's run_err() prefixes "scp: " and the peer prints the line
// as it is, so the texts follow OpenSSH's: "scp: PATH: No such file or directory".

import { printable } from './wire.ts';

const named = (path: string, text: string): string => `scp: ${printable(path)}: ${text}`;

export const scpReplies = {
  noSuchFile: (path: string) => named(path, 'No such file or directory'),
  notRegular: (path: string) => named(path, 'not a regular file'),
  notDirectory: (path: string) => named(path, 'Not a directory'),
  isDirectory: (path: string) => named(path, 'Is a directory'),
  exists: (path: string) => named(path, 'File exists'),
  permission: (path: string) => named(path, 'Permission denied'),
  quota: (path: string) => named(path, 'Disk quota exceeded'),
  noSpace: (path: string) => named(path, 'No space left on device'),
  outside: (path: string) => named(path, 'Permission denied (outside the home folder)'),
  badName: (path: string) => named(path, 'unusable file name'),
  tooDeep: (path: string) => named(path, 'directories nested too deeply'),
  shrank: (path: string) => named(path, 'file changed size while it was read'),
  failed: (path: string, text: string) => named(path, text),
  protocol: (why: string) => `scp: protocol error: ${printable(why)}`,
  usage: () => 'scp: usage: scp -t|-f [-r] [-p] [-d] [--] path...',
  internal: () => 'scp: internal error',
} as const;
