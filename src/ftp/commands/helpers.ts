// Small checks the commands share.

import { stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { ResolvedPath } from '../../files/jail.ts';
import { FtpError, Reply, Text } from '../replies.ts';
import type { FtpSession } from '../session.ts';

/** Anonymous users only read (the issue: read-only "pub"). */
export function requireWritable(session: FtpSession): void {
  if (session.user.readOnly) throw new FtpError(Reply.fileNotFound, Text.readOnly);
}

export function requireArgument(argument: string, usage: string): string {
  if (argument === '') throw new FtpError(Reply.badArguments, `Syntax: ${usage}`);
  return argument;
}

/** A parse function for commands that need a path (or name): 501 with the usage when it is missing. */
export function required(usage: string): (argument: string) => string {
  return (argument) => requireArgument(argument, usage);
}

export async function resolvePath(session: FtpSession, path: string): Promise<ResolvedPath> {
  return session.user.jail.resolve(session.cwd, path);
}

export async function statOrNull(real: string): Promise<Stats | null> {
  try {
    return await stat(real);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

export async function requireFile(real: string): Promise<Stats> {
  const s = await statOrNull(real);
  if (!s) throw new FtpError(Reply.fileNotFound, Text.noSuchFile);
  if (!s.isFile()) throw new FtpError(Reply.fileNotFound, Text.notPlainFile);
  return s;
}

export async function requireDirectory(real: string): Promise<Stats> {
  const s = await statOrNull(real);
  if (!s) throw new FtpError(Reply.fileNotFound, Text.noSuchFile);
  if (!s.isDirectory()) throw new FtpError(Reply.fileNotFound, Text.notDirectory);
  return s;
}
