// Informational commands: SYST, STAT, HELP, NOOP, SITE (RFC 959 §4.1.3), FEAT and
// OPTS (RFC 2389), HASH (draft-bryan-ftp-hash: SHA-256 of a file, for integrity checks).

import { fileMode, folderMode } from '../../files/modes.ts';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, stat as statPath } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { lsLine } from '../listing.ts';
import { FtpError, multilineReply, Reply } from '../replies.ts';
import type { FtpSession } from '../session.ts';
import { required, requireFile, requireWritable, resolvePath } from './helpers.ts';
import { entriesFor } from './listing.ts';
import { ANY_STATE, asIs, command, LOGGED_IN, noArgument } from './types.ts';

export const syst = command({
  states: ANY_STATE,
  parse: noArgument,
  run(session) {
    // RFC 959 §4.1.3 / Assigned Numbers: clients expect "UNIX Type: L8" to parse ls -l listings.
    session.reply(Reply.systemType, 'UNIX Type: L8');
  },
});

export const noop = command({
  states: ANY_STATE,
  parse: noArgument,
  run(session) {
    session.reply(Reply.ok, 'NOOP ok.');
  },
});

/** RFC 2389 §3: one feature per line, each indented by one space. */
export const FEATURES = [
  'AUTH TLS',
  'PBSZ',
  'PROT',
  'EPRT',
  'EPSV',
  'MDTM',
  'MFMT',
  'SIZE',
  'REST STREAM',
  'MLST type*;size*;modify*;perm*;unique*;',
  'TVFS',
  'UTF8',
  'HASH SHA-256*',
] as const;

export const feat = command({
  states: ANY_STATE,
  parse: noArgument,
  run(session) {
    session.raw(multilineReply(Reply.systemStatus, 'Features:', FEATURES, 'End'));
  },
});

type Option = 'UTF8' | 'MLST' | 'HASH';

/** RFC 2389 §4: OPTS command-name [options]; the options Septet has are fixed. */
function parseOpts(argument: string): Option {
  const [name = '', ...rest] = argument.trim().split(/\s+/);
  const value = rest.join(' ');
  switch (name.toUpperCase()) {
    case 'UTF8':
    case 'UTF-8':
      return 'UTF8';
    case 'MLST':
      return 'MLST';
    case 'HASH':
      if (value !== '' && value.toUpperCase() !== 'SHA-256') throw new FtpError(Reply.parameterNotImplemented, 'Only SHA-256 is supported.');
      return 'HASH';
    default:
      throw new FtpError(Reply.badArguments, 'Option not understood.');
  }
}

const OPTION_REPLIES: Record<Option, string> = {
  // RFC 2640 §3.2: paths are always UTF-8 here.
  UTF8: 'Always in UTF8 mode.',
  MLST: 'MLST OPTS type;size;modify;perm;unique;',
  HASH: 'SHA-256',
};

export const opts = command({
  states: ANY_STATE,
  parse: parseOpts,
  run(session, option) {
    session.reply(Reply.ok, OPTION_REPLIES[option]);
  },
});

export const stat = command({
  states: LOGGED_IN,
  parse: (argument) => argument.trim(),
  async run(session, path) {
    const t = session.transfer;
    // RFC 959 §4.1.3: during a transfer, STAT reports its progress on the control connection.
    if (t) return session.reply(Reply.fileStatus, `Status: ${t.direction} of ${t.path}, ${t.progress.bytes} octets so far.`);
    if (path === '') return session.raw(multilineReply(Reply.systemStatus, 'Septet FTP server status:', statusLines(session), 'End of status'));
    // RFC 959 §4.1.3: STAT with a path is a LIST over the control connection.
    const { virtual, entries } = await entriesFor(session, path);
    session.raw(multilineReply(Reply.fileStatus, `Status of ${virtual}:`, entries.map((e) => lsLine(e)), 'End of status'));
  },
});

/** The session's parameters, for STAT without an argument. */
function statusLines(session: FtpSession): string[] {
  const p = session.params;
  return [
    `Connected to ${session.conn.remoteAddress}`,
    `Logged in as ${session.user.name}`,
    `TYPE: ${p.type}${p.type === 'A' || p.type === 'E' ? ` ${p.form}` : p.type === 'L' ? ' 8' : ''}, STRUcture: ${p.structure}, MODE: ${p.mode}`,
    `Control connection ${session.conn.secure ? `TLS (${session.conn.tls?.protocol ?? 'unknown'})` : 'plain text'}; data protection ${session.protection}`,
    `Current directory: ${session.cwd}`,
  ];
}

const HELP_VERBS = 'ABOR ACCT ALLO APPE AUTH CDUP CWD DELE EPRT EPSV FEAT HASH HELP LIST MDTM MFMT MKD MLSD MLST MODE NLST NOOP OPTS PASS PASV PBSZ PORT PROT PWD QUIT REIN REST RETR RMD RNFR RNTO SITE SIZE SMNT STAT STOR STOU STRU SYST TYPE USER';

export const help = command({
  states: ANY_STATE,
  parse: asIs,
  run(session) {
    const verbs = HELP_VERBS.split(' ');
    const lines: string[] = [];
    for (let i = 0; i < verbs.length; i += 10) lines.push(verbs.slice(i, i + 10).join(' '));
    session.raw(multilineReply(Reply.help, 'The following commands are recognized.', lines, 'Help OK.'));
  },
});

type SiteCommand = { name: 'HELP' } | { name: 'CHMOD'; mode: number; path: string };

/** "SITE HELP", "SITE CHMOD mode path" (the path may contain spaces). */
function parseSite(argument: string): SiteCommand {
  const [sub = '', ...rest] = argument.trim().split(/\s+/);
  switch (sub.toUpperCase()) {
    case 'HELP':
      return { name: 'HELP' };
    case 'CHMOD': {
      const [modeText = '', ...pathParts] = rest;
      if (!/^[0-7]{3,4}$/.test(modeText) || pathParts.length === 0) throw new FtpError(Reply.badArguments, 'Syntax: SITE CHMOD mode path');
      return { name: 'CHMOD', mode: parseInt(modeText, 8), path: pathParts.join(' ') };
    }
    default:
      throw new FtpError(Reply.parameterNotImplemented, 'Unknown SITE command.');
  }
}

export const site = command({
  states: LOGGED_IN,
  parse: parseSite,
  async run(session, site) {
    if (site.name === 'HELP') return session.reply(Reply.help, 'SITE commands: HELP CHMOD');
    requireWritable(session);
    const target = await resolvePath(session, site.path);
    // The rule of every file protocol (src/files/modes.ts): owner bits only, never below
    // 0600 for a file or 0700 for a folder (a folder of 0600 could not even be entered).
    const folder = (await statPath(target.real)).isDirectory();
    await chmod(target.real, folder ? folderMode(site.mode) : fileMode(site.mode));
    session.reply(Reply.ok, 'SITE CHMOD command ok.');
  },
});

export const hash = command({
  states: LOGGED_IN,
  parse: required('HASH path'),
  async run(session, path) {
    const target = await resolvePath(session, path);
    const s = await requireFile(target.real);
    const digest = createHash('sha256');
    await pipeline(createReadStream(target.real, { highWaterMark: 1 << 20 }), digest);
    const range = s.size === 0 ? '0-0' : `0-${s.size - 1}`;
    session.reply(Reply.fileStatus, `SHA-256 ${range} ${digest.digest('hex')} ${target.virtual}`);
  },
});
